"""Every target on every scenario in array operations: the kernel behind :func:`check`.

:func:`evaluate_targets` reads each trajectory variable once into a plain numpy array, selects
what each target needs with integer indexing and evaluates the records in groups:

* **point records** (a comparison in one year, most of the catalogue): the values at the target
  year (and base year) of every record gathered into one (scenario, record) array; margins,
  the 1e-9 snap and the at-risk scale computed for all of them at once;
* **first year met** (only for records the model computes; a record set by the scenario has none):
  the condition over the years up to each record's year, one (scenario, record, year) block;
* **window records** (checked in every year of a window) and **order records** (peak years,
  稳中有降) one by one on plain arrays, peak years computed once per series.

The result is a :class:`TargetArrays` of plain arrays (status as small integer codes into
:data:`~carbonsim.feasibility.verdicts.STATUSES`); :func:`~carbonsim.feasibility.evaluate.check`
wraps it into the feasibility Dataset, sweeps reduce it directly.  Every number is computed by
the same elementwise operations as the record-by-record definition, so results are identical.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import xarray as xr

from carbonsim.catalogue import Target
from carbonsim.constants import CITY
from carbonsim.feasibility.peaking import nonincreasing_margin, peak_by_margin, peak_year
from carbonsim.feasibility.verdicts import STATUSES

__all__ = ["ORDER_OPS", "STATUS_CODES", "TargetArrays", "evaluate_targets", "status_names"]

#: operators of the order records (peak years, 稳中有降)
ORDER_OPS = ("peak_by", "peak_in", "peak_before", "peak_with", "nonincreasing")
#: status name -> its code in :attr:`TargetArrays.status`
STATUS_CODES = {name: np.int8(i) for i, name in enumerate(STATUSES)}
_STATUS_OBJECTS = np.array(STATUSES, dtype=object)


@dataclass
class TargetArrays:
    """Every (scenario, target) result as plain arrays; target order as given.

    Attributes
    ----------
    value, margin, first_year : numpy.ndarray
        (scenario, target) float64; NaN where not evaluated (first_year: where not met, and for
        records the scenario sets).
    holds, met : numpy.ndarray
        (scenario, target) bool.
    status : numpy.ndarray
        (scenario, target) int8 codes into :data:`~carbonsim.feasibility.verdicts.STATUSES`.
    reason : list of str
        Per target: why it is not evaluated ("" when it is).
    """

    value: np.ndarray
    margin: np.ndarray
    first_year: np.ndarray
    holds: np.ndarray
    met: np.ndarray
    status: np.ndarray
    reason: list[str]


def status_names(codes: np.ndarray) -> np.ndarray:
    """Status codes -> an object array of the status strings (what ``check`` stores)."""
    return _STATUS_OBJECTS[codes]


# ---------------------------------------------------------------------------------------------
# plain arrays of the trajectories, read once per variable
# ---------------------------------------------------------------------------------------------
class _Series:
    """(scenario, year) series of (indicator, region), or the reason there is none."""

    def __init__(self, ds: xr.Dataset):
        self.ds = ds
        self.city = str(ds.attrs.get("city", CITY))
        self.n = ds.sizes["scenario"]
        self._arrays: dict[str, tuple[np.ndarray | None, dict | None, str]] = {}
        self._peaks: dict[tuple[str, str], np.ndarray] = {}
        self._region_index: dict[str, int] | None = None

    def _array(self, indicator: str) -> tuple:
        """(array, region -> index or None when city-only, reason, extra dims) of a variable."""
        if indicator in self._arrays:
            return self._arrays[indicator]
        ds = self.ds
        if indicator not in ds:
            tracked = _is_tracked(indicator)
            note = " (tracked indicator: the scenario gives no path)" if tracked else ""
            entry = (None, None, f"trajectories have no variable {indicator!r}" + note)
        else:
            da = ds.variables[indicator]  # the Variable: no DataArray built per indicator
            regions = self._regions() if "region" in da.dims else None
            extra = [d for d in da.dims if d not in ("scenario", "year", "region")]
            if extra:  # said once the region is found (as a selection would find it)
                values = None
                reason = f"{indicator!r} has extra dims {extra}; select one first"
            else:
                dims = ("scenario", "year") if regions is None else ("scenario", "region", "year")
                axes = [da.dims.index(d) for d in dims]
                values, reason = np.asarray(da.values, dtype=float).transpose(axes), ""
            entry = (values, regions, reason, "region" in da.dims)
        self._arrays[indicator] = entry
        return entry

    def _regions(self) -> dict[str, int]:
        """Region name -> index on the dataset's region axis (read once)."""
        if self._region_index is None:
            values = self.ds.variables["region"].values  # no DataArray built
            self._region_index = {str(r): i for i, r in enumerate(values)}
        return self._region_index

    def locate(self, indicator: str, region: str):
        """(array, region index or None, reason): where (indicator, region) lives."""
        entry = self._array(indicator)
        if len(entry) == 3:
            return None, None, entry[2]
        array, regions, reason, by_region = entry
        if by_region and region not in regions:
            return None, None, f"region {region!r} not in the trajectories"
        if not by_region and region != self.city:
            return None, None, f"{indicator!r} is given for the city only, not for {region!r}"
        if array is None:
            return None, None, reason
        return array, (regions[region] if by_region else None), ""

    def get(self, indicator: str, region: str):
        """(scenario, year) array or None, reason."""
        array, index, reason = self.locate(indicator, region)
        if array is None:
            return None, reason
        return (array if index is None else array[:, index, :]), ""

    def peak(self, indicator: str, region: str, x: np.ndarray, years, tolerance) -> np.ndarray:
        key = (indicator, region)
        if key not in self._peaks:
            self._peaks[key] = peak_year(x, years, tolerance).astype(float)
        return self._peaks[key]


