"""Every target on every scenario in array operations: the kernel behind :func:`check`.

:func:`evaluate_targets` reads each trajectory variable once into a plain numpy array, selects
what each target needs with integer indexing and evaluates the records in groups:

* **point records** (a comparison in one year, most of the catalogue): the values at the target
  year (and base year) of every record gathered into one (scenario, record) array; margins,
  the 1e-9 snap and the at-risk scale computed for all of them at once;
* **first year met** (only for records the model computes; a record set by the scenario has none):
  the condition over the years up to each record's year, one (scenario, record, year) block;
* **window records** (checked in every year of a window): one (scenario, record, year) block,
  the worst year of each window;
* **order records** (peak years, 稳中有降) one by one on plain arrays, peak years computed once
  per indicator.

What the records need of the trajectories' layout (which records cannot be evaluated and why,
where each record's values sit) is worked out once per catalogue, reading of 左右, years and
layout (:func:`_plan`), so a single scenario's check is mostly array work.

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
        self._peaks: dict[tuple[str, str] | str, np.ndarray] = {}
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
                values, reason = _floats(da.values).transpose(axes), ""
            entry = (values, regions, reason, "region" in da.dims)
        self._arrays[indicator] = entry
        return entry

    def _regions(self) -> dict[str, int]:
        """Region name -> index on the dataset's region axis (read once)."""
        if self._region_index is None:
            values = self.ds.variables["region"].values  # no DataArray built
            self._region_index = {str(r): i for i, r in enumerate(values)}
        return self._region_index

    def layout(self, indicators: Sequence[str]) -> tuple:
        """What an evaluation plan rests on: the city, the region axis and each indicator's
        dims (None where absent), read without touching any values."""
        variables = self.ds.variables
        dims = tuple(variables[k].dims if k in variables else None for k in indicators)
        regions = tuple(self._regions()) if "region" in variables else ()
        return self.city, regions, dims

    def values(self, indicator: str) -> np.ndarray:
        """The (scenario[, region], year) array of an indicator a plan has located."""
        return self._array(indicator)[0]

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
        """Tolerant peak years of (indicator, region), *x* its series: for every region of the
        indicator at once (the same operations along the year axis), once per check."""
        key = (indicator, region)
        if key not in self._peaks:
            array, index, _ = self.locate(indicator, region)
            if index is None:
                self._peaks[key] = peak_year(x, years, tolerance).astype(float)
            else:
                if indicator not in self._peaks:
                    self._peaks[indicator] = peak_year(array, years, tolerance).astype(float)
                self._peaks[key] = self._peaks[indicator][:, index]
        return self._peaks[key]


def _floats(values) -> np.ndarray:
    """*values* as floats: float32 trajectories stay float32 (a float64 copy of every indicator
    would double what a check holds); what is taken from them is float64 (the result arrays)."""
    values = np.asarray(values)
    return values if values.dtype == np.float32 else values.astype(float, copy=False)


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


@dataclass(frozen=True)
class _Take:
    """Where the values of some records sit: per variable, their columns and indexes.

    *groups*: (indicator, columns, region indexes or None for a city-only variable, year
    indexes); *size*: the number of records (columns of the result).
    """

    groups: tuple[tuple[str, np.ndarray, np.ndarray | None, np.ndarray], ...]
    size: int

    def __call__(self, series: _Series) -> np.ndarray:
        """(scenario, record) values of the records in the year each was located at."""
        out = np.empty((series.n, self.size))
        for indicator, cols, regions, years in self.groups:
            array = series.values(indicator)
            out[:, cols] = array[:, years] if regions is None else array[:, regions, years]
        return out


def _locations(series: _Series, records) -> dict[str, list[tuple[int, int | None]]]:
    """indicator -> [(position in *records*, region index or None)] of located records."""
    by_indicator: dict[str, list] = {}
    for k, (_, t) in enumerate(records):
        _, index, _ = series.locate(t.indicator, t.region)
        by_indicator.setdefault(t.indicator, []).append((k, index))
    return by_indicator


def _groups(series: _Series, records) -> tuple:
    """(indicator, columns, region indexes or None) of the (located) *records*, per variable."""
    groups = []
    for indicator, items in _locations(series, records).items():
        cols = np.array([k for k, _ in items], dtype=np.int64)
        regions = None if items[0][1] is None else np.array([i for _, i in items], dtype=np.int64)
        groups.append((indicator, cols, regions))
    return tuple(groups)


def _series_block(series: _Series, groups, size: int, span: int) -> np.ndarray:
    """(scenario, record, year) block of the records' series over the first *span* years."""
    x = np.empty((series.n, size, span))
    for indicator, cols, regions in groups:
        array = series.values(indicator)
        x[:, cols] = array[:, None, :span] if regions is None else array[:, regions, :span]
    return x


def _take(series: _Series, records, year_of) -> _Take:
    """The :class:`_Take` of *records* (all located) in the years ``year_of(record)``."""
    groups = tuple(
        (indicator, cols, regions, np.array([year_of(records[k][1]) for k in cols], np.int64))
        for indicator, cols, regions in _groups(series, records)
    )
    return _Take(groups, len(records))


