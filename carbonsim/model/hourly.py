"""One scenario's power system and its hourly dispatch, for charts and checks.

:func:`power_system` gives what the dispatch of one year is given (capacities, hours, storage,
demand by class); :func:`hourly_dispatch` its hourly series on the representative days.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim import engine
from carbonsim.baseline.cache import resolve_baseline
from carbonsim.constants import FIRST_YEAR, LAST_YEAR
from carbonsim.errors import LeverError
from carbonsim.inputs.coerce import as_batch
from carbonsim.model.arrays import batch_arrays
from carbonsim.model.parameters import engine_parameters
from carbonsim.regions import regions_of

__all__ = ["hourly_dispatch", "power_system"]

#: GW -> 万千瓦 (the plan's unit)
WAN_KW_PER_GW = 100.0


def _one(scenario, year: int, baseline):
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise LeverError(f"year {year} is outside the horizon {FIRST_YEAR}–{LAST_YEAR}")
    ds = resolve_baseline(baseline)
    batch = as_batch(scenario, regions_of(ds))
    if batch.n != 1:
        raise LeverError(f"one scenario at a time, got a batch of {batch.n}")
    years = list(range(FIRST_YEAR, int(year) + 1))
    return batch_arrays(batch, years, ds), engine_parameters(ds), len(years) - 1, batch


def power_system(scenario=None, year: int = 2030, baseline=None) -> tuple[dict, dict]:
    """The city's power system in *year* as the hourly dispatch sees it.

    Returns
    -------
    system : dict of float
        Capacities [GW], utilisation hours [h], storage energy [GWh], efficiencies, minimum
        stable output and the UHVDC renewable share [1], UHVDC flow [TWh], exchange limit [GW].
    demand : dict of float
        Electricity demand by class [TWh], grid losses included.
    """
    arrays, params, index, _ = _one(scenario, year, baseline)
    system, demand = engine.power_system(arrays, params)
    return (
        {k: float(v[0, index]) for k, v in system.items()},
        {k: float(v[0, index]) for k, v in demand.items()},
    )


def hourly_dispatch(scenario=None, year: int = 2030, baseline=None, **options) -> xr.Dataset:
    """The hourly dispatch of one scenario's *year* on the representative days.

    Parameters
    ----------
    scenario : Scenario, dict, path or None
        One scenario (any input :func:`carbonsim.simulate` takes).
    year : int
        The year [2020–2060].
    baseline : Dataset or path, optional
    **options
        ``accounting`` (``"grid_attributed"`` or ``"local_first"``), as for simulate.

    Returns
    -------
    xarray.Dataset
        Dims ``(day, hour)``: every flow of the dispatch [万千瓦] (load, wind, solar, their
        available output, hydro, biomass, coal, gas, battery and pumped-hydro charge and
        discharge, state of charge [万千瓦时], imports, exports, UHVDC, curtailment, unserved),
        and ``weight`` [days] of each representative day.
    """
    arrays, params, index, batch = _one(scenario, year, baseline)
    _, series = engine.run(arrays, params, hourly_index=index, **options)
    profiles = params["profiles"]
    n_days = len(profiles.weights)
    coords = {"day": np.arange(n_days), "hour": np.arange(24), "month": ("day", profiles.months)}
    data = {}
    for name, values in series.items():
        unit = "万千瓦时" if name.startswith("soc_") else "万千瓦"
        data[name] = (("day", "hour"), values * WAN_KW_PER_GW, {"units": unit})
    data["weight"] = ("day", profiles.weights, {"units": "days"})
    return xr.Dataset(
        data,
        coords=coords,
        attrs={"scenario": batch.ids[0], "year": int(year), "profiles": profiles.source},
    )
