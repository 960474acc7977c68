"""The one parser of lever values: numbers, quantities with units, milestones, counties, arrays.

Scenario files, dicts given to :func:`carbonsim.simulate` and :meth:`Scenario.replace
<carbonsim.inputs.scenario.Scenario.replace>` all go through :func:`to_lever_unit` for a quantity
and :func:`expand_lever` for a whole value, so one string means one number everywhere.

A value may be

* a number, or a string with a unit (``"2300 万千瓦"``; ``"6.5 %"`` for a rate per year),
* milestones ``{2025: 23, 2030: 28}``: linear between milestones, held after the last; before
  the first, a level lever starts from its 2020 default and a rate lever (unit ``1/yr``) holds
  the first value,
* per county ``{"yanchi": ..., "tongxin": ...}`` (each a number or milestones; ``"default"``
  or ``"wuzhong"`` applies to the counties not named, and must apply to at least one),
* for an *additive* county-level lever (capacities, outputs, stocks: a regional lever whose
  unit is not a share or a rate, :func:`is_additive`), a city total ``{"city_total": ...}``
  (a number or milestones) shared among the counties in proportion to the lever's 2020 value
  in each county (equally when the city's 2020 value is 0).  Such a lever given without county
  keys is refused (it would go to every county: five times the city's value), unless it is 0;
  the city's id is refused as a key for it too (ambiguous: ``city_total`` or ``default``?),
* an array: ``(year,)``, ``(region, year)``, ``(scenario,)``, ``(scenario, year)`` or the full
  ``(scenario, region, year)`` shape, or an ``xarray.DataArray`` with any of those dims.
Milestone values may themselves be arrays over scenarios (from sampling).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np

from carbonsim.constants import CITY, FIRST_YEAR, LAST_YEAR, REGIONS
from carbonsim.definitions.levers import LEVERS, LeverSpec
from carbonsim.errors import LeverError, did_you_mean
from carbonsim.units import UnitError, convert, dimension, parse_quantity

__all__ = [
    "CITY_TOTAL",
    "allocation_weights",
    "check_bounds",
    "check_years",
    "expand_lever",
    "is_additive",
    "parse_lever_quantity",
    "to_lever_unit",
]

#: The key of a city total to allocate among the counties (additive levers only).
CITY_TOTAL = "city_total"


def is_additive(spec: LeverSpec) -> bool:
    """Whether county values of *spec* add up to the city's: a regional capacity, output or
    stock (any unit but a share ``1`` or a rate ``1/yr``)."""
    return spec.regional and spec.unit not in ("1", "1/yr")


def allocation_weights(start, n_regions: int) -> np.ndarray:
    """How a ``city_total`` is shared: each county's share of the lever's 2020 value, or equal
    shares when that is 0 (or unknown)."""
    if start is not None:
        start = np.broadcast_to(np.asarray(start, dtype=float), (n_regions,))
        total = float(start.sum())
        if np.isfinite(total) and total > 0:
            return start / total
    return np.full(n_regions, 1.0 / n_regions)


def check_years(years, where: str = "years") -> list[int]:
    """The one horizon rule of files, the command line and the API: consecutive whole years
    from 2020 to at most 2060.

    Raises
    ------
    LeverError
        Naming the years given and the rule.
    """
    try:
        out = [int(y) for y in years]
    except (TypeError, ValueError):
        raise LeverError(
            f"{where} must be whole years, e.g. range(2020, 2061); got {years!r}"
        ) from None
    rule = f"consecutive years starting in {FIRST_YEAR} and ending by {LAST_YEAR}"
    if not out:
        raise LeverError(f"{where}: no years given; expected {rule}")
    shown = f"{out[0]}…{out[-1]}" if len(out) > 1 else str(out[0])
    gaps = np.diff(out) if len(out) > 1 else np.zeros(0)
    if out[0] != FIRST_YEAR or np.any(gaps != 1) or out[-1] > LAST_YEAR:
        raise LeverError(
            f"{where} must be {rule} (the horizon of the plan, the lever table and the scenario "
            f"files); got {shown}, e.g. range({FIRST_YEAR}, {min(out[-1], LAST_YEAR) + 1})"
        )
    return out


def to_lever_unit(number: float, unit: str, spec: LeverSpec) -> float:
    """Convert *number* [*unit*] to the lever's unit; a rate per year (``1/yr``) also takes a
    share (``"6.5 %"`` = 0.065/yr).

    Raises
    ------
    UnitError
        The unit is unknown or of another dimension.
    """
    if spec.unit == "1/yr" and dimension(unit) == "fraction":
        return float(convert(number, unit, "1"))
    return float(convert(number, unit, spec.unit))


def parse_lever_quantity(text: str, spec: LeverSpec) -> float:
    """A string ``"<number> [unit]"`` -> float in the lever's unit (no unit: the lever's own).

    Raises
    ------
    UnitError
        Unreadable text, unknown unit, or a unit of another dimension.
    """
    number, unit = parse_quantity(text)
    return to_lever_unit(number, unit, spec) if unit else float(number)


# ---------------------------------------------------------------------------------------------
# expansion of user values into full arrays
# ---------------------------------------------------------------------------------------------
def _number(spec: LeverSpec, value, where: str):
    """A number or array in the lever's unit (strings with units converted)."""
    if isinstance(value, str):
        try:
            return np.asarray(parse_lever_quantity(value, spec))
        except UnitError as exc:
            raise LeverError(f"lever {spec.name!r}{where}: {exc}") from None
    if isinstance(value, bool):
        raise LeverError(f"lever {spec.name!r}{where}: expected a number, got {value!r}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise LeverError(
            f"lever {spec.name!r}{where}: expected a number, a quantity with a unit or "
            f"milestones {{year: value}}, got {value!r}"
        ) from None


