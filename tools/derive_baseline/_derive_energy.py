"""Final energy by county, sector and fuel, the city totals and the two closures.

a. ``other_industry`` final energy closes the city energy total on ``ENERGY_TARGET``;
b. the coal-plant hours close the city assessment CO2 on ``CO2_TARGET``.
"""

from __future__ import annotations

from _derive_economy import freight_shares, split
from _derive_inputs import (
    AGRICULTURE_TOTAL,
    CAPACITY,
    CO2_TARGET,
    COAL_UNIT_RATES,
    CONSTRUCTION_TOTAL,
    COUNTIES,
    CURTAILMENT,
    EMISSION_FACTORS,
    ENERGY_TARGET,
    FREIGHT_GAS_SHARE,
    FREIGHT_KGCE_PER_TKM,
    FREIGHT_TURNOVER_CITY,
    FUEL_MIX,
    HEAT_FUEL_MIX,
    NEV_SHARE,
    OTHER_INDUSTRY_MIX,
    OTHER_PASSENGER_PER_CAPITA,
    OUTPUT,
    POPULATION,
    PROCESS_EF,
    PRODUCT_SECTOR,
    PRODUCTS,
    PUBLIC_TOTAL,
    RESIDENTIAL_PER_CAPITA,
    SCALARS,
    TWH_PER_10KTCE,
    UNIT_ENERGY,
    UTILISATION_HOURS,
    VEHICLE_ENERGY,
    VEHICLES_PER_PERSON,
)


def product_energy() -> dict[tuple[str, str, str], float]:
    """(county, sector, fuel) -> 1e4 tce for the six product sectors."""
    energy: dict[tuple[str, str, str], float] = {}
    for p in PRODUCTS:
        for c, q in OUTPUT[p].items():
            for f, s in FUEL_MIX[p].items():
                key = (c, PRODUCT_SECTOR.get(p, p), f)
                energy[key] = energy.get(key, 0.0) + q * UNIT_ENERGY[p][0] * s
    return energy


def add(energy, county, sector, fuel, value):
    key = (county, sector, fuel)
    energy[key] = energy.get(key, 0.0) + value


def other_sector_energy(va) -> dict[tuple[str, str, str], float]:
    """Buildings, transport, agriculture and construction final energy by county."""
    energy: dict[tuple[str, str, str], float] = {}
    blocks = (
        ("public", PUBLIC_TOTAL, split(1.0, {c: va[c]["tertiary"] for c in COUNTIES})),
        ("agriculture", AGRICULTURE_TOTAL, split(1.0, {c: va[c]["primary"] for c in COUNTIES})),
        (
            "construction",
            CONSTRUCTION_TOTAL,
            split(1.0, {c: va[c]["construction"] for c in COUNTIES}),
        ),
    )
    for sector, totals, shares in blocks:
        for f, total in totals.items():
            for c in COUNTIES:
                add(energy, c, sector, f, total * shares[c])
    freight_share = freight_shares(va)
    for c in COUNTIES:
        for f, per in RESIDENTIAL_PER_CAPITA.items():
            add(energy, c, "residential", f, per * POPULATION[c])
        vehicles = VEHICLES_PER_PERSON * POPULATION[c]
        add(
            energy,
            c,
            "passenger_transport",
            "oil",
            vehicles * (1 - NEV_SHARE) * VEHICLE_ENERGY["oil"][0],
        )
        add(
            energy,
            c,
            "passenger_transport",
            "electricity",
            vehicles * NEV_SHARE * VEHICLE_ENERGY["electricity"][0],
        )
        for f, per in OTHER_PASSENGER_PER_CAPITA.items():
            add(energy, c, "passenger_transport", f, per * POPULATION[c])
        freight = FREIGHT_TURNOVER_CITY * freight_share[c] * FREIGHT_KGCE_PER_TKM * 10
        add(energy, c, "freight_transport", "oil", freight * (1 - FREIGHT_GAS_SHARE))
        add(energy, c, "freight_transport", "gas", freight * FREIGHT_GAS_SHARE)
    return energy


def energy_total(energy: dict, coal_rate: float) -> float:
    """City energy consumption [1e4 tce], coal-equivalent method, consumption basis."""
    loss = SCALARS["grid_loss_rate"][0]
    eff = SCALARS["heat_supply_efficiency"][0]
    direct = sum(v for (_, _, f), v in energy.items() if f in ("coal", "oil", "gas", "biomass"))
    heat = sum(v for (_, _, f), v in energy.items() if f == "heat")
    elec_twh = sum(v for (_, _, f), v in energy.items() if f == "electricity") * TWH_PER_10KTCE
    return direct + heat / eff + elec_twh * (1 + loss) * coal_rate * 0.1


def coal_supply_rate() -> float:
    """Capacity-weighted supply coal rate of the coal fleet [gce/kWh], rounded to 1 g."""
    cap = sum(c for c, _ in COAL_UNIT_RATES)
    return round(sum(c * r for c, r in COAL_UNIT_RATES) / cap)


def close_other_industry(energy: dict, va, coal_rate: float) -> float:
    """Add the residual other-industry energy that closes the city total on ENERGY_TARGET."""
    unit = {("x", "other_industry", f): s for f, s in OTHER_INDUSTRY_MIX.items()}
    total = (ENERGY_TARGET - energy_total(energy, coal_rate)) / energy_total(unit, coal_rate)
    shares = split(1.0, {c: va[c]["industry"] for c in COUNTIES})
    for c in COUNTIES:
        for f, s in OTHER_INDUSTRY_MIX.items():
            add(energy, c, "other_industry", f, total * s * shares[c])
    return total


def co2_assessment(energy: dict, coal_rate: float, coal_hours: float) -> float:
    """City assessment CO2 [1e4 t] with the simulator's formulas (see carbonsim.baseline)."""
    ef = {f: v[0] for f, v in EMISSION_FACTORS.items()}
    eff = SCALARS["heat_supply_efficiency"][0]
    loss = SCALARS["grid_loss_rate"][0]
    direct = sum(v * ef[f] for (_, _, f), v in energy.items())
    heat_fuel = sum(v for (_, _, f), v in energy.items() if f == "heat") / eff
    direct += heat_fuel * sum(s * ef[f] for f, s in HEAT_FUEL_MIX.items())
    process = sum(q * PROCESS_EF[p][0] for p in PRODUCTS for q in OUTPUT[p].values())
    coal_gen = sum(CAPACITY["coal"].values()) * coal_hours / 1e3
    supply = sum(v for (_, _, f), v in energy.items() if f == "electricity") * TWH_PER_10KTCE
    supply *= 1 + loss
    grid = SCALARS["grid_emission_factor"][0] * 100
    power = coal_gen * coal_rate * 0.1 * ef["coal"]
    return direct + process + power + (supply - coal_gen - non_coal_generation()) * grid


def non_coal_generation() -> float:
    """City generation of hydro, wind and solar in 2020 [TWh]."""
    total = 0.0
    for tech in ("hydro", "wind", "solar"):
        hours = UTILISATION_HOURS[tech][0] * (1 - (CURTAILMENT if tech != "hydro" else 0))
        total += sum(CAPACITY[tech].values()) * hours / 1e3
    return total


def close_coal_hours(energy: dict, coal_rate: float) -> float:
    """Coal utilisation hours that close the assessment CO2 on CO2_TARGET (linear), to 10 h."""
    base = co2_assessment(energy, coal_rate, 0.0)
    slope = co2_assessment(energy, coal_rate, 1000.0) - base
    return round((CO2_TARGET - base) / slope * 1000.0, -1)
