"""The one-page summary of a run: peak years, missed targets and why, in Markdown and text.

Every count here is :func:`~carbonsim.feasibility.verdicts.count_verdicts`: *met* includes the
at-risk ones, records set by the scenario are counted apart and never as met.  Values and margins
are in the plan's units (:mod:`carbonsim.feasibility.display`); records that read one clause
differently are shown together with a line saying how they differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonsim.feasibility.display import format_margin, format_quantity
from carbonsim.feasibility.evaluate import CheckResult
from carbonsim.feasibility.verdicts import count_verdicts, counts_text
from carbonsim.regions import regions_of
from carbonsim.tables import aligned_lines, truncate

STATUS_MARK = {
    "met": "✓",
    "at_risk": "!",
    "missed": "✗",
    "set_by_scenario": "=",
    "not_evaluated": "·",
}
STATUS_TEXT = {
    "met": "met",
    "at_risk": "met, at risk",
    "missed": "missed",
    "set_by_scenario": "set by scenario",
    "not_evaluated": "not evaluated",
}
_COLOURS = {
    "met": "\033[32m",
    "at_risk": "\033[33m",
    "missed": "\033[31m",
    "set_by_scenario": "\033[36m",
    "not_evaluated": "\033[90m",
}
LEGEND = (
    "met counts the at-risk ones too (met with a margin under 5 % of the target); "
    "'set by scenario' = the indicator is a scenario input read back (counted apart, never met)"
)


def _catalogue(result: CheckResult):
    from carbonsim.catalogue import load_targets

    return getattr(result, "catalogue", None) or load_targets()


def simulated_text(row, unit_as_written: str | None) -> str:
    """The simulated value of a feasibility row as the plan writes it (or the peak year)."""
    if row.kind == "order" and row.op != "nonincreasing":
        return "—" if np.isnan(row.value) else f"peak {int(row.value)}"
    return format_quantity(row.value, row.unit, unit_as_written, row.basis)


def _target_rows(result: CheckResult, scenario, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    df = result.to_dataframe() if frame is None else frame
    df = df[df.scenario == scenario].copy()
    catalogue = {t.id: t for t in _catalogue(result)} if len(df) else {}
    shown, margins = [], []
    for row in df.itertuples():
        t = catalogue.get(row.target)
        written = t.unit_as_written if t is not None else None
        shown.append(simulated_text(row, written))
        margins.append(format_margin(row.margin, row.unit, row.basis, row.op, written))
    df["simulated"] = shown
    df["margin_text"] = margins
    return df


def _grouped(df: pd.DataFrame, catalogue) -> list[tuple[object, str | None]]:
    """Rows in catalogue order, the members of a reading group together; each group's last
    row carries the line saying how the readings differ."""
    readings = getattr(catalogue, "readings", ())
    by_id = {r.target: r for r in df.itertuples()}
    out, done = [], set()
    for r in df.itertuples():
        if r.target in done:
            continue
        group = next((g for g in readings if r.target in g[0]), None)
        members = [by_id[i] for i in group[0] if i in by_id] if group else [r]
        for k, m in enumerate(members):
            done.add(m.target)
            last = group is not None and k == len(members) - 1 and len(members) > 1
            out.append((m, group[1] if last else None))
    return out


def peak_lines(result: CheckResult, scenario) -> list[str]:
    peaks = result.peaks.sel(scenario=scenario)
    names = regions_of(result.trajectories)
    lines = [
        "| 地区 region | CO2 peak | coal peak | road oil peak | CO2 peaked by 2030 "
        "| CO2 稳中有降 2031–2035 |",
        "|---|---|---|---|---|---|",
    ]
    for region in peaks.region.values:
        p = peaks.sel(region=region)
        py = {q: int(p.peak_year.sel(quantity=q)) for q in p.quantity.values}
        lines.append(
            f"| {names.name_zh(region)} {region} | {py['co2']}年 | "
            f"{py['coal_consumption']}年 | {py['road_oil_consumption']}年 | "
            f"{'yes' if bool(p.peaked_by_2030.sel(quantity='co2')) else 'no'} | "
            f"{'yes' if bool(p.stable_decline.sel(quantity='co2')) else 'no'} |"
        )
    lines += [
        "",
        "稳中有降 here is the definition `main_2035_co2_decline` is checked with: no year of "
        "2031–2035 above the year before by more than the plateau tolerance, and 2035 not above "
        "2030.",
    ]
    return lines


def summary_markdown(result: CheckResult, explanation: pd.DataFrame | None = None) -> str:
    """Markdown summary of every scenario in *result*."""
    parts = ["# carbonsim run summary", ""]
    tol = result.tolerance
    catalogue = _catalogue(result)
    frame = result.to_dataframe()
    for scenario in result.dataset.scenario.values:
        df = _target_rows(result, scenario, frame)
        parts += [
            f"## Scenario `{scenario}`",
            "",
            "Targets: " + counts_text(count_verdicts(df.status.values)) + ".",
            "",
            f"_{LEGEND}._",
            "",
            f"### Peak years (plateau tolerance {tol:.0%})",
            "",
            *peak_lines(result, scenario),
            "",
            "### Missed binding, approximate and qualitative targets",
            "",
        ]
        missed = df[df.status == "missed"]
        names = regions_of(result.trajectories)
        parts += _missed_table(missed[missed.tier != "stretch"], explanation, names)
        parts += ["", "### Missed stretch targets (力争)", ""]
        parts += _missed_table(missed[missed.tier == "stretch"], explanation, names)
        parts += ["", "### Readings of one clause, side by side", ""]
        parts += _readings(df, catalogue)
        scen = df[df.status == "set_by_scenario"]
        parts += [
            "",
            f"### Set by the scenario ({len(scen)}; inputs read back, not counted as met)",
            "",
        ]
        parts += [
            f"- `{r.target}` {r.written} ({r.year}): scenario gives {r.simulated}"
            + ("" if r.holds else " — short of what the plan asks")
            for r in scen.itertuples()
        ]
        ne = df[df.status == "not_evaluated"]
        parts += ["", f"### Not evaluated ({len(ne)})", ""]
        parts += [f"- `{r.target}` ({r.clause}): {r.reason}" for r in ne.itertuples()]
        parts.append("")
    return "\n".join(parts)


def _readings(df: pd.DataFrame, catalogue) -> list[str]:
    by_id = {r.target: r for r in df.itertuples()}
    lines = []
    for ids, differ in getattr(catalogue, "readings", ()):
        members = [by_id[i] for i in ids if i in by_id]
        if len(members) < 2:
            continue
        shown = "; ".join(
            f"`{m.target}` {m.written}: {m.simulated}, {STATUS_TEXT[m.status]}" for m in members
        )
        lines.append(f"- {shown}. *{differ}*")
    return lines or ["None."]


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
            column = "advice" if "advice" in ex.columns else "lever"
            helps = "; ".join(str(getattr(e, column)) for e in ex.itertuples())
        lines.append(
            f"| `{r.target}` | {r.clause} | {names.name_zh(r.region)} | "
            f"{r.written} ({r.year}) | {r.simulated} | {r.margin_text} | {helps} |"
        )
    return lines


def terminal_table(result: CheckResult, colour: bool = False, width: int = 34) -> str:
    """A table of every target of the first scenario for a terminal, aligned by display width;
    readings of one clause are adjacent, followed by a line saying how they differ."""
    scenario = result.dataset.scenario.values[0]
    df = _target_rows(result, scenario)
    names = regions_of(result.trajectories)
    header = ["target", "region", "year", "target as written", "simulated", "margin", "status"]
    rows, notes = [], {}
    for r, differ in _grouped(df, _catalogue(result)):
        region = r.region if r.region == names.city else f"{names.name_zh(r.region)} {r.region}"
        rows.append(
            [
                r.target,
                region,
                str(r.year),
                truncate(str(r.written), width),
                r.simulated,
                r.margin_text,
                f"{STATUS_MARK[r.status]} {STATUS_TEXT[r.status]}",
            ]
        )
        if differ:
            notes[len(rows) - 1] = differ
    lines = aligned_lines(header, rows, right=[False, False, True, False, True, True, False])
    out = lines[:2]
    for k, line in enumerate(lines[2:]):
        if colour:
            status = rows[k][6]
            key = next(s for s, t in STATUS_TEXT.items() if status.endswith(t))
            head, _, tail = line.rpartition(status)
            line = f"{head}{_COLOURS[key]}{status}\033[0m{tail}"
        out.append(line)
        if k in notes:
            out.append(f"    ↳ readings of one clause: {notes[k]}")
    out += ["", counts_text(count_verdicts(df.status.values)), LEGEND]
    return "\n".join(out)
