"""Engine throughput: scenarios per second and peak memory for 1k, 10k and 100k scenarios.

Prints, for each size, the wall time of one ``simulate`` call (all variables for 1k and 10k; the
key indicators only for 100k, since ``final_energy`` alone is ~180 kB per scenario), scenarios
per second, the peak resident memory of a fresh process, and the ratio against simulating the
same scenarios one at a time in a Python loop (timed on 200 and extrapolated).

    python benchmarks/engine.py            # 1k, 10k, 100k
    python benchmarks/engine.py 1000 5000  # other sizes
    python benchmarks/engine.py 10000 --against eb88a99   # and a git revision, in one run

Sizes up to 10,000 are also run with ``dtype="float32"`` on this checkout (rows ``all f32``).

Beside the figures it prints the machine's limits (memory copy rate, the rate fresh memory is
written, which bounds a result returned in new memory) and each target of issue 17 with the
measured value: all-variable throughput against the fresh-memory roofline, key variables,
one scenario's simulate + check (and a slider step of the what-if widget), and the batch's
speed-up over a loop.  The single runs come from ``benchmarks/single.py``: with ``--against``
the two codes' calls are interleaved one by one, since this VM's speed moves within seconds.

Each size runs in its own subprocess so that the peak RSS is that size's own.  The share of the
engine's time spent in the hourly dispatch is printed beside each size (``dispatch``), and the
CPU time of ``engine.run`` less the dispatch's own per scenario (``engine w/o dispatch``).  With
``--against REV`` the same sizes are also run on a temporary checkout of that revision (e.g. the
last commit before the dispatch), so before and after are measured on the same machine state.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from limits import machine_limits, summing
from single import checkout, paired, remove_checkout, report

ROOT = Path(__file__).resolve().parent.parent
KEY = [
    "co2",
    "energy_consumption",
    "non_fossil_share",
    "nonhydro_renewable_share",
    "gdp",
    "coal_consumption",
]


#: outputs of the demand side and the installed capacity: ``variables=`` with only these runs
#: no dispatch (``carbonsim.engine.core.NO_DISPATCH``; issue 17)
NO_DISPATCH = ["gdp", "final_energy", "electricity_demand", "new_energy_capacity",
          "storage_to_new_energy_ratio"]  # fmt: skip


def levers(n: int, seed: int = 0):
    from carbonsim import LeverSet

    rng = np.random.default_rng(seed)
    return LeverSet(
        {
            "gdp_growth": rng.uniform(0.03, 0.08, n),
            "solar_capacity": {
                "yanchi": {2030: rng.uniform(5, 20, n)},
                "tongxin": {2030: rng.uniform(2, 10, n)},
            },
            "wind_capacity": {"yanchi": {2030: rng.uniform(3, 8, n)}},
            "other_industry_intensity_change": {2030: rng.uniform(-0.4, 0.0, n)},
            "storage_ratio": {2025: rng.uniform(0.05, 0.2, n)},
            "nev_sales_share": {2030: rng.uniform(0.1, 0.6, n)},
            "coal_hours": {2030: rng.uniform(3000, 5500, n)},
        },
        n=n,
    )


def one_size(n: int, dtype: str = "float64") -> dict:
    import carbonsim

    carbonsim.simulate({}, years=range(2020, 2061))  # warm-up: baseline load and calibration
    variables = None if n <= 10_000 else KEY
    lv = levers(n)
    spent = _time_dispatch()
    engine_cpu = _time_engine()
    t0 = time.perf_counter()
    ds = carbonsim.simulate(lv, variables=variables, **_dtype(dtype))
    batch = time.perf_counter() - t0
    dispatch = spent[0] if spent else float("nan")
    # CPU time of the engine without the dispatch's own: the rest of engine.run per scenario
    engine_rest = (engine_cpu[1] - (spent[1] if spent else 0.0)) / n
    per_scenario = ds.nbytes / n
    del ds
    t0 = time.perf_counter()
    carbonsim.simulate(lv, variables=KEY, **_dtype(dtype))
    key = time.perf_counter() - t0
    t0 = time.perf_counter()
    carbonsim.simulate(lv, variables=NO_DISPATCH, **_dtype(dtype))
    no_dispatch = time.perf_counter() - t0
    m = 200
    small = levers(m)
    t0 = time.perf_counter()
    for i in range(m):
        one = {
            "gdp_growth": small["gdp_growth"][i],
            "solar_capacity": {r: {2030: v[2030][i]} for r, v in small["solar_capacity"].items()},
            "wind_capacity": {"yanchi": {2030: small["wind_capacity"]["yanchi"][2030][i]}},
            "other_industry_intensity_change": {
                2030: small["other_industry_intensity_change"][2030][i]
            },
            "storage_ratio": {2025: small["storage_ratio"][2025][i]},
            "nev_sales_share": {2030: small["nev_sales_share"][2030][i]},
            "coal_hours": {2030: small["coal_hours"][2030][i]},
        }
        carbonsim.simulate(one, variables=variables)
    loop_per = (time.perf_counter() - t0) / m
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": n,
        "variables": ("all" if variables is None else f"{len(KEY)} key")
        + ("" if dtype == "float64" else " f32"),
        "seconds": batch,
        "scenarios_per_second": n / batch,
        "peak_rss_mb": peak_mb,
        "dataset_mb": per_scenario * n / 2**20,
        "loop_seconds_estimate": loop_per * n,
        "speedup_vs_loop": loop_per * n / batch,
        "dispatch_share": dispatch / batch,
        "engine_rest_us": engine_rest * 1e6,
        "bytes_per_scenario": per_scenario,
        "key_scenarios_per_second": n / key,
        "no_dispatch_scenarios_per_second": n / no_dispatch,
    }


def _dtype(dtype: str) -> dict:
    """simulate()'s dtype argument (none for float64: revisions before it have no such option)."""
    return {} if dtype == "float64" else {"dtype": dtype}


