"""The built-in hindcast: a scenario simulated 2020→latest with history switched off, against
every observed statistic of ``carbonsim/data/history/history.csv``.

Like is compared with like: real growth with the model's constant-price growth, shares with
shares, year-end levels with levels.  Rows for Ningxia (宁夏) are compared only with
Ningxia-wide quantities the model carries (the Ningxia grid's non-fossil share it assumes);
every other row is listed with a note saying why it is not compared (a target, the base year,
current prices, a Ningxia-wide total …).  Errors are percentage points for rates and shares and
percent for levels; the summary is the median absolute error of the rates and shares.

Examples
--------
>>> import carbonsim
>>> result = carbonsim.hindcast("scenarios/bau.toml")  # doctest: +SKIP
>>> print(result)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.baseline.cache import resolve_baseline
from carbonsim.baseline.history import CONTEXT_REGIONS, load_history
from carbonsim.errors import ScenarioError
from carbonsim.inputs.coerce import as_batch, as_scenario
from carbonsim.model.arrays import batch_arrays
from carbonsim.model.simulation import simulate
from carbonsim.regions import regions_of

__all__ = ["HINDCAST_BOUND_PP", "HindcastResult", "default_scenario_path", "hindcast"]

#: the bound the bundled BAU must meet: median absolute error of rates and shares [pp]
HINDCAST_BOUND_PP = 2.0
#: the industrial final-energy sectors (工业: the six named products and other industry)
INDUSTRY_SECTORS = (
    "aluminium", "magnesium", "cement", "coke", "carbide", "caustic_soda", "other_industry",
)  # fmt: skip
#: plan progress implied by the 2025 intensity target (−13 % over 2021–2025), per year [1]
PLAN_INTENSITY_PROGRESS_PER_YEAR = 1.0 - (1.0 - 0.13) ** (1 / 5)

_TARGET_PREFIXES = ("plan_target", "target")
_PART_YEAR = ("jan_jun", "jan_sep")

#: result columns
COLUMNS = (
    "region",
    "indicator",
    "year",
    "basis",
    "observed",
    "simulated",
    "unit",
    "error",
    "error_unit",
    "kind",
    "compared",
    "in_sample",
    "note",
    "source_title",
)


@dataclass
class _Ctx:
    traj: xr.Dataset
    arrays: dict
    regions: tuple[str, ...]
    years: list[int]


def _growth(values: xr.DataArray, year: int) -> float:
    return float(values.sel(year=year) / values.sel(year=year - 1) - 1.0) * 100.0


def _va(ctx: _Ctx, region: str, sectors: tuple[str, ...]) -> xr.DataArray:
    va = ctx.traj["value_added"].isel(scenario=0).sel(region=region)
    return va.sel(economic_sector=list(sectors)).sum("economic_sector")


def _sim_gdp_growth(ctx, region, year):
    return _growth(ctx.traj["gdp"].isel(scenario=0).sel(region=region), year), ""


def _sim_secondary_growth(ctx, region, year):
    va = _va(ctx, region, ("industry", "construction"))
    return _growth(va, year), "model: industry + construction value added (2020 prices)"


def _sim_industry_growth(ctx, region, year):
    note = "observed: 规模以上工业 (above-scale industry); model: all industry value added"
    return _growth(_va(ctx, region, ("industry",)), year), note


def _sim_va_growth(sector):
    def sim(ctx, region, year):
        return _growth(_va(ctx, region, (sector,)), year), ""

    return sim


def _industry_energy(ctx: _Ctx, region: str) -> xr.DataArray:
    fe = ctx.traj["final_energy"].isel(scenario=0).sel(region=region)
    return fe.sel(sector=list(INDUSTRY_SECTORS)).sum(("sector", "fuel"))


def _sim_industry_energy_growth(ctx, region, year):
    note = (
        "observed: 规模以上工业; model: all industry final energy (electricity at calorific value)"
    )
    return _growth(_industry_energy(ctx, region), year), note


def _sim_industry_intensity_change(ctx, region, year):
    ratio = _industry_energy(ctx, region) / _va(ctx, region, ("industry",))
    note = "observed: 规模以上工业; model: industry final energy per industry value added"
    return _growth(ratio, year), note


def _sim_energy_growth(ctx, region, year):
    return _growth(ctx.traj["energy_consumption"].isel(scenario=0).sel(region=region), year), ""


def _sim_electricity_growth(ctx, region, year):
    series = ctx.traj["electricity_consumption"].isel(scenario=0).sel(region=region)
    return _growth(series, year), "model: electricity consumption incl. grid losses"


def _sim_intensity_change(ctx, region, year):
    return _growth(ctx.traj["energy_intensity"].isel(scenario=0).sel(region=region), year), ""


def _sim_capacity(techs):
    def sim(ctx, region, year):
        cap = ctx.traj["capacity"].isel(scenario=0).sel(region=region, year=year)
        return float(cap.sel(tech=list(techs)).sum()) * 100.0, "万千瓦 (GW × 100)"

    return sim


def _sim_population(ctx, region, year):
    series = ctx.traj["population"].isel(scenario=0).sel(region=region, year=year)
    return float(series), ""


def _sim_grid_nhre(ctx, region, year):
    arr = np.asarray(ctx.arrays["grid_import_non_fossil_share"])[0]
    note = "model: its assumed Ningxia-grid non-fossil share (lever grid_import_non_fossil_share)"
    return float(arr[ctx.years.index(year)]) * 100.0, note


#: indicator -> (kind, function(ctx, region, year) -> (simulated, note)) for the city/counties
LOCAL: dict[str, tuple[str, Callable]] = {
    "gdp_growth": ("rate", _sim_gdp_growth),
    "secondary_va_growth": ("rate", _sim_secondary_growth),
    "industry_va_growth": ("rate", _sim_industry_growth),
    "primary_va_growth": ("rate", _sim_va_growth("primary")),
    "tertiary_va_growth": ("rate", _sim_va_growth("tertiary")),
    "industrial_energy_consumption_growth": ("rate", _sim_industry_energy_growth),
    "industry_energy_intensity_change": ("rate", _sim_industry_intensity_change),
    "energy_consumption_growth": ("rate", _sim_energy_growth),
    "electricity_consumption_growth": ("rate", _sim_electricity_growth),
    "energy_intensity_change": ("rate", _sim_intensity_change),
    "population": ("level", _sim_population),
    "wind_capacity": ("level", _sim_capacity(("wind",))),
    "solar_capacity": ("level", _sim_capacity(("solar",))),
    "new_energy_capacity": ("level", _sim_capacity(("wind", "solar"))),
}


def _sim_grid_factor(ctx, region, year):
    arr = np.asarray(ctx.arrays["grid_emission_factor"])[0]
    note = (
        "model: the grid factor it applies to traded electricity (lever grid_emission_factor, "
        "the Northwest regional factor in the bundled scenarios); observed: Ningxia's provincial "
        "factor"
    )
    return float(arr[ctx.years.index(year)]), note


#: indicator -> (kind, function) for Ningxia rows: Ningxia-wide quantities the model carries
CONTEXT: dict[str, tuple[str, Callable]] = {
    "nonhydro_renewable_consumption_weight": ("share", _sim_grid_nhre),
    "grid_co2_emission_factor": ("level", _sim_grid_factor),
}
#: Ningxia rates with a city analogue: shown beside the skipped row as context, never compared
CONTEXT_ANALOGUES: dict[str, Callable] = {
    "gdp_growth": _sim_gdp_growth,
    "secondary_va_growth": _sim_secondary_growth,
    "industry_va_growth": _sim_industry_growth,
    "electricity_consumption_growth": _sim_electricity_growth,
    "energy_consumption_growth": _sim_energy_growth,
}
#: bases of observations comparable with a simulated year (growth, share, year-end level)
COMPARABLE_BASES = {
    "rate": (
        "real_growth",
        "real_growth_jan_jun",
        "growth",
        "growth_jan_jun",
        "growth_2015_prices",
    ),
    "share": ("actual", "actual_lower_bound", "year_end"),
    "level": ("year_end", "year_end_lower_bound", "official_factor"),
}


@dataclass
class HindcastResult:
    """Observed vs simulated, one row per observed statistic (:data:`COLUMNS`).

    Attributes
    ----------
    table : pandas.DataFrame
        Every observation row of the history table; ``compared`` says whether it was compared
        and ``note`` why not (or what to keep in mind when it was).
    scenario : str
        The scenario's id.
    years : tuple of int
        First and last simulated year.
    """

    table: pd.DataFrame
    scenario: str
    years: tuple[int, int]
    counties: tuple[str, ...] = ()

    def compared(self) -> pd.DataFrame:
        """The rows that were compared."""
        return self.table[self.table.compared]

    def median_abs_error_pp(self) -> float:
        """Median absolute error of the compared growth rates and shares [percentage points]."""
        rows = self.compared()
        errors = rows[rows.kind.isin(("rate", "share"))].error.abs()
        return float(errors.median()) if len(errors) else math.nan

    def median_abs_error_pp_out_of_sample(self, where: str = "all") -> float:
        """As :meth:`median_abs_error_pp`, without the rows the scenario copies (``in_sample``).

        *where*: ``"all"`` rows, the ``"city"`` (and Ningxia) rows only, or the ``"counties"``.
        """
        rows = self._out_of_sample(where)
        return float(rows.error.abs().median()) if len(rows) else math.nan

    def _out_of_sample(self, where: str) -> pd.DataFrame:
        """The compared out-of-sample rates and shares of *where* (all, city, counties)."""
        rows = self.compared()
        rows = rows[rows.kind.isin(("rate", "share")) & ~rows.in_sample]
        if where != "all":
            counties = rows.region.isin(self.counties)
            rows = rows[counties] if where == "counties" else rows[~counties]
        return rows

    def breakdown(self, where: str = "counties") -> pd.DataFrame:
        """Where the error is: out-of-sample rate and share errors [pp], indicator × region.

        *where*: ``"counties"`` (default), ``"city"`` (the city and Ningxia) or ``"all"``.  One
        row per indicator and one column per region (signed errors, simulated − observed, of the
        statistic's year; an indicator observed in more than one year gets one row per year,
        labelled ``"<indicator> <year>"``), plus the row ``median |error|`` (per region) and the
        column ``median |error|`` (per row).  The bottom-right cell is
        :meth:`median_abs_error_pp_out_of_sample` of *where*.
        """
        rows = self._out_of_sample(where).assign(abs_error=lambda r: r.error.abs())
        years = rows.groupby("indicator").year.transform("nunique")
        labels = rows.indicator.where(years == 1, rows.indicator + " " + rows.year.astype(str))
        rows = rows.assign(indicator=labels)
        label = "median |error|"
        table = rows.pivot_table(index="indicator", columns="region", values="error")
        table.columns.name = None
        table[label] = rows.groupby("indicator").abs_error.median()
        by_region = rows.groupby("region").abs_error.median()
        table.loc[label] = by_region.reindex(table.columns).fillna(float(rows.abs_error.median()))
        return table

    def median_abs_error_level_pct(self) -> float:
        """Median absolute error of the compared levels [percent]."""
        rows = self.compared()
        errors = rows[rows.kind == "level"].error.abs()
        return float(errors.median()) if len(errors) else math.nan

    def summary(self) -> str:
        """The one summary line."""
        rows = self.compared()
        rates = rows[rows.kind.isin(("rate", "share"))]
        part = int(rates.basis.str.contains("|".join(_PART_YEAR)).sum())
        inside = int(rates.in_sample.sum())
        sample_text = (
            f", {self.median_abs_error_pp_out_of_sample():.2f} pp without the {inside} the "
            "scenario copies"
            if inside
            else ""
        )
        levels = rows[rows.kind == "level"]
        level_text = (
            f"; levels: median |error| {self.median_abs_error_level_pct():.1f} % over {len(levels)}"
            if len(levels)
            else "; no level compared"
        )
        city = self.median_abs_error_pp_out_of_sample("city")
        counties = self.median_abs_error_pp_out_of_sample("counties")
        split = f" (out of sample: city and Ningxia {city:.2f} pp, counties {counties:.2f} pp)"
        return (
            f"hindcast {self.scenario} {self.years[0]}–{self.years[1]} (history off): median "
            f"|error| of growth rates and shares {self.median_abs_error_pp():.2f} pp over "
            f"{len(rates)} statistics ({part} of them part-year){sample_text}{split}"
            f"{level_text}; {self._flags_text()}"
            f"{int((~self.table.compared).sum())} observations not comparable (see note)"
        )

    def _flags_text(self) -> str:
        flags = self.compared()
        flags = flags[flags.kind == "flag"]
        if not len(flags):
            return ""
        agree = int((flags.observed == flags.simulated).sum())
        return f"flags (能耗双控 warnings) reproduced: {agree} of {len(flags)}; "

    def rows(self, compared_only: bool = False) -> list[list[str]]:
        """Display rows (strings): region … error, note; what ``carbonsim hindcast`` prints."""
        rows = self.compared() if compared_only else self.table
        return [
            [
                r.region,
                r.indicator,
                str(r.year),
                r.basis,
                _fmt(r.observed),
                _fmt(r.simulated),
                r.unit,
                _fmt_error(r.error, r.error_unit),
                r.note,
            ]
            for r in rows.itertuples(index=False)
        ]

    def __repr__(self) -> str:
        cols = ["region", "indicator", "year", "observed", "simulated", "error", "error_unit"]
        return self.compared()[cols].to_string(index=False) + "\n" + self.summary()


#: headers of :meth:`HindcastResult.rows`
ROW_HEADER = (
    "region", "indicator", "year", "basis", "observed", "simulated", "unit", "error", "note",
)  # fmt: skip


def _fmt(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _fmt_error(x: float, unit: str) -> str:
    return "" if not unit or math.isnan(x) else f"{x:+.2f} {unit}"


def default_scenario_path() -> Path:
    """``scenarios/bau.toml``: in the working directory, else beside the package source."""
    here = Path.cwd() / "scenarios" / "bau.toml"
    if here.is_file():
        return here
    beside = Path(__file__).resolve().parents[2] / "scenarios" / "bau.toml"
    if beside.is_file():
        return beside
    raise ScenarioError(
        "scenarios/bau.toml not found (neither in the working directory nor beside the "
        "package); pass the scenario to hindcast, e.g. hindcast('path/to/bau.toml')"
    )


def hindcast(
    scenario=None,
    baseline: xr.Dataset | str | os.PathLike | None = None,
    history: pd.DataFrame | str | os.PathLike | None = None,
    last_year: int | None = None,
) -> HindcastResult:
    """Simulate *scenario* 2020→latest with history off and compare it with the observations.

    Parameters
    ----------
    scenario : Scenario, path or dict, optional
        Default: ``scenarios/bau.toml`` (:func:`default_scenario_path`).
    baseline : xarray.Dataset or path, optional
        The 2020 calibration (default: the bundled one).
    history : DataFrame or path, optional
        The observed table (default: the bundled ``history.csv``).
    last_year : int, optional
        Last simulated year (default: the latest year with an observation).

    Returns
    -------
    HindcastResult
    """
    ds = resolve_baseline(baseline)
    regions = regions_of(ds)
    table = history if isinstance(history, pd.DataFrame) else load_history(history, regions)
    scen = as_scenario(
        scenario if scenario is not None else default_scenario_path(), regions, "hindcast"
    )
    observations = table[~table.basis.str.startswith(_TARGET_PREFIXES)]
    last = int(last_year or observations.year.max())
    years = list(range(2020, last + 1))
    traj = simulate(scen, ds, years=years, history=False)
    arrays = batch_arrays(as_batch(scen, regions), years, ds, history=False)
    ctx = _Ctx(traj, arrays, (regions.city, *regions.counties), years)
    rows = [_compare(row, ctx) for row in observations.itertuples(index=False)]
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out = out.sort_values(["compared", "indicator", "region", "year"], ascending=[False, 1, 1, 1])
    return HindcastResult(
        out.reset_index(drop=True), scen.id, (years[0], years[-1]), tuple(regions.counties)
    )


def _skip(row, note: str) -> list:
    return [
        row.region, row.indicator, row.year, row.basis, row.value, math.nan, row.unit,
        math.nan, "", "", False, False, note, row.source_title,
    ]  # fmt: skip


def _compare(row, ctx: _Ctx) -> list:
    context = row.region in CONTEXT_REGIONS
    known = CONTEXT if context else LOCAL
    if row.indicator == "energy_dual_control_warning" and not context:
        return _warning(row, ctx)
    why = _why_not(row, ctx, known, context)
    if why:
        return _skip(row, why + _context_note(row, ctx, context, why))
    kind, sim = known[row.indicator]
    if row.basis not in COMPARABLE_BASES[kind]:
        return _skip(row, f"basis {row.basis!r} is not comparable with a simulated {kind}")
    simulated, note = sim(ctx, row.region, int(row.year))
    if kind == "level":
        error, unit = (simulated / row.value - 1.0) * 100.0, "%"
    else:
        error, unit = simulated - row.value, "pp"
    inside = _in_sample(row, ctx)
    notes = [n for n in (note, _basis_note(row.basis)) if n]
    if inside:
        notes.insert(0, "IN SAMPLE: the scenario sets this value itself")
    return [
        row.region, row.indicator, row.year, row.basis, row.value, simulated, row.unit,
        error, unit, kind, True, inside, "; ".join(notes), row.source_title,
    ]  # fmt: skip


def _in_sample(row, ctx: _Ctx) -> bool:
    """Whether the scenario's own lever sets the observed value (a GDP growth rate it copies).

    Such a row tests the wiring, not the model: the summary reports the median without it too.
    """
    if row.indicator in CONTEXT:  # a Ningxia quantity the model takes as an input (a lever)
        return bool(
            abs(CONTEXT[row.indicator][1](ctx, row.region, int(row.year))[0] - row.value) < 1e-6
        )
    if row.indicator != "gdp_growth" or row.region == ctx.regions[0]:
        return False
    county = ctx.regions.index(row.region) - 1
    lever = np.asarray(ctx.arrays["gdp_growth"])[0, county, ctx.years.index(int(row.year))]
    return bool(abs(lever * 100.0 - row.value) < 1e-6)


def _why_not(row, ctx: _Ctx, known: dict, context: bool) -> str:
    if row.year <= ctx.years[0]:
        return "base year: 2020 is the calibration, not simulated"
    if row.year > ctx.years[-1]:
        return f"after the last simulated year {ctx.years[-1]}"
    if row.indicator not in known:
        if context:
            return "Ningxia-wide statistic; the model simulates the city only (context)"
        if row.basis.startswith("current_prices"):
            return "current prices; the model's GDP is at constant 2020 prices"
        return f"the model has no comparable quantity for {row.indicator!r}"
    return ""


def _context_note(row, ctx: _Ctx, context: bool, why: str) -> str:
    """For a skipped Ningxia rate with a city analogue: the model's city value, as context."""
    sim = CONTEXT_ANALOGUES.get(row.indicator)
    if not context or sim is None or not why.startswith("Ningxia-wide"):
        return ""
    value = sim(ctx, ctx.regions[0], int(row.year))[0]
    return f"; context: the model's {ctx.regions[0]} value {value:+.1f} %"


