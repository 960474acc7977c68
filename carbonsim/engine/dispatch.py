"""Hourly power dispatch on representative days (merit order, storage with a day-ahead reserve).

numpy + numba only.

One *batch element* is one (scenario, year) system: capacities, annual
energies, storage, the UHVDC schedule and the grid exchange limit.  Every
element is dispatched independently, hour by hour, on the same D
representative days x H = 24 hours.  Hourly load and VRE output are formed
inside the compiled loop from annual energies x mean-1 shapes, so no
(N, D, H) array is ever created; memory is O(N x number of outputs).

The dispatch rule (a merit order with a day-ahead storage reserve; equations in
docs/dispatch-notes.md):

1.  available wind/solar  w = min(cap * hours/8760 * shape, cap);
    load  L = sum_c demand_c/8760*1000 * shape_c  [GW];
    UHVDC X = uhvdc_twh/8760*1000, renewable part XR = r X, fossil part XF.
2.  VRE serves local load first, then the UHVDC renewable part.
    (Exception: must-run output that can be neither used locally nor exported
    takes local load back from VRE rather than being dumped.)
3.  Must-run (hydro, biomass, thermal min-stable) serves the remaining local
    load; then storage discharge (default; ``storage_before_band=False``: after
    the band), then the scheduled thermal band, then thermal ramp-up (coal,
    then gas) to capacity, then imports up to the grid limit, then unserved.
4.  Surplus VRE: exports go must-run first, then VRE, then the scheduled
    thermal band (the band is backed down to make room).  Storage (battery,
    then pumped hydro) always charges from the VRE surplus that cannot be
    exported, and from exportable surplus up to its *reserve target* (below);
    ``charge_before_export=True`` (the literal brief) offers it all surplus.
    VRE left over is curtailed; must-run left over is ``thermal_curtailed``.
5.  Storage discharges, battery then pumped hydro, into (a) the local deficit,
    (b) the UHVDC renewable shortfall (together: the high-value need), always;
    (c) grid export room left by must-run and VRE exports, only with the charge
    above its *keep level*.  It is only ever charged from VRE.
6.  Reserve (``reserve=True``, one day of foresight): the target R_h is the
    SOC needed at the end of hour h for the high-value need of the rest of the
    cyclic day if every later surplus hour can recharge; the keep level K_h the
    same if only non-exportable surplus recharges (K >= R).  With no need in a
    day R = K = 0 and the rule is the plain greedy one (``reserve=False``, kept
    bit for bit).  See ``docs/dispatch-notes.md``.
7.  One-way efficiency sqrt(round-trip) on charge and on discharge; every
    representative day is cyclic: the start SOC is the exact fixed point of
    the day map (closed form for a clip map, ``_fixed_point``; the least fixed
    point of the piecewise-linear map with a reserve, ``_reserve_start``), so
    results do not depend on day order.

Determinism: each batch element is computed by exactly the same sequence of
floating-point operations whatever the thread count (no cross-element
reductions, no fastmath), so ``parallel=True`` is bit-identical to serial.
"""

from __future__ import annotations

import math

import numpy as np
from numba import get_num_threads, njit, prange

from carbonsim.constants import TWH_PER_GWH
from carbonsim.engine.arith import ratio

__all__ = ["HOURLY", "OUTPUTS", "PARAMS", "dispatch"]

HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.0
H_PER_DAY = 24

# ---------------------------------------------------------------------------
# per-element parameters (order = order of the tuple passed to the kernel)
PARAMS = (
    "wind_gw",
    "solar_gw",
    "wind_hours",
    "solar_hours",
    "hydro_gw",
    "hydro_hours",
    "biomass_gw",
    "biomass_hours",
    "coal_gw",
    "coal_hours",
    "coal_min_stable",
    "gas_gw",
    "gas_hours",
    "gas_min_stable",
    "battery_gw",
    "battery_gwh",
    "battery_eff",
    "phs_gw",
    "phs_gwh",
    "phs_eff",
    "uhvdc_twh",
    "uhvdc_renewable_share",
    "grid_limit_gw",
)
(
    P_WIND_GW,
    P_SOLAR_GW,
    P_WIND_H,
    P_SOLAR_H,
    P_HYDRO_GW,
    P_HYDRO_H,
    P_BIO_GW,
    P_BIO_H,
    P_COAL_GW,
    P_COAL_H,
    P_COAL_MS,
    P_GAS_GW,
    P_GAS_H,
    P_GAS_MS,
    P_BAT_GW,
    P_BAT_GWH,
    P_BAT_EFF,
    P_PHS_GW,
    P_PHS_GWH,
    P_PHS_EFF,
    P_UHVDC_TWH,
    P_UHVDC_R,
    P_GRID,
) = range(len(PARAMS))

# ---------------------------------------------------------------------------
# raw accumulators written by the kernel: sum_days weight * sum_hours [GWh]
_ACC = (
    "gen_wind",
    "gen_solar",
    "gen_hydro",
    "gen_biomass",
    "gen_coal",
    "gen_gas",
    "vre_available",
    "curtailment",
    "curtailment_wind",
    "curtailment_solar",
    "vre_local",
    "storage_charge_battery",
    "storage_discharge_battery",
    "storage_charge_phs",
    "storage_discharge_phs",
    "imports",
    "exports",
    "exports_vre",
    "exports_mustrun",
    "exports_thermal_band",
    "uhvdc_delivered",
    "uhvdc_renewable_delivered",
    "uhvdc_shortfall",
    "unserved",
    "thermal_curtailed",
    "local_load",
    "hydro_local",
    "biomass_local",
    "thermal_backdown",
    "thermal_rampup",
    "storage_to_local",
    "storage_to_uhvdc",
    "storage_to_export",
    "peak_residual_load",  # max, [GW]  (not an energy; must stay last)
)
NACC = len(_ACC)
_A = {k: j for j, k in enumerate(_ACC)}
A_WIND, A_SOLAR, A_HYDRO, A_BIO, A_COAL, A_GAS = 0, 1, 2, 3, 4, 5
A_VRE_AV, A_CURT, A_CURT_W, A_CURT_S = 6, 7, 8, 9
A_VRE_LOC, A_CH_B, A_DIS_B, A_CH_P, A_DIS_P = 10, 11, 12, 13, 14
A_IMP, A_EXP, A_EXP_VRE, A_EXP_MR, A_EXP_BAND = 15, 16, 17, 18, 19
A_UHVDC, A_UHVDC_RE, A_UHVDC_SHORT = 20, 21, 22
A_UNS, A_TH_CURT, A_LOAD = 23, 24, 25
A_HYDRO_LOC, A_BIO_LOC, A_BACKDOWN, A_RAMPUP = 26, 27, 28, 29
A_ST_LOC, A_ST_LINE, A_ST_EXP = 30, 31, 32
A_PEAK = 33
assert [
    _A[k]
    for k in ("peak_residual_load", "storage_to_local", "thermal_rampup", "local_load", "vre_local")
] == [33, 30, 29, 25, 10]

