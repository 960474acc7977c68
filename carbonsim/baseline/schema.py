"""The schema of the 2020 baseline: one record per variable (kind, unit, names, dimensions, checks).

:data:`SPECS` drives the validation of a baseline CSV (:mod:`carbonsim.baseline.checks`) and the
layout of the Dataset and its attributes (:mod:`carbonsim.baseline`); ``docs/baseline.md`` lists
the same table. Each variable is of one kind:

* ``additive`` – entered per county; the city is their sum;
* ``weighted`` – a county share; the city is the mean weighted by another variable;
* ``parameter`` – city-wide, no region;
* ``reference`` – a city total the calibration is checked against.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from carbonsim import constants as C

__all__ = [
    "ADDITIVE",
    "COLUMNS",
    "DIM_COLUMNS",
    "ECONOMIC_SECTORS",
    "KEY",
    "PARAMETER",
    "PROVENANCES",
    "REFERENCE",
    "SPECS",
    "TOLERANCE",
    "WEIGHTED",
    "VariableSpec",
]

#: Relative tolerance of county sums against city totals and of reference checks.
TOLERANCE = 0.01
#: The columns that identify a row: (variable, region, sector, fuel, tech, product).
KEY = ("variable", "region", "sector", "fuel", "tech", "product")
#: The allowed values of the ``provenance`` column.
PROVENANCES = ("source", "estimate")

COLUMNS = tuple("variable region sector fuel tech product value unit provenance source".split())
DIM_COLUMNS = ("sector", "fuel", "tech", "product")
ADDITIVE, WEIGHTED, PARAMETER, REFERENCE = "additive", "weighted", "parameter", "reference"
ECONOMIC_SECTORS = ("primary", "industry", "construction", "tertiary")

_D_SECTOR = ("sector", "sector", C.SECTORS)
_D_FUEL = ("fuel", "fuel", C.FUELS)
_D_ECON = ("sector", "economic_sector", ECONOMIC_SECTORS)
_D_BUILDING = ("sector", "building", C.BUILDING_SECTORS)
_D_PRODUCT = ("product", "product", C.PRODUCTS)
_D_TECH = ("tech", "tech", C.TECHS)
_D_GEN = ("tech", "generation_tech", C.GENERATION_TECHS)
_D_NEW = ("tech", "new_energy_tech", C.NEW_ENERGY_TECHS)
_D_HEAT = ("fuel", "heat_fuel", ("coal", "gas"))
_D_VEHICLE = ("fuel", "vehicle_fuel", ("oil", "electricity"))


@dataclass(frozen=True)
class VariableSpec:
    """One baseline variable: kind, model unit, names, dimensions and checks."""

    name: str
    kind: str  # additive (county, city = sum) | weighted | parameter | reference
    units: str
    long_name: str
    long_name_zh: str
    description: str
    dims: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (csv column, dataset dim, values)
    share: bool = False  # a fraction in [0, 1]
    mix_over: str | None = None  # csv column over which the shares sum to 1
    weight: str | None = None  # weight of the city mean of a WEIGHTED variable
    complete: bool = False  # every coordinate needs a row

    @property
    def coords(self) -> dict[str, tuple[str, ...]]:
        return {dim: values for _, dim, values in self.dims}

    @property
    def regional(self) -> bool:
        return self.kind in (ADDITIVE, WEIGHTED)

    def dim_for_column(self, column: str) -> str | None:
        if column == "region":
            return "region" if self.regional else None
        return next((dim for col, dim, _ in self.dims if col == column), None)

    def column_for_dim(self, dim: str) -> str:
        return "region" if dim == "region" else next(c for c, d, _ in self.dims if d == dim)

    def dataset_dims(self) -> tuple[str, ...]:
        return (("region",) if self.regional else ()) + tuple(d for _, d, _ in self.dims)

    def used_columns(self) -> tuple[str, ...]:
        return (("region",) if self.regional else ()) + tuple(c for c, _, _ in self.dims)

    def required_columns(self) -> tuple[str, ...]:
        return self.used_columns() or ("value",)

    def required_keys(self, regions=None):
        """Every (variable, region, sector, fuel, tech, product) key a complete variable needs.

        *regions* is a :class:`~carbonsim.regions.RegionSet` (default 吴忠市).
        """
        city, counties = (
            (C.CITY, C.REGIONS) if regions is None else (regions.city, regions.counties)
        )
        by_kind = {ADDITIVE: counties, WEIGHTED: counties, REFERENCE: (city,)}
        axes = [by_kind.get(self.kind, ("",))]
        axes += [
            self.coords[self.dim_for_column(c)] if self.dim_for_column(c) else ("",)
            for c in DIM_COLUMNS
        ]
        for combo in itertools.product(*axes):
            yield (self.name, *combo)

    def attrs(self) -> dict[str, str]:
        return {
            "units": self.units,
            "long_name": self.long_name,
            "long_name_zh": self.long_name_zh,
            "description": self.description,
            "kind": self.kind,
        }


def _spec(name, kind, units, en, zh, desc, *dims, **kw) -> tuple[str, VariableSpec]:
    return name, VariableSpec(name, kind, units, en, zh, desc, tuple(dims), **kw)


_DIMS = {"econ": _D_ECON, "sector": _D_SECTOR, "fuel": _D_FUEL, "building": _D_BUILDING,
         "product": _D_PRODUCT, "tech": _D_TECH, "gen": _D_GEN, "new": _D_NEW, "heat": _D_HEAT,
         "vehicle": _D_VEHICLE}  # fmt: skip
# name | kind | units | dims | flags
#     long_name | long_name_zh | description
_SPEC_TEXT = """
gdp | additive | 1e8 CNY | | complete
    Gross domestic product (2020 prices) | 地区生产总值 | the city is the sum of the counties
