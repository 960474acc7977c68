"""The IAMC long format (what pyam reads): export, import, and the plan's targets as pyam criteria.

* :func:`to_iamc` – trajectories to a table with the columns ``model, scenario, region, variable,
  unit, year, value``, IAMC variable names (``Emissions|CO2``, ``Primary Energy|Coal`` …) and
  IAMC units (``Mt CO2/yr``, ``EJ/yr``, ``GW`` …); as a DataFrame, ``.csv`` or ``.xlsx``.
* :func:`from_iamc` – such a table (or a pyam ``IamDataFrame``) back to an ``xarray.Dataset``.
* :func:`catalogue_to_pyam_criteria` and :func:`validate` – the catalogue's value records as
  bounds for ``pyam.IamDataFrame.validate``.

The variable mapping is the table ``carbonsim/data/iamc_variables.csv``: one row per term,
``iamc_variable = Σ weight × variable[selection]`` (summed over the dims the selection leaves),
times ``factor`` from ``model_unit`` to ``iamc_unit``.  ``docs/exchange.md`` lists it.

Regions: the city is ``"Wuzhong"`` and each county ``"Wuzhong|Litong"`` etc., so that pyam's
``check_aggregate_region(variable, region="Wuzhong")`` finds the five counties as the city's
sub-regions by default.

Examples
--------
>>> import carbonsim
>>> from carbonsim.io.iamc import to_iamc
>>> df = to_iamc(carbonsim.simulate(), variables=["Emissions|CO2"])
>>> list(df.columns)
['model', 'scenario', 'region', 'variable', 'unit', 'year', 'value']
>>> sorted(df.region.unique())[:2]
['Wuzhong', 'Wuzhong|Hongsibu']
"""

from __future__ import annotations

import csv
import fnmatch
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.constants import ALL_REGIONS, CITY, REGION_NAMES_EN, REGION_NAMES_ZH
from carbonsim.errors import CarbonsimError, choices_text, did_you_mean

__all__ = [
    "AGGREGATES",
    "IAMC_COLUMNS",
    "IamcError",
    "IamcVariable",
    "PyamCriteria",
    "catalogue_to_pyam_criteria",
    "from_iamc",
    "iamc_region",
    "iamc_variables",
    "mapping_table",
    "region_id",
    "to_iamc",
    "validate",
]

IAMC_COLUMNS = ("model", "scenario", "region", "variable", "unit", "year", "value")
UNIT_SYSTEMS = ("iamc", "model")
_ORDER_OPS = ("peak_by", "peak_in", "peak_before", "peak_with", "nonincreasing")

_SECTORS = "Industry; Residential and Commercial; Transportation; Other Sector"


def _sum(total: str, parts: str, template: str = "") -> tuple[str, tuple[str, ...]]:
    """``(total, components)``; components are ``template.format(part)`` (default: children)."""
    template = template or total + "|{}"
    return total, tuple(template.format(p.strip()) for p in parts.split(";"))


#: Sums that hold in the exported data, ``(total, components)`` for pyam ``check_aggregate``.
AGGREGATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    _sum("Emissions|CO2", "Energy; Industrial Processes"),
    _sum("Emissions|CO2|Energy", "Demand; Supply"),
    _sum("Emissions|CO2|Energy|Demand", _SECTORS),
    _sum("Emissions|CO2|Energy|Supply", "Heat; Electricity"),
    _sum(
        "Emissions|CO2|Industrial Processes",
        "Aluminium; Magnesium; Cement; Coke; Calcium Carbide; Caustic Soda",
    ),
    _sum("Carbon Sequestration|Land Use", "Forest; Grassland; Wetland"),
    _sum("Primary Energy", "Coal; Oil; Gas; Non-Fossil"),
    _sum("Primary Energy|Fossil", "Coal; Oil; Gas", "Primary Energy|{}"),
    _sum("Final Energy", _SECTORS),
    _sum("Final Energy", "Solids; Liquids; Gases; Electricity; Heat; Hydrogen"),
    _sum(
        "Final Energy|Industry",
        "Non-Ferrous Metals; Non-Metallic Minerals; Chemicals; Construction; Other",
    ),
    _sum("Final Energy|Residential and Commercial", "Residential; Commercial"),
    _sum("Final Energy|Transportation", "Passenger; Freight"),
    _sum("Final Energy|Electricity", _SECTORS, "Final Energy|{}|Electricity"),
    _sum("Final Energy|Solids", "Coal; Biomass"),
    _sum("Secondary Energy|Electricity", "Coal; Gas; Hydro; Wind; Solar; Biomass"),
    _sum("Capacity|Electricity|Wind and Solar", "Wind; Solar", "Capacity|Electricity|{}"),
    _sum("Capacity|Electricity|Storage", "Battery; Pumped Hydro"),
    _sum("GDP|MER", "Agriculture; Industry; Construction; Services", "Value Added|{}"),
)


