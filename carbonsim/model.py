"""The model layer: validate levers, unwrap the baseline, call the engine, wrap in xarray.

:func:`simulate` is the one entry point.  It accepts nothing (every lever at its default), a
dict of lever values, a :class:`~carbonsim.scenario.Scenario` (or a list of them, simulated as
one batch), or the path of a scenario file.
"""

from __future__ import annotations

import csv
import os
import weakref
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources

import numpy as np
import xarray as xr

from . import engine
from .constants import (
    DEFAULT_YEARS,
    FUELS,
    PRODUCTS,
    SECTORS,
    TECHS,
    TWH_PER_10KTCE_ELECTRICITY,
)
from .engine.core import CO2_BASES, CO2_SOURCES, PRIMARY_FUELS, SINK_TYPES
from .errors import LeverError
from .levers import LEVERS, expand_lever, lever_table
from .regions import WUZHONG, RegionSet, regions_of

__all__ = ["LeverSet", "engine_parameters", "lever_arrays", "simulate"]

METHODS = ("coal_equivalent", "calorific")
_SHARE_GROUPS = {
    "sector shares of value added": ("primary_share", "industry_share", "construction_share"),
    "other-industry fuel shares": ("industry_electricity_share", "industry_gas_share"),
    "building fuel shares": ("building_electricity_share", "building_gas_share"),
    "freight fuel shares": (
        "freight_electricity_share",
        "freight_gas_share",
        "freight_hydrogen_share",
    ),
}


class LeverSet(dict):
    """Lever values for a batch of ``n`` scenarios (a dict name -> value, plus ``n`` and ids)."""

    def __init__(self, values: Mapping | None = None, n: int = 1, scenario_ids=None):
        super().__init__(values or {})
        self.n = int(n)
        self.scenario_ids = list(scenario_ids) if scenario_ids is not None else None


# ---------------------------------------------------------------------------------------------
# baseline -> engine parameters and lever defaults
# ---------------------------------------------------------------------------------------------
def _county(ds: xr.Dataset, name: str, **sel) -> np.ndarray:
    da = ds[name]
    if "region" in da.dims:
        da = da.sel(region=list(regions_of(ds).counties))
    if sel:
        da = da.sel(**sel)
    return np.asarray(da.values, dtype=float)


def _only_dim(da: xr.DataArray) -> str | None:
    dims = [d for d in da.dims if d != "region"]
    return dims[0] if dims else None


def _scalar(ds, name, key=None, default=None) -> float:
    """A city-wide parameter; *key* selects along the variable's one non-region dim."""
    if name not in ds and default is not None:
        return float(default)
    da = ds[name]
    if key is not None:
        da = da.sel({_only_dim(da): key})
    if "region" in da.dims:
        da = _city_of(ds, da)
    return float(np.asarray(da.values).reshape(-1)[0])


def _vector(ds, name, coords, fill=0.0) -> np.ndarray:
    """A city-wide parameter along its one non-region dim, reindexed to *coords*."""
    da = ds[name]
    if "region" in da.dims:
        da = _city_of(ds, da)
    dim = _only_dim(da)
    have = set(map(str, da[dim].values))
    return np.array([float(da.sel({dim: c})) if c in have else fill for c in coords])


