"""The accounts of the 2020 calibration (electricity, energy, CO2, sinks) and its reference check.

* :func:`generation_2020` – generation by region and technology;
* :func:`baseline_balances` – the energy, electricity and CO2 accounts the simulator uses;
* :func:`check_references` – the city accounts against the reference totals.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from carbonsim import constants as C
from carbonsim.baseline.schema import TOLERANCE

__all__ = ["CO2_REFERENCE_RANGE", "baseline_balances", "check_references", "generation_2020"]

#: Assessment-basis CO2 range of 2020 [1e4 t CO2] implied by the sourced intensity 2.37 t/万元
#: (2015 or 2020 price basis; baseline-facts §2).
CO2_REFERENCE_RANGE = (1370.0, 1480.0)


def _attrs(units: str, long_name: str, long_name_zh: str, description: str) -> dict:
    return dict(units=units, long_name=long_name, long_name_zh=long_name_zh,
                description=description)  # fmt: skip


def generation_2020(ds: xr.Dataset) -> xr.DataArray:
    """2020 generation [TWh] by region and generation technology.

    capacity [GW] × utilisation_hours [h] × (1 − curtailment_rate) for wind and solar, × 1e-3.
    """
    cap = ds["capacity"].sel(tech=list(C.GENERATION_TECHS)).rename(tech="generation_tech")
    cap = cap.assign_coords(generation_tech=list(C.GENERATION_TECHS))
    curtail = ds["curtailment_rate"].rename(new_energy_tech="generation_tech")
    curtail = curtail.reindex(generation_tech=list(C.GENERATION_TECHS), fill_value=0.0)
    gen = cap * ds["utilisation_hours"] * (1 - curtail) * C.TWH_PER_GWH
    return gen.assign_attrs(_attrs("TWh", "Electricity generation 2020", "2020年发电量",
                                   "capacity × utilisation hours × (1 − curtailment)"))  # fmt: skip


#: units, English and Chinese names of every output of :func:`baseline_balances`
_BALANCE_ATTRS = {
    "electricity_demand": ("TWh", "Final electricity demand", "终端用电量"),
    "electricity_consumption": ("TWh", "Electricity consumption incl. grid losses",
                                "全社会用电量(含线损)"),
    "generation": ("TWh", "Electricity generation 2020", "2020年发电量"),
    "net_import": ("TWh", "Net electricity import (negative: export)", "净调入电量(负为调出)"),
    "heat_supply_fuel": ("1e4 tce", "Fuel for delivered heat", "供热燃料消耗"),
    "final_energy_total": ("1e4 tce", "Final energy use (calorific electricity)", "终端能源消费量"),
    "final_energy_by_fuel": ("1e4 tce", "Final energy use by fuel", "分品种终端能源消费量"),
    "energy_consumption": ("1e4 tce", "Total energy consumption (coal-equivalent method, "
                           "consumption basis)", "能源消费总量(发电煤耗法)"),
    "energy_intensity": ("tce/1e4 CNY", "Energy intensity of GDP", "单位地区生产总值能耗"),
    "co2_final": ("1e4 t CO2", "CO2 of final fossil fuel use", "终端化石能源燃烧排放"),
    "co2_heat": ("1e4 t CO2", "CO2 of heat supply", "供热排放"),
    "co2_process": ("1e4 t CO2", "Industrial process CO2", "工业生产过程排放"),
    "power_fuel": ("1e4 tce", "Fuel of local power plants", "本地电厂燃料消耗"),
    "co2_power": ("1e4 t CO2", "CO2 of local power plants", "本地电厂排放"),
    "co2_by_fuel": ("1e4 t CO2", "Combustion CO2 by fuel (final, heat, power)", "分品种燃烧排放"),
    "co2_territorial": ("1e4 t CO2", "CO2, territorial basis", "二氧化碳排放(属地口径)"),
    "co2_trade_adjustment": ("1e4 t CO2", "CO2 of net electricity import", "净调入电力排放"),
    "co2_assessment": ("1e4 t CO2", "CO2, assessment basis (territorial + electricity trade)",
                       "二氧化碳排放(考核口径)"),
    "co2_intensity": ("t CO2/1e4 CNY", "CO2 intensity of GDP (assessment basis)",
                      "单位地区生产总值二氧化碳排放"),
    "sink_forest": ("1e4 t CO2/yr", "Forest CO2 sink", "森林碳汇"),
    "sink_grassland": ("1e4 t CO2/yr", "Grassland CO2 sink", "草原碳汇"),
    "sink_wetland": ("1e4 t CO2/yr", "Wetland CO2 sink", "湿地碳汇"),
    "sink_total": ("1e4 t CO2/yr", "Ecosystem CO2 sink (reported apart from gross emissions)",
                   "生态系统碳汇合计"),
}  # fmt: skip


def baseline_balances(ds: xr.Dataset, count_hydrogen: bool = True) -> xr.Dataset:
    """The energy, electricity and CO2 accounts of the calibration, per region (city = sum).

    Formulas (the simulator's):

    * electricity demand D [TWh] = Σ final electricity [1e4 tce] / 0.1229 × 1e-2; electricity
      consumption (全社会用电量, the trajectories' meaning) = D × (1 + grid_loss_rate);
    * delivered heat H = Σ final heat; heat fuel = H / heat_supply_efficiency × heat_fuel_mix;
    * total energy consumption [1e4 tce] (coal-equivalent method, consumption basis) =
      Σ final coal, oil, gas, biomass (and hydrogen when ``count_hydrogen``: non-electrolytic, as
      in 2020) + heat fuel + consumption × coal_supply_rate × 0.1;
    * CO2 [1e4 t]: final fossil × emission_factor + heat fuel × factor + process (output ×
      process factor) + power plants (coal generation × coal_supply_rate × 0.1 × coal factor,
      gas likewise) = territorial; assessment = territorial + (consumption − local generation) ×
      grid_emission_factor × 100 (net imports positive, net exports negative);
    * sinks [1e4 t CO2/yr]: forest stock × growth rate × factor; grassland and wetland area ×
      factor.
    """
    fe = ds["final_energy"]
    acc = _electricity(ds)
    acc["heat_supply_fuel"] = (
        fe.sel(fuel="heat", drop=True).sum("sector")
        / ds["heat_supply_efficiency"]
        * ds["heat_fuel_mix"]
    )
    direct_fuels = ["coal", "oil", "gas", "biomass"] + (["hydrogen"] if count_hydrogen else [])
    acc["final_energy_total"] = fe.sum(["sector", "fuel"])
    acc["final_energy_by_fuel"] = fe.sum("sector")
    acc["energy_consumption"] = (
        fe.sel(fuel=direct_fuels).sum(["sector", "fuel"])
        + acc["heat_supply_fuel"].sum("heat_fuel")
        + acc["electricity_consumption"] * ds["coal_supply_rate"] * C.TCE_1E4_PER_TWH_PER_GCE_KWH
    )
    acc["energy_intensity"] = acc["energy_consumption"] / ds["gdp"]
    acc.update(_co2(ds, acc))
    acc.update(_sinks(ds))
    out = xr.Dataset()
    for name, da in acc.items():
        units, long_name, long_name_zh = _BALANCE_ATTRS[name]
        out[name] = da.assign_attrs(_attrs(units, long_name, long_name_zh, long_name))
    return out


def _electricity(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    demand = ds["final_energy"].sel(fuel="electricity", drop=True).sum("sector")
    demand = demand * C.TWH_PER_10KTCE_ELECTRICITY
    supply = demand * (1 + ds["grid_loss_rate"])
    gen = generation_2020(ds)
    net = supply - gen.sum("generation_tech")
    return {"electricity_demand": demand, "electricity_consumption": supply, "generation": gen,
            "net_import": net}  # fmt: skip


def _by_fuel(da: xr.DataArray, dim: str) -> xr.DataArray:
    """Re-index a (…, dim) array with fuel names as coordinates onto the full fuel axis."""
    da = da.rename({dim: "fuel"}).assign_coords(fuel=[str(v) for v in da[dim].values])
    return da.reindex(fuel=list(C.FUELS), fill_value=0.0)


def _co2(ds: xr.Dataset, acc: dict) -> dict[str, xr.DataArray]:
    ef = ds["emission_factor"]
    co2_final = ds["final_energy"] * ef
    heat_fuels = list(ds["heat_fuel"].values)
    heat_ef = ef.sel(fuel=heat_fuels).rename(fuel="heat_fuel").assign_coords(heat_fuel=heat_fuels)
    co2_heat = acc["heat_supply_fuel"] * heat_ef
    process = ds["product_output"] * ds["process_emission_factor"]
    rates = xr.DataArray([float(ds["coal_supply_rate"]), float(ds["gas_heat_rate"])],
                         coords={"generation_tech": ["coal", "gas"]})  # fmt: skip
    fossil = acc["generation"].sel(generation_tech=["coal", "gas"])
    power_fuel = _by_fuel(fossil * rates * C.TCE_1E4_PER_TWH_PER_GCE_KWH, "generation_tech")
    by_fuel = co2_final.sum("sector") + _by_fuel(co2_heat, "heat_fuel") + power_fuel * ef
    territorial = by_fuel.sum("fuel") + process.sum("product")
    adjustment = acc["net_import"] * ds["grid_emission_factor"] * C.CO2_1E4T_PER_TWH_PER_T_MWH
    return {"co2_final": co2_final, "co2_heat": co2_heat, "co2_process": process,
            "power_fuel": power_fuel, "co2_power": (power_fuel * ef).sum("fuel"),
            "co2_by_fuel": by_fuel, "co2_territorial": territorial,
            "co2_trade_adjustment": adjustment, "co2_assessment": territorial + adjustment,
            "co2_intensity": (territorial + adjustment) / ds["gdp"]}  # fmt: skip


def _sinks(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    forest = ds["forest_stock"] * ds["forest_stock_growth_rate"] * ds["forest_sink_per_stock"]
    grass = ds["grassland_area"] * ds["grassland_sink_factor"]
    wetland = ds["wetland_area"] * ds["wetland_sink_factor"]
    return {"sink_forest": forest, "sink_grassland": grass, "sink_wetland": wetland,
            "sink_total": forest + grass + wetland}  # fmt: skip


def check_references(ds: xr.Dataset, balances: xr.Dataset | None = None) -> pd.DataFrame:
    """The city calibration against its reference totals.

    Returns a table with ``quantity, model, reference, units, deviation, ok``: GDP, energy
    consumption and electricity consumption within 1 % of their references; assessment CO2 inside
    :data:`CO2_REFERENCE_RANGE` (the ``co2_reference`` itself, 1,474万t, is the current-price
    reading of 2.37 t/万元).
    """
    acc = baseline_balances(ds) if balances is None else balances
    model = {"gdp": ds["gdp"], **{k: acc[k] for k in ("energy_consumption",
             "electricity_consumption", "co2_assessment")}}  # fmt: skip
    # like with like: the electricity reference is a 全社会用电量, which includes grid losses
    # (final demand plus losses), so it is compared with electricity_consumption
    reference_of = {"co2_assessment": "co2"}
    rows = []
    for name, da in model.items():
        value = float(da.sel(region=str(ds.attrs.get("city", C.CITY))))
        ref_name = reference_of.get(name, name)
        ref = float(ds[f"{ref_name}_reference"])
        ok = abs(value / ref - 1) <= TOLERANCE
        if name == "co2_assessment":
            ok = CO2_REFERENCE_RANGE[0] <= value <= CO2_REFERENCE_RANGE[1]
        row = {"quantity": name, "model": value, "reference": ref, "units": da.attrs["units"]}
        rows.append({**row, "deviation": value / ref - 1, "ok": ok})
    return pd.DataFrame(rows)
