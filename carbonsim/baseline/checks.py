"""Validation of a baseline CSV, with messages that name the file, row and column.

* :func:`read_csv` – read a file as strings and check its header;
* :func:`check_rows` – each row on its own (variable, region, dimensions, value and unit,
  provenance) and duplicates; values converted to the model unit;
* :func:`check_table` – the rows together (completeness, shares summing to 1, county sums
  against city totals, product and vehicle energy identities).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from carbonsim import constants as C
from carbonsim.baseline.schema import (
    ADDITIVE,
    COLUMNS,
    DIM_COLUMNS,
    KEY,
    PARAMETER,
    PROVENANCES,
    REFERENCE,
    SPECS,
    TOLERANCE,
    WEIGHTED,
    VariableSpec,
)
from carbonsim.errors import BaselineError, UnitError, choices_text, did_you_mean
from carbonsim.regions import WUZHONG, RegionSet
from carbonsim.textfile import text_stream
from carbonsim.units import convert

__all__ = ["check_rows", "check_table", "read_csv"]


# ---------------------------------------------------------------------------------------------
# reading and row validation
# ---------------------------------------------------------------------------------------------
def _where(file, row, column) -> str:
    return f"{file}, row {row}, column {column!r}"


def read_csv(path) -> pd.DataFrame:
    """Read a baseline CSV as strings, with ``_file`` and ``_row`` (spreadsheet row) columns.

    Parameters
    ----------
    path : str or Path
        A CSV file with exactly the columns :data:`~carbonsim.baseline.schema.COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The columns in schema order, stripped strings, plus ``_file`` and ``_row``.

    Raises
    ------
    BaselineError
        If the file is missing, unreadable or has a missing or unknown column.
    """
    path = Path(path)
    try:
        text = text_stream(path, "baseline file", BaselineError)
        table = pd.read_csv(text, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BaselineError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
    _check_header(path, list(table.columns))
    table = table[list(COLUMNS)].apply(lambda col: col.str.strip())
    table["_file"] = str(path)
    table["_row"] = np.arange(len(table)) + 2  # the header is row 1
    return table


def _check_header(path, columns: list[str]) -> None:
    for name in COLUMNS:
        if name not in columns:
            raise BaselineError(
                f"{_where(path, 1, name)}: missing column. A baseline file has exactly the columns "
                f"{', '.join(COLUMNS)}.{did_you_mean(name, columns)}"
            )
    for name in columns:
        if name not in COLUMNS:
            raise BaselineError(
                f"{_where(path, 1, name)}: unknown column; expected exactly {', '.join(COLUMNS)}."
                f"{did_you_mean(name, COLUMNS)}"
            )


def check_rows(table: pd.DataFrame, regions: RegionSet = WUZHONG) -> pd.DataFrame:
    """Validate each row; return the table with ``value`` as float in the model unit.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`read_csv`.
    regions : RegionSet
        The city and counties a row may name (default 吴忠市).

    Returns
    -------
    pandas.DataFrame
        A copy with ``value`` converted to the model unit of its variable and ``unit`` set to it.

    Raises
    ------
    BaselineError
        At the first bad row or duplicate key, naming its file, row and column.
    """
    values = [_check_row(r, regions) for r in table.to_dict("records")]
    table = table.copy()
    table["value"] = values
    table["unit"] = [SPECS[v].units for v in table["variable"]]
    _check_duplicates(table)
    return table


def _check_row(r: dict, regions: RegionSet) -> float:
    spec = _spec_of(r)
    _check_region(r, spec, regions)
    for column in DIM_COLUMNS:
        _check_dim(r, spec, column)
    value = _value_in_model_unit(r, spec)
    _check_provenance(r)
    return value


def _spec_of(r: dict) -> VariableSpec:
    name = r["variable"]
    if name not in SPECS:
        raise BaselineError(
            f"{_where(r['_file'], r['_row'], 'variable')}: unknown variable {name!r}."
            f"{did_you_mean(name, SPECS)} Known variables: {choices_text(SPECS, 60)}"
        )
    return SPECS[name]


def _check_region(r: dict, spec: VariableSpec, regions: RegionSet) -> None:
    region, where = r["region"], _where(r["_file"], r["_row"], "region")
    if spec.kind == PARAMETER:
        if region:
            raise BaselineError(
                f"{where}: {spec.name} is a city-wide parameter; leave region empty "
                f"(got {region!r})"
            )
        return
    allowed = (regions.city,) if spec.kind == REFERENCE else regions.all
    if spec.kind == WEIGHTED:
        allowed = regions.counties
    if region not in allowed:
        hint = did_you_mean(region, allowed) if region else " The region is empty."
        raise BaselineError(
            f"{where}: unknown region {region!r} for {spec.name}.{hint} "
            f"Valid: {choices_text(allowed)}"
            + (
                " (the city is computed as the sum of its counties)"
                if spec.kind == WEIGHTED
                else ""
            )
            + _other_city_hint(region, regions)
        )


def _other_city_hint(region: str, regions: RegionSet) -> str:
    """For Wuzhong's default regions and an id that is none of them: how to declare a city."""
    if regions != WUZHONG or not region or did_you_mean(region, regions.all):
        return ""
    return (
        ". For another city, declare its regions: load_baseline(path, regions='regions.csv') "
        "or --regions (docs/baseline.md, 'Another city')"
    )


def _check_dim(r: dict, spec: VariableSpec, column: str) -> None:
    value, where = r[column], _where(r["_file"], r["_row"], column)
    dim = spec.dim_for_column(column)
    if dim is None:
        if value:
            raise BaselineError(
                f"{where}: {spec.name} has no {column}; leave it empty (got {value!r})"
            )
        return
    allowed = spec.coords[dim]
    if value not in allowed:
        raise BaselineError(
            f"{where}: unknown {column} {value!r} for {spec.name}."
            f"{did_you_mean(value, allowed)} Valid: {choices_text(allowed)}"
        )


def _value_in_model_unit(r: dict, spec: VariableSpec) -> float:
    file, row = r["_file"], r["_row"]
    try:
        value = float(r["value"])
    except ValueError:
        raise BaselineError(f"{_where(file, row, 'value')}: not a number: {r['value']!r}") from None
    if not np.isfinite(value):
        raise BaselineError(f"{_where(file, row, 'value')}: not a finite number: {r['value']!r}")
    try:
        value = float(convert(value, r["unit"], spec.units))
    except UnitError as exc:
        raise BaselineError(
            f"{_where(file, row, 'unit')}: {spec.name} is in {spec.units!r}; {exc}"
        ) from None
    if value < 0:
        raise BaselineError(
            f"{_where(file, row, 'value')}: {spec.name} cannot be negative (got {value:g})"
        )
    if spec.share and value > 1 + 1e-9:
        raise BaselineError(
            f"{_where(file, row, 'value')}: {spec.name} is a share and must lie in [0, 1] "
            f"(got {value:g} {spec.units}); write 45 % as 0.45 with unit '1', or with unit '%'"
        )
    return value


def _check_provenance(r: dict) -> None:
    if r["provenance"] not in PROVENANCES:
        raise BaselineError(
            f"{_where(r['_file'], r['_row'], 'provenance')}: provenance must be 'source' (a "
            f"published statistic, cited) or 'estimate' (with the method), got "
            f"{r['provenance']!r}.{did_you_mean(r['provenance'], PROVENANCES)}"
        )
    if not r["source"]:
        raise BaselineError(
            f"{_where(r['_file'], r['_row'], 'source')}: empty source: give the citation (title, "
            "year, URL) or, for an estimate, the method in one sentence"
        )


def _check_duplicates(table: pd.DataFrame) -> None:
    dup = table.duplicated(list(KEY), keep=False)
    if dup.any():
        rows = table[dup]
        first = rows.iloc[0]
        same = rows[(rows[list(KEY)] == first[list(KEY)]).all(axis=1)]
        raise BaselineError(
            f"{_where(first['_file'], same['_row'].iloc[1], 'variable')}: duplicate row: the same "
            f"{_describe(first)} is already given in row {same['_row'].iloc[0]}"
        )


def _describe(r) -> str:
    dims = ", ".join(f"{k}={r[k]}" for k in KEY[1:] if r[k])
    return f"{r['variable']}[{dims}]" if dims else str(r["variable"])


# ---------------------------------------------------------------------------------------------
# table-level checks
# ---------------------------------------------------------------------------------------------
def check_table(table: pd.DataFrame, regions: RegionSet = WUZHONG) -> None:
    """Check the rows together: completeness, mixes, county sums and energy identities.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows from :func:`check_rows` (the bundled file with any override applied).
    regions : RegionSet
        The city and counties of the table (default 吴忠市).

    Raises
    ------
    BaselineError
        At the first inconsistency, naming the file and row to change.
    """
    table = table.copy()
    table["_city"] = table["region"] == regions.city
    _check_complete(table, regions)
    _check_mixes(table)
    _check_value_added(table)
    _check_city_totals(table)
    _check_product_energy(table)
    _check_passenger_vehicles(table)


def _rows_of(table: pd.DataFrame, variable: str, counties_only: bool = False) -> pd.DataFrame:
    rows = table[table["variable"] == variable]
    return rows[~rows["_city"]] if counties_only else rows


def _check_complete(table: pd.DataFrame, regions: RegionSet) -> None:
    files = ", ".join(dict.fromkeys(table["_file"]))
    for spec in SPECS.values():
        if not spec.complete:
            continue
        have = {tuple(r) for r in _rows_of(table, spec.name)[list(KEY)].to_numpy()}
        for key in spec.required_keys(regions):
            if key not in have:
                missing = ", ".join(f"{k}={v}" for k, v in zip(KEY[1:], key[1:], strict=True) if v)
                raise BaselineError(
                    f"{files}: no row for {spec.name}[{missing}] (column 'value'): "
                    f"{spec.name} needs a value for every {', '.join(spec.required_columns())}"
                )


def _check_mixes(table: pd.DataFrame) -> None:
    for spec in SPECS.values():
        if spec.mix_over is None:
            continue
        rows = _rows_of(table, spec.name)
        group = [c for c in DIM_COLUMNS if c != spec.mix_over and spec.dim_for_column(c)]
        groups = rows.groupby(group) if group else [((), rows)]
        for _, g in groups:
            total = g["value"].sum()
            if abs(total - 1) > 1e-3:
                last = g.iloc[-1]
                raise BaselineError(
                    f"{_where(last['_file'], last['_row'], 'value')}: the {spec.name} shares of "
                    f"{spec.name}[{', '.join(f'{c}={last[c]}' for c in group)}] "
                    f"sum to {total:.4f}, not 1 (rows {', '.join(map(str, g['_row']))})"
                )


def _check_value_added(table: pd.DataFrame) -> None:
    va = _rows_of(table, "value_added", True).groupby("region")["value"].sum()
    for r in _rows_of(table, "gdp", True).to_dict("records"):
        total = va.get(r["region"], 0.0)
        if abs(total - r["value"]) > TOLERANCE * r["value"]:
            raise BaselineError(
                f"{_where(r['_file'], r['_row'], 'value')}: gdp of {r['region']} is "
                f"{r['value']:.2f} but its value_added sums to {total:.2f}; they must agree "
                "within 1 %"
            )


def _check_city_totals(table: pd.DataFrame) -> None:
    """City rows of additive variables and gdp_reference must equal the sum of the counties."""
    controls = [
        r for r in table.to_dict("records") if r["_city"] and SPECS[r["variable"]].kind == ADDITIVE
    ]
    controls += [
        {**r, "variable": "gdp"} for r in _rows_of(table, "gdp_reference").to_dict("records")
    ]
    for r in controls:
        county = _rows_of(table, r["variable"], True)
        for column in DIM_COLUMNS:
            county = county[county[column] == r[column]]
        total = county["value"].sum()
        if abs(total - r["value"]) > TOLERANCE * max(r["value"], 1e-9):
            raise BaselineError(
                f"{_where(r['_file'], r['_row'], 'value')}: the counties no longer sum to the city "
                f"total of {_describe(r)}: counties {total:.4g} vs city {r['value']:.4g} "
                f"{SPECS[r['variable']].units} (county rows {_row_list(county)}); change the city "
                "total as well, or another county"
            )


def _row_list(rows: pd.DataFrame) -> str:
    return ", ".join(
        f"{Path(f).name}:{n}" for f, n in zip(rows["_file"], rows["_row"], strict=True)
    )


def _product_expectation(table: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    unit = _rows_of(table, "product_unit_energy").set_index("product")["value"]
    mix = _rows_of(table, "product_fuel_mix")
    expected: dict[tuple[str, str, str], float] = {}
    for r in _rows_of(table, "product_output", True).to_dict("records"):
        p = r["product"]
        for m in mix[mix["product"] == p].to_dict("records"):
            key = (r["region"], C.PRODUCT_SECTOR[p], m["fuel"])
            expected[key] = expected.get(key, 0.0) + r["value"] * unit.get(p, 0.0) * m["value"]
    return expected


def _check_product_energy(table: pd.DataFrame) -> None:
    """The six product sectors' final energy = output × unit energy × fuel mix."""
    expected = _product_expectation(table)
    fe = _rows_of(table, "final_energy", True)
    fe = fe[fe["sector"].isin(C.PRODUCT_SECTOR.values())]
    given = {(r["region"], r["sector"], r["fuel"]): r for r in fe.to_dict("records")}
    for key in sorted(set(expected) | set(given)):
        want = expected.get(key, 0.0)
        r = given.get(key)
        have = 0.0 if r is None else r["value"]
        if abs(have - want) > 1e-4 + 1e-4 * want:
            where = _where(r["_file"], r["_row"], "value") if r else _product_row(table, key)
            raise BaselineError(
                f"{where}: final_energy[region={key[0]}, sector={key[1]}, fuel={key[2]}] is "
                f"{have:.4f} but product_output × product_unit_energy × product_fuel_mix gives "
                f"{want:.4f} 1e4 tce; override the final_energy row together with the product rows"
            )


def _product_row(table: pd.DataFrame, key) -> str:
    products = [p for p, s in C.PRODUCT_SECTOR.items() if s == key[1]]
    rows = _rows_of(table, "product_output", True)
    rows = rows[(rows["region"] == key[0]) & rows["product"].isin(products)]
    r = rows.iloc[-1]
    return _where(r["_file"], r["_row"], "value") + " (no matching final_energy row)"


def _check_passenger_vehicles(table: pd.DataFrame) -> None:
    """Passenger-transport oil and electricity include vehicle_stock × vehicle_energy."""
    energy = _rows_of(table, "vehicle_energy").set_index("fuel")["value"]
    stock = _rows_of(table, "vehicle_stock", True).set_index("region")["value"]
    nev = _rows_of(table, "nev_stock_share").set_index("region")["value"]
    fe = _rows_of(table, "final_energy", True)
    fe = fe[fe["sector"] == "passenger_transport"].set_index(["region", "fuel"])
    for region in stock.index:
        share = {"oil": 1 - nev.get(region, 0.0), "electricity": nev.get(region, 0.0)}
        for fuel, s in share.items():
            need = stock[region] * s * energy.get(fuel, 0.0)
            have = fe["value"].get((region, fuel), 0.0)
            if have < need * (1 - 1e-4) - 1e-6:
                r = _rows_of(table, "vehicle_stock", True)
                r = r[r["region"] == region].iloc[0]
                raise BaselineError(
                    f"{_where(r['_file'], r['_row'], 'value')}: passenger_transport {fuel} of "
                    f"{region} is {have:.3f} 1e4 tce, less than vehicle_stock × vehicle_energy "
                    f"= {need:.3f}; raise final_energy or lower the vehicle stock"
                )
