"""SIGKILL at bounded points: ``carbonsim run``, ``carbonsim plot`` and a sweep leave no partial
file at a final path, the previous run set stays intact, stale temporaries are cleaned by the
next run, and a resumed sweep equals an uninterrupted one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import carbonsim
from carbonsim.cli import main
from carbonsim.io.atomic import MANIFEST, verify_set
from carbonsim.sweeps import sweep

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
FAST = ["--years", "2020:2030", "--no-explain"]
PNG_END = b"IEND\xaeB`\x82"


def spawn(*args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "carbonsim.cli", *map(str, args)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], limit: float = 60) -> bool:
    """SIGKILL *process* as soon as *ready()* (polled every 5 ms); False if it ended first."""
    deadline = time.monotonic() + limit
    while not ready():
        if process.poll() is not None:
            process.communicate()
            return False
        assert time.monotonic() < deadline, "the condition never came"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return True


def after(seconds: float) -> Callable[[], bool]:
    start = time.monotonic()
    return lambda: time.monotonic() - start >= seconds


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def staging_has(folder: Path, name: str) -> Callable[[], bool]:
    return lambda: any((s / name).exists() for s in folder.glob(".staging.*"))


@pytest.fixture(scope="module")
def bau_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("bau") / "results"
    assert main(["run", str(SCENARIOS / "bau.toml"), "--out", str(out), *FAST]) == 0
    return out


@pytest.mark.parametrize("point", ["1 s", "trajectories staged", "feasibility staged"])
def test_killed_run_keeps_the_previous_set_intact(tmp_path, bau_set, capsys, point):
    out = tmp_path / "results"
    shutil.copytree(bau_set, out)
    capsys.readouterr()
    before = visible(out)
    ready = {
        "1 s": after(1.0),
        "trajectories staged": staging_has(out, "trajectories.nc"),
        "feasibility staged": staging_has(out, "feasibility.csv"),
    }[point]
    killed = kill_when(spawn("run", SCENARIOS / "plan.toml", "--out", out, *FAST), ready)
    assert verify_set(out) == []  # one complete set: bau's (or plan's, had it finished)
    if killed:
        assert visible(out) == before  # nothing of the plan run at a final path
    if point != "trajectories staged":
        return
    assert main(["run", str(SCENARIOS / "plan.toml"), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert verify_set(out) == []
    assert (
        '"scenario": "' in (out / MANIFEST).read_text()
        and "plan.toml" in (out / MANIFEST).read_text()
    )
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # stale ones removed


@pytest.fixture(scope="module")
def trajectories(tmp_path_factory):
    path = tmp_path_factory.mktemp("traj") / "t.nc"
    carbonsim.io.write_netcdf(carbonsim.simulate(years=range(2020, 2031)), path)
    return path


@pytest.mark.parametrize("point", ["1 s", "temporary image"])
def test_killed_plot_leaves_no_truncated_image(tmp_path, trajectories, capsys, point):
    out = tmp_path / "co2.png"
    args = ["plot", "trajectory", str(trajectories), "--out", str(out), "--dpi", "120"]
    assert main(args) == 0
    capsys.readouterr()
    before = out.read_bytes()
    assert before.endswith(PNG_END)
    ready = after(1.0) if point == "1 s" else (lambda: any(tmp_path.glob(".co2.png.*")))
    killed = kill_when(spawn(*args[:-2], "--dpi", "250"), ready)
    assert out.read_bytes().endswith(PNG_END)  # a complete PNG: the old one, or the new one
    if killed:
        assert out.read_bytes() == before
    assert main([*args[:-2], "--dpi", "60"]) == 0  # the next plot removes dead temporaries
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["co2.png"]


def _same(a, b) -> None:
    assert sorted(a.variables) == sorted(b.variables)
    for name in a.variables:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


SWEEP = {"n": 256, "seed": 7, "chunk_size": 32}


@pytest.fixture(scope="module")
def uninterrupted():
    return sweep(SCENARIOS / "uncertainty.toml", progress=False, **SWEEP).summary


@pytest.mark.parametrize("point", ["pilot", "3 chunks"])
def test_killed_sweep_resumes_to_the_uninterrupted_numbers(tmp_path, uninterrupted, point):
    out = tmp_path / "s.zarr"
    chunks = out / "chunks"
    ready = {
        "pilot": lambda: (chunks / "pilot.npz").is_file(),
        "3 chunks": lambda: chunks.is_dir() and len(list(chunks.glob("0*.npz"))) >= 3,
    }[point]
    process = spawn(
        "sweep", SCENARIOS / "uncertainty.toml", "-n", SWEEP["n"], "--seed", SWEEP["seed"],
        "--chunk", SWEEP["chunk_size"], "--out", out, "--quiet",
    )  # fmt: skip
    assert kill_when(process, ready), "the sweep finished before it could be killed"
    assert not (out / "summary.csv").exists() and not (out / ".zmetadata").exists()
    for path in chunks.glob("*.npz") if chunks.is_dir() else []:
        with np.load(path) as arrays:  # every chunk file at a final path is complete
            assert arrays.files
    result = sweep(SCENARIOS / "uncertainty.toml", out=out, resume=True, progress=False, **SWEEP)
    assert result.damaged_chunks == []
    _same(result.summary, uninterrupted)
    assert (out / "summary.csv").is_file()
    allowed = {".lock", ".zmetadata", ".zattrs", ".zgroup"}  # the lock file stays, released
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} <= allowed
    assert os.path.exists(out / ".lock")
