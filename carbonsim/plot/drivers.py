"""What drives the change of CO2 between two years: LMDI waterfalls, one panel per region."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from carbonsim.plot._style import (
    A4_WIDTH,
    FACTOR_COLOURS,
    FACTOR_LABELS,
    check_lang,
    finish,
    new_figure,
    pick,
    region_name,
    style,
    unit_label,
)
from carbonsim.regions import regions_of

__all__ = ["emission_drivers"]

TOTAL_COLOUR = "#252525"
LABELS = {"total": ("合计变化", "Total change")}


def _waterfall(ax, contribution: xr.DataArray, lang: str) -> None:
    effects = [str(e) for e in contribution.effect.values]
    values = np.asarray(contribution.values, float)
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    total = float(values.sum())
    ys = np.arange(len(effects) + 1)
    colours = [FACTOR_COLOURS.get(e, "#777777") for e in effects] + [TOTAL_COLOUR]
    lefts = np.append(starts, 0.0)
    widths = np.append(values, total)
    bars = ax.barh(ys, widths, left=lefts, color=colours, height=0.62, gid="waterfall")
    for y in ys[:-1]:
        end = lefts[y] + widths[y]
        ax.plot([end, end], [y + 0.31, y + 0.69], color="#999999", lw=0.6)
    span = max(float(np.max(np.abs(np.append(np.cumsum(values), 0.0)))), abs(total), 1e-9)
    for bar, value in zip(bars, widths, strict=True):
        right = bar.get_x() + max(bar.get_width(), 0.0)
        left = bar.get_x() + min(bar.get_width(), 0.0)
        x, ha = (right + 0.02 * span, "left") if value >= 0 else (left - 0.02 * span, "right")
        text = "0" if abs(value) < 0.5 else f"{value:+,.0f}".replace("-", "−")
        ax.text(x, bar.get_y() + 0.31, text, va="center", ha=ha, fontsize=6)
    ax.axvline(0, color="black", lw=0.6)
    low = min(0.0, float(np.min(lefts + np.minimum(widths, 0))))
    high = max(0.0, float(np.max(lefts + np.maximum(widths, 0))))
    pad = 0.22 * (high - low or 1.0)
    ax.set_xlim(low - pad, high + pad)
    ax.set_yticks(
        ys, [pick(FACTOR_LABELS, e, lang) for e in effects] + [pick(LABELS, "total", lang)]
    )
    ax.set_ylim(len(ys) - 0.5, -0.5)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)


def emission_drivers(
    trajectories: xr.Dataset,
    y0: int = 2020,
    y1: int = 2030,
    regions=None,
    scenario: str | None = None,
    lang: str = "zh",
    fig=None,
):
    """Waterfalls of the change of CO2 from *y0* to *y1*, one panel per region.

    The change is split by additive LMDI-I
    (:func:`carbonsim.analysis.decomposition.co2_drivers`) into
    GDP (activity), energy intensity, energy mix and emission factor of fuel combustion, plus
    industrial process and electricity trade / other, so the bars add up exactly to
    ``co2(y1) − co2(y0)`` (the last bar).  Each panel's title gives both levels.

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate`.
    y0, y1 : int
    regions : sequence of str, optional
        Default: the city and every county.
    scenario : str, optional
        Default: the first scenario.
    lang : {"zh", "en"}
    fig : matplotlib Figure, optional
        An empty figure to draw into.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from carbonsim.analysis.decomposition import co2_drivers

    check_lang(lang)
    scenario = str(trajectories.scenario.values[0]) if scenario is None else scenario
    d = co2_drivers(trajectories, y0, y1, regions=regions, scenario=scenario)
    names = [str(r) for r in d.region.values]
    ncols = 1 if len(names) == 1 else 2
    nrows = math.ceil(len(names) / ncols)
    unit = unit_label(d.contribution.attrs.get("units", ""), lang)
    with style(lang):
        fig = fig if fig is not None else new_figure(A4_WIDTH, 1.75 * nrows + 0.7)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        for ax, region in zip(axes.ravel(), names, strict=False):
            part = d.sel(scenario=scenario, region=region)
            _waterfall(ax, part.contribution, lang)
            start, end = float(part.co2_start), float(part.co2_end)
            name = region_name(region, lang, regions_of(trajectories))
            ax.set_title(f"{name}: {start:,.0f} → {end:,.0f}", loc="left")
            ax.set_xlabel(unit, fontsize=7)
        for ax in axes.ravel()[len(names) :]:
            ax.set_visible(False)
        if lang == "zh":
            title = f"二氧化碳排放变化的驱动因素 {y0}→{y1}(LMDI加法分解,{scenario})"
        else:
            title = f"Drivers of the change of CO2, {y0}→{y1} (additive LMDI; {scenario})"
        fig.suptitle(title, x=0.02, ha="left")
        finish(fig)
    return fig