# hourly series recorded for ``hourly_index`` [GW]
HOURLY = (
    "load",
    "wind_available",
    "solar_available",
    "wind",
    "solar",
    "hydro",
    "biomass",
    "coal",
    "gas",
    "battery_charge",
    "battery_discharge",
    "phs_charge",
    "phs_discharge",
    "soc_battery",
    "soc_phs",
    "imports",
    "exports",
    "uhvdc",
    "uhvdc_renewable",
    "curtailment",
    "thermal_curtailed",
    "unserved",
    "vre_local",
)
NREC = len(HOURLY)

# final outputs (all (N,), [TWh/yr] unless stated in NOTES.md)
OUTPUTS = (
    *_ACC,
    "curtailment_rate",
    "cycles_battery",
    "cycles_phs",
    "local_renewable_share",
    "local_renewable_share_nonhydro",
    "local_nonfossil_share",
    "local_vre_share",
)

# scratch buffers per hour (rows of a (NBUF, 24) array per thread)
(
    B_W,  # wind available [GW]
    B_S,  # solar available
    B_L,  # local load
    B_VL,  # VRE to local load
    B_UR,  # VRE to the UHVDC renewable part
    B_MRL,  # must-run to local load
    B_MRS,  # must-run surplus
    B_L2,  # local load left after VRE and must-run
    B_V2,  # VRE surplus after local load and the line (> 0: a surplus hour)
    B_SDL,  # local deficit storage may serve (after must-run, or after the band too)
    B_CHB,  # battery charge
    B_DIB,  # battery discharge
    B_RT,  # reserve target of the storage being solved (SOC at the end of the hour) [GWh]
    B_KT,  # keep level of the storage being solved [GWh]
    B_XS,  # SOC after each hour in the solver's last pass [GWh]
    B_CHS,  # charge in the solver's last pass
    B_DIS,  # discharge in the solver's last pass
    B_CHP,  # pumped hydro charge (with a reserve)
    B_DIP,  # pumped hydro discharge (with a reserve)
    B_SOCP,  # pumped hydro SOC at the end of the hour (with a reserve)
) = range(20)
# what each storage is offered, in rows ST_* + offset (battery: B_OFF_B, PHS: B_OFF_P)
ST_C1 = 0  # surplus it must take (would otherwise be curtailed)
ST_C2 = 1  # exportable surplus it may take up to its reserve target
ST_D1 = 2  # high-value need: local deficit + UHVDC renewable shortfall
ST_D2 = 3  # export room it may discharge into, above its keep level
ST_SD = 4  # d1 + d2 in one number (the discharge demand when it keeps no reserve)
NST = 5
B_OFF_B = 20
B_OFF_P = B_OFF_B + NST
NBUF = B_OFF_P + NST
#: passes over the day allowed to find the cyclic start SOC of a storage with a reserve; each
#: pass crosses at least one kink of the piecewise-linear day map, which has at most 3 per hour
MAX_PASSES = 3 * H_PER_DAY + 1
#: a start SOC whose day ends within this share of the energy capacity of it is a fixed point
#: (rounding: the day map is evaluated in floating point)
SOC_TOL = 1e-13


