"""The compiled element loop of the hourly dispatch: one (scenario, year) system per element.

The per-element parameters (``PARAMS``, in the order of the tuple of arrays the kernel takes),
the raw accumulators (``ACC``, [GWh] weighted by day, then [TWh]) and the hourly series recorded
for one element (``HOURLY``); ``_element`` dispatches one element on all representative days,
``_batch_serial`` / ``_batch_parallel`` a batch (bit-identical), ``_single_recorded`` one element
with its hourly series.  The storage rules live in :mod:`carbonsim.engine.dispatch_storage`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from carbonsim.engine.dispatch_storage import (
    B_CHB,
    B_CHP,
    B_DIB,
    B_DIP,
    B_END,
    B_L,
    B_L2,
    B_MRL,
    B_MRS,
    B_OFF_B,
    B_OFF_P,
    B_S,
    B_SDL,
    B_SOCP,
    B_UR,
    B_V2,
    B_VL,
    B_W,
    H_PER_DAY,
    ST_C1,
    ST_C2,
    ST_D1,
    ST_D2,
    ST_SD,
    _greedy_solve,
    _pass_on,
    _reserve_solve,
)

HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.0

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
ACC = (
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
NACC = len(ACC)
_IDX = {k: j for j, k in enumerate(ACC)}
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
    _IDX[k]
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


# the kernel's own rows of the day scratch (after the storage offers): the flows of pass C
(
    F_WIND,  # wind generation (available - curtailed) [GW]
    F_SOLAR,  # solar generation
    F_COAL,
    F_GAS,
    F_VAV,  # VRE available
    F_CURT,  # VRE curtailed
    F_CW,  # wind curtailed
    F_VLOC,  # VRE (incl. via storage) to local load
    F_STL,  # storage to local load
    F_STLINE,  # storage to the UHVDC renewable part
    F_STEXP,  # storage to export
    F_IMP,  # imports
    F_EV,  # VRE exports
    F_EM,  # must-run exports
    F_EF,  # exports of the scheduled thermal band
    F_URT,  # UHVDC renewable part delivered
    F_UNS,  # unserved
    F_TCURT,  # must-run curtailed
    F_HYL,  # hydro to local load
    F_BIL,  # biomass to local load
    F_BD,  # thermal band backed down
    F_RAMP,  # thermal ramp-up
) = range(B_END, B_END + 22 * H_PER_DAY, H_PER_DAY)
# the element's sums over days, hour by hour (rows after the day's rows): a row per flow row
# (F_* + SUM_F), then the storage flows and the load [GWh]; then the residual load's maxima [GW]
SUM_F = B_END + 22 * H_PER_DAY - F_WIND  # row of F_x's sums: F_x + SUM_F
S_CHB, S_DIB, S_CHP, S_DIP, S_L = range(
    F_WIND + SUM_F + 22 * H_PER_DAY, F_WIND + SUM_F + 27 * H_PER_DAY, H_PER_DAY
)
M_PEAK = S_L + H_PER_DAY
#: length of the flat scratch (rows x 24)
NBUF = M_PEAK + H_PER_DAY
#: (accumulator, its sums row) of every accumulator that is a sum of hourly flows
_SUMMED = np.array(
    [
        (A_WIND, F_WIND + SUM_F),
        (A_SOLAR, F_SOLAR + SUM_F),
        (A_COAL, F_COAL + SUM_F),
        (A_GAS, F_GAS + SUM_F),
        (A_VRE_AV, F_VAV + SUM_F),
        (A_CURT, F_CURT + SUM_F),
        (A_CURT_W, F_CW + SUM_F),
        (A_VRE_LOC, F_VLOC + SUM_F),
        (A_CH_B, S_CHB),
        (A_DIS_B, S_DIB),
        (A_CH_P, S_CHP),
        (A_DIS_P, S_DIP),
        (A_IMP, F_IMP + SUM_F),
        (A_EXP_VRE, F_EV + SUM_F),
        (A_EXP_MR, F_EM + SUM_F),
        (A_EXP_BAND, F_EF + SUM_F),
        (A_UHVDC_RE, F_URT + SUM_F),
        (A_UNS, F_UNS + SUM_F),
        (A_TH_CURT, F_TCURT + SUM_F),
        (A_LOAD, S_L),
        (A_HYDRO_LOC, F_HYL + SUM_F),
        (A_BIO_LOC, F_BIL + SUM_F),
        (A_BACKDOWN, F_BD + SUM_F),
        (A_RAMPUP, F_RAMP + SUM_F),
        (A_ST_LOC, F_STL + SUM_F),
        (A_ST_LINE, F_STLINE + SUM_F),
        (A_ST_EXP, F_STEXP + SUM_F),
    ],
    dtype=np.int64,
)


@njit(cache=True, inline="always", error_model="numpy")
def _day_load(buf, lsh, dem, i, d, inv_h):
    """Local load of day d (row B_L) [GW]: sum over classes of demand x shape, class by class.

    The same additions in the same order as one sum per hour (0 + class 0 + class 1 + ...), with
    the class loop outside so that the hour loop is a plain vector update."""
    for h in range(H_PER_DAY):
        buf[B_L + h] = 0.0
    for c in range(lsh.shape[0]):
        kc = dem[i, c] * 1000.0 * inv_h  # demand class -> GW per unit of its shape
        for h in range(H_PER_DAY):
            buf[B_L + h] += kc * lsh[c, d, h]


@njit(cache=True, inline="always", error_model="numpy")
def _day_offers(buf, wsh, ssh, d, kw, wg, ks, sg, glim, mr, fb, xr, before_band, export_first):
    """Pass A of day d: VRE, the local and line shares, and what the battery is offered.

    Every hour on its own (no branches: selects), rows B_* and B_OFF_B + ST_*.  Returns (any
    surplus hour, any high-value need) of the day."""
    any_surplus = False
    any_need = False
    for h in range(H_PER_DAY):
        w = kw * wsh[d, h]
        w = wg if w > wg else w
        s = ks * ssh[d, h]
        s = sg if s > sg else s
        v = w + s
        load = buf[B_L + h]
        vl = min(v, load)
        capv = load + glim - mr  # must-run that cannot be exported
        capv = 0.0 if capv < 0.0 else capv  # takes local load back from VRE
        vl = capv if vl > capv else vl
        l1 = load - vl
        rem = v - vl
        ur = min(rem, xr)
        v2 = rem - ur
        mrl = min(mr, l1)
        l2 = l1 - mrl
        # storage deficit: after must-run, or after the scheduled band too
        sd = l2 if before_band else l2 - min(fb, l2)
        room0 = glim - min(mr - mrl, glim)  # grid room after must-run export
        surplus = v2 > 0.0
        # VRE surplus storage must take (all of it, or what cannot be exported)
        v2x = v2 - room0
        v2x = 0.0 if v2x < 0.0 else v2x
        v2c = v2x if export_first and surplus else v2
        # storage discharge demand: local deficit, then the UHVDC renewable shortfall, then
        # export room left after must-run (and VRE) exports; a surplus hour has no high-value need
        sds = room0 - v2
        sds = 0.0 if sds < 0.0 else sds
        sds = 0.0 if v2c > 0.0 else sds
        d1 = 0.0 if surplus else sd + (xr - ur)
        buf[B_W + h] = w
        buf[B_S + h] = s
        buf[B_VL + h] = vl
        buf[B_UR + h] = ur
        buf[B_MRL + h] = mrl
        buf[B_MRS + h] = mr - mrl
        buf[B_L2 + h] = l2
        buf[B_SDL + h] = sd
        buf[B_V2 + h] = v2
        buf[B_OFF_B + ST_C1 + h] = v2c
        buf[B_OFF_B + ST_C2 + h] = v2 - v2c
        buf[B_OFF_B + ST_D1 + h] = d1
        buf[B_OFF_B + ST_D2 + h] = sds if surplus else room0
        buf[B_OFF_B + ST_SD + h] = sds if surplus else sd + ((xr - ur) + room0)
        any_surplus |= surplus
        any_need |= d1 > 0.0
    return any_surplus, any_need


@njit(cache=True, inline="always", error_model="numpy")
def _zero(buf, row):
    for h in range(H_PER_DAY):
        buf[row + h] = 0.0


@njit(cache=True, error_model="numpy")
def _day_storage(buf, bat, phs, res_b, need, keep_reserve, pb, eb, etab, pp, ep, etap):
    """Battery, then pumped hydro on what the battery leaves, on the day in *buf*.

    Fills rows B_CHB, B_DIB (battery), B_CHP, B_DIP, B_SOCP (pumped hydro) and returns the
    battery's SOC at the end of the day (= its cyclic start) [GWh]."""
    off_p = B_OFF_P if bat else B_OFF_B  # rows of what pumped hydro is offered
    soc = 0.0
    need_p = need
    if bat:
        need_p = False
        if res_b:
            soc = _reserve_solve(buf, B_OFF_B, pb, eb, etab, B_CHB, B_DIB, B_SOCP)
        else:  # its SOC goes to B_SOCP as scratch (pumped hydro's row, written below)
            soc = _greedy_solve(buf, B_OFF_B, pb, eb, etab, B_CHB, B_DIB, B_SOCP)
        if phs:
            for h in range(H_PER_DAY):
                need_p = _pass_on(buf, h, buf[B_CHB + h], buf[B_DIB + h]) or need_p
    else:
        _zero(buf, B_CHB)
        _zero(buf, B_DIB)
    if keep_reserve and need_p and phs:
        _reserve_solve(buf, off_p, pp, ep, etap, B_CHP, B_DIP, B_SOCP)
    elif phs:
        _greedy_solve(buf, off_p, pp, ep, etap, B_CHP, B_DIP, B_SOCP)
    else:
        _zero(buf, B_CHP)
        _zero(buf, B_DIP)
        _zero(buf, B_SOCP)
    return soc


