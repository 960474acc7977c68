"""What the benchmarks share: the machine's memory limits (copy rate and fresh-page rate), how
far its cores scale, and a timer of one function's calls."""

from __future__ import annotations

import subprocess
import sys
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


#: a compute-bound loop in cache (no allocation) that prints its rate [iterations/s]
_SPIN = """
import sys, time, numpy as np
x = np.random.default_rng(0).random(16384); y = np.empty_like(x)
t0 = time.perf_counter(); k = 0
while time.perf_counter() - t0 < float(sys.argv[1]):
    np.sqrt(x, out=y); np.multiply(y, 1.0000001, out=x); k += 1
print(k / (time.perf_counter() - t0))
"""


def core_scaling(seconds: float = 4.0, processes: int = 2) -> float:
    """How much more *processes* busy processes do together than one alone (ideal: *processes*).

    The same compute-bound loop (numpy in L1 cache, no allocation) in one process, then in
    *processes* at once, each for *seconds*: the ratio of their summed rate to the lone one.  On
    a VM whose virtual cores share physical ones it stays below the number of cores, and no
    sweep can scale further than it."""

    def run(k: int) -> list[float]:
        argv = [sys.executable, "-c", _SPIN, str(seconds)]
        procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(k)]
        return [float(p.communicate()[0]) for p in procs]

    alone = run(1)[0]
    return sum(run(processes)) / alone


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
