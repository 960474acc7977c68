"""Sweep throughput: wall time, scenarios per second and peak memory for 10k, 100k and 1M scenarios.

For each size a fresh subprocess runs ``carbonsim.sweep`` on ``scenarios/uncertainty.toml``
(Sobol', seed 1, chunks of 5000, summary written to a temporary Zarr store) and reports

* wall time and scenarios per second (the pilot and the summary included),
* peak resident memory of the driver process, and with ``--workers`` the largest peak of the
  worker processes (``RUSAGE_CHILDREN`` once the local cluster is closed),
* the ratio against a plain Python loop calling the single-scenario path (``simulate`` +
  ``check`` of one scenario, timed on 100 and extrapolated),
* for 10k scenarios only, the time of pyam's ``validate`` on the same trajectories in IAMC form
  (the feasibility check alone, via ``carbonsim.io.iamc``) against ``carbonsim.check``, when pyam
  is importable (``pip install 'carbonsim[iamc]'``).

    python benchmarks/sweep.py                        # 10k, 100k, 1M on 2 local workers
    python benchmarks/sweep.py 10000 --workers 0      # in-process, one size
    python benchmarks/sweep.py 1000000 --chunk 10000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "uncertainty.toml"


def _peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kB


def one_size(n: int, workers: int, chunk: int) -> dict:
    from carbonsim.sweeps import sweep

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = sweep(
            SCENARIO,
            n,
            seed=1,
            chunk_size=chunk,
            out=Path(tmp) / "sweep.zarr",
            workers=workers or None,
            progress=False,
        )
        wall = time.perf_counter() - t0
        p_all = float(result.summary.joint_probability.sel(joint="all_binding"))
    return {
        "n": n,
        "wall_s": wall,
        "per_s": n / wall,
        "driver_mb": _peak_mb(resource.RUSAGE_SELF),
        "workers_mb": _peak_mb(resource.RUSAGE_CHILDREN) if workers else None,
        "p_all_binding": p_all,
    }


def loop_seconds_per_scenario(m: int = 100) -> float:
    """One scenario at a time through the public single-scenario path."""
    import carbonsim
    from carbonsim.inputs.sampling import unit_sample
    from carbonsim.inputs.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    u = unit_sample(m, len(scenario.distributions), seed=1, method="sobol")
    carbonsim.check(carbonsim.simulate(scenario.to_levers(unit_sample=u[:1])))  # warm-up
    t0 = time.perf_counter()
    for i in range(m):
        trajectories = carbonsim.simulate(scenario.to_levers(unit_sample=u[i : i + 1], start=i))
        carbonsim.check(trajectories)
    return (time.perf_counter() - t0) / m


def pyam_validate(n: int = 10_000) -> dict:
    """pyam's validate against carbonsim's check on the same trajectories (feasibility only).

    The trajectories go to the IAMC long form (:func:`carbonsim.io.iamc.to_iamc`); the catalogue's
    absolute value records become pyam criteria (``catalogue_to_pyam_criteria`` without
    trajectories: relative-change records would need one criterion per scenario, and order
    records have no pyam equivalent) run through :func:`carbonsim.io.iamc.validate`.
    :func:`carbonsim.check` evaluates every record.
    """
    try:
        import pyam
    except ImportError:
        return {"skipped": "pyam is not installed: pip install 'carbonsim[iamc]'"}
    import carbonsim
    from carbonsim.inputs.scenario import load_scenario
    from carbonsim.io.iamc import catalogue_to_pyam_criteria, to_iamc, validate

    targets = carbonsim.load_targets()
    names = sorted({x for t in targets for x in (t.indicator, t.other_indicator) if x})
    scenario = load_scenario(SCENARIO)
    trajectories = carbonsim.simulate(
        scenario.to_levers(n=n, seed=1, method="sobol"), variables=[*names, "co2"]
    )
    data = pyam.IamDataFrame(to_iamc(trajectories))
    criteria = catalogue_to_pyam_criteria(targets)
    t0 = time.perf_counter()
    validate(data, criteria)
    pyam_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    carbonsim.check(trajectories, targets)
    check_s = time.perf_counter() - t0
    return {"pyam_validate_s": pyam_s, "criteria": len(criteria), "check_s": check_s}


def _child(args) -> None:
    if args.loop:
        print(json.dumps({"loop_s": loop_seconds_per_scenario()}))
    elif args.pyam:
        print(json.dumps(pyam_validate()))
    else:
        print(json.dumps(one_size(args.one, args.workers, args.chunk)))


def _run_child(*extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *extra], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers (0: none)")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pyam", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one or args.loop or args.pyam:
        _child(args)
        return
    loop = _run_child("--loop")["loop_s"]
    where = f"{args.workers} local Dask workers" if args.workers else "in-process"
    print(f"single-scenario loop: {loop * 1000:.1f} ms per scenario (simulate + check)")
    print(f"sweep of {SCENARIO.name}, Sobol', chunks of {args.chunk}, {where}")
    print(
        f"{'n':>10} {'wall s':>9} {'scen/s':>8} {'driver MB':>10} {'worker MB':>10} "
        f"{'loop est. s':>12} {'speed-up':>9}"
    )
    for n in args.sizes:
        r = _run_child("--one", str(n), "--workers", str(args.workers), "--chunk", str(args.chunk))
        workers_mb = f"{r['workers_mb']:10.0f}" if r["workers_mb"] else f"{'—':>10}"
        print(
            f"{n:>10,} {r['wall_s']:9.1f} {r['per_s']:8.0f} {r['driver_mb']:10.0f} {workers_mb} "
            f"{loop * n:12.0f} {loop * n / r['wall_s']:8.1f}x",
            flush=True,
        )
    if 10_000 in args.sizes:
        p = _run_child("--pyam")
        if "skipped" in p:
            print(f"pyam validate (10k): skipped — {p['skipped']}")
        else:
            print(
                f"feasibility check of 10k scenarios: pyam validate ({p['criteria']} criteria) "
                f"{p['pyam_validate_s']:.1f} s vs carbonsim check (all records) "
                f"{p['check_s']:.1f} s"
            )


if __name__ == "__main__":
    main()
