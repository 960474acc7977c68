"""Rows of the CSV: the row helper, and economy, products, final energy and demand drivers."""

from __future__ import annotations

from _derive_economy import freight_shares
from _derive_inputs import (
    CAPACITY_MAX_UTILISATION,
    CAPACITY_RETIREMENT,
    CAPACITY_UTILISATION_2020,
    CITY_GDP,
    CONSTRUCTION_SHARE_OF_SECONDARY,
    COUNTIES,
    FREIGHT_TURNOVER_CITY,
    FUEL_MIX,
    FUEL_MIX_NOTE,
    GREEN_TRAVEL,
    MAX_UTILISATION_NOTE,
    NEV_SHARE,
    OUTPUT,
    OUTPUT_NOTE,
    POPULATION,
    PROCESS_EF,
    PRODUCTS,
    RETIREMENT_NOTE,
    SRC_BENCH,
    SRC_GDP,
    SRC_H1,
    SRC_PLAN,
    SRC_POP,
    UNIT_ENERGY,
    UNIT_ENERGY_STD,
    VEHICLE_ENERGY,
    VEHICLES_PER_PERSON,
)

from carbonsim.constants import FUELS, SECTORS


def row(
    variable, value, unit, provenance, source, region="", sector="", fuel="", tech="", product=""
):
    """One tidy row (values rounded to 6 decimals)."""
    return {
        "variable": variable,
        "region": region,
        "sector": sector,
        "fuel": fuel,
        "tech": tech,
        "product": product,
        "value": round(float(value), 6),
        "unit": unit,
        "provenance": provenance,
        "source": source,
    }


def extrapolate_2020(pair: tuple[float, float], additive: bool) -> float:
    """2020 value from the 2025 and 2030 values at the 2025-2030 pace."""
    if additive:
        return pair[0] - (pair[1] - pair[0])
    return pair[0] / (pair[1] / pair[0])


def economy_rows(va) -> list[dict]:
    gdp_note = (
        "estimate: 2020 city GDP 621.8 亿元 ("
        + SRC_GDP
        + ") split by the 2023 H1 county GDP of "
        + SRC_H1
        + " deflated by each county's H1-2023 real growth over three years; county GDP is "
        "the sum of its sector value added"
    )
    va_note = (
        "estimate: city 2020 structure 13:45:42 (baseline-facts §1.1 placeholder, E/L) fitted by "
        "iterative proportional fitting to the county GDP split and to the 2023 H1 county sector "
        f"pattern ({SRC_H1}, deflated by county growth); construction = "
        f"{CONSTRUCTION_SHARE_OF_SECONDARY:.0%} of secondary (Ningxia-typical, E/L)"
    )
    out = []
    for c in COUNTIES:
        rounded = {s: round(v, 4) for s, v in va[c].items()}
        if c == COUNTIES[0]:  # absorb the rounding residue so the city sums to 621.8 exactly
            residue = CITY_GDP - sum(round(v, 4) for cc in COUNTIES for v in va[cc].values())
            rounded["tertiary"] = round(rounded["tertiary"] + residue, 4)
        out.append(row("gdp", sum(rounded.values()), "1e8 CNY", "estimate", gdp_note, region=c))
        for s, v in rounded.items():
            out.append(row("value_added", v, "1e8 CNY", "estimate", va_note, region=c, sector=s))
        out.append(row("population", POPULATION[c], "1e4 persons", "source", SRC_POP, region=c))
    return out


def product_rows() -> list[dict]:
    out = []
    for p in PRODUCTS:
        for c, q in OUTPUT[p].items():
            out.append(
                row(
                    "product_output",
                    q,
                    "1e4 t",
                    "estimate",
                    f"2020 output, E/L: {OUTPUT_NOTE[p]}",
                    region=c,
                    product=p,
                )
            )
        value, detail = UNIT_ENERGY[p]
        src = SRC_BENCH.format(std=UNIT_ENERGY_STD[p], detail=detail)
        out.append(row("product_unit_energy", value, "tce/t", "estimate", src, product=p))
        for f, s in FUEL_MIX[p].items():
            out.append(
                row(
                    "product_fuel_mix",
                    s,
                    "1",
                    "estimate",
                    f"engineering split of unit energy: {FUEL_MIX_NOTE[p]}",
                    product=p,
                    fuel=f,
                )
            )
        value, prov, src = PROCESS_EF[p]
        out.append(row("process_emission_factor", value, "t CO2/t", prov, src, product=p))
        out.extend(capacity_rows(p))
    return out


