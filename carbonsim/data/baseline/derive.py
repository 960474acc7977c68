"""Derive the 2020 baseline calibration of 吴忠市 and its five counties.

Run ``python derive.py`` in this directory to regenerate ``wuzhong-2020.csv`` (``--check`` only
compares). This is package data, not an importable module. A test checks that the stored CSV
equals what this script produces: edit the numbers *here*, then regenerate.

The script is a chain of small, stated steps:

1. **Sourced anchors** (provenance ``source``): city GDP 621.8 亿元, county population,
   emission factors, grid factor, conversion coefficients, the plan's ecological targets.
2. **A-priori estimates** (provenance ``estimate``; each row says how): county splits, product
   outputs, unit energy use by the national limit and benchmark standards, per-capita and
   per-value-added drivers of the other sectors, power capacity by named plants, hours.
3. **Two closures**, nothing else is fitted:

   a. ``other_industry`` final energy is the residual that makes the city's total energy
      consumption (coal-equivalent method, consumption basis) equal the 600 万tce estimate;
   b. the coal-plant utilisation hours are the value that makes the city's assessment-basis
      CO2 equal ``CO2_TARGET`` (2.37 t/万元 × 2020 GDP at 2015 prices), rounded to 10 h.

Nothing here is tuned towards a future target of the plan.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "wuzhong-2020.csv"
COLUMNS = (
    "variable",
    "region",
    "sector",
    "fuel",
    "tech",
    "product",
    "value",
    "unit",
    "provenance",
    "source",
)

COUNTIES = ("litong", "hongsibu", "qingtongxia", "yanchi", "tongxin")
PRODUCTS = ("aluminium", "magnesium", "clinker", "coke", "carbide", "caustic_soda")
PRODUCT_SECTOR = {"clinker": "cement"}
KGCE_PER_KWH = 0.1229  # GB/T 2589-2020, calorific (当量值)
TWH_PER_10KTCE = 1e7 / KGCE_PER_KWH / 1e9

# ---------------------------------------------------------------------------------------------
# Citations (baseline-facts.md tags in brackets)
# ---------------------------------------------------------------------------------------------
FACTS = "carbonsim research notes baseline-facts.md"
SRC_GDP = (
    "宁夏日报 2023-07-24 citing the MEE 国家低碳城市试点评估: 吴忠市 2020 GDP 621.8 亿元; "
    f"https://szb.nxrb.cn/nxrb/pc/con/202307/24/content_81825.html [{FACTS} §1.1, S/H]"
)
SRC_CO2I = (
    "宁夏日报 2023-07-24 and 宁夏生态环境厅 2023-07-18: 吴忠市 2020 CO2 intensity 2.37 t/万元; "
    "https://szb.nxrb.cn/nxrb/pc/con/202307/24/content_81825.html ; "
    f"https://sthjt.nx.gov.cn/xwzx/qnxw/202307/t20230718_4183148.html [{FACTS} §2, S/H]"
)
SRC_POP = (
    "宁夏统计年鉴2022 year-end resident population series (万人), via MaiGoo "
    f"'2021年吴忠市人口排行榜' [{FACTS} §1.3, S2/M]"
)
SRC_H1 = "《2023年1-6月份吴忠市县(市、区)经济发展主要指标》 (吴忠市统计局, 2023)"
SRC_PLAN = "《吴忠市碳达峰实施方案》 (吴党发〔2023〕10号, 2023-05-15)"
SRC_EF = (
    "NDRC 企业温室气体排放核算方法与报告指南 default parameters (2013-2015), identical in "
    "GB/T 32150-2015 / GB/T 32151: {detail} [" + FACTS + " §5.2, K/H]"
)
SRC_GB2589 = "GB/T 2589-2020 《综合能耗计算通则》 Appendix A: {detail} [" + FACTS + " §5.3]"
SRC_GRID = (
    "生态环境部、国家统计局 2022年度电力二氧化碳排放因子 (published Dec 2024), 西北区域电网平均 "
    "0.5857 t CO2/MWh, the earliest published regional value and the nearest to 2020; "
    f"https://daydaynews.cc/zh-hant/finance/3899452.html [{FACTS} §5.1, S/H]"
)
SRC_BENCH = (
    "《高耗能行业重点领域能效标杆水平和基准水平(2021年版)》 (发改产业〔2021〕1609号) and "
    "{std}; 2020 plant level estimated between the 基准 and the limit: {detail}"
)

# ---------------------------------------------------------------------------------------------
# 1. Economy
# ---------------------------------------------------------------------------------------------
CITY_GDP = 621.8
#: 2023 H1 county table: GDP, primary, secondary, tertiary (亿元), real GDP growth (%)
H1_2023 = {
    "litong": (124.92, 13.91, 52.72, 58.29, 4.4),
    "hongsibu": (46.37, 2.47, 26.10, 17.80, 11.4),
    "qingtongxia": (79.99, 10.26, 43.35, 26.38, 1.4),
    "yanchi": (86.92, 4.89, 54.72, 27.31, 7.9),
    "tongxin": (69.05, 5.56, 33.60, 29.89, 10.1),
}
#: city 2020 structure primary : secondary : tertiary (baseline-facts §1.1 placeholder, E/L)
CITY_STRUCTURE = (0.13, 0.45, 0.42)
#: construction's share of secondary value added (estimate, Ningxia-typical)
CONSTRUCTION_SHARE_OF_SECONDARY = 0.18
POPULATION = {
    "litong": 46.12,
    "hongsibu": 19.78,
    "qingtongxia": 24.45,
    "yanchi": 15.94,
    "tongxin": 32.11,
}

# ---------------------------------------------------------------------------------------------
# 2. Energy-intensive products: output [1e4 t] by county; unit energy [tce/t]; fuel shares
# ---------------------------------------------------------------------------------------------
OUTPUT = {
    "aluminium": {"qingtongxia": 40.0},
    "magnesium": {"hongsibu": 5.0},
    "clinker": {"qingtongxia": 400.0, "yanchi": 100.0},
    "coke": {"hongsibu": 150.0},
    "carbide": {"hongsibu": 30.0},
    "caustic_soda": {"hongsibu": 15.0},
}
OUTPUT_NOTE = {
    "aluminium": (
        "青铜峡铝业 (SPIC) 青铜峡 site; 宁夏能源铝业's 85万t (2009) covers 青铜峡 and "
        "宁东 together, "
        "宁创新材料 (27万t in 2019) is left out because its location in Wuzhong is unconfirmed and "
        "a 600万tce city energy total cannot hold more than about 45万t"
    ),
    "magnesium": (
        "太阳镁业 (太阳山开发区, booked to 红寺堡区); the 2011 plan's 30万t is a plan "
        "figure, not output"
    ),
    "clinker": (
        "about two thirds of the 760万t clinker capacity cap of the plan 三(三)4 at ~66 % "
        "utilisation; 青铜峡 cement lines, 盐池 (萌生, 2,500 t/d line and successors)"
    ),
    "coke": "太阳山开发区 coking (宁夏庆华 and others named in the plan), booked to 红寺堡区",
    "carbide": "太阳山开发区 chlor-alkali chain, booked to 红寺堡区",
    "caustic_soda": "太阳山开发区 chlor-alkali chain, booked to 红寺堡区",
}
UNIT_ENERGY = {
    "aluminium": (
        1.70,
        "GB 21346-2013 电解铝 limits; 13,500 kWh/t AC × 0.1229 = 1.659 tce/t plus "
        "≈0.04 tce/t anode baking and casting gas (2021 基准 13,350 kWh/t)",
    ),
    "magnesium": (4.5, "GB 21347-2012 镁冶炼 (Pidgeon) limits ≈4-5 tce/t; mid value"),
    "clinker": (0.112, "GB 16780-2021 水泥熟料; 2021 标杆 100 / 基准 117 kgce/t"),
    "coke": (
        0.140,
        "GB 21342-2013 焦炭; 2021 标杆 110 / 基准 135 kgce/t (顶装); the plan's −20 % by "
        "2025 lands at the 标杆",
    ),
    "carbide": (0.95, "GB 21343-2015 电石; 2021 标杆 805 / 基准 940 kgce/t"),
    "caustic_soda": (
        0.36,
        "GB 21257-2014 烧碱 (离子膜 ≥30 % 液碱); 2021 标杆 315 / 基准 350 kgce/t",
    ),
}
UNIT_ENERGY_STD = {
    "aluminium": "GB 21346-2013 《电解铝企业单位产品能源消耗限额》",
    "magnesium": "GB 21347-2012 《镁冶炼企业单位产品能源消耗限额》",
    "clinker": "GB 16780-2021 《水泥单位产品能源消耗限额》",
    "coke": "GB 21342-2013 《焦炭单位产品能源消耗限额》",
    "carbide": "GB 21343-2015 《电石单位产品能源消耗限额》",
    "caustic_soda": "GB 21257-2014 《烧碱单位产品能源消耗限额》",
}
FUEL_MIX = {
    "aluminium": {"electricity": 0.976, "gas": 0.024},
    "magnesium": {"coal": 0.94, "electricity": 0.06},
    "clinker": {"coal": 0.93, "electricity": 0.07},
    "coke": {"coal": 0.95, "electricity": 0.05},
    "carbide": {"coal": 0.58, "electricity": 0.42},
    "caustic_soda": {"electricity": 0.80, "heat": 0.20},
}
FUEL_MIX_NOTE = {
    "aluminium": "13,500 kWh/t AC at 0.1229 kgce/kWh is 1.659 of 1.70 tce/t; the rest is gas",
    "magnesium": "Pidgeon: calcining and reduction on coal / semi-coke gas, ≈2,200 kWh/t "
    "electricity",
    "clinker": "kiln coal; ≈64 kWh/t clinker electricity",
    "coke": "coke-oven heating and conversion loss booked as coal; ≈57 kWh/t electricity",
    "carbide": "≈3,250 kWh/t furnace electricity; coke/semi-coke reductant booked as coal",
    "caustic_soda": "≈2,340 kWh/t electrolysis; evaporation steam as delivered heat",
}
PROCESS_EF = {
    "aluminium": (
        1.5,
        "source",
        "anode carbon ≈0.4 t C/t Al × 44/12; IPCC 2006 Vol. 3 Ch. 4.4 "
        f"prebake default ≈1.6; {FACTS} §5.2 (K/M); PFCs excluded",
    ),
    "magnesium": (
        5.0,
        "estimate",
        "dolomite calcination, ≈10.5 t dolomite per t Mg × 0.477 t "
        "CO2/t (stoichiometric); baseline-facts §5.2 quotes a lower 2.0-2.5 (K/M)",
    ),
    "clinker": (
        0.52,
        "source",
        "IPCC 2006 Vol. 3 Ch. 2 clinker default 0.52 t CO2/t (CaO 65 %); "
        f"GB/T 32151.8-2015 method; {FACTS} §5.2 0.50-0.54 (K/M)",
    ),
    "coke": (
        0.0,
        "estimate",
        "carbon leaves in coke and gas; conversion losses are booked as coal combustion",
    ),
    "carbide": (
        0.70,
        "estimate",
        "lime calcination only, ≈0.9 t CaO per t carbide × 44/56 "
        "(stoichiometric); the reductant carbon is booked as coal combustion",
    ),
    "caustic_soda": (0.0, "estimate", "membrane electrolysis has no process CO2"),
}

# ---------------------------------------------------------------------------------------------
# 3. Other final-energy sectors: city totals [1e4 tce, calorific electricity] and county drivers
# ---------------------------------------------------------------------------------------------
#: residential per capita [tce/person/yr]: electricity 650 kWh, coal, gas, district heat, LPG
RESIDENTIAL_PER_CAPITA = {
    "electricity": 650 * KGCE_PER_KWH / 1e3,
    "coal": 0.13,
    "gas": 0.04,
    "heat": 0.05,
    "oil": 0.01,
}
PUBLIC_TOTAL = {
    "electricity": 0.70 / TWH_PER_10KTCE,
    "coal": 4.0,
    "gas": 4.0,
    "oil": 2.0,
    "heat": 6.0,
}
AGRICULTURE_TOTAL = {"electricity": 0.90 / TWH_PER_10KTCE, "oil": 8.0, "coal": 3.0}
CONSTRUCTION_TOTAL = {"electricity": 0.10 / TWH_PER_10KTCE, "oil": 4.0, "coal": 1.0}
#: passenger road vehicles per 1e4 persons (1e4 vehicles per 1e4 persons)
VEHICLES_PER_PERSON = 0.15
NEV_SHARE = 0.006
VEHICLE_ENERGY = {
    "oil": (0.86, "≈10,000 km/yr × 8 L/100 km gasoline = 0.58 t × 1.4714 kgce/kg (GB/T 2589)"),
    "electricity": (0.184, "≈10,000 km/yr × 15 kWh/100 km × 0.1229 kgce/kWh (calorific)"),
}
#: buses, taxis, coaches and motorcycles on top of private vehicles [tce/person/yr]
OTHER_PASSENGER_PER_CAPITA = {"oil": 0.022, "gas": 0.011, "electricity": 0.0004}
FREIGHT_TURNOVER_CITY = 90.0  # 1e8 tkm
#: plan's urban green-travel share targets 2025 / 2030
GREEN_TRAVEL = (0.65, 0.70)
FREIGHT_KGCE_PER_TKM = 0.021
FREIGHT_GAS_SHARE = 0.08
OTHER_INDUSTRY_MIX = {"coal": 0.50, "oil": 0.03, "gas": 0.15, "electricity": 0.26, "heat": 0.06}

# ---------------------------------------------------------------------------------------------
# 4. Power system
# ---------------------------------------------------------------------------------------------
CAPACITY = {  # GW, year-end 2020
    "coal": {"qingtongxia": 3.72, "litong": 0.70, "hongsibu": 0.10},
    "wind": {"hongsibu": 1.30, "qingtongxia": 0.30, "yanchi": 2.20, "tongxin": 1.20},
    "solar": {
        "litong": 0.20,
        "hongsibu": 1.20,
        "qingtongxia": 0.30,
        "yanchi": 1.30,
        "tongxin": 1.00,
    },
    "hydro": {"qingtongxia": 0.30},
}
CAPACITY_NOTE = {
    "coal": (
        "named plants, K/L (verify with the operators): 国能大坝电厂 in 青铜峡 4×300 + 2×600 + "
        "2×660 MW = 3.72 GW; 国家电投吴忠热电 2×350 MW CHP in 利通区; ≈0.1 GW captive units in "
        "太阳山. baseline-facts §3.2's 200-300万kW placeholder (public CHP + captive) leaves out "
        "大坝 and cannot reproduce the sourced CO2 intensity (needs >9,000 h)"
    ),
    "wind": (
        "central value 500万kW of the unsourced baseline-facts §3.2 placeholder (450-550), spread "
        "over the wind areas the plan names (麻黄山/盐池, 红寺堡 and 太阳山 farms, 同心, 青铜峡 "
        "贺兰山 79.5 MW)"
    ),
    "solar": (
        "central value 400万kW of the unsourced baseline-facts §3.2 placeholder (350-450), spread "
        "over the PV bases the plan names (红寺堡, 盐池, 同心) plus distributed PV"
    ),
    "hydro": "青铜峡水电站 ≈27-32万kW [baseline-facts §3.2, K/L], central 30万kW",
}
UTILISATION_HOURS = {  # h per kW of year-end capacity, before curtailment
    "gas": (3000.0, "no gas plant in 2020; peaking-plant assumption for later years"),
    "hydro": (
        3800.0,
        "青铜峡 run-of-river: ≈11-12 亿kWh/yr on 0.30 GW (342 亿kWh over 1968-2007 "
        "on a smaller fleet) [baseline-facts §3.2]",
    ),
    "wind": (
        1650.0,
        "Ningxia 2020 ≈1,800 h (K/L, NEA) ÷ (1 − 2.5 % curtailment) × 0.89 because "
        "2020 additions came late in the year and the hours apply to year-end capacity",
    ),
    "solar": (
        1360.0,
        "Ningxia 2020 ≈1,520 h (K/L, NEA) ÷ (1 − 2.5 %) × 0.87 for year-end capacity",
    ),
    "biomass": (5000.0, "no biomass plant identified in 2020; typical waste/straw plant hours"),
}
CURTAILMENT = 0.025
COAL_UNIT_RATES = ((1.2, 325.0), (1.2, 310.0), (1.32, 285.0), (0.7, 300.0), (0.1, 340.0))
#: assessment-basis CO2 the coal hours are closed on [1e4 t]: 2.37 t/万元 × 2020 GDP at 2015
#: prices (621.8 亿元 deflated 5 %, the lower bound of baseline-facts' 5-8 % range) = 1,400
CO2_TARGET = 2.37 * CITY_GDP * 0.95
ENERGY_TARGET = 600.0

SCALARS = {
    # name: (value, unit, provenance, source)
    "gas_heat_rate": (
        235.0,
        "gce/kWh",
        "estimate",
        "combined-cycle gas turbine at ≈52 % net efficiency: 122.9 / 0.523",
    ),
    "grid_loss_rate": (
        0.05,
        "1",
        "estimate",
        "Ningxia 2020 line loss ≈4 % (K/L) plus ≈1 % own use of renewable and hydro "
        "plants; coal-plant own use is already in the supply coal rate",
    ),
    "heat_supply_efficiency": (
        0.85,
        "1",
        "estimate",
        "CHP heat allocation ≈0.90 and heat-only boilers ≈0.80, with network "
        "losses; delivered heat / fuel",
    ),
    "grid_emission_factor": (0.5857, "t CO2/MWh", "source", SRC_GRID),
    "grid_import_non_fossil_share": (
        0.21,
        "1",
        "estimate",
        "Ningxia 2020 ≈ 400 亿kWh hydro + wind + solar of ≈1,900 "
        "亿kWh generation (322.1 亿kWh renewables in 2019, S; "
        "baseline-facts §3.1)",
    ),
    "nhre_consumption_share_2020": (
        0.22,
        "1",
        "estimate",
        "Ningxia 2020 non-hydro renewable consumption weight: minimum "
        "≈0.20 (NDRC/NEA 2020 消纳责任权重, K/L) and reported "
        "completion slightly above; applied to Wuzhong",
    ),
    "recycled_aluminium_share": (
        0.0,
        "1",
        "estimate",
        "no secondary-aluminium plant operated in the city in 2020: the plan lists "
        "宁夏中青铝新材料 (再生铝) as a project to build (专栏6-3) and sets 30 % for 2025",
    ),
    "forest_sink_per_stock": (
        1.55,
        "t CO2/m3",
        "estimate",
        "IPCC 2006 AFOLU Vol. 4 Ch. 4 stock-change method as in 省级温室气体"
        "清单编制指南 (2011): BEF 1.5 × WD 0.45 t/m3 × (1 + R 0.25) × CF 0.5 × "
        "44/12",
    ),
    "grassland_sink_factor": (
        0.03,
        "t CO2/mu/yr",
        "estimate",
        "≈0.45 t CO2/ha/yr for restored desert steppe (literature range 0.2-1.1) ÷ 15 mu/ha",
    ),
    "wetland_sink_factor": (
        0.10,
        "t CO2/mu/yr",
        "estimate",
        "≈1.5 t CO2/ha/yr for Chinese inland river/lake wetlands ÷ 15 mu/ha",
    ),
    "hydrogen_electricity": (
        52.0,
        "kWh/kg",
        "estimate",
        "alkaline electrolysis system ≈50-55 kWh/kg (GLOSSARY.md), mid value",
    ),
    "battery_round_trip_efficiency": (
        0.85,
        "1",
        "estimate",
        "lithium-iron-phosphate grid storage, AC-AC",
    ),
    "pumped_hydro_round_trip_efficiency": (
        0.78,
        "1",
        "estimate",
        "typical Chinese pumped-hydro plants 0.75-0.80",
    ),
}
HEAT_FUEL_MIX = {"coal": 0.92, "gas": 0.08}
EMISSION_FACTORS = {
    "coal": (
        2.66,
        "source",
        SRC_EF.format(
            detail="raw coal 20.908 GJ/t × 26.37 t C/TJ × 94 % × "
            "44/12 = 1.9003 t CO2/t ÷ 0.7143 tce/t"
        ),
    ),
    "oil": (
        2.11,
        "source",
        SRC_EF.format(
            detail="crude oil 41.816 GJ/t × 20.08 t C/TJ × 98 % × "
            "44/12 ÷ 1.4286 tce/t (refined products 2.0-2.12)"
        ),
    ),
    "gas": (
        1.63,
        "source",
        SRC_EF.format(
            detail="natural gas 389.31 GJ/1e4 m3 × 15.3 t C/TJ × 99 % × 44/12 ÷ 1.33 kgce/m3"
        ),
    ),
    "electricity": (
        0.0,
        "estimate",
        "indirect: counted at the power plants (territorial) and by "
        "the electricity-trade adjustment (assessment)",
    ),
    "heat": (
        0.0,
        "estimate",
        "indirect: the fuel that makes delivered heat is counted (heat_fuel_mix)",
    ),
    "hydrogen": (0.0, "estimate", "indirect: counted where the hydrogen is produced"),
    "biomass": (0.0, "estimate", "biogenic CO2, carbon-neutral by IPCC 2006 convention"),
}

# ---------------------------------------------------------------------------------------------
# 5. Land and sinks
# ---------------------------------------------------------------------------------------------
LAND_KM2 = {
    "litong": 1412.0,
    "hongsibu": 2767.0,
    "qingtongxia": 2445.0,
    "yanchi": 8522.0,
    "tongxin": 4662.0,
}
FOREST_RELATIVE = {
    "litong": 0.75,
    "hongsibu": 0.65,
    "qingtongxia": 0.80,
    "yanchi": 1.45,
    "tongxin": 0.85,
}
#: plan 2025 / 2030 targets, back-extrapolated to 2020 at the 2025-2030 pace
FOREST_COVERAGE = (0.204, 0.210)
FOREST_STOCK = (110.0, 112.0)
GRASS_COVERAGE = (0.553, 0.56)
GRASSLAND_MU = {
    "litong": 30.0,
    "hongsibu": 250.0,
    "qingtongxia": 120.0,
    "yanchi": 835.0,
    "tongxin": 400.0,
}
WETLAND_CITY = 77.38
WETLAND_WEIGHTS = {
    "litong": 0.26,
    "hongsibu": 0.12,
    "qingtongxia": 0.38,
    "yanchi": 0.14,
    "tongxin": 0.10,
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def split(total: float, weights: dict[str, float]) -> dict[str, float]:
    """Split *total* over counties in proportion to *weights*."""
    norm = sum(weights.values())
    return {c: total * weights.get(c, 0.0) / norm for c in COUNTIES}


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


def county_gdp() -> dict[str, float]:
    """2020 county GDP: the city total split by 2023 H1 GDP deflated by each county's growth."""
    weights = {c: v[0] / (1 + v[4] / 100) ** 3 for c, v in H1_2023.items()}
    return split(CITY_GDP, weights)


