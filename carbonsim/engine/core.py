"""One call from lever arrays and baseline parameters to every trajectory array.

``run(levers, params, method)`` returns a dict of numpy arrays whose region axis holds the city
first (index 0, the sum of the counties) and then the counties in the baseline's order
(:func:`carbonsim.regions.regions_of`; Wuzhong's :data:`~carbonsim.constants.REGIONS` by
default).  Ratios are computed after summing, so the city's shares are its own, not averages.
"""

from __future__ import annotations

import numpy as np

from carbonsim.constants import PRODUCTS, SECTORS
from carbonsim.engine import demand, power
from carbonsim.engine.axes import F, S, T
from carbonsim.engine.economy import cumulative_index, value_added

SEC = S
INDUSTRY = [SEC[s] for s in SECTORS[:7]]
#: 1e4 tce per TWh at 1 gce/kWh
TCE_PER_TWH_PER_GCE = 0.1


def with_city(x: np.ndarray) -> np.ndarray:
    """Prepend the city (sum over counties, axis 1) to a county array."""
    return np.concatenate([x.sum(axis=1, keepdims=True), x], axis=1)


def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, 0 where b is 0."""
    return np.where(b != 0, a / np.where(b != 0, b, 1.0), 0.0)


def _final_energy(lv, p, gdp, va):
    fe_ind, primary_output = demand.industry(lv, p, va[:, :, 1], va[:, :, 2])
    fe = fe_ind
    fe_bld, floor = demand.buildings(lv, p)
    fe[:, :, SEC["residential"]] = fe_bld[:, :, 0]
    fe[:, :, SEC["public"]] = fe_bld[:, :, 1]
    fe_pass, stock, nev = demand.passenger(lv, p)
    fe[:, :, SEC["passenger_transport"]] = fe_pass
    turnover = p["freight_turnover"][None, :, None] * cumulative_index(
        lv["freight_turnover_growth"]
    )
    fe[:, :, SEC["freight_transport"]] = demand.freight(lv, p, turnover)
    fe[:, :, SEC["agriculture"]] = demand.agriculture(lv, p, va[:, :, 0])
    h2_mass, _ = demand.hydrogen_supply(fe, lv, p)
    extras = {
        "floor_area": floor,
        "vehicle_stock": stock,
        "nev_stock": nev,
        "freight_turnover": turnover,
        "primary_output": primary_output,
        "green_hydrogen_production": h2_mass,
    }
    return fe, extras


def _power(lv, p, elec_twh):
    cap = power.capacity(lv, p)
    gen = power.generation(cap, lv)
    loss = p["grid_loss_rate"]
    demand_pre = elec_twh * (1.0 + loss)  # (S, R, Y)
    battery_gwh = cap[:, :, T["battery"]] * lv["storage_hours"][:, None, :]
    ph_gwh = cap[:, :, T["pumped_hydro"]] * lv["pumped_hydro_hours"][:, None, :]
    store = battery_gwh.sum(1) + ph_gwh.sum(1)
    eta = ratio(
        battery_gwh.sum(1) * p["battery_efficiency"] + ph_gwh.sum(1) * p["pumped_hydro_efficiency"],
        store,
    )
    eta = np.where(store > 0, eta, 1.0)
    flows = power.dispatch(gen.sum(1), demand_pre.sum(1), store, eta, lv)
    demand_city = demand_pre.sum(1) + flows["storage_losses"]
    mix = power.consumed_mix(flows, demand_city, lv)
    # counties: storage losses where the storage is (its own use, by energy capacity);
    # trade flows allocated for reporting (imports by demand, exports by generation)
    share_d = ratio(demand_pre, demand_pre.sum(1, keepdims=True))
    store_c = battery_gwh + ph_gwh
    share_s = ratio(store_c, store_c.sum(1, keepdims=True))
    gen_total = gen.sum(2)
    share_g = ratio(gen_total, gen_total.sum(1, keepdims=True))
    storage_losses = share_s * flows["storage_losses"][:, None]
    consumption = demand_pre + storage_losses
    curtailed = np.stack(
        [
            cap[:, :, T[t]] * lv[f"{t}_hours"][:, None] * lv[f"{t}_curtailment"][:, None] / 1000
            for t in ("wind", "solar")
        ],
        axis=0,
    ).sum(0)
    out = {
        "capacity": cap,
        "generation": gen,
        "battery_energy": battery_gwh,
        "pumped_hydro_energy": ph_gwh,
        "electricity_consumption": consumption,
        "grid_losses": elec_twh * loss,
        "storage_losses": storage_losses,
        "electricity_imports": share_d * flows["imports"][:, None],
        "uhvdc_export": share_g * flows["uhvdc_export"][:, None],
        "other_export": share_g * flows["other_export"][:, None],
        "net_import": consumption - gen_total,
        "curtailment": curtailed,
    }
    out["_flows"], out["_demand_city"] = flows, demand_city
    return out, mix


def _primary(fe, elec_consumption, mix, lv, p, method):
    """Primary energy by fuel (S, R, 4, Y) [1e4 tce], consumption basis, and heat fuel."""
    rate = lv["coal_supply_rate"][:, None, :] * TCE_PER_TWH_PER_GCE  # 1e4 tce per TWh
    nf_rate = rate if method == "coal_equivalent" else 122.9 * TCE_PER_TWH_PER_GCE
    heat = fe[:, :, :, F["heat"]].sum(2)
    heat_fuel = heat / p["heat_supply_efficiency"]
    heat_coal = heat_fuel * p["heat_fuel_mix"][F["coal"]]
    heat_gas = heat_fuel * p["heat_fuel_mix"][F["gas"]]
    e = elec_consumption
    coal = fe[:, :, :, F["coal"]].sum(2) + heat_coal + e * mix["coal"][:, None] * rate
    oil = fe[:, :, :, F["oil"]].sum(2)
    gas = fe[:, :, :, F["gas"]].sum(2) + heat_gas + e * mix["gas"][:, None] * rate
    non_fossil = fe[:, :, :, F["biomass"]].sum(2) + e * mix["non_fossil"][:, None] * nf_rate
    return np.stack([coal, oil, gas, non_fossil], axis=2), heat_coal, heat_gas


def _primary_by_sector(fe, elec_consumption, elec_final, mix, lv, p, method):
    """Primary energy by end-use sector (S, R, sector, Y), summing to the total."""
    rate = lv["coal_supply_rate"][:, None, None, :] * TCE_PER_TWH_PER_GCE
    nf_rate = rate if method == "coal_equivalent" else 122.9 * TCE_PER_TWH_PER_GCE
    nf = mix["non_fossil"][:, None, None, :]
    el_rate = (1 - nf) * rate + nf * nf_rate
    el = fe[:, :, :, F["electricity"]] * p["twh_per_10ktce"]
    el = el * ratio(elec_consumption, elec_final)[:, :, None, :]
    weights = np.zeros(len(F))
    weights[[F["coal"], F["oil"], F["gas"], F["biomass"]]] = 1.0
    direct = np.einsum("srkft,f->srkt", fe, weights)  # one pass, no temporary copy
    heat = fe[:, :, :, F["heat"]] / p["heat_supply_efficiency"]
    return direct + heat + el * el_rate


def _co2(fe, gen, heat_coal, heat_gas, primary_output, net_import, lv, p):
    ef = p["emission_factor"]  # (fuel,) t CO2/tce
    combustion = np.einsum("srkft,f->srkt", fe, ef)  # (S, R, sector, Y)
    rate = lv["coal_supply_rate"][:, None, :] * TCE_PER_TWH_PER_GCE
    power_coal = gen[:, :, T["coal"]] * rate
    power_gas = gen[:, :, T["gas"]] * p["gas_heat_rate"] * TCE_PER_TWH_PER_GCE
    co2_power = power_coal * ef[F["coal"]] + power_gas * ef[F["gas"]]
    co2_heat = heat_coal * ef[F["coal"]] + heat_gas * ef[F["gas"]]
    process = primary_output * p["process_emission_factor"][None, None, :, None]
    by_source = np.stack([combustion.sum(2), co2_heat, co2_power, process.sum(2)], axis=2)
    fuel_use = np.einsum("srkft->srft", fe[:, :, :, :3])  # end-use coal, oil, gas (S, R, 3, Y)
    fuel_use[:, :, 0] += heat_coal + power_coal
    fuel_use[:, :, 2] += heat_gas + power_gas
    by_fuel = fuel_use * ef[None, None, :3, None]
    trade = net_import * lv["grid_emission_factor"][:, None, :] * 100.0  # TWh x t/MWh -> 1e4 t
    return combustion, process, by_source, by_fuel, trade


def _sinks(lv, p, n, n_years):
    shape = (n, len(p["land_area"]), n_years)
    stock = lv.get("forest_stock", np.broadcast_to(p["forest_stock"][None, :, None], shape))
    cover = lv.get(
        "grassland_vegetation_coverage",
        np.broadcast_to(p["grassland_vegetation_coverage"][None, :, None], shape),
    )
    wet = lv.get("wetland_area", np.broadcast_to(p["wetland_area"][None, :, None], shape))
    stock, cover, wet = (
        np.broadcast_to(x if x.ndim == 3 else x[:, None], shape) for x in (stock, cover, wet)
    )
    forest = stock * p["forest_stock_growth_rate"] * p["forest_sink_per_stock"]
    grass = (
        p["grassland_area"][None, :, None]
        * ratio(cover, p["grassland_vegetation_coverage"][None, :, None])
        * p["grassland_sink_factor"]
    )
    wetland = wet * p["wetland_sink_factor"]
    return np.stack([forest, grass, wetland], axis=2)  # 1e4 t CO2


def run(
    lv: dict[str, np.ndarray],
    p: dict[str, np.ndarray],
    method: str = "coal_equivalent",
    co2_basis: str = "consumption",
):
    """Simulate every scenario.

    Parameters
    ----------
    lv : dict of ndarray
        Lever arrays, ``(S, R, Y)`` for regional levers, ``(S, Y)`` otherwise, in lever units.
    p : dict of ndarray
        Baseline parameters (see :func:`carbonsim.model.parameters.engine_parameters`).
    method : {"coal_equivalent", "calorific"}
        How non-fossil electricity enters primary energy.
    co2_basis : {"consumption", "assessment", "territorial"}
        Which CO2 account ``co2`` (the peaking and intensity indicator) follows; all three are
        returned as ``co2_consumption``, ``co2_assessment``, ``co2_territorial``.

    Returns
    -------
    dict of ndarray
        Trajectory arrays; region axis = (city, counties...).
    """
    n, _, n_y = lv["gdp_growth"].shape
    gdp = p["gdp"][None, :, None] * cumulative_index(lv["gdp_growth"])
    va = value_added(gdp, lv["primary_share"], lv["industry_share"], lv["construction_share"])
    fe, extras = _final_energy(lv, p, gdp, va)
    elec_final = fe[:, :, :, F["electricity"]].sum(2) * p["twh_per_10ktce"]
    pw, mix = _power(lv, p, elec_final)
    primary, heat_coal, heat_gas = _primary(fe, pw["electricity_consumption"], mix, lv, p, method)
    by_sector = _primary_by_sector(
        fe, pw["electricity_consumption"], elec_final, mix, lv, p, method
    )
    combustion, process, by_source, by_fuel, trade = _co2(
        fe, pw["generation"], heat_coal, heat_gas, extras["primary_output"], pw["net_import"], lv, p
    )
    sinks = _sinks(lv, p, n, n_y)
    # storage losses are met by surplus wind and solar: the emissions of the electricity supply
    # are shared over demand without them (so more storage in a county never adds to its CO2)
    demand_pre = pw["electricity_consumption"] - pw["storage_losses"]
    ef_el = _electricity_emission_factor(pw["_flows"], demand_pre.sum(1), lv, p)
    co2_elec = demand_pre * ef_el[:, None, :]
    grid_ef = lv["grid_emission_factor"][:, None, :] * 100.0
    elec_by_sector = fe[:, :, :, F["electricity"]] * p["twh_per_10ktce"]

    county = {
        "gdp": gdp,
        "population": p["population"][None, :, None] * cumulative_index(lv["population_growth"]),
        "value_added": va,
        "final_energy": fe,
        "electricity_demand": elec_final,
        "primary_energy": primary,
        "primary_energy_by_sector": by_sector,
        "co2_combustion_by_sector": combustion,
        "co2_process_by_product": process,
        "co2_by_source": by_source,
        "co2_by_fuel": by_fuel,
        "co2_electricity_trade": trade,
        "co2_electricity": co2_elec,
        "co2_sink": sinks,
        "co2_nonferrous": _sector_co2(
            combustion, process, elec_by_sector, grid_ef, ("aluminium", "magnesium")
        ),
        "co2_cement": _sector_co2(combustion, process, elec_by_sector, grid_ef, ("cement",)),
        "road_oil_consumption": fe[
            :, :, [SEC["passenger_transport"], SEC["freight_transport"]], F["oil"]
        ].sum(2),
        "freight_co2": combustion[:, :, SEC["freight_transport"]],
        **extras,
        **pw,
    }
    out = {k: with_city(v) for k, v in county.items() if not k.startswith("_")}
    out["consumed_mix"] = mix
    n_reg = out["gdp"].shape[1]
    out["electricity_emission_factor"] = np.repeat(ef_el[:, None] / 100.0, n_reg, axis=1)
    return derive(out, lv, p, co2_basis)


def _electricity_emission_factor(flows, demand_city, lv, p):
    """CO2 of the electricity consumed locally per TWh of demand (S, Y) [1e4 t CO2 / TWh].

    Per TWh of final demand plus grid losses (storage losses excluded: surplus wind and solar
    meet them).
    Local coal and gas plants serving local demand at their own rates and fuel factors; imports
    from the Ningxia grid at the grid emission factor; wind, solar, hydro, biomass at zero.
    """
    ef = p["emission_factor"]
    coal = flows["coal_local"] * lv["coal_supply_rate"] * TCE_PER_TWH_PER_GCE * ef[F["coal"]]
    gas_twh = flows["fossil_local"] - flows["coal_local"]
    gas = gas_twh * p["gas_heat_rate"] * TCE_PER_TWH_PER_GCE * ef[F["gas"]]
    imports = flows["imports_local"] * lv["grid_emission_factor"] * 100.0
    return ratio(coal + gas + imports, demand_city)


def _sector_co2(combustion, process, elec, grid_ef, sectors):
    """Direct + process + electricity at the grid factor (enterprise-style) of some sectors."""
    idx = [SEC[s] for s in sectors]
    prod = [PRODUCTS.index({"cement": "clinker"}.get(s, s)) for s in sectors]
    return (
        combustion[:, :, idx].sum(2) + process[:, :, prod].sum(2) + elec[:, :, idx].sum(2) * grid_ef
    )


def derive(out: dict, lv: dict, p: dict, co2_basis: str = "consumption") -> dict:
    """Totals, shares and intensities from the (city-prepended) additive arrays."""
    primary = out["primary_energy"]
    energy = primary.sum(2)
    out["energy_consumption"] = energy
    out["non_fossil_energy"] = primary[:, :, 3]
    out["fossil_energy"] = primary[:, :, :3].sum(2)
    out["coal_consumption"] = primary[:, :, 0]
    out["oil_consumption"] = primary[:, :, 1]
    out["gas_consumption"] = primary[:, :, 2]
    out["coal_share"] = ratio(primary[:, :, 0], energy)
    out["non_fossil_share"] = ratio(primary[:, :, 3], energy)
    mix = out.pop("consumed_mix")
    n_regions = energy.shape[1]
    out["nonhydro_renewable_share"] = np.repeat(mix["nhre"][:, None], n_regions, axis=1)
    out["electricity_non_fossil_share"] = np.repeat(mix["non_fossil"][:, None], n_regions, axis=1)
    terr = out["co2_by_source"].sum(2)
    out["co2_territorial"] = terr
    out["co2_assessment"] = terr + out["co2_electricity_trade"]
    src = out["co2_by_source"]
    out["co2_consumption"] = src[:, :, 0] + src[:, :, 1] + src[:, :, 3] + out["co2_electricity"]
    out["co2"] = out[f"co2_{co2_basis}"].copy()
    out["co2_process"] = out["co2_by_source"][:, :, 3]
    out["co2_net"] = out["co2"] - out["co2_sink"].sum(2)
    gdp = out["gdp"]
    for name, num in (("energy", energy), ("co2", out["co2"]), ("coal", out["coal_consumption"])):
        intensity = ratio(num, gdp)
        out[f"{name}_intensity"] = intensity
        out[f"{name}_intensity_change"] = ratio(intensity, intensity[..., :1]) - 1.0
    ind_energy = out["primary_energy_by_sector"][:, :, INDUSTRY].sum(2)
    out["industry_energy_intensity"] = ratio(ind_energy, out["value_added"][:, :, 1])
    cap = out["capacity"]
    ne = cap[:, :, T["wind"]] + cap[:, :, T["solar"]]
    out["new_energy_capacity"] = ne
    out["storage_to_new_energy_ratio"] = ratio(cap[:, :, T["battery"]], ne)
    out["storage_duration"] = ratio(out["battery_energy"], cap[:, :, T["battery"]])
    out["pumped_hydro_capacity"] = cap[:, :, T["pumped_hydro"]]
    out["pumped_hydro_energy_capacity"] = out["pumped_hydro_energy"]
    fe = out["final_energy"]
    bld = fe[:, :, [SEC["residential"], SEC["public"]]]
    out["building_electricity_share"] = ratio(
        bld[:, :, :, F["electricity"]].sum(2), bld.sum((2, 3))
    )
    out["freight_co2_intensity"] = ratio(out.pop("freight_co2"), out["freight_turnover"]) * 0.1
    out["nev_stock_share"] = ratio(out["nev_stock"], out["vehicle_stock"])
    return out
