"""Scenario files: lever values (with units, milestones, counties and distributions) in TOML.

A scenario is a small TOML file (read with the standard library's :mod:`tomllib`, never
evaluated) naming values for some levers of the lever table; every other lever keeps its
default.  ``docs/scenarios.md`` describes the format; in short::

    id = "plan"
    name_zh = "规划情景"
    extends = "bau.toml"                  # optional: start from another scenario

    [levers]
    gdp_growth = { default = { 2025 = 0.065, 2030 = 0.055 }, yanchi = 0.07 }
    storage_ratio = { 2025 = "10 %" }    # milestones; units converted to the lever's unit
    coal_supply_rate = 300

    [levers.wind_hours]                   # a distribution wherever a number may go
    2025 = { dist = "normal", mean = 1800, sd = 150, low = 1400, high = 2200 }

:func:`load_scenario` reads and validates a file (and the chain of files it extends) into an
immutable :class:`Scenario`; :meth:`Scenario.to_levers` turns it into the
:class:`~carbonsim.model.LeverSet` that :func:`carbonsim.simulate` runs, sampling the
distributions (see :mod:`carbonsim.inputs.sampling`).

Inside a :class:`Scenario`, ``levers`` holds the values in normalised form, in lever-table order:
a float, a :class:`~carbonsim.inputs.sampling.Distribution`, milestones ``{year (int): float or
Distribution}`` sorted by year, or per county ``{"default" / county id: one of those}`` (the
``"default"`` entry, if any, first and the counties in the order of the scenario's ``regions``,
by default :data:`~carbonsim.regions.WUZHONG`).  Values are in the lever's unit.

Examples
--------
>>> from carbonsim.inputs.scenario import Scenario
>>> s = Scenario(id="demo", levers={"solar_capacity": {"yanchi": {2025: "800 万千瓦"}}})
>>> s.levers["solar_capacity"]
{'yanchi': {2025: 8.0}}
>>> s.replace(storage_ratio={2025: "10 %"}).levers["storage_ratio"]
{2025: 0.1}
"""

from __future__ import annotations

import copy
import dataclasses
import html
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from carbonsim.constants import FIRST_YEAR, LAST_YEAR
from carbonsim.definitions.levers import LeverSpec, lever_table
from carbonsim.errors import ScenarioError, did_you_mean
from carbonsim.inputs import sampling
from carbonsim.inputs.sampling import DISTRIBUTIONS, Distribution, DistributionError
from carbonsim.inputs.values import CITY_TOTAL, is_additive, to_lever_unit
from carbonsim.regions import WUZHONG, RegionSet, regions_of
from carbonsim.textfile import read_text
from carbonsim.units import UnitError, compatible_units, dimension, parse_quantity

__all__ = [
    "BUNDLED_DIR",
    "TOP_LEVEL_KEYS",
    "Scenario",
    "bundled_scenarios",
    "load_scenario",
    "resolve_scenario",
]