@njit(cache=True, inline="always", error_model="numpy")
def _day_flows(buf, hyd, bio, xr, glim, fb, ccap, cb, gcap, gb, g_head):
    """Pass C of day d: storage discharge shares, thermal, imports, exports (rows F_*).

    Every hour on its own (no branches: selects) from the rows of passes A and B."""
    for h in range(H_PER_DAY):
        w = buf[B_W + h]
        s = buf[B_S + h]
        ur = buf[B_UR + h]
        mrl = buf[B_MRL + h]
        mrs = buf[B_MRS + h]
        chp = buf[B_CHP + h]
        v = w + s
        v3 = buf[B_V2 + h] - buf[B_CHB + h] - chp  # VRE surplus left for export/curtailment
        v3 = 0.0 if v3 < 0.0 else v3
        # allocate discharge: local deficit, UHVDC renewable part, export
        dis = buf[B_DIB + h] + buf[B_DIP + h]
        st_loc = min(dis, buf[B_SDL + h])
        st_line = min(dis - st_loc, xr - ur)
        st_exp = dis - st_loc - st_line
        st_exp = 0.0 if st_exp < 0.0 else st_exp
        # scheduled thermal band serves what is left of the local load
        need = buf[B_L2 + h] - st_loc
        need = 0.0 if need < 0.0 else need
        fbl = min(fb, need)
        need = need - fbl
        short = need > 0.0  # ramp coal, gas, then import
        rc = min(need, ccap - cb)
        need1 = need - rc
        rg = min(need1, gcap - gb)
        need2 = need1 - rg
        imp = min(need2, glim)
        uns = need2 - imp
        rc = rc if short else 0.0
        rg = rg if short else 0.0
        imp = imp if short else 0.0
        uns = uns if short else 0.0
        # exports: must-run first, then VRE, then the scheduled band
        em = min(mrs, glim)
        room = glim - em - st_exp
        room = 0.0 if room < 0.0 else room
        ev = min(v3, room)
        curt = v3 - ev
        room -= ev
        ef = min(fb - fbl, room)
        bd = fb - fbl - ef
        # technology split
        cw = curt * (w / v)
        cw = cw if v > 0.0 else 0.0
        bdg = min(bd, g_head)
        hyl = min(hyd, mrl)
        buf[F_WIND + h] = w - cw
        buf[F_SOLAR + h] = s - (curt - cw)
        buf[F_COAL + h] = cb - (bd - bdg) + rc
        buf[F_GAS + h] = gb - bdg + rg
        buf[F_VAV + h] = v
        buf[F_CURT + h] = curt
        buf[F_CW + h] = cw
        buf[F_VLOC + h] = buf[B_VL + h] + st_loc
        buf[F_STL + h] = st_loc
        buf[F_STLINE + h] = st_line
        buf[F_STEXP + h] = st_exp
        buf[F_IMP + h] = imp
        buf[F_EV + h] = ev
        buf[F_EM + h] = em
        buf[F_EF + h] = ef
        buf[F_URT + h] = ur + st_line
        buf[F_UNS + h] = uns
        buf[F_TCURT + h] = mrs - em
        buf[F_HYL + h] = hyl
        buf[F_BIL + h] = min(bio, mrl - hyl)
        buf[F_BD + h] = bd
        buf[F_RAMP + h] = rc + rg


