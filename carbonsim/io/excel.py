"""An Excel workbook of a run (``results.xlsx``) for colleagues who work in Excel or WPS.

Three sheets, Chinese and English headers, column widths set, the header row frozen:

* ``targets`` (目标核查) – one row per scenario and target: status, the simulated value and the
  margin in the plan's units (万千瓦, %, 万吨标准煤 …; a share or a change in percentage points),
  the same in the model's units, the clause and the plan's text;
* ``trajectories`` (轨迹) – one row per scenario, region and year, the key variables as columns;
* ``peaks`` (达峰) – peak year and value of CO2, coal and road oil per region.

Examples
--------
>>> import carbonsim
>>> from carbonsim.io.excel import write_workbook
>>> result = carbonsim.check(carbonsim.simulate(carbonsim.load_scenario("plan")))  # doctest: +SKIP
>>> write_workbook(result, "results/results.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonsim.definitions.variables import variable_metadata
from carbonsim.io.atomic import atomic_path
from carbonsim.regions import regions_of
from carbonsim.units import UnitError, convert

__all__ = ["KEY_VARIABLES", "STATUS_ZH", "margin_as_written", "targets_table", "write_workbook"]

#: The variables of the ``trajectories`` sheet (those present in the trajectories).
KEY_VARIABLES: tuple[str, ...] = (
    "gdp",
    "energy_consumption",
    "energy_intensity_change",
    "coal_consumption",
    "non_fossil_share",
    "nonhydro_renewable_share",
    "electricity_consumption",
    "new_energy_capacity",
    "co2",
    "co2_intensity_change",
    "road_oil_consumption",
)
#: Status in Chinese and English, as the workbook writes it.
STATUS_ZH: dict[str, str] = {
    "met": "达标 met",
    "at_risk": "临界 at risk",
    "missed": "未达 missed",
    "set_by_scenario": "情景设定 set by scenario",
    "not_evaluated": "未评估 n/a",
}
_TIER_ZH = {"binding": "约束性", "stretch": "力争", "approx": "左右", "qualitative": "定性"}
_MAX_WIDTH = 60


def margin_as_written(
    value: float, unit: str, unit_as_written: str | None, basis: str
) -> tuple[float, str]:
    """A value or margin in the plan's units: ``(number, unit)``.

    Parameters
    ----------
    value : float
        In the target's unit *unit* (a margin is a difference, so only a factor applies).
    unit : str
        The target's unit in the catalogue (``"GW"``, ``"1"`` …).
    unit_as_written : str or None
        The unit the plan writes (``"万千瓦"``, ``"%"`` …).
    basis : str
        ``"absolute"`` or ``"relative_change"`` (a change vs the base year, shown in %).

    Returns
    -------
    tuple of (float, str)
        The number and its unit; a share or relative change in % (percentage points for a
        margin); the model's unit when the plan's unit does not convert.

    Examples
    --------
    >>> margin_as_written(0.5, "GW", "万千瓦", "absolute")
    (50.0, '万千瓦')
    >>> margin_as_written(-0.0645, "1", "%", "absolute")
    (-6.45, '%')
    """
    if value is None or not math.isfinite(value):
        return math.nan, unit_as_written or unit
    if basis == "relative_change" or (unit == "1" and unit_as_written in (None, "", "1", "%")):
        return round(value * 100, 10), "%"
    if unit_as_written:
        try:
            return round(float(convert(value, unit, unit_as_written)), 10), unit_as_written
        except UnitError:
            pass
    return float(value), unit


def _catalogue(result) -> dict:
    from carbonsim.catalogue import load_targets

    checked = getattr(result, "catalogue", None)
    return {t.id: t for t in (checked or load_targets())}


def targets_table(result) -> pd.DataFrame:
    """The ``targets`` sheet as a table (Chinese/English headers), one row per scenario × target.

    Parameters
    ----------
    result : CheckResult
        From :func:`carbonsim.check`.

    Returns
    -------
    pandas.DataFrame
        Columns as in the workbook; numbers stay numbers (``NaN`` where not evaluated).
    """
    df = result.to_dataframe()
    catalogue = _catalogue(result)
    names = regions_of(result.trajectories)
    rows = []
    for row in df.itertuples():
        t = catalogue.get(row.target)
        written_unit = t.unit_as_written if t is not None else None
        if row.kind == "order" and row.op != "nonincreasing":
            value, margin, shown_unit = row.value, row.margin, "年 year"
        else:
            value, shown_unit = margin_as_written(row.value, row.unit, written_unit, row.basis)
            margin, _ = margin_as_written(row.margin, row.unit, written_unit, row.basis)
        rows.append(
            {
                "情景 scenario": row.scenario,
                "状态 status": STATUS_ZH.get(row.status, row.status),
                "条款 clause": row.clause,
                "地区 region": f"{names.name_zh(row.region)} {row.region}",
                "指标 indicator": row.indicator,
                "年份 year": int(row.year),
                "目标 target (as written)": row.written,
                "模拟值 simulated": value,
                "余量 margin (≥0 met)": margin,
                "单位 unit (plan)": shown_unit,
                "层级 tier": f"{_TIER_ZH.get(row.tier, row.tier)} {row.tier}",
                "首次达标年 first year met": None
                if pd.isna(row.first_year_met)
                else int(row.first_year_met),
                "模拟值 (model unit)": row.value,
                "余量 (model unit)": row.margin,
                "模型单位 model unit": row.unit,
                "说明 reason": row.reason,
                "目标编号 target id": row.target,
                "原文 source text": row.source_text,
            }
        )
    return pd.DataFrame(rows)


def _trajectories_table(traj, variables: Sequence[str]) -> pd.DataFrame:
    meta = variable_metadata()
    names = regions_of(traj)
    present = [v for v in variables if v in traj and set(traj[v].dims) <= _BASIC_DIMS]
    frame = traj[present].reset_coords(drop=True).to_dataframe().reset_index()
    frame.insert(2, "name_zh", [names.name_zh(r) for r in frame["region"]])
    headers = {"scenario": "情景 scenario", "region": "地区 region", "name_zh": "名称 name"}
    headers["year"] = "年份 year"
    for v in present:
        info = meta.get(v, {})
        headers[v] = f"{info.get('long_name_zh', v)} {v} [{info.get('units', '')}]"
    return frame[["scenario", "region", "name_zh", "year", *present]].rename(columns=headers)


_BASIC_DIMS = {"scenario", "region", "year"}


def _peaks_table(result) -> pd.DataFrame:
    peaks = result.peaks.to_dataframe().reset_index()
    names = regions_of(result.trajectories)
    meta = variable_metadata()
    return pd.DataFrame(
        {
            "情景 scenario": peaks["scenario"],
            "地区 region": [f"{names.name_zh(r)} {r}" for r in peaks["region"]],
            "指标 quantity": [
                f"{meta.get(q, {}).get('long_name_zh', q)} {q}" for q in peaks["quantity"]
            ],
            "达峰年 peak year": peaks["peak_year"].astype(int),
            "峰值 peak value": peaks["peak_value"],
            "单位 unit": [meta.get(q, {}).get("units", "") for q in peaks["quantity"]],
            "2030年前达峰 peaked by 2030": np.where(peaks["peaked_by_2030"], "是 yes", "否 no"),
            "稳中有降 stable decline": np.where(peaks["stable_decline"], "是 yes", "否 no"),
        }
    )


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_sheet(book, title: str, frame: pd.DataFrame, number_format: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in values])
    header_fill = PatternFill("solid", fgColor="ECEFF1")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        sample = frame[column].head(500)
        longest = max([_width(column) // 2 + 1, *(_width(_cell(v)) for v in sample)], default=8)
        sheet.column_dimensions[letter].width = min(max(longest + 2, 8), _MAX_WIDTH)
        if pd.api.types.is_float_dtype(frame[column]):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _cell(value: Any) -> Any:
    """A value openpyxl writes: NaN as an empty cell, numpy scalars as Python numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_workbook(result, path: str | Path, variables: Sequence[str] = KEY_VARIABLES) -> Path:
    """Write the run's workbook (sheets ``targets``, ``trajectories``, ``peaks``) atomically.

    Parameters
    ----------
    result : CheckResult
        From :func:`carbonsim.check` (its trajectories fill the ``trajectories`` sheet).
    path : str or Path
        The ``.xlsx`` file to write (its folder is created).
    variables : sequence of str
        Trajectory variables for the ``trajectories`` sheet (default :data:`KEY_VARIABLES`;
        variables with other dimensions than scenario, region and year are skipped).

    Returns
    -------
    Path
        The file written.
    """
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _write_sheet(book, "targets", targets_table(result), "0.00")
    _write_sheet(book, "trajectories", _trajectories_table(result.trajectories, variables), "0.000")
    _write_sheet(book, "peaks", _peaks_table(result), "0.0")
    path = Path(path)
    with atomic_path(path) as temporary:
        book.save(temporary)
    return path