def _time_dispatch() -> list[float]:
    """Wrap the hourly dispatch (if this revision has one) to add up the time spent in it:
    [wall, CPU] seconds."""
    try:
        from carbonsim.engine import dispatch as module
        from carbonsim.engine import power
    except ImportError:
        return []
    spent = [0.0, 0.0]
    power.hourly.dispatch = summing(module.dispatch, spent)
    return spent


def _time_engine() -> list[float]:
    """Wrap ``carbonsim.engine.run`` to add up the time spent in it (dispatch included):
    [wall, CPU] seconds."""
    from carbonsim import engine

    spent = [0.0, 0.0]
    engine.run = summing(engine.run, spent)
    return spent


def _run(what: str, root: Path | None) -> dict:
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = str(root)
    out = subprocess.run(
        [sys.executable, __file__, "--one", what],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=root or Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _targets(label: str, r: dict, singles: dict, limits: dict) -> list[str]:
    """The issue's targets beside the measured figure and the machine's limit (*singles*: the
    interleaved single runs of ``benchmarks/single.py``)."""
    single = {case: singles[case][label] for case in ("simulate", "simulate + check")}
    slider = singles["slider step"].get(label, {})
    roofline = limits["fresh_gb_s"] * 1e9 / r["bytes_per_scenario"]
    rows = [
        (f"simulate {r['n']:,}, {r['variables']} variables", r["scenarios_per_second"], "scen/s",
         f"roofline {roofline:,.0f}/s (fresh memory {limits['fresh_gb_s']:.1f} GB/s / "
         f"{r['bytes_per_scenario'] / 1e3:.0f} kB per scenario): "
         f"{r['scenarios_per_second'] / roofline:.0%} of it; target >= 80 %"),
        (f"simulate {r['n']:,}, 6 key variables", r["key_scenarios_per_second"], "scen/s",
         "target >= 10,000/s"),
        (f"simulate {r['n']:,}, {len(NO_DISPATCH)} variables with no dispatch",
         r.get("no_dispatch_scenarios_per_second", float("nan")), "scen/s",
         "variables= computes only what they need: no dispatch"),
        ("one scenario: simulate, median", single["simulate"]["median_ms"], "ms",
         f"best {single['simulate']['best_ms']:.1f} ms"),
        ("one scenario: simulate + check, median", single["simulate + check"]["median_ms"], "ms",
         f"best {single['simulate + check']['best_ms']:.1f} ms; target <= 10 ms"),
        ("one slider step of the widget, median", slider.get("median_ms", float("nan")), "ms",
         f"best {slider.get('best_ms', float('nan')):.1f} ms (simulate_arrays + check)"),
        ("batch vs one-at-a-time loop", r["speedup_vs_loop"], "x", "target >= 200x"),
        ("engine without dispatch (CPU)", r.get("engine_rest_us", float("nan")), "µs/scen",
         "target <= 200 µs/scenario (issue 17: engine at 0.1-0.2 ms/scenario)"),
    ]  # fmt: skip
    return [f"{label:>10}  {what:<42} {v:>10,.1f} {unit:<7} {note}" for what, v, unit, note in rows]


def main(sizes: list[int], against: str | None = None) -> None:
    # every measurement in its own process: a child inherits its parent's peak RSS figure
    limits = _run("limits", None)
    print(
        f"machine: memory copy {limits['copy_gb_s']:.1f} GB/s, fresh memory written at "
        f"{limits['fresh_gb_s']:.1f} GB/s, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    targets: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        roots: list[tuple[str, Path | None]] = [("this", None)]
        if against:
            roots.append((against[:10], checkout(against, tmp)))
        try:
            # the single runs interleaved call by call (this VM's speed moves within seconds)
            # (the revision first: the ratio printed is this checkout's time over its)
            singles = paired(dict(reversed([(label, root or ROOT) for label, root in roots])))
            print("\n".join(report(singles)) + "\n")
            print(
                f"{'code':>10} {'n':>8} {'vars':>6} {'seconds':>9} {'scen/s':>10} "
                f"{'peak RSS MB':>12} {'dataset MB':>11} {'loop est. s':>12} {'speed-up':>9} "
                f"{'dispatch':>9} "
                f"{'engine w/o dispatch µs/scen':>28}"
            )
            for n in sizes:
                for label, root in roots:
                    for r in [_run(str(n), root)] + (
                        [_run(f"{n}/float32", root)] if label == "this" and n <= 10_000 else []
                    ):
                        print(
                            f"{label:>10} {r['n']:>8} {r['variables']:>6} {r['seconds']:>9.2f} "
                            f"{r['scenarios_per_second']:>10.0f} "
                            f"{r['peak_rss_mb']:>12.0f} {r['dataset_mb']:>11.0f} "
                            f"{r['loop_seconds_estimate']:>12.1f} "
                            f"{r['speedup_vs_loop']:>8.0f}x {r['dispatch_share']:>8.0%} "
                            f"{r.get('engine_rest_us', float('nan')):>28.0f}"
                        )
                        if n == 10_000 or n == sizes[-1]:
                            targets += _targets(label, r, singles, limits)
        finally:
            if against:
                remove_checkout(tmp)
    print("\ntargets (issue 17):")
    print("\n".join(targets))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        what = sys.argv[2]
        jobs = {"limits": machine_limits}
        size, _, dtype = what.partition("/")  # "10000" or "10000/float32"
        print(json.dumps(jobs[what]() if what in jobs else one_size(int(size), dtype or "float64")))
    else:
        args = sys.argv[1:]
        rev = None
        if "--against" in args:
            k = args.index("--against")
            rev = args[k + 1]
            args = args[:k] + args[k + 2 :]
        main([int(a) for a in args] or [1_000, 10_000, 100_000], rev)
