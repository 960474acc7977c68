"""Final energy by county, sector and fuel [1e4 tce; electricity at its calorific value].

Each sector's 2020 energy (baseline) is carried forward by its activity driver and intensity
levers; fuel shares switch by :func:`~carbonsim.engine.mix.switch_mix`.
"""

from __future__ import annotations

import numpy as np

from carbonsim.constants import (
    FUELS,
    GJ_PER_TCE,
    HYDROGEN_LHV_GJ_PER_T,
    KG_PER_1E4T,
    PRODUCTS,
    SECTORS,
    TWH_PER_KWH,
)
from carbonsim.engine.arith import ratio
from carbonsim.engine.axes import F, S
from carbonsim.engine.mix import switch_mix
from carbonsim.engine.stocks import building_energy, vehicle_fleet

#: 1e4 tce of hydrogen per 1e4 t of hydrogen (LHV 120 GJ/t).
TCE_PER_T_HYDROGEN = HYDROGEN_LHV_GJ_PER_T / GJ_PER_TCE
#: energy of recycled aluminium per tonne, as a fraction of primary (IAI: about 5 %).
RECYCLED_ALUMINIUM_ENERGY_FRACTION = 0.05


#: End-use efficiency by fuel [1] (coal, oil, gas, electricity, heat, hydrogen, biomass) for the
#: sectors whose fuel mix switches.  Only ratios within a sector matter: switching keeps the useful
#: energy (the service) and changes the final energy by the ratio of average efficiencies.
#: Typical values (IEA Energy Technology Perspectives; LEAP default end-use efficiencies):
#: buildings — stoves and small coal boilers 0.55, gas boilers 0.85, electricity 2.0 (heat pumps
#: with COP ~3 beside resistive heating and appliances); industry — coal-fired boilers and kilns
#: 0.75, gas 0.85, electric boilers/furnaces 0.95; road freight — diesel engines 0.35, gas 0.30,
#: battery-electric 0.85, fuel cell 0.45; agriculture — machinery 0.35, pumps and dryers 0.85.
END_USE_EFFICIENCY = {
    "buildings": np.array([0.55, 0.75, 0.85, 2.0, 0.95, 0.80, 0.40]),
    "industry": np.array([0.75, 0.80, 0.85, 0.95, 0.95, 0.80, 0.60]),
    "freight": np.array([0.30, 0.35, 0.30, 0.85, 0.90, 0.45, 0.30]),
    "agriculture": np.array([0.60, 0.35, 0.80, 0.85, 0.90, 0.45, 0.40]),
}


def useful_energy_factor(mix0: np.ndarray, mix: np.ndarray, group: str) -> np.ndarray:
    """Final energy after switching / before, for the same useful energy (..., year).

    ``mix0`` is (1, R, fuel, 1), ``mix`` (S, R, fuel, Y); the factor is the ratio of the average
    end-use efficiencies, so electrifying heat with heat pumps lowers final energy.
    """
    eff = END_USE_EFFICIENCY[group][None, None, :, None]
    before = (mix0 * eff).sum(axis=-2)
    after = (mix * eff).sum(axis=-2)
    return ratio(before, after, empty=1.0)


def _mix0(fe0_sector: np.ndarray) -> np.ndarray:
    """2020 fuel shares of a sector, (region, fuel) -> (1, region, fuel, 1)."""
    total = fe0_sector.sum(axis=-1, keepdims=True)
    shares = ratio(fe0_sector, total)
    return shares[None, :, :, None]


def product_energy(lv, p):
    """Energy of the six named products, (scenario, region, product, year) [1e4 tce].

    Aluminium supply splits into primary (unit energy x (1 + change)) and recycled (5 % of the
    2020 primary unit energy).  Returns ``(energy, primary_output)`` where primary_output holds
    every product's output with aluminium reduced to its primary part [1e4 t].
    """
    outputs = np.stack([lv[f"output_{prod}"] for prod in PRODUCTS], axis=2)
    change = np.stack([lv[f"unit_energy_change_{prod}"] for prod in PRODUCTS], axis=1)
    unit = p["unit_energy"][None, :, None] * (1.0 + change)  # (S, product, Y)
    recycled = np.zeros_like(outputs)
    recycled[:, :, 0] = outputs[:, :, 0] * lv["recycled_aluminium_share"][:, None, :]
    primary = outputs - recycled
    energy = primary * unit[:, None] + recycled * (
        p["unit_energy"][0] * RECYCLED_ALUMINIUM_ENERGY_FRACTION
    )
    return energy, primary


