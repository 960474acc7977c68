"""The IAMC long format (what pyam reads): export, import, and the plan's targets as pyam criteria.

* :func:`to_iamc` – trajectories to a table with the columns ``model, scenario, region, variable,
  unit, year, value``, IAMC variable names (``Emissions|CO2``, ``Primary Energy|Coal`` …) and
  IAMC units (``Mt CO2/yr``, ``EJ/yr``, ``GW`` …); as a DataFrame, ``.csv`` or ``.xlsx``.
* :func:`from_iamc` – such a table (or a pyam ``IamDataFrame``) back to an ``xarray.Dataset``.
* :func:`catalogue_to_pyam_criteria` and :func:`validate` – the catalogue's value records as
  bounds for ``pyam.IamDataFrame.validate``.

This module gathers the names of four modules, one concept each:

* :mod:`~carbonsim.io.iamc_mapping` – the columns, the variable mapping table
  (``carbonsim/data/iamc_variables.csv``), region names, :data:`AGGREGATES`, :class:`IamcError`,
* :mod:`~carbonsim.io.iamc_export` – :func:`to_iamc`,
* :mod:`~carbonsim.io.iamc_import` – :func:`from_iamc`,
* :mod:`~carbonsim.io.iamc_criteria` – :func:`catalogue_to_pyam_criteria`, :func:`validate`.

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

from carbonsim.io.iamc_criteria import ROUNDING as ROUNDING
from carbonsim.io.iamc_criteria import PyamCriteria, catalogue_to_pyam_criteria, validate
from carbonsim.io.iamc_export import UNIT_SYSTEMS as UNIT_SYSTEMS
from carbonsim.io.iamc_export import to_iamc
from carbonsim.io.iamc_import import from_iamc
from carbonsim.io.iamc_mapping import (
    AGGREGATES,
    IAMC_COLUMNS,
    IamcError,
    IamcVariable,
    iamc_region,
    iamc_variables,
    mapping_table,
    region_id,
)

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