def _is_milestones(value) -> bool:
    return isinstance(value, Mapping) and all(_year_key(k) is not None for k in value)


def _year_key(key) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _interpolate(spec: LeverSpec, milestones: Mapping, start, years: np.ndarray, n: int, where):
    """Milestones {year: value (scalar or (n,))} -> array (n, n_years)."""
    points = sorted((_year_key(k), v) for k, v in milestones.items())
    for year, _ in points:
        if year < FIRST_YEAR or year > LAST_YEAR:
            raise LeverError(
                f"lever {spec.name!r}{where}: milestone year {year} is outside the horizon "
                f"{FIRST_YEAR}–{LAST_YEAR}"
            )
    xs = [y for y, _ in points]
    vs = [np.atleast_1d(_number(spec, v, f"{where}, year {y}")) for y, v in points]
    if xs[0] > years[0] and not spec.is_rate and start is not None:
        xs.insert(0, int(years[0]))
        vs.insert(0, np.atleast_1d(np.asarray(start, dtype=float)))
    bad = [v.shape for v in vs if v.shape not in ((1,), (n,))]
    if bad:
        raise LeverError(
            f"lever {spec.name!r}{where}: milestone values must be numbers or arrays over the "
            f"{n} scenarios, got shape {bad[0]}"
        )
    rows = max(len(v) for v in vs)  # 1 when no milestone varies by scenario: computed once
    vs = [np.broadcast_to(v, (rows,)) for v in vs]
    xp = np.asarray(xs, dtype=float)
    fp = np.stack(vs, axis=1)  # (n, M)
    yrs = years.astype(float)
    idx = np.clip(np.searchsorted(xp, yrs, side="right") - 1, 0, len(xp) - 1)
    nxt = np.minimum(idx + 1, len(xp) - 1)
    span = xp[nxt] - xp[idx]
    weight = np.where(span > 0, (yrs - xp[idx]) / np.where(span > 0, span, 1.0), 0.0)
    weight = np.clip(weight, 0.0, 1.0)
    return fp[:, idx] + (fp[:, nxt] - fp[:, idx]) * weight


