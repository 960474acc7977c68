"""The power system of one scenario and region: capacity, generation, storage, exports."""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim.constants import GENERATION_TECHS, NEW_ENERGY_TECHS
from carbonsim.plot._style import (
    A4_WIDTH,
    TECH_COLOURS,
    TECH_LABELS,
    check_lang,
    finish,
    new_figure,
    pick,
    region_name,
    style,
    year_axis,
)
from carbonsim.regions import regions_of

__all__ = ["power_mix"]

TRADE_COLOURS = {"uhvdc_export": "#8c510a", "other_export": "#dfc27d"}
TRADE_LABELS = {
    "uhvdc_export": ("宁电入湘外送", "UHVDC export (宁电入湘)"),
    "other_export": ("其他外送", "other outflow"),
}
#: the plan's rule for new-type storage (三(一)5): ≥ 10 % of new-energy capacity, ≥ 2 h
STORAGE_RATIO = 0.10
STORAGE_HOURS = 2.0
TEXT = {
    "capacity": ("装机容量 (GW)", "Installed capacity (GW)"),
    "generation": ("发电量与外送 (TWh)", "Generation and exports (TWh)"),
    "consumption": ("全社会用电量", "electricity consumption"),
    "storage_power": ("新型储能功率 (GW)", "Battery storage power (GW)"),
    "storage_energy": ("新型储能容量 (GWh)", "Battery storage energy (GWh)"),
    "battery": ("新型储能", "battery storage"),
    "pumped": ("抽水蓄能", "pumped hydro"),
    "rule_power": ("规划要求:新能源装机的10%", "plan: 10 % of wind + solar"),
    "rule_energy": ("规划要求:10% × 2小时", "plan: 10 % × 2 h"),
    "title": ("电力系统", "Power system"),
}


def _one(trajectories: xr.Dataset, scenario, region: str, years) -> xr.Dataset:
    scenarios = [str(s) for s in trajectories.scenario.values]
    scenario = scenarios[0] if scenario is None else str(scenario)
    if scenario not in scenarios:
        raise KeyError(f"no scenario {scenario!r}; the trajectories hold {scenarios}")
    ds = trajectories.sel(scenario=scenario, region=region)
    if years is not None:
        ds = ds.sel(year=slice(*years))
    return ds


def _stack(ax, ds: xr.Dataset, variable: str, lang: str) -> None:
    years = ds.year.values
    techs = [t for t in GENERATION_TECHS if float(ds[variable].sel(tech=t).max()) > 0]
    ax.stackplot(
        years,
        [ds[variable].sel(tech=t).values for t in techs],
        colors=[TECH_COLOURS[t] for t in techs],
        labels=[pick(TECH_LABELS, t, lang) for t in techs],
        lw=0,
        gid=f"stack:{variable}",
    )


def _exports(ax, ds: xr.Dataset, lang: str) -> None:
    years = ds.year.values
    bottom = np.zeros(len(years))
    for name in ("uhvdc_export", "other_export"):
        values = -np.asarray(ds[name].values, float)
        ax.bar(
            years,
            values,
            bottom=bottom,
            width=0.8,
            color=TRADE_COLOURS[name],
            label=pick(TRADE_LABELS, name, lang),
            gid=f"bars:{name}",
        )
        bottom = bottom + values
    ax.plot(
        years,
        ds["electricity_consumption"].values,
        color="black",
        lw=1.2,
        label=pick(TEXT, "consumption", lang),
    )
    ax.axhline(0, color="black", lw=0.6)


def _storage(ax, ds: xr.Dataset, lang: str, energy: bool) -> None:
    years = ds.year.values
    new_energy = ds["capacity"].sel(tech=list(NEW_ENERGY_TECHS)).sum("tech").values
    if energy:
        battery, pumped = ds["battery_energy"].values, ds["pumped_hydro_energy"].values
        rule, key = new_energy * STORAGE_RATIO * STORAGE_HOURS, "rule_energy"
    else:
        battery = ds["capacity"].sel(tech="battery").values
        pumped = ds["capacity"].sel(tech="pumped_hydro").values
        rule, key = new_energy * STORAGE_RATIO, "rule_power"
    ax.bar(
        years,
        battery,
        width=0.8,
        color=TECH_COLOURS["battery"],
        label=pick(TEXT, "battery", lang),
        gid="bars:battery",
    )
    if np.nanmax(pumped) > 0:
        ax.plot(
            years,
            pumped,
            color=TECH_COLOURS["pumped_hydro"],
            lw=1.2,
            label=pick(TEXT, "pumped", lang),
        )
    ax.plot(
        years,
        rule,
        color="#d73027",
        ls="--",
        lw=1.3,
        label=pick(TEXT, key, lang),
        gid=f"rule:{key}",
    )
    ax.set_title(pick(TEXT, "storage_energy" if energy else "storage_power", lang), loc="left")


def power_mix(
    trajectories: xr.Dataset,
    scenario: str | None = None,
    region: str | None = None,
    lang: str = "zh",
    fig=None,
    years: tuple[int, int] | None = None,
):
    """Installed capacity and generation by technology, battery storage against the plan's
    rule, and exports, for one scenario and region (four panels).

    * capacity by generation technology, stacked [GW];
    * generation by technology, stacked, with exports below zero (宁电入湘 UHVDC and other
      outflows, as negative bars) and the electricity consumption as a line [TWh];
    * new-type (battery) storage power [GW] against the plan's rule, 10 % of wind + solar
      capacity (三(一)5), pumped hydro as a line;
    * battery storage energy [GWh] against 10 % × 2 h.

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate`.
    scenario : str, optional
        Default the first scenario.
    region : str
    lang : {"zh", "en"}
    fig : matplotlib Figure, optional
        An empty figure to draw into (default: a new A4-wide one).
    years : (first, last), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    region = region or regions_of(trajectories).city
    ds = _one(trajectories, scenario, region, years)
    first, last = int(ds.year.values[0]), int(ds.year.values[-1])
    with style(lang):
        fig = fig if fig is not None else new_figure(A4_WIDTH, 5.6)
        axes = fig.subplots(2, 2, sharex=True)
        (cap, gen), (power, energy) = axes
        _stack(cap, ds, "capacity", lang)
        cap.set_title(pick(TEXT, "capacity", lang), loc="left")
        _stack(gen, ds, "generation", lang)
        _exports(gen, ds, lang)
        gen.set_title(pick(TEXT, "generation", lang), loc="left")
        _storage(power, ds, lang, energy=False)
        _storage(energy, ds, lang, energy=True)
        for ax in axes.ravel():
            year_axis(ax.xaxis, first, last)
            ax.grid(axis="y", color="#e6e6e6", lw=0.6)
        entries: dict[str, object] = {}
        for ax in (cap, gen, power, energy):
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                entries.setdefault(label, handle)
        fig.legend(
            handles=list(entries.values()),
            labels=list(entries),
            loc="outside lower center",
            ncols=4,
        )
        title = pick(TEXT, "title", lang)
        where = region_name(region, lang, regions_of(trajectories))
        fig.suptitle(
            f"{title} — {where} · {ds.scenario.values}",
            x=0.02,
            ha="left",
        )
        finish(fig)
    return fig