def _basis_note(basis: str) -> str:
    if "jan_jun" in basis:
        return "observed: Jan–Jun rate; model: annual"
    if "jan_sep" in basis:
        return "observed: Jan–Sep rate; model: annual"
    if basis.endswith("lower_bound"):
        return "observed is a lower bound"
    if basis == "growth_2015_prices":
        return "observed at 2015 prices"
    return ""


def _warning(row, ctx: _Ctx) -> list:
    """The 能耗双控 warning: did the simulated intensity fall by less than the plan's pace?"""
    year = int(row.year)
    if year > ctx.years[-1]:
        return _skip(row, f"after the last simulated year {ctx.years[-1]}")
    change = _sim_intensity_change(ctx, row.region, year)[0]
    pace = -PLAN_INTENSITY_PROGRESS_PER_YEAR * 100.0
    simulated = 1.0 if change > pace else 0.0
    note = (
        f"observed: warning (intensity fell by less than the progress target); model: "
        f"energy intensity {change:+.2f} %/yr vs the plan's pace {pace:.2f} %/yr → "
        f"{'warning' if simulated else 'no warning'} (the pace of the 2025 target −13 %; the "
        "2021 progress target itself was Ningxia's and is not in the history table)"
    )
    return [
        row.region, row.indicator, row.year, row.basis, row.value, simulated, row.unit,
        simulated - row.value, "", "flag", True, False, note, row.source_title,
    ]  # fmt: skip
