"""The machine's memory limits, shared by the benchmarks: copy rate and fresh-page rate."""

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