# ---------------------------------------------------------------------------
@njit(cache=True, inline="always", error_model="numpy")
def _clip(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@njit(cache=True, inline="always", error_model="numpy")
def _fixed_point(a, lo, up):
    """Cyclic start SOC for a day map f(s) = clip(s + a, lo, up).

    The greedy hourly SOC update is clip(s + delta_h, 0, E) with delta_h
    independent of s; the composition over the day is again a clip of the form
    clip(s + a, lo, up).  Its fixed point: up if a > 0, lo if a < 0, and any
    s in [lo, up] if a == 0 (all give the same flows; take lo)."""
    if a > 0.0:
        return up
    return lo


@njit(cache=True, inline="always", error_model="numpy")
def _compose(a, lo, up, delta, e):
    """(a, lo, up) of g o clip(. + delta, 0, e) where g(x) = clip(x + a, lo, up).

    Builds a backward day map (applied last hour first) while looping forward over the hours:
    clip(clip(x + delta, 0, e) + a, lo, up) = clip(x + delta + a, clip(a, lo, up),
    clip(e + a, lo, up))."""
    return a + delta, _clip(a, lo, up), _clip(e + a, lo, up)


@njit(cache=True, error_model="numpy")
def _targets(buf, off, p, e, eta):
    """Fill the reserve target and keep level rows of one storage (rows B_RT, B_KT).

    Target R_h: SOC needed at the end of hour h to serve the high-value need (ST_D1, power-
    limited) of the hours that follow, if every later surplus hour can recharge it
    (min(c1 + c2, P)); keep level K_h: the same if only surplus that cannot be exported (c1)
    recharges it, so K >= R.  Going back one hour is a clip of the SOC, so the backward day map
    is a clip too (built in a forward loop by ``_compose``) and its cyclic value is exact.
    """
    H = buf.shape[1]
    ar, lor, upr = 0.0, 0.0, e
    ak, lok, upk = 0.0, 0.0, e
    for h in range(H):
        if buf[B_V2, h] > 0.0:
            dr = -eta * min(buf[off + ST_C1, h] + buf[off + ST_C2, h], p)
            dk = -eta * min(buf[off + ST_C1, h], p)
        else:
            dr = min(buf[off + ST_D1, h], p) / eta
            dk = dr
        ar, lor, upr = _compose(ar, lor, upr, dr, e)
        ak, lok, upk = _compose(ak, lok, upk, dk, e)
    r = _fixed_point(ar, lor, upr)
    k = _fixed_point(ak, lok, upk)
    for h in range(H - 1, -1, -1):
        buf[B_RT, h] = r
        buf[B_KT, h] = k
        if buf[B_V2, h] > 0.0:
            r = _clip(r - eta * min(buf[off + ST_C1, h] + buf[off + ST_C2, h], p), 0.0, e)
            k = _clip(k - eta * min(buf[off + ST_C1, h], p), 0.0, e)
        else:
            need = min(buf[off + ST_D1, h], p) / eta
            r = _clip(r + need, 0.0, e)
            k = _clip(k + need, 0.0, e)


@njit(cache=True, inline="always", error_model="numpy")
def _clamped(sig, mu, rho):
    """Margin after a step that holds its output while its input rises by rho.

    Before any such step the day map has slope 1 and mu bounds its linear stretch; from the
    first one on, mu is the length of the stretch of start SOC over which the map is constant:
    every step is 1-Lipschitz, so the input of a later holding step rises at most as fast as the
    start SOC and the constant stretches add up."""
    return rho if sig else mu + rho


@njit(cache=True, inline="always", error_model="numpy")
def _reserve_hour(x, sig, mu, c1, c2, d1, d2, r, k, surplus, p, e, eta):  # noqa: C901
    """One hour of a storage that keeps a reserve: (SOC after, slope, margin, charge, discharge).

    x: SOC at the start of the hour [GWh]; r, k: reserve target and keep level at its end.
    Steps: (a) surplus no one can take (c1) is always stored; (b) exportable surplus (c2) tops
    the SOC up to r; (c) in a surplus hour with spare export room, SOC above k is exported;
    (d) the high-value need (d1) is always served; (e) export room (d2) takes SOC above k.
    Each step is x -> min(cap, x + a) or max(floor, x - b): monotone, slope 1 or 0.  *sig*
    (True while the day map so far has slope 1 w.r.t. the day's start SOC) and *mu* (its
    linear stretch, or once it has slope 0 its constant stretch, see ``_clamped``) let the
    caller find the cyclic fixed point exactly.
    """
    ch = 0.0
    dis = 0.0
    if surplus:
        # (a) non-exportable surplus: always stored, up to the energy capacity
        ch = min(c1, p)
        y = x + eta * ch
        if y >= e:
            ch = (e - x) / eta
            y = e
            mu = np.inf  # full, and stays full as the start SOC rises
            sig = False
        elif sig:
            mu = min(mu, e - y)
        x = y
        a = min(c2, p - ch)
        if x < r and a > 0.0:
            # (b) exportable surplus up to the reserve target
            y = x + eta * a
            if y >= r:
                a = (r - x) / eta
                mu = _clamped(sig, mu, r - x)
                sig = False
                y = r
            elif sig:
                mu = min(mu, r - y)
            ch += a
            x = y
        elif d2 > 0.0:
            # (c) spare export room takes what is above the keep level
            if x >= k:  # at k already: any rise is exported (slope 0)
                b = min(d2, p)
                y = x - b / eta
                if y < k:
                    mu = _clamped(sig, mu, k - y)
                    sig = False
                    b = (x - k) * eta
                    y = k
                dis = b
                x = y
            elif sig:
                mu = min(mu, k - x)
        return x, sig, mu, ch, dis
    # (d) the high-value need: always served, down to empty
    dis = min(d1, p)
    room = min(d2, p - dis)  # export room within the power left (when not emptied)
    y = x - dis / eta
    if y < 0.0:
        dis = x * eta
        mu = _clamped(sig, mu, -y)
        sig = False
        y = 0.0
    x = y
    if room > 0.0:
        # (e) export room takes what is above the keep level
        if x >= k:  # at k already: any rise is exported (slope 0)
            y = x - room / eta
            b = room
            if y < k:
                mu = _clamped(sig, mu, k - y)
                sig = False
                b = (x - k) * eta
                y = k
            dis += b
            x = y
        elif sig:
            mu = min(mu, k - x)
    return x, sig, mu, ch, dis


@njit(cache=True, error_model="numpy")
def _reserve_start(buf, off, p, e, eta):
    """Cyclic start SOC of a storage that keeps a reserve (the least fixed point of its day map).

    The day map F is continuous, non-decreasing and piecewise linear with slopes 0 and 1, so
    F(s) - s is non-increasing and iterating from s = 0 rises to the least fixed point.  Each pass
    evaluates F(s), its slope and the distance mu to its next kink: with slope 0, F(s) is the
    fixed point if it lies within mu; otherwise (slope 1 with F(s) > s, or F(s) beyond mu) there is
    no fixed point before s + mu, and the next pass starts there.  Any fixed point gives the same
    flows (between two of them every step is on one linear branch).
    """
    H = buf.shape[1]
    tol = SOC_TOL * e
    s = 0.0
    for _ in range(MAX_PASSES):
        x = s
        sig = True
        mu = np.inf
        for h in range(H):
            x, sig, mu, ch, dis = _reserve_hour(
                x,
                sig,
                mu,
                buf[off + ST_C1, h],
                buf[off + ST_C2, h],
                buf[off + ST_D1, h],
                buf[off + ST_D2, h],
                buf[B_RT, h],
                buf[B_KT, h],
                buf[B_V2, h] > 0.0,
                p,
                e,
                eta,
            )
            buf[B_XS, h] = x
            buf[B_CHS, h] = ch
            buf[B_DIS, h] = dis
        g = x - s  # >= 0: s never passes the least fixed point
        if g <= tol:
            return s
        if not sig and g <= mu:  # F is constant on [s, s + mu] and x lies in it
            return x
        # F(s) <= F(s*) = s*, and with slope 1 there is no fixed point before s + mu
        s = min(max(x, s + mu), e) if sig else x
    return s


@njit(cache=True, error_model="numpy")
def _reserve_trajectory(buf, off, x, p, e, eta, row_ch, row_dis, row_soc):
    """Flows (rows row_ch, row_dis) and SOC (row_soc) of a storage with a reserve from x.

    Replays the day from x until its SOC equals (bit for bit) that of the solver's last pass at
    the same hour (rows B_XS, B_CHS, B_DIS): from there on both evaluate the same operations on
    the same numbers, so the rest is copied.  Returns the SOC at the day's end."""
    H = buf.shape[1]
    for h in range(H):
        x, _, _, ch, dis = _reserve_hour(
            x,
            False,
            0.0,
            buf[off + ST_C1, h],
            buf[off + ST_C2, h],
            buf[off + ST_D1, h],
            buf[off + ST_D2, h],
            buf[B_RT, h],
            buf[B_KT, h],
            buf[B_V2, h] > 0.0,
            p,
            e,
            eta,
        )
        buf[row_ch, h] = ch
        buf[row_dis, h] = dis
        buf[row_soc, h] = x
        if x == buf[B_XS, h]:  # merged with the solver's pass
            for k in range(h + 1, H):
                buf[row_ch, k] = buf[B_CHS, k]
                buf[row_dis, k] = buf[B_DIS, k]
                buf[row_soc, k] = buf[B_XS, k]
            return buf[B_XS, H - 1]
    return x


@njit(cache=True, inline="always", error_model="numpy")
def _store_hour(x, c1, sd, p, e, eta):
    """One hour of a storage that keeps no reserve: (SOC after, charge, discharge).

    It charges from the surplus it is offered (c1) or discharges into the demand sd, within its
    power and energy: the SOC map is clip(x + delta, 0, e) with delta independent of x."""
    ch = 0.0
    dis = 0.0
    if c1 > 0.0:
        ch = min(c1, p)
        new = x + eta * ch
        if new > e:
            ch = (e - x) / eta
            new = e
        x = new
    elif sd > 0.0:
        dis = min(sd, p)
        new = x - dis / eta
        if new < 0.0:
            dis = x * eta
            new = 0.0
        x = new
    return x, ch, dis


@njit(cache=True, inline="always", error_model="numpy")
def _store_delta(c1, sd, p, eta):
    """SOC change of ``_store_hour`` before the clip at 0 and e."""
    if c1 > 0.0:
        return eta * min(c1, p)
    if sd > 0.0:
        return -min(sd, p) / eta
    return 0.0


@njit(cache=True, error_model="numpy")
def _start_soc(buf, off, reserve, p, e, eta):
    """Cyclic start SOC of one storage on the day held in *buf* (offers in rows off + ST_*)."""
    if reserve:
        _targets(buf, off, p, e, eta)
        return _reserve_start(buf, off, p, e, eta)
    a = 0.0
    lo = 0.0
    up = e
    for h in range(buf.shape[1]):
        dl = _store_delta(buf[off + ST_C1, h], buf[off + ST_SD, h], p, eta)
        a += dl
        lo = _clip(lo + dl, 0.0, e)
        up = _clip(up + dl, 0.0, e)
    return _fixed_point(a, lo, up)


@njit(cache=True, inline="always", error_model="numpy")
def _pass_on(buf, h, ch, dis):
    """What the battery (charge ch, discharge dis) leaves to pumped hydro in hour h."""
    c1 = buf[B_OFF_B + ST_C1, h]
    d1 = buf[B_OFF_B + ST_D1, h]
    ch1 = min(ch, c1)  # the battery takes the non-exportable surplus first
    dis1 = min(dis, d1)  # and serves the high-value need first
    buf[B_OFF_P + ST_C1, h] = c1 - ch1
    buf[B_OFF_P + ST_C2, h] = buf[B_OFF_B + ST_C2, h] - (ch - ch1)
    buf[B_OFF_P + ST_D1, h] = d1 - dis1
    buf[B_OFF_P + ST_D2, h] = buf[B_OFF_B + ST_D2, h] - (dis - dis1)
    buf[B_OFF_P + ST_SD, h] = buf[B_OFF_B + ST_SD, h] - dis
    return d1 - dis1 > 0.0


@njit(cache=True, error_model="numpy")
def _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, do_rec, buf, kc, flags):  # noqa: C901
    # one compiled hour loop: splitting it would cost numba's inlining (see module docstring)
    before_band = (flags & 1) != 0  # storage discharges before the thermal band
    export_first = (flags & 2) != 0  # storage charges only from non-exportable VRE
    # storage keeps a reserve for the day's high-value need (and tops it up from exportable VRE)
    keep_reserve = export_first and (flags & 4) != 0
    D = wsh.shape[0]
    H = wsh.shape[1]
    C = lsh.shape[2]
    inv_h = 1.0 / 8760.0

    wg = prm[P_WIND_GW][i]
    sg = prm[P_SOLAR_GW][i]
    kw = wg * prm[P_WIND_H][i] * inv_h
    ks = sg * prm[P_SOLAR_H][i] * inv_h
    hyd = prm[P_HYDRO_GW][i] * prm[P_HYDRO_H][i] * inv_h
    bio = prm[P_BIO_GW][i] * prm[P_BIO_H][i] * inv_h
    hb = hyd + bio

    ccap = prm[P_COAL_GW][i]
    gcap = prm[P_GAS_GW][i]
    csch = min(ccap * prm[P_COAL_H][i] * inv_h, ccap)
    gsch = min(gcap * prm[P_GAS_H][i] * inv_h, gcap)
    cfl = min(ccap * prm[P_COAL_MS][i], csch)
    gfl = min(gcap * prm[P_GAS_MS][i], gsch)

    x = prm[P_UHVDC_TWH][i] * 1000.0 * inv_h
    xr = x * prm[P_UHVDC_R][i]
    xf = x - xr
    glim = prm[P_GRID][i]

    # thermal commitment for the UHVDC fossil part (constant in time)
    f = min(xf, ccap + gcap)
    cb = csch
    gb = gsch
    if cb + gb < f:  # schedule too low for the line: ramp coal, then gas
        need = f - cb - gb
        rc = min(need, ccap - cb)
        cb += rc
        gb += min(need - rc, gcap - gb)
    tb = cb + gb
    tfl = max(cfl + gfl, f)  # thermal floor incl. line obligation
    if tfl > tb:
        tfl = tb
    mr = hb + (tfl - f)  # must-run available to local load/export
    fb = tb - tfl  # scheduled band that may be backed down
    c_head = cb - cfl  # coal part of band (for the split)
    g_head = gb - gfl
    if c_head < 0.0:
        c_head = 0.0
    if g_head < 0.0:
        g_head = 0.0
    short_f = xf - f

    pb = prm[P_BAT_GW][i]
    eb = prm[P_BAT_GWH][i]
    etab = math.sqrt(prm[P_BAT_EFF][i])
    pp = prm[P_PHS_GW][i]
    ep = prm[P_PHS_GWH][i]
    etap = math.sqrt(prm[P_PHS_EFF][i])
    has_b = pb > 0.0 and eb > 0.0
    has_p = pp > 0.0 and ep > 0.0

    for c in range(C):  # demand class -> GW per unit of its shape (kc: scratch, per thread)
        kc[c] = dem[i, c] * 1000.0 * inv_h
    off_p = B_OFF_P if has_b else B_OFF_B  # rows of what pumped hydro is offered

    t_wind = 0.0
    t_solar = 0.0
    t_coal = 0.0
    t_gas = 0.0
    t_vav = 0.0
    t_curt = 0.0
    t_cw = 0.0
    t_vloc = 0.0
    t_stl = 0.0
    t_stline = 0.0
    t_stexp = 0.0
    t_chb = 0.0
    t_dib = 0.0
    t_chp = 0.0
    t_dip = 0.0
    t_imp = 0.0
    t_ev = 0.0
    t_em = 0.0
    t_ef = 0.0
    t_urt = 0.0
    t_uns = 0.0
    t_tcurt = 0.0
    t_load = 0.0
    t_hyl = 0.0
    t_bil = 0.0
    t_bd = 0.0
    t_ramp = 0.0
    sumw = 0.0
    peak = -np.inf

    for d in range(D):
        wt = wts[d]
        sumw += wt
        # ---- pass A: exogenous hourly quantities, what the battery is offered ----
        day_need = False  # any high-value need today (then storage keeps a reserve)
        day_surplus = False  # any surplus today (without one, cyclic storage does nothing)
        for h in range(H):
            w = kw * wsh[d, h]
            if w > wg:
                w = wg
            s = ks * ssh[d, h]
            if s > sg:
                s = sg
            v = w + s
            load = 0.0
            for c in range(C):
                load += kc[c] * lsh[d, h, c]
            if load - v > peak:
                peak = load - v
            vl = min(v, load)
            capv = load + glim - mr  # must-run that cannot be exported
            if capv < 0.0:  # takes local load back from VRE
                capv = 0.0
            if vl > capv:
                vl = capv
            l1 = load - vl
            rem = v - vl
            ur = min(rem, xr)
            v2 = rem - ur
            mrl = min(mr, l1)
            l2 = l1 - mrl
            if before_band:  # storage deficit: after must-run
                sd = l2
            else:  # ... or after the scheduled band too
                sd = l2 - min(fb, l2)
            buf[B_W, h] = w
            buf[B_S, h] = s
            buf[B_L, h] = load
            buf[B_VL, h] = vl
            buf[B_UR, h] = ur
            buf[B_MRL, h] = mrl
            buf[B_MRS, h] = mr - mrl
            buf[B_L2, h] = l2
            buf[B_SDL, h] = sd
            buf[B_V2, h] = v2
            room0 = glim - min(mr - mrl, glim)  # grid room after must-run export
            v2c = v2  # VRE surplus storage must take
            if export_first and v2 > 0.0:
                v2c = v2 - room0
                if v2c < 0.0:
                    v2c = 0.0
            # storage discharge demand: local deficit, then the UHVDC renewable
            # shortfall, then export room left after must-run (and VRE) exports
            if v2 > 0.0:  # surplus hour: no high-value need
                day_surplus = True
                d1 = 0.0
                if v2c > 0.0:
                    sd = 0.0
                else:
                    sd = room0 - v2
                    if sd < 0.0:
                        sd = 0.0
                d2 = sd
            else:
                d1 = sd + (xr - ur)
                d2 = room0
                sd += (xr - ur) + room0
                day_need = day_need or d1 > 0.0
            buf[B_OFF_B + ST_C1, h] = v2c
            buf[B_OFF_B + ST_C2, h] = v2 - v2c
            buf[B_OFF_B + ST_D1, h] = d1
            buf[B_OFF_B + ST_D2, h] = d2
            buf[B_OFF_B + ST_SD, h] = sd
        # ---- battery: cyclic start, then its trajectory; what it leaves to PHS --
        bat = has_b and day_surplus  # a day with no surplus: SOC 0, no flows (exact)
        phs = has_p and day_surplus
        res_b = keep_reserve and day_need and bat
        soc = _start_soc(buf, B_OFF_B, res_b, pb, eb, etab) if bat else 0.0
        need_p = day_need
        if bat:
            need_p = False
            if res_b:
                soc = _reserve_trajectory(buf, B_OFF_B, soc, pb, eb, etab, B_CHB, B_DIB, B_SOCP)
            for h in range(H):
                if not res_b:
                    soc, chb, dib = _store_hour(
                        soc, buf[B_OFF_B + ST_C1, h], buf[B_OFF_B + ST_SD, h], pb, eb, etab
                    )
                    buf[B_CHB, h] = chb
                    buf[B_DIB, h] = dib
                if phs:
                    need_p = _pass_on(buf, h, buf[B_CHB, h], buf[B_DIB, h]) or need_p
        else:
            for h in range(H):
                buf[B_CHB, h] = 0.0
                buf[B_DIB, h] = 0.0
        soc_b = soc
        res_p = keep_reserve and need_p and phs
        socp = _start_soc(buf, off_p, res_p, pp, ep, etap) if phs else 0.0
        if res_p:
            _reserve_trajectory(buf, off_p, socp, pp, ep, etap, B_CHP, B_DIP, B_SOCP)
        # ---- pass C: PHS trajectory and everything else ---------------------
        for h in range(H):
            w = buf[B_W, h]
            s = buf[B_S, h]
            load = buf[B_L, h]
            vl = buf[B_VL, h]
            ur = buf[B_UR, h]
            mrl = buf[B_MRL, h]
            mrs = buf[B_MRS, h]
            l2 = buf[B_L2, h]
            v2 = buf[B_V2, h]
            chb = buf[B_CHB, h]
            dib = buf[B_DIB, h]
            v = w + s
            chp = 0.0
            dip = 0.0
            rc = 0.0
            rg = 0.0
            imp = 0.0
            uns = 0.0
            if res_p:  # pumped hydro, on what the battery left
                chp = buf[B_CHP, h]
                dip = buf[B_DIP, h]
                socp = buf[B_SOCP, h]
            elif phs:
                socp, chp, dip = _store_hour(
                    socp, buf[off_p + ST_C1, h], buf[off_p + ST_SD, h], pp, ep, etap
                )
            v3 = v2 - chb - chp  # VRE surplus left for export/curtailment
            if v3 < 0.0:
                v3 = 0.0
            # allocate discharge: local deficit, UHVDC renewable part, export
            dis = dib + dip
            st_loc = min(dis, buf[B_SDL, h])
            st_line = min(dis - st_loc, xr - ur)
            st_exp = dis - st_loc - st_line
            if st_exp < 0.0:
                st_exp = 0.0
            # scheduled thermal band serves what is left of the local load
            need = l2 - st_loc
            if need < 0.0:
                need = 0.0
            fbl = min(fb, need)
            need -= fbl
            if need > 0.0:  # ramp coal, gas, then import
                rc = min(need, ccap - cb)
                need -= rc
                rg = min(need, gcap - gb)
                need -= rg
                imp = min(need, glim)
                uns = need - imp
            # exports: must-run first, then VRE, then the scheduled band
            em = min(mrs, glim)
            tcurt = mrs - em
            room = glim - em - st_exp
            if room < 0.0:
                room = 0.0
            ev = min(v3, room)
            curt = v3 - ev
            room -= ev
            ef = min(fb - fbl, room)
            bd = fb - fbl - ef
            # technology split
            if v > 0.0:
                cw = curt * (w / v)
            else:
                cw = 0.0
            cs = curt - cw
            bdg = min(bd, g_head)
            bdc = bd - bdg
            coal = cb - bdc + rc
            gas = gb - bdg + rg
            hyl = min(hyd, mrl)
            bil = min(bio, mrl - hyl)
            vloc = vl + st_loc
            urt = ur + st_line
            # accumulate (weighted by day)
            t_wind += wt * (w - cw)
            t_solar += wt * (s - cs)
            t_coal += wt * (coal)
            t_gas += wt * (gas)
            t_vav += wt * (v)
            t_curt += wt * (curt)
            t_cw += wt * (cw)
            t_vloc += wt * (vloc)
            t_stl += wt * (st_loc)
            t_stline += wt * (st_line)
            t_stexp += wt * (st_exp)
            t_chb += wt * (chb)
            t_dib += wt * (dib)
            t_chp += wt * (chp)
            t_dip += wt * (dip)
            t_imp += wt * (imp)
            t_ev += wt * (ev)
            t_em += wt * (em)
            t_ef += wt * (ef)
            t_urt += wt * (urt)
            t_uns += wt * (uns)
            t_tcurt += wt * (tcurt)
            t_load += wt * (load)
            t_hyl += wt * (hyl)
            t_bil += wt * (bil)
            t_bd += wt * (bd)
            t_ramp += wt * (rc + rg)
            if do_rec:
                rec[0, d, h] = load
                rec[1, d, h] = w
                rec[2, d, h] = s
                rec[3, d, h] = w - cw
                rec[4, d, h] = s - cs
                rec[5, d, h] = hyd
                rec[6, d, h] = bio
                rec[7, d, h] = coal
                rec[8, d, h] = gas
                rec[9, d, h] = chb
                rec[10, d, h] = dib
                rec[11, d, h] = chp
                rec[12, d, h] = dip
                rec[13, d, h] = 0.0  # filled below (battery SOC needs replay)
                rec[14, d, h] = socp
                rec[15, d, h] = imp
                rec[16, d, h] = em + ev + ef + st_exp
                rec[17, d, h] = urt + f
                rec[18, d, h] = urt
                rec[19, d, h] = curt
                rec[20, d, h] = tcurt
                rec[21, d, h] = uns
                rec[22, d, h] = vloc
        if do_rec:
            # battery SOC at end of each hour: replay from the cyclic start
            sb = soc_b
            for h in range(H - 1, -1, -1):
                rec[13, d, h] = sb
                sb = sb - etab * buf[B_CHB, h] + buf[B_DIB, h] / etab if has_b else 0.0
    sh = sumw * H  # hours represented (8760)
    acc[A_WIND] = t_wind
    acc[A_SOLAR] = t_solar
    acc[A_HYDRO] = hyd * sh
    acc[A_BIO] = bio * sh
    acc[A_COAL] = t_coal
    acc[A_GAS] = t_gas
    acc[A_VRE_AV] = t_vav
    acc[A_CURT] = t_curt
    acc[A_CURT_W] = t_cw
    acc[A_CURT_S] = t_curt - t_cw
    acc[A_VRE_LOC] = t_vloc
    acc[A_CH_B] = t_chb
    acc[A_DIS_B] = t_dib
    acc[A_CH_P] = t_chp
    acc[A_DIS_P] = t_dip
    acc[A_IMP] = t_imp
    acc[A_EXP] = t_em + t_ev + t_ef + t_stexp
    acc[A_EXP_VRE] = t_ev
    acc[A_EXP_MR] = t_em
    acc[A_EXP_BAND] = t_ef
    acc[A_UHVDC] = t_urt + f * sh
    acc[A_UHVDC_RE] = t_urt
    acc[A_UHVDC_SHORT] = (xr + short_f) * sh - t_urt
    acc[A_UNS] = t_uns
    acc[A_TH_CURT] = t_tcurt
    acc[A_LOAD] = t_load
    acc[A_HYDRO_LOC] = t_hyl
    acc[A_BIO_LOC] = t_bil
    acc[A_BACKDOWN] = t_bd
    acc[A_RAMPUP] = t_ramp
    acc[A_ST_LOC] = t_stl
    acc[A_ST_LINE] = t_stline
    acc[A_ST_EXP] = t_stexp
    for k in range(NACC - 1):
        acc[k] *= 1e-3  # GWh -> TWh
    acc[A_PEAK] = peak


