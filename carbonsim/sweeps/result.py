"""The result of a sweep: the summary dataset and the tables and views derived from it."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.feasibility.verdicts import STATUSES
from carbonsim.sweeps.layout import SweepError
from carbonsim.sweeps.summary import _verdict_counts

__all__ = ["SweepResult"]


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
class SweepResult:
    """A finished sweep: ``summary`` (xarray.Dataset) and tables derived from it.

    ``out`` is the sweep folder (None for an in-memory sweep); ``computed_chunks`` the chunks
    this call computed, ``reused_chunks`` how many it found finished.
    """

    def __init__(self, summary: xr.Dataset, out, computed=(), reused: int = 0):
        self.summary = summary
        self.out = out
        self.computed_chunks = list(computed)
        self.reused_chunks = int(reused)
        #: chunk files found damaged on resume (deleted and recomputed)
        self.damaged_chunks: list[str] = []

    def probabilities(self) -> pd.DataFrame:
        """One row per target: probability met, standard error, verdict counts, reason.

        ``met`` counts the at-risk scenarios too (``at_risk`` says how many of them), so
        ``probability = met / (met + missed)``; a record set by the scenario has no
        probability (NaN) and its scenarios are counted in ``set_by_scenario``.
        """
        ds = self.summary
        frame = pd.DataFrame(
            {
                "target": ds.target.values,
                "region": ds.target_region.values,
                "indicator": ds.indicator.values,
                "year": ds.target_year.values,
                "op": ds.op.values,
                "tier": ds.tier.values,
                "kind": ds.kind.values,
                "source": ds.source.values,
                "clause": ds.clause.values,
                "written": ds.written.values,
                "probability": ds.probability.values,
                "standard_error": ds.standard_error.values,
                "n_evaluated": ds.n_evaluated.values,
            }
        )
        for column, values in _verdict_counts(ds.status_count.values).items():
            frame[column] = values
        frame["evaluation"] = ds.evaluation.values
        frame["reason"] = ds.reason.values
        return frame

    def joint_probabilities(self) -> pd.DataFrame:
        """All binding targets, the peaking order, all binding targets of each region."""
        ds = self.summary
        return pd.DataFrame(
            {
                "group": ds.joint.values,
                "probability": ds.joint_probability.values,
                "standard_error": ds.joint_standard_error.values,
                "n_evaluated": ds.joint_n_evaluated.values,
            }
        )

    def summary_table(self) -> pd.DataFrame:
        """:meth:`probabilities` with the joint probabilities as last rows (``summary.csv``)."""
        joint = self.joint_probabilities().rename(columns={"group": "target"})
        joint["target"] = "joint:" + joint["target"]
        joint["kind"] = "joint"
        frame = pd.concat([self.probabilities(), joint], ignore_index=True)
        integers = ["year", "n_evaluated", *STATUSES]
        return frame.astype({column: "Int64" for column in integers})

    def sensitivity(self, dropna: bool = True) -> pd.DataFrame:
        """One row per (outcome, lever): Spearman ρ (and Sobol' S1/ST with ``saltelli``),
        strongest |ρ| first within each outcome."""
        ds = self.summary
        names = ["spearman", *(v for v in ds.data_vars if str(v).startswith("sobol_"))]
        frame = ds[names].to_dataframe().reset_index()
        frame = frame[["outcome", "dimension", *names]]
        frame["rank"] = (
            frame["spearman"].abs().groupby(frame["outcome"]).rank(ascending=False, method="min")
        )
        if dropna:
            frame = frame.dropna(subset=["spearman"])
        order = {name: k for k, name in enumerate(ds.outcome.values)}
        frame = frame.sort_values(
            ["outcome", "rank"], key=lambda s: s.map(order) if s.name == "outcome" else s
        )
        return frame.reset_index(drop=True)

    def peak_years(self, quantity: str = "co2") -> pd.DataFrame:
        """Scenarios per peak year (columns) and region (rows) for *quantity*."""
        counts = self.summary.peak_year_count.sel(quantity=quantity)
        return counts.to_pandas()

    def samples(self, targets=None) -> pd.DataFrame:
        """Per scenario (``keep_samples``): lever values and ``met`` (every evaluated target of
        *targets* met; default the binding ones the model computes), for a feasible-region map."""
        ds = self.summary
        if "sample_value" not in ds:
            raise SweepError("this sweep kept no samples; run it with keep_samples=True")
        if targets is None:
            chosen = ds.tier.values == "binding"
            if "source" in ds.coords:  # inputs read back are not outcomes
                chosen = chosen & (ds.source.values == "model")
            targets = list(ds.target.values[chosen])
        margin = ds.sample_margin.sel(target=list(targets)).values
        frame = pd.DataFrame(ds.sample_value.values, columns=list(ds.dimension.values))
        frame["met"] = np.all(np.isnan(margin) | (margin >= 0), axis=1)
        return frame

    def __repr__(self) -> str:
        ds = self.summary
        joint = dict(zip(ds.joint.values, ds.joint_probability.values, strict=True))
        return (
            f"<SweepResult {ds.attrs.get('scenario_id')!r}: {ds.attrs.get('n_scenarios')} "
            f"scenarios ({ds.attrs.get('method')}, seed {ds.attrs.get('seed')}); "
            f"P(all binding met) = {joint.get('all_binding', np.nan):.3f}, "
            f"P(peaking order) = {joint.get('peaking_order', np.nan):.3f}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        ds = self.summary
        frame = self.probabilities()
        judged = frame.source == "model"  # inputs read back have no probability met
        frame = frame[(frame.tier == "binding") & judged].sort_values("probability").head(15)
        rows = "".join(
            f"<tr><td><code>{esc(r.target)}</code></td><td>{esc(str(r.region))}</td>"
            f"<td>{esc(str(r.written))}</td><td>{_percent(r.probability)}</td>"
            f"<td>±{_percent(1.96 * r.standard_error)}</td></tr>"
            for r in frame.itertuples()
        )
        joint = "".join(
            f"<li>{esc(str(g))}: {_percent(p)}</li>"
            for g, p in zip(ds.joint.values, ds.joint_probability.values, strict=True)
        )
        return (
            f"<div class='carbonsim-sweep'><h4>{esc(repr(self))}</h4><ul>{joint}</ul>"
            "<p>Binding targets least likely to be met:</p><table><thead><tr><th>target</th>"
            "<th>region</th><th>plan value</th><th>P(met)</th><th>95 %</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{100 * value:.1f} %"
