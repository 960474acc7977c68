"""The hourly power balance of one year: a summer and a winter day, and storage cycles by year."""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim.plot._style import (
    A4_WIDTH,
    TECH_COLOURS,
    TECH_LABELS,
    check_lang,
    finish,
    new_figure,
    pick,
    style,
    year_axis,
)

__all__ = ["hourly_balance"]

#: supply drawn above zero, bottom to top
SUPPLY = ("coal", "gas", "hydro", "biomass", "wind", "solar", "battery_discharge", "phs_discharge",
          "imports")  # fmt: skip
#: uses drawn below zero besides local load
USES = ("battery_charge", "phs_charge", "uhvdc", "exports", "curtailment")
COLOURS = {
    **TECH_COLOURS,
    "battery_discharge": TECH_COLOURS["battery"],
    "phs_discharge": TECH_COLOURS["pumped_hydro"],
    "battery_charge": "#c39bd3",
    "phs_charge": "#6baed6",
    "imports": "#bdbdbd",
    "uhvdc": "#8c510a",
    "exports": "#dfc27d",
    "curtailment": "#e31a1c",
}
LABELS = {
    **TECH_LABELS,
    "battery_discharge": ("新型储能放电", "battery discharge"),
    "phs_discharge": ("抽水蓄能发电", "pumped-hydro discharge"),
    "battery_charge": ("新型储能充电", "battery charge"),
    "phs_charge": ("抽水蓄能抽水", "pumped-hydro pumping"),
    "imports": ("区内电网购入", "from the Ningxia grid"),
    "uhvdc": ("宁电入湘外送", "UHVDC export (宁电入湘)"),
    "exports": ("送区内电网", "to the Ningxia grid"),
    "curtailment": ("弃风弃光", "curtailed wind and solar"),
    "load": ("本地用电负荷", "local load"),
    "summer": ("夏季典型日", "summer day"),
    "winter": ("冬季典型日", "winter day"),
    "power": ("电力 (万千瓦)", "Power (万千瓦, 10 MW)"),
    "cycles": ("储能年等效循环次数", "Storage equivalent full cycles a year"),
    "battery_cycles": ("新型储能", "battery storage"),
    "pumped_hydro_cycles": ("抽水蓄能", "pumped hydro"),
    "title": ("逐时电力平衡", "Hourly power balance"),
}
SEASONS = {"summer": (6, 7, 8), "winter": (12, 1, 2)}


def _day_of(hourly: xr.Dataset, season: str) -> int:
    """The representative day of *season* that stands for the most days."""
    in_season = np.isin(hourly.month.values, SEASONS[season])
    weights = np.where(in_season, hourly.weight.values, -1.0)
    return int(np.argmax(weights))


def _day(ax, hourly: xr.Dataset, day: int, lang: str) -> None:
    hours = hourly.hour.values
    one = hourly.isel(day=day)
    up = [k for k in SUPPLY if float(one[k].max()) > 0]
    ax.stackplot(hours, [one[k].values for k in up], colors=[COLOURS[k] for k in up],
                 labels=[pick(LABELS, k, lang) for k in up], lw=0, step="mid")  # fmt: skip
    down = [k for k in USES if float(one[k].max()) > 0]
    ax.stackplot(hours, [-one[k].values for k in down], colors=[COLOURS[k] for k in down],
                 labels=[pick(LABELS, k, lang) for k in down], lw=0, step="mid")  # fmt: skip
    ax.step(hours, one["load"].values, where="mid", color="black", lw=1.2,
            label=pick(LABELS, "load", lang))  # fmt: skip
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlim(hours[0] - 0.5, hours[-1] + 0.5)
    ax.set_xticks(range(0, 24, 3))
    ax.grid(axis="y", color="#e6e6e6", lw=0.6)


def hourly_balance(
    hourly: xr.Dataset, trajectories: xr.Dataset | None = None, lang: str = "zh", fig=None
):
    """Stacked hourly supply (above zero) and uses (below) on a representative summer and winter
    day, with local load as a line, in 万千瓦; and, with *trajectories*, the storage cycles a
    year by technology.

    Parameters
    ----------
    hourly : xarray.Dataset
        :func:`carbonsim.model.hourly.hourly_dispatch` of one scenario and year.
    trajectories : xarray.Dataset, optional
        :func:`carbonsim.simulate` of the same scenario (its first scenario is drawn).
    lang : {"zh", "en"}
    fig : matplotlib Figure, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    with style(lang):
        fig = fig if fig is not None else new_figure(A4_WIDTH, 5.4)
        axes = fig.subplots(2, 2, height_ratios=(3, 2))
        for ax, season in zip(axes[0], ("summer", "winter"), strict=True):
            day = _day_of(hourly, season)
            _day(ax, hourly, day, lang)
            month = int(hourly.month.values[day])
            weight = float(hourly.weight.values[day])
            when = f"{month}月" if lang == "zh" else f"month {month}"
            ax.set_title(f"{pick(LABELS, season, lang)} ({when}, ×{weight:g})", loc="left")
            ax.set_ylabel(pick(LABELS, "power", lang))
        cycles = axes[1, 0]
        if trajectories is not None:
            ds = trajectories.isel(scenario=0).sel(region=trajectories.attrs.get("city"))
            for name, colour in (
                ("battery_cycles", "battery"),
                ("pumped_hydro_cycles", "pumped_hydro"),
            ):
                cycles.plot(ds.year.values, ds[name].values, color=TECH_COLOURS[colour],
                            label=pick(LABELS, name, lang))  # fmt: skip
            year_axis(cycles.xaxis, int(ds.year.values[0]), int(ds.year.values[-1]))
            cycles.axvline(int(hourly.attrs["year"]), color="#999999", lw=0.6, ls=":")
            cycles.legend(loc="upper left")
        cycles.set_title(pick(LABELS, "cycles", lang), loc="left")
        axes[1, 1].axis("off")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        for handle, label in zip(*axes[0, 1].get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
        axes[1, 1].legend(handles, labels, loc="center", ncols=2)
        fig.suptitle(f"{pick(LABELS, 'title', lang)} — {hourly.attrs['scenario']} · "
                     f"{hourly.attrs['year']}", x=0.02, ha="left")  # fmt: skip
        finish(fig)
    return fig
