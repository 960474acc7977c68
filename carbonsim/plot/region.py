"""The feasible region: over two levers, the share of scenarios that meet a set of targets."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.lines import Line2D

from carbonsim.plot._style import A4_WIDTH, check_lang, finish, new_figure, percent_axis, style

__all__ = ["binned_share", "feasible_region"]

CMAP = "RdYlGn"
TEXT = {
    "colourbar": ("满足所选目标的情景比例", "share of scenarios meeting the targets"),
    "half": ("50% 情景满足", "50 % of scenarios meet them"),
    "all": ("全部情景满足", "all scenarios meet them"),
    # carbonsim.feasible_region(): one scenario per grid point, share of the targets met
    "colourbar_targets": ("所选目标中达成的比例", "share of the chosen targets met"),
    "half_targets": ("半数目标达成", "half of the targets met"),
    "all_targets": ("全部目标达成", "all targets met"),
    "title": ("可行域", "Feasible region"),
}


def _text(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "zh" else 1]


def binned_share(samples, x: str, y: str, bins: int = 12, targets=()) -> xr.Dataset:
    """Bin a per-scenario table (two lever columns and a boolean ``met``) into the share of
    scenarios meeting the targets per cell: the Dataset :func:`feasible_region` draws.

    Cells without any scenario are NaN (drawn blank).
    """
    for column in (x, y, "met"):
        if column not in samples:
            raise KeyError(f"the samples table has no column {column!r}: {list(samples.columns)}")
    xs = np.asarray(samples[x], float)
    ys = np.asarray(samples[y], float)
    met = np.asarray(samples["met"], bool)
    x_edges = np.linspace(xs.min(), xs.max(), bins + 1)
    y_edges = np.linspace(ys.min(), ys.max(), bins + 1)
    count, _, _ = np.histogram2d(ys, xs, bins=(y_edges, x_edges))
    hits, _, _ = np.histogram2d(ys, xs, bins=(y_edges, x_edges), weights=met.astype(float))
    share = np.divide(hits, count, out=np.full(count.shape, np.nan), where=count > 0)
    return xr.Dataset(
        {
            "share_met": (("y", "x"), share),
            "n_scenarios": (("y", "x"), count.astype(int)),
        },
        coords={"x": (x_edges[:-1] + x_edges[1:]) / 2, "y": (y_edges[:-1] + y_edges[1:]) / 2},
        attrs={"x_lever": x, "y_lever": y, "targets": list(targets)},
    )


def _lever_label(name: str, lang: str, year=None) -> tuple[str, bool]:
    """(axis label, whether the lever is a share/rate shown in per cent); *name* may carry a
    region, ``"solar_capacity:yanchi"``."""
    from carbonsim.definitions.levers import lever_table
    from carbonsim.plot._style import region_name

    lever, _, region = name.partition(":")
    spec = lever_table().get(lever.split(".")[0].split("[")[0])
    if spec is None:
        return name, False
    title = spec.name_zh if lang == "zh" else lever.replace("_", " ")
    where = [region_name(region, lang)] if region else []
    if year is not None:
        where.append(f"{year}年" if lang == "zh" else str(year))
    if where:
        title += f"({', '.join(where)})" if lang == "zh" else f" ({', '.join(where)})"
    percent = spec.unit in ("1", "1/yr")
    unit = (
        "%" + ("/年" if lang == "zh" else "/yr") * (spec.unit == "1/yr") if percent else spec.unit
    )
    return f"{title} ({unit})", percent


def _edges(centres: np.ndarray) -> np.ndarray:
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[:-1] + centres[1:]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _outline(ax, xe: np.ndarray, ye: np.ndarray, inside: np.ndarray) -> bool:
    """Draw the boundary of the cells where *inside* holds (y, x); False if there are none."""
    from matplotlib.collections import LineCollection

    padded = np.pad(inside, 1, constant_values=False)
    segments = []
    for j, i in np.argwhere(inside):
        x0, x1, y0, y1 = xe[i], xe[i + 1], ye[j], ye[j + 1]
        if not padded[j, i + 1]:  # below (row j - 1)
            segments.append([(x0, y0), (x1, y0)])
        if not padded[j + 2, i + 1]:  # above
            segments.append([(x0, y1), (x1, y1)])
        if not padded[j + 1, i]:  # left
            segments.append([(x0, y0), (x0, y1)])
        if not padded[j + 1, i + 2]:  # right
            segments.append([(x1, y0), (x1, y1)])
    if segments:
        ax.add_collection(LineCollection(segments, colors="black", lw=1.6, gid="all-met"))
    return bool(segments)


def _contours(ax, x, y, share: np.ndarray, lang: str, suffix: str) -> list:
    """The 50 % contour (dashed, interpolated) and the outline of the cells where every
    scenario meets the targets (solid, along cell edges: no interpolation to blur it)."""
    handles = []
    finite = share[np.isfinite(share)]
    if finite.size == 0:
        return handles
    low, high = float(finite.min()), float(finite.max())
    if low < 0.5 < high and min(share.shape) >= 2:
        ax.contour(x, y, np.ma.masked_invalid(share), levels=[0.5], colors="black", linestyles="--")
        handles.append(Line2D([], [], color="black", ls="--", label=_text("half" + suffix, lang)))
    if _outline(ax, _edges(x), _edges(y), np.nan_to_num(share) >= 1.0 - 1e-9):
        handles.append(Line2D([], [], color="black", lw=1.6, label=_text("all" + suffix, lang)))
    return handles


def _axis(ds: xr.Dataset, dim: str) -> tuple[np.ndarray, object]:
    """The lever values along *dim* (``x_value`` when the dataset has them, monotone) and the
    year they refer to."""
    values = np.asarray(ds[dim].values, float)
    name = f"{dim}_value"
    if name in ds.coords:
        real = np.asarray(ds[name].values, float)
        step = np.diff(real)
        if len(real) > 1 and ((step > 0).all() or (step < 0).all()):
            return real, ds[name].attrs.get("year")
    return values, None


def feasible_region(result, lang: str = "zh", ax=None, x=None, y=None, bins: int = 12, targets=()):
    """The share of scenarios meeting a chosen set of targets over two levers.

    A heat map of ``share_met`` with the 50 % contour (dashed) and the outline of the cells
    where every scenario meets the targets (solid, the 100 % contour along cell edges).

    Parameters
    ----------
    result : xarray.Dataset or pandas.DataFrame
        A Dataset with coords ``x`` and ``y`` (lever values), ``share_met`` (y, x) in [0, 1]
        and attrs ``x_lever``, ``y_lever``, ``targets``; or a per-scenario table with two lever
        columns and a boolean ``met`` column, binned into ``bins`` × ``bins`` cells
        (:func:`binned_share`).  The output of :func:`carbonsim.feasible_region` (one
        scenario per grid point, ``share_met`` = the share of the chosen *targets* met, lever
        values in the ``x_value``/``y_value`` coords) is drawn on the levers' values and
        labelled as a share of targets.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    x, y : str, optional
        For a table: the lever columns (default: the two columns besides ``met``).
    bins : int
        For a table: cells per axis.
    targets : sequence of str
        For a table: the ids of the targets ``met`` refers to (shown in the title).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    ds = result if isinstance(result, xr.Dataset) else _from_table(result, x, y, bins, targets)
    if "share_met" not in ds:
        raise KeyError("the feasible-region dataset needs a variable 'share_met' (y, x)")
    share = np.asarray(ds.share_met.transpose("y", "x").values, float)
    (x, x_year), (y, y_year) = _axis(ds, "x"), _axis(ds, "y")
    # carbonsim.feasible_region() gives the share of the targets met by one scenario per point
    suffix = "_targets" if "n_met" in ds or "all_met" in ds else ""
    with style(lang):
        if ax is None:
            ax = new_figure(A4_WIDTH * 0.75, 4.2).add_subplot()
        fig = ax.figure
        mesh = ax.pcolormesh(
            _edges(x),
            _edges(y),
            np.ma.masked_invalid(share),
            cmap=CMAP,
            vmin=0.0,
            vmax=1.0,
            gid="share",
        )
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(_text("colourbar" + suffix, lang))
        percent_axis(bar.ax.yaxis)
        handles = _contours(ax, x, y, share, lang, suffix)
        if handles:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)
        _label_axes(ax, ds, lang, (x_year, y_year))
        finish(fig)
    return fig


def _from_table(table, x, y, bins, targets) -> xr.Dataset:
    if x is None or y is None:
        levers = [c for c in table.columns if c != "met"]
        if len(levers) != 2:
            raise ValueError(f"give x= and y=: the table has columns {list(table.columns)}")
        x, y = levers
    return binned_share(table, x, y, bins, targets)


def _label_axes(ax, ds: xr.Dataset, lang: str, years) -> None:
    x_label, x_percent = _lever_label(str(ds.attrs.get("x_lever", "x")), lang, years[0])
    y_label, y_percent = _lever_label(str(ds.attrs.get("y_lever", "y")), lang, years[1])
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if x_percent:
        percent_axis(ax.xaxis)
    if y_percent:
        percent_axis(ax.yaxis)
    targets = ds.attrs.get("targets", [])
    targets = [targets] if isinstance(targets, str) else list(targets)
    if not targets:
        ax.set_title(_text("title", lang), loc="left", fontsize=8)
        return
    shown = ", ".join(targets[:3]) + (" …" if len(targets) > 3 else "")
    count = f"{len(targets)} 个目标" if lang == "zh" else f"{len(targets)} target(s)"
    ax.set_title(f"{_text('title', lang)}: {count}\n{shown}", loc="left", fontsize=8)
