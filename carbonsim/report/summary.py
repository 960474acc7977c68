"""The one-page summary of a run: peak years, missed targets and why, in Markdown and text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonsim.feasibility.evaluate import CheckResult
from carbonsim.feasibility.labels import written_value
from carbonsim.regions import regions_of

STATUS_MARK = {"met": "✓", "at_risk": "!", "missed": "✗", "not_evaluated": "·"}
_COLOURS = {
    "met": "\033[32m",
    "at_risk": "\033[33m",
    "missed": "\033[31m",
    "not_evaluated": "\033[90m",
}


def _target_rows(result: CheckResult, scenario) -> pd.DataFrame:
    from carbonsim.catalogue import load_targets

    df = result.to_dataframe()
    df = df[df.scenario == scenario].copy()
    checked = getattr(result, "catalogue", None)
    catalogue = {t.id: t for t in (checked or load_targets())} if len(df) else {}
    shown = []
    for row in df.itertuples():
        t = catalogue.get(row.target)
        if row.kind == "order" and row.op != "nonincreasing":
            shown.append("—" if np.isnan(row.value) else f"peak {int(row.value)}")
        else:
            unit_w = t.unit_as_written if t is not None else None
            shown.append(written_value(row.value, row.unit, unit_w, row.basis))
    df["simulated"] = shown
    return df


def peak_lines(result: CheckResult, scenario) -> list[str]:
    peaks = result.peaks.sel(scenario=scenario)
    names = regions_of(result.trajectories)
    lines = [
        "| 地区 region | CO2 peak | coal peak | road oil peak | CO2 peaked by 2030 "
        "| 稳中有降 to 2035 |",
        "|---|---|---|---|---|---|",
    ]
    for region in peaks.region.values:
        p = peaks.sel(region=region)
        py = {q: int(p.peak_year.sel(quantity=q)) for q in p.quantity.values}
        lines.append(
            f"| {names.name_zh(region)} {region} | {py['co2']} | "
            f"{py['coal_consumption']} | {py['road_oil_consumption']} | "
            f"{'yes' if bool(p.peaked_by_2030.sel(quantity='co2')) else 'no'} | "
            f"{'yes' if bool(p.stable_decline.sel(quantity='co2')) else 'no'} |"
        )
    return lines


def summary_markdown(result: CheckResult, explanation: pd.DataFrame | None = None) -> str:
    """Markdown summary of every scenario in *result*."""
    parts = ["# carbonsim run summary", ""]
    tol = result.tolerance
    for scenario in result.dataset.scenario.values:
        df = _target_rows(result, scenario)
        counts = df.status.value_counts()
        parts += [
            f"## Scenario `{scenario}`",
            "",
            "Targets: " + ", ".join(f"{s} {int(counts.get(s, 0))}" for s in STATUS_MARK),
            "",
            f"### Peak years (plateau tolerance {tol:.0%})",
            "",
            *peak_lines(result, scenario),
            "",
            "### Missed binding and approximate targets",
            "",
        ]
        missed = df[df.status == "missed"]
        names = regions_of(result.trajectories)
        parts += _missed_table(missed[missed.tier != "stretch"], explanation, names)
        parts += ["", "### Missed stretch targets (力争)", ""]
        parts += _missed_table(missed[missed.tier == "stretch"], explanation, names)
        ne = df[df.status == "not_evaluated"]
        parts += ["", f"### Not evaluated ({len(ne)})", ""]
        parts += [f"- `{r.target}` ({r.clause}): {r.reason}" for r in ne.itertuples()]
        parts.append("")
    return "\n".join(parts)


def _missed_table(df: pd.DataFrame, explanation, names) -> list[str]:
    if df.empty:
        return ["None."]
    lines = [
        "| target | clause | region | target as written | simulated | margin "
        "| levers that help most |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in df.itertuples():
        helps = ""
        if explanation is not None and len(explanation):
            ex = explanation[explanation.target == r.target]
            helps = "; ".join(f"{e.lever} {e.direction}" for e in ex.itertuples())
        lines.append(
            f"| `{r.target}` | {r.clause} | {names.name_zh(r.region)} | "
            f"{r.written} ({r.year}) | {r.simulated} | {r.margin:+.3g} | {helps} |"
        )
    return lines


def terminal_table(result: CheckResult, colour: bool = False, width: int = 28) -> str:
    """A compact table of every target of the first scenario for a terminal."""
    scenario = result.dataset.scenario.values[0]
    df = _target_rows(result, scenario)
    head = f"{'target':<44} {'region':<12} {'year':>4}  {'target as written':<{width}} "
    lines = [head + f"{'simulated':<16} status"]
    for r in df.itertuples():
        mark = STATUS_MARK[r.status]
        status = f"{mark} {r.status}"
        if colour:
            status = f"{_COLOURS[r.status]}{status}\033[0m"
        lines.append(
            f"{r.target[:44]:<44} {r.region:<12} {r.year:>4}  {str(r.written)[:width]:<{width}} "
            f"{str(r.simulated)[:16]:<16} {status}"
        )
    counts = df.status.value_counts()
    lines.append("")
    lines.append("  ".join(f"{s}: {int(counts.get(s, 0))}" for s in STATUS_MARK))
    return "\n".join(lines)
