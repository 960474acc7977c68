"""NetCDF and Zarr, written atomically, with the encodings that keep Chinese names and units.

* :func:`write_netcdf` / :func:`open_trajectories` – NetCDF-4 through h5netcdf,
* :func:`write_zarr` / :func:`open_zarr` – a Zarr store (written to a temporary folder, then
  renamed into place).

Every coordinate (``name_zh`` with 吴忠市 and the county names included), every attribute
(``units``, ``long_name``, ``long_name_zh`` …) and the dtype of string coordinates survive the
round trips.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from carbonsim.io.atomic import atomic_dir, atomic_path, ensure_space

__all__ = [
    "open_trajectories",
    "open_zarr",
    "write_netcdf",
    "write_zarr",
]

#: attribute that records the dtype of a string variable written to Zarr (removed on reading)
_STRING_DTYPE_ATTR = "_carbonsim_string_dtype"


def write_netcdf(ds: xr.Dataset, path) -> Path:
    """Write *ds* to NetCDF-4 (h5netcdf) atomically: a temporary file, then a rename.

    String coordinates (Chinese region names included) and every attribute survive the round
    trip (:func:`open_trajectories`).
    """
    path = Path(path)
    # HDF5 can crash the process when the disk fills mid-write: refuse before writing instead
    ensure_space(path, ds.nbytes)
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    return path


def open_trajectories(path) -> xr.Dataset:
    """Open trajectories written by :func:`write_netcdf` (loaded into memory, file closed)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()


# ---------------------------------------------------------------------------------------------
# Zarr
# ---------------------------------------------------------------------------------------------
def _zarr_ready(ds: xr.Dataset) -> xr.Dataset:
    """Strings as variable-length UTF-8 (Zarr v3 has no stable fixed-width unicode type).

    The original dtype (``<U4``, ``object`` …) is kept in an attribute for :func:`open_zarr`.
    """
    changed = {}
    for name, var in ds.variables.items():
        if var.dtype.kind in "UOT":
            new = var.astype(object)
            written = var.dtype.str if var.dtype.kind in "UO" else "|O"
            new.attrs = {**var.attrs, _STRING_DTYPE_ATTR: written}
            changed[name] = new
    coords = {n: v for n, v in changed.items() if n in ds.coords}
    return ds.assign_coords(coords).assign({n: v for n, v in changed.items() if n not in coords})


def _restore_strings(ds: xr.Dataset) -> xr.Dataset:
    """Undo :func:`_zarr_ready`: each string variable gets its written dtype back."""
    for name in list(ds.variables):
        var = ds.variables[name]
        written = var.attrs.get(_STRING_DTYPE_ATTR)
        if written is None:
            continue
        values = np.array(np.asarray(var.values).tolist(), dtype=np.dtype(written))
        attrs = {k: v for k, v in var.attrs.items() if k != _STRING_DTYPE_ATTR}
        new = xr.Variable(var.dims, values, attrs, var.encoding)
        if name in ds.coords:
            ds = ds.assign_coords({name: new})
        else:
            ds[name] = new
    return ds


def write_zarr(ds: xr.Dataset, path, overwrite: bool = True) -> Path:
    """Write *ds* to a Zarr store at *path*, atomically: a temporary folder, then a rename.

    Parameters
    ----------
    ds : xarray.Dataset
        Trajectories (or any dataset): every coordinate, attribute and unit is kept.
    path : str or Path
        The store (a folder, e.g. ``runs/plan.zarr``).
    overwrite : bool
        Replace an existing store (the old one is moved aside, the new one renamed into place,
        then the old one removed); ``False`` raises ``FileExistsError`` instead.

    Returns
    -------
    Path
        *path*.

    Notes
    -----
    String variables are stored as variable-length UTF-8 with their numpy dtype in an attribute
    that :func:`open_zarr` reads back, so ``<U`` and ``object`` coordinates return as they were.
    A reader other than :func:`open_zarr` sees that attribute and string values.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    with atomic_dir(path) as tmp:
        _zarr_ready(ds).to_zarr(tmp, mode="w", consolidated=False)
    return path


def open_zarr(path, chunks=None) -> xr.Dataset:
    """Open a store written by :func:`write_zarr`.

    Parameters
    ----------
    path : str or Path
        The store.
    chunks : optional
        ``None`` (default): loaded into memory.  Otherwise passed to :func:`xarray.open_dataset`
        (e.g. ``{}`` or ``"auto"``) for lazy Dask arrays; string coordinates are restored
        either way.
    """
    ds = xr.open_dataset(path, engine="zarr", consolidated=False, chunks=chunks)
    if chunks is None:
        ds = ds.load()
    return _restore_strings(ds)
