"""Units as planners write them, and their conversion to model units.

Model units (the ``units`` attribute of every variable) are plain ASCII strings, e.g. ``"GW"``,
``"TWh"``, ``"1e4 tce"`` (万吨标准煤), ``"1e8 CNY"`` (亿元, 2020 prices), ``"1"`` (a fraction).
The plan's own units (万千瓦, 万吨标准煤, 亿元, %, …) are accepted wherever a quantity is read and
converted here, once.  Every conversion is a multiplication by a factor to the dimension's base
unit; a unit of another dimension is refused (:class:`~carbonsim.errors.UnitError`).

Examples
--------
>>> convert(2300, "万千瓦", "GW")
23.0
>>> parse_quantity("13 %")
(13.0, '%')
>>> to_unit("2300 万千瓦", "GW")
23.0
"""

from __future__ import annotations

import re

from carbonsim.errors import UnitError, did_you_mean

# unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {}


def _register(dimension: str, base_factor: float, *names: str) -> None:
    for name in names:
        _UNITS[name] = (dimension, float(base_factor))


# power, base kW
_register("power", 1.0, "kW", "千瓦")
_register("power", 1e3, "MW", "兆瓦")
_register("power", 1e4, "万千瓦", "万kW", "1e4 kW")
_register("power", 1e6, "GW", "百万千瓦")
# electric energy, base kWh
_register("electric_energy", 1.0, "kWh", "千瓦时", "度")
_register("electric_energy", 1e3, "MWh")
_register("electric_energy", 1e4, "万千瓦时", "万kWh", "1e4 kWh")
_register("electric_energy", 1e6, "GWh")
_register("electric_energy", 1e8, "亿千瓦时", "亿kWh", "1e8 kWh")
_register("electric_energy", 1e9, "TWh")
# energy in standard coal equivalent, base tce
_register("energy", 1.0, "tce", "吨标准煤")
_register("energy", 1e-3, "kgce", "千克标准煤")
_register("energy", 1e4, "1e4 tce", "万tce", "万吨标准煤", "万吨标煤")
_register("energy", 1e6, "Mtce")
_register("energy", 1e8, "1e8 tce", "亿tce", "亿吨标准煤")
_register("energy", 1.0 / 29.3076, "GJ")
_register("energy", 1e9 / 29.3076, "EJ")
# mass of product, base t
_register("mass", 1.0, "t", "吨")
_register("mass", 1e3, "kt", "千吨")
_register("mass", 1e4, "1e4 t", "万吨", "万t")
_register("mass", 1e6, "Mt")
# production rate, base t/yr
_register("mass_rate", 1.0, "t/yr", "吨/年")
_register("mass_rate", 1e4, "1e4 t/yr", "万吨/年", "万t/年")
_register("mass_rate", 1e3, "kt/yr")
# CO2 mass, base t CO2
_register("co2", 1.0, "t CO2", "吨二氧化碳")
_register("co2", 1e4, "1e4 t CO2", "万吨二氧化碳", "万tCO2", "万吨CO2")
_register("co2", 1e6, "Mt CO2")
_register("co2", 1e8, "1e8 t CO2", "亿吨二氧化碳")
# money (constant 2020 prices), base CNY
_register("money", 1.0, "CNY", "元")
_register("money", 1e4, "1e4 CNY", "万元")
_register("money", 1e8, "1e8 CNY", "亿元")
_register("money", 1e9, "bn CNY")
# fractions
_register("fraction", 1.0, "1", "fraction", "share")
_register("fraction", 0.01, "%", "％", "percent")
# time
_register("hours", 1.0, "h", "小时", "h/yr")
_register("year", 1.0, "year", "年")
# areas
_register("land_area", 1.0, "mu", "亩")
_register("land_area", 1e4, "1e4 mu", "万亩")
_register("land_area", 15.0, "ha", "公顷")
_register("land_area", 1500.0, "km2", "平方公里")
_register("floor_area", 1.0, "m2", "平方米")
_register("floor_area", 1e4, "1e4 m2", "万平方米")
_register("floor_area", 1e8, "1e8 m2", "亿平方米")
# volumes (forest stock, natural gas)
_register("volume", 1.0, "m3", "立方米", "方")
_register("volume", 1e4, "1e4 m3", "万立方米", "万方")
_register("volume", 1e8, "1e8 m3", "亿立方米", "亿方")
_register("volume_rate", 1e8, "1e8 m3/yr", "亿立方米/年")
# counts
_register("count", 1.0, "count", "个", "台", "家", "辆", "座", "处")
_register("count", 1e4, "1e4 count", "万个", "万辆")
_register("vehicles_per_charger", 1.0, "vehicles/charger", "车/桩")
# intensities
_register("energy_intensity", 1.0, "tce/1e4 CNY", "吨标准煤/万元")
_register("co2_intensity", 1.0, "t CO2/1e4 CNY", "吨二氧化碳/万元", "吨/万元")
_register("unit_energy", 1.0, "tce/t", "吨标准煤/吨")
_register("unit_energy", 1e-3, "kgce/t", "千克标准煤/吨")
_register("coal_rate", 1.0, "gce/kWh", "克/千瓦时", "克标准煤/千瓦时")
_register("coal_rate", 1e3, "kgce/kWh", "千克标准煤/千瓦时")
_register("emission_factor", 1.0, "t CO2/tce")
_register("grid_factor", 1.0, "t CO2/MWh", "kg CO2/kWh", "kgCO2/kWh", "tCO2/MWh")
_register("process_factor", 1.0, "t CO2/t")
_register("transport_co2_intensity", 1.0, "kg CO2/tkm")
_register("vehicle_energy", 1.0, "tce/vehicle/yr")
_register("vehicle_stock", 1e4, "1e4 vehicles", "万辆车")
_register("sink", 1.0, "t CO2/mu/yr")
_register("growth_rate", 1.0, "1/yr")
_register("growth_rate", 0.01, "%/yr", "%/年")
# baseline calibration (carbonsim.baseline)
_register("population", 1.0, "persons", "人")
_register("population", 1e4, "1e4 persons", "万人")
_register("freight_turnover", 1.0, "tkm", "吨公里")
_register("freight_turnover", 1e4, "1e4 tkm", "万吨公里")
_register("freight_turnover", 1e8, "1e8 tkm", "亿吨公里")
_register("sink_per_volume", 1.0, "t CO2/m3")
_register("specific_electricity", 1.0, "kWh/kg", "千瓦时/千克")
_register("specific_electricity", 1e-3, "kWh/t", "千瓦时/吨")

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def known_units() -> list[str]:
    """All unit strings carbonsim understands."""
    return sorted(_UNITS)


