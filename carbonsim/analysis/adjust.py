"""One scalar per lever: how :func:`carbonsim.what_it_takes` moves a scenario's lever paths.

Each chosen lever is parameterised by one number ``x`` that acts on the years ``>= from_year``
(earlier years keep the scenario's path):

* ``scale_change`` — level levers (capacity, output, hours …: any unit other than ``1`` and
  ``1/yr``) whose scenario path changes after 2020: ``path = v2020 + x * (scenario - v2020)``.
  ``x = 1`` is the scenario, ``x = 1.5`` adds half as much again as the scenario adds, ``x = 0``
  freezes the lever at its 2020 level.
* ``add_level`` — level levers that the scenario leaves at their 2020 value: ``x`` is an amount
  in the lever's unit added from ``from_year`` on (``x = 0`` is the scenario), split over the
  chosen counties in proportion to their 2020 values (equally when those are all zero).
* ``shift`` — shares and changes (unit ``1``) and rates (``1/yr``): ``x`` is added to every
  chosen county in every year (``x = 0`` is the scenario); the result is clipped to the lever's
  bounds.

``"solar_capacity:yanchi"`` moves one county only.  The scalar's default bounds come from the
lever table: for ``scale_change`` and ``add_level`` the widest range over which the path stays
within the lever's bounds in every county and year (so that the parameterisation stays exactly
linear); for ``shift`` the range beyond which every value is clipped (no further effect).

Changes are compared across levers as *relative changes* of a representative value: the lever in
2030 (or ``from_year`` if later) — summed over the chosen counties for level levers, averaged
for shares and rates.  ``z = (x - x0) / step`` is that relative change (``step`` = the change of
``x`` that moves the representative value by 100 % of its scenario value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from carbonsim.definitions.levers import LEVERS, LeverSpec
from carbonsim.errors import LeverError, did_you_mean
from carbonsim.model.arrays import share_group_of
from carbonsim.regions import WUZHONG, RegionSet

__all__ = ["Adjustment", "apply_adjustments", "parse_adjustments", "plan_unit"]

#: the year whose (city) lever value represents a lever path
REPRESENTATIVE_YEAR = 2030
#: the plan's way of writing a lever unit (万千瓦 for GW …)
PLAN_UNITS = {
    "GW": "万千瓦",
    "1": "%",
    "1/yr": "%/yr",
    "1e4 t": "万吨",
    "1e4 t/yr": "万吨/年",
    "TWh": "亿千瓦时",
    "gce/kWh": "克/千瓦时",
}
_EPS = 1e-12


def plan_unit(unit: str) -> str | None:
    """The unit the plan writes a lever in (``"万千瓦"`` for ``"GW"``), or None."""
    return PLAN_UNITS.get(unit)


def _is_level(spec: LeverSpec) -> bool:
    return spec.unit not in ("1", "1/yr")


@dataclass(frozen=True)
class Adjustment:
    """One chosen lever and its scalar (see the module docstring)."""

    key: str
    spec: LeverSpec
    region: str | None
    mode: str
    x0: float
    lower: float
    upper: float
    step: float
    weights: np.ndarray  # per county (regional levers) or a scalar 1.0
    year_mask: np.ndarray  # (year,) bool: years >= from_year
    rep_index: int
    county_ids: tuple[str, ...] = WUZHONG.counties  # the county axis of regional levers

    @property
    def name(self) -> str:
        """The lever's name (without the county)."""
        return self.spec.name

    @property
    def counties(self) -> tuple[str, ...]:
        """The counties the scalar moves (all for a regional lever without county, () else)."""
        if not self.spec.regional:
            return ()
        return (self.region,) if self.region else self.county_ids

    def apply(self, base: np.ndarray, x: np.ndarray, clip: bool = True) -> np.ndarray:
        """The lever's array for scalars *x* ``(m,)`` from its scenario array ``(1, …, year)``."""
        x = np.asarray(x, dtype=float).reshape(-1)
        shape = (len(x),) + (1,) * (base.ndim - 1)
        xs = x.reshape(shape)
        mask = self.year_mask.astype(float)
        w = np.asarray(self.weights, dtype=float)
        if self.spec.regional:
            w = w[:, None]
        if self.mode == "scale_change":
            start = base[..., :1]
            change = (base - start) * mask * (w > 0)
            new = base + (xs - 1.0) * change
        else:
            new = base + xs * (w * mask)
        return np.clip(new, self.spec.lower, self.spec.upper) if clip else new

    def representative(self, arr: np.ndarray, index: int | None = None) -> np.ndarray:
        """The value ``(m,)`` of lever arrays ``(m, …, year)`` in the representative year (or at
        year position *index*): summed over the chosen counties for levels, else averaged."""
        at = arr[..., self.rep_index if index is None else index]
        if not self.spec.regional:
            return at
        idx = [self.county_ids.index(c) for c in self.counties]
        part = at[:, idx]
        return part.sum(axis=1) if _is_level(self.spec) else part.mean(axis=1)

    def to_z(self, x):
        """Scalar -> relative change of the representative value."""
        return (np.asarray(x, dtype=float) - self.x0) / self.step

    def to_x(self, z):
        """Relative change of the representative value -> scalar."""
        return self.x0 + np.asarray(z, dtype=float) * self.step


