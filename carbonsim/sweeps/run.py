"""Batch sweeps: sample a scenario's distributions, simulate and check chunk by chunk, summarise.

:func:`sweep` is the one entry point (``carbonsim sweep`` on the command line).  It draws the
unit sample of a scenario's distributions (scrambled Sobol', Latin hypercube, pseudo-random, or
SALib's Saltelli design), cuts the rows into chunks, and for each chunk simulates, checks every
target and reduces the results to *partial aggregates* that add up: status counts per target,
joint counts, peak-year counts, fixed-bin histograms of the key trajectories and integer rank
sums.  Chunks run in-process one after the other, or as tasks on ``dask.distributed`` (a
``LocalCluster`` or a remote scheduler) with a bounded number in flight.  Peak memory depends on
the chunk size, not on *n*; numbers depend neither on the chunk size nor on the workers.

With ``out`` the partial aggregates of every finished chunk are written atomically under
``<out>/chunks/`` beside a manifest, so that an interrupted sweep resumes where it stopped
(``resume=True``), and the summary is written as a Zarr store at ``out`` plus ``summary.csv``.
See ``docs/sweeps.md`` for the statistics (standard errors, quantile resolution, rank measure).

Examples
--------
>>> import carbonsim
>>> result = carbonsim.sweep("scenarios/uncertainty.toml", 64, progress=False)  # doctest: +SKIP
>>> result.probabilities().head()  # doctest: +SKIP
>>> load_sweep("sweep.zarr").sensitivity()  # a finished sweep folder  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import xarray as xr

from carbonsim.baseline.cache import resolve_baseline
from carbonsim.catalogue import Catalogue, Target, load_targets
from carbonsim.constants import DEFAULT_YEARS
from carbonsim.errors import LeverError, did_you_mean
from carbonsim.feasibility.evaluate import AT_RISK_FRACTION, PEAK_QUANTITIES, peak_table
from carbonsim.feasibility.peaking import PLATEAU_TOLERANCE
from carbonsim.feasibility.vectorised import STATUS_CODES, TargetArrays, evaluate_targets
from carbonsim.feasibility.verdicts import JUDGED, STATUSES
from carbonsim.inputs.coerce import as_scenario
from carbonsim.inputs.sampling import dimension_names, unit_sample
from carbonsim.inputs.scenario import Scenario
from carbonsim.model.simulation import result_dtype, simulate
from carbonsim.regions import RegionSet, regions_of
from carbonsim.sweeps import sensitivity
from carbonsim.sweeps.histogram import histogram
from carbonsim.sweeps.layout import ROWS_PER_CALL, SweepError
from carbonsim.sweeps.partials import ROW_KEYS, merge, pack
from carbonsim.sweeps.pilot import Pilot
from carbonsim.sweeps.result import SweepResult
from carbonsim.sweeps.store import DirectoryStore, MemoryStore, open_summary
from carbonsim.sweeps.summary import summarise

__all__ = [
    "FAN_INDICATORS",
    "METHODS",
    "QUANTILES",
    "SweepError",
    "SweepResult",
    "load_sweep",
    "sweep",
]

#: Sampling designs of a sweep ("saltelli": SALib's design, for Sobol' indices).
METHODS: tuple[str, ...] = ("sobol", "lhs", "random", "saltelli")
#: Trajectories summarised as quantiles per region and year (fan charts).
FAN_INDICATORS: tuple[str, ...] = (
    "co2",
    "energy_consumption",
    "non_fossil_share",
    "nonhydro_renewable_share",
    "coal_consumption",
    "energy_intensity_change",
    "co2_intensity_change",
    "new_energy_capacity",
)
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Outcomes whose sensitivity to each lever is measured, besides every binding target's margin.
KEY_OUTCOMES: tuple[str, ...] = ("co2_2030", "co2_peak_year", "non_fossil_share_2030")
#: Rows of the pilot (stream rows 0 … k-1) that fix histogram bins and outcome ranks.
PILOT_SIZE = 1024
#: Scenarios per chunk unless told: a power of two (Sobol' balance); ~5–9 s of work per core
#: here, so a million scenarios make ~250 tasks, and ~0.4 GB kept per task.
CHUNK_SIZE = 4096
#: Unless told, the chunk is halved (down to MIN_AUTO_CHUNK) until every worker thread of a Dask
#: run gets at least this many chunks, so the last chunks do not leave a worker idle.
TASKS_PER_THREAD = 4
MIN_AUTO_CHUNK = 512
#: ``simulate``'s engine chunk: temporaries of this many scenarios at a time stay in cache.
SIMULATE_CHUNK = 100
DEFAULT_BINS = 256
#: The histogram range is the pilot's range widened by this fraction of its span on each side.
RANGE_MARGIN = 0.1


# ---------------------------------------------------------------------------------------------
# what a sweep is: everything that determines its numbers (sent once to every worker)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepSpec:
    """A sweep's inputs; rows ``start … stop-1`` of chunk *i* are :meth:`bounds` (*i*)."""

    scenario: Scenario
    n: int
    seed: int
    method: str
    chunk_size: int
    years: tuple[int, ...]
    targets: tuple[Target, ...]  # the catalogue's records (a Catalogue does not pickle)
    baseline: object = None
    keep_samples: bool = False
    bins: int = DEFAULT_BINS
    dtype: str = "float64"  # of the trajectories a chunk holds (the engine computes in float64)

    @cached_property
    def regions(self) -> RegionSet:
        """The city and counties of the baseline (吴忠市 by default)."""
        return regions_of(resolve_baseline(self.baseline))

    @cached_property
    def dimensions(self) -> list[str]:
        """Names of the unit-sample columns (``lever[.county][.year]``)."""
        return dimension_names(self.scenario)

    @property
    def rows(self) -> int:
        """Scenarios simulated: *n*, or *n* (d + 2) for the Saltelli design."""
        return self.n * (len(self.dimensions) + 2) if self.method == "saltelli" else self.n

    @property
    def n_chunks(self) -> int:
        return -(-self.rows // self.chunk_size)

    @property
    def pilot_size(self) -> int:
        return min(self.rows, PILOT_SIZE)

    def bounds(self, index: int) -> tuple[int, int]:
        start = index * self.chunk_size
        return start, min(self.rows, start + self.chunk_size)

    def block(self) -> np.ndarray | None:
        """The whole unit sample for designs that cannot be drawn by rows (LHS, Saltelli)."""
        d = len(self.dimensions)
        if self.method == "lhs":
            return unit_sample(self.n, d, self.seed, "lhs")
        if self.method == "saltelli":
            return sensitivity.saltelli_rows(self.dimensions, self.n, self.seed)
        return None

    def unit_rows(self, start: int, stop: int, block: np.ndarray | None = None) -> np.ndarray:
        if block is not None:
            return block[start:stop]
        return unit_sample(stop - start, len(self.dimensions), self.seed, self.method, start)

    @cached_property
    def variables(self) -> list[str]:
        """Trajectory variables the checks, peaks and fans read (``simulate(variables=…)``)."""
        names = {*FAN_INDICATORS, *PEAK_QUANTITIES}
        for t in self.targets:
            names.update(x for x in (t.indicator, t.other_indicator) if x)
        return sorted(names)

    @cached_property
    def binding(self) -> np.ndarray:
        return np.array([t.tier == "binding" for t in self.targets])

    @cached_property
    def outcome_names(self) -> list[str]:
        ids = [t.id for t, b in zip(self.targets, self.binding, strict=True) if b]
        return [*KEY_OUTCOMES, *(f"margin:{i}" for i in ids)]

    @cached_property
    def joint_groups(self) -> dict[str, np.ndarray]:
        """Name -> target mask of the joint probabilities (all met, among evaluated ones)."""
        regions = np.array([t.region for t in self.targets])
        groups = {
            "all_binding": self.binding,
            "peaking_order": np.array([t.kind == "order" for t in self.targets]),
        }
        for region in self.regions.all:
            groups[f"all_binding_{region}"] = self.binding & (regions == region)
        return groups


# ---------------------------------------------------------------------------------------------
# one batch of rows: simulate, check, reduce
# ---------------------------------------------------------------------------------------------
@dataclass
class _Batch:
    trajectories: xr.Dataset
    result: TargetArrays
    peaks: xr.Dataset
    outcomes: np.ndarray  # (rows, outcome)


def _evaluate(spec: SweepSpec, u: np.ndarray, start: int) -> _Batch:
    """Simulate rows ``start …`` (unit draws *u*) in one call, check every target, peak years."""
    levers = spec.scenario.to_levers(unit_sample=u, start=start)
    ds = simulate(
        levers,
        spec.baseline,
        years=spec.years,
        chunk_size=SIMULATE_CHUNK,
        variables=spec.variables,
        dtype=spec.dtype,
    )
    result = evaluate_targets(ds, spec.targets, PLATEAU_TOLERANCE, AT_RISK_FRACTION)
    peaks = peak_table(ds)
    key = [
        _value_at(ds, "co2", 2030),
        peaks.peak_year.sel(region=spec.regions.city, quantity="co2").values.astype(float),
        _value_at(ds, "non_fossil_share", 2030),
    ]
    margins = result.margin[:, spec.binding]
    return _Batch(ds, result, peaks, np.column_stack([*key, margins]))


def _value_at(ds: xr.Dataset, name: str, year: int) -> np.ndarray:
    if name not in ds or year not in ds.year:
        return np.full(ds.sizes["scenario"], np.nan)
    city = regions_of(ds).city
    return np.asarray(ds[name].sel(region=city, year=year).values, dtype=float)


def _fan(ds: xr.Dataset, name: str) -> np.ndarray:
    values = ds.variables[name].transpose("scenario", "region", "year").values  # no DataArray
    return np.asarray(values, dtype=float)


def _target_counts(spec: SweepSpec, result: TargetArrays) -> dict[str, np.ndarray]:
    status = result.status  # codes into STATUSES
    counts = np.stack([(status == STATUS_CODES[s]).sum(axis=0) for s in STATUSES], axis=1)
    # joint probabilities judge what the model computed: set-by-scenario records are left out
    evaluated = np.isin(status, [STATUS_CODES[s] for s in JUDGED])
    met = result.met
    joint_met, joint_evaluated = [], []
    for mask in spec.joint_groups.values():
        ev = evaluated & mask
        any_ev = ev.any(axis=1)
        joint_evaluated.append(any_ev.sum())
        joint_met.append((any_ev & (met | ~ev).all(axis=1)).sum())
    return {
        "status_counts": counts.astype(np.int64),
        "joint_met": np.array(joint_met, dtype=np.int64),
        "joint_evaluated": np.array(joint_evaluated, dtype=np.int64),
    }


def _peak_counts(spec: SweepSpec, peaks: xr.Dataset) -> dict[str, np.ndarray]:
    years = np.asarray(spec.years)
    peak = peaks.peak_year.transpose("scenario", "quantity", "region").values
    q, r = peak.shape[1:]
    cell = np.arange(q * r).reshape(q, r)
    flat = (cell[None] * len(years) + (peak - years[0])).ravel()
    counts = np.bincount(flat, minlength=q * r * len(years)).reshape(q, r, len(years))
    by = peaks["peaked_by_2030"].transpose("scenario", "quantity", "region").values
    return {"peak_counts": counts.astype(np.int64), "peaked_by_counts": by.sum(axis=0)}


def _reduce(spec: SweepSpec, pilot: Pilot, batch: _Batch, u: np.ndarray) -> dict:
    part = {"n": np.array(u.shape[0], dtype=np.int64)}
    part.update(_target_counts(spec, batch.result))
    part.update(_peak_counts(spec, batch.peaks))
    for k, name in enumerate(pilot.indicators):
        hist = histogram(_fan(batch.trajectories, name), pilot.lo[k], pilot.hi[k], spec.bins)
        part.update({f"{key}__{name}": value for key, value in hist.items()})
    ranks = sensitivity.outcome_ranks(batch.outcomes, pilot.sorted_outcomes, pilot.outcome_count)
    part.update(sensitivity.rank_sums(u, ranks))
    if spec.keep_samples:
        part["sample_unit"] = u
        part["sample_value"] = _lever_values(spec, u)
        part["sample_margin"] = batch.result.margin
    if spec.method == "saltelli":
        part["outcomes"] = batch.outcomes
    return part


def _lever_values(spec: SweepSpec, u: np.ndarray) -> np.ndarray:
    dists = [dist for _, dist in spec.scenario.distributions]
    return np.column_stack([d.ppf(u[:, j]) for j, d in enumerate(dists)] or [u])


def _batches(start: int, stop: int):
    for a in range(start, stop, ROWS_PER_CALL):
        yield a, min(stop, a + ROWS_PER_CALL)


# ---------------------------------------------------------------------------------------------
# tasks (module-level functions: they run on Dask workers as they are)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    spec: SweepSpec
    pilot: Pilot
    pack: bool = False  # workers pack the chunk file's bytes (the driver only writes them)


def chunk_task(
    job: _Job, index: int, rows: np.ndarray | None = None, on_batch=None
) -> tuple[int, dict, bytes | None]:
    """Partial aggregates of chunk *index* (*rows*: its unit sample when drawn as a block), and
    with ``job.pack`` the bytes of its chunk file.

    The chunk is simulated in one call (in calls of at most :data:`ROWS_PER_CALL` rows), so its
    lever arrays are built once.  *on_batch*, if given, is called with the number of scenarios
    of each call done (progress).
    """
    spec = job.spec
    start, stop = spec.bounds(index)
    u_all = rows if rows is not None else spec.unit_rows(start, stop)
    total, row_parts = None, []
    for a, b in _batches(start, stop):
        u = u_all[a - start : b - start]
        part = _reduce(spec, job.pilot, _evaluate(spec, u, a), u)
        if total is None and b == stop:  # one call: the part is the chunk's
            total = part
        else:
            total = merge(total, part, unbounded=False)
            row_parts.append({k: v for k, v in part.items() if k in ROW_KEYS})
        if on_batch is not None:
            on_batch(b - a)
    for key in row_parts[0] if row_parts else ():
        total[key] = np.concatenate([p[key] for p in row_parts])
    return index, total, (pack(total) if job.pack else None)


def pilot_part(spec: SweepSpec, start: int, stop: int, rows: np.ndarray | None = None) -> dict:
    """Pilot rows ``start … stop-1``: per fan cell the range of values, and the outcomes.

    Parts of the pilot merge exactly (minima, maxima; outcomes in row order), so the pilot can
    run as several tasks, one per worker, whatever their number.
    """
    fans, outcomes, reasons, attrs = {}, [], (), {}
    for a, b in _batches(start, stop):
        u = rows[a - start : b - start] if rows is not None else spec.unit_rows(a, b)
        batch = _evaluate(spec, u, a)
        ds = batch.trajectories
        for name in (x for x in FAN_INDICATORS if x in ds):
            low, high = _cell_range(_fan(ds, name))
            if name in fans:
                low, high = np.fmin(fans[name][0], low), np.fmax(fans[name][1], high)
            fans[name] = (low, high)
            attrs[name] = {key: ds[name].attrs.get(key, "") for key in _FAN_ATTRS}
        outcomes.append(batch.outcomes)
        reasons = tuple(batch.result.reason)
    return {"fans": fans, "outcomes": np.concatenate(outcomes), "reasons": reasons, "attrs": attrs}


def make_pilot(spec: SweepSpec, parts: list[dict]) -> Pilot:
    """The :class:`Pilot` of the parts of :func:`pilot_part`, given in row order."""
    names = tuple(parts[0]["fans"])
    ranges = []
    for name in names:
        low = np.fmin.reduce([p["fans"][name][0] for p in parts])
        high = np.fmax.reduce([p["fans"][name][1] for p in parts])
        ranges.append(_bin_range(low, high))
    y = np.concatenate([p["outcomes"] for p in parts])
    ordered = np.sort(np.where(np.isfinite(y), y, np.inf).T, axis=1)
    return Pilot(
        size=spec.pilot_size,
        indicators=names,
        lo=np.array([r[0] for r in ranges]),
        hi=np.array([r[1] for r in ranges]),
        sorted_outcomes=ordered,
        outcome_count=np.isfinite(y).sum(axis=0),
        reasons=tuple(str(r) for r in parts[-1]["reasons"]),
        attrs=parts[-1]["attrs"],
    )


def pilot_task(spec: SweepSpec, rows: np.ndarray | None = None) -> Pilot:
    """Simulate rows 0 … k-1 and fix the histogram ranges and outcome ranks from them."""
    return make_pilot(spec, [pilot_part(spec, 0, spec.pilot_size, rows)])


def pilot_bounds(spec: SweepSpec, parts: int) -> list[tuple[int, int]]:
    """Rows of the pilot cut into at most *parts* consecutive pieces of near-equal size."""
    cuts = np.linspace(0, spec.pilot_size, min(parts, spec.pilot_size) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(cuts) if b > a]


_FAN_ATTRS = ("units", "long_name", "long_name_zh")


def _cell_range(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest finite value per (region, year) cell (±inf where none)."""
    low = np.fmin.reduce(np.where(np.isfinite(x), x, np.inf), axis=0)
    high = np.fmax.reduce(np.where(np.isfinite(x), x, -np.inf), axis=0)
    return low, high


def _bin_range(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[lo, hi) per (region, year): the pilot's range widened by RANGE_MARGIN of its span."""
    empty = ~np.isfinite(low)
    low, high = np.where(empty, 0.0, low), np.where(empty, 0.0, high)
    span = high - low
    pad = np.where(span > 0, RANGE_MARGIN * span, np.maximum(np.abs(low), 1.0) * 1e-9)
    return low - pad, high + pad


# ---------------------------------------------------------------------------------------------
# running chunks: in-process, or on dask.distributed with a bounded window of futures
# ---------------------------------------------------------------------------------------------
class _InProcess:
    """Chunks one after the other in this process (no Dask needed)."""

    packs = False  # the store packs the chunk file (same process)

    def pilot(self, spec, rows):
        return pilot_task(spec, rows)

    def run(self, job, todo, rows_for, on_done, on_batch=None) -> None:
        for index in todo:
            on_done(*chunk_task(job, index, rows_for(index), on_batch))

    def close(self) -> None:
        pass


#: glibc malloc: allocations above this size are mmapped (see :class:`_Dask`)
MMAP_THRESHOLD = 32 * 2**20
_PRE_SPAWN_MMAP = "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_"


class _Dask:
    """Chunks as tasks on a ``dask.distributed`` cluster (local processes or a scheduler)."""

    def __init__(self, workers: int | None, scheduler):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - the dask extra is not installed
            raise SweepError(
                "workers/scheduler need dask.distributed: pip install 'carbonsim[dask]'"
            ) from exc
        self._own = []
        if hasattr(scheduler, "submit"):
            self.client = scheduler  # a distributed.Client the caller manages
            return
        if scheduler is None:
            import logging

            import dask

            # Dask starts workers with MALLOC_TRIM_THRESHOLD_ set, which freezes glibc's mmap
            # threshold at 128 kB: every engine array becomes a fresh mmap and a chunk takes
            # twice as long.  Arrays up to 32 MB come from the heap again with this setting.
            with dask.config.set({_PRE_SPAWN_MMAP: MMAP_THRESHOLD}):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # no dashboard; the scheduler's HTTP routes on a free port, not 8787 (another
                    # cluster on this machine would make Dask warn and move it)
                    scheduler_kwargs={"dashboard_address": ":0"},
                    silence_logs=logging.ERROR,
                )
            self._own.append(cluster)
            scheduler = cluster
        self.client = Client(scheduler)  # an address, or a cluster object
        self._own.insert(0, self.client)

    packs = True  # workers pack the chunk files: the driver only writes bytes

    @property
    def threads(self) -> int:
        """Worker threads of the cluster (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def pilot(self, spec, rows):
        """The pilot as one task per worker thread (the first task also warms each worker up:
        imports, baseline, caches), merged here."""
        threads = self.threads
        shared = self.client.scatter(spec, broadcast=True, hash=False)
        futures = [
            self.client.submit(
                pilot_part, shared, a, b, None if rows is None else rows[a:b], pure=False
            )
            for a, b in pilot_bounds(spec, threads)
        ]
        return make_pilot(spec, self.client.gather(futures))

    def run(self, job, todo, rows_for, on_done) -> None:
        from distributed import as_completed

        window = 2 * self.threads
        shared = self.client.scatter(job, broadcast=True, hash=False)
        pending = iter(todo)

        def submit(index):
            return self.client.submit(chunk_task, shared, index, rows_for(index), pure=False)

        futures = as_completed([submit(i) for _, i in zip(range(window), pending, strict=False)])
        try:
            for future in futures:
                on_done(*future.result())
                future.release()
                following = next(pending, None)
                if following is not None:
                    futures.add(submit(following))
        finally:
            futures.clear()

    def close(self) -> None:
        for item in self._own:
            item.close()


class _Where:
    """Where the chunks run: in this process, or on Dask (the cluster made when first needed)."""

    def __init__(self, workers, scheduler):
        if workers is not None and scheduler is not None:
            raise SweepError(
                "give either workers (a local cluster) or scheduler (an address), not both"
            )
        if workers is not None:
            _positive(workers, "workers")
        self.workers, self.scheduler = workers, scheduler
        self._executor = None

    def threads(self) -> int:
        """Threads that run chunks: 1 in-process, the workers of a local cluster, or those of
        the scheduler's cluster (connecting to it)."""
        if self.scheduler is None:
            return self.workers or 1
        return self.executor().threads

    def executor(self):
        if self._executor is None:
            local = self.workers is None and self.scheduler is None
            self._executor = _InProcess() if local else _Dask(self.workers, self.scheduler)
        return self._executor

    def close(self) -> threading.Thread:
        """Close the executor in a thread (a cluster takes ~1.5 s to stop), started; join it."""
        closing = threading.Thread(
            target=self._executor.close if self._executor else lambda: None, name="sweep-close"
        )
        closing.start()
        return closing


def _progress_bar(enabled: bool, total: int, initial: int):
    """A tqdm bar on a terminal or in Jupyter, log lines on stderr elsewhere (``.progress``)."""
    from carbonsim.sweeps.progress import progress_bar

    return progress_bar(enabled, total, initial, desc="sweep")


# ---------------------------------------------------------------------------------------------
# the entry point
# ---------------------------------------------------------------------------------------------
def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise SweepError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def auto_chunk_size(rows: int, threads: int) -> int:
    """Scenarios per chunk when not told, for *rows* scenarios on *threads* worker threads.

    :data:`CHUNK_SIZE`, halved (a power of two, at least :data:`MIN_AUTO_CHUNK`) while some of
    the *threads* would get fewer than :data:`TASKS_PER_THREAD` chunks.  In one process
    (*threads* = 1) it is :data:`CHUNK_SIZE`.  The numbers do not depend on it.
    """
    size = CHUNK_SIZE
    while threads > 1 and size > MIN_AUTO_CHUNK and -(-rows // size) < TASKS_PER_THREAD * threads:
        size //= 2
    return size


def _untold_chunk_size(spec: SweepSpec, stored: int | None, threads) -> SweepSpec:
    """*spec* with the chunk size it takes when not told: the stored sweep's (a resume), else
    :func:`auto_chunk_size` (*threads*: a callable giving the worker threads)."""
    size = stored if stored is not None else auto_chunk_size(spec.rows, threads())
    return replace(spec, chunk_size=_positive(size, "the stored chunk_size"))


def _spec(scenario_or_path, n, seed, method, chunk_size, **rest) -> SweepSpec:
    if method not in METHODS:
        raise SweepError(
            f"unknown sweep method {method!r}; choose one of {', '.join(METHODS)}."
            + did_you_mean(str(method), METHODS)
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**128:
        raise SweepError(f"seed must be an integer in [0, 2**128), got {seed!r}")
    regions = regions_of(resolve_baseline(rest.get("baseline")))
    scenario = as_scenario(scenario_or_path, regions, "sweep")
    targets = rest.pop("targets")
    if not isinstance(targets, Catalogue):
        targets = load_targets(targets)
    targets = tuple(targets)
    try:  # named as simulate() accepts it: "float32", np.float32 ...
        dtype = result_dtype(rest.pop("dtype", "float64")).name
    except LeverError as error:
        raise SweepError(str(error)) from None
    return SweepSpec(
        dtype=dtype,
        scenario=scenario,
        n=_positive(n, "n"),
        seed=int(seed),
        method=method,
        chunk_size=CHUNK_SIZE if chunk_size is None else _positive(chunk_size, "chunk_size"),
        targets=targets,
        bins=_positive(rest.pop("bins"), "bins"),
        years=tuple(int(y) for y in rest.pop("years")),
        **rest,
    )


def sweep(
    scenario_or_path,
    n: int,
    seed: int = 0,
    method: str = "sobol",
    chunk_size: int | None = None,
    out: str | os.PathLike | None = None,
    workers: int | None = None,
    scheduler=None,
    resume: bool = False,
    keep_samples: bool = False,
    targets=None,
    baseline=None,
    years=range(DEFAULT_YEARS[0], DEFAULT_YEARS[-1] + 1),
    progress: bool = True,
    *,
    overwrite: bool = False,
    bins: int = DEFAULT_BINS,
    dtype: str = "float64",
) -> SweepResult:
    """Sample, simulate and check many scenarios; probabilities, peak years, fans, drivers.

    Parameters
    ----------
    scenario_or_path : Scenario or path
        A scenario with distributions (e.g. ``scenarios/uncertainty.toml``).
    n : int
        Scenarios to sample.  With ``method="saltelli"``: SALib's base sample *N*; the sweep
        then simulates ``N (d + 2)`` scenarios (d: number of distributions).
    seed : int
        Seed of the unit sample; the same seed gives the same numbers whatever the chunking.
    method : {"sobol", "lhs", "random", "saltelli"}
        Design of the unit sample (see ``docs/sweeps.md``).  Sobol' balance is best with *n* and
        the chunk size powers of two; other sizes are valid (no warning is raised).
    chunk_size : int, optional
        Scenarios per chunk: the unit of work (a Dask task) and of checkpointing.  A chunk is
        simulated in calls of at most 4096 rows (~0.4 GB kept per worker at most, whatever
        the chunk size).  Default: a resumed sweep's own; else 4096, halved (down to 512)
        until every worker thread gets at least 4 chunks (:func:`auto_chunk_size`).  The
        numbers do not depend on it.
    out : path, optional
        Folder of the Zarr summary store; chunk partials, manifest and ``summary.csv`` go in it.
        Without it the sweep runs in memory and cannot be resumed.
    workers : int, optional
        Run chunks on a local Dask cluster of this many single-threaded worker processes.
    scheduler : str, distributed.Client or cluster, optional
        Run chunks on an existing Dask cluster: its scheduler address (``"tcp://host:8786"``),
        a client (left open) or a cluster object.
    resume : bool
        Continue the sweep in *out*: only missing chunks are computed.  Refused if the
        scenario content, n, seed, method, chunk size (or targets, baseline, years) differ.
    keep_samples : bool
        Also keep per scenario the unit sample, the lever values and every target's margin
        (variables ``sample_*``; ~1 kB per scenario).
    targets : Catalogue or path, optional
        Default: the bundled Wuzhong catalogue.
    baseline : xarray.Dataset or path, optional
        Default: the bundled 2020 calibration.
    years : iterable of int
        Simulated years (default 2020–2060).
    progress : bool
        Show progress: a bar on a terminal (per call of up to 4096 rows in-process, per chunk on
        Dask) or
        in Jupyter, else a log line on stderr every 10 s (done, rate, ETA;
        ``CARBONSIM_PROGRESS_INTERVAL`` sets the seconds).  ``False`` silences both.
    overwrite : bool
        Start again in an *out* that already holds a sweep (its chunks are deleted).
    bins : int
        Histogram bins per (indicator, region, year) for the quantiles (default 256).
    dtype : {"float64", "float32"} or numpy float type
        Float type of the trajectories a chunk holds while it is checked and reduced
        (``simulate(dtype=…)``): float32 halves a worker's largest array (~0.2 instead of
        ~0.4 GB for a chunk of 4096).  The engine computes in float64 either way; each value
        is rounded once (relative error at most 2**-24), so a verdict can differ from float64
        only where its margin is within that rounding of zero (docs/sweeps.md).

    Returns
    -------
    SweepResult
        ``.summary`` (xarray.Dataset), ``.probabilities()``, ``.sensitivity()``, …

    Raises
    ------
    SweepError
        Bad arguments, or a resume that does not match the stored sweep (naming what differs).
    """
    spec = _spec(
        scenario_or_path,
        n,
        seed,
        method,
        chunk_size,
        targets=targets,
        baseline=baseline,
        years=years,
        keep_samples=bool(keep_samples),
        bins=bins,
        dtype=dtype,
    )
    where = _Where(workers, scheduler)
    store = DirectoryStore(Path(out)) if out is not None else MemoryStore()
    try:
        if chunk_size is None:
            stored = store.stored("chunk_size") if resume else None
            spec = _untold_chunk_size(spec, stored, where.threads)
        done = store.start(spec, resume=resume, overwrite=overwrite)
    except BaseException:
        where.close().join()
        raise
    closing = None
    try:  # the store holds a lock on out until it is finished or this fails
        try:
            computed = _run(spec, store, done, where.executor(), progress)
        finally:
            closing = where.close()  # the cluster stops while the summary is written
        summary = summarise(spec, store.pilot, store.totals(), store, QUANTILES)
        return store.finish(summary, computed=computed, reused=len(done))
    finally:
        if closing is not None:
            closing.join()
        store.close()


def load_sweep(out: str | os.PathLike) -> SweepResult:
    """A finished sweep folder as a :class:`SweepResult` (per-scenario arrays stay on disk)."""
    path = Path(out)
    manifest = path / "manifest.json"
    if not manifest.is_file() or not (path / ".zmetadata").is_file():
        raise SweepError(
            f"{path} holds no finished sweep (no manifest.json or summary); run it, or resume "
            "it with resume=True (--resume) to write the summary"
        )
    summary = open_summary(path)
    return SweepResult(summary, path, computed=(), reused=int(summary.attrs["n_chunks"]))


def _run(spec: SweepSpec, store, done: set[int], executor, progress: bool) -> list[int]:
    block = spec.block()
    if store.pilot is None:
        rows = None if block is None else block[: spec.pilot_size]
        store.save_pilot(executor.pilot(spec, rows))
    todo = [i for i in range(spec.n_chunks) if i not in done]
    store.log("run", todo=todo, reused=len(done))
    initial = sum(stop - start for start, stop in map(spec.bounds, done))
    computed = []
    with _progress_bar(progress, spec.rows, initial) as bar:
        shown = [0]  # scenarios of the running chunk already counted batch by batch

        def on_batch(n: int) -> None:
            shown[0] += n
            bar.update(n)

        def on_done(index: int, part: dict, packed: bytes | None) -> None:
            store.add(index, part, packed)
            computed.append(index)
            bar.update(int(part["n"]) - shown[0])
            shown[0] = 0

        def rows_for(index: int):
            return None if block is None else block[slice(*spec.bounds(index))]

        job = _Job(spec, store.pilot, pack=executor.packs and store.out is not None)
        if isinstance(executor, _InProcess):  # in this process: the bar moves per batch
            executor.run(job, todo, rows_for, on_done, on_batch)
        else:  # on Dask workers: per chunk
            executor.run(job, todo, rows_for, on_done)
    store.log("finished", computed=sorted(computed))
    return sorted(computed)
