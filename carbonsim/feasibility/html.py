"""HTML rendering of a :class:`~carbonsim.feasibility.evaluate.CheckResult` for Jupyter."""

from __future__ import annotations

import html

import numpy as np

from carbonsim.feasibility.display import format_margin, format_quantity
from carbonsim.feasibility.labels import GROUP_TITLES
from carbonsim.feasibility.verdicts import count_verdicts, probability_met
from carbonsim.regions import regions_of

STATUS_STYLE = {
    "met": ("#2e7d32", "达标 met"),
    "at_risk": ("#f9a825", "临界 met, at risk"),
    "missed": ("#c62828", "未达 missed"),
    "set_by_scenario": ("#00838f", "情景设定 set by scenario"),
    "not_evaluated": ("#9e9e9e", "未评估 n/a"),
}
#: the count badges: met includes at risk (count_verdicts)
COUNT_STYLE = {
    "met": ("#2e7d32", "达标 met (incl. at risk)"),
    "at_risk": ("#f9a825", "of which 临界 at risk"),
    "missed": ("#c62828", "未达 missed"),
    "set_by_scenario": ("#00838f", "情景设定 set by scenario"),
    "not_evaluated": ("#9e9e9e", "未评估 n/a"),
}
TIER_LABEL = {
    "binding": "约束 binding",
    "stretch": "力争 stretch",
    "approx": "左右 approx",
    "qualitative": "定性 qualitative",
}


def _badge(colour: str, text: str) -> str:
    return (
        f'<span style="background:{colour};color:white;border-radius:3px;padding:0 4px;'
        f'font-size:85%;white-space:nowrap">{html.escape(text)}</span>'
    )


def _row(res, i: int, differ: str | None = None) -> str:

    ds = res.dataset
    t = ds.isel(target=i)
    n = ds.sizes["scenario"]
    region = str(t.region.values)
    who = regions_of(res.trajectories).name_zh(region)
    target = f"{t.written.values} ({int(t.year.values)})"
    unit, basis, op = str(t.unit.values), str(t.basis.values), str(t.op.values)
    written = _unit_written(res, i)
    if n == 1:
        status = str(t.status.values[0])
        value = float(t.value.values[0])
        if str(t.kind.values) == "order" and op != "nonincreasing":
            shown = "peak " + ("—" if np.isnan(value) else str(int(value)))
        else:
            shown = format_quantity(value, unit, written, basis)
        margin_text = format_margin(float(t.margin.values[0]), unit, basis, op, written)
    else:
        counts = count_verdicts(t.status.values)
        p = float(probability_met(counts["met"], counts["missed"]))
        judged = counts["met"] + counts["missed"]
        if counts["set_by_scenario"]:
            status, shown = "set_by_scenario", f"set by scenario in {counts['set_by_scenario']}"
        elif judged == 0:
            status, shown = "not_evaluated", "—"
        else:
            status = "met" if counts["missed"] == 0 else "missed"
            shown = f"{p:.0%} of {judged} met"
        median = float(np.nanmedian(t.margin.values)) if judged else np.nan
        margin_text = "median " + format_margin(median, unit, basis, op, written)
    colour, label = STATUS_STYLE[status]
    reason = str(t.reason.values)
    title = html.escape(str(t.source_text.values) + (f"\n{reason}" if reason else ""))
    row = (
        f'<tr title="{title}"><td>{html.escape(str(t.clause.values))}</td>'
        f"<td>{html.escape(who)}</td><td><code>{html.escape(str(t.indicator.values))}</code></td>"
        f"<td>{html.escape(target)}</td><td>{html.escape(shown)}</td>"
        f"<td style='text-align:right'>{html.escape(margin_text)}</td>"
        f"<td>{_badge(colour, label)}</td>"
        f"<td>{html.escape(TIER_LABEL.get(str(t.tier.values), ''))}</td></tr>"
    )
    if differ:
        row += (
            f'<tr><td></td><td colspan="7" style="font-style:italic">↳ readings of one clause: '
            f"{html.escape(differ)}</td></tr>"
        )
    return row


