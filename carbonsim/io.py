"""Files in and out: NetCDF (atomic), and the encodings that keep Chinese names and units intact."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import xarray as xr

__all__ = ["open_trajectories", "write_netcdf"]


def write_netcdf(ds: xr.Dataset, path) -> Path:
    """Write *ds* to NetCDF-4 (h5netcdf) atomically: a temporary file, then a rename.

    String coordinates (Chinese region names included) and every attribute survive the round
    trip (:func:`open_trajectories`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def open_trajectories(path) -> xr.Dataset:
    """Open trajectories written by :func:`write_netcdf` (loaded into memory, file closed)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()
