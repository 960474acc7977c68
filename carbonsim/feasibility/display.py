"""Numbers in the plan's own units (text tables aligned by display width: :mod:`carbonsim.tables`).

Everything a planner reads — the run table, ``summary.md``, the HTML table, margins, CSV columns —
shows model values in the units the plan prints: 万千瓦 (not GW), 亿千瓦时, 万吨标准煤, 万吨CO₂,
%, 年.  Margins carry their unit: 百分点 (percentage points) for shares and relative changes, 年
for peak years.  Precision follows the size of the number (never ``1.084e+04``).

Examples
--------
>>> format_quantity(23.0, "GW")
'2,300万千瓦'
>>> format_quantity(0.4831, "1")
'48.3%'
>>> format_quantity(1465.2, "1e4 t CO2")
'1,465万吨CO₂'
>>> format_margin(0.0183, "1")
'+1.83百分点'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from carbonsim.units import UnitError, convert

__all__ = [
    "PLAN_UNITS",
    "format_margin",
    "format_number",
    "format_quantity",
    "plan_columns",
    "plan_unit",
    "to_plan",
]

#: model unit -> the unit the plan prints it in (the label shown; CO₂ with a subscript)
PLAN_UNITS: dict[str, str] = {
    "GW": "万千瓦",
    "TWh": "亿千瓦时",
    "GWh": "万千瓦时",
    "1e4 tce": "万吨标准煤",
    "1e4 t CO2": "万吨CO₂",
    "1": "%",
    "tce/1e4 CNY": "吨标准煤/万元",
    "t CO2/1e4 CNY": "吨CO₂/万元",
    "gce/kWh": "克/千瓦时",
    "1e4 t/yr": "万吨/年",
    "1e4 t": "万吨",
    "tce/t": "吨标准煤/吨",
    "kg CO2/tkm": "千克CO₂/吨公里",
    "h": "小时",
    "count": "个",
    "1e4 m3": "万立方米",
    "1e4 mu": "万亩",
    "1e8 m3/yr": "亿立方米/年",
    "1e8 m3": "亿立方米",
    "1e8 CNY": "亿元",
    "vehicles/charger": "车/桩",
    "year": "年",
}
#: the unit of a margin on a share or relative change
POINTS = "百分点"


def _ascii(unit: str) -> str:
    return unit.replace("₂", "2")


def plan_unit(unit: str, unit_as_written: str | None = None) -> str:
    """The plan's unit for a model *unit* (the catalogue's ``unit_as_written`` first, when it
    converts); the model unit itself when there is none."""
    if unit == "1":
        return "%"
    if unit_as_written and unit_as_written not in ("1", "%"):
        try:
            convert(1.0, unit, unit_as_written)
            return unit_as_written.replace("CO2", "CO₂")
        except UnitError:
            pass
    return PLAN_UNITS.get(unit, unit)


def to_plan(value, unit: str, unit_as_written: str | None = None):
    """*value* (model *unit*) in :func:`plan_unit` (shares in %)."""
    shown = plan_unit(unit, unit_as_written)
    if unit == "1":
        return np.asarray(value, dtype=float) * 100.0
    try:
        return convert(np.asarray(value, dtype=float), unit, _ascii(shown))
    except UnitError:
        return np.asarray(value, dtype=float)


def format_number(x: float, signed: bool = False) -> str:
    """Sensible precision: thousands separated, no exponent; 1 decimal from 10, 2 below 10,
    3 significant digits below 1."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    x = float(x)
    sign = "+" if signed else ""
    size = abs(x)
    if abs(x - round(x)) <= 1e-9 * max(1.0, size):
        return f"{round(x):{sign},d}"
    if size >= 100:
        text = f"{x:{sign},.0f}"
    elif size >= 10:
        text = f"{x:{sign}.1f}"
    elif size >= 1:
        text = f"{x:{sign}.2f}"
    else:
        text = f"{x:{sign}.3g}"
    return text


