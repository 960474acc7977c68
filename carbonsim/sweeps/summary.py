"""The summary dataset of a sweep, computed from the merged partial aggregates.

Probabilities with standard errors per target, joint probabilities, peak-year counts, quantiles
from the merged histograms (:func:`histogram_quantiles`) and the sensitivity measures; see
``docs/sweeps.md`` for the statistics.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim.engine.arith import ratio
from carbonsim.feasibility.evaluate import PEAK_QUANTITIES, target_coords
from carbonsim.feasibility.verdicts import STATUSES, probability_met, verdict_totals

__all__ = ["histogram_quantiles", "summarise"]


# ---------------------------------------------------------------------------------------------
# the summary dataset
# ---------------------------------------------------------------------------------------------
def _standard_error(p: np.ndarray, n) -> np.ndarray:
    return np.sqrt(ratio(np.where(np.isfinite(p), p * (1.0 - p), np.nan), n, empty=np.nan))


def _coords(spec, quantiles) -> dict:
    target = {}
    for name, (dim, values) in target_coords(list(spec.targets)).items():
        name = {"region": "target_region", "year": "target_year"}.get(name, name)
        array = np.asarray(values)
        target[name] = (dim, array.astype(str) if array.dtype == object else array)
    years = np.asarray(spec.years)
    return {
        "target": np.array([t.id for t in spec.targets], dtype=str),
        **target,
        "status": np.array(STATUSES, dtype=str),
        "joint": np.array(list(spec.joint_groups), dtype=str),
        **{
            name: (dim, np.array(values, dtype=str))
            for name, (dim, values) in spec.regions.coords().items()
        },
        "year": years,
        "peak_year": years,
        "quantity": np.array(PEAK_QUANTITIES, dtype=str),
        "quantile": np.array(quantiles, dtype=float),
        "outcome": np.array(spec.outcome_names, dtype=str),
        "dimension": np.array(spec.dimensions, dtype=str),
        "distribution": (
            "dimension",
            np.array([str(d) for _, d in spec.scenario.distributions], dtype=str),
        ),
    }


def _verdict_counts(status_counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per-target counts the way every report counts them (``count_verdicts``): ``met``
    includes ``at_risk``; set-by-scenario and not-evaluated scenarios are counted apart."""
    return verdict_totals({s: status_counts[:, k] for k, s in enumerate(STATUSES)})


def _probabilities(spec, pilot, totals) -> dict:
    counts = totals["status_counts"]
    verdicts = _verdict_counts(counts)
    judged = verdicts["met"] + verdicts["missed"]
    p = probability_met(verdicts["met"], verdicts["missed"])
    label = np.where(
        verdicts["set_by_scenario"] > 0,
        "set_by_scenario",
        np.where(
            judged == 0,
            "not_evaluated",
            np.where(verdicts["not_evaluated"] > 0, "partly_evaluated", "evaluated"),
        ),
    )
    return {
        "probability": (
            ("target",),
            p,
            {
                "description": "probability met: (met + at_risk) / (met + at_risk + missed); "
                "NaN for a record set by the scenario (an input read back) or never evaluated"
            },
        ),
        "standard_error": (
            ("target",),
            _standard_error(p, judged),
            {"description": "sqrt(p (1 - p) / n): iid formula, conservative for QMC designs"},
        ),
        "n_evaluated": (("target",), judged),
        "status_count": (("target", "status"), counts),
        "evaluation": (("target",), label.astype(str)),
        "reason": (("target",), np.array(pilot.reasons, dtype=str)),
    }


def _joint(totals) -> dict:
    p = ratio(totals["joint_met"], totals["joint_evaluated"], empty=np.nan)
    return {
        "joint_probability": (
            ("joint",),
            p,
            {"description": "share of scenarios meeting every evaluated target of the group"},
        ),
        "joint_standard_error": (("joint",), _standard_error(p, totals["joint_evaluated"])),
        "joint_n_evaluated": (("joint",), totals["joint_evaluated"]),
    }


def _peaks(totals) -> dict:
    n = int(totals["n"])
    return {
        "peak_year_count": (
            ("quantity", "region", "peak_year"),
            totals["peak_counts"],
            {"description": "scenarios per tolerant peak year; the last year: not yet peaked"},
        ),
        "probability_peaked_by_2030": (
            ("quantity", "region"),
            ratio(totals["peaked_by_counts"], n, empty=np.nan),
        ),
    }


