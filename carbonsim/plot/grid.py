"""The target dashboard: scenarios × targets, met / at risk / missed / not evaluated."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import xarray as xr
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from carbonsim.constants import CITY
from carbonsim.inputs.coerce import expect_check_result
from carbonsim.plot._style import (
    A4_WIDTH,
    OP_SYMBOLS,
    STATUS_COLOURS,
    STATUS_LABELS,
    check_lang,
    finish,
    new_figure,
    pick,
    region_name,
    style,
)
from carbonsim.regions import regions_of

__all__ = ["dashboard"]

ROW_HEIGHT = 0.125  # [in] per target or group header
#: characters kept of an indicator's name: (two panels side by side, one panel)
LABEL_CHARS = {"zh": (15, 24), "en": (30, 52)}
ORDER_WORDS = {
    "peak_by": ("{year}年前达峰", "peak by {year}"),
    "peak_in": ("{year}年前后达峰", "peak around {year}"),
    "peak_before": ("早于{other}达峰", "peak before {other}"),
    "peak_with": ("与{other}同步达峰", "peak with {other}"),
    "nonincreasing": ("至{year}年稳中有降", "non-increasing to {year}"),
}


@cache
def _names() -> dict[str, tuple[str, str]]:
    """indicator -> (Chinese, English) name, from the variable table and tracked indicators."""
    from carbonsim.catalogue import tracked_indicators
    from carbonsim.definitions.variables import variable_metadata

    out = {k: (v["long_name_zh"], v["long_name"]) for k, v in variable_metadata().items()}
    for k, v in tracked_indicators().items():
        out.setdefault(k, (v.get("long_name_zh") or k, v.get("long_name") or k))
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def target_label(t: xr.Dataset, lang: str, chars: int | None = None, names=None) -> str:
    """``2025 新能源发电装机容量 ≥2300万千瓦`` (one target of a check dataset)."""
    indicator = str(t.indicator.values)
    name = _short(pick(_names(), indicator, lang), chars or LABEL_CHARS[lang][1])
    region = str(t.region.values)
    city = str(t.attrs.get("city", CITY))
    where = "" if region == city else region_name(region, lang, names) + " "
    op = str(t.op.values)
    if op in ORDER_WORDS:
        other = region_name(city, lang, names)
        what = pick(ORDER_WORDS, op, lang).format(year=int(t.year.values), other=other)
        return f"{where}{name} {what}"
    written = str(t.written.values)
    if lang == "zh":  # "-13% vs 2020" -> "较2020年-13%"
        written = re.sub(r"^(\S+) vs (\d{4})(.*)$", r"较\2年\1\3", written)
    return f"{where}{int(t.year.values)} {name} {OP_SYMBOLS.get(op, op)}{written}"


def _select(ds: xr.Dataset, tiers, kinds, groups, scenarios) -> xr.Dataset:
    keep = np.ones(ds.sizes["target"], bool)
    for coord, wanted in (("tier", tiers), ("kind", kinds), ("group", groups)):
        if wanted is not None:
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            keep &= np.isin(ds[coord].values, wanted)
    ds = ds.isel(target=np.flatnonzero(keep))
    if scenarios is not None:
        ds = ds.sel(scenario=[scenarios] if isinstance(scenarios, str) else list(scenarios))
    if ds.sizes["target"] == 0:
        raise ValueError("no target left after the tiers/kinds/groups filters")
    return ds


def _rows(ds: xr.Dataset) -> list[tuple[str, object]]:
    """[("group", key) | ("target", index)] in the plan's order of actions."""
    from carbonsim.feasibility.labels import GROUP_TITLES

    groups = [str(g) for g in ds.group.values]
    order = [g for g in GROUP_TITLES if g in groups] + [
        g for g in dict.fromkeys(groups) if g not in GROUP_TITLES
    ]
    rows: list[tuple[str, object]] = []
    for g in order:
        rows.append(("group", g))
        rows += [("target", i) for i, x in enumerate(groups) if x == g]
    return rows


def intensity(margin: np.ndarray, target_value: np.ndarray) -> np.ndarray:
    """Colour intensity in [0.3, 1] per (scenario, target): |margin| normalised per target by
    the largest |margin| over scenarios or the target's |value|, whichever is larger."""
    absm = np.abs(margin)
    scale = np.nanmax(np.where(np.isnan(absm), 0.0, absm), axis=0)
    scale = np.maximum(scale, np.nan_to_num(np.abs(target_value)))
    frac = np.where(scale > 0, absm / np.where(scale > 0, scale, 1.0), 0.0)
    return 0.3 + 0.7 * np.clip(np.nan_to_num(frac), 0.0, 1.0)


def _colours(ds: xr.Dataset) -> np.ndarray:
    """(target, scenario, 3) RGB: status colour blended with white by the margin intensity."""
    status = np.asarray(ds.status.transpose("scenario", "target").values).astype(str)
    margin = np.asarray(ds.margin.transpose("scenario", "target").values, float)
    alpha = intensity(margin, np.asarray(ds.target_value.values, float))
    alpha = np.where(status == "at_risk", 0.85, alpha)  # at risk: small margins by definition
    rgb = np.ones((*status.shape, 3))
    for name, colour in STATUS_COLOURS.items():
        hit = status == name
        a = 1.0 if name == "not_evaluated" else alpha[hit][:, None]
        rgb[hit] = 1.0 - a * (1.0 - np.array(to_rgb(colour)))
    return rgb.transpose(1, 0, 2)


def _split(rows: list, n_panels: int) -> list[list]:
    """Split the rows into panels of about equal height, at group headers."""
    if n_panels == 1:
        return [rows]
    starts = [i for i, (kind, _) in enumerate(rows) if kind == "group"]
    goal = len(rows) / n_panels
    cut = min(starts[1:] or [len(rows)], key=lambda i: abs(i - goal))
    return [rows[:cut], rows[cut:]]


