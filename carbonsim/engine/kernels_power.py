"""The dispatch's city totals shared over the counties in one compiled pass, city first.

:func:`county_flows` computes what ``core._power`` computed with numpy and
:func:`carbonsim.engine.power.allocate` (``ratio(weight, weight.sum(REGION)) * total``):
generation by each plant's available output, storage losses by storage energy, imports by
demand, exports by generation, curtailment by available wind and solar; the county values into
their slots and the city (their sum) at region index 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from carbonsim.constants import TECHS, TWH_PER_GWH
from carbonsim.engine.arith import broadcast
from carbonsim.engine.axes import GEN_TECHS, T
from carbonsim.engine.scalar import IN, JIT, OUT, allocate, city_sum, compile_kernel
from carbonsim.engine.scalar import ratio as ratio1

__all__ = ["FLOWS", "county_flows"]

N_T, N_G = len(TECHS), len(GEN_TECHS)
GEN_INDEX = tuple(T[t] for t in GEN_TECHS)
T_WIND, T_SOLAR, T_BATTERY, T_PHS = T["wind"], T["solar"], T["battery"], T["pumped_hydro"]
#: dispatch outputs (S, Y) the kernel shares out, in the order of its flow tuple
FLOWS = (*(f"gen_{t}" for t in GEN_TECHS), "imports", "uhvdc_delivered", "exports",
         "curtailment")  # fmt: skip
IMPORTS, UHVDC, EXPORTS, CURTAILMENT = N_G, N_G + 1, N_G + 2, N_G + 3
#: outputs of :func:`county_flows`, 4-D then 3-D
NAMES = ("capacity", "generation", "battery_energy", "pumped_hydro_energy",
         "electricity_consumption", "grid_losses", "storage_losses", "electricity_imports",
         "uhvdc_export", "other_export", "net_import", "curtailment")  # fmt: skip


@njit(**JIT)
def _share(weight, total, s, t, out) -> None:
    """``ratio(weight, weight.sum()) * total`` over the counties into slots 1.. of *out*."""
    n_r = weight.shape[0]
    w_sum = weight[0]
    for r in range(1, n_r):
        w_sum += weight[r]
    for r in range(n_r):
        out[s, r + 1, t] = ratio1(weight[r], w_sum, 0.0) * total


def _kernel(cap, hours, storage_hours, phs_hours, elec, flows, losses, loss, cap_out, gen,  # noqa: C901
            battery, phs, consumption, grid_losses, storage_losses, imports, uhvdc, other,
            net_import, curtailment):  # fmt: skip
    n, n_r, _, n_y = cap.shape
    weight = np.empty(n_r)
    avail = np.empty((N_T, n_r))
    for s in range(n):
        for t in range(n_y):
            for r in range(n_r):
                for k in range(N_T):
                    cap_out[s, r + 1, k, t] = cap[s, r, k, t]
                    avail[k, r] = 0.0
                for g in range(N_G):
                    k = GEN_INDEX[g]
                    avail[k, r] = cap[s, r, k, t] * hours[g][s, t] * TWH_PER_GWH
                battery[s, r + 1, t] = cap[s, r, T_BATTERY, t] * storage_hours[s, t]
                phs[s, r + 1, t] = cap[s, r, T_PHS, t] * phs_hours[s, t]
            for g in range(N_G):
                k = GEN_INDEX[g]
                _share(avail[k], flows[g][s, t], s, t, gen[:, :, k])
            for r in range(n_r):
                gen[s, r + 1, T_PHS, t] = 0.0  # storage generates nothing of its own
                gen[s, r + 1, T_BATTERY, t] = 0.0
            for r in range(n_r):
                weight[r] = battery[s, r + 1, t] + phs[s, r + 1, t]
            _share(weight, losses[s, t], s, t, storage_losses)
            for r in range(n_r):
                weight[r] = elec[s, r, t] * (1.0 + loss)
            _share(weight, flows[IMPORTS][s, t], s, t, imports)
            for r in range(n_r):
                demand_pre = weight[r]
                consumption[s, r + 1, t] = demand_pre + storage_losses[s, r + 1, t]
                grid_losses[s, r + 1, t] = elec[s, r, t] * loss
                total = gen[s, r + 1, 0, t]
                for k in range(1, N_T):
                    total += gen[s, r + 1, k, t]
                weight[r] = total
                net_import[s, r + 1, t] = consumption[s, r + 1, t] - total
            _share(weight, flows[UHVDC][s, t], s, t, uhvdc)
            _share(weight, flows[EXPORTS][s, t], s, t, other)
            for r in range(n_r):
                weight[r] = avail[T_WIND, r] + avail[T_SOLAR, r]
            _share(weight, flows[CURTAILMENT][s, t], s, t, curtailment)
        for k in range(N_T):
            city_sum(cap_out[:, :, k], s)
            city_sum(gen[:, :, k], s)
        for x in (battery, phs, consumption, grid_losses, storage_losses, imports, uhvdc, other,
                  net_import, curtailment):  # fmt: skip
            city_sum(x, s)


_compiled = compile_kernel(
    _kernel,
    IN[4], types.UniTuple(IN[2], N_G), IN[2], IN[2], IN[3], types.UniTuple(IN[2], len(FLOWS)),
    IN[2], types.float64, OUT[4], OUT[4], *([OUT[3]] * 10),
)  # fmt: skip


def county_flows(cap, lv, p, elec_twh, flows, losses, dest=None) -> dict:
    """Capacity and the dispatch's flows by county (S, 1 + R, ..., Y), city first.

    Parameters
    ----------
    cap : ndarray (S, R, tech, Y) [GW]
        Installed capacity by county (:func:`carbonsim.engine.power.capacity`).
    lv : dict
        ``*_hours`` of the generating technologies [h], ``storage_hours``,
        ``pumped_hydro_hours`` [h] (S, Y).
    p : dict
        ``grid_loss_rate`` [1].
    elec_twh : ndarray (S, R, Y) [TWh]
        Final electricity by county.
    flows : dict of ndarray (S, Y)
        Dispatch outputs [TWh] (:data:`FLOWS`).
    losses : ndarray (S, Y) [TWh]
        Storage losses of the city (charge less discharge).
    dest : dict of ndarray, optional
        Destination arrays (S, 1 + R, ..., Y) for some outputs.

    Returns
    -------
    dict of ndarray (S, 1 + R, ..., Y)
        ``capacity`` [GW] and ``generation`` [TWh] by technology, ``battery_energy``,
        ``pumped_hydro_energy`` [GWh], ``electricity_consumption``, ``grid_losses``,
        ``storage_losses``, ``electricity_imports``, ``uhvdc_export``, ``other_export``,
        ``net_import``, ``curtailment`` [TWh].
    """
    n, n_r, n_t, n_y = cap.shape
    shapes = {k: (n, n_r + 1, n_t, n_y) if k in NAMES[:2] else (n, n_r + 1, n_y) for k in NAMES}
    out = allocate(shapes, dest or {})
    city = (n, n_y)
    hours = tuple(broadcast(lv[f"{t}_hours"], city) for t in GEN_TECHS)
    _compiled()(
        cap, hours, broadcast(lv["storage_hours"], city),
        broadcast(lv["pumped_hydro_hours"], city), elec_twh,
        tuple(broadcast(flows[k], city) for k in FLOWS), broadcast(losses, city),
        float(p["grid_loss_rate"]), *out.values(),
    )  # fmt: skip
    return out
