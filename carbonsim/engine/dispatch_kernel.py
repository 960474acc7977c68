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
    LANES,
    NST,
    ROW,
    S_E,
    S_ETA,
    S_P,
    ST_C1,
    ST_C2,
    ST_D1,
    ST_D2,
    ST_SD,
    V_BAT,
    V_ON,
    V_PHS,
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


# the kernel's own rows of the day scratch (after the storage's): the flows of pass C
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
) = range(B_END, B_END + 22 * ROW, ROW)
#: the rows summed over the day (weight x hour), in the order of the sums t[0..26]
SUMS = (
    F_WIND,
    F_SOLAR,
    F_COAL,
    F_GAS,
    F_VAV,
    F_CURT,
    F_CW,
    F_VLOC,
    F_STL,
    F_STLINE,
    F_STEXP,
    B_CHB,
    B_DIB,
    B_CHP,
    B_DIP,
    F_IMP,
    F_EV,
    F_EM,
    F_EF,
    F_URT,
    F_UNS,
    F_TCURT,
    B_L,
    F_HYL,
    F_BIL,
    F_BD,
    F_RAMP,
)
NSUM = len(SUMS)
# the kernel's vectors (one number per lane): constants of the element, then day flags and sums
_KVECTORS = (
    "K_KW",  # wind GW per unit of its shape
    "K_WG",  # wind capacity [GW]
    "K_KS",
    "K_SG",
    "K_HYD",  # hydro (flat) [GW]
    "K_BIO",  # biomass (flat)
    "K_MR",  # must-run for local use and export
    "K_FB",  # scheduled thermal band
    "K_XR",  # UHVDC renewable part
    "K_GLIM",  # grid limit
    "K_CCAP",  # coal capacity
    "K_CB",  # coal base
    "K_GCAP",
    "K_GB",
    "K_GHEAD",  # gas part of the band
    "K_KC",  # a demand class: GW per unit of its shape
    "K_HASB",  # 1.0: the element has a battery
    "K_HASP",  # 1.0: the element has pumped hydro
    "K_SURP",  # 1.0: the day has a surplus hour
    "K_NEED",  # 1.0: the day has a high-value need
    "K_BAT",  # 1.0: the battery runs today
    "K_PHS",
    "K_RESB",  # 1.0: the battery keeps a reserve today
    "K_SOCB",  # battery SOC at the end of the day [GWh]
    "K_PEAK",  # peak residual load [GW]
)
(
    K_KW,
    K_WG,
    K_KS,
    K_SG,
    K_HYD,
    K_BIO,
    K_MR,
    K_FB,
    K_XR,
    K_GLIM,
    K_CCAP,
    K_CB,
    K_GCAP,
    K_GB,
    K_GHEAD,
    K_KC,
    K_HASB,
    K_HASP,
    K_SURP,
    K_NEED,
    K_BAT,
    K_PHS,
    K_RESB,
    K_SOCB,
    K_PEAK,
) = range(B_END + 22 * ROW, B_END + 22 * ROW + len(_KVECTORS) * LANES, LANES)
#: the day sums: sum k of lane ln at K_T + k * LANES + ln [GWh]
K_T = B_END + 22 * ROW + len(_KVECTORS) * LANES
#: length of the flat day scratch
NBUF = K_T + NSUM * LANES


@njit(cache=True, inline="always", error_model="numpy")
def _lane_element(i0, nl, ln):
    """Element of lane ln in the block starting at i0 with nl live lanes (the last one repeated)."""
    return i0 + min(ln, nl - 1)