def _draw_panel(ax, rows, ds: xr.Dataset, rgb: np.ndarray, lang: str, chars: int, names) -> None:
    from carbonsim.feasibility.labels import GROUP_TITLES

    n_s = ds.sizes["scenario"]
    image = np.ones((len(rows), n_s, 3))
    labels = []
    for y, (kind, key) in enumerate(rows):
        if kind == "target":
            image[y] = rgb[key]
            labels.append(target_label(ds.isel(target=key), lang, chars, names))
        else:
            title = GROUP_TITLES.get(key, (key, key))
            labels.append(title[0] if lang == "zh" else f"{key} {title[1]}")
            ax.axhspan(y - 0.5, y + 0.5, color="#ececec", zorder=0, lw=0)
    ax.imshow(
        np.where(np.array([k == "group" for k, _ in rows])[:, None, None], np.nan, image),
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, n_s - 0.5, len(rows) - 0.5, -0.5),
        zorder=1,
    )
    ax.set_yticks(range(len(rows)), labels, fontsize=6)
    for tick, (kind, _) in zip(ax.get_yticklabels(), rows, strict=True):
        if kind == "group":
            tick.set_fontsize(7)
            tick.set_color("#1f3b73")
    ax.tick_params(axis="y", length=0, pad=2)
    ax.set_xticks(range(n_s), [str(s) for s in ds.scenario.values], fontsize=6.5)
    ax.xaxis.tick_top()
    if n_s > 4:
        for tick in ax.get_xticklabels():
            tick.set_rotation(45)
            tick.set_ha("left")
    ax.set_xticks(np.arange(n_s + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=0.6)
    ax.tick_params(which="minor", length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-0.5, n_s - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _legend(fig, ds: xr.Dataset, lang: str) -> None:
    from carbonsim.feasibility.verdicts import count_verdicts

    status = np.asarray(ds.status.values).astype(str).ravel()
    present = set(status)
    handles = [
        Patch(color=STATUS_COLOURS[s], label=pick(STATUS_LABELS, s, lang))
        for s in STATUS_COLOURS
        if s in present
    ]
    note = "颜色深浅:裕度(按目标归一)" if lang == "zh" else "shade: margin, normalised per target"
    handles.append(Patch(color="white", label=note))
    c = count_verdicts(status)  # met includes at risk; set by the scenario counted apart
    if lang == "zh":
        title = (
            f"达成 {c['met']}(含临界 {c['at_risk']}) · 未达成 {c['missed']} · "
            f"情景设定 {c['set_by_scenario']}(不计入达成) · 未评估 {c['not_evaluated']}"
        )
    else:
        title = (
            f"met {c['met']} (incl. at risk {c['at_risk']}) · missed {c['missed']} · "
            f"set by the scenario {c['set_by_scenario']} (not counted as met) · "
            f"not evaluated {c['not_evaluated']}"
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        fontsize=7,
        title=title,
        title_fontsize=7,
    )


def dashboard(
    check_result,
    lang: str = "zh",
    ax=None,
    tiers=None,
    kinds=None,
    groups=None,
    scenarios=None,
    columns: int | None = None,
):
    """Every target × every scenario: met / at risk / missed / set by the scenario / not
    evaluated, by action (set-by-scenario cells are inputs read back, never counted as met).

    Cells are coloured by status, their shade by the margin (normalised per target by the
    largest |margin| over scenarios or the target's |value|: pale = close to the line, deep =
    far from it).  Rows are grouped by the plan's actions (二 主要目标, 三(一) … 三(十), the
    EV-charging opinion) under headers.

    Parameters
    ----------
    check_result : CheckResult or xarray.Dataset
        From :func:`carbonsim.check` (or its ``.dataset``).
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
        Draw into one axes (one column of rows).
    tiers, kinds, groups : str or list of str, optional
        Keep only these tiers (binding, stretch, approx, qualitative), kinds (simulated,
        tracked, order) or groups (``"二"``, ``"三(一)"`` …), e.g. ``kinds="simulated",
        tiers="binding"`` for the simulated binding targets.
    scenarios : str or list of str, optional
    columns : int, optional
        Panels side by side when *ax* is None (default: 2 for more than 60 rows and at most 6
        scenarios, which fits ~130 targets on an A4 page; else 1).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    expect_check_result(check_result, "plot.dashboard()", "plot.dashboard(check(traj))")
    ds = check_result.dataset if hasattr(check_result, "dataset") else check_result
    traj = getattr(check_result, "trajectories", None)
    names = regions_of(traj) if traj is not None else None
    ds = _select(ds, tiers, kinds, groups, scenarios)
    rows = _rows(ds)
    rgb = _colours(ds)
    n_s = ds.sizes["scenario"]
    if ax is not None:
        panels = [rows]
    else:
        columns = columns or (2 if len(rows) > 60 and n_s <= 6 else 1)
        panels = _split(rows, columns)
    with style(lang):
        if ax is None:
            tallest = max(len(p) for p in panels)
            top = 0.9 if n_s > 4 else 0.5
            fig = new_figure(A4_WIDTH, ROW_HEIGHT * tallest + top + 0.5)
            axes = fig.subplots(1, len(panels), squeeze=False)[0]
        else:
            fig, axes = ax.figure, [ax]
        chars = LABEL_CHARS[lang][0 if len(panels) > 1 else 1]
        for panel_ax, panel in zip(axes, panels, strict=True):
            _draw_panel(panel_ax, panel, ds, rgb, lang, chars, names)
        _legend(fig, ds, lang)
        finish(fig)
    return fig