#: Keys allowed at the top level of a scenario file.
TOP_LEVEL_KEYS: tuple[str, ...] = ("id", "name_zh", "name_en", "description", "extends", "levers")
#: The per-county key for counties not named (``"wuzhong"`` and ``"all"`` are read as it).
DEFAULT_KEY = "default"
_ID = re.compile(r"^[^\s#]+$")
_YEAR = re.compile(r"^\s*[-+]?\d+\s*$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_PARAMETER_NAMES = {p for req, opt in DISTRIBUTIONS.values() for p in (*req, *opt)}
_VALUE_FORMS = (
    "a number, a quantity with a unit (e.g. '23 GW'), milestones {2025 = …, 2030 = …} or a "
    "distribution {dist = …}"
)


# ---------------------------------------------------------------------------------------------
# error context
# ---------------------------------------------------------------------------------------------
class _Where:
    """Where values come from (a file, or a Python call), for error messages."""

    def __init__(self, source: str, regions: RegionSet | None = None):
        self.source = source
        self.regions = regions or WUZHONG

    def fail(self, path: tuple, problem: str, expected: str) -> NoReturn:
        key = ".".join(str(part) for part in path) if path else "(top level)"
        raise ScenarioError(f"{self.source}: {key}: {problem}; expected {expected}")


# ---------------------------------------------------------------------------------------------
# parsing and validation of lever values
# ---------------------------------------------------------------------------------------------
def _parse_levers(table: Any, where: _Where) -> dict[str, Any]:
    """Validate a ``[levers]`` table and normalise it (units converted, lever-table order)."""
    if not isinstance(table, Mapping):
        where.fail(("levers",), f"got {table!r}", "a table [levers] of lever = value")
    specs = lever_table()
    parsed = {}
    for name, raw in table.items():
        spec = specs.get(name)
        if spec is None:
            where.fail(
                ("levers", name),
                f"unknown lever {name!r}",
                "a lever of the lever table (run `carbonsim levers` or see docs/levers.md)."
                + did_you_mean(name, specs),
            )
        parsed[name] = _parse_lever(spec, raw, ("levers", name), where)
    return {name: parsed[name] for name in specs if name in parsed}


def _parse_lever(spec: LeverSpec, raw: Any, path: tuple, where: _Where):
    if not isinstance(raw, Mapping) or "dist" in raw:
        return _check_additive(spec, _leaf(spec, raw, path, where), raw, path, where)
    if not raw:
        where.fail(path, "empty table", _VALUE_FORMS)
    if all(_is_year_like(key) for key in raw):
        return _check_additive(spec, _milestones(spec, raw, path, where), raw, path, where)
    if not spec.regional:
        key = next(k for k in raw if not _is_year_like(k))
        where.fail(
            (*path, key),
            f"{key!r} is not a year, and lever {spec.name!r} has no region axis (dims: year)",
            f"milestone years {FIRST_YEAR}–{LAST_YEAR} as keys, or a single value",
        )
    return _counties(spec, raw, path, where)


def _is_zero(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_zero(v) for v in value.values())
    return not isinstance(value, Distribution) and value == 0


def _check_additive(spec: LeverSpec, value: Any, raw: Any, path: tuple, where: _Where):
    """Refuse a county-level quantity given without county keys (it would go to every county)."""
    if not is_additive(spec) or _is_zero(value):
        return value
    counties = where.regions.counties
    shown = _toml_value(raw) if not isinstance(raw, Distribution) else _toml_value(raw.to_table())
    where.fail(
        path,
        f"lever {spec.name!r} is a county-level quantity ({spec.unit}; the counties add up to the "
        f"city), and a value without county keys would go to each of the {len(counties)} "
        f"counties ({len(counties)} times the value for the city)",
        f"values per county, e.g. {spec.name} = {{ {counties[-1]} = {shown}, … }}, or a city "
        f"total shared among the counties by their 2020 values: {spec.name} = "
        f"{{ {CITY_TOTAL} = {shown} }} (or default = … for the same value in each county not "
        "named)",
    )


def _county_order(regions: RegionSet) -> tuple[str, ...]:
    return (DEFAULT_KEY, CITY_TOTAL, *regions.counties)


def _counties(spec: LeverSpec, raw: Mapping, path: tuple, where: _Where) -> dict:
    counties, city = where.regions.counties, where.regions.city
    aliases = (DEFAULT_KEY, city, "all")
    valid = ", ".join(counties)
    if CITY_TOTAL in raw:
        return _city_total(spec, raw, path, where)
    out = {}
    for key, value in raw.items():
        if key == city and is_additive(spec):
            where.fail(
                (*path, key),
                f"{key!r} is ambiguous for lever {spec.name!r}, a county-level quantity "
                f"({spec.unit}): read as 'default' it would give each county not named this "
                "value, not the city",
                f"{CITY_TOTAL} = … for a city total shared among the counties by their 2020 "
                "values, or default = … for the same value in each county not named",
            )
        if _is_year_like(key):
            where.fail(
                (*path, key),
                "a year key beside county keys",
                "either milestones {2025 = …} for all counties or values per county "
                f"({valid}); put milestones for the other counties under 'default'",
            )
        county = DEFAULT_KEY if key in aliases else key
        if county not in counties and county != DEFAULT_KEY:
            where.fail(
                (*path, key),
                f"unknown county {key!r}",
                f"one of {valid} or 'default' (for the counties not named)."
                + did_you_mean(str(key), [*counties, DEFAULT_KEY]),
            )
        if county in out:
            where.fail((*path, key), "a second default key", f"one of 'default', {city!r}, 'all'")
        value_path = (*path, key)
        if isinstance(value, Mapping) and "dist" not in value:
            out[county] = _milestones(spec, value, value_path, where)
        else:
            out[county] = _leaf(spec, value, value_path, where)
    if DEFAULT_KEY in out and all(c in out for c in counties):
        key = next(k for k in raw if k in aliases)
        where.fail(
            (*path, key),
            "this entry applies to no county: every county is named beside it",
            "drop it, or leave out the counties it should apply to",
        )
    return {county: out[county] for county in _county_order(where.regions) if county in out}


def _city_total(spec: LeverSpec, raw: Mapping, path: tuple, where: _Where) -> dict:
    """``{city_total = …}``: one city total, allocated in :mod:`carbonsim.inputs.values`."""
    if not is_additive(spec):
        where.fail(
            (*path, CITY_TOTAL),
            f"lever {spec.name!r} ({spec.unit}) does not add up over counties",
            "one value for all counties, or values per county (city_total is for capacities, "
            "outputs and stocks)",
        )
    if len(raw) > 1:
        other = next(k for k in raw if k != CITY_TOTAL)
        where.fail(
            (*path, other),
            f"{other!r} beside {CITY_TOTAL!r}",
            "either a city total alone (shared among all counties by their 2020 values) or "
            "values per county",
        )
    value, value_path = raw[CITY_TOTAL], (*path, CITY_TOTAL)
    if isinstance(value, Mapping) and "dist" not in value:
        return {CITY_TOTAL: _milestones(spec, value, value_path, where)}
    return {CITY_TOTAL: _leaf(spec, value, value_path, where)}


def _is_year_like(key: Any) -> bool:
    if isinstance(key, bool):
        return False
    return isinstance(key, int) or (isinstance(key, str) and bool(_YEAR.match(key)))


def _milestones(spec: LeverSpec, raw: Mapping, path: tuple, where: _Where) -> dict:
    if not raw:
        where.fail(
            path, "empty table", f"milestones {{year = value}} with years {FIRST_YEAR}–{LAST_YEAR}"
        )
    out = {}
    for key, value in raw.items():
        if not _is_year_like(key):
            where.fail(
                (*path, key),
                f"{key!r} is not a year",
                f"milestone years {FIRST_YEAR}–{LAST_YEAR} as keys (e.g. 2025 = 0.1)",
            )
        year = int(key)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            where.fail(
                (*path, key),
                f"year {year} is outside the horizon",
                f"a year {FIRST_YEAR}–{LAST_YEAR}",
            )
        if year in out:
            where.fail((*path, key), f"year {year} given twice", "each milestone year once")
        out[year] = _leaf(spec, value, (*path, key), where)
    return dict(sorted(out.items()))


def _leaf(spec: LeverSpec, raw: Any, path: tuple, where: _Where):
    """A single value: a number, a quantity string or a distribution."""
    if isinstance(raw, Distribution) or (isinstance(raw, Mapping) and "dist" in raw):
        return _distribution(spec, raw, path, where)
    if isinstance(raw, Mapping):
        if set(raw) & _PARAMETER_NAMES:
            where.fail(
                (*path, "dist"),
                "a distribution without 'dist'",
                f"dist = one of {', '.join(DISTRIBUTIONS)}",
            )
        where.fail(path, f"a table {dict(raw)!r} where a single value belongs", _VALUE_FORMS)
    value = _value(spec, raw, path, where)
    _check_bounds(spec, value, path, where, raw)
    return value


def _value(spec: LeverSpec, raw: Any, path: tuple, where: _Where) -> float:
    """A number or quantity string -> float in the lever's unit (no bounds check)."""
    if isinstance(raw, str):
        return _quantity(spec, raw, path, where)
    return _finite(raw, path, where)


def _finite(raw: Any, path: tuple, where: _Where) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | np.integer | np.floating):
        where.fail(path, f"got {raw!r} ({type(raw).__name__})", _VALUE_FORMS)
    value = float(raw)
    if not math.isfinite(value):
        where.fail(path, f"got {raw!r}", "a finite number")
    return value