def histogram_quantiles(counts, lo, hi, low, high, levels):
    """Quantiles (level, *cell) from fixed-bin counts (*cell, bins + 2) with under/overflow bins.

    Bin edges are ``lo + k (hi - lo) / bins`` inside and the observed minimum *low* and maximum
    *high* outside, all clipped to [low, high].  Each order statistic is placed inside its bin
    as if the bin's points were evenly spread; the quantile is then numpy's ``"linear"``
    definition on those positions: ``x[a] + f (x[a+1] - x[a])`` with ``a + f = q (N - 1)``.
    Every placed order statistic lies in the same bin as the true one, so the result is within
    the wider of the two bins used (returned as the resolution) of the exact sample quantile.
    """
    bins = counts.shape[-1] - 2
    flat = counts.reshape(-1, bins + 2).astype(float)
    lo, hi, low, high = (np.ravel(a) for a in (lo, hi, low, high))
    inner = lo[:, None] + ((hi - lo) / bins)[:, None] * np.arange(bins + 1)
    edges = np.concatenate([np.fmin(low, lo)[:, None], inner, np.fmax(high, hi)[:, None]], axis=1)
    edges = np.clip(edges, np.minimum(low, high)[:, None], np.maximum(low, high)[:, None])
    cum = np.concatenate([np.zeros((len(flat), 1)), np.cumsum(flat, axis=1)], axis=1)
    total = cum[:, -1]
    values, widths = [], []
    for q in levels:
        h = q * np.maximum(total - 1, 0)
        a = np.floor(h)
        x0, w0 = _order_statistic(a, cum, flat, edges)
        x1, w1 = _order_statistic(np.minimum(a + 1, np.maximum(total - 1, 0)), cum, flat, edges)
        empty = total == 0
        values.append(np.where(empty, np.nan, x0 + (h - a) * (x1 - x0)))
        widths.append(np.where(empty, np.nan, np.maximum(w0, w1)))
    shape = (len(levels), *counts.shape[:-1])
    return np.reshape(values, shape), np.reshape(widths, shape)


def _order_statistic(rank, cum, counts, edges):
    """Position of the 0-based order statistic *rank* (per cell) spread evenly in its bin."""
    rows = np.arange(len(counts))
    k = np.minimum((cum[:, 1:] <= rank[:, None]).sum(axis=1), counts.shape[1] - 1)
    width = edges[rows, k + 1] - edges[rows, k]
    inside = ratio(rank - cum[rows, k] + 0.5, counts[rows, k], empty=np.nan)
    return edges[rows, k] + np.nan_to_num(inside) * width, width


def _quantiles(spec, pilot, totals, levels) -> dict:
    out = {}
    for k, name in enumerate(pilot.indicators):
        values, widths = histogram_quantiles(
            totals[f"hist__{name}"],
            pilot.lo[k],
            pilot.hi[k],
            totals[f"min__{name}"],
            totals[f"max__{name}"],
            levels,
        )
        attrs = dict(pilot.attrs.get(name, {}))
        out[f"quantiles_{name}"] = (("quantile", "region", "year"), values, attrs)
        out[f"quantile_resolution_{name}"] = (
            ("quantile", "region", "year"),
            widths,
            {
                "units": attrs.get("units", ""),
                "description": f"width of the histogram bin each quantile of {name} lies in: "
                "the quantile's resolution",
            },
        )
    return out


def _sensitivity(spec, totals, store) -> dict:
    from carbonsim.sweeps import sensitivity

    dims = ("outcome", "dimension")
    out = {
        "spearman": (
            dims,
            sensitivity.spearman(totals),
            {"description": "rank correlation of the unit draw with the outcome's pilot mid-rank"},
        )
    }
    if spec.method == "saltelli":
        indices = sensitivity.sobol_indices(spec.dimensions, store.row_array("outcomes"), spec.seed)
        out.update({f"sobol_{key}": (dims, value) for key, value in indices.items()})
    return out


def summarise(spec, pilot, totals, store, quantiles) -> xr.Dataset:
    """The summary dataset of a sweep from its merged totals."""
    data = {
        **_probabilities(spec, pilot, totals),
        **_joint(totals),
        **_peaks(totals),
        **_quantiles(spec, pilot, totals, quantiles),
        **_sensitivity(spec, totals, store),
    }
    ds = xr.Dataset(data, coords=_coords(spec, quantiles))
    from carbonsim import __version__

    ds.attrs.update(
        {
            "title": f"carbonsim sweep of scenario {spec.scenario.id!r}",
            "n_scenarios": int(totals["n"]),
            "n": spec.n,
            "seed": str(spec.seed),
            "method": spec.method,
            "chunk_size": spec.chunk_size,
            "n_chunks": spec.n_chunks,
            "scenario_id": spec.scenario.id,
            "carbonsim_version": __version__,
            "pilot_size": pilot.size,
            "bins": spec.bins,
            "dtype": spec.dtype,
            "quantile_method": "fixed-bin histograms merged by addition, linear within a bin",
            "rank_measure": "Spearman: unit draws vs pilot mid-ranks of the outcome",
        }
    )
    return ds