def _parse_key(key: str, regions: RegionSet = WUZHONG) -> tuple[LeverSpec, str | None]:
    name, _, region = str(key).partition(":")
    spec = LEVERS[name.strip()]  # raises LeverError with a did-you-mean
    region = region.strip() or None
    counties = regions.counties
    if region in (regions.city, "all"):
        region = None
    if region is not None and not spec.regional:
        raise LeverError(
            f"lever {spec.name!r} has no county axis (dims {', '.join(spec.dims)}); "
            f"use {spec.name!r} without ':{region}'"
        )
    if region is not None and region not in counties:
        raise LeverError(
            f"lever spec {key!r}: unknown county {region!r}; valid counties are "
            f"{', '.join(counties)}.{did_you_mean(region, counties)}"
        )
    return spec, region


def _weights(spec: LeverSpec, region, base: np.ndarray, mode: str, counties) -> np.ndarray:
    if not spec.regional:
        return np.array(1.0)
    chosen = np.array([region is None or r == region for r in counties], dtype=float)
    if mode != "add_level":
        return chosen
    start = base[0, :, 0] * chosen
    total = start.sum()
    return start / total if total > 0 else chosen / chosen.sum()


def _linear_bounds(low: np.ndarray, high: np.ndarray, slope: np.ndarray):
    """The x range over which ``low <= v + x * slope <= high`` holds in every cell."""
    lo, hi = -math.inf, math.inf
    up, down = slope > _EPS, slope < -_EPS
    if up.any():
        lo = max(lo, float(np.max(low[up] / slope[up])))
        hi = min(hi, float(np.min(high[up] / slope[up])))
    if down.any():
        lo = max(lo, float(np.max(high[down] / slope[down])))
        hi = min(hi, float(np.min(low[down] / slope[down])))
    return lo, hi


def _scalar_bounds(adj_mode: str, spec: LeverSpec, base: np.ndarray, w, year_mask):
    """Default bounds of the scalar (see the module docstring)."""
    sel = np.broadcast_to(year_mask, base.shape) & np.broadcast_to(
        (np.asarray(w)[:, None] if spec.regional else np.asarray(w)) > 0, base.shape
    )
    if adj_mode == "shift":
        values = base[sel]
        return spec.lower - float(values.max()), spec.upper - float(values.min())
    if adj_mode == "scale_change":
        start = np.broadcast_to(base[..., :1], base.shape)
        slope = (base - start)[sel]
        lo, hi = _linear_bounds(spec.lower - start[sel], spec.upper - start[sel], slope)
        return lo, hi  # v = start + x * change
    slope = np.broadcast_to(np.asarray(w)[:, None] if spec.regional else w, base.shape)[sel]
    return _linear_bounds(spec.lower - base[sel], spec.upper - base[sel], slope)


def _mode(spec: LeverSpec, region, base: np.ndarray, year_mask: np.ndarray, counties) -> str:
    if not _is_level(spec):
        return "shift"
    part = base if region is None else base[:, [counties.index(region)]]
    change = np.abs(part - part[..., :1])[..., year_mask]
    scale = max(float(np.abs(part).max()), 1.0)
    return "scale_change" if change.size and change.max() > 1e-9 * scale else "add_level"


def _step(adj: Adjustment, base: np.ndarray) -> float:
    """Scalar units per 100 % change of the representative value."""
    rep0 = float(adj.representative(base)[0])
    slope = abs(float(adj.representative(adj.apply(base, [adj.x0 + 1.0], clip=False))[0]) - rep0)
    if slope <= _EPS:
        return 1.0
    reference = abs(rep0)
    if reference <= _EPS:
        span = adj.spec.upper - adj.spec.lower
        reference = 1.0 if adj.spec.unit in ("1", "1/yr") or not math.isfinite(span) else span / 10
    return reference / slope


