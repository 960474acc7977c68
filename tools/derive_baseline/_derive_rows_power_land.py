"""Rows of the CSV: power system, city-wide parameters, land and sinks, reference totals."""

from __future__ import annotations

from _derive_economy import split
from _derive_inputs import (
    CAPACITY,
    CAPACITY_NOTE,
    CITY_GDP,
    COUNTIES,
    CURTAILMENT,
    EMISSION_FACTORS,
    ENERGY_TARGET,
    FOREST_COVERAGE,
    FOREST_RELATIVE,
    FOREST_STOCK,
    GRASS_COVERAGE,
    GRASSLAND_MU,
    HEAT_FUEL_MIX,
    LAND_KM2,
    SCALARS,
    SRC_CO2I,
    SRC_GDP,
    SRC_PLAN,
    UTILISATION_HOURS,
    WETLAND_CITY,
    WETLAND_WEIGHTS,
)
from _derive_rows import extrapolate_2020, row


def power_rows(coal_rate: float, coal_hours: float) -> list[dict]:
    out = []
    for tech, by_county in CAPACITY.items():
        for c, v in by_county.items():
            out.append(
                row("capacity", v, "GW", "estimate", CAPACITY_NOTE[tech], region=c, tech=tech)
            )
    hours = dict(UTILISATION_HOURS)
    hours["coal"] = (
        coal_hours,
        "calibrated: the coal hours that make the city's assessment-basis "
        "CO2 equal 2.37 t/万元 × 2020 GDP at 2015 prices (≈1,400万t); "
        "Ningxia thermal plants ran ≈5,000-5,500 h in 2020 (K/L)",
    )
    for tech in ("coal", "gas", "hydro", "wind", "solar", "biomass"):
        value, note = hours[tech]
        out.append(row("utilisation_hours", value, "h", "estimate", note, tech=tech))
    for tech in ("wind", "solar"):
        out.append(
            row(
                "curtailment_rate",
                CURTAILMENT,
                "1",
                "estimate",
                "Ningxia new-energy utilisation >97 % for five years to 2023 (S, "
                "http://enoyhrf.cn/news/hydt/2658.html); 2.5 % taken for 2020",
                tech=tech,
            )
        )
    out.append(
        row(
            "coal_supply_rate",
            coal_rate,
            "gce/kWh",
            "estimate",
            "capacity-weighted supply coal rate of the named units: 4×300 MW subcritical "
            "≈325, 2×600 MW ≈310, 2×660 MW USC ≈285, 2×350 MW CHP ≈300, captive ≈340 "
            "gce/kWh; China 2020 average 305.5 (K/M); the plan's <300 by 2025 implies >300",
        )
    )
    for c in COUNTIES:
        out.append(
            row(
                "storage_energy",
                0.0,
                "GWh",
                "estimate",
                "Ningxia's storage mandate began in 2021; no battery plant in 2020",
                region=c,
            )
        )
    return out


def parameter_rows() -> list[dict]:
    out = []
    for name, (value, unit, prov, src) in SCALARS.items():
        out.append(row(name, value, unit, prov, src))
    for f, s in HEAT_FUEL_MIX.items():
        out.append(
            row(
                "heat_fuel_mix",
                s,
                "1",
                "estimate",
                "coal CHP and boilers; gas boilers in 利通区 and county towns",
                fuel=f,
            )
        )
    for f, (v, prov, src) in EMISSION_FACTORS.items():
        out.append(row("emission_factor", v, "t CO2/tce", prov, src, fuel=f))
    return out


