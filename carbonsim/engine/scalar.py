"""Scalar building blocks of the compiled kernels, with the semantics of their numpy originals.

``ratio`` is :func:`carbonsim.engine.arith.ratio` on one element (``x/0`` -> *empty*);
``maximum``, ``minimum`` and ``clip`` propagate NaN as ``np.maximum``, ``np.minimum`` and
``np.clip`` do; ``switch_mix`` is :func:`carbonsim.engine.mix.switch_mix` on one fuel vector.
Every kernel is compiled without fastmath, with numpy's division semantics (``1/0 = inf``).
Also what every kernel module uses: ``allocate`` (result buffers in one block), ``city_sum``
(the city's slot) and ``compile_kernel``.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numba import njit, types

__all__ = [
    "JIT",
    "allocate",
    "city_sum",
    "clip01",
    "compile_kernel",
    "maximum",
    "minimum",
    "ratio",
    "switch_mix",
]

#: options of every engine kernel: cached, numpy's error model (no ZeroDivisionError), no fastmath
JIT = {"cache": True, "error_model": "numpy"}

#: lever and parameter arrays as the kernels take them: any strides (broadcast views), read-only
IN = {n: types.Array(types.float64, n, "A", readonly=True) for n in (1, 2, 3, 4, 5)}
#: destination arrays: any strides (slices of a caller's buffer)
OUT = {n: types.Array(types.float64, n, "A") for n in (1, 2, 3, 4, 5)}


@njit(inline="always", **JIT)
def ratio(a: float, b: float, empty: float) -> float:
    """``a / b``, or *empty* where ``b == 0`` [units of a / units of b]."""
    return a / b if b != 0 else empty


@njit(inline="always", **JIT)
def maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN if either is NaN)."""
    return a if (a >= b or a != a) else b


@njit(inline="always", **JIT)
def minimum(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN if either is NaN)."""
    return a if (a <= b or a != a) else b


@njit(inline="always", **JIT)
def clip01(x: float) -> float:
    """``np.clip(x, 0, 1)``."""
    return minimum(maximum(x, 0.0), 1.0)


@njit(inline="always", **JIT)
def switch_mix(base, set_fuels, set_shares, fallback, out, t) -> None:
    """Fuel shares after switching, for one county and year, written into ``out[:, t]`` [1].

    The shares of *set_fuels* (a tuple of fuel indices) are set to *set_shares* (fuel order of
    *set_fuels*); the other fuels share the remainder in their *base* proportions, or the
    *fallback* fuel takes all of it when none of them had a base share.  Sums as
    :func:`carbonsim.engine.mix.switch_mix` does (fuel by fuel, in fuel order).
    """
    n = base.shape[0]
    free_total = 0.0
    for f in range(n):
        free = base[f]
        for f_set in set_fuels:
            if f == f_set:
                free = 0.0
        free_total += free
    set_total = 0.0
    for i in range(len(set_fuels)):
        set_total += set_shares[i]
    remainder = maximum(1.0 - set_total, 0.0)
    for f in range(n):
        if free_total > 0:
            out[f, t] = base[f] / free_total * remainder
        else:
            out[f, t] = (1.0 if f == fallback else 0.0) * remainder
    for i in range(len(set_fuels)):
        out[set_fuels[i], t] = set_shares[i]


def allocate(shapes: dict, dest: dict) -> dict:
    """Arrays of *shapes* (name -> shape), *dest*'s where given, the others views of one block.

    One allocation instead of many: a large block is backed by huge pages (numpy advises the
    kernel to for blocks of 4 MB and more), so writing fresh results costs fewer page faults.
    """
    todo = {k: shape for k, shape in shapes.items() if k not in dest}
    sizes = [math.prod(shape) for shape in todo.values()]
    block = np.empty(sum(sizes))
    out, start = {}, 0
    for (name, shape), size in zip(todo.items(), sizes, strict=True):
        out[name] = block[start : start + size].reshape(shape)
        start += size
    return {k: dest[k] if k in dest else out[k] for k in shapes}


def compile_kernel(fn, *arg_types):
    """A cached, lazily compiled kernel of *fn* for exactly *arg_types* (one specialisation).

    Arrays typed with :data:`IN` / :data:`OUT` accept C-contiguous arrays, broadcast views and
    slices alike, so every call uses the same compiled code (one compile, one cache entry).
    """

    @cache
    def compiled():
        return njit(types.void(*arg_types), **JIT)(fn)

    return compiled


@njit(**JIT)
def city_sum(x, s) -> None:
    """Slot 0 of scenario *s* of an (S, 1 + R, Y) array := the sum over the counties."""
    for t in range(x.shape[2]):
        total = x[s, 1, t]
        for r in range(2, x.shape[1]):
            total += x[s, r, t]
        x[s, 0, t] = total
