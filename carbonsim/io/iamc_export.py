"""Trajectories to the IAMC long format (:func:`to_iamc`): a DataFrame, ``.csv`` or ``.xlsx``."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import xarray as xr

from carbonsim.constants import CITY
from carbonsim.errors import choices_text, did_you_mean
from carbonsim.io.iamc_mapping import (
    IAMC_COLUMNS,
    IamcError,
    IamcVariable,
    _require,
    _Term,
    iamc_region,
    iamc_variables,
)

__all__ = ["UNIT_SYSTEMS", "to_iamc"]

UNIT_SYSTEMS = ("iamc", "model")


# ---------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------
def _select_variables(patterns, ds: xr.Dataset) -> list[IamcVariable]:
    table = iamc_variables()
    if patterns is None:
        return [v for v in table.values() if all(s in ds for s in v.sources)]
    if isinstance(patterns, str):
        patterns = [patterns]
    chosen: dict[str, IamcVariable] = {}
    for pattern in patterns:
        hits = [n for n in table if fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            raise IamcError(
                f"no IAMC variable matches {pattern!r}.{did_you_mean(pattern, table)} "
                f"Known variables: {choices_text(table, limit=12)} (docs/exchange.md)"
            )
        chosen.update({n: table[n] for n in hits})
    for v in chosen.values():
        missing = [s for s in v.sources if s not in ds]
        if missing:
            raise IamcError(
                f"IAMC variable {v.name!r} needs {', '.join(map(repr, missing))}, which the "
                "trajectories do not have (simulate(variables=...) kept too few?)"
            )
    return list(chosen.values())


def _term_array(ds: xr.Dataset, term: _Term, city: str) -> xr.DataArray:
    da = ds[term.variable]
    for dim, coords in term.selection:
        da = da.sel({dim: list(coords)}).sum(dim)
    extra = [d for d in da.dims if d not in ("scenario", "region", "year")]
    if extra:
        da = da.sum(extra)
    if "region" not in da.dims:
        da = da.expand_dims(region=[city])
    return da.reset_coords(drop=True) * term.weight


def _variable_array(ds: xr.Dataset, v: IamcVariable, city: str) -> xr.DataArray:
    total = _term_array(ds, v.terms[0], city)
    for term in v.terms[1:]:
        total = total + _term_array(ds, term, city)
    return total.transpose("scenario", "region", "year")


def _scenario_names(ds: xr.Dataset, scenario) -> list[str]:
    ids = [str(s) for s in ds.scenario.values]
    if scenario is None:
        return ids
    if isinstance(scenario, str):
        if len(ids) != 1:
            raise IamcError(
                f"scenario={scenario!r} names one scenario but the trajectories have {len(ids)}; "
                "pass a dict {old id: new name} instead"
            )
        return [scenario]
    if isinstance(scenario, Mapping):
        return [str(scenario.get(i, i)) for i in ids]
    raise IamcError(f"scenario must be None, a name or a dict; got {type(scenario).__name__}")


def to_iamc(
    trajectories: xr.Dataset,
    model: str = "carbonsim",
    scenario: str | Mapping[str, str] | None = None,
    variables: str | Iterable[str] | None = None,
    units: str = "iamc",
    path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Trajectories in the IAMC long format.

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate`.
    model : str
        The ``model`` column.
    scenario : str or dict, optional
        Scenario names: default the trajectories' scenario ids; a string renames a single
        scenario; a dict maps ids to names.
    variables : str or list of str, optional
        IAMC variable names or glob patterns (``"Final Energy*"``).  Default: every mapped
        variable the trajectories can give.
    units : {"iamc", "model"}
        ``"iamc"``: IAMC units (``Mt CO2/yr``, ``EJ/yr``, ``GW``, ``%`` …); ``"model"``: the
        trajectories' own units (``1e4 t CO2``, ``1e4 tce`` …), numbers unchanged.
    path : str or Path, optional
        Also write the table, atomically: ``.csv`` (UTF-8) or ``.xlsx`` (needs openpyxl; sheet
        ``data``, and sheet ``meta`` with each scenario's ``co2_basis``, ``electricity_method``
        and ``price_basis``, which pyam reads as ``IamDataFrame.meta``).

    Returns
    -------
    pandas.DataFrame
        Columns ``model, scenario, region, variable, unit, year, value``; ``pyam.IamDataFrame``
        opens it (and the written file) as is.
    """
    if units not in UNIT_SYSTEMS:
        raise IamcError(f"units must be one of {', '.join(UNIT_SYSTEMS)}; got {units!r}")
    city = str(trajectories.attrs.get("city", CITY))
    chosen = _select_variables(variables, trajectories)
    names = dict(
        zip(
            map(str, trajectories.scenario.values),
            _scenario_names(trajectories, scenario),
            strict=True,
        )
    )
    frames = []
    for v in chosen:
        da = _variable_array(trajectories, v, city)
        frame = da.to_series().rename("value").reset_index()
        frame["variable"] = v.name
        frame["unit"] = v.iamc_unit if units == "iamc" else v.model_unit
        if units == "iamc":
            frame["value"] = frame["value"] * v.factor
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=IAMC_COLUMNS)
    df = df.dropna(subset=["value"])
    df["model"] = model
    df["scenario"] = df["scenario"].astype(str).map(names)
    df["region"] = [iamc_region(str(r), city) for r in df["region"]]
    df["year"] = df["year"].astype(int)
    df = df[list(IAMC_COLUMNS)].reset_index(drop=True)
    if path is not None:
        _write_table(df, _meta_table(trajectories, model, names), Path(path))
    return df


def _meta_table(ds: xr.Dataset, model: str, names: Mapping[str, str]) -> pd.DataFrame:
    """pyam's ``meta`` sheet: one row per scenario with the run's accounting conventions."""
    keys = ("co2_basis", "electricity_method", "price_basis")
    rows = [
        {"model": model, "scenario": name, **{k: str(ds.attrs[k]) for k in keys if k in ds.attrs}}
        for name in names.values()
    ]
    return pd.DataFrame(rows)


def _write_table(df: pd.DataFrame, meta: pd.DataFrame, path: Path) -> None:
    from carbonsim.io.atomic import atomic_path

    suffix = path.suffix.lower()
    if suffix == ".csv":
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=False, encoding="utf-8")
    elif suffix == ".xlsx":
        _require("openpyxl", "to write .xlsx")
        with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name="data", index=False)
            meta.to_excel(writer, sheet_name="meta", index=False)
    else:
        raise IamcError(f"cannot write {path.name!r}: choose a .csv or .xlsx file name")
