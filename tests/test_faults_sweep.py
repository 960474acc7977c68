"""Sweep store integrity: damaged chunks, pilot, log and manifest; one writer at a time; the
disk estimate.  Each damaged file is named, recomputed and reported, never counted as done, and
the resumed numbers equal an uninterrupted sweep's exactly."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from carbonsim.cli import main
from carbonsim.sweeps import SweepError, sweep
from carbonsim.sweeps.run import _spec
from carbonsim.sweeps.store import DirectoryStore

ROOT = Path(__file__).resolve().parents[1]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
ARGS = {"n": 64, "seed": 3, "chunk_size": 16}


def same(a, b) -> None:
    assert sorted(a.variables) == sorted(b.variables)
    for name in a.variables:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def reference():
    return sweep(UNCERTAINTY, progress=False, **ARGS).summary


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    out = tmp_path_factory.mktemp("pristine") / "s.zarr"
    sweep(UNCERTAINTY, out=out, progress=False, **ARGS)
    return out


@pytest.fixture
def store(pristine, tmp_path):
    out = tmp_path / "s.zarr"
    shutil.copytree(pristine, out)
    return out


def resume(out):
    return sweep(UNCERTAINTY, out=out, resume=True, progress=False, **ARGS)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_chunk_is_named_recomputed_and_reported(store, reference, capsys, damage):
    path = store / "chunks" / "000002.npz"
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    result = resume(store)
    err = capsys.readouterr().err
    assert f"{path}: its SHA-256 differs" in err and "recomputed" in err
    assert result.damaged_chunks == ["000002"]
    assert result.computed_chunks == [2] and result.reused_chunks == 3
    same(result.summary, reference)


def test_chunk_without_a_recorded_checksum_is_recomputed(store, reference, capsys):
    log = store / "log.jsonl"
    lines = [line for line in log.read_text().splitlines() if '"name": "000001"' not in line]
    log.write_text("\n".join(lines) + "\n")
    result = resume(store)
    assert "000001.npz: no checksum recorded in log.jsonl" in capsys.readouterr().err
    assert result.computed_chunks == [1]
    same(result.summary, reference)


def test_damaged_pilot_is_recomputed(store, reference, capsys):
    path = store / "chunks" / "pilot.npz"
    path.write_bytes(path.read_bytes()[:100])
    result = resume(store)
    assert f"{path}: its SHA-256 differs" in capsys.readouterr().err
    assert result.damaged_chunks == ["pilot"]
    same(result.summary, reference)


def test_log_line_cut_short_by_a_kill_is_tolerated(store, reference):
    with open(store / "log.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"time": "2026-01-01T00:00:00+00:00", "event": "chu')
    result = resume(store)
    assert result.computed_chunks == []
    same(result.summary, reference)


def test_corrupt_manifest_is_named(store, capsys):
    manifest = store / "manifest.json"
    manifest.write_text('{"format": "carbonsim-sweep/2", "n": 6', encoding="utf-8")
    code = main(
        ["sweep", str(UNCERTAINTY), "-n", "64", "--seed", "3", "--chunk", "16", "--out", str(store),
         "--resume", "--quiet"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{manifest}: the sweep manifest is damaged" in err and "--overwrite" in err
    chunks = sorted(p.name for p in (store / "chunks").iterdir())
    assert chunks == ["000000.npz", "000001.npz", "000002.npz", "000003.npz", "pilot.npz"]


def test_truncated_chunk_at_summary_time_is_named(store):
    from carbonsim.sweeps.store import DirectoryStore

    path = store / "chunks" / "000003.npz"
    path.write_bytes(path.read_bytes()[:50])
    spec = _spec(UNCERTAINTY, 64, 3, "sobol", 16, targets=None, baseline=None,
                 years=range(2020, 2061), keep_samples=False, bins=256)  # fmt: skip
    reader = DirectoryStore(store)
    reader._spec = spec
    with pytest.raises(SweepError, match=r"000003\.npz: cannot read this chunk file .*--resume"):
        reader.totals()


def test_not_enough_disk_is_refused_with_the_numbers(tmp_path, capsys):
    out = tmp_path / "huge.zarr"
    code = main(
        ["sweep", str(UNCERTAINTY), "-n", "1000000000", "--keep-samples", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"{out}: not enough free disk for this sweep: it needs about" in err
    assert "TB" in err and "free on that disk" in err and "--keep-samples" in err
    assert not out.exists()  # refused before anything was written


def test_large_sweep_prints_its_estimate(tmp_path, capsys):
    spec = _spec(UNCERTAINTY, 1_000_000, 1, "sobol", 5000, targets=None, baseline=None,
                 years=range(2020, 2061), keep_samples=False, bins=256)  # fmt: skip
    DirectoryStore(tmp_path / "big.zarr")._check_space(spec)
    err = capsys.readouterr().err
    assert "sweep of 1,000,000 scenarios in 200 chunks: about" in err
    assert "on one worker" in err and "of memory per worker" in err and "free)" in err


def test_second_writer_refused_naming_the_holder_then_resume_after_kill(tmp_path):
    out = tmp_path / "locked.zarr"
    args = {"n": 512, "seed": 3, "chunk_size": 32}
    command = [
        sys.executable, "-m", "carbonsim.cli", "sweep", str(UNCERTAINTY), "-n", "512", "--seed",
        "3", "--chunk", "32", "--out", str(out), "--quiet",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder = out / ".holder.json"
    deadline = time.monotonic() + 60
    while not holder.is_file():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(SweepError) as info:
        sweep(UNCERTAINTY, out=out, resume=True, progress=False, **args)
    message = str(info.value)
    assert f"{out}: another sweep is writing to this folder" in message
    assert f"held by process {process.pid} on " in message and "choose another out" in message
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert json.loads(holder.read_text())["pid"] == process.pid  # left behind by the kill
    result = sweep(UNCERTAINTY, out=out, resume=True, progress=False, **args)  # lock freed
    same(result.summary, sweep(UNCERTAINTY, progress=False, **args).summary)
    assert not holder.exists()
