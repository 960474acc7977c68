"""One scenario at a time: simulate, simulate + check, and a slider step of the what-if widget.

This VM's speed moves by up to a factor of two within seconds, so one code's calls measured after
another's compare two machine states, not two codes.  Here every code root (this checkout, and
with ``--against REV`` a temporary checkout of that revision) runs in its own persistent worker
process, and the calls are interleaved: round by round each worker makes one call of the case
in turn (the order alternating), so both see the same machine state within milliseconds.  Per
case and code it prints the best and the median wall time of the rounds, the median CPU time,
and with two codes the median of the per-round ratios (the figure that survives the noise).
The script's cases and the widget's run in separate processes (as a script and a notebook do).
Interleaved, each call starts with caches the other code's process has just used, so the times
with ``--against`` are higher than those of one code alone (a simulate + check by ~1.6x here);
compare the ratio, and take absolute figures from a run without ``--against``.

    python benchmarks/single.py                 # this checkout, 60 rounds
    python benchmarks/single.py --against fe5ba70 --rounds 100

Cases (each call a complete one, as a planner's notebook makes it):

* ``simulate``: ``carbonsim.simulate(plan)``, the bundled plan scenario;
* ``simulate + check``: ``carbonsim.check(carbonsim.simulate(plan))``, issue 17's "one
  scenario" (target ≤ 10 ms);
* ``slider step``: what the what-if widget does when a slider is released, without drawing:
  the lever arrays with the slider's value applied, ``simulate_arrays`` and ``check``.  The
  slider alternates between two values, so nothing keyed on a value is reused from the call
  before.  (Codes without the widget skip it.)

No number here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: the cases of each worker process
GROUPS = {"script": ("simulate", "simulate + check"), "widget": ("slider step",)}
CASES = tuple(case for cases in GROUPS.values() for case in cases)
TARGET_MS = 10.0


# ---------------------------------------------------------------------------------------------
# the worker: one process per code root, one call per line read
# ---------------------------------------------------------------------------------------------
def _cases(root: Path, group: str) -> dict:
    """The calls of each case of *group* ("script" or "widget"), in the carbonsim importable
    here (the worker's code root)."""
    import carbonsim

    if group == "script":
        plan = carbonsim.load_scenario(root / "scenarios" / "plan.toml")
        return {
            "simulate": lambda: carbonsim.simulate(plan),
            "simulate + check": lambda: carbonsim.check(carbonsim.simulate(plan)),
        }
    try:
        from carbonsim.widgets import what_if
    except ImportError:
        return {}
    widget = what_if("plan")
    slider = next(iter(widget.sliders.values()))
    values = [slider.min + (slider.max - slider.min) * f for f in (0.25, 0.75)]
    values = [round(v / slider.step) * slider.step for v in values]
    slider.unobserve(widget._on_change, names="value")  # the model step only: no drawing
    turn = [0]

    def step():
        turn[0] ^= 1
        slider.value = values[turn[0]]
        return widget.simulate()  # what a redraw computes before it draws

    return {"slider step": step}


def worker(root: Path, group: str) -> None:
    """Answer each case name read from stdin with ``wall_ns cpu_ns`` of one call (or ``-``)."""
    calls = _cases(root, group)
    for call in calls.values():  # warm-up: numba's cache, the baseline, every cache of a run
        for _ in range(3):
            call()
    print("ready", flush=True)
    for line in sys.stdin:
        call = calls.get(line.strip())
        if call is None:
            print("-", flush=True)
            continue
        t0, c0 = time.perf_counter_ns(), time.process_time_ns()
        call()
        print(time.perf_counter_ns() - t0, time.process_time_ns() - c0, flush=True)


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------
class _Worker:
    def __init__(self, root: Path, group: str):
        env = dict(os.environ, PYTHONPATH=str(root))
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(root), group],
            cwd=root, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"worker for {root} did not start: {self.proc.stderr.read()}")

    def call(self, case: str) -> tuple[float, float] | None:
        """(wall, CPU) [ms] of one call, None where this code has no such case."""
        self.proc.stdin.write(case + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if answer == ["-"]:
            return None
        return int(answer[0]) / 1e6, int(answer[1]) / 1e6

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def paired(roots: dict[str, Path], rounds: int = 60) -> dict:
    """Interleaved calls of every case on every code root.

    Returns ``{case: {label: {"best_ms", "median_ms", "cpu_median_ms"}, "ratio": median of
    the per-round ratios second / first code (with two codes)}}``.
    """
    # the script's cases and the widget's in processes of their own: a process that has drawn
    # the widget (matplotlib, ipywidgets) is not the one a script simulates in
    workers = {
        group: {label: _Worker(root, group) for label, root in roots.items()} for group in GROUPS
    }
    labels = list(roots)
    out: dict = {}
    try:
        for case in CASES:
            group = next(g for g, cases in GROUPS.items() if case in cases)
            wall = {label: [] for label in labels}
            cpu = {label: [] for label in labels}
            for k in range(rounds):
                for label in labels if k % 2 == 0 else labels[::-1]:
                    got = workers[group][label].call(case)
                    if got is not None:
                        wall[label].append(got[0])
                        cpu[label].append(got[1])
            row = {
                label: {
                    "best_ms": min(wall[label]),
                    "median_ms": float(np.median(wall[label])),
                    "cpu_median_ms": float(np.median(cpu[label])),
                }
                for label in labels
                if wall[label]
            }
            if len(row) == 2:
                first, second = (np.asarray(wall[label]) for label in labels)
                row["ratio"] = float(np.median(second / first))
            out[case] = row
    finally:
        for w in (w for by_label in workers.values() for w in by_label.values()):
            w.close()
    return out


def checkout(rev: str, where: str) -> Path:
    """A detached worktree of *rev* at *where* (removed by :func:`remove_checkout`)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", where, rev],
                   check=True)  # fmt: skip
    return Path(where)


def remove_checkout(where: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", where], check=False)


def report(result: dict) -> list[str]:
    """Lines of the table: one per case and code; the ratio and the target beside the last."""
    lines = [f"{'case':<18} {'code':>10} {'best ms':>8} {'median ms':>10} {'CPU median':>11}"]
    for case, row in result.items():
        codes = [label for label in row if label != "ratio"]
        for label in codes:
            r, note = row[label], ""
            if label == codes[-1] and "ratio" in row:
                note += f"  {row['ratio']:.2f}x {codes[0]} (median of the rounds' ratios)"
            if label == codes[-1] and case == "simulate + check":
                note += f"  target <= {TARGET_MS:.0f} ms"
            lines.append(
                f"{case:<18} {label:>10} {r['best_ms']:>8.2f} {r['median_ms']:>10.2f} "
                f"{r['cpu_median_ms']:>11.2f}{note}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="also a checkout of this git revision")
    parser.add_argument("--rounds", type=int, default=60, help="interleaved calls per case")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"this": ROOT}
        if args.against:
            roots = {args.against[:10]: checkout(args.against, tmp), "this": ROOT}
        try:
            result = paired(roots, args.rounds)
        finally:
            if args.against:
                remove_checkout(tmp)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, {args.rounds} rounds")
    print("\n".join(report(result)))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), sys.argv[3])
    else:
        main()