def _series(spec, value, start, years, n, where) -> np.ndarray:
    """One region's (or a city-wide) value -> (1 or n, n_years)."""
    if _is_milestones(value):
        return _interpolate(spec, value, start, years, n, where)
    arr = _number(spec, value, where)
    if arr.ndim == 0:
        return np.broadcast_to(arr, (1, len(years)))
    if arr.shape == (len(years),):
        return arr[None, :]
    if arr.shape == (n,):
        return np.broadcast_to(arr[:, None], (n, len(years)))
    if arr.shape == (n, len(years)) or arr.shape == (1, len(years)):
        return arr
    raise LeverError(
        f"lever {spec.name!r}{where}: array of shape {arr.shape} does not fit "
        f"(year,)=({len(years)},), (scenario,)=({n},) or (scenario, year)=({n}, {len(years)})"
    )


def _from_dataarray(spec: LeverSpec, value, n: int, years: np.ndarray, regions) -> np.ndarray:
    target = ("scenario", "region", "year") if spec.regional else ("scenario", "year")
    extra = set(value.dims) - set(target)
    if extra:
        raise LeverError(
            f"lever {spec.name!r}: DataArray has dims {value.dims}; allowed dims are {target}"
        )
    if "year" in value.dims:
        value = value.sel(year=list(years))
    if "region" in value.dims:
        value = value.sel(region=list(regions))
    value = value.transpose(*[d for d in target if d in value.dims])
    arr = np.asarray(value.values, dtype=float)
    for axis, dim in enumerate(target):
        if dim not in value.dims:
            arr = np.expand_dims(arr, axis)
    return arr


def _numeric_default(spec: LeverSpec) -> float | None:
    default = spec.default
    if isinstance(default, float) and not math.isnan(default):
        return default
    return None


def _regional(spec, value, start, years, n, where) -> np.ndarray:
    """A regional lever -> (n, R, n_years); *where* is (county ids, city id)."""
    regions, city = where
    if isinstance(value, Mapping) and CITY_TOTAL in value:
        return _city_total(spec, value, start, years, n, regions)
    if isinstance(value, Mapping) and not _is_milestones(value):
        return _per_county(spec, value, start, years, n, where)
    arr = None if _is_milestones(value) or isinstance(value, str) else np.asarray(value)
    if arr is not None and arr.ndim >= 2 and arr.shape[-2:] == (len(regions), len(years)):
        return _number(spec, arr.reshape((-1, len(regions), len(years))), "")
    # a bare 1-D array of one value per county is per county, even when n equals the number
    # of counties (per-scenario values go in milestones or as (scenario, 1, 1) arrays)
    if arr is not None and arr.ndim == 1 and arr.shape == (len(regions),):
        return np.broadcast_to(_number(spec, arr, "")[None, :, None], (1, len(regions), len(years)))
    start_all = None if start is None else np.asarray(start)
    parts = []
    for i, region in enumerate(regions):
        start_r = None if start_all is None else start_all[..., i]
        parts.append(_series(spec, value, start_r, years, n, f", region {region!r}"))
    out = _stack_regions(parts)
    if is_additive(spec) and np.any(_series(spec, value, None, years, n, "") != 0):
        raise LeverError(additive_message(spec, regions, city))
    return out


def additive_message(spec: LeverSpec, regions, city: str, given: str = "{2030: 23}") -> str:
    """The refusal of an additive lever given without county keys (how to write it instead)."""
    return (
        f"lever {spec.name!r} is a county-level quantity ({spec.unit}, the counties add up to "
        f"the city): a value without county keys would go to each of the {len(regions)} counties "
        f"({len(regions)} times the city's value); give values per county, e.g. "
        f"{{{regions[-1]!r}: {given}, …}}, or a city total to share among the counties by their "
        f"2020 values: {{{CITY_TOTAL!r}: {given}}} ('default' gives each county not named the "
        "same value)"
    )