def _relative(x: np.ndarray, base: np.ndarray) -> np.ndarray:
    return x / np.where(base != 0, base, np.nan) - 1.0


def _relative_in_block(x: np.ndarray, relative: np.ndarray, base_at: np.ndarray) -> None:
    """Columns *relative* of a (scenario, record, year) block, in place, as the change from
    their value in year index *base_at* (one per column)."""
    if relative.size:
        base = x[:, relative, base_at][:, :, None]
        x[:, relative] = _relative(x[:, relative], base)


def _base_years(records, year_index) -> tuple[np.ndarray, np.ndarray]:
    """(columns, base-year indexes) of the records read as a change from a base year."""
    relative = [k for k, (_, t) in enumerate(records) if t.basis == "relative_change"]
    base_at = [year_index[records[k][1].base_year] for k in relative]
    return np.array(relative, dtype=np.int64), np.array(base_at, dtype=np.int64)


@dataclass(frozen=True)
class _Block:
    """The (scenario, record, year) block of the first years met: the years up to *span*.

    *groups*: (indicator, columns, region indexes or None); *relative*, *base_at*: the columns
    read as a change from their base year and that year's index (before the record's own, so
    inside the block); *upto*: each record's year index.
    """

    groups: tuple[tuple[str, np.ndarray, np.ndarray | None], ...]
    size: int
    span: int
    upto: np.ndarray
    relative: np.ndarray
    base_at: np.ndarray
    p: _Points

    def first_years(self, series: _Series, years: np.ndarray) -> np.ndarray:
        """First year from which each record's condition holds through its year (NaN: never).

        The years after a record's own count as held, so the run of held years back from its
        year is found for every record at once.
        """
        span = self.span
        x = _series_block(series, self.groups, self.size, span)
        _relative_in_block(x, self.relative, self.base_at)
        held = _margins(x, self.p) >= 0
        held |= (np.arange(span)[None, :] > self.upto[:, None])[None]
        run = np.flip(np.logical_and.accumulate(np.flip(held, -1), axis=-1), -1)
        through = run[:, np.arange(self.size), self.upto]  # held from a year through the record's
        return np.where(through, years[:span][np.argmax(run, axis=-1)], np.nan)


def _block(series: _Series, records, table: _Points, year_index) -> _Block:
    """The :class:`_Block` of the (located) point records the model computes."""
    upto = np.array([year_index[t.year] for _, t in records], dtype=np.int64)
    groups = _groups(series, records)
    relative, base_at = _base_years(records, year_index)
    p = table.rows([j for j, _ in records])
    span = int(upto.max()) + 1  # the years up to the latest record's
    return _Block(groups, len(records), span, upto, relative, base_at, p)


@dataclass(frozen=True)
class _Windows:
    """The records checked in every year of a window, all at once: the worst year of each.

    *columns*: their catalogue positions; *groups*, *size*: where their series sit (as in
    :class:`_Block`); *relative*, *base_at*: the records read as a change from a base year and
    that year's index; *inside*: (record, year) the window; *first*: each window's first year.
    """

    columns: np.ndarray
    groups: tuple[tuple[str, np.ndarray, np.ndarray | None], ...]
    size: int
    relative: np.ndarray
    base_at: np.ndarray
    inside: np.ndarray
    first: np.ndarray
    p: _Points

    def evaluate(self, series: _Series) -> tuple:
        """(value, margin, first year met), (scenario, record) each, in the worst year of each
        record's window (a year without a margin is the worst)."""
        x = _series_block(series, self.groups, self.size, self.inside.shape[1])
        _relative_in_block(x, self.relative, self.base_at)
        margin_all = _margins(x, self.p)
        part = np.where(np.isnan(margin_all), -np.inf, margin_all)
        worst = np.nanargmin(np.where(self.inside[None], part, np.nan), axis=-1)[..., None]
        margin = np.take_along_axis(margin_all, worst, -1)[..., 0]
        value = np.take_along_axis(x, worst, -1)[..., 0]
        return value, margin, np.where(margin >= 0, self.first[None, :], np.nan)


def _windows(series: _Series, records, table: _Points, years: tuple) -> _Windows:
    """The :class:`_Windows` of the (located) window records."""
    y = np.asarray(years)
    relative, base_at = _base_years(records, {year: i for i, year in enumerate(years)})
    return _Windows(
        columns=np.array([j for j, _ in records], dtype=np.int64),
        groups=_groups(series, records),
        size=len(records),
        relative=relative,
        base_at=base_at,
        inside=np.array([(y >= t.first_year) & (y <= (t.last_year or y[-1])) for _, t in records]),
        first=np.array([float(t.first_year) for _, t in records]),
        p=table.rows([j for j, _ in records]),
    )


