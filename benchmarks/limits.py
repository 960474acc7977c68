"""What the benchmarks share: the machine's memory limits (copy rate and fresh-page rate) and a
timer of one function's calls."""

from __future__ import annotations

import time

GiB = 2**30


def machine_limits(size: int = GiB, repeat: int = 3) -> dict:
    """Memory copy and fresh-page rates [GB/s] (best of *repeat*)."""
    import numpy as np

    n = size // 8
    src = np.ones(n)
    dst = np.ones(n)  # faulted in: a copy into it measures bandwidth only
    copy, fresh = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        copy.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        new = np.empty(n)  # glibc mmaps it: every page is new to the process
        new.fill(1.0)
        fresh.append(time.perf_counter() - t0)
        del new
    return {"copy_gb_s": size / min(copy) / 1e9, "fresh_gb_s": size / min(fresh) / 1e9}


def summing(fn, spent: list[float]):
    """*fn*, adding the wall and CPU time [s] of each call to ``spent[0]`` and ``spent[1]``."""

    def timed(*args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0
            spent[1] += time.process_time() - c0

    return timed