def _city_total(spec, value, start, years, n, regions) -> np.ndarray:
    if len(value) != 1:
        other = next(k for k in value if k != CITY_TOTAL)
        raise LeverError(
            f"lever {spec.name!r}: {CITY_TOTAL!r} beside {other!r}; a city total is shared among "
            "all counties, so give either the city total alone or values per county"
        )
    if not is_additive(spec):
        raise LeverError(
            f"lever {spec.name!r} ({spec.unit}) is not a quantity that adds up over counties, so "
            f"it has no {CITY_TOTAL!r}; give one value for every county or values per county"
        )
    weights = allocation_weights(start, len(regions))
    total_start = None if start is None else float(np.sum(start))
    series = _series(spec, value[CITY_TOTAL], total_start, years, n, f", {CITY_TOTAL}")
    return series[:, None, :] * weights[None, :, None]


def _per_county(spec, value, start, years, n, where) -> np.ndarray:
    regions, city = where
    defaults = _default_keys(city)
    unknown = [k for k in value if k not in regions and k not in defaults]
    if unknown:
        valid = [*regions, *defaults]
        hint = did_you_mean(unknown[0], valid)
        raise LeverError(
            f"lever {spec.name!r}: unknown region {unknown[0]!r}; valid regions are "
            f"{', '.join(regions)} (or 'default' for the rest).{hint}"
        )
    fallback = next((value[k] for k in defaults if k in value), None)
    used = next((k for k in defaults if k in value), None)
    if used is not None and all(r in value for r in regions):
        raise LeverError(
            f"lever {spec.name!r}: the {used!r} entry applies to no county (every county is "
            f"named); drop it, or leave out the counties it should apply to"
        )
    if used == city and is_additive(spec):
        raise LeverError(
            f"lever {spec.name!r}: key {city!r} is ambiguous for a county-level quantity "
            f"({spec.unit}): use {CITY_TOTAL!r} for a city total shared among the counties by "
            "their 2020 values, or 'default' for the same value in each county not named"
        )
    parts = []
    for i, region in enumerate(regions):
        given = value.get(region, fallback)
        start_r = None if start is None else np.asarray(start)[..., i]
        if given is None:
            given = start_r if start_r is not None else _numeric_default(spec)
        if given is None:
            raise LeverError(
                f"lever {spec.name!r}: no value for region {region!r} and no default; "
                "give every county or a 'default'"
            )
        parts.append(_series(spec, given, start_r, years, n, f", region {region!r}"))
    return _stack_regions(parts)


def _default_keys(city: str) -> tuple[str, ...]:
    """Keys meaning "every county not named": 'default', the city's id and 'all'."""
    return ("default", city, "all")


def _stack_regions(parts: list[np.ndarray]) -> np.ndarray:
    """Per-region (1 or n, year) arrays -> (1 or n, region, year), n rows only when needed."""
    rows = max(p.shape[0] for p in parts)
    return np.stack([np.broadcast_to(p, (rows, p.shape[1])) for p in parts], axis=1)


def expand_lever(
    name: str,
    value,
    n: int,
    years: Sequence[int],
    regions: Sequence[str] = REGIONS,
    start=None,
    city: str = CITY,
) -> np.ndarray:
    """Expand a user *value* of lever *name* into its full array and validate it.

    Parameters
    ----------
    name : str
        Lever name (a row of the lever table).
    value
        See the module docstring for the accepted forms.
    n : int
        Number of scenarios.
    years : sequence of int
        The simulated years.
    regions : sequence of str
        County ids, in the order of the ``region`` axis.
    start : array_like, optional
        The lever's 2020 value (scalar, or ``(region,)`` for regional levers); milestones of a
        level lever start from it.
    city : str
        The city's id, accepted like ``"default"`` as the key for every county not named.

    Returns
    -------
    numpy.ndarray
        ``(n, region, year)`` or ``(n, year)``, in the lever's unit; a read-only broadcast view
        when the value does not vary by scenario (copy it before writing into it).

    Raises
    ------
    LeverError
        Unknown lever, unknown region, year outside the horizon, wrong shape, NaN, or a value
        outside the lever's bounds (the message names lever, region, year and scenario).
    """
    key = _cache_key(name, value, n, years, regions, start, city)
    if key is not None and key in _EXPANDED:
        _EXPANDED.move_to_end(key)
        return _EXPANDED[key]
    out = _expand(name, value, n, years, regions, start, city)
    if key is not None:
        out.flags.writeable = False  # shared by every later call with the same value
        _EXPANDED[key] = out
        if len(_EXPANDED) > _MAX_EXPANDED:
            _EXPANDED.popitem(last=False)
    return out