@dataclass(frozen=True)
class _Plan:
    """How a catalogue is evaluated on trajectories of one layout, worked out once.

    Which records cannot be evaluated and why (*reasons*), the point records (catalogue
    positions *points*, their parameters *p*, where their values and base values sit, the
    first-years block of those the model computes), the window records (*windows*, together)
    and the order records (*orders*, one by one).
    """

    table: _Points
    reasons: dict[int, str]
    points: np.ndarray
    p: _Points
    x: _Take
    base: _Take
    block: _Block | None
    windows: _Windows | None
    orders: tuple[tuple[int, Target], ...]


def _plan(series: _Series, records: tuple[Target, ...], approx: str, years: tuple) -> _Plan:
    """The :class:`_Plan` of *records* on *series*' layout (cached by catalogue, reading of 左右,
    years and layout: a single run's check reads the same catalogue on the same layout)."""
    key = (records, approx, years, series.layout(_indicators(records)))
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 16:
            _PLANS.pop(next(iter(_PLANS)))
        plan = _PLANS[key] = _make_plan(series, records, approx, years)
    return plan


#: evaluation plans by (catalogue, approx, years, layout), oldest first
_PLANS: dict[tuple, _Plan] = {}


@functools.lru_cache(maxsize=8)
def _indicators(records: tuple[Target, ...]) -> tuple[str, ...]:
    """Every indicator the records read (their own and the one they are compared with)."""
    names = (n for t in records for n in (t.indicator, t.other_indicator) if n)
    return tuple(dict.fromkeys(names))


def _make_plan(series: _Series, records: tuple[Target, ...], approx: str, years: tuple) -> _Plan:
    year_index = {y: i for i, y in enumerate(years)}
    table = _record_table(records, approx)
    reasons, points, others = _sort(records, series, year_index)
    orders = tuple((j, t) for j, t in others if t.op in ORDER_OPS)
    windows = []
    for j, t in others:
        if t.op not in ORDER_OPS:
            if (reason := series.locate(t.indicator, t.region)[2]) != "":
                reasons[j] = reason
            else:
                windows.append((j, t))
    p = table.rows([j for j, _ in points])
    relative = [(j, t) for j, t in points if t.basis == "relative_change"]
    chosen = [points[k] for k in np.flatnonzero(p.computed)]
    return _Plan(
        table=table,
        reasons=reasons,
        points=np.array([j for j, _ in points], dtype=np.int64),
        p=p,
        x=_take(series, points, lambda t: year_index[t.year]),
        base=_take(series, relative, lambda t: year_index[t.base_year]),
        block=_block(series, chosen, table, year_index) if chosen else None,
        windows=_windows(series, windows, table, years) if windows else None,
        orders=orders,
    )


def _points(series: _Series, plan: _Plan, years: np.ndarray) -> tuple:
    """(value, margin, first year met) of the point records, (scenario, point record) each."""
    p = plan.p
    x = plan.x(series)
    if p.relative.any():
        x[:, p.relative] = _relative(x[:, p.relative], plan.base(series))
    margin = _margins(x, p)
    first = np.full(x.shape, np.nan)
    if plan.block is not None:
        first[:, p.computed] = plan.block.first_years(series, years)
    return x, margin, np.where(margin >= 0, first, np.nan)


# ---------------------------------------------------------------------------------------------
# order records, one at a time on plain arrays
# ---------------------------------------------------------------------------------------------
def _order(t: Target, series: _Series, years: np.ndarray, tolerance: float):
    """(value, margin, first, scale, reason) of a peak or 稳中有降 record."""
    x, reason = series.get(t.indicator, t.region)
    if x is None:
        return None, reason
    nan = np.full(series.n, np.nan)
    if t.op == "nonincreasing":  # needs no peak year
        tol = t.tolerance if t.tolerance is not None else tolerance
        first = t.first_year or t.year
        margin = nonincreasing_margin(x, years, first, t.last_year or t.year, tol)
        return (x[:, years == (t.last_year or t.year)][:, 0], margin, nan, tol), ""
    p = series.peak(t.indicator, t.region, x, years, tolerance)
    if t.op == "peak_by":
        return (p, peak_by_margin(x, years, t.year, tolerance), nan, tolerance), ""
    if t.op == "peak_in":
        return (p, np.minimum(p - t.first_year, t.last_year - p), nan, 1.0), ""
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
    series = _Series(trajectories)
    records = tuple(records)
    plan = _plan(series, records, approx, tuple(int(y) for y in years))
    table = plan.table
    n, m = series.n, len(records)
    value, margin, first = (np.full((n, m), np.nan) for _ in range(3))
    scale = table.scale.copy()
    reasons = dict(plan.reasons)
    if plan.points.size:
        cols = plan.points
        value[:, cols], margin[:, cols], first[:, cols] = _points(series, plan, years)
    if plan.windows is not None:
        cols = plan.windows.columns
        value[:, cols], margin[:, cols], first[:, cols] = plan.windows.evaluate(series)
    for j, t in plan.orders:
        done, reason = _order(t, series, years, plateau_tolerance)
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