def _is_tracked(indicator: str) -> bool:
    from carbonsim.catalogue import tracked_indicators

    return indicator in tracked_indicators()


# ---------------------------------------------------------------------------------------------
# point records: one comparison in one year, all records at once
# ---------------------------------------------------------------------------------------------
_OPS = {">=": 0, "<=": 1, "==": 2, "up": 3, "down": 4, "level": 5}


def _op_code(t: Target, approx: str) -> int:
    """The comparison's code in :data:`_FORMULAS` (-1 for the order records: none)."""
    if t.op == "approx":
        return _OPS["level" if approx == "two_sided" else (t.direction or "level")]
    return _OPS.get(t.op, -1)


@dataclass(frozen=True)
class _Points:
    """Parameters of records read as point comparisons (one entry per record, in their order)."""

    index: np.ndarray  # position in the catalogue
    code: np.ndarray
    value: np.ndarray
    tolerance: np.ndarray
    snap: np.ndarray  # |margin| at or below this is 0 (1e-9 relative)
    relative: np.ndarray  # bool: relative_change
    scale: np.ndarray  # what "at risk" is measured against (:func:`_point_scale`)
    computed: np.ndarray  # bool: the model computes the indicator (not set by the scenario)

    def rows(self, index) -> _Points:
        """The parameters of the records at catalogue positions *index*."""
        index = np.asarray(index, dtype=np.int64)
        return _Points(*(getattr(self, f.name)[index] for f in fields(self)))


@functools.lru_cache(maxsize=8)
def _record_table(records: tuple[Target, ...], approx: str) -> _Points:
    """Every record's comparison parameters, computed once per catalogue and reading of 左右.

    Order records (no value) get NaN values; only their ``scale`` and ``computed`` are used.
    """
    value = lambda t: np.nan if t.value is None else float(t.value)  # noqa: E731
    return _Points(
        index=np.arange(len(records)),
        code=np.array([_op_code(t, approx) for t in records], dtype=np.int64),
        value=np.array([value(t) for t in records]),
        tolerance=np.array([t.tolerance or 0.0 for t in records]),
        snap=np.array(
            [1e-9 * max(1.0, abs(value(t) if t.value is not None else 0.0)) for t in records]
        ),
        relative=np.array([t.basis == "relative_change" for t in records], dtype=bool),
        scale=np.array([_point_scale(t) for t in records]),
        computed=np.array([t.source == "model" for t in records], dtype=bool),
    )


_FORMULAS = (
    lambda s, v, t: s - v,  # >=
    lambda s, v, t: v - s,  # <=
    lambda s, v, t: -np.abs(s - v) + 1e-9,  # ==
    lambda s, v, t: s - (v - t),  # 左右, the plan wants it up
    lambda s, v, t: (v + t) - s,  # 左右, the plan wants it down
    lambda s, v, t: t - np.abs(s - v),  # 左右, two-sided
)


def _margins(x: np.ndarray, p: _Points) -> np.ndarray:
    """Margins (≥ 0 holds) of records along axis 1 of *x* (scenario, record[, year]).

    A value equal to the bound up to rounding (1e-9 relative) meets it with zero margin.
    """
    out = np.empty(x.shape)
    trail = (1,) * (x.ndim - 2)
    for c, formula in enumerate(_FORMULAS):
        cols = p.code == c
        if cols.any():
            v, t = (a[cols].reshape(-1, *trail) for a in (p.value, p.tolerance))
            out[:, cols] = formula(x[:, cols], v, t)
    return np.where(np.abs(out) <= p.snap.reshape(-1, *trail), 0.0, out)


