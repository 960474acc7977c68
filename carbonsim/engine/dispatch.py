"""Hourly greedy power dispatch on representative days, vectorised over a batch.

Destined for ``carbonsim/engine/dispatch.py``.  numpy + numba only.

One *batch element* is one (scenario, year) system: capacities, annual
energies, storage, the UHVDC schedule and the grid exchange limit.  Every
element is dispatched independently, hour by hour, on the same D
representative days x H = 24 hours.  Hourly load and VRE output are formed
inside the compiled loop from annual energies x mean-1 shapes, so no
(N, D, H) array is ever created; memory is O(N x number of outputs).

The dispatch rule (a greedy merit order, see NOTES.md for the equations):

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
    then pumped hydro) charges from the VRE surplus that cannot be exported
    (default) or from all VRE surplus before export
    (``charge_before_export=True``, the literal brief; see NOTES.md for why it
    is not the default).  VRE left over is curtailed; must-run left over is
    ``thermal_curtailed``.
5.  Storage discharges, battery then pumped hydro, into (a) the local deficit,
    (b) the UHVDC renewable shortfall, (c) grid export room left by must-run
    and VRE exports.  It is only ever charged from VRE.
6.  One-way efficiency sqrt(round-trip) on charge and on discharge; every
    representative day is cyclic: the start SOC is the exact fixed point of
    the greedy day map (computed in closed form, see ``_fixed_point``), so
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

# scratch buffers per hour
(B_W, B_S, B_L, B_VL, B_UR, B_MRL, B_MRS, B_L2, B_V2, B_SD, B_SDL, B_CHB, B_DIB, B_V2C) = range(14)
NBUF = 14


# ---------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _clip(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@njit(cache=True, inline="always")
def _fixed_point(a, lo, up):
    """Cyclic start SOC for a day map f(s) = clip(s + a, lo, up).

    The greedy hourly SOC update is clip(s + delta_h, 0, E) with delta_h
    independent of s; the composition over the day is again a clip of the form
    clip(s + a, lo, up).  Its fixed point: up if a > 0, lo if a < 0, and any
    s in [lo, up] if a == 0 (all give the same flows; take lo)."""
    if a > 0.0:
        return up
    return lo


@njit(cache=True)
def _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, do_rec, buf, flags):  # noqa: C901
    # one compiled hour loop: splitting it would cost numba's inlining (see module docstring)
    before_band = (flags & 1) != 0  # storage discharges before the thermal band
    export_first = (flags & 2) != 0  # storage charges only from non-exportable VRE
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

    kc = np.empty(C)
    for c in range(C):
        kc[c] = dem[i, c] * 1000.0 * inv_h

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
        # ---- pass A: exogenous hourly quantities, battery day map ----------
        a_b = 0.0
        lo_b = 0.0
        up_b = eb
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
            room0 = glim - min(mr - mrl, glim)  # grid room after must-run export
            v2c = v2  # VRE surplus offered to storage
            if export_first and v2 > 0.0:
                v2c = v2 - room0
                if v2c < 0.0:
                    v2c = 0.0
            # storage discharge demand: local deficit, then the UHVDC renewable
            # shortfall, then export room left after must-run (and VRE) exports
            if v2c > 0.0:
                sd = 0.0
            elif v2 > 0.0:
                sd = room0 - v2
                if sd < 0.0:
                    sd = 0.0
            else:
                sd += (xr - ur) + room0
            buf[B_SD, h] = sd
            buf[B_V2, h] = v2
            buf[B_V2C, h] = v2c
            l3 = sd
            if has_b:
                if v2c > 0.0:
                    dl = etab * min(v2c, pb)
                elif l3 > 0.0:
                    dl = -min(l3, pb) / etab
                else:
                    dl = 0.0
                a_b += dl
                lo_b = _clip(lo_b + dl, 0.0, eb)
                up_b = _clip(up_b + dl, 0.0, eb)
        # ---- pass B: battery trajectory, PHS day map ------------------------
        soc = _fixed_point(a_b, lo_b, up_b) if has_b else 0.0
        a_p = 0.0
        lo_p = 0.0
        up_p = ep
        for h in range(H):
            v2 = buf[B_V2C, h]
            l3 = buf[B_SD, h]
            chb = 0.0
            dib = 0.0
            if has_b:
                if v2 > 0.0:
                    chb = min(v2, pb)
                    new = soc + etab * chb
                    if new > eb:
                        chb = (eb - soc) / etab
                        new = eb
                    soc = new
                elif l3 > 0.0:
                    dib = min(l3, pb)
                    new = soc - dib / etab
                    if new < 0.0:
                        dib = soc * etab
                        new = 0.0
                    soc = new
            buf[B_CHB, h] = chb
            buf[B_DIB, h] = dib
            if has_p:
                v2r = v2 - chb
                l3r = l3 - dib
                if v2r > 0.0:
                    dl = etap * min(v2r, pp)
                elif l3r > 0.0:
                    dl = -min(l3r, pp) / etap
                else:
                    dl = 0.0
                a_p += dl
                lo_p = _clip(lo_p + dl, 0.0, ep)
                up_p = _clip(up_p + dl, 0.0, ep)
        soc_b = soc
        # ---- pass C: PHS trajectory and everything else ---------------------
        socp = _fixed_point(a_p, lo_p, up_p) if has_p else 0.0
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
            sd = buf[B_SD, h]
            chb = buf[B_CHB, h]
            dib = buf[B_DIB, h]
            v = w + s
            chp = 0.0
            dip = 0.0
            rc = 0.0
            rg = 0.0
            imp = 0.0
            uns = 0.0
            # storage: charge from surplus VRE, discharge into the deficit sd
            v2c = buf[B_V2C, h]
            if v2c > 0.0:
                v3c = v2c - chb
                if has_p and v3c > 0.0:
                    chp = min(v3c, pp)
                    new = socp + etap * chp
                    if new > ep:
                        chp = (ep - socp) / etap
                        new = ep
                    socp = new
            elif sd > 0.0 and has_p:
                r = sd - dib
                if r > 0.0:
                    dip = min(r, pp)
                    new = socp - dip / etap
                    if new < 0.0:
                        dip = socp * etap
                        new = 0.0
                    socp = new
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


@njit(cache=True)
def _batch_serial(wsh, ssh, lsh, wts, dem, prm, out, flags):
    n = dem.shape[0]
    buf = np.empty((NBUF, wsh.shape[1]))
    acc = np.empty(NACC)
    rec = np.empty((1, 1, 1))
    for i in range(n):
        _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, flags)
        for k in range(NACC):
            out[k, i] = acc[k]


@njit(cache=True, parallel=True)
def _batch_parallel(wsh, ssh, lsh, wts, dem, prm, out, nchunk, flags):
    n = dem.shape[0]
    size = (n + nchunk - 1) // nchunk
    for c in prange(nchunk):
        buf = np.empty((NBUF, wsh.shape[1]))
        acc = np.empty(NACC)
        rec = np.empty((1, 1, 1))
        i1 = min(n, (c + 1) * size)
        for i in range(c * size, i1):
            _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, False, buf, flags)
            for k in range(NACC):
                out[k, i] = acc[k]


@njit(cache=True)
def _single_recorded(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, flags):
    buf = np.empty((NBUF, wsh.shape[1]))
    _element(i, wsh, ssh, lsh, wts, dem, prm, acc, rec, True, buf, flags)


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
    shape_tol=1e-6,
):
    """Greedy hourly dispatch on representative days for a batch of N systems.

    Parameters: see module docstring / NOTES.md.  Every per-element argument
    is an (N,) array or a scalar (broadcast).  ``shapes`` is a dict of (D, 24)
    arrays with weighted mean 1 (keys "wind", "solar" and one per demand class);
    ``weights`` (D,) sum to 365; ``demand`` dict class -> (N,) [TWh/yr].

    Keyword-only extras: ``parallel`` (prange over batch chunks; results are
    bit-identical to serial), ``shape_tol`` (tolerance of the mean-1 and
    sum-365 checks).

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
    out = np.empty((NACC, n))
    if parallel and n > 1:
        nchunk = min(n, 8 * get_num_threads())
        _batch_parallel(wsh, ssh, lsh, wts, dem, prm, out, nchunk, flags)
    else:
        _batch_serial(wsh, ssh, lsh, wts, dem, prm, out, flags)

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
