"""Engine output -> a labelled ``xarray.Dataset`` with units and bilingual names (city first)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from carbonsim.constants import PRODUCTS
from carbonsim.definitions.levers import lever_table
from carbonsim.definitions.variables import (
    EXTRA_DIMS,
    tracked_metadata,
    variable_attrs,
    variable_metadata,
)
from carbonsim.regions import WUZHONG, RegionSet

__all__ = ["SharedCoordinates", "coordinate_entries", "dataset_on", "lever_variables", "wrap"]


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
    dtype=np.float64,
) -> xr.Dataset:
    """Engine output -> labelled Dataset with units and bilingual names (city first).

    Every float variable is given *dtype* (rounded from float64 once: the engine's outputs come
    in it already, but for the weights of the levers reported as trajectories).
    """
    kind = np.dtype(dtype)
    wanted = None if variables is None else set(variables)
    data = {}
    for name, arr in out.items():
        if wanted is None or name in wanted:
            dims, var_attrs = _engine_layout(name)
            if arr.ndim != len(dims):
                raise ValueError(f"{name}: array {arr.shape} does not match dims {dims}")
            data[name] = xr.Variable(dims, _rounded(arr, kind), dict(var_attrs), fastpath=True)
    for name, (dims, arr) in lever_variables(arrays, out, params).items():
        if wanted is None or name in wanted:
            data[name] = xr.Variable(
                dims, _rounded(arr, kind), dict(_lever_attrs(name)), fastpath=True
            )
    fixed = _fixed_coords(_regions_key(regions), tuple(int(y) for y in years))
    used = {d for v in data.values() for d in v.dims}
    unused = {k for k, v in fixed.variables.items() if set(v.dims) & set(EXTRA_DIMS) - used}
    coords = fixed.entries(drop=unused)
    coords |= _scenario_coords(tuple(ids)).entries()
    ds_attrs = {
        "title": "carbonsim trajectories",
        "model": "carbonsim",
        "electricity_method": method,
        "price_basis": "constant 2020 prices",
        "city": regions.city,
        **(attrs or {}),
    }
    return dataset_on(data, coords, ds_attrs)


@dataclass(frozen=True)
class SharedCoordinates:
    """Coordinates that many results are built on: read-only variables and their indexes.

    Built once (:meth:`of`); :meth:`entries` gives what :func:`dataset_on` takes, with fresh
    shallow copies of the variables (each result its own attrs) and the indexes shared (they are
    immutable).  Reading ``xindexes`` and building pandas indexes was most of the time of
    labelling a single scenario's result.
    """

    variables: Mapping[str, xr.Variable]
    indexes: Mapping[str, object]

    @classmethod
    def of(cls, coords: xr.Coordinates) -> SharedCoordinates:
        """The shared form of *coords*; their arrays are made read-only."""
        for name in coords:
            coords[name].variable.data.flags.writeable = False
        indexes = coords.xindexes  # built anew on each access: once, not once per coordinate
        return cls(dict(coords.variables), {k: indexes.get(k) for k in coords.variables})

    def entries(self, drop=frozenset()) -> dict:
        """Each coordinate but *drop* as (a shallow copy of its Variable, its index or None)."""
        return {
            name: (var.copy(deep=False), self.indexes[name])
            for name, var in self.variables.items()
            if name not in drop
        }


def coordinate_entries(ds: xr.Dataset, names) -> dict:
    """The coordinates *names* of *ds* (those it has) as the (Variable, index or None) that
    :func:`dataset_on` takes; each Variable a shallow copy (its own attrs, the data shared).

    Read from the Dataset's own variables and indexes: ``ds.coords.variables`` sifts every
    variable of the Dataset (~0.2 ms for a single run's trajectories)."""
    variables, indexes = ds.variables, ds.xindexes
    return {
        name: (variables[name].copy(deep=False), indexes.get(name))
        for name in names
        if name in variables
    }


def dataset_on(data: dict[str, xr.Variable], coords: dict, attrs: dict) -> xr.Dataset:
    """A Dataset of *data* on *coords* without xarray's merge and alignment.

    For results whose every variable is built on exactly these coordinates (the engine's output,
    the feasibility table), so there is nothing to align: for a single scenario the merge was
    most of the time of labelling it (3 ms of ~4 ms) and of the feasibility table (3 of ~5 ms).
    Sizes are checked: a variable whose dim disagrees with another's raises ValueError.
    ``Dataset._construct_direct`` is xarray's own constructor for that case, used throughout
    xarray; the public constructor is the fallback, and ``tests/test_wrap.py`` checks both give
    identical Datasets.

    *coords* maps each coordinate's name to its (Variable, index or None).
    """
    variables = {name: var for name, (var, _) in coords.items()}
    indexes = {name: index for name, (_, index) in coords.items() if index is not None}
    construct = getattr(xr.Dataset, "_construct_direct", None)
    if construct is None:  # pragma: no cover - an xarray without it
        return xr.Dataset(data, coords=xr.Coordinates(variables, indexes), attrs=attrs)
    sizes: dict[str, int] = {}
    for name, var in (*variables.items(), *data.items()):
        for dim, size in zip(var.dims, var.shape, strict=True):
            if sizes.setdefault(dim, size) != size:
                raise ValueError(f"{name}: size {size} of dim {dim!r} is not {sizes[dim]}")
    return construct({**variables, **data}, set(variables), sizes, attrs, indexes)


def _rounded(array: np.ndarray, kind: np.dtype) -> np.ndarray:
    """A float *array* in *kind* (itself when it is already)."""
    return array if array.dtype == kind or array.dtype.kind != "f" else array.astype(kind)


@functools.cache
def _engine_layout(name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """(dims, attrs) of an engine variable, from ``data/variables.csv`` (read once)."""
    info = variable_metadata().get(name)
    if info is None:
        raise KeyError(f"engine variable {name!r} has no entry in data/variables.csv")
    extra = [d for d in info["dims"].split(",") if d]
    return ("scenario", "region", *extra, "year"), variable_attrs(info)


@functools.cache
def _lever_attrs(name: str) -> dict[str, str]:
    """Attributes of a lever reported as a trajectory (its row, or a tracked indicator's)."""
    return variable_attrs(variable_metadata().get(name) or tracked_metadata(name))


def _regions_key(regions: RegionSet) -> tuple:
    """A hashable key of a region set, display names included (its own hash leaves them out)."""
    names = tuple(sorted(regions.names_zh.items())), tuple(sorted(regions.names_en.items()))
    return (regions.city, regions.counties, *names)


@functools.lru_cache(maxsize=16)
def _fixed_coords(regions_key: tuple, years: tuple[int, ...]) -> SharedCoordinates:
    """The coordinates every result shares but the scenarios (built once: building the
    pandas indexes is most of the time of labelling a single scenario's result).

    Their arrays are read-only, since every result of the same regions and years holds them.
    """
    city, counties, names_zh, names_en = regions_key
    regions = RegionSet(city, counties, dict(names_zh), dict(names_en))
    coords = xr.Coordinates(
        {
            **regions.coords(),
            "year": list(years),
            **{dim: list(values) for dim, values in EXTRA_DIMS.items()},
        }
    )
    return SharedCoordinates.of(coords)


def _scenario_axis(ids: tuple[str, ...]) -> SharedCoordinates:
    """The scenario axis of *ids*."""
    return SharedCoordinates.of(xr.Coordinates({"scenario": list(ids)}))


#: the last few small scenario axes (a notebook or a slider relabels the same one or few
#: scenarios again and again)
_kept_scenario_axis = functools.lru_cache(maxsize=16)(_scenario_axis)
#: scenario axes up to this length are kept by their ids
_SMALL_AXIS = 64


def _scenario_coords(ids: tuple[str, ...]) -> SharedCoordinates:
    """The scenario axis of *ids*, a kept one when it is small."""
    return _kept_scenario_axis(ids) if len(ids) <= _SMALL_AXIS else _scenario_axis(ids)


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
