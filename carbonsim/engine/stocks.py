"""Stocks that need a loop over years: the passenger vehicle fleet and building vintages."""

from __future__ import annotations

import numpy as np

from carbonsim.engine.arith import ratio


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
