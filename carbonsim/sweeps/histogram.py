"""Per-cell histograms of a chunk's trajectories (the fan charts' quantiles), in one pass.

A chunk's fan indicators are (scenario, region, year) arrays; every (region, year) cell gets
``bins`` regular bins on the pilot's [lo, hi) with an underflow (index 0) and an overflow
(index ``bins + 1``) bin, its exact minimum and maximum over finite values and its count of
non-finite values.  One compiled pass reads each value once (numpy needed eight passes and as
many temporaries: 17 ms per indicator at 2,048 scenarios, ~25 % of a chunk's aggregation).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["histogram"]


def histogram(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bins: int) -> dict[str, np.ndarray]:
    """Counts of *x* (rows, *cells) in ``bins`` regular bins on [lo, hi) per cell.

    Parameters
    ----------
    x : ndarray (rows, ...) [the indicator's unit]
        Values; NaN and ±inf are counted in ``nan`` and in no bin.
    lo, hi : ndarray (...)
        Each cell's binned range (``hi > lo``), in the unit of *x*.
    bins : int
        Regular bins between lo and hi.

    Returns
    -------
    dict
        ``hist`` (..., bins + 2) int64 (underflow, bins, overflow), ``min`` and ``max`` (...)
        over the finite values (+inf / -inf where there is none), ``nan`` (...) int64.
    """
    shape = lo.shape
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(x.shape[0], -1)
    lo_flat = np.ascontiguousarray(lo, dtype=np.float64).ravel()
    hi_flat = np.ascontiguousarray(hi, dtype=np.float64).ravel()
    counts = np.zeros((lo_flat.size, bins + 2), dtype=np.int64)
    low = np.full(lo_flat.size, np.inf)
    high = np.full(lo_flat.size, -np.inf)
    nan = np.zeros(lo_flat.size, dtype=np.int64)
    _count(flat, lo_flat, hi_flat, bins, counts, low, high, nan)
    return {
        "hist": counts.reshape(*shape, bins + 2),
        "min": low.reshape(shape),
        "max": high.reshape(shape),
        "nan": nan.reshape(shape),
    }


@njit(cache=True, error_model="numpy")
def _count(x, lo, hi, bins, counts, low, high, nan):
    """Bin every value of x (rows, cells) into counts (cells, bins + 2); min, max, non-finite.

    The bin of a value v in [lo, hi) is 1 + clip(floor((v - lo) / ((hi - lo) / bins)), 0,
    bins - 1): the same floating-point operations as the numpy definition it replaced.
    """
    rows, cells = x.shape
    for r in range(rows):
        for c in range(cells):
            v = x[r, c]
            if not np.isfinite(v):
                nan[c] += 1
                continue
            a = lo[c]
            if v < a:
                k = 0
            elif v >= hi[c]:
                k = bins + 1
            else:
                f = np.floor((v - a) / ((hi[c] - a) / bins))
                k = 1 + int(min(max(f, 0.0), bins - 1.0))
            counts[c, k] += 1
            if v < low[c]:
                low[c] = v
            if v > high[c]:
                high[c] = v
