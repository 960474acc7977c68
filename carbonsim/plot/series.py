"""Indicators over time: :func:`trajectory` (scenarios and regions, with the plan's targets) and
:func:`fan` (quantile bands of a sweep), plus :func:`quantile_summary`, the sweep summary both
the sweep and the tests build the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import xarray as xr

from carbonsim.errors import did_you_mean
from carbonsim.inputs.coerce import expect_trajectories
from carbonsim.plot import overlay
from carbonsim.plot._style import (
    A4_WIDTH,
    FAN_COLOURS,
    SCENARIO_STYLES,
    check_lang,
    finish,
    is_share,
    new_figure,
    percent_axis,
    region_colours,
    region_name,
    scenario_colours,
    style,
    variable_label,
    year_axis,
)
from carbonsim.regions import regions_of

__all__ = ["QUANTILES", "fan", "quantile_summary", "trajectory"]

#: the quantiles of a sweep summary: 5–95 % and 25–75 % bands and the median
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _variable(ds: xr.Dataset, name: str, what: str = "trajectories") -> xr.DataArray:
    if name not in ds:
        names = [str(k) for k in ds.data_vars]
        raise KeyError(f"{what} have no variable {name!r}.{did_you_mean(name, names)}")
    return ds[name]


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _axes(ax, height: float):
    if ax is None:
        fig = new_figure(A4_WIDTH, height)
        return fig, fig.add_subplot()
    return ax.figure, ax


def _year_window(years: np.ndarray, window) -> np.ndarray:
    if window is None:
        return np.ones(len(years), bool)
    first, last = window
    return (years >= first) & (years <= last)


def _series_list(da: xr.DataArray, scenarios, regions, keep) -> list[overlay.Series]:
    out = []
    years = np.asarray(da.year.values)[keep]
    for s in scenarios:
        for r in regions:
            x = da.sel(scenario=s)
            if "region" in x.dims:
                x = x.sel(region=r)
            out.append(overlay.Series(str(s), str(r), years, np.asarray(x.values, float)[keep]))
    return out


def _check_dims(da: xr.DataArray, name: str, allowed: set[str]) -> None:
    extra = [d for d in da.dims if d not in allowed]
    if extra:
        raise ValueError(
            f"{name!r} has extra dims {extra}; select one value of each first, e.g. "
            f"trajectories.assign({name}=trajectories[{name!r}].sel({extra[0]}=...))"
        )


def _draw_targets(ax, targets, indicator, regions, series_list, check, lang) -> list:
    years = series_list[0].years if series_list else []
    value_t, peak_t = overlay.select(targets, indicator, regions, years)
    statuses: set[str] = set()
    for t in value_t:
        mine = [s for s in series_list if s.region == t.region]
        statuses |= set(overlay.draw_value_target(ax, t, mine, check).values())
    for t in peak_t:
        overlay.draw_peak_target(ax, t, series_list, check)
        statuses |= {overlay.peak_status(t, s, check) for s in series_list if s.region == t.region}
    return overlay.legend_handles(value_t, peak_t, statuses, lang)


def _draw_probability_targets(ax, targets, indicator, region, median, shares, lang) -> list:
    value_t, peak_t = overlay.select(targets, indicator, [region], median.years)
    classes = set()
    for t in [*value_t, *peak_t]:
        p = None if shares is None else shares.get(t.id, float("nan"))
        classes.add(overlay.draw_probability_target(ax, t, median, p, lang))
    return overlay.probability_legend(value_t, peak_t, classes, lang)


def _finish_axes(ax, da, name: str, lang: str, title: str, handles, low: float) -> None:
    ax.set_ylabel(variable_label(da.attrs, name, lang))
    ax.set_title(title, loc="left")
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    first, last = ax.dataLim.x0, ax.dataLim.x1
    year_axis(ax.xaxis, int(np.floor(first)), int(np.ceil(last)))
    if is_share(da.attrs):
        percent_axis(ax.yaxis)
    if np.isfinite(low) and low >= 0:
        ax.set_ylim(bottom=0)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=2,
        fontsize=7,
        handlelength=1.8,
    )


def trajectory(
    trajectories: xr.Dataset,
    indicator: str,
    regions: str | Sequence[str] | None = None,
    scenarios: str | Sequence[str] | None = None,
    targets=None,
    check=None,
    lang: str = "zh",
    ax=None,
    years: tuple[int, int] | None = None,
):
    """An indicator over the years, for one or more scenarios and regions, with the plan's targets.

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate`.
    indicator : str
        A variable with dims (scenario[, region], year), e.g. ``"co2"``, ``"non_fossil_share"``.
    regions : str or sequence of str
        Region ids (default the city).  With several regions, colours are the regions' and line
        styles the scenarios'; with one region, colours are the scenarios'.
    scenarios : str or sequence of str, optional
        Default: every scenario.
    targets : Catalogue, path, None or False
        The catalogue whose targets of *indicator* are drawn (default the bundled plan; False:
        none).  Value targets: a bound (≥ ▲, ≤ ▼) or a band (左右) at the year; relative
        targets at the level implied by each series' base-year value; ``peak_by``: a dotted line.
    check : CheckResult, optional
        Colours targets met / at risk / missed from this result; otherwise met / missed is
        computed from the drawn values.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    years : (first, last), optional
        Years shown (default all).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    expect_trajectories(
        trajectories, "plot.trajectory()", 'plot.trajectory(traj, "co2", result=check(traj))'
    )
    da = _variable(trajectories, indicator)
    _check_dims(da, indicator, {"scenario", "region", "year"})
    regions = _as_list(regions) or [regions_of(trajectories).city]
    scenarios = _as_list(scenarios) or [str(s) for s in da.scenario.values]
    keep = _year_window(np.asarray(da.year.values), years)
    series_list = _series_list(da, scenarios, regions, keep)
    colours = scenario_colours(scenarios)
    by_region = region_colours(trajectories)
    with style(lang):
        fig, ax = _axes(ax, 4.2)
        handles = []
        for k, s in enumerate(series_list):
            if len(regions) > 1:
                colour = by_region.get(s.region, "#444444")
                ls = SCENARIO_STYLES[scenarios.index(s.scenario) % len(SCENARIO_STYLES)]
            else:
                colour, ls = colours[s.scenario], "-"
            label = _series_label(s, scenarios, regions, lang, regions_of(trajectories))
            (line,) = ax.plot(
                s.years, s.values, color=colour, ls=ls, lw=1.6, label=label, gid=f"series:{k}"
            )
            handles.append(line)
        handles += _draw_targets(ax, targets, indicator, regions, series_list, check, lang)
        known = regions_of(trajectories)
        sep = "、" if lang == "zh" else ", "
        names = sep.join(region_name(r, lang, known) for r in regions)
        title = variable_label(da.attrs, indicator, lang, with_unit=False)
        low = min(float(np.nanmin(s.values)) for s in series_list)
        _finish_axes(ax, da, indicator, lang, f"{title} — {names}", handles, low)
        ax.set_xlim(series_list[0].years[0] - 0.5, series_list[0].years[-1] + 1.5)
        finish(fig)
    return fig


def _series_label(s: overlay.Series, scenarios, regions, lang: str, known=None) -> str:
    parts = []
    if len(regions) > 1:
        parts.append(region_name(s.region, lang, known))
    if len(scenarios) > 1 or len(regions) == 1:
        parts.append(s.scenario)
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------
# sweeps
# ---------------------------------------------------------------------------------------------
def quantile_summary(
    trajectories: xr.Dataset,
    indicators: str | Iterable[str],
    quantiles: Sequence[float] = QUANTILES,
) -> xr.Dataset:
    """Quantiles over scenarios of each indicator: the sweep summary :func:`fan` draws.

    Parameters
    ----------
    trajectories : xarray.Dataset
        A batch of scenarios (``simulate`` of a LeverSet, or a sweep's chunk).
    indicators : str or iterable of str
        Variables with dims (scenario[, region], year).
    quantiles : sequence of float
        Default 0.05, 0.25, 0.5, 0.75, 0.95.

    Returns
    -------
    xarray.Dataset
        ``quantiles_<indicator>`` (quantile, region, year) with the variable's units and names;
        attribute ``n_scenarios``.
    """
    out = {}
    for name in _as_list(indicators):
        da = _variable(trajectories, name)
        _check_dims(da, name, {"scenario", "region", "year"})
        if "region" not in da.dims:
            da = da.expand_dims(region=[regions_of(trajectories).city], axis=1)
        q = da.quantile(list(quantiles), dim="scenario", keep_attrs=True)
        out[f"quantiles_{name}"] = q.transpose("quantile", "region", "year")
    ds = xr.Dataset(out)
    ds.attrs["n_scenarios"] = int(trajectories.sizes["scenario"])
    for coord in ("name_zh", "name_en"):
        if coord in trajectories.coords and "region" in ds.dims:
            names = trajectories[coord].to_series().to_dict()
            ds = ds.assign_coords({coord: ("region", [names[r] for r in ds.region.values])})
    return ds


def _quantile(q: xr.DataArray, level: float) -> np.ndarray:
    values = np.asarray(q["quantile"].values, float)
    hit = np.isclose(values, level)
    if not hit.any():
        raise ValueError(
            f"the sweep summary has quantiles {values.tolist()}; the fan needs {list(QUANTILES)}"
        )
    return np.asarray(q.isel(quantile=int(np.argmax(hit))).values, float)


def _probabilities(sweep_summary: xr.Dataset, probability) -> dict[str, float] | None:
    """Target id -> probability met, from *probability* (a CheckResult of the batch, a mapping
    or a pandas Series) or the summary's own ``probability`` (a sweep's); None when neither."""
    if probability is None:
        p = sweep_summary.get("probability")
        if p is None or p.dims != ("target",):
            return None
        return {str(k): float(v) for k, v in zip(p.target.values, p.values, strict=True)}
    if hasattr(probability, "dataset"):  # a CheckResult
        from carbonsim.feasibility.verdicts import count_verdicts, probability_met

        status = probability.dataset.status
        out = {}
        for j, target in enumerate(status.target.values):
            counts = count_verdicts(status.values[:, j])
            out[str(target)] = float(probability_met(counts["met"], counts["missed"]))
        return out
    return {str(k): float(v) for k, v in dict(probability).items()}


def fan(
    sweep_summary: xr.Dataset,
    indicator: str,
    region: str | None = None,
    targets=None,
    lang: str = "zh",
    ax=None,
    years: tuple[int, int] | None = None,
    probability=None,
):
    """Median and 5–95 % / 25–75 % bands of an indicator over a sweep, with the plan's targets.

    Parameters
    ----------
    sweep_summary : xarray.Dataset
        Holds ``quantiles_<indicator>`` (quantile, region, year), as :func:`quantile_summary`
        returns it.
    indicator : str
    region : str, optional
        Default: the city (``regions_of(sweep_summary).city``).
    targets : Catalogue, path, None or False
        As in :func:`trajectory`; relative targets are drawn at the level implied by the
        median's base-year value.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    years : (first, last), optional
    probability : CheckResult, mapping or pandas Series, optional
        Probability met [1] per target id: a check of the batch the summary was made from, or
        ``{id: share}``.  Default: the summary's ``probability`` (a sweep's summary has it).
        Each target is coloured and labelled by it: ≥ 90 % green 达成, 10–90 % amber with the
        percentage, < 10 % red 未达成; records set by the scenario in their own colour.  Without
        probabilities the targets are grey ("probability not given"), never 达成 because the
        median meets them.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    q = _variable(sweep_summary, f"quantiles_{indicator}", "the sweep summary")
    region = region or regions_of(sweep_summary).city
    q = q.sel(region=region) if "region" in q.dims else q
    all_years = np.asarray(q.year.values)
    keep = _year_window(all_years, years)
    band = {level: _quantile(q, level)[keep] for level in QUANTILES}
    yrs = all_years[keep]
    median = overlay.Series("median", region, yrs, band[0.5])
    labels = {
        "zh": ("中位数", "25–75% 区间", "5–95% 区间"),
        "en": ("median", "25–75 %", "5–95 %"),
    }[lang]
    with style(lang):
        fig, ax = _axes(ax, 4.2)
        outer = ax.fill_between(
            yrs, band[0.05], band[0.95], color=FAN_COLOURS["outer"], lw=0, label=labels[2]
        )
        inner = ax.fill_between(
            yrs, band[0.25], band[0.75], color=FAN_COLOURS["inner"], lw=0, label=labels[1]
        )
        (line,) = ax.plot(yrs, band[0.5], color=FAN_COLOURS["median"], lw=1.8, label=labels[0])
        handles = [line, inner, outer]
        handles += _draw_probability_targets(
            ax, targets, indicator, region, median, _probabilities(sweep_summary, probability), lang
        )
        n = sweep_summary.attrs.get("n_scenarios")
        count = "" if n is None else (f"(n={n} 个情景)" if lang == "zh" else f"(n = {n} scenarios)")
        title = variable_label(q.attrs, indicator, lang, with_unit=False)
        title = f"{title} — {region_name(region, lang)} {count}"
        _finish_axes(ax, q, indicator, lang, title, handles, float(np.nanmin(band[0.05])))
        ax.set_xlim(yrs[0] - 0.5, yrs[-1] + 1.5)
        finish(fig)
    return fig
