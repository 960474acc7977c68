"""An IAMC table (or a pyam ``IamDataFrame``) back to an ``xarray.Dataset`` (:func:`from_iamc`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.constants import ALL_REGIONS, CITY, REGION_NAMES_EN, REGION_NAMES_ZH
from carbonsim.io.iamc_mapping import (
    IAMC_COLUMNS,
    IamcError,
    IamcVariable,
    _require,
    iamc_variables,
    region_id,
)

__all__ = ["from_iamc"]


# ---------------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------------
def _read_table(data) -> pd.DataFrame:
    if hasattr(data, "data") and hasattr(data, "timeseries"):  # a pyam.IamDataFrame
        df = data.data
    elif isinstance(data, pd.DataFrame):
        df = data.copy()
    elif isinstance(data, str | os.PathLike):
        df = _read_file(Path(data))
    else:
        raise IamcError(
            f"from_iamc() takes a DataFrame, a pyam.IamDataFrame or a .csv/.xlsx path; got "
            f"{type(data).__name__}"
        )
    return _long_format(df)


def _read_file(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if suffix == ".xlsx":
        _require("openpyxl", "to read .xlsx")
        return pd.read_excel(path, sheet_name="data", engine="openpyxl")
    raise IamcError(f"cannot read {path.name!r}: expected a .csv or .xlsx file")


def _long_format(df: pd.DataFrame) -> pd.DataFrame:
    """Lower-case columns; wide tables (one column per year) melted to ``year, value``."""
    df = df.rename(columns={c: str(c).strip().lower() for c in df.columns})
    if "value" not in df.columns:
        years = [c for c in df.columns if str(c).isdigit()]
        ids = [c for c in df.columns if c not in years]
        df = df.melt(id_vars=ids, value_vars=years, var_name="year", value_name="value")
    missing = [c for c in IAMC_COLUMNS if c not in df.columns]
    if missing:
        raise IamcError(
            f"IAMC table lacks column(s) {', '.join(missing)}; it has {', '.join(df.columns)}"
        )
    df = df[list(IAMC_COLUMNS)].dropna(subset=["value"])
    return df.astype({"year": int, "value": float})


def _one_model(df: pd.DataFrame, model: str | None) -> tuple[pd.DataFrame, str]:
    models = list(dict.fromkeys(df["model"].astype(str)))
    if model is None:
        if len(models) > 1:
            raise IamcError(f"the table holds several models ({', '.join(models)}): pass model=")
        return df, models[0] if models else ""
    if model not in models:
        raise IamcError(f"model {model!r} not in the table ({', '.join(models)})")
    return df[df["model"] == model], model


def _city_of(names: Iterable[str]) -> str | None:
    """The id of the one top-level IAMC region (``"Wuzhong"``, not ``"Wuzhong|Litong"``)."""
    top = {region_id(str(n)) for n in names if "|" not in str(n)}
    return top.pop() if len(top) == 1 else None


def _region_coords(names: Iterable[str]) -> dict:
    names = list(dict.fromkeys(str(n) for n in names))
    ids = list(dict.fromkeys(region_id(n) for n in names))
    city = _city_of(names)
    first = [r for r in ALL_REGIONS if r in ids] if city in (None, CITY) else [city]
    ordered = first + [r for r in ids if r not in first]
    return {
        "region": ordered,
        "name_zh": ("region", [REGION_NAMES_ZH.get(r, r) for r in ordered]),
        "name_en": ("region", [REGION_NAMES_EN.get(r, r) for r in ordered]),
    }


def _cube(df: pd.DataFrame, coords: dict) -> xr.DataArray:
    """(iamc_variable, scenario, region, year) array of a long table."""
    keyed = df.assign(region=df["region"].map(region_id))
    duplicated = keyed.duplicated(["variable", "scenario", "region", "year"])
    if duplicated.any():
        rows = keyed[duplicated].head(5).to_string(index=False)
        raise IamcError(f"the IAMC table has duplicate rows, e.g.:\n{rows}")
    series = keyed.set_index(["variable", "scenario", "region", "year"])["value"]
    series.index = series.index.set_names("iamc_variable", level="variable")
    da = xr.DataArray.from_series(series)
    return da.reindex(scenario=coords["scenario"], region=coords["region"], year=coords["year"])


def _units_of(df: pd.DataFrame) -> dict[str, str]:
    units = df.groupby("variable")["unit"].unique()
    several = units[units.map(len) > 1]
    if len(several):
        raise IamcError(
            f"variable {several.index[0]!r} comes in several units ({', '.join(several.iloc[0])})"
        )
    return {k: str(v[0]) for k, v in units.items()}


def from_iamc(data, variables: str = "carbonsim", model: str | None = None) -> xr.Dataset:
    """Read an IAMC table back into an ``xarray.Dataset`` with dims (scenario, region, year).

    Parameters
    ----------
    data : pandas.DataFrame, pyam.IamDataFrame, or path of a .csv/.xlsx file
        Long (``year``, ``value`` columns) or wide (one column per year) IAMC format.
    variables : {"carbonsim", "iamc"}
        ``"carbonsim"``: the carbonsim variables that the mapping table can rebuild (one-to-one
        slices such as ``capacity`` by ``tech``, and scalars such as ``co2`` and their
        equivalents such as ``coal_consumption``), in model units with carbonsim's attrs.
        ``"iamc"``: every IAMC variable of the table as it is (named by its IAMC name, units as
        written).
    model : str, optional
        Which model's rows, when the table holds several.

    Returns
    -------
    xarray.Dataset
        ``region`` holds ids (``wuzhong``, ``litong`` …) with ``name_zh``/``name_en``.
    """
    if variables not in ("carbonsim", "iamc"):
        raise IamcError(f"variables must be 'carbonsim' or 'iamc'; got {variables!r}")
    df, model_name = _one_model(_read_table(data), model)
    coords = {
        "scenario": list(dict.fromkeys(df["scenario"].astype(str))),
        "year": sorted(df["year"].unique().tolist()),
        **_region_coords(df["region"]),
    }
    df = df.assign(scenario=df["scenario"].astype(str))
    cube = _cube(df, coords)
    units = _units_of(df)
    if variables == "iamc":
        out = _iamc_dataset(cube, units)
    else:
        out = _carbonsim_dataset(cube, units)
    out = out.assign_coords({k: v for k, v in coords.items() if k in ("name_zh", "name_en")})
    out.attrs.update({"model": model_name, "source": "IAMC table (carbonsim.io.iamc.from_iamc)"})
    city = _city_of(df["region"])
    if city is not None and city != CITY:
        out.attrs["city"] = city
    return out


def _iamc_dataset(cube: xr.DataArray, units: dict[str, str]) -> xr.Dataset:
    table = iamc_variables()
    data = {}
    for name in cube["iamc_variable"].values:
        known = table.get(str(name))
        attrs = {"units": units[str(name)], "long_name": str(name)}
        if known is not None and known.description:
            attrs["description"] = known.description
        data[str(name)] = cube.sel(iamc_variable=name, drop=True).assign_attrs(attrs)
    return xr.Dataset(data)


def _to_model_units(v: IamcVariable, unit: str) -> float:
    if unit == v.iamc_unit:
        return 1.0 / v.factor
    if unit == v.model_unit:
        return 1.0
    raise IamcError(
        f"{v.name!r} is in {unit!r}; carbonsim reads it in {v.iamc_unit!r} (IAMC) or "
        f"{v.model_unit!r} (model units)"
    )


def _carbonsim_dataset(cube: xr.DataArray, units: dict[str, str]) -> xr.Dataset:
    from carbonsim.definitions.variables import variable_metadata

    meta = variable_metadata()
    slices: dict[str, list[tuple[dict[str, str], xr.DataArray]]] = {}
    present = set(map(str, cube["iamc_variable"].values))
    for v in iamc_variables().values():
        if v.name not in present or v.slice_of is None:
            continue
        variable, selection = v.slice_of
        extra = [d for d in meta.get(variable, {}).get("dims", "").split(",") if d]
        if sorted(extra) != sorted(selection) or len(extra) > 1:
            continue  # not a whole variable or a slice along its one extra dim
        da = cube.sel(iamc_variable=v.name, drop=True) * _to_model_units(v, units[v.name])
        slices.setdefault(variable, []).append((selection, da))
        for alias in v.equivalent:
            slices.setdefault(alias, []).append(({}, da))
    data = {name: _assemble(name, parts, meta) for name, parts in slices.items() if _whole(parts)}
    return xr.Dataset(data)


def _whole(parts) -> bool:
    """Whether the slices cover every coordinate of their dim (as simulate() labels it)."""
    from carbonsim.definitions.variables import EXTRA_DIMS

    if len(parts) == 1 and not parts[0][0]:
        return True
    (dim,) = parts[0][0]
    return set(EXTRA_DIMS.get(dim, ())) == {sel[dim] for sel, _ in parts}


def _assemble(name: str, parts, meta) -> xr.DataArray:
    from carbonsim.definitions.variables import variable_attrs

    if len(parts) == 1 and not parts[0][0]:
        da = parts[0][1]
    else:
        (dim,) = parts[0][0]
        coords = _canonical_order(dim, [sel[dim] for sel, _ in parts])
        by_coord = {sel[dim]: da for sel, da in parts}
        da = xr.concat([by_coord[c] for c in coords], dim=dim)
        da = da.assign_coords({dim: np.array(coords)})
        da = da.transpose("scenario", "region", dim, "year")
    info = meta.get(name)
    return da.assign_attrs(variable_attrs(info)) if info else da


def _canonical_order(dim: str, coords: list[str]) -> list[str]:
    from carbonsim.definitions.variables import EXTRA_DIMS

    order = list(EXTRA_DIMS.get(dim, ()))
    return sorted(coords, key=lambda c: order.index(c) if c in order else len(order))
