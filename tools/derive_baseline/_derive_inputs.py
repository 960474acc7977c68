"""The stated inputs of the 2020 baseline derivation, each with its source or method.

Edit a number *here*, then run ``python derive.py`` in this directory to regenerate
``wuzhong-2020.csv``. Sections: citations; 1. economy; 2. energy-intensive products; 3. other
final-energy sectors; 4. power system and city-wide parameters; 5. land and sinks.
"""

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

#: 2020 utilisation of production capacity [1] (2020 capacity = 2020 output / this), with how.
#: No Wuzhong capacity statistic was found, so each is a national 2020 figure, except clinker,
#: whose 2020 output above is itself read as ~66 % of the plan's 760万t cap.
CAPACITY_UTILISATION_2020 = {
    "aluminium": (
        0.90,
        "national 2020 primary aluminium ≈3,710万t output on ≈4,100万t capacity (K/L)",
    ),
    "magnesium": (0.60, "national 2020 magnesium ≈86万t output on ≈140万t capacity (K/L)"),
    "clinker": (
        500.0 / 760.0,
        "the 2020 clinker output above is ~66 % of the plan's 760万t cap (三(三)4), so the 2020 "
        "capacity is the 760万t the output estimate rests on, split by county output (E/L); "
        "nationally design capacity 18.3亿t at end-2020 (中国水泥协会信息研究中心, "
        "https://scholarmate.com/S/LaXYfB) against ≈15.8亿t output (K) is ≈86 %, and "
        "north-western lines run lower",
    ),
    "coke": (0.75, "national 2020 coke ≈4.7亿t output (NBS, K) on ≈6.3亿t capacity (K/L)"),
    "carbide": (
        0.72,
        "national 2020 carbide capacity 3,807万t (观研天下《中国电石行业现状深度分析与投资趋势"
        "预测报告(2024-2031年)》, https://www.chinabaogao.com/market/202409/727434.html) "
        "against ≈2,750万t output (K/L)",
    ),
    "caustic_soda": (
        0.82,
        "national 2020 caustic soda ≈3,640万t output on ≈4,470万t capacity (中国氯碱工业协会, K/L)",
    ),
}
#: the highest sustained utilisation [1]: output above it needs new capacity
CAPACITY_MAX_UTILISATION = {p: 0.90 for p in PRODUCTS} | {"aluminium": 0.95}
MAX_UTILISATION_NOTE = (
    "a year's output above 90 % of nameplate capacity is taken to need new capacity "
    "(maintenance stops, and for clinker 错峰生产; the best national years run ≈85-90 %); "
    "electrolytic aluminium 95 % (pot lines run continuously)"
)
#: steady retirement of capacity [1/yr]
CAPACITY_RETIREMENT = {p: 0.0 for p in PRODUCTS}
RETIREMENT_NOTE = (
    "no steady retirement: idle capacity stays registered (产能置换 keeps retired capacity as a "
    "tradable quota), so capacity leaves only at a rate set here"
)

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