@njit(cache=True, error_model="numpy")
def _setup(buf, prm, i0, nl):
    """The element constants of each lane into the K_* and storage vectors; sums and peak to 0.

    Returns the UHVDC fossil part met by thermal f and its shortfall, per lane, as
    ((LANES,), (LANES,)) arrays [GW]."""
    inv_h = 1.0 / 8760.0
    fs = np.empty(LANES)
    short = np.empty(LANES)
    for ln in range(LANES):
        i = _lane_element(i0, nl, ln)
        wg = prm[P_WIND_GW][i]
        sg = prm[P_SOLAR_GW][i]
        buf[K_WG + ln] = wg
        buf[K_SG + ln] = sg
        buf[K_KW + ln] = wg * prm[P_WIND_H][i] * inv_h
        buf[K_KS + ln] = sg * prm[P_SOLAR_H][i] * inv_h
        hyd = prm[P_HYDRO_GW][i] * prm[P_HYDRO_H][i] * inv_h
        bio = prm[P_BIO_GW][i] * prm[P_BIO_H][i] * inv_h
        buf[K_HYD + ln] = hyd
        buf[K_BIO + ln] = bio
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
        g_head = gb - gfl  # gas part of the band (for the split)
        if g_head < 0.0:
            g_head = 0.0
        buf[K_MR + ln] = hb + (tfl - f)  # must-run available to local load/export
        buf[K_FB + ln] = tb - tfl  # scheduled band that may be backed down
        buf[K_XR + ln] = xr
        buf[K_GLIM + ln] = prm[P_GRID][i]
        buf[K_CCAP + ln] = ccap
        buf[K_CB + ln] = cb
        buf[K_GCAP + ln] = gcap
        buf[K_GB + ln] = gb
        buf[K_GHEAD + ln] = g_head
        fs[ln] = f
        short[ln] = xf - f

        pb = prm[P_BAT_GW][i]
        eb = prm[P_BAT_GWH][i]
        pp = prm[P_PHS_GW][i]
        ep = prm[P_PHS_GWH][i]
        buf[V_BAT + S_P + ln] = pb
        buf[V_BAT + S_E + ln] = eb
        buf[V_BAT + S_ETA + ln] = math.sqrt(prm[P_BAT_EFF][i])
        buf[V_PHS + S_P + ln] = pp
        buf[V_PHS + S_E + ln] = ep
        buf[V_PHS + S_ETA + ln] = math.sqrt(prm[P_PHS_EFF][i])
        buf[K_HASB + ln] = 1.0 if pb > 0.0 and eb > 0.0 else 0.0
        buf[K_HASP + ln] = 1.0 if pp > 0.0 and ep > 0.0 else 0.0
        buf[K_PEAK + ln] = -np.inf
        for k in range(NSUM):
            buf[K_T + k * LANES + ln] = 0.0
    return fs, short


@njit(cache=True, inline="always", error_model="numpy")
def _day_load(buf, lsh, dem, i0, nl, d, inv_h):
    """Local load of day d (row B_L) [GW]: sum over classes of demand x shape, class by class.

    The same additions in the same order as one sum per hour (0 + class 0 + class 1 + ...), with
    the class loop outside so that the loop over hours and lanes is a plain vector update."""
    for j in range(ROW):
        buf[B_L + j] = 0.0
    for c in range(lsh.shape[0]):
        for ln in range(LANES):  # demand class -> GW per unit of its shape
            buf[K_KC + ln] = dem[_lane_element(i0, nl, ln), c] * 1000.0 * inv_h
        for h in range(H_PER_DAY):
            sh = lsh[c, d, h]
            for ln in range(LANES):
                buf[B_L + h * LANES + ln] += buf[K_KC + ln] * sh


