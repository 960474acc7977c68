"""Sweep throughput against the targets of issue 17, beside the machine's measured limits.

Prints, for ``carbonsim sweep scenarios/uncertainty.toml`` (Sobol', seed 1, default chunks,
summary written to a temporary folder, ``--quiet``), each run a fresh ``python -m carbonsim``
process whose whole process tree (driver, nanny, workers) is sampled for resident memory:

* **machine limits** (measured here with numpy, in a fresh process): memory copy [GB/s] (1 GiB
  copied into an existing, already-faulted buffer) and the fresh-page rate [GB/s] (``np.empty``
  of 1 GiB, then written: every page faulted in by the kernel), and from it the *fresh-memory
  roofline* of the sweep path: fresh-page rate / bytes the sweep keeps per scenario;
* **one chunk, stage by stage** (in-process, after a warm-up chunk): simulate (with the hourly
  dispatch inside it timed apart), check (every target and the peak table), aggregation
  (partials and packing the chunk file), each in seconds and scenarios/s;
* **the command** in-process, with ``--workers 1`` and ``--workers 2``: wall time (interpreter
  start, imports, cluster start-up, pilot and summary included), scenarios/s, peak RSS of the
  driver and of the whole tree; the 2-vs-1 ratio, of whole runs and per scenario beyond the
  fixed cost (from two sizes with each worker count);
* **the targets**: ≥ 10,000 scenarios/s per core on the sweep path; two workers ≥ 1.8× one;
  1,000,000 scenarios ≤ 60 s on 2 cores with peak RSS ≤ 2 GiB — the 1M time extrapolated from
  two measured sizes with two workers (fixed cost + per-scenario cost), the RSS from the
  largest (it does not grow with n once chunks are in flight).

    python benchmarks/sweep.py                 # n = 20,000 (and 4,096 for the extrapolation)
    python benchmarks/sweep.py -n 100000       # a bigger measured size
    python benchmarks/sweep.py --loop          # also the one-at-a-time loop (simulate + check)

No number here is asserted by the test suite; ``uptime``'s load is printed with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from limits import GiB, core_scaling, machine_limits, summing

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "uncertainty.toml"
TARGET_PER_CORE = 10_000
TARGET_RATIO = 1.8
TARGET_1M_SECONDS = 60.0
TARGET_RSS = 2 * GiB


# ---------------------------------------------------------------------------------------------
# machine limits: benchmarks/limits.py
# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# one chunk, stage by stage
# ---------------------------------------------------------------------------------------------
def stages(rows: int | None = None) -> dict:
    """Seconds per stage of one chunk (in this process, after a warm-up chunk)."""
    import carbonsim.engine.dispatch as hourly
    from carbonsim.feasibility.evaluate import AT_RISK_FRACTION, peak_table
    from carbonsim.feasibility.peaking import PLATEAU_TOLERANCE
    from carbonsim.feasibility.vectorised import evaluate_targets
    from carbonsim.model.simulation import simulate
    from carbonsim.sweeps import run
    from carbonsim.sweeps.partials import pack

    rows = rows or run.CHUNK_SIZE
    spec = run._spec(SCENARIO, 4 * rows, 1, "sobol", rows, targets=None, baseline=None,
                     years=range(2020, 2061), keep_samples=False, bins=256)  # fmt: skip
    pilot = run.pilot_task(spec)
    job = run._Job(spec, pilot)
    run.chunk_task(job, 0)  # warm-up: caches, first calls
    spent = [0.0, 0.0]  # the dispatch's wall and CPU time
    inner = hourly.dispatch
    timed = summing(inner, spent)
    start, stop = spec.bounds(1)
    u = spec.unit_rows(start, stop)
    hourly.dispatch = timed
    try:
        t0 = time.perf_counter()
        levers = spec.scenario.to_levers(unit_sample=u, start=start)
        ds = simulate(levers, spec.baseline, years=spec.years, chunk_size=run.SIMULATE_CHUNK,
                      variables=spec.variables)  # fmt: skip
        t1 = time.perf_counter()
    finally:
        hourly.dispatch = inner
    result = evaluate_targets(ds, spec.targets, PLATEAU_TOLERANCE, AT_RISK_FRACTION)
    peaks = peak_table(ds)
    t2 = time.perf_counter()
    batch = run._evaluate(spec, u, start)  # the same rows again, for _reduce's input
    t3 = time.perf_counter()
    part = run._reduce(spec, pilot, batch, u)
    pack(part)
    t4 = time.perf_counter()
    del result, peaks
    return {
        "rows": stop - start,
        "simulate_s": t1 - t0 - spent[0],
        "dispatch_s": spent[0],
        "check_s": t2 - t1,
        "aggregation_s": t4 - t3,
        "kept_bytes_per_scenario": ds.nbytes / (stop - start),
    }


# ---------------------------------------------------------------------------------------------
# the command, with its process tree sampled for memory
# ---------------------------------------------------------------------------------------------
def _tree_rss(proc) -> tuple[int, int]:
    import psutil

    try:
        main = proc.memory_info().rss
        return main, main + sum(c.memory_info().rss for c in proc.children(recursive=True))
    except psutil.Error:
        return 0, 0


def command(n: int, workers: int | None) -> dict:
    """Wall time and peak RSS (driver, whole tree) of one ``carbonsim sweep`` run."""
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-m", "carbonsim", "sweep", str(SCENARIO), "-n", str(n),
                "--seed", "1", "--out", str(Path(tmp) / "s.zarr"), "--quiet"]  # fmt: skip
        if workers:
            argv += ["--workers", str(workers)]
        peak = [0, 0]
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
        proc = psutil.Process(child.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                main, tree = _tree_rss(proc)
                peak[0], peak[1] = max(peak[0], main), max(peak[1], tree)
                done.wait(0.25)  # every 50 ms took 7 % of a core from the workers

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = child.communicate()
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        if child.returncode != 0:
            raise RuntimeError(err[-2000:])
        chunks = _chunk_phase(Path(tmp) / "s.zarr" / "log.jsonl")
    return {"n": n, "workers": workers, "wall_s": wall, "per_s": n / wall, "chunks_s": chunks,
            "driver_rss": peak[0], "tree_rss": peak[1]}  # fmt: skip


def _chunk_phase(log: Path) -> float:
    """Seconds from the sweep's "run" event (pilot done) to its last chunk file (log.jsonl)."""
    from datetime import datetime

    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, e in enumerate(events) if e["event"] == "run")
    times = [datetime.fromisoformat(e["time"]) for e in events[start:] if e["event"] in
             ("run", "chunk")]  # fmt: skip
    return (times[-1] - times[0]).total_seconds()


