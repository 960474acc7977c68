"""Hourly power dispatch on representative days (merit order, storage with a day-ahead reserve).

numpy + numba only.  This module: the public ``dispatch()`` (argument checks, de-duplication,
derived outputs); the compiled element loop is :mod:`carbonsim.engine.dispatch_kernel`, the
storage rules and the reserve fixed-point solver :mod:`carbonsim.engine.dispatch_storage`.

One *batch element* is one (scenario, year) system: capacities, annual
energies, storage, the UHVDC schedule and the grid exchange limit.  Every
element is dispatched independently, hour by hour, on the same D
representative days x H = 24 hours.  Hourly load and VRE output are formed
inside the compiled loop from annual energies x mean-1 shapes, so no
(N, D, H) array is ever created; memory is O(N x number of outputs).

The dispatch rule (a merit order with a day-ahead storage reserve; equations in
docs/dispatch-notes.md):

1.  available wind/solar  w = min(cap * hours/8760 * shape, cap);
    load  L = sum_c demand_c/8760*1000 * shape_c  [GW];
    UHVDC X = uhvdc_twh/8760*1000, renewable part XR = r X, fossil part XF.
2.  VRE serves local load first, then the UHVDC renewable part.
    (Exception: must-run output that can be neither used locally nor exported
    takes local load back from VRE rather than being dumped.)
3.  Must-run (hydro, biomass, thermal min-stable) serves the remaining local
    load; then storage discharge (default; ``storage_before_band=False``: after
    the band), then the scheduled thermal band, then thermal ramp-up (coal,
    then gas) to capacity, then imports up to the grid limit, then unserved.
4.  Surplus VRE: exports go must-run first, then VRE, then the scheduled
    thermal band (the band is backed down to make room).  Storage (battery,
    then pumped hydro) always charges from the VRE surplus that cannot be
    exported, and from exportable surplus up to its *reserve target* (below);
    ``charge_before_export=True`` (the literal brief) offers it all surplus.
    VRE left over is curtailed; must-run left over is ``thermal_curtailed``.
5.  Storage discharges, battery then pumped hydro, into (a) the local deficit,
    (b) the UHVDC renewable shortfall (together: the high-value need), always;
    (c) grid export room left by must-run and VRE exports, only with the charge
    above its *keep level*.  It is only ever charged from VRE.
6.  Reserve (``reserve=True``, one day of foresight): the target R_h is the
    SOC needed at the end of hour h for the high-value need of the rest of the
    cyclic day if every later surplus hour can recharge; the keep level K_h the
    same if only non-exportable surplus recharges (K >= R).  With no need in a
    day R = K = 0 and the rule is the plain greedy one (``reserve=False``, kept
    bit for bit).  See ``docs/dispatch-notes.md``.
7.  One-way efficiency sqrt(round-trip) on charge and on discharge; every
    representative day is cyclic: the start SOC is the exact fixed point of
    the day map (closed form for a clip map, ``_fixed_point``; the least fixed
    point of the piecewise-linear map with a reserve, ``_reserve_start``), so
    results do not depend on day order.

Determinism: each batch element is computed by exactly the same sequence of
floating-point operations whatever the thread count (no cross-element
reductions, no fastmath), so ``parallel=True`` is bit-identical to serial.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit

from carbonsim.constants import TWH_PER_GWH
from carbonsim.engine.arith import ratio
from carbonsim.engine.dispatch_kernel import (
    ACC,
    DAYS_PER_YEAR,
    H_PER_DAY,
    HOURLY,
    HOURS_PER_YEAR,
    NACC,
    NREC,
    P_BAT_GWH,
    P_PHS_GWH,
    PARAMS,
    _batch_parallel,
    _batch_serial,
    _single_recorded,
)

__all__ = ["HOURLY", "OUTPUTS", "PARAMS", "dispatch"]

# final outputs (all (N,), [TWh/yr] unless stated in NOTES.md)
OUTPUTS = (
    *ACC,
    "curtailment_rate",
    "cycles_battery",
    "cycles_phs",
    "local_renewable_share",
    "local_renewable_share_nonhydro",
    "local_nonfossil_share",
    "local_vre_share",
)


# ---------------------------------------------------------------------------
def _rows(names, values, n):
    """The arguments *values* (each (n,) or a scalar) as rows of one (len(names), n) array,
    checked: finite and non-negative (the message names the first that is not)."""
    out = np.empty((len(names), n))
    for j, (name, x) in enumerate(zip(names, values, strict=True)):
        a = np.asarray(x, dtype=np.float64)
        if a.ndim and a.shape != (n,):
            raise ValueError(f"{name}: expected shape ({n},) or scalar, got {a.shape}")
        out[j] = a
    _require(np.isfinite(out).all(axis=1), names, "{}: non-finite values")
    _require((out >= 0).all(axis=1), names, "{} must be non-negative")
    return out


def _require(ok, names, message):
    """ValueError *message* (``{}``: the name) for the first of *names* whose *ok* is False."""
    if not ok.all():
        raise ValueError(message.format(names[int(np.argmin(ok))]))


def _checked_shapes(shapes, keys, wts, tol):
    """The (len(keys), D, 24) shapes of *keys*, checked: present, finite, >= 0, weighted mean 1.

    Shapes that cannot change (read-only arrays owning their data, as the bundled profiles are)
    are checked once per set of arrays, weights and tolerance; the result is kept (never written).
    """
    given = tuple(shapes.get(k) for k in keys)
    if all(_unchangeable(a) for a in given):
        key = (tuple(keys), tuple(map(id, given)), wts.tobytes(), tol)
        hit = _CHECKED_SHAPES.get(key)
        if hit is None:
            if len(_CHECKED_SHAPES) >= 16:
                _CHECKED_SHAPES.clear()
            hit = _CHECKED_SHAPES[key] = (given, _check_shapes(shapes, keys, wts, tol))
        return hit[1]
    return _check_shapes(shapes, keys, wts, tol)


#: (keys, array ids, weights, tolerance) -> (the arrays, kept alive; their checked stack)
_CHECKED_SHAPES: dict[tuple, tuple] = {}


def _unchangeable(a) -> bool:
    return isinstance(a, np.ndarray) and not a.flags.writeable and a.base is None


def _check_shapes(shapes, keys, wts, tol):
    D = wts.size
    out = np.empty((len(keys), D, H_PER_DAY))
    for j, key in enumerate(keys):
        if key not in shapes:
            raise KeyError(f"shapes has no {key!r}")
        a = np.asarray(shapes[key], dtype=np.float64)
        if a.shape != (D, H_PER_DAY):
            raise ValueError(f"shapes[{key!r}]: expected ({D}, {H_PER_DAY}), got {a.shape}")
        out[j] = a
    names = [f"shapes[{k!r}]" for k in keys]
    flat = out.reshape(len(keys), -1)
    _require(np.isfinite(flat).all(axis=1) & (flat >= 0).all(axis=1), names,
             "{} must be finite and non-negative")  # fmt: skip
    mean = out.sum(axis=2) @ wts / (DAYS_PER_YEAR * H_PER_DAY)
    bad = np.abs(mean - 1.0) > tol
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(f"{names[j]} weighted mean is {float(mean[j])!r}, expected 1")
    return out


def _checked_weights(weights, tol):
    """The day weights (D,), checked: 1-D, non-empty, finite, >= 0, summing to 365."""
    wts = np.array(weights, dtype=np.float64)  # a copy: the kernel's own (writeable) array
    if wts.ndim != 1 or wts.size == 0:
        raise ValueError("weights must be a non-empty 1-D array")
    if np.any(wts < 0) or not np.all(np.isfinite(wts)):
        raise ValueError("weights must be finite and non-negative")
    if abs(wts.sum() - DAYS_PER_YEAR) > tol * DAYS_PER_YEAR:
        raise ValueError(f"weights must sum to 365, got {wts.sum()!r}")
    return wts


def _checked_demand(demand, classes, n):
    """The demand of each class as an (n, class) array [TWh/yr], checked: finite, >= 0."""
    names = [f"demand[{k!r}]" for k in classes]
    return np.ascontiguousarray(_rows(names, [demand[k] for k in classes], n).T)


def _checked_params(locs, n):
    """The per-element parameters (``PARAMS`` order) as rows of one (P, n) array, checked."""
    prm = _rows(PARAMS, [locs[k] for k in PARAMS], n)
    row = {k: j for j, k in enumerate(PARAMS)}
    hours = [f"{t}_hours" for t in ("wind", "solar", "hydro", "biomass", "coal", "gas")]
    _require((prm[[row[k] for k in hours]] <= HOURS_PER_YEAR).all(axis=1), hours,
             "{} must be <= 8760")  # fmt: skip
    unit = ["coal_min_stable", "gas_min_stable", "uhvdc_renewable_share"]
    _require((prm[[row[k] for k in unit]] <= 1).all(axis=1), unit, "{} must be in [0, 1]")
    for k, cap in (("battery_eff", "battery_gw"), ("phs_eff", "phs_gw")):
        e = prm[row[k]]
        if np.any(e > 1) or np.any((e <= 0) & (prm[row[cap]] > 0)):
            raise ValueError(f"{k} must be in (0, 1] where storage exists")
        # efficiency of absent storage is irrelevant; avoid sqrt(0) divisions
        np.copyto(e, 1.0, where=e <= 0)
    return prm


#: dispatch distinct systems once only when at least this share of the batch repeats another
#: element (finding them costs ~0.1-0.2 µs per element, one element's dispatch ~10-40 µs)
DEDUP_MIN_SHARE = 0.02


@njit(cache=True, error_model="numpy")
def _row_hashes(rows):
    """A 64-bit hash (FNV-1a style, with a shift mix) of each row of *rows* (uint64 bits)."""
    n, m = rows.shape
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        h = np.uint64(0xCBF29CE484222325)
        for j in range(m):
            h = (h ^ rows[i, j]) * np.uint64(0x100000001B3)
            h ^= h >> np.uint64(31)
        out[i] = h
    return out


@njit(cache=True, error_model="numpy")
def _same_rows(rows, first, inverse):
    """True if every row equals (bit for bit) the first row of its group."""
    for i in range(rows.shape[0]):
        k = first[inverse[i]]
        if k != i:
            for j in range(rows.shape[1]):
                if rows[i, j] != rows[k, j]:
                    return False
    return True


def _distinct(prm, dem):
    """(first, inverse) of the distinct elements of the batch, or (None, None).

    Elements are grouped by a hash of their inputs' bit patterns, then every element is compared
    exactly with its group's first one, so a hash collision only turns the de-duplication off
    (it never merges different systems).  (None, None) when fewer than DEDUP_MIN_SHARE repeat.
    """
    n = dem.shape[0]
    if n < 2:
        return None, None
    rows = np.empty((n, len(prm) + dem.shape[1]))
    for j, a in enumerate(prm):
        rows[:, j] = a
    rows[:, len(prm) :] = dem
    rows = rows.view(np.uint64)
    h = _row_hashes(rows)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(hs[1:], hs[:-1], out=new_group[1:])
    if new_group.sum() > (1.0 - DEDUP_MIN_SHARE) * n:
        return None, None
    first = order[new_group]  # stable sort: the first element of each group
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.cumsum(new_group) - 1
    if not _same_rows(rows, first, inverse):
        return None, None
    return first, inverse


def dispatch(
    shapes,
    weights,
    demand,
    wind_gw,
    solar_gw,
    wind_hours,
    solar_hours,
    hydro_gw,
    hydro_hours,
    biomass_gw,
    biomass_hours,
    coal_gw,
    coal_hours,
    coal_min_stable,
    gas_gw,
    gas_hours,
    gas_min_stable,
    battery_gw,
    battery_gwh,
    battery_eff,
    phs_gw,
    phs_gwh,
    phs_eff,
    uhvdc_twh,
    uhvdc_renewable_share,
    grid_limit_gw,
    hourly_index=None,
    *,
    parallel=False,
    storage_before_band=True,
    charge_before_export=False,
    reserve=True,
    deduplicate=True,
    shape_tol=1e-6,
):
    """Greedy hourly dispatch on representative days for a batch of N systems.

    Parameters: see module docstring / NOTES.md.  Every per-element argument
    is an (N,) array or a scalar (broadcast).  ``shapes`` is a dict of (D, 24)
    arrays with weighted mean 1 (keys "wind", "solar" and one per demand class);
    ``weights`` (D,) sum to 365; ``demand`` dict class -> (N,) [TWh/yr].

    Keyword-only extras: ``parallel`` (prange over batch chunks; results are
    bit-identical to serial), ``storage_before_band``, ``charge_before_export``
    (rule variants, see ``docs/dispatch-notes.md``), ``reserve`` (storage keeps a
    day-ahead reserve for the local deficit and the UHVDC renewable shortfall;
    False: the earlier greedy rule, bit for bit), ``deduplicate`` (dispatch
    bit-identical elements once; results unchanged), ``shape_tol`` (tolerance
    of the mean-1 and sum-365 checks).

    Returns dict of (N,) arrays (see ``OUTPUTS``); with ``hourly_index=k`` also
    "hourly_<flow>" (D, 24) [GW] for element k (see ``HOURLY``).
    """
    # ---- representative days ------------------------------------------------
    wts = _checked_weights(weights, shape_tol)
    D = wts.size
    if not isinstance(shapes, dict) or not isinstance(demand, dict):
        raise TypeError("shapes and demand must be dicts")

    classes = list(demand)
    if not classes:
        raise ValueError("demand must have at least one class")
    both = _checked_shapes(shapes, ("wind", "solar"), wts, shape_tol)
    wsh, ssh = both[0], both[1]

    # ---- batch size -----------------------------------------------------------
    sizes = {np.asarray(v).size for v in demand.values() if np.ndim(v) > 0}
    locs = dict(
        wind_gw=wind_gw,
        solar_gw=solar_gw,
        wind_hours=wind_hours,
        solar_hours=solar_hours,
        hydro_gw=hydro_gw,
        hydro_hours=hydro_hours,
        biomass_gw=biomass_gw,
        biomass_hours=biomass_hours,
        coal_gw=coal_gw,
        coal_hours=coal_hours,
        coal_min_stable=coal_min_stable,
        gas_gw=gas_gw,
        gas_hours=gas_hours,
        gas_min_stable=gas_min_stable,
        battery_gw=battery_gw,
        battery_gwh=battery_gwh,
        battery_eff=battery_eff,
        phs_gw=phs_gw,
        phs_gwh=phs_gwh,
        phs_eff=phs_eff,
        uhvdc_twh=uhvdc_twh,
        uhvdc_renewable_share=uhvdc_renewable_share,
        grid_limit_gw=grid_limit_gw,
    )
    sizes |= {np.asarray(v).size for v in locs.values() if np.ndim(v) > 0}
    if len(sizes) > 1:
        raise ValueError(f"inconsistent batch sizes {sorted(sizes)}")
    n = sizes.pop() if sizes else 1
    prm = tuple(_checked_params(locs, n))  # rows of one C-contiguous block

    dem = _checked_demand(demand, classes, n)
    lsh = _checked_shapes(shapes, classes, wts, shape_tol)

    # ---- run ----------------------------------------------------------------
    flags = (1 if storage_before_band else 0) | (0 if charge_before_export else 2)
    flags |= 4 if reserve else 0
    first, inverse = _distinct(prm, dem) if deduplicate else (None, None)
    if first is not None:  # dispatch each distinct system once
        run_prm = tuple(np.ascontiguousarray(a[first]) for a in prm)
        run_dem = np.ascontiguousarray(dem[first])
    else:
        run_prm, run_dem = prm, dem
    m = run_dem.shape[0]
    out = np.empty((NACC, m))
    if parallel and m > 1:
        nchunk = min(m, 8 * get_num_threads())
        _batch_parallel(wsh, ssh, lsh, wts, run_dem, run_prm, out, nchunk, flags)
    else:
        _batch_serial(wsh, ssh, lsh, wts, run_dem, run_prm, out, flags)
    if first is not None:
        out = out[:, inverse]

    res = {k: out[j] for j, k in enumerate(ACC)}

    res["curtailment_rate"] = ratio(res["curtailment"], res["vre_available"])
    res["cycles_battery"] = ratio(res["storage_discharge_battery"] / TWH_PER_GWH, prm[P_BAT_GWH])
    res["cycles_phs"] = ratio(res["storage_discharge_phs"] / TWH_PER_GWH, prm[P_PHS_GWH])
    nonhydro = res["vre_local"] + res["biomass_local"]
    res["local_renewable_share_nonhydro"] = ratio(nonhydro, res["local_load"])
    res["local_renewable_share"] = res["local_renewable_share_nonhydro"]
    res["local_nonfossil_share"] = ratio(nonhydro + res["hydro_local"], res["local_load"])
    res["local_vre_share"] = ratio(res["vre_local"], res["local_load"])

    if hourly_index is not None:
        k = int(hourly_index)
        if not 0 <= k < n:
            raise IndexError(f"hourly_index {k} out of range for N={n}")
        acc = np.empty(NACC)
        rec = np.empty((NREC, D, H_PER_DAY))
        _single_recorded(k, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags)
        for j, name in enumerate(HOURLY):
            res["hourly_" + name] = rec[j]
    return res