def ipf(seed: dict[str, list[float]], rows: dict[str, float], cols: list[float], n: int = 200):
    """Iterative proportional fitting of a county × sector seed to row and column totals."""
    table = {c: list(v) for c, v in seed.items()}
    for _ in range(n):
        for c in table:
            s = sum(table[c])
            table[c] = [x * rows[c] / s for x in table[c]]
        for j, total in enumerate(cols):
            s = sum(table[c][j] for c in table)
            for c in table:
                table[c][j] *= total / s
    return table


def value_added() -> dict[str, dict[str, float]]:
    """County value added by primary / industry / construction / tertiary [亿元]."""
    gdp = county_gdp()
    city = [CITY_GDP * s for s in CITY_STRUCTURE]
    seed = {
        c: [
            v[1] / (1 + v[4] / 100) ** 3,
            v[2] / (1 + v[4] / 100) ** 3,
            v[3] / (1 + v[4] / 100) ** 3,
        ]
        for c, v in H1_2023.items()
    }
    fitted = ipf(seed, gdp, city)
    k = CONSTRUCTION_SHARE_OF_SECONDARY
    return {
        c: {"primary": p, "industry": s * (1 - k), "construction": s * k, "tertiary": t}
        for c, (p, s, t) in fitted.items()
    }


# ---------------------------------------------------------------------------------------------
# rows by block
# ---------------------------------------------------------------------------------------------
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
    return out


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