def industry(lv, p, va_industry, va_construction):
    """Final energy of industry and construction sectors, (S, R, sector, fuel, Y)."""
    fe0 = p["final_energy"]  # (R, sector, fuel)
    n, n_r, n_y = va_industry.shape
    out = np.zeros((n, n_r, len(SECTORS), len(FUELS), n_y))
    energy, primary = product_energy(lv, p)
    for k, prod in enumerate(PRODUCTS):  # six named sub-sectors, fixed fuel mix each
        sector = S[{"clinker": "cement"}.get(prod, prod)]
        out[:, :, sector] = energy[:, :, k, None, :] * p["product_fuel_mix"][k][None, None, :, None]
    va_ind0 = p["value_added"][:, 1][None, :, None]
    va_con0 = p["value_added"][:, 2][None, :, None]
    scale = 1.0 + lv["other_industry_intensity_change"]
    oi = fe0[:, S["other_industry"]].sum(-1)[None, :, None] * ratio(va_industry, va_ind0) * scale
    mix = switch_mix(
        _mix0(fe0[:, S["other_industry"]]),
        {F["electricity"]: lv["industry_electricity_share"], F["gas"]: lv["industry_gas_share"]},
        fallback=F["coal"],
    )
    oi = oi * useful_energy_factor(_mix0(fe0[:, S["other_industry"]]), mix, "industry")
    out[:, :, S["other_industry"]] = oi[:, :, None, :] * mix
    con = fe0[:, S["construction"]].sum(-1)[None, :, None] * ratio(va_construction, va_con0)
    out[:, :, S["construction"]] = (con * scale)[:, :, None, :] * _mix0(fe0[:, S["construction"]])
    # new electricity-intensive plants (TWh/yr), on top of other industry's trend
    new_plants = lv.get("new_industry_electricity")
    if new_plants is not None:
        out[:, :, S["other_industry"], F["electricity"]] += new_plants / p["twh_per_10ktce"]
    return out, primary


def hydrogen_supply(fe, lv, p):
    """Green hydrogen replaces coal in other industry; its electrolysis electricity is booked there.

    Parameters
    ----------
    fe : ndarray (S, R, sector, fuel, Y) [1e4 tce]
        Final energy before green hydrogen (not modified).
    lv : dict
        Levers; ``green_hydrogen_production`` (S, R, Y) [1e4 t/yr].
    p : dict
        Parameters; ``hydrogen_electricity`` [kWh/kg], ``twh_per_10ktce`` [TWh per 1e4 tce].

    Returns
    -------
    fe : ndarray (S, R, sector, fuel, Y) [1e4 tce]
        A new array: other industry's coal less the hydrogen used, its hydrogen and electricity
        (calorific) more.
    hydrogen : ndarray (S, R, Y) [1e4 t/yr]
        Hydrogen produced: for other industry and for freight.
    """
    fe = fe.copy()
    oi = fe[:, :, S["other_industry"]]
    produced = lv["green_hydrogen_production"]
    h2_energy = produced * TCE_PER_T_HYDROGEN
    used = np.minimum(h2_energy, oi[:, :, F["coal"]])
    oi[:, :, F["coal"]] -= used
    oi[:, :, F["hydrogen"]] += used
    freight_h2 = fe[:, :, S["freight_transport"], F["hydrogen"]]
    total_mass = produced + freight_h2 / TCE_PER_T_HYDROGEN  # 1e4 t
    twh = total_mass * KG_PER_1E4T * p["hydrogen_electricity"] * TWH_PER_KWH
    oi[:, :, F["electricity"]] += twh / p["twh_per_10ktce"]
    return fe, total_mass