def _quantity(spec: LeverSpec, text: str, path: tuple, where: _Where) -> float:
    try:
        number, unit = parse_quantity(text)
    except UnitError:
        where.fail(
            path,
            f"cannot read a quantity from {text!r}",
            f"a number and a unit, e.g. '{_example(spec)}'",
        )
    if not unit:
        return number
    try:
        return to_lever_unit(number, unit, spec)
    except UnitError as exc:
        where.fail(path, f"{text!r}: {_unit_problem(unit, spec, exc)}", _unit_expectation(spec))


def _unit_problem(unit: str, spec: LeverSpec, exc: UnitError) -> str:
    try:
        given = dimension(unit)
    except UnitError:
        return str(exc)
    return f"unit {unit!r} is a unit of {given}, but lever {spec.name!r} is a {_dimension(spec)}"


def _unit_expectation(spec: LeverSpec) -> str:
    text = f"a quantity in {spec.unit!r}"
    try:
        units = [u for u in compatible_units(spec.unit) if u != spec.unit]
    except UnitError:
        return text
    if spec.unit == "1/yr":
        units += ["%"]
    return text + (
        f" or another unit of {_dimension(spec)} ({', '.join(units[:8])})" if units else ""
    )


def _dimension(spec: LeverSpec) -> str:
    try:
        return dimension(spec.unit).replace("_", " ")
    except UnitError:
        return f"quantity in {spec.unit}"