@njit(cache=True, inline="always", error_model="numpy")
def _day_record(buf, rec, d, hyd, bio, f, soc_b, etab, has_b):
    """The hourly series of day d (rows of *rec*, see ``HOURLY``) [GW, GWh]."""
    for h in range(H_PER_DAY):
        rec[0, d, h] = buf[B_L + h]
        rec[1, d, h] = buf[B_W + h]
        rec[2, d, h] = buf[B_S + h]
        rec[3, d, h] = buf[F_WIND + h]
        rec[4, d, h] = buf[F_SOLAR + h]
        rec[5, d, h] = hyd
        rec[6, d, h] = bio
        rec[7, d, h] = buf[F_COAL + h]
        rec[8, d, h] = buf[F_GAS + h]
        rec[9, d, h] = buf[B_CHB + h]
        rec[10, d, h] = buf[B_DIB + h]
        rec[11, d, h] = buf[B_CHP + h]
        rec[12, d, h] = buf[B_DIP + h]
        rec[14, d, h] = buf[B_SOCP + h]
        rec[15, d, h] = buf[F_IMP + h]
        rec[16, d, h] = buf[F_EM + h] + buf[F_EV + h] + buf[F_EF + h] + buf[F_STEXP + h]
        rec[17, d, h] = buf[F_URT + h] + f
        rec[18, d, h] = buf[F_URT + h]
        rec[19, d, h] = buf[F_CURT + h]
        rec[20, d, h] = buf[F_TCURT + h]
        rec[21, d, h] = buf[F_UNS + h]
        rec[22, d, h] = buf[F_VLOC + h]
    # battery SOC at end of each hour: replay from the cyclic start
    sb = soc_b
    for h in range(H_PER_DAY - 1, -1, -1):
        rec[13, d, h] = sb
        sb = sb - etab * buf[B_CHB + h] + buf[B_DIB + h] / etab if has_b else 0.0


