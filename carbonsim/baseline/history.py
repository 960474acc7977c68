"""Observed statistics for 2020–2025 (``carbonsim/data/history/history.csv``) and their lever paths.

The history table is tidy: one published number per row with the columns ``region, indicator,
year, value, unit, basis, source_title, url, quote, note``.  ``basis`` says what the number is
(``real_growth``: growth at comparable prices; ``current_prices``; ``year_end``; ``jan_jun``
variants for half-year figures; ``plan_target*`` for targets kept as lever bounds …).  Rows for
``ningxia`` (宁夏回族自治区) are context: they are never applied to the city or its counties.

* :func:`load_history` – the validated table (every row has a source title, an address and the
  quoted sentence; units known to :mod:`carbonsim.units`; region ids valid);
* :func:`history_paths` – per lever, the observed values by region and year in the lever's unit
  (what :func:`carbonsim.simulate` applies up to the last observed year, see docs/scenarios.md).

A planner adds the latest bulletin by adding rows (docs/baseline.md, "Observed history").

Examples
--------
>>> h = load_history()
>>> float(h.query("region == 'wuzhong' and indicator == 'gdp' and year == 2020").value.iloc[0])
621.8
>>> sorted(history_paths(partial_years=True)["gdp_growth"])
['hongsibu', 'litong', 'qingtongxia', 'tongxin', 'wuzhong', 'yanchi']
>>> round(history_paths()["population_growth"]["wuzhong"][2022], 4)  # 138.4 → 139.2 → 139.91
0.0051
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from carbonsim.constants import DATA_DIR
from carbonsim.definitions.levers import lever_table
from carbonsim.errors import BaselineError, UnitError, did_you_mean
from carbonsim.regions import WUZHONG, RegionSet
from carbonsim.units import convert, dimension

__all__ = [
    "CONTEXT_REGIONS",
    "HISTORY_COLUMNS",
    "HISTORY_LEVERS",
    "HistoryLever",
    "default_history_path",
    "history_paths",
    "load_history",
]

#: the columns of a history file, in order
HISTORY_COLUMNS = (
    "region",
    "indicator",
    "year",
    "value",
    "unit",
    "basis",
    "source_title",
    "url",
    "quote",
    "note",
)
#: columns that must be non-empty in every row (``note`` may be empty)
REQUIRED = HISTORY_COLUMNS[:-1]
#: regions whose rows are context only (never applied to the city or its counties)
CONTEXT_REGIONS = ("ningxia",)
#: plausible years of an observed statistic or a plan target
YEAR_RANGE = (2000, 2060)


@dataclass(frozen=True)
class HistoryLever:
    """How one indicator of the history table maps onto a lever.

    Attributes
    ----------
    indicator : str
        The ``indicator`` of the rows.
    lever : str
        The lever the observed values set.
    bases : tuple of str
        Annual bases taken (e.g. ``real_growth``); other bases are never applied.
    partial_bases : tuple of str
        Part-year bases taken only with ``partial_years=True`` (e.g. the Jan–Jun growth rate as
        an estimate of the year's rate).
    as_growth : bool
        The rows are levels and the lever is their growth: the lever's value of a year is the
        ratio of that year's level to the previous year's (both observed, same basis) minus 1.
    """

    indicator: str
    lever: str
    bases: tuple[str, ...]
    partial_bases: tuple[str, ...] = ()
    as_growth: bool = False


#: the indicators that set levers (real GDP growth, year-end population as its growth, year-end
#: wind and solar capacity)
HISTORY_LEVERS = (
    HistoryLever("gdp_growth", "gdp_growth", ("real_growth",), ("real_growth_jan_jun",)),
    HistoryLever("population", "population_growth", ("year_end",), as_growth=True),
    HistoryLever("wind_capacity", "wind_capacity", ("year_end",)),
    HistoryLever("solar_capacity", "solar_capacity", ("year_end",)),
)


def default_history_path() -> Path:
    """The bundled table, ``carbonsim/data/history/history.csv``."""
    return DATA_DIR / "history" / "history.csv"


def load_history(
    path: str | os.PathLike | None = None, regions: RegionSet = WUZHONG
) -> pd.DataFrame:
    """The observed-history table, validated.

    Parameters
    ----------
    path : path, optional
        A history CSV (default: the bundled one).  Same columns as the bundled file.
    regions : RegionSet
        The city and counties the rows may name (besides :data:`CONTEXT_REGIONS`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_COLUMNS`; ``year`` int, ``value`` float, units as written (each
        known to :mod:`carbonsim.units`).

    Raises
    ------
    BaselineError
        Naming the file, the row (line number) and the column that is wrong.
    """
    path = Path(path) if path is not None else default_history_path()
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: history file not found; expected a CSV file") from None
    missing = [c for c in HISTORY_COLUMNS if c not in table.columns]
    if missing:
        raise BaselineError(
            f"{path}: missing column(s) {', '.join(missing)}; expected the columns "
            f"{', '.join(HISTORY_COLUMNS)}"
        )
    allowed = {regions.city, *regions.counties, *CONTEXT_REGIONS}
    for i, row in enumerate(table.itertuples(index=False), start=2):
        _check_row(row._asdict(), f"{path}, line {i}", allowed)
    out = table[list(HISTORY_COLUMNS)].copy()
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out


def _check_row(row: dict, where: str, allowed: set[str]) -> None:
    for column in REQUIRED:
        if not str(row[column]).strip():
            raise BaselineError(
                f"{where}: column {column!r} is empty; every history row needs a value, unit, "
                "basis, source title, url (or the file it was read from) and the quoted sentence"
            )
    if row["region"] not in allowed:
        raise BaselineError(
            f"{where}: unknown region {row['region']!r}; expected one of "
            f"{', '.join(sorted(allowed))}.{did_you_mean(row['region'], allowed)}"
        )
    try:
        year = int(row["year"])
        value = float(row["value"])
    except ValueError:
        raise BaselineError(
            f"{where}: year {row['year']!r} / value {row['value']!r} is not a number; expected "
            "an integer year and a decimal value"
        ) from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1] or not math.isfinite(value):
        raise BaselineError(
            f"{where}: year {year} or value {value} out of range; expected a year in "
            f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]} and a finite value"
        )
    try:
        dimension(row["unit"])
    except UnitError as exc:
        raise BaselineError(f"{where}: {exc}") from None


def history_paths(
    history: pd.DataFrame | str | os.PathLike | None = None,
    regions: RegionSet = WUZHONG,
    partial_years: bool = False,
) -> dict[str, dict[str, dict[int, float]]]:
    """Per lever, the observed values by region and year, in the lever's unit.

    Only the city and its counties are returned (context regions such as ``ningxia`` never set a
    lever), only the bases of :data:`HISTORY_LEVERS`, and only years after 2020 (the base year is
    the baseline calibration).

    Parameters
    ----------
    history : DataFrame or path, optional
        A table from :func:`load_history`, or a history file (default: the bundled one).
    regions : RegionSet
        The city and counties.
    partial_years : bool
        Also take part-year bases (e.g. the Jan–Jun 2023 real growth of the county table) as
        the year's value.  Off by default: a half-year rate is not the annual rate.

    Returns
    -------
    dict
        ``{lever: {region: {year: value}}}``; a lever without observed values is absent.
        ``gdp_growth`` and ``population_growth`` in 1/yr, capacities in GW.
    """
    table = _as_table(history, regions)
    specs = lever_table()
    out: dict[str, dict[str, dict[int, float]]] = {}
    local = table[table.region.isin([regions.city, *regions.counties])]
    for item in HISTORY_LEVERS:
        bases = item.bases + (item.partial_bases if partial_years else ())
        rows = local[(local.indicator == item.indicator) & local.basis.isin(bases)]
        # an annual value wins over a part-year one for the same region and year
        rows = rows.assign(partial=~rows.basis.isin(item.bases)).sort_values("partial")
        rows = rows.drop_duplicates(["region", "year"], keep="first")
        unit = specs[item.lever].unit
        for region, group in rows.groupby("region", sort=False):
            values = {int(r.year): float(r.value) for r in group.itertuples(index=False)}
            if item.as_growth:
                values = _growth_of_levels(values)
            else:
                units = dict(zip(group.year.astype(int), group.unit, strict=True))
                values = {y: _to_lever_unit(v, units[y], unit) for y, v in values.items()}
            values = {y: v for y, v in sorted(values.items()) if y > 2020}
            if values:
                out.setdefault(item.lever, {})[str(region)] = values
    return out


def _growth_of_levels(levels: dict[int, float]) -> dict[int, float]:
    """Year-on-year growth [1/yr] of the years whose previous year is also observed."""
    return {y: v / levels[y - 1] - 1.0 for y, v in levels.items() if levels.get(y - 1, 0) > 0}


def _as_table(history, regions: RegionSet) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        return history
    return load_history(history, regions)


def _to_lever_unit(value: float, unit: str, lever_unit: str) -> float:
    """A history value in its lever's unit; a growth rate written in % becomes 1/yr."""
    if lever_unit == "1/yr" and unit in ("%", "percent"):
        return float(value) / 100.0
    return float(convert(value, unit, lever_unit))
