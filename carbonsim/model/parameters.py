"""Baseline -> engine: the plain arrays the kernels read, and the 2020 values of the levers."""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim.baseline.cache import per_dataset
from carbonsim.baseline.profiles import load_profiles
from carbonsim.constants import (
    FUELS,
    KG_PER_1E4T,
    PRODUCTS,
    SECTORS,
    TWH_PER_10KTCE_ELECTRICITY,
    TWH_PER_KWH,
)
from carbonsim.errors import BaselineError
from carbonsim.regions import regions_of

__all__ = ["engine_parameters", "lever_starts"]


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


@per_dataset
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
        "hydrogen_electricity_twh_per_1e4t": _scalar(ds, "hydrogen_electricity")
        * KG_PER_1E4T
        * TWH_PER_KWH,
        "profiles": load_profiles(),
        **_capacity_parameters(ds, n_counties),
    }
    return p


def _capacity_parameters(ds: xr.Dataset, n_counties: int) -> dict[str, np.ndarray]:
    """2020 production capacity (county, product) [1e4 t] and its stock rules (product,).

    A baseline without capacity rows (another city's, an older file) gets capacity 0, which
    the stock reads as "what the 2020 output needs at the highest utilisation"; without the
    parameters, utilisation up to 1 and no retirement.
    """
    if "product_capacity" in ds:
        cap = ds["product_capacity"].sel(region=list(regions_of(ds).counties))
        cap = np.nan_to_num(np.asarray(cap.reindex(product=list(PRODUCTS)).values, dtype=float))
    else:
        cap = np.zeros((n_counties, len(PRODUCTS)))
    rules = {"capacity_max_utilisation": 1.0, "capacity_retirement_rate": 0.0}
    out = {
        name: _vector(ds, name, PRODUCTS, fill) if name in ds else np.full(len(PRODUCTS), fill)
        for name, fill in rules.items()
    }
    bad = [(p, u) for p, u in zip(PRODUCTS, out["capacity_max_utilisation"], strict=True) if u <= 0]
    if bad:
        raise BaselineError(
            f"baseline: capacity_max_utilisation of {bad[0][0]!r} is {bad[0][1]:g}; give the "
            "highest sustained output / capacity, a share above 0 (e.g. 0.9)"
        )
    return {"product_capacity": cap, **out}


@per_dataset
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
        "grid_nonhydro_renewable_share": _scalar(ds, "nhre_consumption_share_2020"),
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
