"""Fuel-mix switching: set the shares of some fuels, scale the others in their 2020 proportions."""

from __future__ import annotations

import numpy as np


def switch_mix(
    base_mix: np.ndarray, set_shares: dict[int, np.ndarray], fallback: int
) -> np.ndarray:
    """Fuel shares after switching.

    Parameters
    ----------
    base_mix : ndarray, (..., fuel)
        2020 shares of each fuel [1], broadcastable against the lever arrays with a fuel axis
        inserted before the last (year) axis, e.g. ``(1, region, fuel, 1)``.
    set_shares : dict of fuel index -> ndarray (..., year)
        Shares [1] that levers set (electricity, gas, hydrogen …).
    fallback : int
        Fuel index that takes the remainder when no other fuel had a 2020 share.

    Returns
    -------
    ndarray, (..., fuel, year)
        Shares summing to 1 over the fuel axis.  The caller guarantees the set shares sum to at
        most 1 (validated at the model boundary).
    """
    first = next(iter(set_shares.values()))
    shape = np.broadcast_shapes(first.shape, *(v.shape for v in set_shares.values()))
    n_fuels = base_mix.shape[-2]
    out_shape = (*shape[:-1], n_fuels, shape[-1])
    base = np.broadcast_to(base_mix, out_shape)
    mask = np.zeros(n_fuels, dtype=bool)
    mask[list(set_shares)] = True
    free = np.where(mask[:, None], 0.0, base)
    free_total = free.sum(axis=-2, keepdims=True)
    set_total = sum(set_shares.values())
    remainder = np.maximum(1.0 - set_total, 0.0)[..., None, :]
    fallback_only = np.zeros((n_fuels, 1))
    fallback_only[fallback] = 1.0
    safe_total = np.where(free_total > 0, free_total, 1.0)
    scaled = np.where(free_total > 0, free / safe_total, fallback_only) * remainder
    for fuel, share in set_shares.items():
        scaled[..., fuel, :] = share
    return scaled