def _gather(series: _Series, records, year_of) -> np.ndarray:
    """(scenario, record) values of each record's indicator and region in ``year_of(t)``."""
    out = np.empty((series.n, len(records)))
    by_array: dict[int, tuple[np.ndarray, list]] = {}
    for k, (_, t, yi) in enumerate((j, t, year_of(t)) for j, t in records):
        array, index, _ = series.locate(t.indicator, t.region)
        by_array.setdefault(id(array), (array, []))[1].append((k, index, yi))
    for array, items in by_array.values():
        cols = [k for k, _, _ in items]
        years = [yi for _, _, yi in items]
        if array.ndim == 2:
            out[:, cols] = array[:, years]
        else:
            out[:, cols] = array[:, [i for _, i, _ in items], years]
    return out


def _relative(x: np.ndarray, base: np.ndarray) -> np.ndarray:
    return x / np.where(base != 0, base, np.nan) - 1.0


def _points(series, records, years, table: _Points, year_index) -> dict[int, tuple]:
    """Value, margin, first year met of the point records -> {catalogue index: arrays}."""
    if not records:
        return {}
    p = table.rows([j for j, _ in records])
    x = _gather(series, records, lambda t: year_index[t.year])
    if p.relative.any():
        rel = [(j, t) for j, t in records if t.basis == "relative_change"]
        base = _gather(series, rel, lambda t: year_index[t.base_year])
        x[:, p.relative] = _relative(x[:, p.relative], base)
    margin = _margins(x, p)
    first = np.full(x.shape, np.nan)
    if p.computed.any():
        chosen = [records[k] for k in np.flatnonzero(p.computed)]
        first[:, p.computed] = _first_years(series, chosen, years, table, year_index)
    first = np.where(margin >= 0, first, np.nan)
    return {j: (x[:, k], margin[:, k], first[:, k]) for k, j in enumerate(p.index)}


def _first_years(series, records, years, table: _Points, year_index) -> np.ndarray:
    """First year from which each record's condition holds through its year (NaN: never).

    All records in one (scenario, record, year) block: the years after a record's own count as
    held, so the run of held years back from its year is found for every record at once.
    """
    upto = np.array([year_index[t.year] for _, t in records])
    span = int(upto.max()) + 1  # the years up to the latest record's
    x = np.empty((series.n, len(records), span))
    for k, (_, t) in enumerate(records):
        s = series.get(t.indicator, t.region)[0]
        if t.basis == "relative_change":
            base_at = year_index[t.base_year]
            s = _relative(s[:, :span], s[:, base_at : base_at + 1])
        x[:, k] = s[:, :span]
    held = _margins(x, table.rows([j for j, _ in records])) >= 0
    held |= (np.arange(span)[None, :] > upto[:, None])[None]
    run = np.flip(np.logical_and.accumulate(np.flip(held, -1), axis=-1), -1)
    through = run[:, np.arange(len(records)), upto]  # held from some year through the record's
    return np.where(through, years[:span][np.argmax(run, axis=-1)], np.nan)


# ---------------------------------------------------------------------------------------------
# window and order records, one at a time on plain arrays
# ---------------------------------------------------------------------------------------------
def _window(t: Target, x: np.ndarray, years: np.ndarray, p: _Points) -> tuple:
    """(value, margin, first) of a record checked in every year of a window (*p*: its row)."""
    if t.basis == "relative_change":
        x = _relative(x, x[:, years == t.base_year])
    margin_all = _margins(x[:, None, :], p)[:, 0, :]
    window = (years >= t.first_year) & (years <= (t.last_year or years[-1]))
    part = np.where(np.isnan(margin_all[:, window]), -np.inf, margin_all[:, window])
    worst = np.argmin(part, axis=-1)
    margin = np.take_along_axis(margin_all[:, window], worst[:, None], -1)[:, 0]
    value = np.take_along_axis(x[:, window], worst[:, None], -1)[:, 0]
    first = np.where(margin >= 0, float(t.first_year), np.nan)
    return value, margin, first