def parse_adjustments(
    keys,
    arrays: dict,
    years,
    from_year: int,
    bounds: dict | None = None,
    regions: RegionSet = WUZHONG,
) -> list[Adjustment]:
    """Adjustments for lever specs *keys* (``"name"`` or ``"name:county"``) of a scenario.

    *arrays* are the scenario's full lever arrays for one scenario; *bounds* maps a key to
    ``(lower, upper)`` of its scalar (``None`` on either side keeps the default); *regions*
    the city whose counties the arrays hold.
    """
    years = np.asarray(list(years), dtype=int)
    if from_year <= years[0] or from_year > years[-1]:
        raise LeverError(
            f"from_year {from_year} must be after {years[0]} and at most {years[-1]}: the "
            "scalar moves the change since 2020"
        )
    keys = [keys] if isinstance(keys, str) else list(keys or ())
    if not keys:
        raise LeverError(
            "give at least one lever to adjust, e.g. levers=['solar_capacity', 'storage_ratio'] "
            "or 'solar_capacity:yanchi' for one county"
        )
    _check_overlap(keys)
    year_mask = years >= from_year
    rep_year = min(max(REPRESENTATIVE_YEAR, from_year), int(years[-1]))
    unknown = set(bounds or {}) - set(keys)
    if unknown:
        first = sorted(unknown)[0]
        raise LeverError(
            f"bounds given for {first!r}, which is not among the levers "
            f"{', '.join(keys)}.{did_you_mean(first, keys)}"
        )
    out = []
    for key in keys:
        spec, region = _parse_key(key, regions)
        if spec.name not in arrays:
            raise LeverError(
                f"lever {spec.name!r} has no path in this scenario (a tracked indicator the "
                "scenario does not set); give it a path first with scenario.replace()"
            )
        base = arrays[spec.name]
        mode = _mode(spec, region, base, year_mask, regions.counties)
        w = _weights(spec, region, base, mode, regions.counties)
        lo, hi = _scalar_bounds(mode, spec, base, w, year_mask)
        x0 = 1.0 if mode == "scale_change" else 0.0
        lo, hi = _user_bounds(key, (bounds or {}).get(key), lo, hi, x0)
        adj = Adjustment(
            key,
            spec,
            region,
            mode,
            x0,
            lo,
            hi,
            1.0,
            w,
            year_mask,
            int(np.argmax(years == rep_year)),
            regions.counties,
        )
        out.append(_with_step(adj, base))
    return out


def _check_overlap(keys: list[str]) -> None:
    seen: dict[str, set] = {}
    for key in keys:
        name, _, region = str(key).partition(":")
        regions = seen.setdefault(name.strip(), set())
        region = region.strip() or "all"
        if region in regions or (regions and "all" in {region, *regions}):
            raise LeverError(
                f"levers {keys!r}: {name.strip()!r} is given more than once for the same counties; "
                "give it once, or once per county ('name:county')"
            )
        regions.add(region)


def _with_step(adj: Adjustment, base: np.ndarray) -> Adjustment:
    from dataclasses import replace

    return replace(adj, step=_step(adj, base))


def _user_bounds(key, given, lo, hi, x0) -> tuple[float, float]:
    if given is None:
        return min(lo, x0), max(hi, x0)
    try:
        user_lo, user_hi = given
    except (TypeError, ValueError):
        raise LeverError(
            f"bounds[{key!r}] = {given!r}: expected (lower, upper) of the scalar, e.g. (0, 3)"
        ) from None
    lo = lo if user_lo is None else float(user_lo)
    hi = hi if user_hi is None else float(user_hi)
    if not lo < hi:
        raise LeverError(f"bounds[{key!r}] = {given!r}: lower must be below upper")
    return lo, hi


def apply_adjustments(arrays: dict, adjustments: list[Adjustment], xs: np.ndarray) -> dict:
    """Lever arrays for scalars *xs* ``(m, k)``: every lever repeated *m* times, the chosen ones
    moved; shares of a group (sector shares, fuel shares) are capped so the group sums to 1."""
    xs = np.atleast_2d(np.asarray(xs, dtype=float))
    m = xs.shape[0]
    out = {name: np.repeat(arr, m, axis=0) for name, arr in arrays.items()}
    by_name: dict[str, np.ndarray] = {}
    for j, adj in enumerate(adjustments):
        # the same lever in another county moves on top of the first move (rows already m)
        by_name[adj.name] = adj.apply(by_name.get(adj.name, arrays[adj.name]), xs[:, j])
    out.update(by_name)
    for name in by_name:
        others = [n for n in share_group_of(name) if n != name]
        if others:
            out[name] = np.minimum(out[name], np.maximum(1.0 - sum(out[n] for n in others), 0.0))
    return out


def milestones(path: np.ndarray, years) -> dict[int, float]:
    """A path ``(year,)`` as the fewest milestones that reproduce it by linear interpolation."""
    years = [int(y) for y in years]
    path = np.asarray(path, dtype=float)
    scale = max(float(np.abs(path).max()), 1.0)
    keep = [0]
    for i in range(1, len(path) - 1):
        if abs(path[i - 1] - 2 * path[i] + path[i + 1]) > 1e-12 * scale:
            keep.append(i)
    keep.append(len(path) - 1)
    return {years[i]: float(path[i]) for i in keep}


def scenario_values(adjustments: list[Adjustment], arrays: dict, years) -> dict:
    """``Scenario.replace`` keyword values for the adjusted levers of one scenario (row 0)."""
    values: dict = {}
    for name in dict.fromkeys(a.name for a in adjustments):
        spec = LEVERS[name]
        counties = set().union(*(set(a.counties) for a in adjustments if a.name == name))
        arr = arrays[name][0]
        if spec.regional:
            ids = next(a.county_ids for a in adjustments if a.name == name)
            values[name] = {c: milestones(arr[ids.index(c)], years) for c in ids if c in counties}
        else:
            values[name] = milestones(arr, years)
    return values
