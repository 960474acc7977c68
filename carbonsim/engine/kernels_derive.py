"""Totals, shares and intensities of the city-first arrays in one compiled pass.

:func:`derived` computes what ``core._derive_energy``, ``_derive_co2``, ``_derive_intensities``,
``_derive_capacity`` and ``_derive_ratios`` computed with numpy (the same sums, in axis order,
and :func:`~carbonsim.engine.arith.ratio`'s rule ``x/0 -> 0``), for the city and every county,
into one block of memory; groups of outputs not asked for are not computed.
"""

from __future__ import annotations

import numpy as np
from numba import types

from carbonsim.constants import KG_PER_TKM_PER_1E4T_PER_1E8TKM
from carbonsim.engine.axes import T
from carbonsim.engine.scalar import IN, OUT, allocate, compile_kernel
from carbonsim.engine.scalar import ratio as ratio1

__all__ = ["GROUPS", "derived"]

#: output groups (the kernel's flags) -> their outputs
GROUPS = {
    "energy": ("energy_consumption", "fossil_energy", "coal_share", "non_fossil_share"),
    "co2": ("co2_territorial", "co2_assessment", "co2_consumption", "co2"),
    "co2_net": ("co2_net",),
    "energy_intensity": ("energy_intensity", "energy_intensity_change"),
    "co2_intensity": ("co2_intensity", "co2_intensity_change"),
    "coal_intensity": ("coal_intensity", "coal_intensity_change"),
    "industry_energy_intensity": ("industry_energy_intensity",),
    "capacity": ("new_energy_capacity", "storage_to_new_energy_ratio", "storage_duration"),
    "freight_co2_intensity": ("freight_co2_intensity",),
    "nev_stock_share": ("nev_stock_share",),
}
NAMES = tuple(name for names in GROUPS.values() for name in names)
(G_ENERGY, G_CO2, G_NET, G_EINT, G_CINT, G_COALINT, G_IND, G_CAP, G_FREIGHT,
 G_NEV) = range(len(GROUPS))  # fmt: skip
N_INDUSTRY = 7  # the industry sectors lead the sector axis
T_WIND, T_SOLAR, T_BATTERY = T["wind"], T["solar"], T["battery"]
KG_TKM = KG_PER_TKM_PER_1E4T_PER_1E8TKM


def _kernel(primary, src, trade, co2_el, sink, gdp, by_sector, va, cap, battery, freight,  # noqa: C901
            turnover, nev, stock, flags, basis, shape, out):  # fmt: skip
    (energy, fossil, coal_share, nf_share, terr, assess, cons, co2, net, e_int, e_chg, c_int,
     c_chg, coal_int, coal_chg, ind_int, ne, s2ne, duration, fr_int, nev_share) = out  # fmt: skip
    n, n_r, n_y = shape
    with_energy = flags[G_ENERGY] or flags[G_EINT] or flags[G_COALINT]
    with_co2 = flags[G_CO2] or flags[G_NET] or flags[G_CINT]
    e = chosen = g = 0.0
    for s in range(n):
        for r in range(n_r):
            for t in range(n_y):
                if with_energy:
                    e = primary[s, r, 0, t] + primary[s, r, 1, t] + primary[s, r, 2, t]
                    e_fossil = e
                    e = e + primary[s, r, 3, t]
                if flags[G_ENERGY]:
                    energy[s, r, t] = e
                    fossil[s, r, t] = e_fossil
                    coal_share[s, r, t] = ratio1(primary[s, r, 0, t], e, 0.0)
                    nf_share[s, r, t] = ratio1(primary[s, r, 3, t], e, 0.0)
                if with_co2:
                    a, b, c, d = src[s, r, 0, t], src[s, r, 1, t], src[s, r, 2, t], src[s, r, 3, t]
                    territorial = a + b + c + d
                    assessment = territorial + trade[s, r, t]
                    consumption = a + b + d + co2_el[s, r, t]
                    chosen = (consumption, assessment, territorial)[basis]
                if flags[G_CO2]:
                    terr[s, r, t], assess[s, r, t] = territorial, assessment
                    cons[s, r, t], co2[s, r, t] = consumption, chosen
                if flags[G_NET]:
                    sinks = sink[s, r, 0, t] + sink[s, r, 1, t] + sink[s, r, 2, t]
                    net[s, r, t] = chosen - sinks
                if flags[G_EINT] or flags[G_CINT] or flags[G_COALINT]:
                    g = gdp[s, r, t]
                for flag, num, x in ((G_EINT, e, e_int), (G_CINT, chosen, c_int),
                                     (G_COALINT, primary[s, r, 0, t], coal_int)):  # fmt: skip
                    if flags[flag]:
                        x[s, r, t] = ratio1(num, g, 0.0)
                if flags[G_IND]:
                    ind = by_sector[s, r, 0, t]
                    for k in range(1, N_INDUSTRY):
                        ind += by_sector[s, r, k, t]
                    ind_int[s, r, t] = ratio1(ind, va[s, r, 1, t], 0.0)
                if flags[G_CAP]:
                    new_energy = cap[s, r, T_WIND, t] + cap[s, r, T_SOLAR, t]
                    ne[s, r, t] = new_energy
                    s2ne[s, r, t] = ratio1(cap[s, r, T_BATTERY, t], new_energy, 0.0)
                    duration[s, r, t] = ratio1(battery[s, r, t], cap[s, r, T_BATTERY, t], 0.0)
                if flags[G_FREIGHT]:
                    fr_int[s, r, t] = ratio1(freight[s, r, t], turnover[s, r, t], 0.0) * KG_TKM
                if flags[G_NEV]:
                    nev_share[s, r, t] = ratio1(nev[s, r, t], stock[s, r, t], 0.0)
            for flag, x, change in ((G_EINT, e_int, e_chg), (G_CINT, c_int, c_chg),
                                    (G_COALINT, coal_int, coal_chg)):  # fmt: skip
                if flags[flag]:
                    first = x[s, r, 0]
                    for t in range(n_y):
                        change[s, r, t] = ratio1(x[s, r, t], first, 0.0) - 1.0