value_added | additive | 1e8 CNY | econ | complete
    Value added by economic sector | 分产业增加值 | primary, industry, construction, tertiary
population | additive | 1e4 persons | | complete
    Year-end resident population | 年末常住人口 | yearbook year-end series
product_output | additive | 1e4 t | product |
    Output of energy-intensive products | 重点高耗能产品产量 | each plant in its county
product_capacity | additive | 1e4 t | product |
    Production capacity of energy-intensive products | 重点高耗能产品产能 | year-end, per year
final_energy | additive | 1e4 tce | sector fuel |
    Final energy use by sector and fuel | 分部门分品种终端能源消费量 | electricity calorific
floor_area | additive | 1e4 m2 | building |
    Building floor area | 建筑面积 | residential and public buildings
vehicle_stock | additive | 1e4 vehicles | |
    Passenger road vehicle stock | 载客汽车保有量 | private passenger road vehicles
freight_turnover | additive | 1e8 tkm | |
    Road freight turnover | 公路货物周转量 | road freight tonne-kilometres
capacity | additive | GW | tech |
    Installed power capacity | 电力装机容量 | year-end; pumped_hydro and battery are storage
storage_energy | additive | GWh | |
    Battery storage energy capacity | 新型储能容量 | energy capacity of battery storage
land_area | additive | 1e4 mu | |
    Land area | 土地面积 | administrative land area
forest_stock | additive | 1e4 m3 | |
    Forest growing stock | 森林蓄积量 | standing volume
grassland_area | additive | 1e4 mu | |
    Grassland area | 草原面积 | grassland area
wetland_area | additive | 1e4 mu | |
    Wetland area | 湿地面积 | wetland area
nev_stock_share | weighted | 1 | | share weight=vehicle_stock
    New-energy share of passenger vehicles | 新能源汽车保有量占比 | city: vehicle-weighted
forest_coverage | weighted | 1 | | share weight=land_area
    Forest coverage | 森林覆盖率 | city: land-area-weighted
grassland_vegetation_coverage | weighted | 1 | | share weight=grassland_area
    Grassland vegetation coverage | 草原综合植被盖度 | city: grassland-area-weighted
green_travel_share | weighted | 1 | | share weight=population
    Green-travel share of urban trips | 绿色出行比例 | city: population-weighted
product_unit_energy | parameter | tce/t | product | complete
    Comprehensive unit energy use of product | 单位产品综合能耗 | 2020 level, calorific electricity
product_fuel_mix | parameter | 1 | product fuel | share mix_over=fuel
    Fuel shares of product unit energy | 单位产品能耗品种构成 | sum to 1 per product
process_emission_factor | parameter | t CO2/t | product | complete
    Industrial process CO2 emission factor | 工业生产过程排放因子 | non-combustion CO2 per t
capacity_max_utilisation | parameter | 1 | product | complete share
    Highest sustained capacity utilisation | 最高产能利用率 | output above it needs new capacity
capacity_retirement_rate | parameter | 1/yr | product | complete
    Retirement rate of production capacity | 产能年退出率 | share of capacity retired a year
utilisation_hours | parameter | h | gen | complete
    Utilisation hours before curtailment | 发电设备利用小时数(弃电前) | per kW of year-end capacity
curtailment_rate | parameter | 1 | new | complete share
    Curtailment rate of wind and solar | 弃风弃光率 | share of potential generation curtailed
