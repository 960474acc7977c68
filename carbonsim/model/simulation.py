"""The model's entry points: :func:`simulate` (any input) and :func:`simulate_arrays` (arrays).

Validate and coerce the input (:mod:`carbonsim.inputs`), build the lever arrays
(:mod:`~carbonsim.model.arrays`), call the engine in chunks, wrap the result
(:mod:`~carbonsim.model.wrap`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

from carbonsim import engine
from carbonsim.baseline.cache import resolve_baseline
from carbonsim.constants import DEFAULT_YEARS
from carbonsim.definitions.levers import lever_table
from carbonsim.engine.axes import CO2_BASES
from carbonsim.engine.power import ACCOUNTINGS
from carbonsim.errors import LeverError
from carbonsim.inputs.coerce import as_batch
from carbonsim.inputs.values import check_bounds, check_years
from carbonsim.model.arrays import batch_arrays, check_share_groups
from carbonsim.model.history import HistoryOption
from carbonsim.model.parameters import engine_parameters
from carbonsim.model.wrap import wrap
from carbonsim.regions import regions_of

__all__ = ["DTYPES", "METHODS", "result_dtype", "simulate", "simulate_arrays"]

METHODS = ("coal_equivalent", "calorific")
#: the float types results can be returned in (the engine computes in float64 either way)
DTYPES = ("float64", "float32")


def _check_options(method: str, co2_basis: str, accounting: str) -> None:
    for name, value, choices in (
        ("method", method, METHODS),
        ("co2_basis", co2_basis, CO2_BASES),
        ("accounting", accounting, ACCOUNTINGS),
    ):
        if value not in choices:
            raise LeverError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")


def result_dtype(dtype) -> np.dtype:
    """The float type of the results: float64 (default) or float32, named or as a type.

    Raises
    ------
    LeverError
        For any other type (the message names the two accepted).
    """
    try:
        kind = np.dtype(dtype)
    except TypeError:
        kind = None
    if kind is None or kind.name not in DTYPES:
        raise LeverError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    return kind


def simulate(
    levers_or_scenario=None,
    baseline: xr.Dataset | str | os.PathLike | None = None,
    years: Iterable[int] = DEFAULT_YEARS,
    method: str = "coal_equivalent",
    chunk_size: int = 100,
    variables: Sequence[str] | None = None,
    co2_basis: str = "consumption",
    accounting: str = "grid_attributed",
    history: HistoryOption = True,
    dtype="float64",
) -> xr.Dataset:
    """Simulate one or many scenarios.

    Parameters
    ----------
    levers_or_scenario : dict, Scenario, list of Scenario, path, or None
        Lever values (see :mod:`carbonsim.inputs.values` for accepted forms), a scenario,
        several scenarios (one batch), or a scenario file.  None: every lever at its default (2020
        values, no growth).
    baseline : xarray.Dataset or path, optional
        The 2020 calibration (default: the bundled Wuzhong one, :func:`carbonsim.load_baseline`).
    years : iterable of int
        Simulated years, consecutive, starting in 2020 (default 2020–2060).
    method : {"coal_equivalent", "calorific"}
        Primary-energy method for non-fossil electricity (发电煤耗法 or 电热当量法).
    chunk_size : int
        Scenarios per engine call; bounds temporary memory, does not change results.
    variables : list of str, optional
        Keep only these trajectory variables (for big batches: ``final_energy`` alone is
        ~180 kB per scenario).  Default: all.  Only what they need is computed: the optional
        parts of the engine (sinks, primary energy by sector, ratios) when none asks for them,
        and when no variable asked for needs the hourly dispatch
        (:data:`carbonsim.engine.core.NO_DISPATCH`: the demand side — GDP, final energy,
        electricity demand, floor area, vehicles, output, population, sinks — and the
        installed capacity with its ratios) no dispatch or energy and CO2 balance either
        (3–5× faster).  Each variable is the same, bit for bit, whatever else is asked for.
    co2_basis : {"consumption", "assessment", "territorial"}
        The CO2 account behind ``co2`` and every CO2 target (see docs/model.md).  All three
        accounts are always returned as ``co2_consumption``, ``co2_assessment`` and
        ``co2_territorial``.
    accounting : {"grid_attributed", "local_first"}
        How the electricity consumed is booked, behind ``nonhydro_renewable_share``, the
        non-fossil shares and the CO2 of electricity (docs/model.md); both readings of the
        renewable share are always returned (``nonhydro_renewable_share_grid_attributed``,
        ``nonhydro_renewable_share_local_first``).
    history : bool, path or DataFrame
        Observed history the scenarios start from (docs/scenarios.md): ``True`` (default) the
        bundled table (``carbonsim/data/history/history.csv``), a path or DataFrame another
        table, ``False`` none — the years up to the last observed one are simulated from the
        levers (what :func:`carbonsim.hindcast` does).
    dtype : {"float64", "float32"}
        Float type of the returned variables.  The engine computes in float64 either way;
        ``"float32"`` rounds each result once to the nearest float32 (relative error at most
        2**-24 ≈ 6e-8) for half the memory: big batches and sweeps (docs/sweeps.md).

    Returns
    -------
    xarray.Dataset
        Dims ``(scenario, region, year)`` plus ``sector``, ``fuel``, ``tech`` … where they apply;
        ``region`` = the city (sum of counties) and its counties (Wuzhong's five by default;
        another city's from its baseline, see :func:`carbonsim.regions.regions_of`).  Units and
        bilingual long names in every variable's attrs.

    Examples
    --------
    >>> import carbonsim
    >>> ds = carbonsim.simulate({"gdp_growth": 0.05, "solar_capacity": {"yanchi": {2030: 8}}})
    >>> float(ds.gdp.sel(region="wuzhong", year=2021) / ds.gdp.sel(region="wuzhong", year=2020))
    1.05...
    """
    _check_options(method, co2_basis, accounting)
    kind = result_dtype(dtype)
    years = check_years(years)  # the horizon rule of the files and the command line
    ds = resolve_baseline(baseline)
    regions = regions_of(ds)
    batch = as_batch(levers_or_scenario, regions)
    arrays = batch_arrays(batch, years, ds, history)
    params = engine_parameters(ds)
    options = (method, co2_basis, accounting)
    out = _run_chunked(arrays, params, options, batch.n, chunk_size, variables, kind)
    attrs = {**batch.attrs, "co2_basis": co2_basis, "renewable_accounting": accounting}
    attrs["history"] = _history_attr(history)
    return wrap(out, arrays, params, batch.ids, years, method, attrs, variables, regions, kind)


def simulate_arrays(
    arrays: Mapping[str, np.ndarray],
    ids: Sequence[str],
    years: Sequence[int],
    baseline=None,
    method: str = "coal_equivalent",
    chunk_size: int = 100,
    validate: bool = True,
    variables: Sequence[str] | None = None,
    co2_basis: str = "consumption",
    accounting: str = "grid_attributed",
    dtype="float64",
) -> xr.Dataset:
    """Simulate from full lever arrays (as :func:`lever_arrays` returns them).

    For callers that build batches themselves (perturbations, sweeps, optimisers).  With
    *validate* the bounds and share groups are checked as in :func:`simulate`; *dtype* as there.
    """
    ds = resolve_baseline(baseline)
    years = [int(y) for y in years]
    arrays = dict(arrays)
    regions = regions_of(ds)
    if validate:
        table = lever_table()
        for name, arr in arrays.items():
            check_bounds(table[name], arr, years, regions.counties)
        check_share_groups(arrays, years, regions.counties)
    params = engine_parameters(ds)
    _check_options(method, co2_basis, accounting)
    kind = result_dtype(dtype)
    options = (method, co2_basis, accounting)
    out = _run_chunked(arrays, params, options, len(ids), chunk_size, variables, kind)
    attrs = {"co2_basis": co2_basis, "renewable_accounting": accounting}
    return wrap(out, arrays, params, list(ids), years, method, attrs, variables, regions, kind)


def _history_attr(history) -> str:
    """How the history option is recorded in the result's attrs."""
    if history is True or history is None:
        return "bundled"
    if history is False:
        return "off"
    return "custom" if not isinstance(history, str | os.PathLike) else str(history)


def _run_chunked(arrays, params, options, n, chunk_size, variables=None, dtype=np.float64):
    """Engine results for *n* scenarios, computed *chunk_size* at a time.

    The result buffers are allocated once, from the first chunk's shapes, and every later chunk
    writes into its slice of them: peak memory is the result plus one chunk's temporaries, and
    a chunk small enough to stay in cache reuses the same temporaries instead of faulting in
    fresh memory each time.  With a float32 *dtype* the engine still computes in float64, into
    one chunk's float64 scratch buffers (reused, like the result buffers), and each chunk is
    rounded once into the float32 results: every result is its float64 value rounded to nearest.
    A single chunk is returned as the engine made it (:func:`wrap` rounds it).
    """
    keep = None if variables is None else frozenset({*variables, *_WEIGHTS})
    method, co2_basis, accounting = options
    into = np.dtype(dtype) == np.float64  # the engine writes into the results themselves
    out: dict[str, np.ndarray] = {}
    scratch: dict[str, np.ndarray] = {}
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        chunk = arrays if stop - start == n else {k: v[start:stop] for k, v in arrays.items()}
        if into:
            views = {k: v[start:stop] for k, v in out.items()}
        else:
            views = {k: v[: stop - start] for k, v in scratch.items()}
        piece = engine.run(chunk, params, method, co2_basis, accounting, out=views, keep=keep)
        if not out:
            if stop == n:
                return piece
            out = {k: np.empty((n, *v.shape[1:]), _kind(k, v, dtype)) for k, v in piece.items()}
            if not into:
                scratch = {k: np.empty((chunk_size, *v.shape[1:])) for k, v in piece.items()}
        if start == 0 or not into:
            for k, v in piece.items():
                out[k][start:stop] = v
    return out


#: engine outputs that weight a lever reported as a trajectory (the city's NEV sales share, see
#: :func:`~carbonsim.model.wrap.lever_variables`): kept, in float64 until :func:`wrap` rounds them
_WEIGHTS = ("vehicle_stock",)


def _kind(name: str, array: np.ndarray, dtype) -> np.dtype:
    """*dtype* for a float64 result (not a weight), the result's own type otherwise."""
    return np.dtype(dtype) if array.dtype == np.float64 and name not in _WEIGHTS else array.dtype
