"""Labels of the feasibility tables: action groups, values as the plan writes them, county names."""

from __future__ import annotations

import numpy as np

from carbonsim.regions import WUZHONG, RegionSet
from carbonsim.units import UnitError, convert

__all__ = ["GROUP_TITLES", "county_name", "written_value"]

GROUP_TITLES = {
    "二": ("主要目标", "Main targets"),
    "三(一)": ("能源绿色低碳转型行动", "Energy transition"),
    "三(二)": ("节能降碳增效行动", "Energy saving and efficiency"),
    "三(三)": ("工业领域碳达峰行动", "Industry"),
    "三(四)": ("城乡建设低碳发展行动", "Buildings and urban-rural development"),
    "三(五)": ("交通运输低碳转型行动", "Transport"),
    "三(六)": ("循环经济助力降碳行动", "Circular economy"),
    "三(七)": ("生态碳汇建设行动", "Carbon sinks"),
    "三(八)": ("绿色低碳科技创新行动", "Innovation"),
    "三(九)": ("绿色低碳全民行动", "Green living"),
    "三(十)": ("各地梯次有序达峰行动", "Peaking county by county"),
    "充电意见": ("充电基础设施实施意见", "EV-charging opinion"),
}


def written_value(value: float, unit: str, unit_as_written: str | None, basis: str) -> str:
    """A simulated value shown the way the plan writes the target (2300万千瓦, 18%, −13%)."""
    if value is None or not np.isfinite(value):
        return "—"
    if basis == "relative_change":
        return f"{value * 100:+.1f}%"
    if unit == "1" and unit_as_written in (None, "", "1", "%"):
        return f"{value * 100:.4g}%"
    if unit_as_written:
        try:
            shown = float(convert(value, unit, unit_as_written))
            return f"{shown:,.4g}{unit_as_written}"
        except UnitError:
            pass
    return f"{value:,.4g} {unit}"


def county_name(region: str, regions: RegionSet = WUZHONG) -> str:
    """``利通区 litong`` (the city's Chinese name for anything but a county of *regions*)."""
    if region in regions.counties:
        return f"{regions.name_zh(region)} {region}"
    return regions.name_zh(regions.city)
