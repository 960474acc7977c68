"""Storage rules of the hourly dispatch: greedy clip maps, the day-ahead reserve, cyclic start SOC.

One storage (battery or pumped hydro) on one representative day, for a block of ``LANES``
elements at once, held in the dispatch's scratch buffer (rows ``B_*``; what the storage is offered
in rows ``off + ST_*``; its power, energy and one-way efficiency per lane in the vectors
``sp + S_*``).  Every step is written without branches (both sides computed, then selected), the
innermost loop runs over the lanes, so the dependent SOC chains of the lanes overlap; every lane
sees exactly the floating-point operations of a one-element rule, so results do not depend on the
other lanes.  A lane takes part where the mask vector ``V_ON`` is set; the rows of the others are
left as they are.

The greedy hour (``_store_hour``) and its exact cyclic start (``_start_soc``, closed form of a clip
map; the two in order: ``_greedy_solve``), the reserve target and keep level (``_targets``), the
hour with a reserve (``_reserve_hour``), the least fixed point of the day map with a reserve
(``_reserve_start``, kink-jumping) and the replay of its trajectory (``_reserve_trajectory``; the
three in order: ``_reserve_solve``); ``_pass_on`` hands what the battery leaves to pumped hydro.
Equations: ``docs/dispatch-notes.md``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

H_PER_DAY = 24
#: elements dispatched together (the innermost loop of every hour)
LANES = 4
#: length of one row of the day scratch: 24 hours x LANES, hour-major
ROW = H_PER_DAY * LANES

# The day scratch: one flat array per thread; every B_* / ST_* constant is the offset of its row
# (row number x ROW), so row r, hour h, lane ln is buf[r + h * LANES + ln], and every V_* / S_*
# constant the offset of a vector of LANES numbers (one per lane).  Constant offsets let the
# compiler see that rows never overlap (the loops over hours and lanes can then be vectorised).
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
) = range(0, len(_ROWS) * ROW, ROW)
# what each storage is offered, in rows ST_* + offset (battery: B_OFF_B, PHS: B_OFF_P)
ST_C1 = 0 * ROW  # surplus it must take (would otherwise be curtailed)
ST_C2 = 1 * ROW  # exportable surplus it may take up to its reserve target
ST_D1 = 2 * ROW  # high-value need: local deficit + UHVDC renewable shortfall
ST_D2 = 3 * ROW  # export room it may discharge into, above its keep level
ST_SD = 4 * ROW  # d1 + d2 in one number (the discharge demand when it keeps no reserve)
NST = 5 * ROW
B_OFF_B = len(_ROWS) * ROW
B_OFF_P = B_OFF_B + NST
# a storage's parameters, one vector each from its offset (battery: V_BAT, PHS: V_PHS)
S_P = 0 * LANES  # power [GW]
S_E = 1 * LANES  # energy capacity [GWh]
S_ETA = 2 * LANES  # one-way efficiency sqrt(round trip) [1]
_VECTORS = (
    "V_BAT",  # battery parameters (3 vectors: S_P, S_E, S_ETA)
    "V_PHS",  # pumped hydro parameters (3 vectors)
    "V_ON",  # 1.0 where the lane takes part in the storage being solved
    "V_DONE",  # 1.0 where a lane's solver or replay is done (its rows are kept)
    "V_S",  # start SOC of the solver's pass; then the cyclic start [GWh]
    "V_X",  # SOC during a pass
    "V_SIG",  # 1.0 while the day map so far has slope 1
    "V_MU",  # its linear (or constant) stretch [GWh]
)
_VSIZE = {"V_BAT": 3, "V_PHS": 3}
_off = B_OFF_P + NST
_v = {}
for _name in _VECTORS:
    _v[_name] = _off
    _off += _VSIZE.get(_name, 1) * LANES
V_BAT, V_PHS, V_ON, V_DONE, V_S, V_X, V_SIG, V_MU = (_v[k] for k in _VECTORS)
#: offset of the first row after the storage's scratch (the kernel's own rows follow)
B_END = _off
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
    return up if a > 0.0 else lo


@njit(cache=True, inline="always", error_model="numpy")
def _lanes(step, buf, args, h, s):
    """*step* of hour h in every lane: ``step(buf, args, h, lane, s[lane])`` -> its new state.

    The lanes' states (a tuple of tuples) stay in registers across the hours, so the dependent
    chains of the LANES elements overlap (and the compiler may pack the lanes into vectors).
    This is the one place where the number of lanes is spelt out."""
    return (
        step(buf, args, h, 0, s[0]),
        step(buf, args, h, 1, s[1]),
        step(buf, args, h, 2, s[2]),
        step(buf, args, h, 3, s[3]),
    )


@njit(cache=True, inline="always", error_model="numpy")
def _all(s, k):
    """True if item k of every lane's state is True."""
    return s[0][k] & s[1][k] & s[2][k] & s[3][k]