def dimension(unit: str) -> str:
    """The dimension of *unit* (``"power"``, ``"energy"``, ``"fraction"``, …)."""
    try:
        return _UNITS[unit.strip()][0]
    except KeyError:
        raise UnitError(f"unknown unit {unit!r}.{did_you_mean(unit, _UNITS)}") from None


def convert(value, from_unit: str, to_unit: str):
    """Convert *value* (scalar or array) from *from_unit* to *to_unit*.

    Raises
    ------
    UnitError
        When either unit is unknown or the two are of different dimensions.
    """
    from_unit, to_unit = from_unit.strip(), to_unit.strip()
    if from_unit == to_unit:
        return value
    d_from, d_to = dimension(from_unit), dimension(to_unit)
    if d_from != d_to:
        raise UnitError(
            f"cannot convert {from_unit!r} ({d_from}) to {to_unit!r} ({d_to}): "
            f"a quantity in {to_unit!r} must be given in a unit of {d_to}, "
            f"e.g. {', '.join(compatible_units(to_unit)[:6])}"
        )
    factor = _UNITS[from_unit][1] / _UNITS[to_unit][1]
    return value * factor


def compatible_units(unit: str) -> list[str]:
    """Units of the same dimension as *unit*."""
    dim = dimension(unit)
    return sorted(u for u, (d, _) in _UNITS.items() if d == dim)


def parse_quantity(text: str) -> tuple[float, str]:
    """Split ``"2300 万千瓦"`` into ``(2300.0, "万千瓦")``; a bare number gets unit ``""``."""
    match = _NUMBER.match(str(text))
    if not match:
        raise UnitError(f"cannot read a quantity from {text!r}: expected a number and a unit")
    return float(match.group(1)), match.group(2)


def to_unit(quantity, unit: str) -> float:
    """A number, or a string with a unit (``"23 GW"``), converted to *unit*.

    A bare number is taken to be in *unit* already.
    """
    if isinstance(quantity, str):
        value, written = parse_quantity(quantity)
        return float(convert(value, written, unit)) if written else value
    return float(quantity)