#: (lever, value, n, years, regions, start, city) -> its expanded (read-only) array, for values
#: made of numbers and strings: a scenario's ~130 levers cost most of a single run's time, and
#: a planner (or a slider) re-runs scenarios that differ in one lever
_EXPANDED: OrderedDict[tuple, np.ndarray] = OrderedDict()
_MAX_EXPANDED = 4096
#: arrays up to this many elements are part of a cache key (bigger ones: not cached)
_KEY_ELEMENTS = 64


def _cache_key(name, value, n, years, regions, start, city) -> tuple | None:
    try:
        frozen = (_freeze(value), _freeze(start))
    except TypeError:
        return None
    years = years if type(years) is tuple else tuple(map(int, years))
    regions = regions if type(regions) is tuple else tuple(map(str, regions))
    return (name, n, city, years, regions, *frozen)


def _freeze(value):
    """A hashable stand-in for a lever value; TypeError for what is not cached."""
    kind = type(value)
    if kind is float or kind is int or kind is str or kind is bool or value is None:
        return (kind.__name__, value)  # the common leaves first: a scenario has thousands
    if kind is dict or isinstance(value, Mapping):
        items = value.items()  # a str key stands for itself (no frozen tuple equals a str)
        return ("map", tuple([(k if type(k) is str else _freeze(k), _freeze(v)) for k, v in items]))
    if isinstance(value, str | bool | int | float):
        return (kind.__name__, value)
    if isinstance(value, np.generic):
        return ("float", float(value))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_freeze(v) for v in value))
    if isinstance(value, np.ndarray) and value.size <= _KEY_ELEMENTS and value.dtype.kind in "biuf":
        return ("array", value.shape, value.astype(float).tobytes())
    raise TypeError("not cached")


def _expand(name, value, n, years, regions, start, city) -> np.ndarray:
    spec = LEVERS[name]
    years_arr = np.asarray(list(years), dtype=int)
    if hasattr(value, "dims") and hasattr(value, "values"):
        out = _from_dataarray(spec, value, n, years_arr, regions)
    elif spec.regional:
        if start is not None:
            start = np.broadcast_to(np.asarray(start, dtype=float), (len(regions),))
        out = _regional(spec, value, start, years_arr, n, (regions, city))
    else:
        out = _series(spec, value, start, years_arr, n, "")
    check_bounds(spec, out, years_arr, regions)
    full = spec.shape(n, len(years_arr), len(regions))
    try:
        # a read-only view: a lever that does not vary by scenario costs one row of memory
        return np.broadcast_to(out, full)
    except ValueError:
        raise LeverError(
            f"lever {spec.name!r}: array of shape {np.shape(out)} does not fit {full} "
            "(scenario, [region,] year)"
        ) from None


def check_bounds(spec: LeverSpec, arr: np.ndarray, years, regions=REGIONS) -> None:
    """Refuse NaN and values outside ``[lower, upper]``, naming where the first one is."""
    bad = ~np.isfinite(arr) | (arr < spec.lower) | (arr > spec.upper)
    if not bad.any():
        return
    index = np.unravel_index(np.flatnonzero(bad)[0], arr.shape)
    value = arr[index]
    where = f"scenario {index[0]}"
    if spec.regional:
        where += f", region {regions[index[1]]!r}"
    where += f", year {int(years[index[-1]])}"
    if not np.isfinite(value):
        raise LeverError(f"lever {spec.name!r} is NaN or infinite at {where}")
    what = "a share above 100 %" if spec.unit == "1" and value > 1 else "out of bounds"
    raise LeverError(
        f"lever {spec.name!r} = {value:g} {spec.unit} at {where} is {what}: "
        f"allowed range is [{spec.lower:g}, {spec.upper:g}] {spec.unit}"
        + (" (negative values are not allowed)" if value < 0 <= spec.lower else "")
    )
