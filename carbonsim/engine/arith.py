"""The one safe division of the engine (and of everything that divides model quantities), and
its cheap broadcast."""

from __future__ import annotations

import numpy as np

__all__ = ["broadcast", "ratio"]


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


def broadcast(x, shape: tuple[int, ...]) -> np.ndarray:
    """*x* as a read-only view of *shape*: :func:`numpy.broadcast_to`, without its cost when the
    shape is already right.

    A single run calls it ~100 times, where ``broadcast_to``'s argument handling (~5 µs a call)
    added up to half a millisecond.  *x* itself is returned when its shape is *shape*; like a
    broadcast view it is only read.
    """
    if getattr(x, "shape", None) == shape:  # scalars (floats) have none: broadcast them
        return x
    return np.broadcast_to(x, shape)