def land_rows() -> list[dict]:
    land = {c: LAND_KM2[c] * 0.15 for c in COUNTIES}
    cov_2020 = extrapolate_2020(FOREST_COVERAGE, additive=True)
    weights = {c: FOREST_RELATIVE[c] * land[c] for c in COUNTIES}
    scale = cov_2020 * sum(land.values()) / sum(weights.values())
    stock_2020 = extrapolate_2020(FOREST_STOCK, additive=False)
    growth = (FOREST_STOCK[1] / FOREST_STOCK[0]) ** 0.2 - 1
    forest_area = {c: FOREST_RELATIVE[c] * scale * land[c] for c in COUNTIES}
    stock = split(stock_2020, forest_area)
    grass_cov = extrapolate_2020(GRASS_COVERAGE, additive=True)
    wetland = split(WETLAND_CITY, WETLAND_WEIGHTS)
    plan_note = f"{SRC_PLAN} 三(七)2: 2025/2030 targets"
    out = []
    for c in COUNTIES:
        out += [
            row(
                "land_area",
                land[c],
                "1e4 mu",
                "estimate",
                "county administrative area in km2 × 0.15 (domain knowledge, not verified)",
                region=c,
            ),
            row(
                "forest_coverage",
                FOREST_RELATIVE[c] * scale,
                "1",
                "estimate",
                f"city 2020 ≈{cov_2020:.3f} back-extrapolated from the plan's 20.4 % (2025) "
                "and 21 % "
                f"(2030) at the 2025-2030 pace ({plan_note}); county relative levels assumed",
                region=c,
            ),
            row(
                "forest_stock",
                stock[c],
                "1e4 m3",
                "estimate",
                f"city 2020 ≈{stock_2020:.1f}万m3 back-extrapolated from 110 (2025) and 112 (2030) "
                f"({plan_note}); split by forest area",
                region=c,
            ),
            row(
                "grassland_area",
                GRASSLAND_MU[c],
                "1e4 mu",
                "estimate",
                "grassland area, domain knowledge (盐池 ≈835万亩 of natural grassland), not "
                "verified",
                region=c,
            ),
            row(
                "grassland_vegetation_coverage",
                grass_cov,
                "1",
                "estimate",
                f"back-extrapolated from 55.3 % (2025) and 56 % (2030) ({plan_note}); same in "
                "every county",
                region=c,
            ),
            row(
                "wetland_area",
                wetland[c],
                "1e4 mu",
                "estimate",
                f"the plan's 2025 target 'stable at 77.38万亩' ({plan_note}) used as the 2020 "
                "anchor; split by Yellow-River frontage and lakes (青铜峡库区, 利通 riverside, "
                "盐池 "
                "哈巴湖)",
                region=c,
            ),
        ]
    out.append(
        row(
            "forest_stock_growth_rate",
            growth,
            "1/yr",
            "estimate",
            f"net stock growth of the plan's path 110 → 112万m3 over 2025-2030 ({plan_note})",
        )
    )
    return out


def reference_rows(elec_twh: float) -> list[dict]:
    return [
        row("gdp_reference", CITY_GDP, "1e8 CNY", "source", SRC_GDP, region="wuzhong"),
        row(
            "energy_consumption_reference",
            ENERGY_TARGET,
            "1e4 tce",
            "estimate",
            "baseline-facts §2/§8 (E/L): CO2 ÷ ≈2.45 t/tce, range 570-640万tce; no published "
            "Wuzhong 2020 energy total",
            region="wuzhong",
        ),
        row(
            "co2_reference",
            1474.0,
            "1e4 t CO2",
            "estimate",
            f"2.37 t/万元 × 621.8 亿元 ({SRC_CO2I}); at 2015 prices (the probable assessment "
            "basis) "
            "1,370-1,400 (baseline-facts §2, E/M)",
            region="wuzhong",
        ),
        row(
            "electricity_consumption_reference",
            round(elec_twh * (1 + SCALARS["grid_loss_rate"][0]), 2),
            "TWh",
            "estimate",
            f"bottom-up final demand {elec_twh:.2f} TWh (product output × unit electricity plus "
            "sector per-capita and per-value-added electricity) plus grid losses at "
            "grid_loss_rate, the 全社会用电量 convention (losses included); compared with "
            "electricity_consumption. No published 吴忠 全社会用电量; a top-down share of "
            "Ningxia's ≈103.8 TWh 全社会用电量 by GDP gives ≈16.5 TWh, which the 600万tce "
            "estimate cannot hold",
            region="wuzhong",
        ),
    ]
