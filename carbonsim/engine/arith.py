"""The one safe division of the engine (and of everything that divides model quantities)."""

from __future__ import annotations

import numpy as np

__all__ = ["ratio"]


def ratio(a, b, empty: float = 0.0) -> np.ndarray:
    """``a / b`` element-wise, with *empty* wherever ``b == 0``.

    The rule for zero denominators, one for the whole package: ``0/0`` and ``x/0`` both give
    *empty* (default 0: a share of nothing is no share).  Model quantities in denominators are
    non-negative, so ``b == 0`` and ``b <= 0`` select the same elements up to rounding; a
    negative denominator divides like any other.

    Parameters
    ----------
    a, b : array_like
        Numerator and denominator [any units; the result is in units of a / units of b].
    empty : float
        The value where ``b == 0`` (``nan`` where "undefined" must show, e.g. a probability of
        an empty set).

    Examples
    --------
    >>> ratio(np.array([1.0, 0.0, 2.0]), np.array([2.0, 0.0, 0.0])).tolist()
    [0.5, 0.0, 0.0]
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    nonzero = b != 0
    return np.where(nonzero, a / np.where(nonzero, b, 1.0), empty)