def freight_shares(va) -> dict[str, float]:
    return split(1.0, {c: va[c]["industry"] + va[c]["construction"] for c in COUNTIES})


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


_SECTOR_ORDER = (
    "aluminium",
    "magnesium",
    "cement",
    "coke",
    "carbide",
    "caustic_soda",
    "other_industry",
    "construction",
    "residential",
    "public",
    "passenger_transport",
    "freight_transport",
    "agriculture",
)
_FUEL_ORDER = ("coal", "oil", "gas", "electricity", "heat", "hydrogen", "biomass")


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
                _back(GREEN_TRAVEL, additive=True),
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
    cov_2020 = _back(FOREST_COVERAGE, additive=True)
    weights = {c: FOREST_RELATIVE[c] * land[c] for c in COUNTIES}
    scale = cov_2020 * sum(land.values()) / sum(weights.values())
    stock_2020 = _back(FOREST_STOCK, additive=False)
    growth = (FOREST_STOCK[1] / FOREST_STOCK[0]) ** 0.2 - 1
    forest_area = {c: FOREST_RELATIVE[c] * scale * land[c] for c in COUNTIES}
    stock = split(stock_2020, forest_area)
    grass_cov = _back(GRASS_COVERAGE, additive=True)
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


def _back(pair: tuple[float, float], additive: bool) -> float:
    """2020 value from the 2025 and 2030 values at the 2025-2030 pace."""
    if additive:
        return pair[0] - (pair[1] - pair[0])
    return pair[0] / (pair[1] / pair[0])


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
            round(elec_twh, 2),
            "TWh",
            "estimate",
            "bottom-up: product output × unit electricity plus sector per-capita and "
            "per-value-added electricity (no published 吴忠 全社会用电量; a top-down share of "
            "Ningxia's ≈103.8 TWh by GDP gives ≈16.5 TWh, which the 600万tce estimate cannot hold)",
            region="wuzhong",
        ),
    ]


def build_rows() -> list[dict]:
    """All rows of the calibration, in file order."""
    va = value_added()
    coal_rate = coal_supply_rate()
    energy = product_energy()
    for key, v in other_sector_energy(va).items():
        energy[key] = energy.get(key, 0.0) + v
    other_total = close_other_industry(energy, va, coal_rate)
    coal_hours = close_coal_hours(energy, coal_rate)
    elec = sum(v for (_, _, f), v in energy.items() if f == "electricity") * TWH_PER_10KTCE
    return (
        economy_rows(va)
        + product_rows()
        + energy_rows(energy, other_total)
        + demand_driver_rows(va)
        + power_rows(coal_rate, coal_hours)
        + parameter_rows()
        + land_rows()
        + reference_rows(elec)
    )


def render(rows: list[dict]) -> str:
    """The CSV text (UTF-8, LF line endings)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "value": repr(r["value"])})
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (default) or ``--check`` the bundled CSV."""
    argv = sys.argv[1:] if argv is None else argv
    text = render(build_rows())
    if "--check" in argv:
        same = CSV_PATH.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{CSV_PATH.name} differs from derive.py: regenerate it")
        return 0 if same else 1
    CSV_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {CSV_PATH} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
