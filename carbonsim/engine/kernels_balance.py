"""Primary energy and CO2 from final energy in one compiled pass, city first.

:func:`fe_balances` reads final energy once per scenario and computes what ``core._primary``,
``core._primary_by_sector``, ``core._co2``, ``core._sector_co2`` and the road-oil and building
electricity-share outputs computed with numpy, in the same order of operations (sums over
sectors and fuels in axis order), each county into its slot and the city (the sum over
counties) at region index 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from carbonsim.constants import (
    CO2_1E4T_PER_TWH_PER_T_MWH,
    ELECTRICITY_CALORIFIC_GCE_PER_KWH,
    FUELS,
    PRODUCTS,
    SECTORS,
    TCE_1E4_PER_TWH_PER_GCE_KWH,
)
from carbonsim.engine.arith import broadcast
from carbonsim.engine.axes import F, S, T
from carbonsim.engine.scalar import IN, JIT, OUT, allocate, city_sum, compile_kernel
from carbonsim.engine.scalar import ratio as ratio1

__all__ = ["OPTIONAL", "fe_balances"]

N_F, N_K, N_P = len(FUELS), len(SECTORS), len(PRODUCTS)
COAL, OIL, GAS, EL, HEAT, BIO = (F[f] for f in ("coal", "oil", "gas", "electricity", "heat",
                                                "biomass"))  # fmt: skip
K_AL, K_MG, K_CEM = S["aluminium"], S["magnesium"], S["cement"]
K_PASS, K_FR, K_RES, K_PUB = (S[k] for k in ("passenger_transport", "freight_transport",
                                             "residential", "public"))  # fmt: skip
P_AL, P_MG, P_CLINKER = (PRODUCTS.index(p) for p in ("aluminium", "magnesium", "clinker"))
T_COAL, T_GAS = T["coal"], T["gas"]
#: fuels summed directly into primary energy by sector (coal, oil, gas, biomass)
DIRECT = tuple(f in (COAL, OIL, GAS, BIO) for f in range(N_F))
# entries of the scalar vector ``q``
HSE, HEAT_COAL, HEAT_GAS, GAS_HEAT_RATE, TWH, COAL_EQUIVALENT = range(6)
#: the optional outputs of :func:`fe_balances`, in the order of its flags
OPTIONAL = (
    "primary_energy_by_sector",
    "co2_nonferrous",
    "co2_cement",
    "road_oil_consumption",
    "building_electricity_share",
)
TCE = TCE_1E4_PER_TWH_PER_GCE_KWH
CALORIFIC = ELECTRICITY_CALORIFIC_GCE_PER_KWH * TCE_1E4_PER_TWH_PER_GCE_KWH
CO2_TWH = CO2_1E4T_PER_TWH_PER_T_MWH


@njit(**JIT)
def fuel_sums(fe, ef, hse, by_sector, comb, dh, sums, total) -> None:  # noqa: C901
    """The sums over final energy that primary energy and CO2 rest on, for one scenario.

    Called by the demand kernel while the scenario's final energy is in cache.

    Parameters
    ----------
    fe : ndarray (1 + R, sector, fuel, Y) [1e4 tce]
        Final energy of one scenario, city first (the counties' slots are read).
    ef : ndarray (fuel,) [t CO2/tce]
        Emission factors.
    hse : float
        Heat supply efficiency [1].
    by_sector : bool
        Whether to fill *dh*.
    comb, dh : ndarray (1 + R, sector, Y)
        Out: combustion CO2 by sector [1e4 t CO2]; coal, oil, gas and biomass plus heat fuel
        (heat / *hse*) by sector [1e4 tce] (the counties' slots).
    sums, total : ndarray (R, fuel, Y), (R, Y)
        Out: each fuel summed over sectors [1e4 tce]; combustion CO2 summed over sectors.
    """
    n_y = fe.shape[-1]
    for r in range(1, fe.shape[0]):
        for k in range(N_K):
            for f in range(N_F):
                e_f = ef[f]
                for t in range(n_y):
                    x = fe[r, k, f, t]
                    if k == 0:
                        sums[r - 1, f, t] = x
                    else:
                        sums[r - 1, f, t] += x
                    if f == 0:
                        comb[r, k, t] = x * e_f
                        if by_sector:
                            dh[r, k, t] = x
                    else:
                        comb[r, k, t] += x * e_f
                        if by_sector and DIRECT[f]:
                            dh[r, k, t] += x
            for t in range(n_y):
                if k == 0:
                    total[r - 1, t] = comb[r, k, t]
                else:
                    total[r - 1, t] += comb[r, k, t]
                if by_sector:
                    dh[r, k, t] = dh[r, k, t] + fe[r, k, HEAT, t] / hse


@njit(**JIT)
def _county(fe, e_cons, e_final, gen, prim_out, net_import, city, ef, pef, q, flags, s, r,  # noqa: C901
            out, sums, total, work):  # fmt: skip
    """Every output of county slot *r* (1 + county index) of scenario *s*."""
    (primary, by_source, by_fuel, trade, process, by_sector, nonferrous, cement,
     road_oil, comb) = out  # fmt: skip
    csr, gef, mix_coal, mix_gas, mix_nf = city
    n_y = fe.shape[-1]
    if flags[0]:
        for t in range(n_y):
            rate = csr[s, t] * TCE
            nf_rate = rate if q[COAL_EQUIVALENT] != 0 else CALORIFIC
            nf = mix_nf[s, t]
            work[1, t] = (1 - nf) * rate + nf * nf_rate
            work[0, t] = ratio1(e_cons[s, r - 1, t], e_final[s, r - 1, t], 0.0)
    if flags[0]:
        for k in range(N_K):
            for t in range(n_y):
                el = fe[s, r, k, EL, t] * q[TWH] * work[0, t]
                by_sector[s, r, k, t] = by_sector[s, r, k, t] + el * work[1, t]
    sums, total = sums[s, r - 1], total[s, r - 1]
    for t in range(n_y):
        rate = csr[s, t] * TCE
        nf_rate = rate if q[COAL_EQUIVALENT] != 0 else CALORIFIC
        heat_fuel = sums[HEAT, t] / q[HSE]
        heat_coal, heat_gas = heat_fuel * q[HEAT_COAL], heat_fuel * q[HEAT_GAS]
        e = e_cons[s, r - 1, t]
        primary[s, r, 0, t] = sums[COAL, t] + heat_coal + e * mix_coal[s, t] * rate
        primary[s, r, 1, t] = sums[OIL, t]
        primary[s, r, 2, t] = sums[GAS, t] + heat_gas + e * mix_gas[s, t] * rate
        primary[s, r, 3, t] = sums[BIO, t] + e * mix_nf[s, t] * nf_rate
        power_coal = gen[s, r - 1, T_COAL, t] * rate
        power_gas = gen[s, r - 1, T_GAS, t] * q[GAS_HEAT_RATE] * TCE
        proc_total = 0.0
        for k in range(N_P):
            proc = prim_out[s, r - 1, k, t] * pef[k]
            process[s, r, k, t] = proc
            proc_total = proc if k == 0 else proc_total + proc
        by_source[s, r, 0, t] = total[t]
        by_source[s, r, 1, t] = heat_coal * ef[COAL] + heat_gas * ef[GAS]
        by_source[s, r, 2, t] = power_coal * ef[COAL] + power_gas * ef[GAS]
        by_source[s, r, 3, t] = proc_total
        by_fuel[s, r, 0, t] = (sums[COAL, t] + (heat_coal + power_coal)) * ef[COAL]
        by_fuel[s, r, 1, t] = sums[OIL, t] * ef[OIL]
        by_fuel[s, r, 2, t] = (sums[GAS, t] + (heat_gas + power_gas)) * ef[GAS]
        grid_ef = gef[s, t] * CO2_TWH
        trade[s, r, t] = net_import[s, r - 1, t] * gef[s, t] * CO2_TWH
        if flags[1]:
            el = fe[s, r, K_AL, EL, t] * q[TWH] + fe[s, r, K_MG, EL, t] * q[TWH]
            nonferrous[s, r, t] = (
                (comb[s, r, K_AL, t] + comb[s, r, K_MG, t])
                + (process[s, r, P_AL, t] + process[s, r, P_MG, t])
                + el * grid_ef
            )
        if flags[2]:
            cement[s, r, t] = (
                comb[s, r, K_CEM, t] + process[s, r, P_CLINKER, t]
                + fe[s, r, K_CEM, EL, t] * q[TWH] * grid_ef
            )  # fmt: skip
        if flags[3]:
            road_oil[s, r, t] = fe[s, r, K_PASS, OIL, t] + fe[s, r, K_FR, OIL, t]


@njit(**JIT)
def _building_share(fe, s, r, t) -> float:
    """Electricity's share of building final energy (residential and public) [1]."""
    el = fe[s, r, K_RES, EL, t] + fe[s, r, K_PUB, EL, t]
    total = 0.0
    for k in (K_RES, K_PUB):
        for f in range(N_F):
            total += fe[s, r, k, f, t]
    return ratio1(el, total, 0.0)


def _kernel(fe, e_cons, e_final, gen, prim_out, net_import, sums, total, city, ef, pef, q, flags,
            primary,
            combustion, process, by_source, by_fuel, trade, by_sector, nonferrous, cement,
            road_oil, bes):  # fmt: skip
    n, n_r, n_y = fe.shape[0], fe.shape[1], fe.shape[-1]
    out = (primary, by_source, by_fuel, trade, process, by_sector, nonferrous, cement, road_oil,
           combustion)  # fmt: skip
    work = np.empty((2, n_y))
    for s in range(n):
        for r in range(1, n_r):
            _county(fe, e_cons, e_final, gen, prim_out, net_import, city, ef, pef, q, flags, s, r,
                    out, sums, total, work)  # fmt: skip
        for x in (primary, combustion, process, by_source, by_fuel):
            _city4(x, s)
        city_sum(trade, s)
        if flags[0]:
            _city4(by_sector, s)
        for x, flag in ((nonferrous, flags[1]), (cement, flags[2]), (road_oil, flags[3])):
            if flag:
                city_sum(x, s)
        if flags[4]:
            for r in range(n_r):
                for t in range(n_y):
                    bes[s, r, t] = _building_share(fe, s, r, t)


@njit(**JIT)
def _city4(x, s) -> None:
    """:func:`~carbonsim.engine.scalar.city_sum` of an (S, 1 + R, k, Y) array, in county order."""
    for k in range(x.shape[2]):
        for t in range(x.shape[3]):
            total = x[s, 1, k, t]
            for r in range(2, x.shape[1]):
                total += x[s, r, k, t]
            x[s, 0, k, t] = total


_compiled = compile_kernel(
    _kernel,
    IN[5], IN[3], IN[3], IN[4], IN[4], IN[3], IN[4], IN[3], types.UniTuple(IN[2], 5), IN[1],
    IN[1], IN[1],
    types.Array(types.int64, 1, "A", readonly=True),
    OUT[4], OUT[4], OUT[4], OUT[4], OUT[4], OUT[3], OUT[4], OUT[3], OUT[3], OUT[3], OUT[3],
)  # fmt: skip

#: outputs of :func:`fe_balances`: name -> shape after (S, 1 + R) and before Y
SHAPES = {
    "primary_energy": (4,),
    "co2_combustion_by_sector": (N_K,),
    "co2_process_by_product": (N_P,),
    "co2_by_source": (4,),
    "co2_by_fuel": (3,),
    "co2_electricity_trade": (),
    "primary_energy_by_sector": (N_K,),
    "co2_nonferrous": (),
    "co2_cement": (),
    "road_oil_consumption": (),
    "building_electricity_share": (),
}


def fe_balances(fe, pre, county, lv, p, mix, method, need=None, dest=None) -> dict:
    """Primary energy and CO2 of every scenario from its final energy, city first.

    Parameters
    ----------
    fe : ndarray (S, 1 + R, sector, fuel, Y) [1e4 tce]
        Final energy, city first (only the counties' slots are read, but for
        ``building_electricity_share``).
    pre : dict of ndarray
        What :func:`fuel_sums` computed in the demand kernel: ``sums`` (S, R, fuel, Y),
        ``total`` (S, R, Y), and, city first with the counties' slots filled,
        ``co2_combustion_by_sector`` and ``primary_energy_by_sector`` (when asked for).
    county : dict of ndarray
        County arrays (S, R, ..., Y): ``electricity_consumption`` and ``electricity_demand``
        [TWh], ``generation`` (tech) [TWh], ``primary_output`` (product) [1e4 t],
        ``net_import`` [TWh].
    lv : dict
        Levers ``coal_supply_rate`` [gce/kWh], ``grid_emission_factor`` [t CO2/MWh] (S, Y).
    p : dict
        ``emission_factor`` (fuel,) [t CO2/tce], ``process_emission_factor`` (product,)
        [t CO2/t], ``heat_supply_efficiency``, ``heat_fuel_mix`` [1], ``gas_heat_rate``
        [gce/kWh], ``twh_per_10ktce``.
    mix : dict of ndarray (S, Y)
        Shares ``coal``, ``gas``, ``non_fossil`` of the electricity consumed [1].
    method : {"coal_equivalent", "calorific"}
        How non-fossil electricity enters primary energy.
    need : set of str, optional
        Which of :data:`OPTIONAL` to compute (None: all).
    dest : dict of ndarray, optional
        Destination arrays (S, 1 + R, ..., Y) for some outputs.

    Returns
    -------
    dict of ndarray (S, 1 + R, ..., Y)
        ``primary_energy`` (coal, oil, gas, non-fossil) [1e4 tce], ``co2_combustion_by_sector``,
        ``co2_process_by_product``, ``co2_by_source`` (end use, heat, power, process),
        ``co2_by_fuel`` (coal, oil, gas), ``co2_electricity_trade`` [1e4 t CO2], and those of
        :data:`OPTIONAL` asked for: ``primary_energy_by_sector`` [1e4 tce], ``co2_nonferrous``,
        ``co2_cement`` [1e4 t CO2], ``road_oil_consumption`` [1e4 tce],
        ``building_electricity_share`` [1].
    """
    n, n_r1, n_y = fe.shape[0], fe.shape[1], fe.shape[-1]
    flags = np.array([need is None or name in need for name in OPTIONAL], dtype=np.int64)
    on = dict(zip(OPTIONAL, flags, strict=True))
    shapes = {
        name: (n, n_r1, *extra, n_y) if on.get(name, True) else (0,) * (3 + len(extra))
        for name, extra in SHAPES.items()
    }
    filled = {k: pre[k] for k in ("co2_combustion_by_sector", "primary_energy_by_sector")}
    out = allocate(shapes, {**(dest or {}), **filled})
    q = np.zeros(6)
    q[HSE], q[GAS_HEAT_RATE], q[TWH] = (
        p["heat_supply_efficiency"],
        p["gas_heat_rate"],
        p["twh_per_10ktce"],
    )
    q[HEAT_COAL], q[HEAT_GAS] = p["heat_fuel_mix"][COAL], p["heat_fuel_mix"][GAS]
    q[COAL_EQUIVALENT] = float(method == "coal_equivalent")
    city = tuple(
        broadcast(x, (n, n_y))
        for x in (lv["coal_supply_rate"], lv["grid_emission_factor"], mix["coal"], mix["gas"],
                  mix["non_fossil"])
    )  # fmt: skip
    _compiled()(
        fe, county["electricity_consumption"], county["electricity_demand"],
        county["generation"], county["primary_output"], county["net_import"], pre["sums"],
        pre["total"], city,
        p["emission_factor"], p["process_emission_factor"], q, flags, *out.values(),
    )  # fmt: skip
    return {k: v for k, v in out.items() if on.get(k, True)}
