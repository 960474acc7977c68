"""The report page of a run: one self-contained, bilingual HTML file (``report.html``).

Everything is inside the file: the charts (PNG drawn by :mod:`carbonsim.plot`, embedded as
base64), the styles, and a subset of the bundled Noto Sans SC font holding exactly the
characters of the page (so Chinese renders on a machine without Chinese fonts).  No script and
no network access.  Sections: summary, peaking order, charts, the feasibility table grouped by
the plan's actions and by tier (status, the simulated value and the margin in the plan's units,
the levers that help most for a missed target), how to read it.  A print stylesheet keeps
figures and table rows whole on A4, so "print to PDF" gives a readable report.

Examples
--------
>>> import carbonsim
>>> from carbonsim.report.html import write_report
>>> plan = carbonsim.load_scenario("plan")  # doctest: +SKIP
>>> result = carbonsim.check(carbonsim.simulate(plan))  # doctest: +SKIP
>>> write_report(result, "results/report.html", scenario=plan)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from carbonsim.definitions.variables import variable_metadata
from carbonsim.feasibility.evaluate import CheckResult
from carbonsim.feasibility.labels import GROUP_TITLES, written_value
from carbonsim.io.atomic import write_text
from carbonsim.io.excel import margin_as_written
from carbonsim.regions import regions_of

__all__ = ["render_report", "write_report"]

STATUS = {
    "met": ("#2e7d32", "达标", "met"),
    "at_risk": ("#b26a00", "临界", "at risk"),
    "missed": ("#c62828", "未达", "missed"),
    "not_evaluated": ("#757575", "未评估", "not evaluated"),
}
TIERS = {
    "binding": ("约束性目标", "binding targets"),
    "approx": ("“左右”目标", "approximate targets (左右)"),
    "stretch": ("力争目标", "stretch targets (力争)"),
    "qualitative": ("定性目标", "qualitative targets"),
}
_FONT = "Noto Sans SC carbonsim"
_CSS = """
@font-face { font-family: "%(font)s"; src: url(data:font/otf;base64,%(data)s) format("opentype"); }
:root { --ink: #1f2933; --muted: #5f6b7a; --rule: #d9dee4; --band: #eceff1; }
* { box-sizing: border-box; }
body { font-family: "%(font)s", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px 32px; line-height: 1.5;
       font-size: 14px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; margin-top: 32px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; color: var(--muted); }
.en { color: var(--muted); }
.meta { color: var(--muted); font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card b { display: block; font-size: 24px; }
.badge { color: white; border-radius: 3px; padding: 0 5px; font-size: 12px; white-space: nowrap; }
table { border-collapse: collapse; width: 100%%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 6px; text-align: left;
         vertical-align: top; }
th { background: var(--band); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.source { color: var(--muted); font-size: 11px; }
figure { margin: 16px 0; }
figure img { max-width: 100%%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: 12.5px; color: var(--muted); }
ul.findings li { margin: 3px 0; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  figure, tr, .card { break-inside: avoid; }
  thead { display: table-header-group; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(text) -> str:
    return html.escape(str(text))


def _bi(zh: str, en: str) -> str:
    """Chinese, then English in muted ink."""
    return f'{_e(zh)} <span class="en">{_e(en)}</span>'


def _badge(status: str) -> str:
    colour, zh, en = STATUS.get(status, STATUS["not_evaluated"])
    return f'<span class="badge" style="background:{colour}">{_e(zh)} {_e(en)}</span>'


# ---------------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------------
def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _charts(result: CheckResult, scenario: str) -> list[tuple[str, str, str]]:
    """``[(title, caption, base64 PNG)]``; a chart that cannot be drawn is left out."""
    from carbonsim import plot

    traj = result.trajectories.sel(scenario=[scenario])
    catalogue = result.catalogue
    check = _one(result, scenario)
    counties = list(regions_of(traj).counties)
    city = regions_of(traj).city
    makers: list[tuple[str, str, Callable]] = [
        (
            "全市二氧化碳排放与规划目标 · City CO2 emissions and the plan's targets",
            "实线为模拟轨迹,标记为方案中的目标(绿色达标、红色未达)。The line is the simulated "
            "trajectory; markers are the plan's targets (green met, red missed).",
            lambda: plot.trajectory(
                traj, "co2", regions=city, targets=catalogue, check=check, lang="zh"
            ),
        ),
        (
            "各县(市、区)二氧化碳排放 · CO2 emissions by county",
            "各县(市、区)的排放轨迹;达峰年份见上表。Each county's trajectory; peak years in "
            "the table above.",
            lambda: plot.trajectory(traj, "co2", regions=counties, lang="zh"),
        ),
        (
            "达峰顺序 · Peaking order",
            "每个地区的二氧化碳达峰年份;阴影为方案要求的时间窗口(三(十))。Peak year of each "
            "region; shaded windows are the order the plan asks for (三(十)).",
            lambda: plot.peaking_order(check.peaks, "co2", targets=catalogue, lang="zh"),
        ),
        (
            "非化石能源消费比重 · Non-fossil share of energy consumption",
            "非化石能源占能源消费总量的比重与方案目标。Non-fossil energy over total energy "
            "consumption, against the plan's targets.",
            lambda: plot.trajectory(
                traj, "non_fossil_share", regions=city, targets=catalogue, check=check, lang="zh"
            ),
        ),
        (
            "电力结构与储能 · Power mix and storage",
            "装机、发电量(外送为负)、新型储能与“10%×2小时”配置要求。Capacity, generation "
            "(exports below zero), storage against the 10 % × 2 h rule.",
            lambda: plot.power_mix(traj, scenario=scenario, region=city, lang="zh"),
        ),
        (
            "目标总览 · All targets at a glance",
            "按行动分组的全部约束性目标;颜色深浅表示余量大小。Every binding target grouped by "
            "action; the shade shows the size of the margin.",
            lambda: plot.dashboard(check, tiers=["binding"], lang="zh"),
        ),
    ]
    charts = []
    for title, caption, make in makers:
        charts.append((title, caption, _png(make())))
    return charts


def _one(result: CheckResult, scenario: str) -> CheckResult:
    """*result* restricted to one scenario (for the charts that draw one)."""
    if result.dataset.sizes["scenario"] == 1:
        return result
    from carbonsim.feasibility import check

    return check(result.trajectories.sel(scenario=[scenario]), result.catalogue)


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------
def _rows(result: CheckResult, scenario: str) -> pd.DataFrame:
    df = result.to_dataframe()
    df = df[df.scenario == scenario].copy()
    catalogue = {t.id: t for t in result.catalogue}
    shown, margins = [], []
    for row in df.itertuples():
        t = catalogue.get(row.target)
        unit_w = t.unit_as_written if t is not None else None
        if row.kind == "order" and row.op != "nonincreasing":
            shown.append("—" if np.isnan(row.value) else f"{int(row.value)} 年")
            margins.append("—" if np.isnan(row.margin) else f"{row.margin:+.0f} 年 yr")
            continue
        shown.append(written_value(row.value, row.unit, unit_w, row.basis))
        number, unit = margin_as_written(row.margin, row.unit, unit_w, row.basis)
        unit = "个百分点 pp" if unit == "%" else unit
        margins.append("—" if np.isnan(number) else f"{number:+,.4g} {unit}")
    df["simulated"] = shown
    df["margin_text"] = margins
    return df


def _summary(df: pd.DataFrame, result: CheckResult, scenario: str) -> str:
    counts = df.status.value_counts()
    cards = "".join(
        f'<div class="card">{_badge(s)}<b>{int(counts.get(s, 0))}</b></div>' for s in STATUS
    )
    binding = df[df.tier == "binding"]
    peaks = result.peaks.sel(scenario=scenario)
    city = regions_of(result.trajectories).city
    city_peak = int(peaks.peak_year.sel(region=city, quantity="co2"))
    by_2030 = bool(peaks.peaked_by_2030.sel(region=city, quantity="co2"))
    missed_binding = binding[binding.status == "missed"]
    findings = [
        _bi(
            f"全市二氧化碳排放在 {city_peak} 年达峰({'2030年前' if by_2030 else '晚于2030年'})。",
            f"City CO2 peaks in {city_peak} ({'by' if by_2030 else 'after'} 2030), plateau "
            f"tolerance {result.tolerance:.0%}.",
        ),
        _bi(
            f"约束性目标 {len(binding)} 项中未达 {len(missed_binding)} 项。",
            f"{len(missed_binding)} of {len(binding)} binding targets missed.",
        ),
    ]
    meta = variable_metadata()
    names = regions_of(result.trajectories)
    for row in missed_binding.head(6).itertuples():
        indicator = meta.get(row.indicator, {})
        findings.append(
            f"{_badge('missed')} {_e(row.clause)} {_e(names.name_zh(row.region))} "
            f"{_bi(indicator.get('long_name_zh', row.indicator), indicator.get('long_name', ''))}"
            f": {_bi('目标', 'target')} {_e(row.written)} ({row.year}), "
            f"{_bi('模拟', 'simulated')} {_e(row.simulated)}"
        )
    items = "".join(f"<li>{f}</li>" for f in findings)
    return f'<div class="cards">{cards}</div><ul class="findings">{items}</ul>'


def _peaks(result: CheckResult, scenario: str) -> str:
    peaks = result.peaks.sel(scenario=scenario)
    names = regions_of(result.trajectories)
    order = sorted(
        peaks.region.values, key=lambda r: int(peaks.peak_year.sel(region=r, quantity="co2"))
    )
    head = (
        "<tr><th>#</th><th>地区 region</th><th>CO2 达峰 peak</th><th>煤炭 coal peak</th>"
        "<th>公路用油 road oil peak</th><th>2030年前达峰 by 2030</th>"
        "<th>2035年前稳中有降 stable decline</th></tr>"
    )
    rows = []
    for rank, region in enumerate(order, start=1):
        p = peaks.sel(region=region)
        years = [int(p.peak_year.sel(quantity=q)) for q in p.quantity.values]
        co2 = p.sel(quantity="co2")
        yes = [bool(co2.peaked_by_2030), bool(co2.stable_decline)]
        cells = "".join(f'<td class="num">{y}</td>' for y in years)
        flags = "".join(f"<td>{'是 yes' if v else '否 no'}</td>" for v in yes)
        rows.append(
            f"<tr><td>{rank}</td><td>{_e(names.name_zh(str(region)))} {_e(region)}</td>"
            f"{cells}{flags}</tr>"
        )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _helps(explanation: pd.DataFrame | None, target: str) -> str:
    if explanation is None or not len(explanation):
        return ""
    rows = explanation[explanation.target == target]
    return "; ".join(f"{r.lever} {'↑' if r.direction == '+' else '↓'}" for r in rows.itertuples())


def _feasibility(df: pd.DataFrame, explanation: pd.DataFrame | None, names) -> str:
    meta = variable_metadata()
    head = (
        "<thead><tr><th>条款 clause</th><th>地区 region</th><th>指标 indicator</th>"
        "<th>目标 target</th><th>模拟 simulated</th><th>余量 margin</th><th>状态 status</th>"
        "<th>首次达标 first met</th><th>有效杠杆 levers that help</th></tr></thead>"
    )
    parts = []
    groups = [g for g in GROUP_TITLES if g in set(df.group)]
    groups += [g for g in dict.fromkeys(df.group) if g not in GROUP_TITLES]
    for group in groups:
        zh, en = GROUP_TITLES.get(group, (group, ""))
        parts.append(f"<h3>{_e(group)} {_bi(zh, en)}</h3>")
        in_group = df[df.group == group]
        for tier, (tier_zh, tier_en) in TIERS.items():
            rows = in_group[in_group.tier == tier]
            if rows.empty:
                continue
            body = []
            for r in rows.itertuples():
                indicator = meta.get(r.indicator, {}).get("long_name_zh", "")
                first = "" if pd.isna(r.first_year_met) else str(int(r.first_year_met))
                body.append(
                    f"<tr><td>{_e(r.clause)}</td><td>{_e(names.name_zh(r.region))}</td>"
                    f"<td>{_e(indicator)} <code>{_e(r.indicator)}</code>"
                    f'<div class="source">{_e(r.source_text)}</div></td>'
                    f"<td>{_e(r.written)} ({r.year})</td><td class='num'>{_e(r.simulated)}</td>"
                    f"<td class='num'>{_e(r.margin_text)}</td><td>{_badge(r.status)}</td>"
                    f"<td class='num'>{first}</td><td>{_e(_helps(explanation, r.target))}"
                    f"{_reason(r.reason)}</td></tr>"
                )
            parts.append(f"<h4>{_bi(tier_zh, tier_en)} ({len(rows)})</h4>")
            parts.append(f"<table>{head}<tbody>{''.join(body)}</tbody></table>")
    return "".join(parts)


def _reason(text: str) -> str:
    return f'<div class="source">{_e(text)}</div>' if text else ""


_READING = [
    (
        "达标:模拟值满足目标;临界:满足但余量很小;未达:不满足;未评估:模型不模拟该指标。",
        "met: the simulated value meets the target; at risk: met by a small margin; missed: "
        "not met; not evaluated: the model does not simulate that indicator.",
    ),
    (
        "余量按方案的单位给出(万千瓦、万吨标准煤等;比重与降幅为百分点),≥0 表示达标。",
        "Margins are in the plan's units (万千瓦, 万吨标准煤 …; shares and reductions in "
        "percentage points); ≥ 0 means met.",
    ),
    (
        "约束性目标须实现;“力争”目标为更高要求;“左右”目标允许一定偏差。",
        "Binding targets must be met; stretch (力争) targets are the higher ambition; "
        "approximate (左右) targets allow a tolerance.",
    ),
    (
        "达峰年份采用平台容差:此后排放不再超过峰值的 (1+容差) 倍。",
        "Peak years use a plateau tolerance: emissions never again exceed (1 + tolerance) x the "
        "peak.",
    ),
    (
        "“有效杠杆”为对未达目标余量改善最多的情景参数(↑ 提高,↓ 降低)。",
        "'Levers that help' are the scenario levers whose change improves a missed target's "
        "margin most (↑ raise, ↓ lower).",
    ),
    (
        "未达目标是模型的发现,而非需要调参消除的问题;全部数字基于2020年校准(docs/baseline.md)。",
        "A missed target is a finding, not something to tune away; every number rests on the "
        "2020 calibration (docs/baseline.md).",
    ),
]


_GROUPED_EN = "Grouped by the plan's actions, then by tier."


def _span_en(text: str) -> str:
    return f'<span class="en">{_e(text)}</span>'


def _font_face(text: str) -> str:
    """``@font-face`` with the bundled font subset to the characters of *text* (base64 OTF)."""
    from fontTools import subset

    path = resources.files("carbonsim").joinpath("plot", "fonts", "NotoSansSC-carbonsim.otf")
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    font = subset.load_font(io.BytesIO(path.read_bytes()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _CSS % {"font": _FONT, "data": data}


def render_report(
    result: CheckResult,
    explanation: pd.DataFrame | None = None,
    scenario=None,
    charts: bool = True,
) -> str:
    """The report page as one HTML string (self-contained, no script, no network).

    Parameters
    ----------
    result : CheckResult
        From :func:`carbonsim.check`; the page reports its first scenario.
    explanation : pandas.DataFrame, optional
        From :func:`carbonsim.analysis.explain.explain` (the levers that help each missed
        target).
    scenario : Scenario, optional
        The scenario run (its names and description head the page).
    charts : bool
        Draw and embed the charts (default); ``False`` for a quick text-only page.

    Returns
    -------
    str
        A complete HTML document (UTF-8).
    """
    from carbonsim import __version__

    ids = [str(s) for s in result.dataset.scenario.values]
    scenario_id = ids[0]
    names = regions_of(result.trajectories)
    df = _rows(result, scenario_id)
    title_zh = f"{names.name_zh(names.city)}碳达峰情景评估报告"
    named = " · ".join(
        x for x in (getattr(scenario, "name_zh", ""), getattr(scenario, "name_en", "")) if x
    )
    description = getattr(scenario, "description", "")
    more = f" (+{len(ids) - 1} more scenarios in the run)" if len(ids) > 1 else ""
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    body = [
        f"<h1>{_e(title_zh)}</h1>",
        f'<div class="en" style="font-size:18px">Carbon-peaking scenario report: '
        f"{_e(names.name_en(names.city))}</div>",
        f'<p class="meta">情景 scenario <code>{_e(scenario_id)}</code>{more} {_e(named)}<br>'
        f"{_e(description)}<br>carbonsim {_e(__version__)} · {_e(stamp)} · "
        f"{len(df)} 项目标 targets</p>",
        f"<h2>{_bi('摘要', 'Summary')}</h2>",
        _summary(df, result, scenario_id),
        f"<h2>{_bi('达峰顺序', 'Peaking order')}</h2>",
        _peaks(result, scenario_id),
    ]
    if charts:
        body.append(f"<h2>{_bi('图表', 'Charts')}</h2>")
        for chart_title, caption, data in _charts(result, scenario_id):
            body.append(
                f'<figure><img alt="{_e(chart_title)}" src="data:image/png;base64,{data}">'
                f"<figcaption><b>{_e(chart_title)}</b><br>{_e(caption)}</figcaption></figure>"
            )
    body += [
        f"<h2>{_bi('目标核查', 'Feasibility of every target')}</h2>",
        f"<p>{_bi('按方案的行动分组,组内按目标层级列出。', _GROUPED_EN)}</p>",
        _feasibility(df, explanation, names),
        f"<h2>{_bi('阅读说明', 'How to read this report')}</h2>",
        "<ul>" + "".join(f"<li>{_e(zh)}<br>{_span_en(en)}</li>" for zh, en in _READING) + "</ul>",
    ]
    content = "\n".join(body)
    style = _font_face(content + title_zh)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title_zh)} · {_e(scenario_id)}</title>\n<style>{style}</style>\n</head>\n"
        f"<body>\n{content}\n</body>\n</html>\n"
    )


def write_report(
    result: CheckResult,
    path: str | Path,
    explanation: pd.DataFrame | None = None,
    scenario=None,
    charts: bool = True,
) -> Path:
    """Write :func:`render_report` to *path* (UTF-8, atomically); returns the path."""
    return write_text(Path(path), render_report(result, explanation, scenario, charts))