def capacity_rows(p: str) -> list[dict]:
    """2020 production capacity by county (output / 2020 utilisation) and the stock rules."""
    util, how = CAPACITY_UTILISATION_2020[p]
    note = f"2020 output / 2020 utilisation {util:.0%}, E/L: {how}"
    out = [
        row("product_capacity", round(q / util, 1), "1e4 t", "estimate", note, region=c, product=p)
        for c, q in OUTPUT[p].items()
    ]
    out.append(
        row(
            "capacity_max_utilisation",
            CAPACITY_MAX_UTILISATION[p],
            "1",
            "estimate",
            MAX_UTILISATION_NOTE,
            product=p,
        )
    )
    out.append(
        row(
            "capacity_retirement_rate",
            CAPACITY_RETIREMENT[p],
            "1/yr",
            "estimate",
            RETIREMENT_NOTE,
            product=p,
        )
    )
    return out


def energy_rows(energy: dict, other_total: float) -> list[dict]:
    src = {
        "product": "estimate: product_output × product_unit_energy × product_fuel_mix (identity)",
        "residential": "estimate: county population × per-capita use (650 kWh electricity, 0.13 "
        "tce coal, 0.04 gas, 0.05 district heat, 0.01 LPG per person; Ningxia "
        "rural coal heating), electricity at 0.1229 kgce/kWh",
        "public": "estimate: city total (0.70 TWh electricity, 4 coal, 4 gas, 2 oil, 6 heat 万tce) "
        "split by county tertiary value added",
        "agriculture": "estimate: city total (0.90 TWh incl. Yellow-River lift irrigation 扬黄, "
        "8 oil, 3 coal 万tce) split by county primary value added",
        "construction": "estimate: city total (0.10 TWh, 4 oil, 1 coal 万tce) split by county "
        "construction value added",
        "passenger_transport": "estimate: vehicle_stock × vehicle_energy (ICE oil, NEV "
        "electricity) "
        "plus buses, taxis, coaches and motorcycles at 0.022 tce oil, 0.011 "
        "gas (CNG taxis) and 0.0004 electricity per person",
        "freight_transport": "estimate: freight_turnover × 0.021 kgce/tkm, 8 % LNG/CNG trucks",
        "other_industry": "estimate: residual that closes the city energy total on 600万tce "
        f"(city {other_total:.1f}万tce, mix coal 50 %, oil 3 %, gas 15 %, "
        "electricity 26 %, heat 6 %) split by county industry value added",
    }
    out = []
    for (c, sector, f), v in sorted(energy.items(), key=_energy_order):
        if v == 0:
            continue
        note = src.get(sector, src["product"])
        out.append(
            row("final_energy", v, "1e4 tce", "estimate", note, region=c, sector=sector, fuel=f)
        )
    return out


_SECTOR_ORDER = SECTORS  # the model's sector and fuel order (carbonsim.constants)
_FUEL_ORDER = FUELS


def _energy_order(item):
    (c, s, f), _ = item
    return COUNTIES.index(c), _SECTOR_ORDER.index(s), _FUEL_ORDER.index(f)


def demand_driver_rows(va) -> list[dict]:
    out = []
    fr = freight_shares(va)
    for c in COUNTIES:
        pop = POPULATION[c]
        out.append(
            row(
                "floor_area",
                32.0 * pop,
                "1e4 m2",
                "estimate",
                "32 m2 residential floor area per resident (Ningxia urban/rural mix) × population",
                region=c,
                sector="residential",
            )
        )
        out.append(
            row(
                "floor_area",
                7.0 * 138.4 * va[c]["tertiary"] / _city(va, "tertiary"),
                "1e4 m2",
                "estimate",
                "7 m2 public-building floor area per city resident, "
                "split by county tertiary value added",
                region=c,
                sector="public",
            )
        )
        out.append(
            row(
                "vehicle_stock",
                VEHICLES_PER_PERSON * pop,
                "1e4 vehicles",
                "estimate",
                "150 passenger road vehicles per 1,000 residents (below China's ≈170 in "
                "2020) × population",
                region=c,
            )
        )
        out.append(
            row(
                "nev_stock_share",
                NEV_SHARE,
                "1",
                "estimate",
                "China 2020 NEV share of the vehicle stock 1.75 % (公安部), Ningxia lower",
                region=c,
            )
        )
        out.append(
            row(
                "green_travel_share",
                extrapolate_2020(GREEN_TRAVEL, additive=True),
                "1",
                "estimate",
                f"back-extrapolated from the plan's 65 % (2025) and 70 % (2030) urban green-travel "
                f"share ({SRC_PLAN} 三(五)2) at the 2025-2030 pace; same in every county",
                region=c,
            )
        )
        out.append(
            row(
                "freight_turnover",
                FREIGHT_TURNOVER_CITY * fr[c],
                "1e8 tkm",
                "estimate",
                "city road freight turnover ≈90 亿tkm (≈16 % of Ningxia, E/L) split by "
                "county secondary value added",
                region=c,
            )
        )
    for f, (v, note) in VEHICLE_ENERGY.items():
        out.append(row("vehicle_energy", v, "tce/vehicle/yr", "estimate", note, fuel=f))
    return out


def _city(va, sector):
    return sum(va[c][sector] for c in COUNTIES)