_compiled = compile_kernel(
    _kernel,
    IN[4], IN[4], IN[3], IN[3], IN[4], IN[3], IN[4], IN[4], IN[4], IN[3], IN[3], IN[3], IN[3],
    IN[3], types.Array(types.int64, 1, "A", readonly=True), types.int64,
    types.UniTuple(types.int64, 3), types.UniTuple(OUT[3], len(NAMES)),
)  # fmt: skip

_DUMMY3, _DUMMY4 = np.empty((0, 0, 0)), np.empty((0, 0, 0, 0))


def derived(
    arrays: dict, shape: tuple[int, int, int], co2_basis: str, wanted, dest: dict | None = None
) -> dict:
    """The derived outputs of the groups *wanted* asks for, city first (S, 1 + R, Y).

    Parameters
    ----------
    arrays : dict of ndarray (S, 1 + R, ..., Y)
        ``primary_energy``, ``co2_by_source``, ``co2_electricity_trade``, ``co2_electricity``,
        ``gdp``, ``capacity``, ``battery_energy``, and, when their groups are asked for,
        ``co2_sink``, ``primary_energy_by_sector``, ``value_added``, ``freight_co2``,
        ``freight_turnover``, ``nev_stock``, ``vehicle_stock`` (those the outputs asked for
        need: :func:`carbonsim.engine.core.needed`).
    shape : tuple of int
        ``(S, 1 + R, Y)``.
    co2_basis : {"consumption", "assessment", "territorial"}
        The account ``co2`` follows.
    wanted : callable
        ``wanted(*names)``: whether any of the outputs *names* is asked for.
    dest : dict of ndarray, optional
        Destination arrays (S, 1 + R, Y) for some outputs.

    Returns
    -------
    dict of ndarray (S, 1 + R, Y)
        Energy totals [1e4 tce] and shares [1], CO2 accounts [1e4 t CO2], intensities
        [per 1e8 CNY] and their change since the first year [1], new-energy capacity [GW],
        storage ratio [1] and duration [h], freight CO2 intensity [kg/tkm], NEV share [1].
    """
    groups = {g: bool(wanted(*names)) for g, names in GROUPS.items()}
    flags = np.array(list(groups.values()), dtype=np.int64)
    shapes = {k: shape if groups[g] else (0, 0, 0) for g, ks in GROUPS.items() for k in ks}
    dest = {k: v for k, v in (dest or {}).items() if k in shapes and groups[_GROUP_OF[k]]}
    out = allocate(shapes, dest)

    def get(name, dummy):  # an input the groups asked for do not read may be absent
        return arrays.get(name, dummy)

    _compiled()(
        get("primary_energy", _DUMMY4), get("co2_by_source", _DUMMY4),
        get("co2_electricity_trade", _DUMMY3), get("co2_electricity", _DUMMY3),
        get("co2_sink", _DUMMY4), get("gdp", _DUMMY3), get("primary_energy_by_sector", _DUMMY4),
        get("value_added", _DUMMY4), get("capacity", _DUMMY4), get("battery_energy", _DUMMY3),
        get("freight_co2", _DUMMY3), get("freight_turnover", _DUMMY3), get("nev_stock", _DUMMY3),
        get("vehicle_stock", _DUMMY3), flags,
        ("consumption", "assessment", "territorial").index(co2_basis), tuple(shape),
        tuple(out.values()),
    )  # fmt: skip
    return {k: v for k, v in out.items() if groups[_GROUP_OF[k]]}


_GROUP_OF = {k: g for g, ks in GROUPS.items() for k in ks}
