"""Storage rules of the hourly dispatch: greedy clip maps, the day-ahead reserve, cyclic start SOC.

One storage (battery or pumped hydro) on one representative day held in the dispatch's scratch
buffer (rows ``B_*``; what the storage is offered in rows ``off + ST_*``): the greedy hour
(``_store_hour``) and its exact cyclic start (``_start_soc``, closed form of a clip map), the
reserve target and keep level (``_targets``), the hour with a reserve (``_reserve_hour``), the
least fixed point of the day map with a reserve (``_reserve_start``, kink-jumping) and the replay
of its trajectory (``_reserve_trajectory``; the three in order: ``_reserve_solve``); ``_pass_on``
hands what the battery leaves to pumped hydro.  Equations: ``docs/dispatch-notes.md``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

H_PER_DAY = 24

# The day scratch: one flat array of NROW rows x 24 hours per thread; every B_* / ST_* constant is
# the offset of its row (row number x 24), so row r, hour h is buf[r + h].  Constant offsets let
# the compiler see that rows never overlap (the hour loops can then be vectorised).
_ROWS = (
    "B_W",  # wind available [GW]
    "B_S",  # solar available
    "B_L",  # local load
    "B_VL",  # VRE to local load
    "B_UR",  # VRE to the UHVDC renewable part
    "B_MRL",  # must-run to local load
    "B_MRS",  # must-run surplus
    "B_L2",  # local load left after VRE and must-run
    "B_V2",  # VRE surplus after local load and the line (> 0: a surplus hour)
    "B_SDL",  # local deficit storage may serve (after must-run, or after the band too)
    "B_CHB",  # battery charge
    "B_DIB",  # battery discharge
    "B_RT",  # reserve target of the storage being solved (SOC at the end of the hour) [GWh]
    "B_KT",  # keep level of the storage being solved [GWh]
    "B_CHP",  # pumped hydro charge
    "B_DIP",  # pumped hydro discharge
    "B_SOCP",  # pumped hydro SOC at the end of the hour
)
(
    B_W,
    B_S,
    B_L,
    B_VL,
    B_UR,
    B_MRL,
    B_MRS,
    B_L2,
    B_V2,
    B_SDL,
    B_CHB,
    B_DIB,
    B_RT,
    B_KT,
    B_CHP,
    B_DIP,
    B_SOCP,
) = range(0, len(_ROWS) * H_PER_DAY, H_PER_DAY)
# what each storage is offered, in rows ST_* + offset (battery: B_OFF_B, PHS: B_OFF_P)
ST_C1 = 0 * H_PER_DAY  # surplus it must take (would otherwise be curtailed)
ST_C2 = 1 * H_PER_DAY  # exportable surplus it may take up to its reserve target
ST_D1 = 2 * H_PER_DAY  # high-value need: local deficit + UHVDC renewable shortfall
ST_D2 = 3 * H_PER_DAY  # export room it may discharge into, above its keep level
ST_SD = 4 * H_PER_DAY  # d1 + d2 in one number (the discharge demand when it keeps no reserve)
NST = 5 * H_PER_DAY
B_OFF_B = len(_ROWS) * H_PER_DAY
B_OFF_P = B_OFF_B + NST
#: offset of the first row after the storage offers (the kernel's own rows follow)
B_END = B_OFF_P + NST
#: passes over the day allowed to find the cyclic start SOC of a storage with a reserve; each
#: pass crosses at least one kink of the piecewise-linear day map, which has at most 3 per hour
MAX_PASSES = 3 * H_PER_DAY + 1
#: a start SOC whose day ends within this share of the energy capacity of it is a fixed point
#: (rounding: the day map is evaluated in floating point)
SOC_TOL = 1e-13


# ---------------------------------------------------------------------------
@njit(cache=True, inline="always", error_model="numpy")
def _clip(x, lo, hi):
    x = lo if x < lo else x  # (selects: lo <= hi in every use)
    return hi if x > hi else x


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


@njit(cache=True, inline="always", error_model="numpy")
def _target_deltas(buf, off, h, p, eta):
    """SOC change of the (target, keep level) going back over hour h, before the clip [GWh].

    A surplus hour recharges (the target from all surplus it is offered, the keep level from
    the non-exportable part), any other hour needs its high-value discharge; selects, no
    branches."""
    c1 = buf[off + ST_C1 + h]
    charge = -eta * min(c1 + buf[off + ST_C2 + h], p)
    keep = -eta * min(c1, p)
    need = min(buf[off + ST_D1 + h], p) / eta
    surplus = buf[B_V2 + h] > 0.0
    return (charge if surplus else need), (keep if surplus else need)


@njit(cache=True, error_model="numpy")
def _targets(buf, off, p, e, eta):
    """Fill the reserve target and keep level rows of one storage (rows B_RT, B_KT).

    Target R_h: SOC needed at the end of hour h to serve the high-value need (ST_D1, power-
    limited) of the hours that follow, if every later surplus hour can recharge it
    (min(c1 + c2, P)); keep level K_h: the same if only surplus that cannot be exported (c1)
    recharges it, so K >= R.  Going back one hour is a clip of the SOC, so the backward day map
    is a clip too (built in a forward loop by ``_compose``) and its cyclic value is exact.
    """
    H = H_PER_DAY
    ar, lor, upr = 0.0, 0.0, e
    ak, lok, upk = 0.0, 0.0, e
    for h in range(H):
        dr, dk = _target_deltas(buf, off, h, p, eta)
        ar, lor, upr = _compose(ar, lor, upr, dr, e)
        ak, lok, upk = _compose(ak, lok, upk, dk, e)
    r = _fixed_point(ar, lor, upr)
    k = _fixed_point(ak, lok, upk)
    for h in range(H - 1, -1, -1):
        buf[B_RT + h] = r
        buf[B_KT + h] = k
        dr, dk = _target_deltas(buf, off, h, p, eta)  # r - x is r + (-x), bit for bit
        r = _clip(r + dr, 0.0, e)
        k = _clip(k + dk, 0.0, e)


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


@njit(cache=True, inline="always", error_model="numpy")
def _reserve_step(buf, off, h, x, sig, mu, p, e, eta):
    """:func:`_reserve_hour` of hour *h*, its offers, targets and surplus read from the day's
    scratch (the storage's offer rows at *off*)."""
    return _reserve_hour(
        x,
        sig,
        mu,
        buf[off + ST_C1 + h],
        buf[off + ST_C2 + h],
        buf[off + ST_D1 + h],
        buf[off + ST_D2 + h],
        buf[B_RT + h],
        buf[B_KT + h],
        buf[B_V2 + h] > 0.0,
        p,
        e,
        eta,
    )


@njit(cache=True, error_model="numpy")
def _reserve_start(buf, off, p, e, eta, row_ch, row_dis, row_soc):
    """Cyclic start SOC of a storage that keeps a reserve (the least fixed point of its day map).

    The day map F is continuous, non-decreasing and piecewise linear with slopes 0 and 1, so
    F(s) - s is non-increasing and iterating from s = 0 rises to the least fixed point.  Each pass
    evaluates F(s), its slope and the distance mu to its next kink: with slope 0, F(s) is the
    fixed point if it lies within mu; otherwise (slope 1 with F(s) > s, or F(s) beyond mu) there is
    no fixed point before s + mu, and the next pass starts there.  Any fixed point gives the same
    flows (between two of them every step is on one linear branch).  Rows row_ch, row_dis,
    row_soc get the flows and SOC of the last pass (``_reserve_trajectory`` replays from there).
    """
    H = H_PER_DAY
    tol = SOC_TOL * e
    s = 0.0
    for _ in range(MAX_PASSES):
        x = s
        sig = True
        mu = np.inf
        for h in range(H):
            x, sig, mu, ch, dis = _reserve_step(buf, off, h, x, sig, mu, p, e, eta)
            buf[row_ch + h] = ch
            buf[row_dis + h] = dis
            buf[row_soc + h] = x
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

    The rows hold the solver's last pass (``_reserve_start``).  Replays the day from x until its
    SOC equals (bit for bit) that of the pass at the same hour: from there on both evaluate the
    same operations on the same numbers, so the rest of the pass is kept.  Returns the SOC at the
    day's end."""
    H = H_PER_DAY
    for h in range(H):
        x, _, _, ch, dis = _reserve_step(buf, off, h, x, False, 0.0, p, e, eta)
        merged = x == buf[row_soc + h]
        buf[row_ch + h] = ch
        buf[row_dis + h] = dis
        buf[row_soc + h] = x
        if merged:  # merged with the solver's pass
            return buf[row_soc + H - 1]
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
def _start_soc(buf, off, p, e, eta):
    """Cyclic start SOC of a storage that keeps no reserve on the day held in *buf*.

    (Offers in rows off + ST_*.)  The day map is a clip, its fixed point exact
    (``_fixed_point``)."""
    a = 0.0
    lo = 0.0
    up = e
    for h in range(H_PER_DAY):
        dl = _store_delta(buf[off + ST_C1 + h], buf[off + ST_SD + h], p, eta)
        a += dl
        lo = _clip(lo + dl, 0.0, e)
        up = _clip(up + dl, 0.0, e)
    return _fixed_point(a, lo, up)


@njit(cache=True, error_model="numpy")
def _reserve_solve(buf, off, p, e, eta, row_ch, row_dis, row_soc):
    """A storage that keeps a reserve on the day held in *buf*: targets, cyclic start, flows.

    Fills rows B_RT, B_KT, row_ch, row_dis, row_soc; returns the SOC at the day's end [GWh]."""
    _targets(buf, off, p, e, eta)
    x = _reserve_start(buf, off, p, e, eta, row_ch, row_dis, row_soc)
    return _reserve_trajectory(buf, off, x, p, e, eta, row_ch, row_dis, row_soc)


@njit(cache=True, inline="always", error_model="numpy")
def _greedy_solve(buf, off, p, e, eta, row_ch, row_dis, row_soc):
    """A storage that keeps no reserve on the day held in *buf*: cyclic start, flows.

    Fills rows row_ch, row_dis, row_soc; returns the SOC at the day's end [GWh]."""
    soc = _start_soc(buf, off, p, e, eta)
    for h in range(H_PER_DAY):
        soc, ch, dis = _store_hour(soc, buf[off + ST_C1 + h], buf[off + ST_SD + h], p, e, eta)
        buf[row_ch + h] = ch
        buf[row_dis + h] = dis
        buf[row_soc + h] = soc
    return soc


@njit(cache=True, inline="always", error_model="numpy")
def _pass_on(buf, h, ch, dis):
    """What the battery (charge ch, discharge dis) leaves to pumped hydro in hour h."""
    c1 = buf[B_OFF_B + ST_C1 + h]
    d1 = buf[B_OFF_B + ST_D1 + h]
    ch1 = min(ch, c1)  # the battery takes the non-exportable surplus first
    dis1 = min(dis, d1)  # and serves the high-value need first
    buf[B_OFF_P + ST_C1 + h] = c1 - ch1
    buf[B_OFF_P + ST_C2 + h] = buf[B_OFF_B + ST_C2 + h] - (ch - ch1)
    buf[B_OFF_P + ST_D1 + h] = d1 - dis1
    buf[B_OFF_P + ST_D2 + h] = buf[B_OFF_B + ST_D2 + h] - (dis - dis1)
    buf[B_OFF_P + ST_SD + h] = buf[B_OFF_B + ST_SD + h] - dis
    return d1 - dis1 > 0.0