def loop_seconds_per_scenario(m: int = 100) -> float:
    """One scenario at a time through the public single-scenario path (simulate + check)."""
    import carbonsim
    from carbonsim.inputs.sampling import unit_sample
    from carbonsim.inputs.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    u = unit_sample(m, len(scenario.distributions), seed=1, method="sobol")
    carbonsim.check(carbonsim.simulate(scenario.to_levers(unit_sample=u[:1])))  # warm-up
    t0 = time.perf_counter()
    for i in range(m):
        carbonsim.check(carbonsim.simulate(scenario.to_levers(unit_sample=u[i : i + 1], start=i)))
    return (time.perf_counter() - t0) / m


# ---------------------------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------------------------
def _child(what: str, *args: str) -> dict:
    """Run *what* in a fresh interpreter (clean memory, no state shared between measures)."""
    done = subprocess.run([sys.executable, __file__, "--child", what, *args],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _print_stages(s: dict, roofline: float) -> float:
    total = s["simulate_s"] + s["dispatch_s"] + s["check_s"] + s["aggregation_s"]
    print(f"\none chunk of {s['rows']:,} scenarios, stage by stage (in-process, one core):")
    for name in ("simulate", "dispatch", "check", "aggregation"):
        sec = s[f"{name}_s"]
        print(f"  {name:<12} {sec:7.2f} s  {100 * sec / total:5.1f} %  "
              f"{s['rows'] / sec:10,.0f} scen/s")  # fmt: skip
    rate = s["rows"] / total
    print(f"  {'sweep path':<12} {total:7.2f} s  100.0 %  {rate:10,.0f} scen/s per core "
          f"({rate / roofline:.2f} of the fresh-memory roofline {roofline:,.0f}/s)")  # fmt: skip
    return rate


def _print_runs(runs: list[dict]) -> None:
    print(f"\n`carbonsim sweep {SCENARIO.name}` (Sobol', seed 1, default chunks, --quiet):")
    print(f"  {'where':<14} {'n':>9} {'wall s':>8} {'scen/s':>8} {'chunks s':>9} "
          f"{'driver RSS':>11} {'tree RSS':>9}")  # fmt: skip
    for r in runs:
        where = f"--workers {r['workers']}" if r["workers"] else "in-process"
        print(f"  {where:<14} {r['n']:>9,} {r['wall_s']:8.1f} {r['per_s']:8,.0f} "
              f"{r['chunks_s']:9.1f} {r['driver_rss'] / 2**20:8,.0f} MB "
              f"{r['tree_rss'] / 2**20:6,.0f} MB")  # fmt: skip
    print(
        "  (chunks s: from the end of the pilot to the last chunk file, in log.jsonl; the rest "
        "of the wall time is interpreter start, imports, cluster start-up, pilot and summary)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="scenarios of the measured runs")
    parser.add_argument("--small", type=int, default=4096, help="second size (extrapolation)")
    parser.add_argument("--chunk-rows", type=int, default=0, help="rows of the staged chunk")
    parser.add_argument("--loop", action="store_true", help="also time the one-at-a-time loop")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        out = {"limits": machine_limits, "stages": stages, "loop": loop_seconds_per_scenario}
        value = out[what](*map(int, rest))
        print(json.dumps(value if isinstance(value, dict) else {"value": value}))
        return
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average), {os.cpu_count()} cores")
    limits = _child("limits")
    print(f"machine: memory copy {limits['copy_gb_s']:.1f} GB/s (1 GiB into a faulted buffer); "
          f"fresh pages {limits['fresh_gb_s']:.2f} GB/s (np.empty + write)")  # fmt: skip
    scaling = core_scaling()
    print(f"machine: two busy processes do {scaling:.2f}x the work of one (a compute-bound numpy "
          "loop in cache; the most two workers can give)")  # fmt: skip
    s = _child("stages", *([str(args.chunk_rows)] if args.chunk_rows else []))
    kept = s["kept_bytes_per_scenario"]
    roofline = limits["fresh_gb_s"] * 1e9 / kept
    print(f"the sweep keeps {kept / 1e3:.0f} kB per scenario (variables=): fresh-memory roofline "
          f"{roofline:,.0f} scenarios/s per core")  # fmt: skip
    per_core = _print_stages(s, roofline)
    runs = [command(args.n, None), command(args.n, 1), command(args.n, 2)]
    small_1, small = command(args.small, 1), command(args.small, 2)
    _print_runs([*runs, small_1, small])
    ratio = runs[2]["per_s"] / runs[1]["per_s"]
    slope = (runs[2]["wall_s"] - small["wall_s"]) / (args.n - args.small)
    slope_1 = (runs[1]["wall_s"] - small_1["wall_s"]) / (args.n - args.small)
    fixed = max(0.0, runs[2]["wall_s"] - slope * args.n)
    million = fixed + slope * 1_000_000
    rss = max(r["tree_rss"] for r in runs)
    print(f"\ntargets (load after: {os.getloadavg()[0]:.2f}):")
    print(
        f"  sweep path per core      {per_core:10,.0f} scen/s  target ≥ {TARGET_PER_CORE:,}  "
        f"{per_core / TARGET_PER_CORE:5.2f}x  {_verdict(per_core >= TARGET_PER_CORE)}"
    )
    print(f"  command, in-process      {runs[0]['per_s']:10,.0f} scen/s  (wall, start-up "
          f"included; {runs[0]['per_s'] / roofline:.2f} of the roofline)")  # fmt: skip
    print(f"  --workers 2 / 1          {ratio:10.2f}x        target ≥ {TARGET_RATIO}x  "
          f"{_verdict(ratio >= TARGET_RATIO)}  (whole runs of n = {args.n:,}; the machine's two "
          f"cores do {scaling:.2f}x one on a compute-bound loop)")  # fmt: skip
    phase = runs[1]["chunks_s"] / runs[2]["chunks_s"]
    print(f"    the chunks alone: {phase:.2f}x ({runs[1]['chunks_s']:.1f} vs "
          f"{runs[2]['chunks_s']:.1f} s for the chunks of n = {args.n:,}); fixed: "
          f"{runs[1]['wall_s'] - runs[1]['chunks_s']:.1f} s with one worker, "
          f"{runs[2]['wall_s'] - runs[2]['chunks_s']:.1f} s with two")  # fmt: skip
    print(f"    per scenario beyond the fixed cost: {slope_1 / slope:.2f}x ({slope_1 * 1e3:.2f} vs "
          f"{slope * 1e3:.2f} ms per scenario, from n = {args.small:,} and {args.n:,}); the "
          f"fixed cost (cluster, worker start-up, pilot) is what a short sweep pays")  # fmt: skip
    print(
        f"  1M scenarios, 2 workers  {million:10.0f} s       target ≤ {TARGET_1M_SECONDS:.0f} s"
        f"  {_verdict(million <= TARGET_1M_SECONDS)}  (extrapolated: {fixed:.1f} s fixed + "
        f"{slope * 1e3:.2f} ms per scenario, from n = {args.small:,} and {args.n:,})"
    )
    print(f"  peak RSS, whole tree     {rss / GiB:10.2f} GiB     target ≤ 2 GiB  "
          f"{_verdict(rss <= TARGET_RSS)}")  # fmt: skip
    if args.loop:
        loop = _child("loop")["value"]
        print(f"  one-at-a-time loop       {loop * 1e3:10.1f} ms per scenario: the sweep path is "
              f"{loop * per_core:.0f}x faster per core")  # fmt: skip


if __name__ == "__main__":
    main()