def buildings(lv, p):
    """Residential and public final energy, (S, R, 2, fuel, Y), plus floor area (S, R, 2, Y)."""
    fe0 = p["final_energy"]
    levers = {F["electricity"]: "building_electricity_share", F["gas"]: "building_gas_share"}
    energies, areas = [], []
    for b, sector in enumerate(("residential", "public")):
        area, energy = building_energy(
            p["floor_area"][:, b],
            fe0[:, S[sector]].sum(-1),
            lv[f"{sector}_floor_area_growth"],
            lv["new_building_intensity_change"],
            lv[f"{sector}_retrofit_rate"],
            lv["retrofit_gain"],
        )
        mix0 = _mix0(fe0[:, S[sector]])
        # the levers are shares of all building energy; each building type moves by the same
        # amount from its own 2020 share, so that 2020 is reproduced exactly
        mix_set = {
            f: np.clip(mix0[:, :, f] + lv[name] - lv[name][..., :1], 0.0, 1.0)
            for f, name in levers.items()
        }
        total_set = sum(mix_set.values())
        over = np.maximum(total_set, 1.0)
        mix_set = {f: v / over for f, v in mix_set.items()}
        mix = switch_mix(mix0, mix_set, fallback=F["coal"])
        energy = energy * useful_energy_factor(mix0, mix, "buildings")
        energies.append(energy[:, :, None, :] * mix)
        areas.append(area)
    return np.stack(energies, axis=2), np.stack(areas, axis=2)


def passenger(lv, p):
    """Passenger transport final energy (S, R, fuel, Y), fleet (S, R, Y) and NEV stock."""
    stock, nev = vehicle_fleet(
        p["vehicle_stock"], p["nev_stock_share"], lv["vehicle_stock_growth"],
        lv["vehicle_scrappage_rate"], lv["nev_sales_share"],
    )  # fmt: skip
    gts0 = p["green_travel_share"][None, :, None]
    use = (1.0 - lv["green_travel_share"]) / (1.0 - gts0)
    eff = (1.0 + lv["vehicle_efficiency_change"])[:, None, :]
    e_oil, e_el = p["vehicle_energy"][F["oil"]], p["vehicle_energy"][F["electricity"]]
    cars0 = np.zeros((p["final_energy"].shape[0], len(FUELS)))
    cars0[:, F["oil"]] = p["vehicle_stock"] * (1 - p["nev_stock_share"]) * e_oil
    cars0[:, F["electricity"]] = p["vehicle_stock"] * p["nev_stock_share"] * e_el
    other0 = np.maximum(p["final_energy"][:, S["passenger_transport"]] - cars0, 0.0)
    out = other0[None, :, :, None] * ratio(stock, p["vehicle_stock"][None, :, None])[:, :, None]
    out[:, :, F["oil"]] += (stock - nev) * e_oil * eff * use
    out[:, :, F["electricity"]] += nev * e_el * eff * use
    return out, stock, nev


def freight(lv, p, turnover):
    """Road freight final energy (S, R, fuel, Y)."""
    fe0 = p["final_energy"][:, S["freight_transport"]]
    total = fe0.sum(-1)[None, :, None] * ratio(turnover, p["freight_turnover"][None, :, None])
    total = total * (1.0 + lv["freight_intensity_change"])[:, None, :]
    mix = switch_mix(
        _mix0(fe0),
        {
            F["electricity"]: lv["freight_electricity_share"],
            F["gas"]: lv["freight_gas_share"],
            F["hydrogen"]: lv["freight_hydrogen_share"],
        },
        fallback=F["oil"],
    )
    total = total * useful_energy_factor(_mix0(fe0), mix, "freight")
    return total[:, :, None, :] * mix


def agriculture(lv, p, va_primary):
    """Agricultural final energy (S, R, fuel, Y)."""
    fe0 = p["final_energy"][:, S["agriculture"]]
    total = fe0.sum(-1)[None, :, None] * ratio(va_primary, p["value_added"][:, 0][None, :, None])
    total = total * (1.0 + lv["agriculture_intensity_change"])
    mix = switch_mix(
        _mix0(fe0), {F["electricity"]: lv["agriculture_electricity_share"]}, fallback=F["oil"]
    )
    total = total * useful_energy_factor(_mix0(fe0), mix, "agriculture")
    return total[:, :, None, :] * mix
