"""The lever table: every input a scenario can set, declared once.

``carbonsim/data/levers.csv`` (name, group, dims, unit, default, lower, upper, clause, name_zh,
description) drives validation here, the scenario files and the generated ``docs/levers.md``,
the way PyPSA's component attribute tables do.  Tracked indicators of the target catalogue
(forest coverage, green factories, …) are levers too: the scenario supplies their path.

Each lever becomes an array with the scenario axis first: ``(scenario, region, year)`` when its
``dims`` are ``region,year`` and ``(scenario, year)`` when they are ``year``.  A value may be

* a number, or a string with a unit (``"2300 万千瓦"``),
* milestones ``{2025: 23, 2030: 28}``: linear between milestones, held after the last; before
  the first, a level lever starts from its 2020 default and a rate lever (unit ``1/yr``) holds
  the first value,
* per county ``{"yanchi": ..., "tongxin": ...}`` (each a number or milestones; ``"default"``
  or ``"wuzhong"`` applies to the counties not named),
* an array: ``(year,)``, ``(region, year)``, ``(scenario,)``, ``(scenario, year)`` or the full
  ``(scenario, region, year)`` shape, or an ``xarray.DataArray`` with any of those dims.
Milestone values may themselves be arrays over scenarios (from sampling).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from .constants import CITY, FIRST_YEAR, LAST_YEAR, REGIONS
from .errors import LeverError, did_you_mean
from .units import UnitError, convert, parse_quantity

__all__ = ["LEVERS", "LeverSpec", "expand_lever", "lever_table", "render_levers_markdown"]


@dataclass(frozen=True)
class LeverSpec:
    """One row of the lever table."""

    name: str
    group: str
    dims: tuple[str, ...]
    unit: str
    default: float | str
    lower: float
    upper: float
    clause: str
    name_zh: str
    description: str

    @property
    def regional(self) -> bool:
        """Whether the lever has a ``region`` axis."""
        return "region" in self.dims

    @property
    def is_rate(self) -> bool:
        """Rates (unit ``1/yr``) hold their first milestone backwards (no 2020 start)."""
        return self.unit == "1/yr"

    def shape(self, n: int, n_years: int, n_regions: int = len(REGIONS)) -> tuple[int, ...]:
        """The full array shape for *n* scenarios."""
        return (n, n_regions, n_years) if self.regional else (n, n_years)


def _parse_default(text: str) -> float | str:
    text = text.strip()
    return text if text == "baseline" else float(text)


@cache
def _core_levers() -> dict[str, LeverSpec]:
    path = resources.files("carbonsim") / "data" / "levers.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    specs = {}
    for row in rows:
        specs[row["name"]] = LeverSpec(
            name=row["name"],
            group=row["group"],
            dims=tuple(d.strip() for d in row["dims"].split(",") if d.strip()),
            unit=row["unit"],
            default=_parse_default(row["default"]),
            lower=float(row["lower"]),
            upper=float(row["upper"]),
            clause=row["clause"],
            name_zh=row["name_zh"],
            description=row["description"],
        )
    return specs


@cache
def _tracked_levers() -> dict[str, LeverSpec]:
    try:
        from .catalogue import tracked_indicators
    except ImportError:  # pragma: no cover - catalogue module absent in a stripped install
        return {}
    specs = {}
    for name, info in tracked_indicators().items():
        unit = info.get("unit", "1")
        default = "baseline" if info.get("default") == "baseline" else math.nan
        # Tracked targets are city-wide: only the land indicators that drive the sinks are
        # given per county (a city path given per county would be summed five times).
        dims = ("region", "year") if default == "baseline" else ("year",)
        upper = 1.0 if unit == "1" else math.inf
        specs[name] = LeverSpec(
            name=name,
            group="tracked",
            dims=dims,
            unit=unit,
            default=default,
            lower=0.0,
            upper=upper,
            clause=str(info.get("clause", "")),
            name_zh=str(info.get("long_name_zh", "")),
            description=str(info.get("description", info.get("long_name", ""))),
        )
    return specs


def lever_table() -> dict[str, LeverSpec]:
    """All levers: the core table plus one per tracked indicator of the catalogue."""
    return {**_tracked_levers(), **_core_levers()}


class _LeverMapping(Mapping):
    """Read-only, lazily loaded mapping name -> :class:`LeverSpec` (``carbonsim.LEVERS``)."""

    def __getitem__(self, name: str) -> LeverSpec:
        table = lever_table()
        if name not in table:
            raise LeverError(f"unknown lever {name!r}.{did_you_mean(name, table)}")
        return table[name]

    def __iter__(self):
        return iter(lever_table())

    def __len__(self) -> int:
        return len(lever_table())

    def __repr__(self) -> str:
        return f"<carbonsim levers: {len(self)} ({', '.join(list(self)[:5])}, …)>"


LEVERS = _LeverMapping()


# ---------------------------------------------------------------------------------------------
# expansion of user values into full arrays
# ---------------------------------------------------------------------------------------------
def _number(spec: LeverSpec, value, where: str):
    """A number or array in the lever's unit (strings with units converted)."""
    if isinstance(value, str):
        try:
            number, unit = parse_quantity(value)
            return float(convert(number, unit, spec.unit)) if unit else number
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
    if isinstance(value, Mapping) and not _is_milestones(value):
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


def render_levers_markdown() -> str:
    """The lever table as Markdown (``docs/levers.md`` is generated from this)."""
    lines = [
        "# Levers",
        "",
        "Generated from `carbonsim/data/levers.csv` by `carbonsim levers --format markdown`; "
        "do not edit by hand.",
        "",
        "Every lever is an array with the scenario axis first; `dims` lists the others. "
        "`baseline` as default means the lever's 2020 value from the baseline calibration. "
        "Tracked indicators (group `tracked`) default to no path (not evaluated) unless noted.",
        "",
        "| name | 中文 | group | dims | unit | default | bounds | plan clause | description |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for spec in lever_table().values():
        default = spec.default if isinstance(spec.default, str) else f"{spec.default:g}"
        if default == "nan":
            default = "—"
        lines.append(
            f"| `{spec.name}` | {spec.name_zh} | {spec.group} | {','.join(spec.dims)} | "
            f"{spec.unit} | {default} | [{spec.lower:g}, {spec.upper:g}] | {spec.clause} | "
            f"{spec.description} |"
        )
    return "\n".join(lines) + "\n"
