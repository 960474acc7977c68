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


def broadcast(x, shape: tuple[int, ...], axis: int | None = None) -> np.ndarray:
    """*x* as a read-only view of *shape*: :func:`numpy.broadcast_to`, without its cost when it
    can be avoided.

    A single run calls it ~150 times, and ``broadcast_to``'s argument handling (~6 µs a call)
    added up to most of a millisecond.  *x* itself is returned when its shape is *shape* (like a
    broadcast view it is only read); the views of small arrays (up to :data:`_SMALL` elements, a
    single run's) are kept, keyed by the array's identity (the cache holds the array, so its id
    is not reused while kept; a view shows the array's current values, so a kept view is never
    stale).  With *axis*, an *x* with one dimension fewer than *shape* gets that axis first
    (e.g. a city-wide (S, Y) lever for an (S, R, Y) shape).
    """
    if getattr(x, "shape", None) == shape:  # scalars (floats) have none: broadcast them
        return x
    if not isinstance(x, np.ndarray) or x.size > _SMALL:
        return np.broadcast_to(_expanded(x, shape, axis), shape)
    key = (id(x), shape, axis)
    hit = _VIEWS.get(key)
    if hit is None:  # (a kept entry holds x itself, so its id cannot belong to another array)
        if len(_VIEWS) >= _MAX_VIEWS:
            _VIEWS.clear()
        hit = _VIEWS[key] = (x, np.broadcast_to(_expanded(x, shape, axis), shape))
    return hit[1]


def _expanded(x, shape, axis):
    if axis is None or np.ndim(x) != len(shape) - 1:
        return x
    return np.expand_dims(x, axis)


#: arrays up to this many elements have their broadcast views kept
_SMALL = 4096
#: (id, shape, axis) -> (the array, kept alive; its view); cleared when full
_VIEWS: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_MAX_VIEWS = 1024
