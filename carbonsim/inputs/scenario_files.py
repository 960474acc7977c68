"""Scenario files on disk: reading the TOML, its top-level keys, the ``extends`` chain, and the
bundled scenarios by name.

:func:`_load_chain` reads a file and the files it extends into ``(top-level document, merged
levers)``; :func:`carbonsim.inputs.scenario.load_scenario` builds the
:class:`~carbonsim.inputs.scenario.Scenario` from it.  ``docs/scenarios.md`` describes the format.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from carbonsim.constants import DATA_DIR
from carbonsim.definitions.levers import lever_table
from carbonsim.errors import ScenarioError, did_you_mean
from carbonsim.inputs.scenario_levers import _check_id, _merge, _parse_levers, _Where
from carbonsim.textfile import read_text

__all__ = ["BUNDLED_DIR", "TOP_LEVEL_KEYS", "bundled_scenarios", "resolve_scenario"]

#: Keys allowed at the top level of a scenario file.
TOP_LEVEL_KEYS: tuple[str, ...] = ("id", "name_zh", "name_en", "description", "extends", "levers")


# ---------------------------------------------------------------------------------------------
# reading files, extends
# ---------------------------------------------------------------------------------------------
def _read_toml(path: Path) -> dict:
    text = read_text(path, "scenario file", ScenarioError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(
            f"{path}: not valid TOML: {exc}; expected TOML 1.0 (check quotes, '=' and brackets "
            "at that line; see docs/scenarios.md)"
        ) from None


def _check_metadata(doc: Mapping, where: _Where) -> None:
    specs = lever_table()
    for key in doc:
        if key in TOP_LEVEL_KEYS:
            continue
        hint = (
            f"; lever {key!r} belongs under [levers]"
            if key in specs
            else did_you_mean(key, TOP_LEVEL_KEYS)
        )
        where.fail(
            (key,), f"unknown top-level key {key!r}", f"one of {', '.join(TOP_LEVEL_KEYS)}{hint}"
        )
    if "id" not in doc:
        where.fail(("id",), "missing 'id'", 'id = "a-short-name" at the top of the file')
    _check_id(doc["id"], where)
    for key in ("name_zh", "name_en", "description", "extends"):
        if key in doc and not isinstance(doc[key], str):
            where.fail((key,), f"got {doc[key]!r}", "a string")


def _load_chain(path: Path, root: Path, options: tuple, chain: tuple[Path, ...]):
    """-> (top-level document, merged levers) of *path* and the files it extends.

    *options* is ``(allow_outside, regions)``.
    """
    allow_outside, regions = options
    doc = _read_toml(path)
    where = _Where(str(path), regions)
    _check_metadata(doc, where)
    levers = _parse_levers(doc.get("levers", {}), where)
    if "extends" not in doc:
        return doc, levers
    chain = (*chain, path.resolve())
    parent = _extended_file(path.parent, doc["extends"])
    if parent.parent == BUNDLED_DIR:  # a bundled scenario by name: its own folder is the root
        root = BUNDLED_DIR
    resolved = parent.resolve()
    if resolved in chain:
        names = " → ".join(p.name for p in (*chain, resolved))
        where.fail(
            ("extends",),
            f"extends cycle {names}",
            "a chain of extends that ends in a file without 'extends'",
        )
    if not allow_outside and not resolved.is_relative_to(root):
        where.fail(
            ("extends",),
            f"{doc['extends']!r} resolves to {resolved}, outside the scenarios folder {root}",
            "a file inside that folder (or load_scenario(..., allow_outside=True))",
        )
    if not parent.is_file():
        where.fail(
            ("extends",),
            f"file {doc['extends']!r} not found ({parent})",
            "a path relative to this file, or a bundled scenario name ("
            + ", ".join(bundled_scenarios())
            + ")",
        )
    _, parent_levers = _load_chain(parent, root, options, chain)
    return doc, _merge(parent_levers, levers, regions, where, doc["extends"])


# ---------------------------------------------------------------------------------------------
# bundled scenarios by name
# ---------------------------------------------------------------------------------------------
#: The folder of the bundled scenarios (package data, installed with carbonsim).
BUNDLED_DIR = DATA_DIR / "scenarios"


def bundled_scenarios() -> dict[str, Path]:
    """The bundled scenarios: ``{name: file}`` (``bau``, ``plan``, ``stretch``, ``uncertainty``).

    Returns
    -------
    dict of str to Path
        Name (the file stem, usable wherever a scenario file is asked for) to the installed file.
    """
    return {p.stem: p for p in sorted(BUNDLED_DIR.glob("*.toml"))}


def _is_name(text: str) -> bool:
    """A bare name: no path separator and no ``.toml`` suffix."""
    return "/" not in text and "\\" not in text and not text.endswith(".toml")


def resolve_scenario(path: str | Path) -> Path:
    """The file of *path*: an existing file as given, else a bundled scenario by bare name.

    Parameters
    ----------
    path : str or Path
        A scenario file, or the name of a bundled scenario (``"plan"``): a name without a path
        separator or ``.toml`` suffix that is not an existing file.

    Returns
    -------
    Path
        The file to read (*path* itself when it is not a bundled name).

    Raises
    ------
    ScenarioError
        For a bare name that is neither a file nor a bundled scenario.
    """
    candidate = Path(path)
    if candidate.is_file() or not _is_name(str(path)):
        return candidate
    bundled = bundled_scenarios()
    if str(path) in bundled:
        return bundled[str(path)]
    raise ScenarioError(
        f"{path}: no such scenario file and no bundled scenario of that name; expected a .toml "
        f"file or one of {', '.join(bundled)} (run `carbonsim scenarios`)."
        + did_you_mean(str(path), bundled)
    )


def _extended_file(folder: Path, extends: str) -> Path:
    """The file an ``extends`` names: relative to *folder*, else a bundled scenario by name."""
    relative = folder / extends
    if relative.is_file() or not _is_name(extends):
        return relative
    return bundled_scenarios().get(extends, relative)
