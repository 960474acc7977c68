"""Files in and out: one atomic writer, NetCDF/Zarr, and the IAMC format that pyam reads.

* :mod:`~carbonsim.io.atomic` – :func:`atomic_path`, :func:`write_text` (every writer uses them),
* :mod:`~carbonsim.io.netcdf` – :func:`write_netcdf`, :func:`open_trajectories`,
  :func:`write_zarr`, :func:`open_zarr`,
* :mod:`~carbonsim.io.iamc` – :func:`to_iamc` (:mod:`~carbonsim.io.iamc_export`),
  :func:`from_iamc` (:mod:`~carbonsim.io.iamc_import`), the variable mapping
  (:mod:`~carbonsim.io.iamc_mapping`) and the catalogue as pyam criteria
  (:mod:`~carbonsim.io.iamc_criteria`) (``docs/exchange.md``).
"""

from carbonsim.io.atomic import atomic_path, write_text
from carbonsim.io.iamc_export import to_iamc
from carbonsim.io.iamc_import import from_iamc
from carbonsim.io.netcdf import open_trajectories, open_zarr, write_netcdf, write_zarr

__all__ = [
    "atomic_path",
    "from_iamc",
    "open_trajectories",
    "open_zarr",
    "to_iamc",
    "write_netcdf",
    "write_text",
    "write_zarr",
]
