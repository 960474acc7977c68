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
    NBUF,
    ST_C1,
    ST_C2,
    ST_D1,
    ST_D2,
    ST_SD,
    _pass_on,
    _reserve_trajectory,
    _start_soc,
    _store_hour,
)

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