def _example(spec: LeverSpec) -> str:
    return "13 %" if spec.unit == "1" else f"1 {spec.unit}"


def _check_bounds(spec: LeverSpec, value: float, path: tuple, where: _Where, raw=None) -> None:
    if spec.lower <= value <= spec.upper:
        return
    written = f"{raw!r} = {value:g}" if isinstance(raw, str) else f"{value:g}"
    if spec.unit == "1" and value > 1:
        problem = f"{written} is a share above 100 %"
        hint = " (write shares as fractions, 0.13, or with a unit, '13 %')"
    else:
        problem = f"{written} {spec.unit} is outside the bounds of lever {spec.name!r}"
        hint = ""
    where.fail(path, problem, f"a value in [{spec.lower:g}, {spec.upper:g}] {spec.unit}{hint}")


# ---------------------------------------------------------------------------------------------
# distributions
# ---------------------------------------------------------------------------------------------
def _distribution(spec: LeverSpec, raw: Any, path: tuple, where: _Where) -> Distribution:
    """A distribution (a table with ``dist``, or a Distribution) whose draws respect the bounds."""

    def to_value(key: str, value: Any) -> float:
        return _value(spec, value, (*path, key), where)

    try:
        dist = raw if isinstance(raw, Distribution) else Distribution.from_table(raw, to_value)
        for key in ("low", "high"):
            if dist.get(key) is not None:
                _check_bounds(spec, dist.get(key), (*path, key), where)
        for value in dist.get("values", ()) if dist.kind == "choice" else ():
            _check_bounds(spec, value, (*path, "values"), where)
        dist.check_support(spec.lower, spec.upper, spec.unit)
    except DistributionError as exc:
        where.fail((*path, exc.key), exc.problem, exc.expected)
    return dist


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