@njit(cache=True, inline="always", error_model="numpy")
def _day_offers(buf, wsh, ssh, d, before_band, export_first):
    """Pass A of day d: VRE, the local and line shares, and what the battery is offered.

    Every hour and lane on its own (no branches: selects), rows B_* and B_OFF_B + ST_*; the
    vectors K_SURP, K_NEED get whether the day has a surplus hour and a high-value need, and
    K_PEAK the peak residual load so far."""
    for ln in range(LANES):
        buf[K_SURP + ln] = 0.0
        buf[K_NEED + ln] = 0.0
    for h in range(H_PER_DAY):
        wsh_h = wsh[d, h]
        ssh_h = ssh[d, h]
        for ln in range(LANES):
            j = h * LANES + ln
            wg = buf[K_WG + ln]
            sg = buf[K_SG + ln]
            glim = buf[K_GLIM + ln]
            mr = buf[K_MR + ln]
            xr = buf[K_XR + ln]
            w = buf[K_KW + ln] * wsh_h
            w = wg if w > wg else w
            s = buf[K_KS + ln] * ssh_h
            s = sg if s > sg else s
            v = w + s
            load = buf[B_L + j]
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
            sd_band = l2 - min(buf[K_FB + ln], l2)
            sd = l2 if before_band else sd_band
            room0 = glim - min(mr - mrl, glim)  # grid room after must-run export
            surplus = v2 > 0.0
            # VRE surplus storage must take (all of it, or what cannot be exported)
            v2x = v2 - room0
            v2x = 0.0 if v2x < 0.0 else v2x
            v2c = v2x if export_first & surplus else v2
            # storage discharge demand: local deficit, then the UHVDC renewable shortfall, then
            # export room left after must-run (and VRE) exports; a surplus hour has no
            # high-value need
            sds = room0 - v2
            sds = 0.0 if sds < 0.0 else sds
            sds = 0.0 if v2c > 0.0 else sds
            d1 = sd + (xr - ur)
            d1 = 0.0 if surplus else d1
            sdd = sd + ((xr - ur) + room0)
            buf[B_W + j] = w
            buf[B_S + j] = s
            buf[B_VL + j] = vl
            buf[B_UR + j] = ur
            buf[B_MRL + j] = mrl
            buf[B_MRS + j] = mr - mrl
            buf[B_L2 + j] = l2
            buf[B_SDL + j] = sd
            buf[B_V2 + j] = v2
            buf[B_OFF_B + ST_C1 + j] = v2c
            buf[B_OFF_B + ST_C2 + j] = v2 - v2c
            buf[B_OFF_B + ST_D1 + j] = d1
            buf[B_OFF_B + ST_D2 + j] = sds if surplus else room0
            buf[B_OFF_B + ST_SD + j] = sds if surplus else sdd
            buf[K_SURP + ln] = 1.0 if surplus else buf[K_SURP + ln]
            buf[K_NEED + ln] = 1.0 if d1 > 0.0 else buf[K_NEED + ln]
            r = load - v
            buf[K_PEAK + ln] = r if r > buf[K_PEAK + ln] else buf[K_PEAK + ln]


@njit(cache=True, inline="always", error_model="numpy")
def _zero_where_off(buf, row, on):
    """Row *row* = 0 in the lanes where the vector *on* is 0."""
    for h in range(H_PER_DAY):
        for ln in range(LANES):
            j = row + h * LANES + ln
            buf[j] = buf[j] if buf[on + ln] != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _storage(buf, off, sp, run, res, row_ch, row_dis, row_soc):
    """One storage (parameters at *sp*, offers at *off*) in the lanes where the vector *run* is
    set: with a reserve where the vector *res* is set too, greedy in the others; zero flows in
    the lanes where it does not run (rows row_ch, row_dis)."""
    any_res = False
    any_greedy = False
    for ln in range(LANES):
        on = buf[run + ln] != 0.0
        r = buf[res + ln] != 0.0
        any_res |= on & r
        any_greedy |= on & (not r)
    if any_res:
        for ln in range(LANES):
            buf[V_ON + ln] = buf[run + ln] if buf[res + ln] != 0.0 else 0.0
        _reserve_solve(buf, off, sp, row_ch, row_dis, row_soc)
    if any_greedy:
        for ln in range(LANES):
            buf[V_ON + ln] = 0.0 if buf[res + ln] != 0.0 else buf[run + ln]
        _greedy_solve(buf, off, sp, row_ch, row_dis, row_soc)
    _zero_where_off(buf, row_ch, run)
    _zero_where_off(buf, row_dis, run)


