"""The peaking order (各地梯次有序达峰): when each county peaks, against the plan's expectations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from matplotlib.transforms import blended_transform_factory

from carbonsim.plot import overlay
from carbonsim.plot._style import (
    A4_WIDTH,
    PROBABILITY_COLOURS,
    STATUS_COLOURS,
    TIER_LABELS,
    check_lang,
    finish,
    new_figure,
    pick,
    region_colours,
    region_name,
    style,
    year_axis,
)
from carbonsim.regions import WUZHONG, regions_of

__all__ = ["peaking_order"]

QUANTITY_LABELS = {
    "co2": ("碳排放", "CO2"),
    "coal_consumption": ("煤炭消费", "coal"),
    "road_oil_consumption": ("交通用油", "road oil"),
}
EXPECTATION_LABELS = {
    "peak_before": ("率先:早于{ref}", "before {ref}"),
    "peak_with": ("同步:{ref}±{lag}年", "with {ref} ±{lag} yr"),
    "peak_by": ("{year}年前达峰", "by {year}"),
}
VERDICTS = {"True": ("符合", "met"), "False": ("不符合", "missed")}
BAND_COLOUR = "#e5f5e0"
#: up to this many scenarios each gets its own marker; more are drawn as distributions
FEW = 6
SCENARIO_MARKERS = ("o", "s", "D", "^", "v", "P")
BAND_EDGE = "#74c476"


@dataclass
class Row:
    region: str
    quantity: str
    years: np.ndarray  # peak year per scenario
    target: object = None  # the order target of this row (or None)
    reference: np.ndarray | None = None  # the reference's peak year per scenario


def _peaks_dataset(peaks) -> xr.Dataset:
    if hasattr(peaks, "peaks") and not isinstance(peaks, xr.Dataset):
        return peaks.peaks  # a CheckResult
    if "peak_year" not in peaks:
        raise ValueError("peaks must be a peak table (CheckResult.peaks or feasibility.peak_table)")
    return peaks


def _order_targets(targets, quantity: str) -> list:
    out = []
    for t in overlay.resolve_catalogue(targets):
        ref_quantity = t.other_indicator or t.indicator
        if t.op in ("peak_before", "peak_with") and ref_quantity == quantity:
            out.append(t)
        elif t.op == "peak_by" and t.indicator == quantity:
            out.append(t)
    return out


def _rows(ds: xr.Dataset, quantity: str, targets) -> list[Row]:
    py = ds["peak_year"]

    def years(region, q):
        return np.asarray(py.sel(region=region, quantity=q).values, float)

    regions = [str(r) for r in ds.region.values]
    rows = {(r, quantity): Row(r, quantity, years(r, quantity)) for r in regions}
    for t in _order_targets(targets, quantity):
        if t.region not in regions or t.indicator not in ds.quantity.values:
            continue
        row = rows.setdefault((t.region, t.indicator), Row(t.region, t.indicator, years(*_key(t))))
        row.target = t
        if t.op != "peak_by" and t.other_region in regions:
            row.reference = years(t.other_region, t.other_indicator or t.indicator)
    return _ordered(list(rows.values()), regions_of(ds).city)


def _key(t) -> tuple[str, str]:
    return t.region, t.indicator


def _ordered(rows: list[Row], city: str = WUZHONG.city) -> list[Row]:
    """City first, then the counties grouped by what the plan expects of them."""
    rank = {"peak_by": 0, "peak_before": 1, "peak_with": 2, None: 3}
    regions = list(dict.fromkeys(r.region for r in rows))

    def key(row: Row):
        op = row.target.op if row.target is not None else None
        first = 0 if row.region == city else 1
        region_op = min(
            rank[r.target.op if r.target is not None else None]
            for r in rows
            if r.region == row.region
        )
        return (first, region_op, regions.index(row.region), row.quantity != "co2", rank[op])

    return sorted(rows, key=key)


def _met(row: Row, ds: xr.Dataset) -> np.ndarray | None:
    t = row.target
    if t is None:
        return None
    if t.op == "peak_by":
        flag = f"peaked_by_{t.year}"
        if flag in ds:
            return np.asarray(ds[flag].sel(region=t.region, quantity=t.indicator).values, bool)
        return row.years <= t.year
    if row.reference is None:
        return None
    if t.op == "peak_before":
        return row.years <= row.reference - 1
    return np.abs(row.years - row.reference) <= (t.lag_years or 1)


def _window(row: Row, x_min: float) -> tuple[float, float] | None:
    t = row.target
    if t is None:
        return None
    if t.op == "peak_by":
        return x_min, t.year + 0.5
    if row.reference is None:
        return None
    ref = float(np.median(row.reference))
    if t.op == "peak_before":
        return x_min, ref - 0.5
    lag = t.lag_years or 1
    return ref - lag - 0.5, ref + lag + 0.5


def _row_label(row: Row, lang: str, known=WUZHONG) -> str:
    name = region_name(row.region, lang, known)
    if row.quantity == "co2":
        return name
    return f"{name}·{pick(QUANTITY_LABELS, row.quantity, lang)}"


def _expectation_text(
    row: Row, met: np.ndarray | None, lang: str, known=WUZHONG
) -> tuple[str, str]:
    t = row.target
    if t is None or met is None:
        return "", "#777777"
    ref = ("全市" if lang == "zh" else "the city") if t.other_region == known.city else ""
    ref = ref or (region_name(t.other_region, lang, known) if t.other_region else "")
    template = pick(EXPECTATION_LABELS, t.op, lang)
    text = template.format(ref=ref, lag=t.lag_years or 1, year=t.year)
    text += f" ({pick(TIER_LABELS, t.tier, lang)})"
    share = float(np.mean(met))
    if len(met) == 1:
        verdict = pick(VERDICTS, str(bool(met[0])), lang)
        colour = STATUS_COLOURS["met" if met[0] else "missed"]
    else:  # a batch: coloured by the share met, as the fan chart (≥ 90 % green, < 10 % red)
        verdict = f"符合 {share:.0%}" if lang == "zh" else f"met in {share:.0%}"
        colour = PROBABILITY_COLOURS[overlay.probability_class(share)]
    return f"{text}\n{verdict}", colour


def _draw_row(ax, y: int, row: Row, scenarios: list[str], marker: str, colours) -> None:
    colour = colours.get(row.region, "#444444")
    n = len(scenarios)
    if 1 < n <= FEW:  # a few named scenarios: one marker each, side by side
        for k, scenario in enumerate(scenarios):
            ax.scatter(
                [row.years[k]],
                [y + (k - (n - 1) / 2) * 0.2],
                s=30,
                color=colour,
                edgecolors="black",
                linewidths=0.5,
                marker=SCENARIO_MARKERS[k],
                zorder=4,
                gid=f"peaks:{row.region}:{row.quantity}:{scenario}",
            )
        return
    values, counts = np.unique(row.years[np.isfinite(row.years)], return_counts=True)
    share = counts / max(n, 1)
    sizes = 36.0 if n == 1 else 12.0 + 260.0 * share
    ax.scatter(
        values,
        np.full(len(values), y),
        s=sizes,
        color=colour,
        alpha=0.9 if n == 1 else 0.75,
        edgecolors="white",
        linewidths=0.6,
        marker=marker,
        zorder=4,
        gid=f"peaks:{row.region}:{row.quantity}",
    )
    if n > 1:
        median = float(np.median(row.years))
        ax.plot([median], [y], marker="|", ms=12, mew=2.0, color="black", zorder=5)


def peaking_order(
    peaks,
    quantity: str = "co2",
    targets=None,
    lang: str = "zh",
    ax=None,
    horizon: int | None = None,
):
    """Peak year of each county and the city, with the plan's peaking order as expectations.

    One scenario: a dot per region; up to six: one marker per scenario (legend); more: a row
    of bubbles per region whose areas are the shares of scenarios peaking in each year (a
    histogram row), with the median as a bar.  The
    city's peak (median) is a dashed reference line.  The plan's order clauses of the catalogue
    (三(十): 利通区、同心县 率先; 红寺堡区、盐池县 同步; 青铜峡市 coal before the city's CO2 —
    its coal row is added; the city by 2030) are shaded windows (relative to the city's median
    peak) with the share of scenarios that meet them at the right.

    Parameters
    ----------
    peaks : xarray.Dataset or CheckResult
        A peak table (``CheckResult.peaks``): ``peak_year`` (scenario, region, quantity).
    quantity : str
        ``"co2"`` (default), ``"coal_consumption"`` or ``"road_oil_consumption"``.
    targets : Catalogue, path, None or False
        Where the order clauses come from (default the bundled plan; False: none).
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    horizon : int, optional
        The last simulated year: a peak there means "still rising", shown hatched.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    ds = _peaks_dataset(peaks)
    rows = _rows(ds, quantity, targets)
    n = ds.sizes["scenario"]
    all_years = np.concatenate([r.years for r in rows])
    x_min = min(float(np.nanmin(all_years)), 2020.0) - 1
    x_max = max(float(np.nanmax(all_years)), 2030.0, horizon or 0) + 1
    with style(lang):
        if ax is None:
            ax = new_figure(A4_WIDTH, 0.42 * len(rows) + 1.6).add_subplot()
        fig = ax.figure
        _draw_all(ax, rows, ds, x_min, lang)
        handles = _reference_lines(ax, ds, quantity, horizon, lang)
        ax.set_yticks(range(len(rows)), [_row_label(r, lang, regions_of(ds)) for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(x_min, x_max)
        year_axis(ax.xaxis, int(x_min), int(x_max))
        ax.grid(axis="x", color="#eeeeee", lw=0.6)
        ax.set_xlabel("达峰年份" if lang == "zh" else "peak year")
        what = pick(QUANTITY_LABELS, quantity, lang)
        count = f"{n} 个情景" if lang == "zh" else f"{n} scenario{'s' if n > 1 else ''}"
        if lang == "zh":
            ax.set_title(f"各地达峰顺序:{what}({count})", loc="left")
        else:
            ax.set_title(f"Peaking order: {what} ({count})", loc="left")
        ax.legend(
            handles=handles + _key_handles([str(s) for s in ds.scenario.values], lang),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncols=3,
        )
        finish(fig)
    return fig


def _reference_lines(ax, ds, quantity, horizon, lang) -> list:
    handles = []
    city_id = regions_of(ds).city
    if city_id in ds.region.values:
        city = np.asarray(ds["peak_year"].sel(region=city_id, quantity=quantity).values, float)
        ref = float(np.median(city))
        what = "中位数" if lang == "zh" and len(city) > 1 else ""
        label = f"全市达峰{what} {ref:.0f}" if lang == "zh" else f"city peak {ref:.0f}"
        if lang == "en" and len(city) > 1:
            label = f"city peak (median) {ref:.0f}"
        handles.append(
            ax.axvline(ref, color="black", ls="--", lw=1.0, zorder=3, label=label, gid="city-peak")
        )
    if horizon is not None:
        label = f"{horizon}年仍上升(未达峰)" if lang == "zh" else f"still rising in {horizon}"
        handles.append(
            ax.axvspan(
                horizon - 0.5,
                horizon + 0.5,
                facecolor="none",
                edgecolor="#999999",
                hatch="///",
                lw=0,
                zorder=0,
                label=label,
            )
        )
    return handles


def _key_handles(scenarios: list[str], lang: str) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    window = "规划要求的达峰窗口" if lang == "zh" else "window the plan expects"
    handles = [Patch(facecolor=BAND_COLOUR, edgecolor=BAND_EDGE, ls="--", label=window)]
    if 1 < len(scenarios) <= FEW:
        return handles + [
            Line2D([], [], marker=m, ls="", color="#888888", mec="black", mew=0.5, label=s)
            for m, s in zip(SCENARIO_MARKERS, scenarios, strict=False)
        ]
    if len(scenarios) > 1:
        median = "中位数" if lang == "zh" else "median"
        handles.append(Line2D([], [], marker="|", ms=10, mew=2, color="black", ls="", label=median))
        for share in (0.1, 0.5):
            text = f"{share:.0%} 的情景" if lang == "zh" else f"{share:.0%} of scenarios"
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    color="#888888",
                    ms=float(np.sqrt(12.0 + 260.0 * share)),
                    label=text,
                )
            )
    return handles


def _draw_all(ax, rows: list[Row], ds: xr.Dataset, x_min: float, lang: str) -> None:
    scenarios = [str(s) for s in ds.scenario.values]
    colours = region_colours(regions_of(ds))
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for y, row in enumerate(rows):
        window = _window(row, x_min)
        if window is not None:
            ax.fill_betweenx(
                [y - 0.36, y + 0.36],
                window[0],
                window[1],
                color=BAND_COLOUR,
                edgecolor=BAND_EDGE,
                lw=0.6,
                ls="--",
                zorder=1,
                gid=f"expectation:{row.region}:{row.quantity}",
            )
        _draw_row(ax, y, row, scenarios, "o" if row.quantity == "co2" else "s", colours)
        text, colour = _expectation_text(row, _met(row, ds), lang, regions_of(ds))
        if text:
            ax.text(1.01, y, text, transform=right, va="center", fontsize=7, color=colour)