def _check_id(value: Any, where: _Where) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        where.fail(("id",), f"got {value!r}", "a non-empty string without spaces or '#'")


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
BUNDLED_DIR = Path(str(resources.files("carbonsim").joinpath("data", "scenarios")))


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


def _is_counties(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(k, str) for k in value)


def _merge(
    parent: Mapping,
    child: Mapping,
    regions: RegionSet | None = None,
    where: _Where | None = None,
    extended: str = "the scenario it extends",
) -> dict:
    """Child levers over parent levers, per county key (see module docs).

    A city total replaces the parent's value wholly; per-county values over a parent's city
    total, and a child's default that ends up applying to no county, are refused.
    """
    regions = regions or WUZHONG
    where = where or _Where("<merge>", regions)
    order = _county_order(regions)
    out = dict(parent)
    for name, value in child.items():
        old = out.get(name)
        if _is_counties(value) and CITY_TOTAL not in value and old is not None:
            every = all(c in value for c in regions.counties)
            if _is_counties(old) and CITY_TOTAL in old and not every:
                where.fail(
                    ("levers", name),
                    f"values per county over the city total of {extended}",
                    f"a {CITY_TOTAL} again, or values for every county",
                )
            if _is_counties(old):
                base = {} if CITY_TOTAL in old else old  # every county replaces a city total
            else:
                base = {DEFAULT_KEY: old}
            merged = {**base, **value}
            if DEFAULT_KEY in merged and all(c in merged for c in regions.counties):
                if DEFAULT_KEY in value:
                    where.fail(
                        ("levers", name, DEFAULT_KEY),
                        f"this entry (default, {regions.city!r} or 'all') applies to no county: "
                        f"every county is named here or in {extended}, whose values per county "
                        "it would not override",
                        "values for each county (they replace the extended values county by "
                        "county)"
                        + (
                            f", or {CITY_TOTAL} = … "
                            if is_additive(lever_table()[name])
                            else ", or the value without county keys "
                        )
                        + "to replace them all",
                    )
                del merged[DEFAULT_KEY]  # the parent's default, overridden county by county
            out[name] = {c: merged[c] for c in order if c in merged}
        else:
            out[name] = value
    return {name: out[name] for name in lever_table() if name in out}


def load_scenario(path: str | Path, *, allow_outside: bool = False, regions=None) -> Scenario:
    """Read, validate and merge a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario file (``.toml``), or the name of a bundled scenario (``"plan"``, see
        :func:`bundled_scenarios` and :func:`resolve_scenario`).
    allow_outside : bool
        Let ``extends`` reach files outside the folder of *path* (refused by default so that a
        scenario folder is self-contained).
    regions : RegionSet or xarray.Dataset, optional
        The city whose counties the file may name as keys (a
        :class:`~carbonsim.regions.RegionSet`, or a baseline whose regions to use).  Default:
        吴忠市 and its five counties.

    Returns
    -------
    Scenario
        Levers merged over the ``extends`` chain, units converted to the levers' units.

    Raises
    ------
    ScenarioError
        Naming the file, the TOML key path and what was expected.
    """
    path = resolve_scenario(path)
    regions = _region_set(regions)
    doc, levers = _load_chain(path, path.resolve().parent, (allow_outside, regions), ())
    return Scenario(
        id=doc["id"],
        name_zh=doc.get("name_zh", ""),
        name_en=doc.get("name_en", ""),
        description=doc.get("description", ""),
        levers=levers,
        path=path,
        regions=regions,
    )


def _region_set(regions) -> RegionSet:
    if regions is None or isinstance(regions, RegionSet):
        return regions or WUZHONG
    return regions_of(regions)


