"""Power: generation by technology, storage, local absorption of wind and solar, trade.

Dispatch is city-wide (one grid node): the counties' plants pool their output and every county
draws the same mix.  Order of use, each step a closed-form min/max so that it vectorises:

1. wind and solar output after curtailment, ``W``; the UHVDC line (宁电入湘, rated flow ``X``,
   renewable share ``r``) takes ``X_nf = min(r·X, W)`` of it first, and ``(1 − r)·X`` of fossil
   power;
2. local demand ``D`` (final electricity x (1 + losses)) absorbs wind and solar directly up to a
   saturating ceiling ``a·D·(1 - exp(-W'/(a·D)))`` (``a`` = ``vre_absorption_limit``: hourly
   mismatch caps what wind and solar can serve without storage);
3. storage (battery + pumped hydro) moves surplus wind and solar into demand:
   ``shift = min(E·cycles·η, (W' - direct)·η, D - direct)``; its losses ``shift·(1/η - 1)`` are
   local consumption too;
4. hydro and biomass serve what is left, then local coal and gas (their output is
   capacity x utilisation hours, less the fossil part of UHVDC exports), then imports from the
   Ningxia grid with its non-fossil share; surplus flows out as other exports.

The balance ``generation + imports = demand + losses + exports`` holds by construction.
"""

from __future__ import annotations

import numpy as np

from carbonsim.constants import TECHS
from carbonsim.engine.arith import ratio
from carbonsim.engine.axes import GEN_TECHS, T


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


def generation(cap, lv):
    """Generation by technology (S, R, tech, Y) [TWh]; storage techs generate nothing here."""
    gen = np.zeros_like(cap)
    for tech in GEN_TECHS:
        hours = lv[f"{tech}_hours"]
        if tech in ("wind", "solar"):
            hours = hours * (1.0 - lv[f"{tech}_curtailment"])
        gen[:, :, T[tech]] = cap[:, :, T[tech]] * hours[:, None, :] / 1000.0
    return gen


def dispatch(gen_city, demand, storage_energy, eta, lv):
    """City-wide supply of local demand.

    Parameters
    ----------
    gen_city : ndarray (S, tech, Y) [TWh]
    demand : ndarray (S, Y) [TWh]
        Final electricity x (1 + grid losses), before storage losses.
    storage_energy : ndarray (S, Y) [GWh]
        Battery plus pumped-hydro energy capacity.
    eta : ndarray (S, Y) [1]
        Round-trip efficiency of that storage (energy-weighted).

    Returns
    -------
    dict of ndarray (S, Y) [TWh]: ``vre_local``, ``firm_local``, ``fossil_local``,
    ``imports``, ``imports_local``, ``uhvdc_export``, ``other_export``, ``storage_losses``,
    ``storage_shift``, ``biomass_local``.
    """
    w = gen_city[:, T["wind"]] + gen_city[:, T["solar"]]
    firm = gen_city[:, T["hydro"]] + gen_city[:, T["biomass"]]
    fossil = gen_city[:, T["coal"]] + gen_city[:, T["gas"]]
    # the line's fossil part is (1 - r) of its rated flow; its renewable part is r of it as far
    # as the city's wind and solar allow (the line carries less when they fall short)
    share = lv["uhvdc_renewable_share"]
    x_nf = np.minimum(share * lv["uhvdc_export"], w)
    x_fos = (1.0 - share) * lv["uhvdc_export"]
    x = x_nf + x_fos
    w_avail = w - x_nf
    a = lv["vre_absorption_limit"]
    ad = a * demand
    direct = np.where(ad > 0, ad * -np.expm1(-ratio(w_avail, ad)), 0.0)
    direct = np.minimum(direct, np.minimum(w_avail, demand))
    shift = np.minimum.reduce(
        [
            storage_energy * lv["storage_cycles"] * eta / 1000.0,
            (w_avail - direct) * eta,
            demand - direct,
        ]
    )
    shift = np.maximum(shift, 0.0)
    losses = ratio(shift, eta) - shift
    vre_local = direct + shift + losses
    firm_local = np.minimum(firm, demand - direct - shift)
    rest = demand - direct - shift - firm_local
    fossil_avail = np.maximum(fossil - x_fos, 0.0)
    fossil_local = np.minimum(fossil_avail, rest)
    imports_local = rest - fossil_local
    imports = imports_local + np.maximum(x_fos - fossil, 0.0)
    other_export = (w_avail - vre_local) + (firm - firm_local) + (fossil_avail - fossil_local)
    biomass_local = firm_local * ratio(gen_city[:, T["biomass"]], firm)
    return {
        "vre_local": vre_local,
        "firm_local": firm_local,
        "biomass_local": biomass_local,
        "fossil_local": fossil_local,
        "imports": imports,
        "imports_local": imports_local,
        "uhvdc_export": x,
        "other_export": other_export,
        "storage_losses": losses,
        "storage_shift": shift,
        "coal_local": fossil_local * ratio(gen_city[:, T["coal"]], fossil),
    }


def consumed_mix(flows, demand_total, lv):
    """Shares of the electricity consumed locally (S, Y) [1]: non-fossil, non-hydro renewable, coal.

    Imports carry the grid's non-fossil share (counted as non-hydro renewable: Ningxia's hydro is
    under 1 % of its capacity) and are otherwise coal.
    """
    m = lv["grid_import_non_fossil_share"]
    imp = flows["imports_local"]
    non_fossil = flows["vre_local"] + flows["firm_local"] + m * imp
    nhre = flows["vre_local"] + flows["biomass_local"] + m * imp
    coal = flows["coal_local"] + (1.0 - m) * imp
    gas = flows["fossil_local"] - flows["coal_local"]
    return {
        "non_fossil": ratio(non_fossil, demand_total),
        "nhre": ratio(nhre, demand_total),
        "coal": ratio(coal, demand_total),
        "gas": ratio(gas, demand_total),
    }