@njit(cache=True, error_model="numpy")
def _day_storage(buf, keep_reserve):
    """Battery, then pumped hydro on what the battery leaves, on the day in *buf*, all lanes.

    Fills rows B_CHB, B_DIB (battery), B_CHP, B_DIP, B_SOCP (pumped hydro) and K_SOCB, the
    battery's SOC at the end of the day (= its cyclic start) [GWh].  A day with no surplus:
    SOC 0, no flows (exact)."""
    any_p = False
    for ln in range(LANES):
        surplus = buf[K_SURP + ln] != 0.0
        bat = surplus & (buf[K_HASB + ln] != 0.0)
        phs = surplus & (buf[K_HASP + ln] != 0.0)
        buf[K_BAT + ln] = 1.0 if bat else 0.0
        buf[K_PHS + ln] = 1.0 if phs else 0.0
        res = keep_reserve & bat & (buf[K_NEED + ln] != 0.0)
        buf[K_RESB + ln] = 1.0 if res else 0.0
        any_p |= phs
    # the battery; its SOC goes to B_SOCP as scratch (pumped hydro's row, written below)
    _storage(buf, B_OFF_B, V_BAT, K_BAT, K_RESB, B_CHB, B_DIB, B_SOCP)
    for ln in range(LANES):
        end = buf[B_SOCP + (H_PER_DAY - 1) * LANES + ln]
        buf[K_SOCB + ln] = end if buf[K_BAT + ln] != 0.0 else 0.0
    if any_p:
        # what pumped hydro is offered: what the battery leaves (or all, without a battery)
        for ln in range(LANES):
            bat = buf[K_BAT + ln] != 0.0
            need = False if bat else buf[K_NEED + ln] != 0.0
            for h in range(H_PER_DAY):
                j = h * LANES + ln
                if bat:
                    need = _pass_on(buf, j) or need
                else:
                    for r in range(0, NST, ROW):
                        buf[B_OFF_P + r + j] = buf[B_OFF_B + r + j]
            buf[K_RESB + ln] = 1.0 if keep_reserve & need else 0.0
        _storage(buf, B_OFF_P, V_PHS, K_PHS, K_RESB, B_CHP, B_DIP, B_SOCP)
    else:
        _zero_where_off(buf, B_CHP, K_PHS)
        _zero_where_off(buf, B_DIP, K_PHS)
    _zero_where_off(buf, B_SOCP, K_PHS)


@njit(cache=True, inline="always", error_model="numpy")
def _day_flows(buf):
    """Pass C of the day: storage discharge shares, thermal, imports, exports (rows F_*).

    Every hour and lane on its own (no branches: selects) from the rows of passes A and B."""
    for h in range(H_PER_DAY):
        for ln in range(LANES):
            j = h * LANES + ln
            xr = buf[K_XR + ln]
            glim = buf[K_GLIM + ln]
            fb = buf[K_FB + ln]
            cb = buf[K_CB + ln]
            gb = buf[K_GB + ln]
            w = buf[B_W + j]
            s = buf[B_S + j]
            ur = buf[B_UR + j]
            mrl = buf[B_MRL + j]
            mrs = buf[B_MRS + j]
            chp = buf[B_CHP + j]
            v = w + s
            v3 = buf[B_V2 + j] - buf[B_CHB + j] - chp  # VRE surplus left for export/curtailment
            v3 = 0.0 if v3 < 0.0 else v3
            # allocate discharge: local deficit, UHVDC renewable part, export
            dis = buf[B_DIB + j] + buf[B_DIP + j]
            st_loc = min(dis, buf[B_SDL + j])
            st_line = min(dis - st_loc, xr - ur)
            st_exp = dis - st_loc - st_line
            st_exp = 0.0 if st_exp < 0.0 else st_exp
            # scheduled thermal band serves what is left of the local load
            need = buf[B_L2 + j] - st_loc
            need = 0.0 if need < 0.0 else need
            fbl = min(fb, need)
            need = need - fbl
            short = need > 0.0  # ramp coal, gas, then import
            rc = min(need, buf[K_CCAP + ln] - cb)
            need1 = need - rc
            rg = min(need1, buf[K_GCAP + ln] - gb)
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
            bdg = min(bd, buf[K_GHEAD + ln])
            hyl = min(buf[K_HYD + ln], mrl)
            buf[F_WIND + j] = w - cw
            buf[F_SOLAR + j] = s - (curt - cw)
            buf[F_COAL + j] = cb - (bd - bdg) + rc
            buf[F_GAS + j] = gb - bdg + rg
            buf[F_VAV + j] = v
            buf[F_CURT + j] = curt
            buf[F_CW + j] = cw
            buf[F_VLOC + j] = buf[B_VL + j] + st_loc
            buf[F_STL + j] = st_loc
            buf[F_STLINE + j] = st_line
            buf[F_STEXP + j] = st_exp
            buf[F_IMP + j] = imp
            buf[F_EV + j] = ev
            buf[F_EM + j] = em
            buf[F_EF + j] = ef
            buf[F_URT + j] = ur + st_line
            buf[F_UNS + j] = uns
            buf[F_TCURT + j] = mrs - em
            buf[F_HYL + j] = hyl
            buf[F_BIL + j] = min(buf[K_BIO + ln], mrl - hyl)
            buf[F_BD + j] = bd
            buf[F_RAMP + j] = rc + rg