@njit(cache=True, error_model="numpy")
def _batch_serial(wsh, ssh, lsh, wts, dem, prm, out, flags):
    n = dem.shape[0]
    buf = np.empty((NBUF, wsh.shape[1]))
    kc = np.empty(lsh.shape[2])
    acc = np.empty(NACC)
    rec = np.empty((1, 1, 1))
    for i in range(n):
        _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, kc, flags)
        for k in range(NACC):
            out[k, i] = acc[k]


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_parallel(wsh, ssh, lsh, wts, dem, prm, out, nchunk, flags):
    n = dem.shape[0]
    size = (n + nchunk - 1) // nchunk
    for c in prange(nchunk):
        buf = np.empty((NBUF, wsh.shape[1]))
        kc = np.empty(lsh.shape[2])
        acc = np.empty(NACC)
        rec = np.empty((1, 1, 1))
        i1 = min(n, (c + 1) * size)
        for i in range(c * size, i1):
            _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, kc, flags)
            for k in range(NACC):
                out[k, i] = acc[k]


@njit(cache=True, error_model="numpy")
def _single_recorded(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags):
    buf = np.empty((NBUF, wsh.shape[1]))
    _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, True, buf, np.empty(lsh.shape[2]), flags)


# ---------------------------------------------------------------------------
def _as_batch(name, x, n):
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(n, float(a))
    elif a.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},) or scalar, got {a.shape}")
    a = np.ascontiguousarray(a)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: non-finite values")
    return a