def _unit_written(res, i) -> str | None:
    from carbonsim.catalogue import load_targets

    target_id = str(res.dataset.target.values[i])
    try:
        return (res.catalogue or load_targets())[target_id].unit_as_written
    except KeyError:
        return None


def _ordered(res, indices) -> list[tuple[int, str | None]]:
    """*indices* with the members of a reading group together; the last carries the line."""
    ids = [str(x) for x in res.dataset.target.values]
    readings = getattr(res.catalogue, "readings", ())
    out, done = [], set()
    for i in indices:
        if i in done:
            continue
        group = next((g for g in readings if ids[i] in g[0]), None)
        members = [ids.index(m) for m in group[0] if m in ids] if group else [i]
        members = [m for m in members if m in indices] or [i]
        for k, m in enumerate(members):
            done.add(m)
            last = group is not None and len(members) > 1 and k == len(members) - 1
            out.append((m, group[1] if last else None))
    return out


def _table(res, indices, title) -> str:
    if not indices:
        return ""
    ds = res.dataset
    head = (
        "<tr><th>条款 clause</th><th>地区 region</th><th>指标 indicator</th>"
        "<th>目标 target</th><th>模拟 simulated</th><th>余量 margin</th><th>状态 status</th>"
        "<th>层级 tier</th></tr>"
    )
    parts = [f"<h4>{html.escape(title)}</h4><table>{head}"]
    groups = {}
    for i in indices:
        groups.setdefault(str(ds.group.values[i]), []).append(i)
    for group, rows in groups.items():
        zh, en = GROUP_TITLES.get(group, (group, ""))
        parts.append(
            f'<tr><td colspan="8" style="background:#eceff1;font-weight:bold">'
            f"{html.escape(group)} {html.escape(zh)} · {html.escape(en)}</td></tr>"
        )
        parts.extend(_row(res, i, differ) for i, differ in _ordered(res, rows))
    parts.append("</table>")
    return "".join(parts)


def _peaks(res) -> str:
    peaks = res.peaks
    if peaks.sizes["scenario"] != 1:
        return ""
    rows = []
    names = regions_of(res.trajectories)
    yes = {True: "是 yes", False: "否 no"}
    for region in peaks.region.values:
        cells = "".join(
            f"<td>{int(peaks.peak_year.sel(region=region, quantity=q).values[0])}年</td>"
            for q in peaks.quantity.values
        )
        co2 = peaks.sel(region=region, quantity="co2")
        cells += f"<td>{yes[bool(co2.stable_decline.values[0])]}</td>"
        rows.append(f"<tr><td>{html.escape(names.name_zh(str(region)))}</td>{cells}</tr>")
    head = "".join(f"<th>{html.escape(q)}</th>" for q in peaks.quantity.values)
    head += "<th>CO2 稳中有降 (as main_2035_co2_decline)</th>"
    return (
        f"<h4>达峰年份 peak years (plateau tolerance {res.tolerance:.0%})</h4>"
        f"<table><tr><th>地区 region</th>{head}</tr>{''.join(rows)}</table>"
    )


def render(res) -> str:
    """The whole feasibility report as HTML."""
    ds = res.dataset
    tiers = ds.tier.values
    main = [i for i, t in enumerate(tiers) if t != "stretch"]
    stretch = [i for i, t in enumerate(tiers) if t == "stretch"]
    counts = res.counts()
    badges = " ".join(
        _badge(COUNT_STYLE[s][0], f"{COUNT_STYLE[s][1]}: {c}") for s, c in counts.items()
    )
    scen = ", ".join(map(str, ds.scenario.values[:5])) + (" …" if ds.sizes["scenario"] > 5 else "")
    return (
        f"<div><b>碳达峰目标核查 Feasibility check</b> — {ds.sizes['scenario']} scenario(s): "
        f"{html.escape(scen)}; {ds.sizes['target']} targets<br>{badges}"
        + _peaks(res)
        + _table(res, main, "约束性、左右及定性目标 Binding, approximate and qualitative targets")
        + _table(res, stretch, "力争目标 Stretch targets (力争)")
        + "</div>"
    )
