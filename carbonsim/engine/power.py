"""Power: capacity, the hourly dispatch of the city's system, and how its supply is booked.

The city is one grid node (the counties' plants pool their output).  For every scenario and
year the hourly dispatch on representative days (:mod:`carbonsim.engine.dispatch`) decides
generation, storage, exchange with the Ningxia grid, the 宁电入湘 line and curtailment; this
module prepares its inputs, allocates its city totals back to the counties and books the
electricity consumed under one of two accountings (``docs/model.md``):

* ``grid_attributed`` (default, the reading of the plan's 消纳比重 targets): the city draws its
  electricity from the Ningxia grid at the grid's shares (the region's 消纳责任权重 path), except
  the local wind and solar contracted to local consumers (distributed PV, 绿电园区), which count
  where they are consumed hour by hour;
* ``local_first``: the city is its own balancing area: its wind, solar, hydro and biomass serve
  local load first, hour by hour; only imports carry the grid's shares.
"""

from __future__ import annotations

import numpy as np

from carbonsim.constants import TECHS, TWH_PER_GWH
from carbonsim.engine import dispatch as hourly
from carbonsim.engine.arith import broadcast, ratio
from carbonsim.engine.axes import GEN_TECHS, REGION, T

__all__ = [
    "ACCOUNTINGS",
    "allocate",
    "available",
    "balance",
    "capacity",
    "consumed_mix",
    "dispatch_inputs",
]

ACCOUNTINGS = ("grid_attributed", "local_first")
HOURS_PER_YEAR = 8760.0


def capacity(lv, p):
    """Installed capacity (S, R, tech, Y) [GW]; battery power follows the storage ratio."""
    parts = []
    for tech in TECHS:
        if tech == "battery":
            ne = lv["wind_capacity"] + lv["solar_capacity"]
            parts.append(ne * lv["storage_ratio"][:, None, :])
        else:
            parts.append(lv[f"{tech}_capacity"])
    return np.stack(parts, axis=2)


def available(cap, lv):
    """Generation each plant could deliver (S, R, tech, Y) [TWh]: capacity x utilisation hours
    (wind and solar before curtailment; coal and gas at their scheduled hours)."""
    out = np.zeros_like(cap)
    for tech in GEN_TECHS:
        out[:, :, T[tech]] = cap[:, :, T[tech]] * lv[f"{tech}_hours"][:, None, :] * TWH_PER_GWH
    return out


def _flat(x):
    """(S, Y) -> (S*Y,): one dispatch element per scenario and year."""
    return np.ascontiguousarray(x).reshape(-1)


def dispatch_inputs(cap, lv, p):
    """The per-system arguments of :func:`carbonsim.engine.dispatch.dispatch` (S, Y) each.

    Parameters
    ----------
    cap : ndarray (S, R, tech, Y) [GW]
        Installed capacity (:func:`capacity`).
    lv : dict
        Levers: ``*_hours`` [h], ``coal_min_stable``, ``gas_min_stable`` [1], ``storage_hours``,
        ``pumped_hydro_hours`` [h], ``uhvdc_export`` [TWh], ``uhvdc_renewable_share`` [1],
        ``grid_exchange_ratio`` [GW per GW of generating capacity].
    p : dict
        ``battery_efficiency``, ``pumped_hydro_efficiency`` [1, round trip].

    Returns
    -------
    dict of ndarray (S, Y)
        Capacities [GW], utilisation hours [h], storage energy [GWh], efficiencies and shares
        [1], the UHVDC flow [TWh] and the exchange limit [GW], city-wide.
    """
    n, n_y = cap.shape[0], cap.shape[-1]
    city = cap.sum(axis=REGION)  # (S, tech, Y)
    gen_cap = city[:, [T[t] for t in GEN_TECHS]].sum(axis=1)
    args = {f"{t}_gw": city[:, T[t]] for t in GEN_TECHS}
    args |= {f"{t}_hours": lv[f"{t}_hours"] for t in GEN_TECHS}
    args |= {
        "coal_min_stable": lv["coal_min_stable"],
        "gas_min_stable": lv["gas_min_stable"],
        "battery_gw": city[:, T["battery"]],
        "battery_gwh": (cap[:, :, T["battery"]] * lv["storage_hours"][:, None]).sum(axis=REGION),
        "battery_eff": p["battery_efficiency"],
        "phs_gw": city[:, T["pumped_hydro"]],
        "phs_gwh": city[:, T["pumped_hydro"]] * lv["pumped_hydro_hours"],
        "phs_eff": p["pumped_hydro_efficiency"],
        "uhvdc_twh": lv["uhvdc_export"],
        "uhvdc_renewable_share": lv["uhvdc_renewable_share"],
        "grid_limit_gw": lv["grid_exchange_ratio"] * gen_cap,
    }
    return {k: broadcast(v, (n, n_y)) for k, v in args.items()}