def _order(t: Target, series: _Series, years: np.ndarray, tolerance: float):
    """(value, margin, first, scale, reason) of a peak or 稳中有降 record."""
    x, reason = series.get(t.indicator, t.region)
    if x is None:
        return None, reason
    p = series.peak(t.indicator, t.region, x, years, tolerance)
    nan = np.full(len(p), np.nan)
    if t.op == "peak_by":
        return (p, peak_by_margin(x, years, t.year, tolerance), nan, tolerance), ""
    if t.op == "peak_in":
        return (p, np.minimum(p - t.first_year, t.last_year - p), nan, 1.0), ""
    if t.op == "nonincreasing":
        tol = t.tolerance if t.tolerance is not None else tolerance
        first = t.first_year or t.year
        margin = nonincreasing_margin(x, years, first, t.last_year or t.year, tol)
        return (x[:, years == (t.last_year or t.year)][:, 0], margin, nan, tol), ""
    other_indicator = t.other_indicator or t.indicator
    other, reason = series.get(other_indicator, t.other_region)
    if other is None:
        return None, reason
    q = series.peak(other_indicator, t.other_region, other, years, tolerance)
    if t.op == "peak_before":
        return (p, q - p - 1.0, nan, 1.0), ""
    if t.op == "peak_with":
        return (p, (t.lag_years or 1) - np.abs(p - q), nan, 1.0), ""
    raise ValueError(f"target {t.id!r}: operator {t.op!r} is not supported")


def _point_scale(t: Target) -> float:
    """What "at risk" is measured against: 5 × the 左右 tolerance, else |value| (or 1)."""
    if t.value is None:  # an order record: its scale comes with its margin
        return 1.0
    return 5.0 * (t.tolerance or 0.0) if t.op == "approx" else abs(float(t.value)) or 1.0


# ---------------------------------------------------------------------------------------------
# all records
# ---------------------------------------------------------------------------------------------
def _sort(records: Sequence[Target], series: _Series, year_index) -> tuple[dict, list, list]:
    """Reasons of the records that cannot be evaluated; the point and the other records."""
    reasons, points, others = {}, [], []
    for j, t in enumerate(records):
        needed = [y for y in (t.year, t.base_year, t.first_year, t.last_year) if y is not None]
        outside = [y for y in needed if y not in year_index]
        if outside:
            reasons[j] = f"year {outside[0]} is outside the simulated years"
        elif t.op in ORDER_OPS or t.first_year is not None:
            others.append((j, t))
        elif (reason := series.locate(t.indicator, t.region)[2]) != "":
            reasons[j] = reason
        else:
            points.append((j, t))
    return reasons, points, others


def evaluate_targets(
    trajectories: xr.Dataset,
    records: Sequence[Target],
    plateau_tolerance: float,
    at_risk: float,
    approx: str = "one_sided",
) -> TargetArrays:
    """Every record on every scenario of *trajectories* (see :mod:`.evaluate` for the rules).

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate` (any subset of its variables).
    records : sequence of Target
        The catalogue's records, in the order of the result's target axis.
    plateau_tolerance : float
        Peaking tolerance [1].
    at_risk : float
        A met record whose margin is below this fraction of its scale is ``at_risk``.
    approx : {"one_sided", "two_sided"}
        How 左右 records are read.

    Returns
    -------
    TargetArrays
    """
    years = np.asarray(trajectories.variables["year"].values)
    year_index = {int(y): i for i, y in enumerate(years)}
    series = _Series(trajectories)
    records = list(records)
    n, m = series.n, len(records)
    value, margin, first = (np.full((n, m), np.nan) for _ in range(3))
    table = _record_table(tuple(records), approx)
    scale = table.scale.copy()
    reasons, points, others = _sort(records, series, year_index)
    for j, (v, g, f) in _points(series, points, years, table, year_index).items():
        value[:, j], margin[:, j], first[:, j] = v, g, f
    for j, t in others:
        if t.op in ORDER_OPS:
            done, reason = _order(t, series, years, plateau_tolerance)
        else:
            x, reason = series.get(t.indicator, t.region)
            done = None if x is None else (*_window(t, x, years, table.rows([j])), scale[j])
        if done is None:
            reasons[j] = reason
            continue
        value[:, j], margin[:, j], first[:, j], scale[j] = done
    return _verdicts(table.computed[None, :], value, margin, first, scale, at_risk, reasons)


def _verdicts(computed, value, margin, first, scale, at_risk, reasons) -> TargetArrays:
    evaluated = ~np.isnan(margin)
    holds = evaluated & (margin >= 0)
    close = margin < at_risk * scale[None, :]
    code = STATUS_CODES
    verdict = np.where(holds, np.where(close, code["at_risk"], code["met"]), code["missed"])
    status = np.where(
        ~evaluated, code["not_evaluated"], np.where(computed, verdict, code["set_by_scenario"])
    ).astype(np.int8)
    return TargetArrays(
        value=value,
        margin=margin,
        first_year=np.where(computed, first, np.nan),
        holds=holds,
        met=holds & computed,
        status=status,
        reason=[reasons.get(j, "") for j in range(computed.shape[1])],
    )
