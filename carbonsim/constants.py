"""Axis order, coordinate values and physical constants, declared once.

Every engine array carries the scenario axis first.  The canonical axis orders are

* ``(scenario, region, year)`` for most quantities,
* ``(scenario, region, sector, fuel, year)`` for final energy,
* ``(scenario, region, tech, year)`` for power capacity and generation.

``year`` is always the last axis so that the only loop (over years, for stocks) walks the
last axis, and ``scenario`` is always the first so that chunks of scenarios are contiguous.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: the package's bundled data folder (``carbonsim/data``), located once
DATA_DIR = Path(str(resources.files("carbonsim") / "data"))

CITY = "wuzhong"
CITY_NAME_ZH = "吴忠市"
CITY_NAME_EN = "Wuzhong"

#: County-level units of 吴忠市, in the order used on every ``region`` axis.
REGIONS: tuple[str, ...] = ("litong", "hongsibu", "qingtongxia", "yanchi", "tongxin")
REGION_NAMES_ZH: dict[str, str] = {
    "wuzhong": "吴忠市",
    "litong": "利通区",
    "hongsibu": "红寺堡区",  # with 太阳山开发区
    "qingtongxia": "青铜峡市",
    "yanchi": "盐池县",
    "tongxin": "同心县",
}
REGION_NAMES_EN: dict[str, str] = {
    "wuzhong": "Wuzhong (city)",
    "litong": "Litong",
    "hongsibu": "Hongsibu (incl. Taiyangshan)",
    "qingtongxia": "Qingtongxia",
    "yanchi": "Yanchi",
    "tongxin": "Tongxin",
}
ALL_REGIONS: tuple[str, ...] = (CITY, *REGIONS)

BASE_YEAR = 2020
FIRST_YEAR = 2020
LAST_YEAR = 2060
DEFAULT_YEARS: tuple[int, ...] = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

#: Energy-intensive products named by the plan, each an industry sub-sector.
PRODUCTS: tuple[str, ...] = ("aluminium", "magnesium", "clinker", "coke", "carbide", "caustic_soda")

#: Final-energy sectors (the last axis but one of final energy).
SECTORS: tuple[str, ...] = (
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
INDUSTRY_SECTORS: tuple[str, ...] = SECTORS[:7]
BUILDING_SECTORS: tuple[str, ...] = ("residential", "public")
TRANSPORT_SECTORS: tuple[str, ...] = ("passenger_transport", "freight_transport")
#: Sector that each product's energy is booked under (clinker -> cement).
PRODUCT_SECTOR: dict[str, str] = {
    "aluminium": "aluminium",
    "magnesium": "magnesium",
    "clinker": "cement",
    "coke": "coke",
    "carbide": "carbide",
    "caustic_soda": "caustic_soda",
}

#: Final-energy carriers.
FUELS: tuple[str, ...] = ("coal", "oil", "gas", "electricity", "heat", "hydrogen", "biomass")
FOSSIL_FUELS: tuple[str, ...] = ("coal", "oil", "gas")

#: Power technologies.  ``pumped_hydro`` and ``battery`` are storage (GW of power).
GENERATION_TECHS: tuple[str, ...] = ("coal", "gas", "hydro", "wind", "solar", "biomass")
STORAGE_TECHS: tuple[str, ...] = ("pumped_hydro", "battery")
TECHS: tuple[str, ...] = GENERATION_TECHS + STORAGE_TECHS
NON_FOSSIL_TECHS: tuple[str, ...] = ("hydro", "wind", "solar", "biomass")
NEW_ENERGY_TECHS: tuple[str, ...] = ("wind", "solar")  # 新能源 as the plan counts it

# ---------------------------------------------------------------------------------------------
# Physical constants and conversions (../shared/GLOSSARY.md, docs/glossary.md; GB/T 2589-2020)
# ---------------------------------------------------------------------------------------------
#: kgce per kWh of electricity, calorific (当量值) method, GB/T 2589-2020 / NBS.
ELECTRICITY_CALORIFIC_KGCE_PER_KWH = 0.1229
#: GJ per tce (7,000 kcal/kgce).
GJ_PER_TCE = 29.3076
#: 1 万tce of electricity at the calorific value, in TWh: 1e7 kgce / 0.1229 kgce/kWh / 1e9.
TWH_PER_10KTCE_ELECTRICITY = 1e7 / ELECTRICITY_CALORIFIC_KGCE_PER_KWH / 1e9
#: Lower heating value of hydrogen [GJ/t] (120 MJ/kg).
HYDROGEN_LHV_GJ_PER_T = 120.0

# ---------------------------------------------------------------------------------------------
# Unit factors the engine uses (named so that no kernel carries a bare number)
# ---------------------------------------------------------------------------------------------
#: gce per kWh of electricity at the calorific value (0.1229 kgce/kWh).
ELECTRICITY_CALORIFIC_GCE_PER_KWH = ELECTRICITY_CALORIFIC_KGCE_PER_KWH * 1000.0
#: 1e4 tce per TWh at 1 gce/kWh: 1e9 kWh x 1 g / 1e10 g.
TCE_1E4_PER_TWH_PER_GCE_KWH = 0.1
#: 1e4 t CO2 per TWh at 1 t CO2/MWh: 1e6 MWh x 1 t / 1e4 t.
CO2_1E4T_PER_TWH_PER_T_MWH = 100.0
#: TWh per GWh (and GW x h -> TWh).
TWH_PER_GWH = 1e-3
#: kg per 1e4 t.
KG_PER_1E4T = 1e7
#: TWh per kWh.
TWH_PER_KWH = 1e-9
#: kg CO2/tkm per (1e4 t CO2 / 1e8 tkm): 1e7 kg / 1e8 tkm.
KG_PER_TKM_PER_1E4T_PER_1E8TKM = 0.1