def _city_of(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    city = regions_of(ds).city
    return da.sel(region=city) if city in da.region else da.isel(region=0)


def engine_parameters(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Unwrap a baseline dataset into the plain arrays the engine reads (county axis only)."""
    counties = list(regions_of(ds).counties)
    n_counties = len(counties)
    fe = ds["final_energy"].sel(region=counties).reindex(sector=list(SECTORS), fuel=list(FUELS))
    fuel_mix = ds["product_fuel_mix"].reindex(product=list(PRODUCTS), fuel=list(FUELS))
    p = {
        "gdp": _county(ds, "gdp"),
        "value_added": _county(ds, "value_added").reshape(n_counties, -1),
        "final_energy": np.nan_to_num(np.asarray(fe.values, dtype=float)),
        "unit_energy": _vector(ds, "product_unit_energy", PRODUCTS),
        "product_fuel_mix": np.nan_to_num(np.asarray(fuel_mix.values, dtype=float)),
        "process_emission_factor": _vector(ds, "process_emission_factor", PRODUCTS),
        "floor_area": _county(ds, "floor_area").reshape(n_counties, -1),
        "vehicle_stock": _county(ds, "vehicle_stock"),
        "nev_stock_share": _county(ds, "nev_stock_share"),
        "vehicle_energy": _vector(ds, "vehicle_energy", FUELS),
        "freight_turnover": _county(ds, "freight_turnover"),
        "green_travel_share": _county(ds, "green_travel_share"),
        "emission_factor": _vector(ds, "emission_factor", FUELS),
        "heat_fuel_mix": _vector(ds, "heat_fuel_mix", FUELS),
        "heat_supply_efficiency": _scalar(ds, "heat_supply_efficiency"),
        "gas_heat_rate": _scalar(ds, "gas_heat_rate"),
        "grid_loss_rate": _scalar(ds, "grid_loss_rate"),
        "hydrogen_electricity": _scalar(ds, "hydrogen_electricity"),
        "battery_efficiency": _scalar(ds, "battery_round_trip_efficiency"),
        "pumped_hydro_efficiency": _scalar(ds, "pumped_hydro_round_trip_efficiency"),
        "land_area": _county(ds, "land_area"),
        "forest_stock": _county(ds, "forest_stock"),
        "grassland_area": _county(ds, "grassland_area"),
        "grassland_vegetation_coverage": _county(ds, "grassland_vegetation_coverage"),
        "wetland_area": _county(ds, "wetland_area"),
        "forest_sink_per_stock": _scalar(ds, "forest_sink_per_stock"),
        "forest_stock_growth_rate": _scalar(ds, "forest_stock_growth_rate"),
        "grassland_sink_factor": _scalar(ds, "grassland_sink_factor"),
        "wetland_sink_factor": _scalar(ds, "wetland_sink_factor"),
        "population": _county(ds, "population"),
        "twh_per_10ktce": TWH_PER_10KTCE_ELECTRICITY,
    }
    return p


def lever_starts(ds: xr.Dataset) -> dict[str, np.ndarray | float]:
    """2020 values of the levers whose default is ``baseline`` ((region,) or scalar)."""
    n_counties = len(regions_of(ds).counties)
    va = _county(ds, "value_added").reshape(n_counties, -1)
    gdp = _county(ds, "gdp")
    out: dict[str, np.ndarray | float] = {
        "primary_share": va[:, 0] / gdp,
        "industry_share": va[:, 1] / gdp,
        "construction_share": va[:, 2] / gdp,
        "nev_sales_share": _county(ds, "nev_stock_share"),
        "green_travel_share": _county(ds, "green_travel_share"),
        "recycled_aluminium_share": _scalar(ds, "recycled_aluminium_share", default=0.0),
        "coal_supply_rate": _scalar(ds, "coal_supply_rate"),
        "grid_emission_factor": _scalar(ds, "grid_emission_factor"),
        "grid_import_non_fossil_share": _scalar(ds, "grid_import_non_fossil_share"),
    }
    output = _county(ds, "product_output").reshape(n_counties, -1)
    for k, prod in enumerate(PRODUCTS):
        out[f"output_{prod}"] = output[:, k]
    cap = _county(ds, "capacity").reshape(n_counties, -1)
    techs = list(ds["capacity"].tech.values)
    for tech in ("coal", "gas", "hydro", "wind", "solar", "biomass", "pumped_hydro"):
        out[f"{tech}_capacity"] = (
            cap[:, techs.index(tech)] if tech in techs else np.zeros(n_counties)
        )
    ne = out["wind_capacity"].sum() + out["solar_capacity"].sum()
    battery = cap[:, techs.index("battery")].sum() if "battery" in techs else 0.0
    out["storage_ratio"] = battery / ne if ne > 0 else 0.0
    for tech in ("coal", "gas", "hydro", "wind", "solar", "biomass"):
        out[f"{tech}_hours"] = _scalar(ds, "utilisation_hours", tech)
    for tech in ("wind", "solar"):
        out[f"{tech}_curtailment"] = _scalar(ds, "curtailment_rate", tech)
    out.update(_fuel_share_starts(ds))
    for name in (
        "forest_coverage",
        "forest_stock",
        "grassland_vegetation_coverage",
        "wetland_area",
    ):
        if name in ds:
            out[name] = _county(ds, name)
    return out


def _fuel_share_starts(ds) -> dict[str, np.ndarray]:
    counties = list(regions_of(ds).counties)
    fe = ds["final_energy"].sel(region=counties).reindex(sector=list(SECTORS), fuel=list(FUELS))
    fe = fe.fillna(0.0)

    def share(sectors, fuel):
        part = fe.sel(sector=list(sectors))
        total = part.sum(("sector", "fuel"))
        return np.asarray((part.sel(fuel=fuel).sum("sector") / total.where(total > 0)).fillna(0.0))

    bld = ("residential", "public")
    return {
        "industry_electricity_share": share(["other_industry"], "electricity"),
        "industry_gas_share": share(["other_industry"], "gas"),
        "building_electricity_share": share(bld, "electricity"),
        "building_gas_share": share(bld, "gas"),
        "freight_electricity_share": share(["freight_transport"], "electricity"),
        "freight_gas_share": share(["freight_transport"], "gas"),
        "freight_hydrogen_share": share(["freight_transport"], "hydrogen"),
        "agriculture_electricity_share": share(["agriculture"], "electricity"),
    }


# ---------------------------------------------------------------------------------------------
# levers -> arrays
# ---------------------------------------------------------------------------------------------
def lever_arrays(
    levers: Mapping, n: int, years: Sequence[int], ds: xr.Dataset, calibrate: bool = True
) -> dict[str, np.ndarray]:
    """Every lever as a full, validated array (defaults filled in)."""
    table = lever_table()
    unknown = [k for k in levers if k not in table]
    if unknown:
        LEVERS[unknown[0]]  # raises LeverError with a did-you-mean suggestion
    starts = lever_starts(ds)
    regions = regions_of(ds)
    where = {"regions": regions.counties, "city": regions.city}
    arrays = {}
    for name, spec in table.items():
        given = _given_or_default(name, spec, levers, starts)
        if given is None:
            continue
        start = starts.get(name)
        if start is None and _is_number(spec.default):
            start = spec.default  # milestones of a level lever start from its default in 2020
        arrays[name] = expand_lever(name, given, n, years, start=start, **where)
    if "vre_absorption_limit" in levers:
        arrays["vre_absorption_limit"] = expand_lever(
            "vre_absorption_limit", levers["vre_absorption_limit"], n, years, **where
        )
    elif calibrate:
        limit = calibrate_absorption(ds)
        arrays["vre_absorption_limit"] = np.full((n, len(years)), limit)
    _check_share_groups(arrays, years, regions.counties)
    return arrays


def _is_number(value) -> bool:
    return isinstance(value, float) and not np.isnan(value)


def _given_or_default(name, spec, levers, starts):
    """The lever's value: given, else its default; None when it has no path (see below)."""
    given = levers.get(name)
    if given is not None:
        return given
    if spec.default == "baseline":
        # vre_absorption_limit is calibrated; a tracked indicator without a 2020 value has no path
        return None if name == "vre_absorption_limit" else starts.get(name)
    return spec.default if _is_number(spec.default) else None


def _check_share_groups(arrays, years, counties=WUZHONG.counties) -> None:
    for what, names in _SHARE_GROUPS.items():
        total = sum(arrays[name] for name in names)
        if (total > 1.0 + 1e-9).any():
            idx = np.unravel_index(np.argmax(total), total.shape)
            region = f", region {counties[idx[1]]!r}" if total.ndim == 3 else ""
            raise LeverError(
                f"{what} add up to {total[idx]:.3f} > 1 at scenario {idx[0]}{region}, year "
                f"{years[idx[-1]]}: levers {', '.join(names)} must sum to at most 1"
            )


#: id(dataset) -> (weak reference to it, calibrated limit); the reference guards against an id
#: reused by a later dataset after the first one was freed
_CALIBRATED: dict[int, tuple[weakref.ref, float]] = {}


def calibrate_absorption(ds: xr.Dataset) -> float:
    """The ``vre_absorption_limit`` that reproduces the baseline's 2020 NHRE consumption share.

    Evaluates 400 candidate limits in one vectorised engine call for 2020 and interpolates the
    (monotone) response.  Cached per baseline dataset.
    """
    key = id(ds)
    cached = _CALIBRATED.get(key)
    if cached is not None and cached[0]() is ds:
        return cached[1]
    target = _scalar(ds, "nhre_consumption_share_2020")
    grid = np.linspace(0.01, 1.0, 400)
    arrays = lever_arrays({}, len(grid), [2020], ds, calibrate=False)
    arrays["vre_absorption_limit"] = grid[:, None]
    out = engine.run(arrays, engine_parameters(ds))
    share = out["nonhydro_renewable_share"][:, 0, 0]
    if target <= share[0]:
        limit = float(grid[0])
    elif target >= share[-1]:
        limit = float(grid[-1])
    else:
        limit = float(np.interp(target, share, grid))
    _CALIBRATED[key] = (weakref.ref(ds), limit)
    return limit


# ---------------------------------------------------------------------------------------------
# simulate
# ---------------------------------------------------------------------------------------------
def _resolve_input(levers_or_scenario, regions=None) -> tuple[Mapping, int, list[str], dict]:
    """-> (lever values, n, scenario ids, attrs); a scenario file is read for *regions*."""
    if levers_or_scenario is None:
        return {}, 1, ["default"], {}
    if isinstance(levers_or_scenario, str | os.PathLike):
        from .scenario import load_scenario

        levers_or_scenario = load_scenario(levers_or_scenario, regions=regions)
    if hasattr(levers_or_scenario, "to_levers"):
        lv = levers_or_scenario.to_levers()
        ids = lv.scenario_ids or [levers_or_scenario.id] * lv.n
        return lv, lv.n, ids, {"scenario_name": getattr(levers_or_scenario, "id", "")}
    if isinstance(levers_or_scenario, LeverSet):
        ids = levers_or_scenario.scenario_ids or [f"s{i}" for i in range(levers_or_scenario.n)]
        return levers_or_scenario, levers_or_scenario.n, ids, {}
    if isinstance(levers_or_scenario, Mapping):
        return levers_or_scenario, 1, ["custom"], {}
    if isinstance(levers_or_scenario, Iterable):
        return _stack_scenarios(list(levers_or_scenario), regions)
    raise LeverError(
        "simulate() takes lever values (a dict), a Scenario, a list of Scenarios or the path of "
        f"a scenario file; got {type(levers_or_scenario).__name__}"
    )


def _stack_scenarios(items: list, regions=None) -> tuple[Mapping, int, list[str], dict]:
    """Several scenarios as one batch: each lever becomes a (scenario, ...) DataArray-like."""
    sets = [_resolve_input(item, regions) for item in items]
    return LeverSet(), sum(s[1] for s in sets), [i for s in sets for i in s[2]], {"_parts": sets}


def simulate(
    levers_or_scenario=None,
    baseline: xr.Dataset | str | os.PathLike | None = None,
    years: Iterable[int] = DEFAULT_YEARS,
    method: str = "coal_equivalent",
    chunk_size: int = 2000,
    variables: Sequence[str] | None = None,
    co2_basis: str = "consumption",
) -> xr.Dataset:
    """Simulate one or many scenarios.

    Parameters
    ----------
    levers_or_scenario : dict, Scenario, list of Scenario, path, or None
        Lever values (see :mod:`carbonsim.levers` for accepted forms), a scenario, several
        scenarios (one batch), or a scenario file.  None: every lever at its default (2020
        values, no growth).
    baseline : xarray.Dataset or path, optional
        The 2020 calibration (default: the bundled Wuzhong one, :func:`carbonsim.load_baseline`).
    years : iterable of int
        Simulated years, consecutive, starting in 2020 (default 2020–2060).
    method : {"coal_equivalent", "calorific"}
        Primary-energy method for non-fossil electricity (发电煤耗法 or 电热当量法).
    chunk_size : int
        Scenarios per engine call; bounds temporary memory, does not change results.
    variables : list of str, optional
        Keep only these trajectory variables (for big batches: ``final_energy`` alone is
        ~180 kB per scenario).  Default: all.
    co2_basis : {"consumption", "assessment", "territorial"}
        The CO2 account behind ``co2`` and every CO2 target (see docs/model.md).  All three
        accounts are always returned as ``co2_consumption``, ``co2_assessment`` and
        ``co2_territorial``.

    Returns
    -------
    xarray.Dataset
        Dims ``(scenario, region, year)`` plus ``sector``, ``fuel``, ``tech`` … where they apply;
        ``region`` = the city (sum of counties) and its counties (Wuzhong's five by default;
        another city's from its baseline, see :func:`carbonsim.regions.regions_of`).  Units and
        bilingual long names in every variable's attrs.

    Examples
    --------
    >>> import carbonsim
    >>> ds = carbonsim.simulate({"gdp_growth": 0.05, "solar_capacity": {"yanchi": {2030: 8}}})
    >>> float(ds.gdp.sel(region="wuzhong", year=2021) / ds.gdp.sel(region="wuzhong", year=2020))
    1.05...
    """
    if method not in METHODS:
        raise LeverError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if co2_basis not in CO2_BASES:
        raise LeverError(f"unknown co2_basis {co2_basis!r}; choose one of {', '.join(CO2_BASES)}")
    years = [int(y) for y in years]
    if years[0] != 2020 or np.any(np.diff(years) != 1):
        raise LeverError(f"years must be consecutive and start in 2020; got {years[0]}…{years[-1]}")
    ds = _baseline(baseline)
    values, n, ids, attrs = _resolve_input(levers_or_scenario, regions_of(ds))
    parts = attrs.pop("_parts", None)
    if parts is not None:
        arrays = _concat_arrays([lever_arrays(v, k, years, ds) for v, k, _, _ in parts])
    else:
        arrays = lever_arrays(values, n, years, ds)
    params = engine_parameters(ds)
    out = _run_chunked(arrays, params, (method, co2_basis), n, chunk_size, variables)
    attrs = {**attrs, "co2_basis": co2_basis}
    return wrap(out, arrays, params, ids, years, method, attrs, variables, regions_of(ds))


def simulate_arrays(
    arrays: Mapping[str, np.ndarray],
    ids: Sequence[str],
    years: Sequence[int],
    baseline=None,
    method: str = "coal_equivalent",
    chunk_size: int = 2000,
    validate: bool = True,
    variables: Sequence[str] | None = None,
    co2_basis: str = "consumption",
) -> xr.Dataset:
    """Simulate from full lever arrays (as :func:`lever_arrays` returns them).

    For callers that build batches themselves (perturbations, sweeps, optimisers).  With
    *validate* the bounds and share groups are checked as in :func:`simulate`.
    """
    ds = _baseline(baseline)
    years = [int(y) for y in years]
    arrays = dict(arrays)
    regions = regions_of(ds)
    if validate:
        table = lever_table()
        for name, arr in arrays.items():
            from .levers import check_bounds

            check_bounds(table[name], arr, years, regions.counties)
        _check_share_groups(arrays, years, regions.counties)
    params = engine_parameters(ds)
    out = _run_chunked(arrays, params, (method, co2_basis), len(ids), chunk_size, variables)
    attrs = {"co2_basis": co2_basis}
    return wrap(out, arrays, params, list(ids), years, method, attrs, variables, regions)


def _concat_arrays(list_of_arrays: list[dict]) -> dict[str, np.ndarray]:
    """Stack the lever arrays of several scenarios.

    A tracked indicator given in some scenarios only is NaN ("no path") in the others; the
    feasibility check reports those (scenario, target) pairs as not evaluated.
    """
    names = set().union(*(set(a) for a in list_of_arrays))
    table = lever_table()
    out = {}
    for name in names:
        missing = [a for a in list_of_arrays if name not in a]
        if missing and table[name].group != "tracked":
            raise LeverError(f"lever {name!r} is missing from some scenarios of the batch")
        like = next(a[name] for a in list_of_arrays if name in a)
        out[name] = np.concatenate(
            [a.get(name, np.full((_n(a), *like.shape[1:]), np.nan)) for a in list_of_arrays]
        )
    return out


def _n(arrays: dict) -> int:
    return next(iter(arrays.values())).shape[0]


def _run_chunked(arrays, params, options, n, chunk_size, variables=None):
    keep = None if variables is None else {*variables, "vehicle_stock"}
    method, co2_basis = options

    def one(chunk):
        out = engine.run(chunk, params, method, co2_basis)
        return out if keep is None else {k: v for k, v in out.items() if k in keep}

    if n <= chunk_size:
        return one(arrays)
    out: dict[str, np.ndarray] = {}
    for start in range(0, n, chunk_size):
        piece = one({k: v[start : start + chunk_size] for k, v in arrays.items()})
        if not out:  # allocate once: peak memory = the result plus one chunk
            out = {k: np.empty((n, *v.shape[1:]), dtype=v.dtype) for k, v in piece.items()}
        for k, v in piece.items():
            out[k][start : start + len(v)] = v
    return out


_BASELINE_CACHE: dict[str, xr.Dataset] = {}


def _baseline(baseline) -> xr.Dataset:
    if isinstance(baseline, xr.Dataset):
        return baseline
    from .baseline import load_baseline

    key = str(baseline)
    if key not in _BASELINE_CACHE:
        _BASELINE_CACHE[key] = load_baseline(baseline) if baseline is not None else load_baseline()
    return _BASELINE_CACHE[key]


# ---------------------------------------------------------------------------------------------
# wrapping
# ---------------------------------------------------------------------------------------------
@cache
def variable_metadata() -> dict[str, dict[str, str]]:
    """Units and bilingual names of every trajectory variable (``data/variables.csv``)."""
    path = resources.files("carbonsim") / "data" / "variables.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


_EXTRA_DIMS = {
    "economic_sector": ("primary", "industry", "construction", "tertiary"),
    "sector": SECTORS,
    "fuel": FUELS,
    "tech": TECHS,
    "product": PRODUCTS,
    "primary_fuel": PRIMARY_FUELS,
    "co2_source": CO2_SOURCES,
    "fossil_fuel": ("coal", "oil", "gas"),
    "sink_type": SINK_TYPES,
    "building": ("residential", "public"),
}


def wrap(
    out,
    arrays,
    params,
    ids,
    years,
    method,
    attrs=None,
    variables=None,
    regions: RegionSet = WUZHONG,
) -> xr.Dataset:
    """Engine output -> labelled Dataset with units and bilingual names (city first)."""
    meta = variable_metadata()
    data_vars = {}
    wanted = None if variables is None else set(variables)
    for name, arr in out.items():
        if wanted is not None and name not in wanted:
            continue
        info = meta.get(name)
        if info is None:
            raise KeyError(f"engine variable {name!r} has no entry in data/variables.csv")
        extra = [d for d in info["dims"].split(",") if d]
        dims = ("scenario", "region", *extra, "year")
        if arr.ndim != len(dims):
            raise ValueError(f"{name}: array {arr.shape} does not match dims {dims}")
        data_vars[name] = (dims, arr, _attrs(info))
    for name, (dims, arr) in lever_variables(arrays, out, params).items():
        if wanted is not None and name not in wanted:
            continue
        data_vars[name] = (dims, arr, _attrs(meta.get(name) or _tracked_meta(name)))
    coords = {
        "scenario": list(ids),
        **regions.coords(),
        "year": list(years),
        **{dim: list(values) for dim, values in _EXTRA_DIMS.items()},
    }
    ds = xr.Dataset(data_vars, coords=coords)
    ds = ds.drop_vars([d for d in _EXTRA_DIMS if d not in ds.dims])
    ds.attrs.update(
        {
            "title": "carbonsim trajectories",
            "model": "carbonsim",
            "electricity_method": method,
            "price_basis": "constant 2020 prices",
            "city": regions.city,
            **(attrs or {}),
        }
    )
    return ds


def _city_weighted(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Prepend the city as the *weight*-weighted mean over counties (axis 1)."""
    w = np.broadcast_to(weight, values.shape)
    total = w.sum(1, keepdims=True)
    city = (values * w).sum(1, keepdims=True) / np.where(total > 0, total, 1.0)
    return np.concatenate([city, values], axis=1)


def _to_regions(arr: np.ndarray, n_counties: int) -> np.ndarray:
    """A city-wide (scenario, year) lever broadcast to every region."""
    n_regions = n_counties + 1
    return np.broadcast_to(arr[:, None, :], (arr.shape[0], n_regions, arr.shape[-1])).copy()


def lever_variables(arrays, out, params) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """Lever values reported as trajectories: (dims, array) per variable.

    Regional levers get the city as a sum (quantities) or a weighted mean (shares); city-wide
    levers are the same for every region.  Tracked indicators given per county get the city as a
    sum, or for shares the land-area-weighted mean; city-only tracked indicators have no region.
    """
    outputs = np.stack([arrays[f"output_{p}"] for p in PRODUCTS], axis=2)
    unit = np.stack([1.0 + arrays[f"unit_energy_change_{p}"] for p in PRODUCTS], axis=1)
    unit = unit * params["unit_energy"][None, :, None]
    n_r = params["gdp"].shape[0] + 1  # the city and its counties
    res = {
        "product_output": (
            ("scenario", "region", "product", "year"),
            np.concatenate([outputs.sum(1, keepdims=True), outputs], axis=1),
        ),
        "unit_energy": (
            ("scenario", "region", "product", "year"),
            np.broadcast_to(unit[:, None], (unit.shape[0], n_r, *unit.shape[1:])).copy(),
        ),
        "nev_sales_share": (
            ("scenario", "region", "year"),
            _city_weighted(arrays["nev_sales_share"], out["vehicle_stock"][:, 1:]),
        ),
        "green_travel_share": (
            ("scenario", "region", "year"),
            _city_weighted(arrays["green_travel_share"], params["population"][None, :, None]),
        ),
    }
    for name in ("recycled_aluminium_share", "coal_supply_rate"):
        res[name] = (("scenario", "region", "year"), _to_regions(arrays[name], n_r - 1))
    for k, prod in enumerate(PRODUCTS):
        res[f"unit_energy_{prod}"] = (
            ("scenario", "region", "year"),
            res["unit_energy"][1][:, :, k],
        )
        res[f"output_{prod}"] = (("scenario", "region", "year"), res["product_output"][1][:, :, k])
    for name, spec in lever_table().items():
        if spec.group != "tracked" or name not in arrays:
            continue
        arr = arrays[name]
        if spec.regional:
            if spec.unit == "1":
                arr = _city_weighted(arr, params["land_area"][None, :, None])
            else:
                arr = np.concatenate([arr.sum(1, keepdims=True), arr], axis=1)
            res[name] = (("scenario", "region", "year"), arr)
        else:
            res[name] = (("scenario", "year"), arr)
    return res


def _attrs(info: Mapping[str, str]) -> dict[str, str]:
    return {
        "units": info["units"],
        "long_name": info["long_name"],
        "long_name_zh": info["long_name_zh"],
        "description": info["description"],
    }


def _tracked_meta(name: str) -> dict[str, str]:
    spec = LEVERS[name]
    return {
        "units": spec.unit,
        "long_name": spec.description or name,
        "long_name_zh": spec.name_zh,
        "description": f"Tracked indicator: path supplied by the scenario. {spec.description}",
    }
