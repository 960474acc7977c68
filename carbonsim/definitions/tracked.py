"""Tracked indicators: targets the model does not compute (forest coverage, green factories …).

Declared once in ``carbonsim/data/tracked_indicators.toml``; each becomes a lever (the scenario
supplies its path) and a catalogue indicator (checked like the simulated ones).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from carbonsim.constants import DATA_DIR
from carbonsim.errors import CatalogueError, did_you_mean
from carbonsim.textfile import read_text
from carbonsim.units import UnitError, dimension

__all__ = ["read_tracked", "tracked_indicators"]

_TRACKED_KEYS = (
    "name",
    "unit",
    "long_name",
    "long_name_zh",
    "description",
    "dims",
    "value_2020",
    "source_2020",
    "default",
)

#: every key but the optional 2020 value and default
_TRACKED_REQUIRED = tuple(k for k in _TRACKED_KEYS if k not in ("value_2020", "default"))


def read_tracked(file: Path) -> dict[str, dict[str, Any]]:
    try:
        text = read_text(file, "tracked-indicator file", CatalogueError)
        entries = tomllib.loads(text).get("indicator", [])
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{file}: cannot read tracked indicators: {exc}") from None
    result: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries, start=1):
        name = entry.get("name")
        where = f"{file}: indicator {name!r} (#{index})" if name else f"{file}: indicator #{index}"
        for key in entry:
            if key not in _TRACKED_KEYS:
                raise CatalogueError(
                    f"{where}, key {key!r}: unknown key.{did_you_mean(key, _TRACKED_KEYS)}"
                )
        for key in _TRACKED_REQUIRED:
            if key not in entry:
                raise CatalogueError(f"{where}, key {key!r}: missing")
        if name in result:
            raise CatalogueError(f"{where}, key 'name': duplicate indicator name")
        try:
            dimension(entry["unit"])
        except UnitError as exc:
            raise CatalogueError(f"{where}, key 'unit': {exc}") from None
        if entry["dims"] not in ("region,year", "year"):
            raise CatalogueError(f"{where}, key 'dims': expected 'region,year' or 'year'")
        result[name] = {k: v for k, v in entry.items() if k != "name"}
    return result


def tracked_indicators(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Definitions of the tracked indicators (``carbonsim/data/tracked_indicators.toml``).

    Returns ``{name: {"unit": …, "long_name": …, "long_name_zh": …, "description": …,
    "dims": …, ["value_2020": …,] "source_2020": …, ["default": "baseline"]}}`` (a fresh copy).

    Examples
    --------
    >>> tracked_indicators()["forest_coverage"]["default"]
    'baseline'
    """
    definitions = _tracked_definitions() if path is None else read_tracked(Path(path))
    return {name: dict(spec) for name, spec in definitions.items()}


@functools.lru_cache(maxsize=1)
def _tracked_definitions() -> dict[str, dict[str, Any]]:
    """The bundled definitions, read once (callers must not mutate them)."""
    return read_tracked(DATA_DIR / "tracked_indicators.toml")
