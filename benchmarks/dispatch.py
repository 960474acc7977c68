"""Hourly dispatch throughput: elements (scenario-years) per second, serial and parallel.

The inputs are the dispatch arguments of N scenarios x 41 years built by the engine from random
levers (those of ``benchmarks/engine.py``) on top of ``scenarios/plan.toml``, so the mix of
systems is the engine's own: history years shared by all scenarios, years with and without
storage, with and without a local deficit for storage to serve.

    python benchmarks/dispatch.py            # 4000 scenarios (164,000 elements)
    python benchmarks/dispatch.py 10000      # another size
    python benchmarks/dispatch.py --save inputs.npz   # also store the inputs (to time another
                                                      # revision of the kernel on the same data)

Prints, for serial and ``parallel=True``: the best wall time of a few repeats, elements per
second and microseconds per element, and the numba thread count.  The first call (compilation
or loading numba's cache) is not timed.  No timed assertions live in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from engine import levers  # noqa: E402  (the engine benchmark's random levers)


def inputs(n: int) -> tuple[dict, np.ndarray, dict, dict]:
    """(shapes, weights, demand, system) of n scenarios x all years, flattened to (n * Y,)."""
    from carbonsim import LeverSet, engine, load_scenario
    from carbonsim.baseline.cache import resolve_baseline
    from carbonsim.constants import FIRST_YEAR, LAST_YEAR
    from carbonsim.inputs.coerce import as_batch
    from carbonsim.model.arrays import batch_arrays
    from carbonsim.model.parameters import engine_parameters
    from carbonsim.regions import regions_of

    ds = resolve_baseline(None)
    plan = load_scenario(ROOT / "scenarios" / "plan.toml").levers
    random = dict(levers(n))  # random levers replacing the plan's own
    batch = as_batch(LeverSet({**plan, **random}, n=n), regions_of(ds))
    arrays = batch_arrays(batch, list(range(FIRST_YEAR, LAST_YEAR + 1)), ds)
    params = engine_parameters(ds)
    system, demand = engine.power_system(arrays, params)
    flat = lambda v: np.ascontiguousarray(np.broadcast_to(v, system["wind_gw"].shape)).ravel()  # noqa: E731
    profiles = params["profiles"]
    return (
        dict(profiles),
        np.asarray(profiles.weights),
        {k: flat(v) for k, v in demand.items()},
        {k: flat(v) for k, v in system.items()},
    )


def best_time(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=4000, help="scenarios (x 41 years)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--save", help="store the inputs in this .npz file")
    ap.add_argument("--load", help="time the inputs stored by --save instead of building them")
    a = ap.parse_args(argv)
    from numba import get_num_threads

    from carbonsim.engine.dispatch import dispatch

    if a.load:
        z = np.load(a.load)
        shapes = {k[6:]: z[k] for k in z.files if k.startswith("shape_")}
        weights = z["weights"]
        demand = {k[7:]: z[k] for k in z.files if k.startswith("demand_")}
        system = {k[4:]: z[k] for k in z.files if k.startswith("sys_")}
    else:
        shapes, weights, demand, system = inputs(a.n)
    if a.save:
        np.savez(
            a.save,
            weights=weights,
            **{f"shape_{k}": v for k, v in shapes.items()},
            **{f"demand_{k}": v for k, v in demand.items()},
            **{f"sys_{k}": v for k, v in system.items()},
        )
    n = system["wind_gw"].size
    days = len(weights)
    print(f"dispatch of {n:,} elements ({days} days x 24 h), numba threads {get_num_threads()}")
    print("  (best wall time; serial CPU time beside it, as the machine may be shared)")
    for parallel in (False, True):

        def run(parallel=parallel):
            return dispatch(shapes, weights, demand, **system, parallel=parallel)

        run()  # compile / load the cache
        cpu = time.process_time()
        t = best_time(run, a.repeats)
        cpu = (time.process_time() - cpu) / a.repeats
        label = "parallel" if parallel else "serial"
        extra = "" if parallel else f"  (CPU {cpu / n * 1e6:.2f} µs/element)"
        rate = f"{n / t:12,.0f} elements/s {t / n * 1e6:7.2f} µs/element"
        print(f"  {label:8s} {t:7.3f} s {rate}{extra}")


if __name__ == "__main__":
    main()