#: dispatch distinct systems once only when at least this share of the batch repeats another
#: element (finding them costs ~0.1-0.2 µs per element, one element's dispatch ~10-40 µs)
DEDUP_MIN_SHARE = 0.02


@njit(cache=True, error_model="numpy")
def _row_hashes(rows):
    """A 64-bit hash (FNV-1a style, with a shift mix) of each row of *rows* (uint64 bits)."""
    n, m = rows.shape
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        h = np.uint64(0xCBF29CE484222325)
        for j in range(m):
            h = (h ^ rows[i, j]) * np.uint64(0x100000001B3)
            h ^= h >> np.uint64(31)
        out[i] = h
    return out


@njit(cache=True, error_model="numpy")
def _same_rows(rows, first, inverse):
    """True if every row equals (bit for bit) the first row of its group."""
    for i in range(rows.shape[0]):
        k = first[inverse[i]]
        if k != i:
            for j in range(rows.shape[1]):
                if rows[i, j] != rows[k, j]:
                    return False
    return True


def _distinct(prm, dem):
    """(first, inverse) of the distinct elements of the batch, or (None, None).

    Elements are grouped by a hash of their inputs' bit patterns, then every element is compared
    exactly with its group's first one, so a hash collision only turns the de-duplication off
    (it never merges different systems).  (None, None) when fewer than DEDUP_MIN_SHARE repeat.
    """
    n = dem.shape[0]
    if n < 2:
        return None, None
    rows = np.empty((n, len(prm) + dem.shape[1]))
    for j, a in enumerate(prm):
        rows[:, j] = a
    rows[:, len(prm) :] = dem
    rows = rows.view(np.uint64)
    h = _row_hashes(rows)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(hs[1:], hs[:-1], out=new_group[1:])
    if new_group.sum() > (1.0 - DEDUP_MIN_SHARE) * n:
        return None, None
    first = order[new_group]  # stable sort: the first element of each group
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.cumsum(new_group) - 1
    if not _same_rows(rows, first, inverse):
        return None, None
    return first, inverse