@njit(cache=True, inline="always", error_model="numpy")
def _sums_start(buf):
    """Empty the element's sums (0) and maxima (-inf)."""
    for j in range(F_WIND + SUM_F, M_PEAK):
        buf[j] = 0.0
    for h in range(H_PER_DAY):
        buf[M_PEAK + h] = -np.inf


@njit(cache=True, inline="always", error_model="numpy")
def _day_sums(buf, wt):
    """Add day weight x each hourly flow of the day to the element's sums, hour by hour [GWh].

    Summed over days per hour, then over hours at the end (``_total``): vectorised over the
    day's hours, and within ~1e-15 relative of one sum in (day, hour) order."""
    for j in range(F_WIND, F_WIND + 22 * H_PER_DAY):
        buf[j + SUM_F] += wt * buf[j]
    for h in range(H_PER_DAY):
        buf[S_CHB + h] += wt * buf[B_CHB + h]
        buf[S_DIB + h] += wt * buf[B_DIB + h]
        buf[S_CHP + h] += wt * buf[B_CHP + h]
        buf[S_DIP + h] += wt * buf[B_DIP + h]
        buf[S_L + h] += wt * buf[B_L + h]
        # the residual load's maximum (exact in any order)
        r = buf[B_L + h] - (buf[B_W + h] + buf[B_S + h])
        buf[M_PEAK + h] = max(buf[M_PEAK + h], r)


@njit(cache=True, inline="always", error_model="numpy")
def _total(buf, row):
    """The element's total of sums row *row*: its 24 hours added in hour order [GWh]."""
    t = 0.0
    for h in range(H_PER_DAY):
        t += buf[row + h]
    return t


