"""Stocks that need a loop over years: the vehicle fleet, building vintages, production capacity."""

from __future__ import annotations

import numpy as np
from numba import njit

from carbonsim.engine.arith import ratio
from carbonsim.engine.scalar import JIT, maximum


def vehicle_fleet(stock0, nev_share0, growth, scrappage, nev_sales_share):
    """Passenger vehicle stock and its electric part, by fleet turnover.

    Parameters
    ----------
    stock0, nev_share0 : ndarray (region,)
        2020 stock [1e4 vehicles] and electric share of it [1].
    growth : ndarray (scenario, region, year) [1/yr]
    scrappage : ndarray (scenario, year) [1/yr]
    nev_sales_share : ndarray (scenario, region, year) [1]

    Returns
    -------
    stock, nev_stock : ndarray (scenario, region, year) [1e4 vehicles]
    """
    n_years = growth.shape[-1]
    stock = np.empty(growth.shape)
    nev = np.empty(growth.shape)
    stock[..., 0] = stock0
    nev[..., 0] = stock0 * nev_share0
    scrap = scrappage[:, None, :]
    for t in range(1, n_years):
        prev, prev_nev = stock[..., t - 1], nev[..., t - 1]
        stock[..., t] = prev * (1.0 + growth[..., t])
        survivors = prev * (1.0 - scrap[..., t])
        sales = np.maximum(stock[..., t] - survivors, 0.0)
        keep = np.minimum(1.0, stock[..., t] / np.where(survivors > 0, survivors, 1.0))
        nev_survivors = prev_nev * (1.0 - scrap[..., t]) * np.where(sales > 0, 1.0, keep)
        nev[..., t] = np.minimum(nev_survivors + sales * nev_sales_share[..., t], stock[..., t])
    return stock, nev


def building_energy(area0, energy0, growth, new_change, retrofit_rate, retrofit_gain):
    """Building energy [1e4 tce] of one building type by vintage.

    The pre-2020 stock is either not yet retrofitted (2020 intensity) or retrofitted (intensity
    times 1 - gain at the year of retrofit); buildings added after 2020 use the new-building
    intensity of the year they were built.  A shrinking stock loses every vintage in proportion.

    Parameters
    ----------
    area0, energy0 : ndarray (region,)
        2020 floor area [1e4 m2] and final energy [1e4 tce].
    growth : ndarray (scenario, region, year) [1/yr]
    new_change, retrofit_rate, retrofit_gain : ndarray (scenario, year) [1], [1/yr], [1]

    Returns
    -------
    area, energy : ndarray (scenario, region, year)
    """
    intensity0 = ratio(energy0, area0)
    shape = growth.shape
    area, energy = np.empty(shape), np.empty(shape)
    old = np.broadcast_to(area0, shape[:-1]).astype(float)
    e_retro = np.zeros(shape[:-1])
    e_new = np.zeros(shape[:-1])
    area[..., 0], energy[..., 0] = area0, old * intensity0
    for t in range(1, shape[-1]):
        total_prev = area[..., t - 1]
        total = total_prev * (1.0 + growth[..., t])
        shrink = np.minimum(1.0, total / np.where(total_prev > 0, total_prev, 1.0))
        old, e_retro, e_new = old * shrink, e_retro * shrink, e_new * shrink
        moved = old * retrofit_rate[:, None, t]
        old = old - moved
        e_retro = e_retro + moved * intensity0 * (1.0 - retrofit_gain[:, None, t])
        added = np.maximum(total - total_prev, 0.0)
        e_new = e_new + added * intensity0 * (1.0 + new_change[:, None, t])
        area[..., t] = total
        energy[..., t] = old * intensity0 + e_retro + e_new
    return area, energy


def production_capacity(output, capacity0, max_utilisation, retirement):
    """Production capacity of each product: kept unless retired, added only when output needs it.

    ``capacity[t] = max(capacity[t-1] * (1 - retirement[t]), output[t] / max_utilisation)``
    and ``capacity[0] = max(capacity0, output[0] / max_utilisation)``: a rise in output within
    the idle capacity adds none; output above ``max_utilisation`` of the capacity is taken to
    mean new capacity was built.  Capacity the stock loses by retirement can be rebuilt later
    (产能置换) without exceeding what was there.

    Parameters
    ----------
    output : ndarray (scenario, region, product, year) [1e4 t/yr]
        Output of each product (aluminium: primary electrolytic output).
    capacity0 : ndarray (region, product) [1e4 t/yr]
        Capacity in the first year (2020); 0 means "what the first year's output needs".
    max_utilisation : ndarray (product,) [1]
        The highest sustained output / capacity, > 0.
    retirement : ndarray (product,) or (product, year) [1/yr]
        Share of last year's capacity retired each year, in [0, 1].

    Returns
    -------
    ndarray (scenario, region, product, year) [1e4 t/yr]

    Examples
    --------
    >>> out = np.array([80.0, 90.0, 80.0, 95.0]).reshape(1, 1, 1, 4)
    >>> production_capacity(out, np.array([[100.0]]), np.array([0.9]), np.array([0.0]))[0, 0, 0]
    array([100.        , 100.        , 100.        , 105.55555556])
    """
    output = np.asarray(output, dtype=float)
    n_products, n_years = output.shape[2], output.shape[-1]
    need = output / np.asarray(max_utilisation, dtype=float)[None, None, :, None]
    rate = np.asarray(retirement, dtype=float)
    keep = np.broadcast_to(1.0 - (rate[:, None] if rate.ndim == 1 else rate), (n_products, n_years))
    capacity = np.empty(output.shape)
    capacity[..., 0] = np.maximum(np.asarray(capacity0, dtype=float), need[..., 0])
    _capacity_years(need, np.ascontiguousarray(keep), capacity)
    return capacity


@njit(**JIT)
def _capacity_years(need, keep, capacity) -> None:
    """``capacity[..., t] = max(capacity[..., t-1] * keep[:, t], need[..., t])`` for t >= 1."""
    n, n_r, n_p, n_y = capacity.shape
    for s in range(n):
        for r in range(n_r):
            for k in range(n_p):
                for t in range(1, n_y):
                    capacity[s, r, k, t] = maximum(capacity[s, r, k, t - 1] * keep[k, t],
                                                   need[s, r, k, t])  # fmt: skip
