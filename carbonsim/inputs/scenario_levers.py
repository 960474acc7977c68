"""The ``[levers]`` table of a scenario: validation, normalisation and merging of lever values.

Every way a scenario gets lever values (a file, ``Scenario(levers=…)``, :meth:`Scenario.replace
<carbonsim.inputs.scenario.Scenario.replace>`) goes through :func:`_parse_levers`: each value is
checked against the lever table (name, region axis, bounds, unit) and normalised to the form
:class:`~carbonsim.inputs.scenario.Scenario` holds — a float, a
:class:`~carbonsim.inputs.sampling.Distribution`, milestones ``{year: value}`` sorted by year, or
per county ``{"default" / county id: one of those}`` in the order of the regions — in the lever's
unit.  :func:`_merge` lays one such table over another, county by county (``extends`` and
``replace()``).  Errors are :class:`~carbonsim.errors.ScenarioError`, naming the source, the key
path and what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np

from carbonsim.constants import FIRST_YEAR, LAST_YEAR
from carbonsim.definitions.levers import LeverSpec, lever_table
from carbonsim.errors import ScenarioError, did_you_mean
from carbonsim.inputs.sampling import DISTRIBUTIONS, Distribution, DistributionError
from carbonsim.inputs.scenario_toml import _toml_value
from carbonsim.inputs.values import CITY_TOTAL, is_additive, to_lever_unit
from carbonsim.regions import WUZHONG, RegionSet
from carbonsim.units import UnitError, compatible_units, dimension, parse_quantity

#: The per-county key for counties not named (``"wuzhong"`` and ``"all"`` are read as it).
DEFAULT_KEY = "default"
_ID = re.compile(r"^[^\s#]+$")
_YEAR = re.compile(r"^\s*[-+]?\d+\s*$")
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


def _check_id(value: Any, where: _Where) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        where.fail(("id",), f"got {value!r}", "a non-empty string without spaces or '#'")


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