# ---------------------------------------------------------------------------------------------
# the Scenario
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A validated set of lever values; immutable (methods return new scenarios).

    Build with :func:`load_scenario`, or directly (values are validated and normalised):
    ``Scenario(id="x", levers={"storage_ratio": {2025: "10 %"}})``.
    """

    id: str
    levers: dict = field(default_factory=dict)
    name_zh: str = ""
    name_en: str = ""
    description: str = ""
    path: Path | None = field(default=None, compare=False)
    #: The city whose counties may be keys (default 吴忠市).
    regions: RegionSet = field(default=WUZHONG, compare=False, repr=False)

    def __post_init__(self):
        where = _Where(str(self.path) if self.path else f"<Scenario {self.id!r}>", self.regions)
        _check_id(self.id, where)
        object.__setattr__(self, "levers", _parse_levers(self.levers, where))

    # -- structure ------------------------------------------------------------------------
    def entries(self) -> Iterator[tuple[str, str | None, int | None, float | Distribution]]:
        """Every value as ``(lever, county or None, year or None, value)``, in canonical order."""
        for name, value in self.levers.items():
            counties = value.items() if _is_counties(value) else [(None, value)]
            for county, per_county in counties:
                if isinstance(per_county, dict):
                    for year, v in per_county.items():
                        yield name, county, year, v
                else:
                    yield name, county, None, per_county

    @property
    def distributions(self) -> list[tuple[tuple, Distribution]]:
        """``(key path, Distribution)`` pairs: lever-table order, then county, then year.

        The key path is ``(lever[, county][, year])``; column *j* of a unit sample feeds the
        *j*-th distribution (:func:`carbonsim.inputs.sampling.dimension_names` names them).
        """
        return [
            (tuple(p for p in (name, county, year) if p is not None), value)
            for name, county, year, value in self.entries()
            if isinstance(value, Distribution)
        ]

    @property
    def is_stochastic(self) -> bool:
        """Whether any value is a distribution."""
        return any(isinstance(v, Distribution) for *_, v in self.entries())

    # -- to arrays ------------------------------------------------------------------------
    def to_levers(
        self,
        n: int | None = None,
        seed: int | None = None,
        method: str = "random",
        unit_sample=None,
        start: int = 0,
    ):
        """Lever values for :func:`carbonsim.simulate`, sampling the distributions.

        Parameters
        ----------
        n : int, optional
            Number of scenarios (default 1, or the rows of *unit_sample*).  A scenario without
            distributions is repeated *n* times.
        seed : int, optional
            Seed of the unit sample (reproducible; row *i* does not depend on *n*).
        method : {"random", "sobol", "lhs"}
            Design of the unit sample (:func:`carbonsim.inputs.sampling.unit_sample`).
        unit_sample : array_like, optional
            ``(n, d)`` draws in ``[0, 1)``, one column per distribution (a sweep passes its
            Sobol/LHS block); overrides *seed* and *method*.
        start : int
            Index of the first row of the stream (chunked sweeps); also numbers the ids.

        Returns
        -------
        carbonsim.model.LeverSet
            Milestone values become ``(n,)`` arrays; ids are ``"{id}"`` for one deterministic
            scenario, else ``"{id}#{i}"`` for ``i`` in ``start … start + n - 1``.
        """
        from carbonsim.inputs.levers import LeverSet

        dists = self.distributions
        u = None if unit_sample is None else self._check_unit_sample(unit_sample, n, len(dists))
        n = (1 if u is None else u.shape[0]) if n is None else sampling._count(n, "n")
        if n == 0:
            raise ScenarioError(f"scenario {self.id!r}: n must be at least 1")
        values = copy.deepcopy(self.levers)
        if dists:
            if u is None:
                u = sampling.unit_sample(n, len(dists), seed, method, start)
            for column, (path, dist) in enumerate(dists):
                _put(values, path, dist.ppf(u[:, column]))
        if n == 1 and not dists and start == 0:
            ids = [self.id]
        else:
            ids = [f"{self.id}#{i}" for i in range(start, start + n)]
        return LeverSet(values, n, ids)

    def _check_unit_sample(self, unit_sample, n, d) -> np.ndarray:
        u = np.asarray(unit_sample, dtype=float)
        if u.ndim != 2 or u.shape[1] != d or (n is not None and u.shape[0] != n):
            rows = "n" if n is None else str(n)
            names = ", ".join(sampling.dimension_names(self)) or "none"
            raise ScenarioError(
                f"scenario {self.id!r}: unit_sample of shape {u.shape}; expected ({rows}, {d}): "
                f"one column per distribution ({names})"
            )
        if not np.all((u >= 0) & (u <= 1)):
            raise ScenarioError(f"scenario {self.id!r}: unit_sample has values outside [0, 1)")
        return u

    # -- modified copies ------------------------------------------------------------------
    def replace(self, **levers) -> Scenario:
        """A copy with some levers changed (validated like a file; ``None`` drops a lever).

        Per-county values merge with the existing ones county by county (as ``extends`` does);
        a value for all counties, or milestones, replace the lever wholly.

        >>> s = Scenario(id="a", levers={"storage_ratio": {2025: 0.1}})
        >>> s.replace(storage_ratio={2025: 0.15, 2030: "20 %"}).levers["storage_ratio"]
        {2025: 0.15, 2030: 0.2}
        """
        where = _Where(f"<{self.id}.replace()>", self.regions)
        dropped = {name for name, value in levers.items() if value is None}
        for name in sorted(dropped - set(lever_table())):
            where.fail(
                ("levers", name),
                f"unknown lever {name!r}",
                "a lever of the lever table." + did_you_mean(name, lever_table()),
            )
        changed = _parse_levers({k: v for k, v in levers.items() if v is not None}, where)
        kept = {k: v for k, v in self.levers.items() if k not in dropped}
        merged = _merge(kept, changed, self.regions, where, f"scenario {self.id!r}")
        return dataclasses.replace(self, levers=merged, path=None)

    def with_id(self, id: str) -> Scenario:
        """A copy with another id."""
        return dataclasses.replace(self, id=id)

    # -- text -----------------------------------------------------------------------------
    def to_toml(self) -> str:
        """The scenario as TOML (merged: no ``extends``); :func:`load_scenario` reads it back."""
        return _to_toml(self)

    def __repr__(self) -> str:
        names = " ".join(
            x for x in (self.name_zh, f"({self.name_en})" if self.name_en else "") if x
        )
        stochastic = f", {len(self.distributions)} distributions" if self.is_stochastic else ""
        title = f"{self.id!r} {names}" if names else repr(self.id)
        return f"<Scenario {title}: {len(self.levers)} levers{stochastic}>"

    def _repr_html_(self) -> str:
        return _html(self)

    def levers_table(self):
        """One row per value: lever, name_zh, region, year, value, distribution, unit.

        ``region`` is a county id, ``"default"`` (counties not named), ``"all"`` (a regional
        lever given for every county at once) or ``""`` (a lever without region axis); ``year``
        is missing for a value that holds in every year; ``value`` is NaN where
        ``distribution`` describes the value.
        """
        import pandas as pd

        specs = lever_table()
        rows = []
        for name, county, year, value in self.entries():
            spec = specs[name]
            is_dist = isinstance(value, Distribution)
            rows.append(
                {
                    "lever": name,
                    "name_zh": spec.name_zh,
                    "region": county or ("all" if spec.regional else ""),
                    "year": year,
                    "value": math.nan if is_dist else value,
                    "distribution": str(value) if is_dist else "",
                    "unit": spec.unit,
                }
            )
        columns = ["lever", "name_zh", "region", "year", "value", "distribution", "unit"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["year"] = frame["year"].astype("Int64")
        return frame


def _put(values: dict, path: tuple, array: np.ndarray) -> None:
    """Put sampled *array* ``(n,)`` at *path*; a value without year becomes ``{2020: array}``."""
    *parents, last = path
    container = values
    for key in parents:
        container = container[key]
    container[last] = array if isinstance(last, int) else {FIRST_YEAR: array}


# ---------------------------------------------------------------------------------------------
# TOML writer
# ---------------------------------------------------------------------------------------------
def _toml_string(text: str) -> str:
    escapes = {
        '"': '\\"',
        "\\": "\\\\",
        "\n": "\\n",
        "\t": "\\t",
        "\r": "\\r",
        "\b": "\\b",
        "\f": "\\f",
    }
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, Distribution):
        return _toml_value(value.to_table())
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(float(value))


def _comment(spec: LeverSpec) -> str:
    text = f"# {spec.name_zh} [{spec.unit}] {spec.description}"
    return " ".join(text.split())


def _to_toml(scenario: Scenario) -> str:
    lines = ["# Written by carbonsim Scenario.to_toml(): levers merged, no 'extends'."]
    lines += [f"id = {_toml_string(scenario.id)}"]
    for key in ("name_zh", "name_en", "description"):
        if getattr(scenario, key):
            lines.append(f"{key} = {_toml_string(getattr(scenario, key))}")
    specs = lever_table()
    tables = {k: v for k, v in scenario.levers.items() if isinstance(v, dict)}
    lines += ["", "[levers]"]
    for name, value in scenario.levers.items():
        if name not in tables:
            lines += [_comment(specs[name]), f"{name} = {_toml_value(value)}"]
    for name, value in tables.items():
        lines += ["", _comment(specs[name]), f"[levers.{name}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# display
# ---------------------------------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:g}"


def _show(value: Any) -> str:
    """A value as text: ``0.3``, ``triangular(-0.3, -0.2, -0.1)``, ``2025: 23 → 2030: 28``."""
    if isinstance(value, Distribution):
        return str(value)
    if isinstance(value, dict):
        return " → ".join(f"{year}: {_show(v)}" for year, v in value.items())
    return _number(value)


def _show_lever(value: Any, regions: RegionSet = WUZHONG) -> list[str]:
    if not _is_counties(value):
        return [_show(value)]
    lines = []
    for county, per_county in value.items():
        name = regions.name_zh(county)
        label = {
            DEFAULT_KEY: "other counties",
            CITY_TOTAL: "city total (shared by 2020 values)",
        }.get(county, f"{name} {county}")
        lines.append(f"{label}: {_show(per_county)}")
    return lines


def _html(scenario: Scenario) -> str:
    esc = html.escape
    specs = lever_table()
    names = " / ".join(x for x in (scenario.name_zh, scenario.name_en) if x)
    rows = []
    for name, value in scenario.levers.items():
        spec = specs[name]
        cell = "<br>".join(esc(line) for line in _show_lever(value, scenario.regions))
        rows.append(
            f"<tr><td><code>{esc(name)}</code></td><td>{esc(spec.name_zh)}</td>"
            f"<td>{esc(spec.unit)}</td><td style='text-align:left'>{cell}</td></tr>"
        )
    uncertain = len(scenario.distributions)
    summary = f"{len(scenario.levers)} levers set"
    summary += f", {uncertain} uncertain values (distributions)" if uncertain else ""
    summary += "; every other lever at its default."
    return (
        "<div class='carbonsim-scenario'>"
        f"<h4>Scenario <code>{esc(scenario.id)}</code>{': ' + esc(names) if names else ''}</h4>"
        + (f"<p>{esc(scenario.description)}</p>" if scenario.description else "")
        + f"<p>{esc(summary)}</p>"
        "<table><thead><tr><th>lever</th><th>中文</th><th>unit</th><th>value</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