@njit(cache=True, inline="always", error_model="numpy")
def _day_sums(buf, wt):
    """Add day weight x each hourly flow to the day sums, hour after hour [GWh].

    Each sum of each lane gets its additions in the order of the hours (bit for bit the sums of
    one element); the loop over lanes, innermost, is a vector update."""
    for h in range(H_PER_DAY):
        for k in range(NSUM):
            row = SUMS[k] + h * LANES
            for ln in range(LANES):
                buf[K_T + k * LANES + ln] += wt * buf[row + ln]


@njit(cache=True, inline="always", error_model="numpy")
def _day_record(buf, rec, d, f):
    """The hourly series of day d of lane 0 (rows of *rec*, see ``HOURLY``) [GW, GWh]."""
    for h in range(H_PER_DAY):
        j = h * LANES
        rec[0, d, h] = buf[B_L + j]
        rec[1, d, h] = buf[B_W + j]
        rec[2, d, h] = buf[B_S + j]
        rec[3, d, h] = buf[F_WIND + j]
        rec[4, d, h] = buf[F_SOLAR + j]
        rec[5, d, h] = buf[K_HYD]
        rec[6, d, h] = buf[K_BIO]
        rec[7, d, h] = buf[F_COAL + j]
        rec[8, d, h] = buf[F_GAS + j]
        rec[9, d, h] = buf[B_CHB + j]
        rec[10, d, h] = buf[B_DIB + j]
        rec[11, d, h] = buf[B_CHP + j]
        rec[12, d, h] = buf[B_DIP + j]
        rec[14, d, h] = buf[B_SOCP + j]
        rec[15, d, h] = buf[F_IMP + j]
        rec[16, d, h] = buf[F_EM + j] + buf[F_EV + j] + buf[F_EF + j] + buf[F_STEXP + j]
        rec[17, d, h] = buf[F_URT + j] + f
        rec[18, d, h] = buf[F_URT + j]
        rec[19, d, h] = buf[F_CURT + j]
        rec[20, d, h] = buf[F_TCURT + j]
        rec[21, d, h] = buf[F_UNS + j]
        rec[22, d, h] = buf[F_VLOC + j]
    # battery SOC at end of each hour: replay from the cyclic start
    etab = buf[V_BAT + S_ETA]
    has_b = buf[K_HASB] != 0.0
    sb = buf[K_SOCB]
    for h in range(H_PER_DAY - 1, -1, -1):
        j = h * LANES
        rec[13, d, h] = sb
        sb = sb - etab * buf[B_CHB + j] + buf[B_DIB + j] / etab if has_b else 0.0


@njit(cache=True, error_model="numpy")
def _block(i0, nl, wsh, ssh, lsh, wts, dem, prm, out, col0, rec, do_rec, buf, flags):
    """Dispatch the elements i0 .. i0 + nl - 1 (nl <= LANES) on all representative days.

    The block always has LANES lanes (the last element repeated in the others, whose results are
    dropped); every lane sees the operations of one element, so its results do not depend on the
    block.  Their accumulators go to out[:, col0 + ln] [TWh, GW].  *buf* (NBUF) is per-thread
    scratch; *rec* (NREC, D, 24) gets the hourly series of lane 0 when *do_rec*.  Each day:
    load, pass A (offers), storage, pass C (flows), sums."""
    before_band = (flags & 1) != 0  # storage discharges before the thermal band
    export_first = (flags & 2) != 0  # storage charges only from non-exportable VRE
    # storage keeps a reserve for the day's high-value need (and tops it up from exportable VRE)
    keep_reserve = export_first and (flags & 4) != 0
    D = wsh.shape[0]
    inv_h = 1.0 / 8760.0
    fs, short = _setup(buf, prm, i0, nl)
    sumw = 0.0
    for d in range(D):
        wt = wts[d]
        sumw += wt
        _day_load(buf, lsh, dem, i0, nl, d, inv_h)
        _day_offers(buf, wsh, ssh, d, before_band, export_first)
        _day_storage(buf, keep_reserve)
        _day_flows(buf)
        _day_sums(buf, wt)
        if do_rec:
            _day_record(buf, rec, d, fs[0])
    sh = sumw * H_PER_DAY  # hours represented (8760)
    for ln in range(nl):
        _lane_out(buf, ln, out, col0 + ln, sh, fs[ln], short[ln])