class IamcError(CarbonsimError):
    """An IAMC table or request that carbonsim cannot read or honour."""


# ---------------------------------------------------------------------------------------------
# the mapping table
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Term:
    variable: str
    selection: tuple[tuple[str, tuple[str, ...]], ...]
    weight: float


@dataclass(frozen=True)
class IamcVariable:
    """One IAMC variable: ``Σ weight × variable[selection]`` times *factor* to *iamc_unit*."""

    name: str
    terms: tuple[_Term, ...]
    model_unit: str
    iamc_unit: str
    factor: float
    equivalent: tuple[str, ...] = ()
    aggregate: bool = True
    description: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        """The carbonsim variables it is computed from."""
        return tuple(dict.fromkeys(t.variable for t in self.terms))

    @property
    def slice_of(self) -> tuple[str, dict[str, str]] | None:
        """``(variable, {dim: coordinate})`` when it is one slice of one carbonsim variable."""
        if len(self.terms) != 1 or self.terms[0].weight != 1:
            return None
        term = self.terms[0]
        if any(len(coords) != 1 for _, coords in term.selection):
            return None
        return term.variable, {dim: coords[0] for dim, coords in term.selection}


def _parse_selection(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``"sector=a+b;fuel=oil"`` -> ``(("sector", ("a", "b")), ("fuel", ("oil",)))``."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        dim, _, coords = part.partition("=")
        out.append((dim.strip(), tuple(c.strip() for c in coords.split("+"))))
    return tuple(out)


@cache
def iamc_variables() -> dict[str, IamcVariable]:
    """The mapping table (``data/iamc_variables.csv``), IAMC name -> :class:`IamcVariable`."""
    path = resources.files("carbonsim") / "data" / "iamc_variables.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["iamc_variable"], []).append(row)
    out = {}
    for name, group in grouped.items():
        first = group[0]
        terms = tuple(
            _Term(r["variable"], _parse_selection(r["selection"]), float(r["weight"]))
            for r in group
        )
        out[name] = IamcVariable(
            name=name,
            terms=terms,
            model_unit=first["model_unit"],
            iamc_unit=first["iamc_unit"],
            factor=float(first["factor"]),
            equivalent=tuple(e for e in first["equivalent"].split("+") if e),
            aggregate=first["aggregate"] == "sum",
            description=first["description"],
        )
    return out


def mapping_table() -> pd.DataFrame:
    """The mapping table as a DataFrame (one row per term), for display and docs."""
    path = resources.files("carbonsim") / "data" / "iamc_variables.csv"
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------------
def _label(region: str) -> str:
    return region.replace("_", " ").title()


def iamc_region(region: str, city: str = CITY) -> str:
    """IAMC name of a region id: ``"Wuzhong"`` for the city, ``"Wuzhong|Litong"`` for a county."""
    return _label(city) if region == city else f"{_label(city)}|{_label(region)}"


def region_id(name: str) -> str:
    """The region id of an IAMC region name (inverse of :func:`iamc_region`)."""
    return name.split("|")[-1].strip().lower().replace(" ", "_")


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


def _require(module: str, why: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{module} is needed {why}: pip install 'carbonsim[iamc]'") from exc


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


# ---------------------------------------------------------------------------------------------
# the catalogue as pyam validate criteria
# ---------------------------------------------------------------------------------------------
@dataclass
class PyamCriteria:
    """The catalogue's value records as bounds for ``pyam.IamDataFrame.validate``.

    ``criteria`` has one row per (target, scenario) — ``scenario`` is empty when the bound holds
    for every scenario (absolute records) — with ``variable``, ``region``, ``year``,
    ``lower_bound``, ``upper_bound`` and ``unit`` (IAMC units).  ``unsupported`` lists the
    records (and, for relative records, the scenarios) pyam cannot check, with the reason.
    """

    criteria: pd.DataFrame
    unsupported: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __len__(self) -> int:
        return len(self.criteria)

    def __iter__(self) -> Iterator[tuple[str, dict]]:
        """``(target id, keyword arguments for IamDataFrame.validate)`` per criterion."""
        for row in self.criteria.itertuples(index=False):
            kwargs = {"variable": row.variable, "region": row.region, "year": int(row.year)}
            if isinstance(row.scenario, str) and row.scenario:
                kwargs["scenario"] = row.scenario
            for key in ("upper_bound", "lower_bound"):
                value = getattr(row, key)
                if pd.notna(value):
                    kwargs[key] = float(value)
            yield row.target, kwargs


def _indicator_index() -> dict[str, IamcVariable]:
    """carbonsim scalar variable -> the IAMC variable equal to it."""
    from carbonsim.definitions.variables import variable_metadata

    meta = variable_metadata()
    out = {}
    for v in iamc_variables().values():
        sliced = v.slice_of
        if sliced is not None and not sliced[1]:
            no_dims = not meta.get(sliced[0], {}).get("dims")
            if no_dims:
                out.setdefault(sliced[0], v)
        for alias in v.equivalent:
            out.setdefault(alias, v)
    return out


#: as the feasibility check reads a bound: within this (relative to the value, at least
#: absolute) of it counts as meeting it
ROUNDING = 1e-9


def _ratio_bounds(t) -> tuple[float, float]:
    """Bounds on the target's quantity (x, or x / x_base − 1) from its operator.

    Each bound is widened by the check's rounding slack (:data:`ROUNDING`), so pyam passes
    exactly what :func:`carbonsim.feasibility.evaluate.check` counts as met.
    """
    v = float(t.value)
    slack = ROUNDING * max(1.0, abs(v))
    half_width = {"==": 1e-9, "approx": float(t.tolerance or 0.0)}.get(t.op, 0.0) + slack
    if t.op == "approx" and getattr(t, "direction", None) in ("up", "down"):
        # 左右 on the side the plan wants (the check's default, one-sided reading)
        return (v - half_width, np.nan) if t.direction == "up" else (np.nan, v + half_width)
    return {
        ">=": (v - slack, np.nan),
        "<=": (np.nan, v + slack),
        "==": (v - half_width, v + half_width),
        "approx": (v - half_width, v + half_width),
    }[t.op]


def _why_not(t, index, trajectories) -> str:
    """Why the record cannot be a pyam criterion ("" when it can)."""
    if t.op in _ORDER_OPS:
        return (
            f"{t.op}: a peaking/order record compares peak years across the time series (and "
            "regions); pyam validate bounds single values"
        )
    if t.value is None:
        return "no value"
    v = index.get(t.indicator)
    if v is None:
        return f"no IAMC variable for {t.indicator!r} (not in data/iamc_variables.csv)"
    if t.basis == "absolute" and t.unit != v.model_unit:
        return f"target unit {t.unit!r} differs from the variable's {v.model_unit!r}"
    if t.basis == "relative_change" and trajectories is None:
        return "a relative_change record needs the base-year value: pass trajectories"
    if trajectories is not None and t.indicator not in trajectories:
        return f"the trajectories have no {t.indicator!r}"
    return ""


def _relative_rows(t, v: IamcVariable, trajectories: xr.Dataset, region: str):
    """Per scenario: bounds x_base × (1 + bound); for x_base < 0 the bounds swap."""
    da = trajectories[t.indicator]
    if "region" in da.dims:
        da = da.sel(region=t.region)
    base = np.asarray(da.sel(year=t.base_year).values, dtype=float).reshape(-1)
    lo, up = _ratio_bounds(t)
    rows, skipped = [], []
    for scenario, b in zip(map(str, trajectories.scenario.values), base, strict=True):
        if not np.isfinite(b) or b == 0:
            skipped.append({"target": t.id, "scenario": scenario, "reason": "base value is 0"})
            continue
        pair = (b * (1 + lo) * v.factor, b * (1 + up) * v.factor)
        low, high = pair if b > 0 else pair[::-1]
        rows.append(_criterion(t, v, region, scenario, low, high))
    return rows, skipped


def _criterion(t, v: IamcVariable, region: str, scenario: str, low: float, high: float) -> dict:
    return {
        "target": t.id,
        "scenario": scenario,
        "variable": v.name,
        "region": region,
        "year": int(t.year),
        "lower_bound": low,
        "upper_bound": high,
        "unit": v.iamc_unit,
        "op": t.op,
        "basis": t.basis,
    }


def catalogue_to_pyam_criteria(
    catalogue=None, trajectories: xr.Dataset | None = None
) -> PyamCriteria:
    """Express the catalogue's value records as bounds for ``pyam.IamDataFrame.validate``.

    Parameters
    ----------
    catalogue : Catalogue or path, optional
        Default: the bundled Wuzhong catalogue.
    trajectories : xarray.Dataset, optional
        Needed for ``relative_change`` records: the bound on ``x[year]`` for a scenario is
        ``x[base_year] × (1 + value)`` of that scenario (``approx``: ``1 + value ± tolerance``),
        so those criteria are per scenario.

    Returns
    -------
    PyamCriteria
        ``>=`` gives a lower bound, ``<=`` an upper bound, ``approx`` both (value ± tolerance),
        ``==`` both (± 1e-9), in IAMC units on the mapped variable, region and year; each bound
        is widened by the rounding slack the feasibility check allows (1e-9 of the value).
        Peaking and order records (``peak_by``, ``peak_before``, ``peak_with``, ``peak_in``,
        ``nonincreasing``), records on indicators without an IAMC variable, and relative records
        without trajectories (or whose base-year value is 0) are in ``unsupported``.
    """
    from carbonsim.catalogue import load_targets

    if catalogue is None or isinstance(catalogue, str | os.PathLike):
        catalogue = load_targets(catalogue)
    city = str(trajectories.attrs.get("city", CITY)) if trajectories is not None else CITY
    index = _indicator_index()
    rows, unsupported = [], []
    for t in catalogue:
        reason = _why_not(t, index, trajectories)
        if reason:
            unsupported.append({"target": t.id, "scenario": "", "reason": reason})
            continue
        v = index[t.indicator]
        region = iamc_region(t.region, city)
        if t.basis == "relative_change":
            more, skipped = _relative_rows(t, v, trajectories, region)
            rows += more
            unsupported += skipped
        else:
            lo, up = _ratio_bounds(t)
            rows.append(_criterion(t, v, region, "", lo * v.factor, up * v.factor))
    columns = ["target", "scenario", "variable", "region", "year", "lower_bound",
               "upper_bound", "unit", "op", "basis"]  # fmt: skip
    return PyamCriteria(
        pd.DataFrame(rows, columns=columns),
        pd.DataFrame(unsupported, columns=["target", "scenario", "reason"]),
    )


def validate(data, criteria: PyamCriteria) -> pd.DataFrame:
    """Run every criterion through ``pyam.IamDataFrame.validate``; the failing data points.

    Parameters
    ----------
    data : pyam.IamDataFrame, DataFrame or path
        IAMC data (e.g. :func:`to_iamc` output).
    criteria : PyamCriteria
        From :func:`catalogue_to_pyam_criteria`.

    Returns
    -------
    pandas.DataFrame
        One row per failing (target, data point): ``target`` and the IAMC columns.  A criterion
        with no matching data is skipped (pyam logs it).
    """
    pyam = _require("pyam", "to validate with pyam")
    df = data if isinstance(data, pyam.IamDataFrame) else pyam.IamDataFrame(data)
    failed = []
    for target, kwargs in criteria:
        rows = df.validate(**kwargs)
        if rows is not None and len(rows):
            failed.append(rows.assign(target=target))
    columns = ["target", *IAMC_COLUMNS]
    if not failed:
        return pd.DataFrame(columns=columns)
    return pd.concat(failed, ignore_index=True)[columns]