@njit(cache=True, inline="always", error_model="numpy")
def _zeros():
    """A placeholder state for each lane (for steps that only read, or only start a state)."""
    return (0.0, 0.0, 0.0, 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _compose(a, lo, up, delta, e):
    """(a, lo, up) of g o clip(. + delta, 0, e) where g(x) = clip(x + a, lo, up).

    Builds a backward day map (applied last hour first) while looping forward over the hours:
    clip(clip(x + delta, 0, e) + a, lo, up) = clip(x + delta + a, clip(a, lo, up),
    clip(e + a, lo, up))."""
    return a + delta, _clip(a, lo, up), _clip(e + a, lo, up)


@njit(cache=True, inline="always", error_model="numpy")
def _target_deltas(buf, off, j, p, eta):
    """SOC change of the (target, keep level) going back over hour-lane j, before the clip [GWh].

    A surplus hour recharges (the target from all surplus it is offered, the keep level from
    the non-exportable part), any other hour needs its high-value discharge; selects, no
    branches."""
    c1 = buf[off + ST_C1 + j]
    charge = -eta * min(c1 + buf[off + ST_C2 + j], p)
    keep = -eta * min(c1, p)
    need = min(buf[off + ST_D1 + j], p) / eta
    surplus = buf[B_V2 + j] > 0.0
    return (charge if surplus else need), (keep if surplus else need)


@njit(cache=True, inline="always", error_model="numpy")
def _targets_start(buf, sp, h, ln, st):
    """Both backward day maps of lane ln before any hour: the identity clip(x, 0, E)."""
    e = buf[sp + S_E + ln]
    return (0.0, 0.0, e, 0.0, 0.0, e)


@njit(cache=True, inline="always", error_model="numpy")
def _targets_map(buf, args, h, ln, st):
    """Both backward day maps of lane ln (target, keep level) composed with hour h."""
    off, sp = args
    dr, dk = _target_deltas(buf, off, h * LANES + ln, buf[sp + S_P + ln], buf[sp + S_ETA + ln])
    e = buf[sp + S_E + ln]
    ar, lor, upr = _compose(st[0], st[1], st[2], dr, e)
    ak, lok, upk = _compose(st[3], st[4], st[5], dk, e)
    return (ar, lor, upr, ak, lok, upk)


@njit(cache=True, inline="always", error_model="numpy")
def _targets_cyclic(buf, args, h, ln, st):
    """The cyclic (target, keep level) of lane ln at the day's end: the day maps' fixed points."""
    return (_fixed_point(st[0], st[1], st[2]), _fixed_point(st[3], st[4], st[5]))


@njit(cache=True, inline="always", error_model="numpy")
def _targets_back(buf, args, h, ln, st):
    """Write (target, keep level) of lane ln at the end of hour h; return them at its start."""
    off, sp = args
    j = h * LANES + ln
    r, k = st
    buf[B_RT + j] = r
    buf[B_KT + j] = k
    e = buf[sp + S_E + ln]
    dr, dk = _target_deltas(buf, off, j, buf[sp + S_P + ln], buf[sp + S_ETA + ln])
    return (_clip(r + dr, 0.0, e), _clip(k + dk, 0.0, e))  # r - x is r + (-x), bit for bit


@njit(cache=True, inline="always", error_model="numpy")
def _targets(buf, off, sp):
    """Fill the reserve target and keep level rows of one storage (rows B_RT, B_KT), all lanes.

    Target R_h: SOC needed at the end of hour h to serve the high-value need (ST_D1, power-
    limited) of the hours that follow, if every later surplus hour can recharge it
    (min(c1 + c2, P)); keep level K_h: the same if only surplus that cannot be exported (c1)
    recharges it, so K >= R.  Going back one hour is a clip of the SOC, so the backward day map
    is a clip too (built in a forward loop by ``_compose``) and its cyclic value is exact.
    """
    args = (off, sp)
    s = _lanes(_targets_start, buf, sp, 0, _zeros())
    for h in range(H_PER_DAY):
        s = _lanes(_targets_map, buf, args, h, s)
    s = _lanes(_targets_cyclic, buf, args, 0, s)
    for h in range(H_PER_DAY - 1, -1, -1):
        s = _lanes(_targets_back, buf, args, h, s)


@njit(cache=True, inline="always", error_model="numpy")
def _clamped(sig, mu, rho):
    """Margin after a step that holds its output while its input rises by rho.

    Before any such step the day map has slope 1 and mu bounds its linear stretch; from the
    first one on, mu is the length of the stretch of start SOC over which the map is constant:
    every step is 1-Lipschitz, so the input of a later holding step rises at most as fast as the
    start SOC and the constant stretches add up."""
    return rho if sig else mu + rho


@njit(cache=True, inline="always", error_model="numpy")
def _spill(x, sig, mu, b, k, eta):
    """Discharge b (if the SOC x is at or above the keep level k) into export room, down to k.

    Returns (SOC after, slope, margin, discharge).  Without branches: both sides, then selects.
    """
    y = x - b / eta
    hit = y < k  # stops at k: any rise of x is exported (slope 0)
    mu_hit = _clamped(sig, mu, k - y)
    b_hit = (x - k) * eta
    above = x >= k
    mu_below = min(mu, k - x)
    mu_below = mu_below if sig else mu
    mu_above = mu_hit if hit else mu
    sig_above = False if hit else sig
    b_above = b_hit if hit else b
    y_above = k if hit else y
    return (
        y_above if above else x,
        sig_above if above else sig,
        mu_above if above else mu_below,
        b_above if above else 0.0,
    )


@njit(cache=True, inline="always", error_model="numpy")
def _reserve_hour(x, sig, mu, c1, c2, d1, d2, r, k, surplus, p, e, eta):
    """One hour of a storage that keeps a reserve: (SOC after, slope, margin, charge, discharge).

    x: SOC at the start of the hour [GWh]; r, k: reserve target and keep level at its end.
    Steps: (a) surplus no one can take (c1) is always stored; (b) exportable surplus (c2) tops
    the SOC up to r; (c) in a surplus hour with spare export room, SOC above k is exported;
    (d) the high-value need (d1) is always served; (e) export room (d2) takes SOC above k.
    Each step is x -> min(cap, x + a) or max(floor, x - b): monotone, slope 1 or 0.  *sig*
    (True while the day map so far has slope 1 w.r.t. the day's start SOC) and *mu* (its
    linear stretch, or once it has slope 0 its constant stretch, see ``_clamped``) let the
    caller find the cyclic fixed point exactly.  Without branches: every side is computed and
    the rule's own one selected, so each result is the number of the rule written with ifs.
    """
    # ---- surplus hour
    # (a) non-exportable surplus: always stored, up to the energy capacity
    ch = min(c1, p)
    y = x + eta * ch
    full = y >= e  # full, and stays full as the start SOC rises
    ch_full = (e - x) / eta
    mu_a = min(mu, e - y)
    mu_a = mu_a if sig else mu
    mu_a = np.inf if full else mu_a
    sig_a = False if full else sig
    ch_a = ch_full if full else ch
    x_a = e if full else y
    # (b) exportable surplus up to the reserve target; only when not full (x_a < r <= e), so the
    # power left is p - ch
    a = min(c2, p - ch)
    top = (x_a < r) & (a > 0.0)
    y = x_a + eta * a
    hit = y >= r
    a_hit = (r - x_a) / eta
    mu_hit = _clamped(sig_a, mu_a, r - x_a)
    mu_lin = min(mu_a, r - y)
    mu_lin = mu_lin if sig_a else mu_a
    mu_b = mu_hit if hit else mu_lin
    sig_b = False if hit else sig_a
    ch_b = ch_a + (a_hit if hit else a)
    x_b = r if hit else y
    # (c) spare export room takes what is above the keep level
    spill = d2 > 0.0
    x_c, sig_c, mu_c, dis_c = _spill(x_a, sig_a, mu_a, min(d2, p), k, eta)
    x_s = x_b if top else (x_c if spill else x_a)
    sig_s = sig_b if top else (sig_c if spill else sig_a)
    mu_s = mu_b if top else (mu_c if spill else mu_a)
    ch_s = ch_b if top else ch_a
    dis_s = 0.0 if top else (dis_c if spill else 0.0)
    # ---- any other hour
    # (d) the high-value need: always served, down to empty
    dis = min(d1, p)
    room = min(d2, p - dis)  # export room within the power left (when not emptied)
    y = x - dis / eta
    empty = y < 0.0
    mu_d = _clamped(sig, mu, -y)
    mu_d = mu_d if empty else mu
    sig_d = False if empty else sig
    dis_empty = x * eta
    dis_d = dis_empty if empty else dis
    x_d = 0.0 if empty else y
    # (e) export room takes what is above the keep level
    go = room > 0.0
    x_e, sig_e, mu_e, dis_e = _spill(x_d, sig_d, mu_d, room, k, eta)
    dis_e = dis_d + dis_e
    x_n = x_e if go else x_d
    sig_n = sig_e if go else sig_d
    mu_n = mu_e if go else mu_d
    dis_n = dis_e if go & (x_d >= k) else dis_d  # (dis + 0.0 would turn -0.0 into 0.0)
    return (
        x_s if surplus else x_n,
        sig_s if surplus else sig_n,
        mu_s if surplus else mu_n,
        ch_s if surplus else 0.0,
        dis_s if surplus else dis_n,
    )


@njit(cache=True, inline="always", error_model="numpy")
def _reserve_step(buf, off, sp, h, ln, x, sig, mu):
    """:func:`_reserve_hour` of hour *h*, lane *ln*: its offers, targets and surplus read from the
    day's scratch (the storage's offer rows at *off*, its parameters at *sp*)."""
    j = h * LANES + ln
    return _reserve_hour(
        x,
        sig,
        mu,
        buf[off + ST_C1 + j],
        buf[off + ST_C2 + j],
        buf[off + ST_D1 + j],
        buf[off + ST_D2 + j],
        buf[B_RT + j],
        buf[B_KT + j],
        buf[B_V2 + j] > 0.0,
        buf[sp + S_P + ln],
        buf[sp + S_E + ln],
        buf[sp + S_ETA + ln],
    )


@njit(cache=True, inline="always", error_model="numpy")
def _keep(buf, at, value, live):
    """buf[at] = value where *live*, else unchanged (a select, no branch)."""
    buf[at] = value if live else buf[at]


@njit(cache=True, inline="always", error_model="numpy")
def _pass_start(buf, args, h, ln, st):
    """State (SOC, slope 1, margin) of lane ln at the start of a solver pass from V_S."""
    return (buf[V_S + ln], True, np.inf)


@njit(cache=True, inline="always", error_model="numpy")
def _pass_hour(buf, args, h, ln, st):
    """Hour h of a solver pass in lane ln: its flows and SOC into the rows (if not done)."""
    off, sp, row_ch, row_dis, row_soc = args
    x, sig, mu, ch, dis = _reserve_step(buf, off, sp, h, ln, st[0], st[1], st[2])
    live = buf[V_DONE + ln] == 0.0
    j = h * LANES + ln
    _keep(buf, row_ch + j, ch, live)
    _keep(buf, row_dis + j, dis, live)
    _keep(buf, row_soc + j, x, live)
    return (x, sig, mu)


@njit(cache=True, inline="always", error_model="numpy")
def _pass_end(buf, args, h, ln, st):
    """Lane ln's state at the end of a pass into V_X, V_SIG, V_MU."""
    buf[V_X + ln] = st[0]
    buf[V_SIG + ln] = 1.0 if st[1] else 0.0
    buf[V_MU + ln] = st[2]
    return 0.0


@njit(cache=True, error_model="numpy")
def _start_pass(buf, off, sp, row_ch, row_dis, row_soc):
    """One pass of the solver over the day from the start SOC V_S, lanes not done (V_DONE 0).

    Leaves the day's end SOC, slope and margin in V_X, V_SIG, V_MU, and the pass's flows and SOC
    in rows row_ch, row_dis, row_soc (of the lanes not done)."""
    args = (off, sp, row_ch, row_dis, row_soc)
    s = _lanes(_pass_start, buf, args, 0, _zeros())
    for h in range(H_PER_DAY):
        s = _lanes(_pass_hour, buf, args, h, s)
    _lanes(_pass_end, buf, args, 0, s)


@njit(cache=True, error_model="numpy")
def _reserve_start(buf, off, sp, row_ch, row_dis, row_soc):
    """Cyclic start SOC (into V_S) of a storage that keeps a reserve, lanes with V_ON set.

    The start is the least fixed point of the day map.  F is continuous, non-decreasing and
    piecewise linear with slopes 0 and 1, so F(s) - s is non-increasing and iterating from s = 0
    rises to the least fixed point.  Each pass evaluates F(s), its slope and the distance mu to
    its next kink: with slope 0, F(s) is the fixed point if it lies within mu; otherwise (slope 1
    with F(s) > s, or F(s) beyond mu) there is no fixed point before s + mu, and the next pass
    starts there.  Any fixed point gives the same flows (between two of them every step is on
    one linear branch).  Passes go on until every lane is done; a lane done keeps its rows.
    Rows row_ch, row_dis, row_soc get the flows and SOC of each lane's last pass
    (``_reserve_trajectory`` replays from there).
    """
    for ln in range(LANES):
        buf[V_S + ln] = 0.0
        buf[V_DONE + ln] = 0.0 if buf[V_ON + ln] != 0.0 else 1.0
    for _ in range(MAX_PASSES):
        _start_pass(buf, off, sp, row_ch, row_dis, row_soc)
        done = True
        for ln in range(LANES):
            if buf[V_DONE + ln] == 0.0:
                s = buf[V_S + ln]
                x = buf[V_X + ln]
                sig = buf[V_SIG + ln] != 0.0
                mu = buf[V_MU + ln]
                g = x - s  # >= 0: s never passes the least fixed point
                if g <= SOC_TOL * buf[sp + S_E + ln]:
                    buf[V_DONE + ln] = 1.0
                elif not sig and g <= mu:  # F is constant on [s, s + mu] and x lies in it
                    buf[V_S + ln] = x
                    buf[V_DONE + ln] = 1.0
                else:  # F(s) <= F(s*) = s*, and with slope 1 no fixed point before s + mu
                    buf[V_S + ln] = min(max(x, s + mu), buf[sp + S_E + ln]) if sig else x
                    done = False
        if done:
            return


@njit(cache=True, inline="always", error_model="numpy")
def _replay_start(buf, args, h, ln, st):
    """State (SOC, done) of lane ln at the start of the replay: from V_S; done if not solved."""
    return (buf[V_S + ln], buf[V_ON + ln] == 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _replay_hour(buf, args, h, ln, st):
    """Hour h of the replay in lane ln: its flows and SOC into the rows until it has met the
    solver's pass (done from the hour after)."""
    off, sp, row_ch, row_dis, row_soc = args
    x, _, _, ch, dis = _reserve_step(buf, off, sp, h, ln, st[0], False, 0.0)
    j = h * LANES + ln
    live = not st[1]
    merged = x == buf[row_soc + j]  # merged with the solver's pass
    _keep(buf, row_ch + j, ch, live)
    _keep(buf, row_dis + j, dis, live)
    _keep(buf, row_soc + j, x, live)
    return (x, merged | st[1])


@njit(cache=True, error_model="numpy")
def _reserve_trajectory(buf, off, sp, row_ch, row_dis, row_soc):
    """Flows (rows row_ch, row_dis) and SOC (row_soc) of a storage with a reserve from V_S.

    Lanes with V_ON set.  The rows hold the solver's last pass (``_reserve_start``).  Replays the
    day until its SOC equals (bit for bit) that of the pass at the same hour: from there on both
    evaluate the same operations on the same numbers, so the rest of the pass is kept.  The
    replay stops when every lane has met its pass."""
    args = (off, sp, row_ch, row_dis, row_soc)
    s = _lanes(_replay_start, buf, args, 0, _zeros())
    for h in range(H_PER_DAY):
        if _all(s, 1):
            return
        s = _lanes(_replay_hour, buf, args, h, s)


@njit(cache=True, inline="always", error_model="numpy")
def _store_hour(x, c1, sd, p, e, eta):
    """One hour of a storage that keeps no reserve: (SOC after, charge, discharge).

    It charges from the surplus it is offered (c1) or discharges into the demand sd, within its
    power and energy: the SOC map is clip(x + delta, 0, e) with delta independent of x.  Without
    branches (both sides, then selects)."""
    ch = min(c1, p)
    up = x + eta * ch
    over = up > e
    ch_full = (e - x) / eta
    ch = ch_full if over else ch
    up = e if over else up
    dis = min(sd, p)
    down = x - dis / eta
    under = down < 0.0
    dis_empty = x * eta
    dis = dis_empty if under else dis
    down = 0.0 if under else down
    charge = c1 > 0.0
    discharge = (not charge) & (sd > 0.0)
    x_n = down if discharge else x
    return (up if charge else x_n), (ch if charge else 0.0), (dis if discharge else 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _store_delta(c1, sd, p, eta):
    """SOC change of ``_store_hour`` before the clip at 0 and e (selects)."""
    up = eta * min(c1, p)
    down = -min(sd, p) / eta
    down = down if sd > 0.0 else 0.0
    return up if c1 > 0.0 else down


@njit(cache=True, inline="always", error_model="numpy")
def _greedy_map(buf, args, h, ln, st):
    """The day map (a, lo, up) of lane ln without a reserve composed with hour h."""
    off, sp = args
    j = h * LANES + ln
    e = buf[sp + S_E + ln]
    p = buf[sp + S_P + ln]
    dl = _store_delta(buf[off + ST_C1 + j], buf[off + ST_SD + j], p, buf[sp + S_ETA + ln])
    return (st[0] + dl, _clip(st[1] + dl, 0.0, e), _clip(st[2] + dl, 0.0, e))


@njit(cache=True, inline="always", error_model="numpy")
def _greedy_cyclic(buf, args, h, ln, st):
    """Lane ln's cyclic start SOC without a reserve: the fixed point of its day map (a, lo, up)
    (the identity before the first hour)."""
    return _fixed_point(st[0], st[1], st[2])


@njit(cache=True, inline="always", error_model="numpy")
def _greedy_hour(buf, args, h, ln, x):
    """Hour h of lane ln without a reserve from SOC x: its flows and SOC into the rows (where
    V_ON is set); returns the SOC after."""
    off, sp, row_ch, row_dis, row_soc = args
    j = h * LANES + ln
    x, ch, dis = _store_hour(
        x,
        buf[off + ST_C1 + j],
        buf[off + ST_SD + j],
        buf[sp + S_P + ln],
        buf[sp + S_E + ln],
        buf[sp + S_ETA + ln],
    )
    live = buf[V_ON + ln] != 0.0
    _keep(buf, row_ch + j, ch, live)
    _keep(buf, row_dis + j, dis, live)
    _keep(buf, row_soc + j, x, live)
    return x


@njit(cache=True, inline="always", error_model="numpy")
def _identity(buf, sp, h, ln, st):
    """The identity day map clip(x + 0, 0, E) of lane ln."""
    return (0.0, 0.0, buf[sp + S_E + ln])


@njit(cache=True, error_model="numpy")
def _reserve_solve(buf, off, sp, row_ch, row_dis, row_soc):
    """A storage that keeps a reserve on the day held in *buf*: targets, cyclic start, flows.

    Lanes with V_ON set; fills their rows row_ch, row_dis, row_soc (and rows B_RT, B_KT)."""
    _targets(buf, off, sp)
    _reserve_start(buf, off, sp, row_ch, row_dis, row_soc)
    _reserve_trajectory(buf, off, sp, row_ch, row_dis, row_soc)


@njit(cache=True, error_model="numpy")
def _greedy_solve(buf, off, sp, row_ch, row_dis, row_soc):
    """A storage that keeps no reserve on the day held in *buf*: cyclic start, flows.

    Lanes with V_ON set; fills their rows row_ch, row_dis, row_soc.  The day map is a clip, its
    fixed point (the cyclic start) exact (``_fixed_point``)."""
    args = (off, sp)
    s = _lanes(_identity, buf, sp, 0, _zeros())
    for h in range(H_PER_DAY):
        s = _lanes(_greedy_map, buf, args, h, s)
    x = _lanes(_greedy_cyclic, buf, args, 0, s)
    args_rows = (off, sp, row_ch, row_dis, row_soc)
    for h in range(H_PER_DAY):
        x = _lanes(_greedy_hour, buf, args_rows, h, x)


@njit(cache=True, inline="always", error_model="numpy")
def _pass_on(buf, j):
    """What the battery leaves to pumped hydro in hour-lane j (offer rows B_OFF_P + ST_*).

    Returns True if some high-value need is left."""
    ch = buf[B_CHB + j]
    dis = buf[B_DIB + j]
    c1 = buf[B_OFF_B + ST_C1 + j]
    d1 = buf[B_OFF_B + ST_D1 + j]
    ch1 = min(ch, c1)  # the battery takes the non-exportable surplus first
    dis1 = min(dis, d1)  # and serves the high-value need first
    buf[B_OFF_P + ST_C1 + j] = c1 - ch1
    buf[B_OFF_P + ST_C2 + j] = buf[B_OFF_B + ST_C2 + j] - (ch - ch1)
    buf[B_OFF_P + ST_D1 + j] = d1 - dis1
    buf[B_OFF_P + ST_D2 + j] = buf[B_OFF_B + ST_D2 + j] - (dis - dis1)
    buf[B_OFF_P + ST_SD + j] = buf[B_OFF_B + ST_SD + j] - dis
    return d1 - dis1 > 0.0
