"""Files in and out: NetCDF and Zarr (atomic), IAMC tables, and the encodings that keep Chinese
names and units intact.

* :func:`write_netcdf` / :func:`open_trajectories` – NetCDF-4 through h5netcdf,
* :func:`write_zarr` / :func:`open_zarr` – a Zarr store (written to a temporary folder, then
  renamed into place),
* :func:`to_iamc` / :func:`from_iamc` – the IAMC long format that pyam reads
  (:mod:`carbonsim.iamc`; ``docs/exchange.md``).

Every coordinate (``name_zh`` with 吴忠市 and the county names included), every attribute
(``units``, ``long_name``, ``long_name_zh`` …) and the dtype of string coordinates survive the
round trips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import xarray as xr

from .iamc import from_iamc, to_iamc

__all__ = [
    "atomic_path",
    "from_iamc",
    "open_trajectories",
    "open_zarr",
    "to_iamc",
    "write_netcdf",
    "write_zarr",
]

#: attribute that records the dtype of a string variable written to Zarr (removed on reading)
_STRING_DTYPE_ATTR = "_carbonsim_string_dtype"


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary file path beside *path*; rename it to *path* if the block succeeds.

    The temporary name keeps the suffix (writers that choose a format by suffix still work).
    On an error the temporary file is removed and *path* is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_netcdf(ds: xr.Dataset, path) -> Path:
    """Write *ds* to NetCDF-4 (h5netcdf) atomically: a temporary file, then a rename.

    String coordinates (Chinese region names included) and every attribute survive the round
    trip (:func:`open_trajectories`).
    """
    path = Path(path)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        _zarr_ready(ds).to_zarr(tmp, mode="w", consolidated=False)
        _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _swap_into_place(new: Path, path: Path) -> None:
    """Rename the folder *new* to *path*, replacing what is there (restored on failure)."""
    if not path.exists():
        os.replace(new, path)
        return
    old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    os.rmdir(old)
    os.replace(path, old)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(old, path)
        raise
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


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
