"""Domain errors.  All subclass :class:`ValueError` so generic handlers still catch them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CarbonsimError(ValueError):
    """Base class of every error carbonsim raises on bad input."""


class CatalogueError(CarbonsimError):
    """A target catalogue file or record is malformed."""


class BaselineError(CarbonsimError):
    """A baseline calibration file is malformed or inconsistent."""


class LeverError(CarbonsimError):
    """A lever value is unknown, of the wrong shape or out of its bounds."""


class ScenarioError(CarbonsimError):
    """A scenario file is malformed."""


class UnitError(CarbonsimError):
    """A quantity's unit is unknown or does not fit where it is used."""


class MisuseError(TypeError):
    """A public function was handed the wrong kind of object (the message names what it
    expected, what it got and the call that works)."""


def did_you_mean(name: str, choices: Iterable[str], n: int = 1) -> str:
    """Return a ``" Did you mean 'x'?"`` suffix for *name*, or ``""`` when nothing is close.

    Examples
    --------
    >>> did_you_mean("litng", ["litong", "yanchi"])
    " Did you mean 'litong'?"
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=n, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def choices_text(choices: Iterable[str], limit: int = 30) -> str:
    """A short, sorted listing of valid choices for an error message."""
    items = sorted(str(c) for c in choices)
    more = f", … ({len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more