@njit(cache=True, inline="always", error_model="numpy")
def _totals(buf, acc, hyd, bio, sh, f, xr_short):
    """The accumulators of the element (``ACC``) from its sums [TWh; GW for the peak].

    *sh*: hours represented (8760); *f*: the UHVDC fossil part [GW]; *xr_short*: the line's
    renewable part plus its fossil shortfall [GW]."""
    for j in range(_SUMMED.shape[0]):
        acc[_SUMMED[j, 0]] = _total(buf, _SUMMED[j, 1])
    acc[A_HYDRO] = hyd * sh
    acc[A_BIO] = bio * sh
    acc[A_CURT_S] = acc[A_CURT] - acc[A_CURT_W]
    acc[A_EXP] = acc[A_EXP_MR] + acc[A_EXP_VRE] + acc[A_EXP_BAND] + acc[A_ST_EXP]
    acc[A_UHVDC] = acc[A_UHVDC_RE] + f * sh
    acc[A_UHVDC_SHORT] = xr_short * sh - acc[A_UHVDC_RE]
    for k in range(NACC - 1):
        acc[k] *= 1e-3  # GWh -> TWh
    peak = -np.inf
    for h in range(H_PER_DAY):
        peak = max(peak, buf[M_PEAK + h])
    acc[A_PEAK] = peak


@njit(cache=True, error_model="numpy")
def _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, do_rec, buf, flags):
    """Dispatch element i on all representative days; its accumulators into *acc*.

    *buf* (NBUF) is per-thread scratch; *rec* (NREC, D, 24) gets the hourly series
    when *do_rec*.  Each day: load, pass A (offers), storage, pass C (flows), sums."""
    before_band = (flags & 1) != 0  # storage discharges before the thermal band
    export_first = (flags & 2) != 0  # storage charges only from non-exportable VRE
    # storage keeps a reserve for the day's high-value need (and tops it up from exportable VRE)
    keep_reserve = export_first and (flags & 4) != 0
    D = wsh.shape[0]
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
    g_head = gb - gfl  # gas part of the band (for the split)
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

    _sums_start(buf)
    sumw = 0.0
    for d in range(D):
        wt = wts[d]
        sumw += wt
        _day_load(buf, lsh, dem, i, d, inv_h)
        day_surplus, day_need = _day_offers(
            buf, wsh, ssh, d, kw, wg, ks, sg, glim, mr, fb, xr, before_band, export_first
        )
        # a day with no surplus: storage SOC 0, no flows (exact)
        bat = has_b and day_surplus
        phs = has_p and day_surplus
        res_b = keep_reserve and day_need and bat
        soc_b = _day_storage(
            buf, bat, phs, res_b, day_need, keep_reserve, pb, eb, etab, pp, ep, etap
        )
        _day_flows(buf, hyd, bio, xr, glim, fb, ccap, cb, gcap, gb, g_head)
        _day_sums(buf, wt)
        if do_rec:
            _day_record(buf, rec, d, hyd, bio, f, soc_b, etab, has_b)
    _totals(buf, acc, hyd, bio, sumw * H_PER_DAY, f, xr + short_f)  # sh: hours represented


@njit(cache=True, error_model="numpy")
def _batch_serial(wsh, ssh, lsh, wts, dem, prm, out, flags):
    n = dem.shape[0]
    buf = np.empty(NBUF)
    acc = np.empty(NACC)
    rec = np.empty((1, 1, 1))
    for i in range(n):
        _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, flags)
        for k in range(NACC):
            out[k, i] = acc[k]


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_parallel(wsh, ssh, lsh, wts, dem, prm, out, nchunk, flags):
    n = dem.shape[0]
    size = (n + nchunk - 1) // nchunk
    for c in prange(nchunk):
        buf = np.empty(NBUF)
        acc = np.empty(NACC)
        rec = np.empty((1, 1, 1))
        i1 = min(n, (c + 1) * size)
        for i in range(c * size, i1):
            _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, flags)
            for k in range(NACC):
                out[k, i] = acc[k]


@njit(cache=True, error_model="numpy")
def _single_recorded(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags):
    buf = np.empty(NBUF)
    _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, True, buf, flags)
