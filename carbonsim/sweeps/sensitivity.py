"""Which sampled levers drive an outcome: rank correlations from mergeable sums, Sobol' indices.

Two measures, both over the columns of a sweep's unit sample (one column per distribution of
the scenario, named by :func:`carbonsim.inputs.sampling.dimension_names`):

* **Spearman rank correlation**, on any sweep, computed from per-chunk integer sums so that it
  works for a million scenarios in bounded memory and does not depend on the chunking:

  - the rank of an *input* is its unit draw ``u`` itself: every lever value is ``F⁻¹(u)``, a
    non-decreasing map, so ``u`` is the input's (population) rank, exactly;
  - the rank of an *outcome* ``y`` is its mid-rank within the sweep's pilot sample (the first
    ``k ≤ 1024`` scenarios of the stream): ``G(y) = (#pilot < y + ½ #pilot = y) / k``, an
    estimate of the outcome's CDF fixed before the first chunk runs;
  - both are rounded down to multiples of 2⁻¹⁶ (integers), the sums ``Σu, Σu², Σg, Σg², Σug``
    are kept as integers per chunk and added exactly, and ``ρ`` is Pearson's correlation of
    ``(u, G(y))`` computed once from the totals.  Rows where the outcome is NaN are left out
    (pairwise complete); a constant outcome has ``ρ = NaN``.

  This is Spearman's ρ up to the pilot's resolution of the outcome's CDF (1/k): the population
  value it estimates is ``corr(F_X(X), F_Y(Y))``.
* **Sobol' indices** (first order ``S1`` and total ``ST``, with 95 % confidence half-widths) by
  SALib (:func:`SALib.sample.sobol.sample`, :func:`SALib.analyze.sobol.analyze`) when a sweep is
  run with ``method="saltelli"``: the unit sample is then SALib's Saltelli design and the
  per-scenario outcomes are kept in order (memory grows with *n* in that mode only).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

__all__ = [
    "RANK_SCALE",
    "merge_rank_sums",
    "outcome_ranks",
    "rank_sums",
    "saltelli_rows",
    "sobol_indices",
    "spearman",
]

#: unit ranks are rounded down to multiples of 1 / RANK_SCALE before summing (integers)
RANK_SCALE = 2**16
_RANK_KEYS = ("rank_n", "rank_su", "rank_suu", "rank_sg", "rank_sgg", "rank_sug")


def outcome_ranks(y: np.ndarray, pilot_sorted: np.ndarray, pilot_count: np.ndarray) -> np.ndarray:
    """Mid-ranks in ``[0, 1]`` of outcomes *y* ``(rows, outcomes)`` within the pilot sample.

    *pilot_sorted* is ``(outcomes, k)``: each outcome's finite pilot values sorted, padded with
    ``+inf``; *pilot_count* ``(outcomes,)`` the number of finite values.  NaN stays NaN.
    """
    g = np.full(y.shape, np.nan)
    for j in range(y.shape[1]):
        ok = np.isfinite(y[:, j])
        k = int(pilot_count[j])
        if k == 0:
            continue
        below = np.searchsorted(pilot_sorted[j, :k], y[ok, j], side="left")
        upto = np.searchsorted(pilot_sorted[j, :k], y[ok, j], side="right")
        g[ok, j] = (below + upto) / (2.0 * k)
    return g


def _fixed_point(x: np.ndarray) -> np.ndarray:
    return np.floor(np.clip(x, 0.0, 1.0) * RANK_SCALE).astype(np.int64)


def rank_sums(u: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    """Integer sums of one batch: *u* ``(rows, d)`` unit draws, *g* ``(rows, o)`` outcome ranks.

    Returns ``rank_n`` (o,), ``rank_su``/``rank_suu``/``rank_sug`` (o, d), ``rank_sg``/``rank_sgg``
    (o,), all ``int64``; a row counts for outcome *j* when ``g[:, j]`` is finite.
    """
    ok = np.isfinite(g)
    gi = np.where(ok, _fixed_point(np.nan_to_num(g)), 0)
    ui = _fixed_point(u)
    mask = ok.astype(np.int64)
    return {
        "rank_n": mask.sum(axis=0),
        "rank_su": mask.T @ ui,
        "rank_suu": mask.T @ (ui * ui),
        "rank_sg": gi.sum(axis=0),
        "rank_sgg": (gi * gi).sum(axis=0),
        "rank_sug": gi.T @ ui,
    }


def merge_rank_sums(total: dict | None, part: dict) -> dict:
    """Add *part*'s sums to *total* exactly (Python integers: no overflow, no rounding)."""
    if total is None:
        return {key: np.asarray(part[key]).astype(object) for key in _RANK_KEYS}
    return {key: total[key] + np.asarray(part[key]).astype(object) for key in _RANK_KEYS}


def spearman(total: dict) -> np.ndarray:
    """ρ ``(outcomes, d)`` from merged sums; NaN where an outcome (or input) does not vary."""
    n = total["rank_n"][:, None]
    su, suu, sug = total["rank_su"], total["rank_suu"], total["rank_sug"]
    sg, sgg = total["rank_sg"][:, None], total["rank_sgg"][:, None]
    cov = n * sug - su * sg
    var_u = n * suu - su * su
    var_g = n * sgg - sg * sg
    cov, var_u, var_g = np.broadcast_arrays(cov, var_u, var_g)
    rho = np.full(cov.shape, np.nan)
    for index in np.ndindex(cov.shape):
        if var_u[index] > 0 and var_g[index] > 0:
            rho[index] = float(cov[index]) / math.sqrt(float(var_u[index]) * float(var_g[index]))
    return rho


# ---------------------------------------------------------------------------------------------
# Sobol' indices through SALib
# ---------------------------------------------------------------------------------------------
def _problem(names: list[str]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def saltelli_rows(names: list[str], n_base: int, seed: int) -> np.ndarray:
    """SALib's Saltelli design on the unit cube: ``n_base * (d + 2)`` rows, first/total order.

    Rows come in SALib's order (per base point: A, the d mixed rows, B); keep the outcomes in
    that order for :func:`sobol_indices`.
    """
    from SALib.sample import sobol as sobol_sample

    if not names:
        raise ValueError(
            "method 'saltelli' needs at least one distribution in the scenario; "
            "this scenario has none (nothing to attribute variance to)"
        )
    with warnings.catch_warnings():
        # scipy warns when n_base is not a power of two (the Sobol' balance properties); the
        # design stays valid, only less balanced.  docs/sweeps.md recommends powers of two.
        warnings.filterwarnings(
            "ignore", message="The balance properties of Sobol", category=UserWarning
        )
        rows = sobol_sample.sample(_problem(names), n_base, calc_second_order=False, seed=seed)
    return rows


def sobol_indices(names: list[str], outcomes: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """S1, S1_conf, ST, ST_conf ``(outcomes, d)`` from Saltelli-ordered *outcomes* ``(rows, o)``.

    An outcome with NaN or without variance gets NaN indices (SALib would divide by zero).
    """
    from SALib.analyze import sobol as sobol_analyze

    keys = ("S1", "S1_conf", "ST", "ST_conf")
    out = {key: np.full((outcomes.shape[1], len(names)), np.nan) for key in keys}
    problem = _problem(names)
    for j in range(outcomes.shape[1]):
        y = outcomes[:, j]
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        # seed + 1: SALib ignores a seed of 0 (``if seed:``) and would then be unreproducible
        result = sobol_analyze.analyze(
            problem, y, calc_second_order=False, seed=seed + 1, print_to_console=False
        )
        for key in keys:
            out[key][j] = np.asarray(result[key], dtype=float)
    return out