def balance(cap, lv, p, demand, hourly_index=None):
    """The hourly dispatch of the city's system for every scenario and year.

    Parameters
    ----------
    cap, lv : see :func:`dispatch_inputs`
    p : dict
        As for :func:`dispatch_inputs`, plus ``profiles``
        (:class:`~carbonsim.baseline.profiles.Profiles`: shapes and day weights).
    demand : dict of ndarray (S, Y) [TWh]
        City demand by class, grid losses included.
    hourly_index : int, optional
        ``scenario * n_years + year index`` of one system whose hourly series to return too.

    Returns
    -------
    dict of ndarray (S, Y)
        The dispatch's outputs (``carbonsim.engine.dispatch.OUTPUTS``) [TWh, GW, 1, 1/yr]; with
        *hourly_index* also ``hourly_*`` (day, hour) [GW].
    """
    n, n_y = cap.shape[0], cap.shape[-1]
    args = dispatch_inputs(cap, lv, p)
    profiles = p["profiles"]
    out = hourly.dispatch(
        dict(profiles),
        profiles.weights,
        {k: _flat(broadcast(v, (n, n_y))) for k, v in demand.items()},
        **{k: _flat(v) for k, v in args.items()},
        hourly_index=hourly_index,
    )
    return {k: (v if k.startswith("hourly_") else v.reshape(n, n_y)) for k, v in out.items()}


def allocate(city_total, weight):
    """A city total (S, Y) shared over the counties by *weight* (S, R, Y) -> (S, R, Y)."""
    return ratio(weight, weight.sum(axis=REGION, keepdims=True)) * city_total[:, None]


def consumed_mix(flows, consumption, lv, accounting="grid_attributed"):
    """Shares of the electricity consumed in the city (S, Y) [1].

    Parameters
    ----------
    flows : dict of ndarray (S, Y)
        Dispatch outputs [TWh].
    consumption : ndarray (S, Y) [TWh]
        Local consumption: demand with grid losses plus storage losses (charged from wind and
        solar, so booked as theirs).
    lv : dict
        ``grid_nonhydro_renewable_share``, ``grid_import_non_fossil_share`` (the Ningxia grid's
        shares) and ``local_green_supply_share`` (share of the city's hour-matched local wind and
        solar contracted to local consumers) [1].
    accounting : {"grid_attributed", "local_first"}

    Returns
    -------
    dict of ndarray (S, Y): ``non_fossil``, ``nhre`` (non-hydro renewable), ``coal``, ``gas``
    [1]; ``nhre_grid_attributed``, ``nhre_local_first`` [1] (both readings, whichever is
    chosen); ``supply``: TWh of the consumption met by local ``coal`` and ``gas`` plants and by
    the ``grid`` at its average emission factor.
    """
    losses = np.maximum(consumption - flows["local_load"], 0.0)
    vre = flows["vre_local"] + losses
    bio, hydro, imports = flows["biomass_local"], flows["hydro_local"], flows["imports"]
    grid_nhre, grid_nf = lv["grid_nonhydro_renewable_share"], lv["grid_import_non_fossil_share"]
    thermal = np.maximum(consumption - vre - bio - hydro - imports, 0.0)
    coal_part = ratio(flows["gen_coal"], flows["gen_coal"] + flows["gen_gas"], empty=1.0)
    local = {
        "nhre": ratio(vre + bio + grid_nhre * imports, consumption),
        "non_fossil": ratio(vre + bio + hydro + grid_nf * imports, consumption),
        "coal": ratio(thermal * coal_part + (1.0 - grid_nf) * imports, consumption),
        "gas": ratio(thermal * (1.0 - coal_part), consumption),
    }
    # grid-attributed: consumers' electricity (storage losses aside: the city's own wind and
    # solar charge the storage) comes from the grid, but for what is contracted locally
    demand = consumption - losses
    contracted = np.minimum(lv["local_green_supply_share"] * flows["vre_local"], demand)
    from_grid = demand - contracted
    grid = {
        "nhre": ratio(contracted + grid_nhre * from_grid, demand),
        "non_fossil": ratio(contracted + losses + grid_nf * from_grid, consumption),
        "coal": ratio((1.0 - grid_nf) * from_grid, consumption),
        "gas": np.zeros_like(consumption),
    }
    # what the consumed electricity's CO2 rests on [TWh]: local plants, or the grid's average
    if accounting == "grid_attributed":
        mix, supply = grid, {"coal": 0.0, "gas": 0.0, "grid": from_grid}
    else:
        mix = local
        supply = {"coal": thermal * coal_part, "gas": thermal * (1.0 - coal_part), "grid": imports}
    return {
        **mix,
        "nhre_grid_attributed": grid["nhre"],
        "nhre_local_first": local["nhre"],
        "supply": supply,
    }