coal_supply_rate | parameter | gce/kWh | | complete
    Supply coal rate of coal plants | 燃煤电厂供电标准煤耗 | also converts electricity to coal-eq.
gas_heat_rate | parameter | gce/kWh | | complete
    Supply heat rate of gas plants | 燃气电厂供电标准煤耗 | fuel per kWh supplied
grid_loss_rate | parameter | 1 | | complete share
    Grid losses and plant own use | 线损及厂用电率 | share of electricity consumption
heat_supply_efficiency | parameter | 1 | | complete share
    Heat supply efficiency | 供热效率 | delivered heat / fuel
heat_fuel_mix | parameter | 1 | heat | complete share mix_over=fuel
    Fuel mix of heat supply | 供热燃料构成 | shares of heat fuel, summing to 1
emission_factor | parameter | t CO2/tce | fuel | complete
    CO2 emission factor of fuel | 燃料二氧化碳排放因子 | 0 for indirect and biogenic carriers
grid_emission_factor | parameter | t CO2/MWh | | complete
    Grid CO2 factor (Northwest average) | 西北区域电网平均排放因子 | applied to net imports
grid_import_non_fossil_share | parameter | 1 | | complete share
    Non-fossil share of Ningxia grid power | 宁夏电网电量非化石占比 | of electricity drawn
nhre_consumption_share_2020 | parameter | 1 | | complete share
    Non-hydro renewable consumption share 2020 | 2020年非水可再生能源电力消纳比重 | calibration
recycled_aluminium_share | parameter | 1 | | complete share
    Recycled share of aluminium supply 2020 | 2020年再生铝供应占比 | secondary / total supply
vehicle_energy | parameter | tce/vehicle/yr | vehicle | complete
    Annual energy use per passenger vehicle | 单车年均能耗 | oil (ICE), electricity (NEV)
forest_sink_per_stock | parameter | t CO2/m3 | | complete
    CO2 sink per m3 of stock increment | 单位蓄积量增量碳汇 | BEF × WD × (1 + R) × CF × 44/12
forest_stock_growth_rate | parameter | 1/yr | | complete
    Net growth rate of forest stock | 森林蓄积量年增长率 | net annual stock change / stock
grassland_sink_factor | parameter | t CO2/mu/yr | | complete
    Grassland CO2 sink per mu | 草原单位面积碳汇 | annual net uptake
wetland_sink_factor | parameter | t CO2/mu/yr | | complete
    Wetland CO2 sink per mu | 湿地单位面积碳汇 | annual net uptake
hydrogen_electricity | parameter | kWh/kg | | complete
    Electricity per kg of electrolytic hydrogen | 电解水制氢电耗 | system electricity use
battery_round_trip_efficiency | parameter | 1 | | complete share
    Battery round-trip efficiency | 电化学储能往返效率 | AC to AC
pumped_hydro_round_trip_efficiency | parameter | 1 | | complete share
    Pumped-hydro round-trip efficiency | 抽水蓄能往返效率 | pumping to generation
gdp_reference | reference | 1e8 CNY | | complete
    City GDP 2020 (reference) | 2020年地区生产总值(参考值) | the counties must sum to it
energy_consumption_reference | reference | 1e4 tce | | complete
    City energy consumption 2020 (reference) | 2020年能源消费总量(参考值) | coal-eq., consumption
co2_reference | reference | 1e4 t CO2 | | complete
    City CO2 emissions 2020 (reference) | 2020年二氧化碳排放量(参考值) | 2.37 t/万元 × GDP
electricity_consumption_reference | reference | TWh | | complete
    City electricity consumption 2020 (reference) | 2020年全社会用电量(参考值) | an estimate
"""


def _parse_specs(text: str) -> dict[str, VariableSpec]:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    specs = {}
    for head, names in zip(lines[::2], lines[1::2], strict=True):
        name, kind, units, dims, flags = (part.strip() for part in head.split("|"))
        long_name, long_name_zh, description = (part.strip() for part in names.split("|"))
        options: dict = {f: True for f in flags.split() if "=" not in f}
        options.update(f.split("=", 1) for f in flags.split() if "=" in f)
        specs[name] = VariableSpec(
            name, kind, units, long_name, long_name_zh, description,
            tuple(_DIMS[d] for d in dims.split()), **options,
        )  # fmt: skip
    return specs


#: Every variable of the baseline: kind, model unit, names, dimensions and checks.
SPECS: dict[str, VariableSpec] = _parse_specs(_SPEC_TEXT)