def dispatch(  # noqa: C901 - one validation step per argument group, then one kernel call
    shapes,
    weights,
    demand,
    wind_gw,
    solar_gw,
    wind_hours,
    solar_hours,
    hydro_gw,
    hydro_hours,
    biomass_gw,
    biomass_hours,
    coal_gw,
    coal_hours,
    coal_min_stable,
    gas_gw,
    gas_hours,
    gas_min_stable,
    battery_gw,
    battery_gwh,
    battery_eff,
    phs_gw,
    phs_gwh,
    phs_eff,
    uhvdc_twh,
    uhvdc_renewable_share,
    grid_limit_gw,
    hourly_index=None,
    *,
    parallel=False,
    storage_before_band=True,
    charge_before_export=False,
    reserve=True,
    deduplicate=True,
    shape_tol=1e-6,
):
    """Greedy hourly dispatch on representative days for a batch of N systems.

    Parameters: see module docstring / NOTES.md.  Every per-element argument
    is an (N,) array or a scalar (broadcast).  ``shapes`` is a dict of (D, 24)
    arrays with weighted mean 1 (keys "wind", "solar" and one per demand class);
    ``weights`` (D,) sum to 365; ``demand`` dict class -> (N,) [TWh/yr].

    Keyword-only extras: ``parallel`` (prange over batch chunks; results are
    bit-identical to serial), ``storage_before_band``, ``charge_before_export``
    (rule variants, see ``docs/dispatch-notes.md``), ``reserve`` (storage keeps a
    day-ahead reserve for the local deficit and the UHVDC renewable shortfall;
    False: the earlier greedy rule, bit for bit), ``deduplicate`` (dispatch
    bit-identical elements once; results unchanged), ``shape_tol`` (tolerance
    of the mean-1 and sum-365 checks).

    Returns dict of (N,) arrays (see ``OUTPUTS``); with ``hourly_index=k`` also
    "hourly_<flow>" (D, 24) [GW] for element k (see ``HOURLY``).
    """
    # ---- representative days ------------------------------------------------
    wts = np.ascontiguousarray(np.asarray(weights, dtype=np.float64))
    if wts.ndim != 1 or wts.size == 0:
        raise ValueError("weights must be a non-empty 1-D array")
    if np.any(wts < 0) or not np.all(np.isfinite(wts)):
        raise ValueError("weights must be finite and non-negative")
    if abs(wts.sum() - DAYS_PER_YEAR) > shape_tol * DAYS_PER_YEAR:
        raise ValueError(f"weights must sum to 365, got {wts.sum()!r}")
    D = wts.size
    if not isinstance(shapes, dict) or not isinstance(demand, dict):
        raise TypeError("shapes and demand must be dicts")

    def _shape(key):
        if key not in shapes:
            raise KeyError(f"shapes has no {key!r}")
        a = np.asarray(shapes[key], dtype=np.float64)
        if a.shape != (D, H_PER_DAY):
            raise ValueError(f"shapes[{key!r}]: expected ({D}, {H_PER_DAY}), got {a.shape}")
        if np.any(a < 0) or not np.all(np.isfinite(a)):
            raise ValueError(f"shapes[{key!r}] must be finite and non-negative")
        mean = float(wts @ a.sum(axis=1)) / (DAYS_PER_YEAR * H_PER_DAY)
        if abs(mean - 1.0) > shape_tol:
            raise ValueError(f"shapes[{key!r}] weighted mean is {mean!r}, expected 1")
        return a

    wsh = np.ascontiguousarray(_shape("wind"))
    ssh = np.ascontiguousarray(_shape("solar"))
    classes = list(demand)
    if not classes:
        raise ValueError("demand must have at least one class")

    # ---- batch size -----------------------------------------------------------
    sizes = {np.asarray(v).size for v in demand.values() if np.ndim(v) > 0}
    locs = dict(
        wind_gw=wind_gw,
        solar_gw=solar_gw,
        wind_hours=wind_hours,
        solar_hours=solar_hours,
        hydro_gw=hydro_gw,
        hydro_hours=hydro_hours,
        biomass_gw=biomass_gw,
        biomass_hours=biomass_hours,
        coal_gw=coal_gw,
        coal_hours=coal_hours,
        coal_min_stable=coal_min_stable,
        gas_gw=gas_gw,
        gas_hours=gas_hours,
        gas_min_stable=gas_min_stable,
        battery_gw=battery_gw,
        battery_gwh=battery_gwh,
        battery_eff=battery_eff,
        phs_gw=phs_gw,
        phs_gwh=phs_gwh,
        phs_eff=phs_eff,
        uhvdc_twh=uhvdc_twh,
        uhvdc_renewable_share=uhvdc_renewable_share,
        grid_limit_gw=grid_limit_gw,
    )
    sizes |= {np.asarray(v).size for v in locs.values() if np.ndim(v) > 0}
    if len(sizes) > 1:
        raise ValueError(f"inconsistent batch sizes {sorted(sizes)}")
    n = sizes.pop() if sizes else 1

    prm = tuple(_as_batch(k, locs[k], n) for k in PARAMS)
    for k, a in zip(PARAMS, prm, strict=True):
        if np.any(a < 0):
            raise ValueError(f"{k} must be non-negative")
    for k in (
        "wind_hours",
        "solar_hours",
        "hydro_hours",
        "biomass_hours",
        "coal_hours",
        "gas_hours",
    ):
        if np.any(prm[PARAMS.index(k)] > HOURS_PER_YEAR):
            raise ValueError(f"{k} must be <= 8760")
    for k in ("coal_min_stable", "gas_min_stable", "uhvdc_renewable_share"):
        if np.any(prm[PARAMS.index(k)] > 1):
            raise ValueError(f"{k} must be in [0, 1]")
    for k, cap in (("battery_eff", "battery_gw"), ("phs_eff", "phs_gw")):
        e = prm[PARAMS.index(k)]
        if np.any(e > 1) or np.any((e <= 0) & (prm[PARAMS.index(cap)] > 0)):
            raise ValueError(f"{k} must be in (0, 1] where storage exists")
    # efficiency of absent storage is irrelevant; avoid sqrt(0) divisions
    prm = list(prm)
    for k in ("battery_eff", "phs_eff"):
        j = PARAMS.index(k)
        if np.any(prm[j] <= 0):
            prm[j] = np.where(prm[j] > 0, prm[j], 1.0)
    prm = tuple(prm)

    dem = np.empty((n, len(classes)))
    lsh = np.empty((D, H_PER_DAY, len(classes)))
    for c, k in enumerate(classes):
        dem[:, c] = _as_batch(f"demand[{k!r}]", demand[k], n)
        if np.any(dem[:, c] < 0):
            raise ValueError(f"demand[{k!r}] must be non-negative")
        lsh[:, :, c] = _shape(k)

    # ---- run ----------------------------------------------------------------
    flags = (1 if storage_before_band else 0) | (0 if charge_before_export else 2)
    flags |= 4 if reserve else 0
    first, inverse = _distinct(prm, dem) if deduplicate else (None, None)
    if first is not None:  # dispatch each distinct system once
        run_prm = tuple(np.ascontiguousarray(a[first]) for a in prm)
        run_dem = np.ascontiguousarray(dem[first])
    else:
        run_prm, run_dem = prm, dem
    m = run_dem.shape[0]
    out = np.empty((NACC, m))
    if parallel and m > 1:
        nchunk = min(m, 8 * get_num_threads())
        _batch_parallel(wsh, ssh, lsh, wts, run_dem, run_prm, out, nchunk, flags)
    else:
        _batch_serial(wsh, ssh, lsh, wts, run_dem, run_prm, out, flags)
    if first is not None:
        out = out[:, inverse]

    res = {k: out[j] for j, k in enumerate(_ACC)}

    res["curtailment_rate"] = ratio(res["curtailment"], res["vre_available"])
    res["cycles_battery"] = ratio(res["storage_discharge_battery"] / TWH_PER_GWH, prm[P_BAT_GWH])
    res["cycles_phs"] = ratio(res["storage_discharge_phs"] / TWH_PER_GWH, prm[P_PHS_GWH])
    nonhydro = res["vre_local"] + res["biomass_local"]
    res["local_renewable_share_nonhydro"] = ratio(nonhydro, res["local_load"])
    res["local_renewable_share"] = res["local_renewable_share_nonhydro"]
    res["local_nonfossil_share"] = ratio(nonhydro + res["hydro_local"], res["local_load"])
    res["local_vre_share"] = ratio(res["vre_local"], res["local_load"])

    if hourly_index is not None:
        k = int(hourly_index)
        if not 0 <= k < n:
            raise IndexError(f"hourly_index {k} out of range for N={n}")
        acc = np.empty(NACC)
        rec = np.empty((NREC, D, H_PER_DAY))
        _single_recorded(k, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags)
        for j, name in enumerate(HOURLY):
            res["hourly_" + name] = rec[j]
    return res