def format_quantity(
    value: float, unit: str, unit_as_written: str | None = None, basis: str = "absolute"
) -> str:
    """*value* as the plan writes it: ``2,300万千瓦``, ``48.3%``, ``-21.7%`` (a change)."""
    if value is None or not np.isfinite(value):
        return "—"
    if basis == "relative_change":
        return f"{value * 100:+.1f}%"
    if unit == "1":
        return f"{value * 100:.1f}%"
    return format_number(float(to_plan(value, unit, unit_as_written))) + plan_unit(
        unit, unit_as_written
    )


def margin_unit(
    unit: str, basis: str = "absolute", op: str = ">=", unit_as_written: str | None = None
) -> str:
    """The unit :func:`format_margin` shows a margin in: 百分点 for shares, relative changes and
    the relative margins of ``peak_by``/``nonincreasing``; 年 for peak order; else the plan's."""
    if op in ("peak_before", "peak_with", "peak_in"):
        return "年"
    if op in ("peak_by", "nonincreasing") or basis == "relative_change" or unit == "1":
        return POINTS
    return plan_unit(unit, unit_as_written)


def margin_to_plan(
    margin, unit: str, basis: str = "absolute", op: str = ">=", unit_as_written=None
):
    """A margin (model units; a fraction for shares, changes and peak_by) in :func:`margin_unit`."""
    shown = margin_unit(unit, basis, op, unit_as_written)
    margin = np.asarray(margin, dtype=float)
    if shown == POINTS:
        return margin * 100.0
    if shown == "年":
        return margin
    try:
        return convert(margin, unit, _ascii(shown))
    except UnitError:
        return margin


def format_margin(
    margin: float, unit: str, basis: str = "absolute", op: str = ">=", unit_as_written=None
) -> str:
    """A signed margin with its unit: ``+1.83百分点``, ``-2年``, ``+500万千瓦``."""
    if margin is None or not np.isfinite(margin):
        return "—"
    shown = margin_unit(unit, basis, op, unit_as_written)
    value = float(margin_to_plan(margin, unit, basis, op, unit_as_written))
    if shown == "年":
        return f"{value:+.0f}年"
    return format_number(value, signed=True) + shown


def _plan_factors(op: str, unit: str, basis: str, target_value: float, written: str | None):
    """(plan unit, target in it, value factor, margin factor, margin unit) of one record."""
    peak = op in ("peak_by", "peak_before", "peak_with", "peak_in")
    share = basis == "relative_change" or unit == "1"
    if peak:
        shown, value_factor = "年", 1.0
    elif share:
        shown, value_factor = "%", 100.0
    else:
        shown, value_factor = plan_unit(unit, written), float(to_plan(1.0, unit, written))
    target = np.nan if peak or op == "nonincreasing" else target_value * value_factor
    margin_factor = float(margin_to_plan(1.0, unit, basis, op, written))
    return shown, target, value_factor, margin_factor, margin_unit(unit, basis, op, written)


def plan_columns(frame: pd.DataFrame, catalogue=None) -> pd.DataFrame:
    """Add ``plan_unit``, ``target_plan``, ``value_plan``, ``margin_plan`` and ``margin_unit``
    to a feasibility frame (columns target, unit, basis, op, target_value, value, margin)."""
    written = {t.id: t.unit_as_written for t in catalogue} if catalogue is not None else {}
    keys = ["target", "op", "unit", "basis", "target_value"]
    per_target = frame[keys].drop_duplicates("target")
    table = {
        r.target: _plan_factors(r.op, r.unit, r.basis, r.target_value, written.get(r.target))
        for r in per_target.itertuples()
    }
    parts = list(zip(*(table[t] for t in frame["target"]), strict=True)) or [[]] * 5
    frame = frame.copy()
    frame["plan_unit"] = list(parts[0])
    frame["target_plan"] = np.asarray(parts[1], dtype=float)
    frame["value_plan"] = frame["value"].to_numpy(float) * np.asarray(parts[2], dtype=float)
    frame["margin_plan"] = frame["margin"].to_numpy(float) * np.asarray(parts[3], dtype=float)
    frame["margin_unit"] = list(parts[4])
    return frame