@njit(cache=True, error_model="numpy")
def _lane_out(buf, ln, out, i, sh, f, short_f):
    """The accumulators of lane ln (its day sums) into out[:, i]: [GWh] -> [TWh]; the peak [GW]."""
    t = [buf[K_T + k * LANES + ln] for k in range(NSUM)]
    acc = np.empty(NACC)
    acc[A_WIND] = t[0]
    acc[A_SOLAR] = t[1]
    acc[A_HYDRO] = buf[K_HYD + ln] * sh
    acc[A_BIO] = buf[K_BIO + ln] * sh
    acc[A_COAL] = t[2]
    acc[A_GAS] = t[3]
    acc[A_VRE_AV] = t[4]
    acc[A_CURT] = t[5]
    acc[A_CURT_W] = t[6]
    acc[A_CURT_S] = t[5] - t[6]
    acc[A_VRE_LOC] = t[7]
    acc[A_CH_B] = t[11]
    acc[A_DIS_B] = t[12]
    acc[A_CH_P] = t[13]
    acc[A_DIS_P] = t[14]
    acc[A_IMP] = t[15]
    acc[A_EXP] = t[17] + t[16] + t[18] + t[10]
    acc[A_EXP_VRE] = t[16]
    acc[A_EXP_MR] = t[17]
    acc[A_EXP_BAND] = t[18]
    acc[A_UHVDC] = t[19] + f * sh
    acc[A_UHVDC_RE] = t[19]
    acc[A_UHVDC_SHORT] = (buf[K_XR + ln] + short_f) * sh - t[19]
    acc[A_UNS] = t[20]
    acc[A_TH_CURT] = t[21]
    acc[A_LOAD] = t[22]
    acc[A_HYDRO_LOC] = t[23]
    acc[A_BIO_LOC] = t[24]
    acc[A_BACKDOWN] = t[25]
    acc[A_RAMPUP] = t[26]
    acc[A_ST_LOC] = t[8]
    acc[A_ST_LINE] = t[9]
    acc[A_ST_EXP] = t[10]
    for k in range(NACC - 1):
        out[k, i] = acc[k] * 1e-3  # GWh -> TWh
    out[A_PEAK, i] = buf[K_PEAK + ln]


@njit(cache=True, error_model="numpy")
def _batch_serial(wsh, ssh, lsh, wts, dem, prm, out, flags):
    n = dem.shape[0]
    buf = np.empty(NBUF)
    rec = np.empty((1, 1, 1))
    for i0 in range(0, n, LANES):
        nl = min(LANES, n - i0)
        _block(i0, nl, wsh, ssh, lsh, wts, dem, prm, out, i0, rec, False, buf, flags)


@njit(cache=True, parallel=True, error_model="numpy")
def _batch_parallel(wsh, ssh, lsh, wts, dem, prm, out, nchunk, flags):
    n = dem.shape[0]
    size = (n + nchunk - 1) // nchunk
    size = (size + LANES - 1) // LANES * LANES  # whole blocks per chunk
    for c in prange(nchunk):
        buf = np.empty(NBUF)
        rec = np.empty((1, 1, 1))
        i1 = min(n, (c + 1) * size)
        for i0 in range(c * size, i1, LANES):
            nl = min(LANES, i1 - i0)
            _block(i0, nl, wsh, ssh, lsh, wts, dem, prm, out, i0, rec, False, buf, flags)


@njit(cache=True, error_model="numpy")
def _single_recorded(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags):
    """Element i alone (a block with one live lane): its accumulators into *acc* (NACC,), its
    hourly series into *rec* (NREC, D, 24)."""
    buf = np.empty(NBUF)
    out = acc.reshape((NACC, 1))
    _block(i, 1, wsh, ssh, lsh, wts, dem, prm, out, 0, rec, True, buf, flags)
