"""Sweeps: exact agreement with a direct check, independence of chunking and workers, resume
after a real kill, refusals, quantile resolution, rank measure, Saltelli mode, progress."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import carbonsim
from carbonsim.cli import main
from carbonsim.feasibility import check, peak_table
from carbonsim.inputs.scenario import load_scenario
from carbonsim.sweeps.histogram import histogram
from carbonsim.sweeps.run import (
    FAN_INDICATORS,
    QUANTILES,
    SweepError,
    _progress_bar,
    auto_chunk_size,
    load_sweep,
    sweep,
)
from carbonsim.sweeps.store import histogram_quantiles

ROOT = Path(__file__).resolve().parents[1]
UNCERTAINTY = ROOT / "scenarios" / "uncertainty.toml"
N = 400

PLANTED = """\
id = "planted"
[levers.gdp_growth]
2025 = { dist = "uniform", low = 0.02, high = 0.09 }
[levers.wind_hours]
2025 = { dist = "uniform", low = 1640, high = 1660 }
[levers.storage_ratio]
2025 = { dist = "uniform", low = 0.05, high = 0.06 }
"""


def assert_same_numbers(a: xr.Dataset, b: xr.Dataset) -> None:
    """Every variable and coordinate exactly equal (NaN equal to NaN)."""
    assert sorted(a.variables) == sorted(b.variables)
    for name in a.variables:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(UNCERTAINTY)


@pytest.fixture(scope="module")
def reference(scenario):
    """N scenarios in chunks of 50, in-process, with samples kept."""
    return sweep(scenario, N, seed=3, chunk_size=50, keep_samples=True, progress=False)


@pytest.fixture(scope="module")
def direct(scenario):
    """The same N scenarios simulated in one batch and checked directly."""
    trajectories = carbonsim.simulate(scenario.to_levers(n=N, seed=3, method="sobol"))
    return trajectories, check(trajectories)


@pytest.fixture
def planted(tmp_path):
    path = tmp_path / "planted.toml"
    path.write_text(PLANTED, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# agreement with a direct check of the same LeverSet
# ---------------------------------------------------------------------------------------------
def test_probabilities_equal_a_direct_check(reference, direct):
    _, result = direct
    ds = result.dataset
    # probability met = met (incl. at risk) / judged; records set by the scenario have none
    evaluated = ds.status.isin(["met", "at_risk", "missed"]).sum("scenario")
    expected = (ds.met.sum("scenario") / evaluated).where(evaluated > 0)
    summary = reference.summary
    np.testing.assert_array_equal(summary.probability.values, expected.values)
    np.testing.assert_array_equal(summary.n_evaluated.values, evaluated.values)
    p = expected.values
    np.testing.assert_array_equal(
        summary.standard_error.values, np.sqrt(p * (1 - p) / evaluated.values)
    )
    np.testing.assert_array_equal(summary.sample_margin.values, ds.margin.values)
    frame = reference.probabilities()
    assert list(frame.target) == list(ds.target.values)
    assert summary.attrs["n_scenarios"] == N


def test_joint_probabilities_and_peak_counts_equal_a_direct_check(reference, direct):
    trajectories, result = direct
    ds = result.dataset
    evaluated = ds.status.isin(["met", "at_risk", "missed"]).values  # set_by_scenario left out
    met = ds.met.values
    summary = reference.summary
    for group, mask in (
        ("all_binding", ds.tier.values == "binding"),
        ("peaking_order", ds.kind.values == "order"),
    ):
        ev = evaluated & mask
        expected = ((met | ~ev).all(axis=1) & ev.any(axis=1)).sum() / ev.any(axis=1).sum()
        assert summary.joint_probability.sel(joint=group).item() == expected
    peaks = peak_table(trajectories)
    for quantity in ("co2", "coal_consumption", "road_oil_consumption"):
        years = peaks.peak_year.sel(quantity=quantity, region="tongxin").values
        counts = summary.peak_year_count.sel(quantity=quantity, region="tongxin")
        for year in np.unique(years):
            assert counts.sel(peak_year=year).item() == (years == year).sum()
        assert counts.sum().item() == N


def test_quantiles_within_their_resolution_of_numpy(reference, direct):
    trajectories, _ = direct
    summary = reference.summary
    for name in FAN_INDICATORS:
        q = summary[f"quantiles_{name}"]
        assert q.dims == ("quantile", "region", "year")
        assert list(q["quantile"].values) == [0.05, 0.25, 0.5, 0.75, 0.95]
        for key in ("units", "long_name", "long_name_zh"):
            assert q.attrs[key] == trajectories[name].attrs[key]
        x = trajectories[name].transpose("scenario", "region", "year").values
        exact = np.quantile(x, QUANTILES, axis=0)
        resolution = summary[f"quantile_resolution_{name}"].values
        error = np.abs(q.values - exact)
        assert np.all(error <= resolution * (1 + 1e-9) + 1e-12 * np.abs(exact)), name
    # the resolution is a bin width: a small fraction of the spread of the 2030 CO2
    co2 = summary.quantiles_co2.sel(region="wuzhong", year=2030)
    width = summary.quantile_resolution_co2.sel(region="wuzhong", year=2030)
    assert float(width.max()) < 0.02 * float(co2.sel(quantile=0.95) - co2.sel(quantile=0.05))


def test_float32_trajectories_give_the_same_probabilities(reference, scenario, tmp_path):
    """dtype="float32": the chunk's trajectories rounded once from float64; every probability,
    joint probability and peak count is the float64 sweep's, quantiles within one bin."""
    out = tmp_path / "f32.zarr"
    rounded = sweep(scenario, N, seed=3, chunk_size=50, keep_samples=True, progress=False,
                    dtype="float32", out=out)  # fmt: skip
    a, b = reference.summary, rounded.summary
    for name in ("probability", "n_evaluated", "joint_probability", "peak_year_count"):
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    for name in FAN_INDICATORS:  # a bin, or (one value in every scenario) the rounding
        q = a[f"quantiles_{name}"].values
        gap = np.abs(q - b[f"quantiles_{name}"].values)
        bound = a[f"quantile_resolution_{name}"].values * (1 + 1e-9) + 2.0**-23 * np.abs(q)
        assert np.all(gap <= bound), name
    # a margin x - value (or value - x) moves with x: by at most 2**-24 of |margin| + |value|
    margin = a.sample_margin.values
    value = np.array([abs(t.value or 0.0) for t in carbonsim.load_targets()])
    bound = 2.0**-22 * (np.abs(margin) + value + 1)
    assert np.all(np.abs(b.sample_margin.values - margin) <= bound, where=~np.isnan(margin))
    assert b.attrs["dtype"] == "float32" and a.attrs["dtype"] == "float64"
    stored = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert stored["dtype"] == "float32"


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_histogram_quantiles_bound_on_synthetic_data(n):
    rng = np.random.default_rng(n)
    x = rng.lognormal(size=(n, 5))
    lo, hi, bins = np.full(5, 0.5), np.full(5, 3.0), 20
    width = (hi - lo) / bins
    inner = 1 + np.clip(np.floor((x - lo) / width), 0, bins - 1)
    index = np.where(x < lo, 0, np.where(x >= hi, bins + 1, inner)).astype(int)
    counts = np.stack([np.bincount(index[:, j], minlength=bins + 2) for j in range(5)])
    values, resolution = histogram_quantiles(counts, lo, hi, x.min(0), x.max(0), QUANTILES)
    exact = np.quantile(x, QUANTILES, axis=0)
    assert np.all(np.abs(values - exact) <= resolution * (1 + 1e-9) + 1e-12)


def _numpy_histogram(x, lo, hi, bins):
    """The definition: bins by floor((x - lo) / ((hi - lo) / bins)), non-finite apart."""
    finite = np.isfinite(x)
    safe = np.where(finite, x, lo)
    inner = 1 + np.clip(np.floor((safe - lo) / ((hi - lo) / bins)), 0, bins - 1).astype(np.int64)
    index = np.where(safe < lo, 0, np.where(safe >= hi, bins + 1, inner))
    cells = np.arange(lo.size).reshape(lo.shape)
    flat = (cells[None] * (bins + 2) + index)[finite]
    counts = np.bincount(flat, minlength=lo.size * (bins + 2)).reshape(*lo.shape, bins + 2)
    return {
        "hist": counts,
        "min": np.fmin.reduce(np.where(finite, x, np.inf), axis=0),
        "max": np.fmax.reduce(np.where(finite, x, -np.inf), axis=0),
        "nan": (~finite).sum(axis=0),
    }


def test_compiled_histogram_equals_its_numpy_definition():
    rng = np.random.default_rng(5)
    x = rng.normal(1.0, 1.0, size=(500, 3, 7))
    x[rng.random(x.shape) < 0.05] = np.nan
    x[0, 0, 0], x[1, 0, 0], x[2, 1, 1] = np.inf, -np.inf, 3.0  # 3.0: exactly hi of cell (1, 1)
    x[:, 2, 6] = np.nan  # a cell with no finite value
    lo = rng.uniform(-1.0, 0.5, size=(3, 7))
    hi = lo + rng.uniform(0.5, 3.0, size=(3, 7))
    hi[1, 1] = 3.0
    got, want = histogram(x, lo, hi, 16), _numpy_histogram(x, lo, hi, 16)
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    assert got["hist"][1, 1, -1] >= 1  # the value at hi is overflow, as in [lo, hi)
    assert got["min"][2, 6] == np.inf and got["nan"][2, 6] == 500


# ---------------------------------------------------------------------------------------------
# independence of chunk size and workers
# ---------------------------------------------------------------------------------------------
def test_chunk_size_does_not_change_any_number(reference, scenario):
    other = sweep(scenario, N, seed=3, chunk_size=200, keep_samples=True, progress=False)
    assert_same_numbers(reference.summary, other.summary)


def test_lhs_is_independent_of_the_chunk_size(scenario):
    a = sweep(scenario, 120, seed=4, method="lhs", chunk_size=25, progress=False)
    b = sweep(scenario, 120, seed=4, method="lhs", chunk_size=120, progress=False)
    assert_same_numbers(a.summary, b.summary)


def test_dask_cluster_gives_the_same_numbers(reference, scenario, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # not 8787: another cluster may hold it
    ) as cluster:
        remote = sweep(
            scenario,
            N,
            seed=3,
            chunk_size=100,
            keep_samples=True,
            scheduler=cluster.scheduler_address,
            out=tmp_path / "remote.zarr",
            progress=False,
        )
    assert_same_numbers(reference.summary, remote.summary.load())
    local = sweep(scenario, N, seed=3, chunk_size=64, workers=2, progress=False)
    assert_same_numbers(reference.summary.drop_vars(_samples(reference)), local.summary)


def test_one_or_two_workers_and_any_chunking_give_identical_outputs(scenario, tmp_path):
    """Real local clusters of one and two workers, two chunkings (one not dividing n, so
    chunks differ in size and the pilot is cut differently): the same summary, the same
    summary.csv bytes and the same per-scenario margins as one in-process chunk."""
    pytest.importorskip("distributed")
    n = 64
    runs = {
        (chunk, workers): sweep(
            scenario, n, seed=5, chunk_size=chunk, workers=workers, keep_samples=True,
            out=tmp_path / f"c{chunk}w{workers}.zarr", progress=False,
        )
        for chunk, workers in ((16, 1), (24, 2), (64, None))
    }  # fmt: skip
    (a, b, c) = runs.values()
    for other in (b, c):
        assert_same_numbers(a.summary.load(), other.summary.load())
        assert (a.out / "summary.csv").read_bytes() == (other.out / "summary.csv").read_bytes()
    assert a.summary.sample_margin.shape == (n, len(scenario_targets()))
    assert sorted(map(len, (a.computed_chunks, b.computed_chunks))) == [3, 4]


def scenario_targets():
    return list(carbonsim.load_targets())


def _samples(result) -> list[str]:
    return [v for v in result.summary.variables if "scenario" in result.summary[v].dims]


# ---------------------------------------------------------------------------------------------
# the store: kill and resume, refusals
# ---------------------------------------------------------------------------------------------
def _chunk_files(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "chunks").glob("[0-9]*.npz")}


def test_resume_after_kill_recomputes_only_missing_chunks(tmp_path):
    out = tmp_path / "killed.zarr"
    n, chunk = 1000, 50
    command = [
        *(sys.executable, "-m", "carbonsim.cli", "sweep", str(UNCERTAINTY)),
        *("-n", str(n), "--seed", "5", "--chunk", str(chunk), "--out", str(out), "--quiet"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_chunk_files(out) if (out / "chunks").is_dir() else {}) < 3:
        assert process.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline, "no chunk written within two minutes"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    before = _chunk_files(out)
    assert 3 <= len(before) < n // chunk
    assert not (out / "summary.csv").exists()

    resumed = sweep(UNCERTAINTY, n, seed=5, chunk_size=chunk, out=out, resume=True, progress=False)
    after = _chunk_files(out)
    assert len(after) == n // chunk
    assert all(after[name] == mtime for name, mtime in before.items())  # not rewritten
    missing = sorted(set(range(n // chunk)) - {int(name[:6]) for name in before})
    assert resumed.computed_chunks == missing
    assert resumed.reused_chunks == len(before)
    runs = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["todo"] for r in runs if r["event"] == "run"][-1] == missing

    uninterrupted = sweep(UNCERTAINTY, n, seed=5, chunk_size=200, progress=False)
    assert_same_numbers(resumed.summary, uninterrupted.summary)
    assert_same_numbers(xr.open_zarr(out).load(), uninterrupted.summary)
    table = (out / "summary.csv").read_text(encoding="utf-8")
    assert table.startswith("target,region,indicator,year")
    assert "joint:all_binding" in table


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "small.zarr"
    sweep(UNCERTAINTY, 20, seed=1, chunk_size=10, out=out, progress=False)
    return out


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": 2}, "seed: 1 (stored) ≠ 2 (now)"),
        ({"n": 30}, "n: 20 (stored) ≠ 30 (now)"),
        ({"method": "random"}, 'method: "sobol" (stored) ≠ "random" (now)'),
        ({"chunk_size": 5}, "chunk size: 10 (stored) ≠ 5 (now)"),
        ({"dtype": "float32"}, 'dtype: "float64" (stored) ≠ "float32" (now)'),
        ({"scenario": "planted"}, "scenario content"),
    ],
)
def test_resume_with_other_settings_is_refused(small_store, planted, change, named):
    args = {"scenario": UNCERTAINTY, "n": 20, "seed": 1, "chunk_size": 10, **change}
    if args["scenario"] == "planted":
        args["scenario"] = planted
    before = _chunk_files(small_store)
    with pytest.raises(SweepError, match="cannot resume") as info:
        sweep(args.pop("scenario"), out=small_store, resume=True, progress=False, **args)
    assert named in str(info.value)
    assert "choose another out" in str(info.value)
    assert _chunk_files(small_store) == before  # nothing touched


def test_resume_without_a_chunk_size_keeps_the_stored_one(small_store):
    """The default chunk size (4096 here) is not the stored 10: a resume that does not name one
    takes the stored size instead of being refused."""
    before = _chunk_files(small_store)
    again = sweep(UNCERTAINTY, 20, seed=1, out=small_store, resume=True, progress=False)
    assert (again.computed_chunks, again.reused_chunks) == ([], 2)
    assert json.loads((small_store / "manifest.json").read_text())["chunk_size"] == 10
    assert _chunk_files(small_store) == before


@pytest.mark.parametrize(
    ("rows", "threads", "size"),
    [
        (20_000, 1, 4096),  # in-process: never smaller
        (20_000, 2, 2048),  # 5 chunks of 4096 leave a worker idle at the end; 10 do not
        (4_096, 2, 512),  # 8 chunks, the floor
        (1_000_000, 2, 4096),
        (1_000_000, 64, 2048),  # 489 chunks: at least 4 per thread of a big cluster
        (100, 8, 512),  # never below the floor
    ],
)
def test_untold_chunk_size_gives_every_worker_several_chunks(rows, threads, size):
    assert auto_chunk_size(rows, threads) == size


def test_existing_sweep_needs_resume_or_overwrite(small_store, tmp_path):
    with pytest.raises(SweepError, match=r"already holds a sweep.*--resume.*--overwrite"):
        sweep(UNCERTAINTY, 20, seed=1, chunk_size=10, out=small_store, progress=False)
    other = tmp_path / "not-a-sweep"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not a carbonsim sweep"):
        sweep(UNCERTAINTY, 20, seed=1, chunk_size=10, out=other, progress=False)
    assert (other / "notes.txt").exists()


def test_cli_writes_the_store_and_refuses_a_mismatched_resume(tmp_path, capsys):
    out = tmp_path / "cli.zarr"
    args = ["sweep", str(UNCERTAINTY), "-n", "40", "--seed", "2", "--chunk", "20"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")  # quiet: nothing at all
    summary = xr.open_zarr(out)
    assert "quantiles_co2" in summary and summary.attrs["n_scenarios"] == 40
    reopened = load_sweep(out).probabilities()
    np.testing.assert_array_equal(reopened.probability, summary.probability.values)
    assert main([*args, "--out", str(out), "--resume"]) == 0
    printed = capsys.readouterr().out
    assert "0 computed, 2 reused" in printed and "P(all binding targets met)" in printed
    assert main([*args[:-2], "--out", str(out), "--resume"]) == 0  # no --chunk: the stored 20
    assert "0 computed, 2 reused" in capsys.readouterr().out
    assert main([*args[:-4], "--seed", "3", "--chunk", "20", "--out", str(out), "--resume"]) == 2
    assert "seed: 2 (stored) ≠ 3 (now)" in capsys.readouterr().err
    assert main([*args, "--out", str(out), "--resume", "--dtype", "float32"]) == 2
    assert 'dtype: "float64" (stored) ≠ "float32" (now)' in capsys.readouterr().err
    f32 = tmp_path / "f32.zarr"
    assert main([*args, "--out", str(f32), "--quiet", "--dtype", "float32"]) == 0
    assert xr.open_zarr(f32).attrs["dtype"] == "float32"
    np.testing.assert_array_equal(xr.open_zarr(f32).probability, summary.probability.values)
    with pytest.raises(SystemExit) as info:
        main([*args, "--out", str(tmp_path / "x.zarr"), "--dtype", "float16"])
    assert info.value.code == 2 and "invalid choice: 'float16'" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# sensitivity
# ---------------------------------------------------------------------------------------------
def test_rank_measure_finds_the_planted_driver(planted):
    result = sweep(planted, 256, seed=1, method="random", keep_samples=True, progress=False)
    table = result.sensitivity()
    co2 = table[table.outcome == "co2_2030"].reset_index(drop=True)
    assert co2.dimension[0] == "gdp_growth.2025"
    assert co2.spearman[0] > 0.9
    assert (co2.spearman[1:].abs() < 0.3).all()
    # close to scipy's Spearman on the same scenarios (outcome ranks from the pilot's CDF)
    ds = result.summary
    y = carbonsim.simulate(
        load_scenario(planted).to_levers(n=256, seed=1, method="random"), variables=["co2"]
    ).co2.sel(region="wuzhong", year=2030)
    for j, name in enumerate(ds.dimension.values):
        exact = stats.spearmanr(ds.sample_value.values[:, j], y.values).statistic
        ours = ds.spearman.sel(outcome="co2_2030", dimension=name).item()
        assert abs(ours - exact) < 0.02


def test_saltelli_mode_returns_sobol_indices(planted):
    pytest.importorskip("SALib")
    # N = 12 is not a power of two: scipy's balance warning must not reach the user
    result = sweep(planted, 12, seed=2, method="saltelli", chunk_size=25, progress=False)
    ds = result.summary
    assert ds.attrs["n_scenarios"] == 12 * (3 + 2)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert ds[f"sobol_{key}"].dims == ("outcome", "dimension")
    st = ds.sobol_ST.sel(outcome="co2_2030")
    assert st.idxmax().item() == "gdp_growth.2025"
    assert {"S1", "ST"} <= {c.removeprefix("sobol_") for c in result.sensitivity().columns}


# ---------------------------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_not_when_quiet(monkeypatch, capsys):
    sweep(UNCERTAINTY, 10, seed=1, progress=False)
    assert capsys.readouterr().err == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress_bar(True, 100, 0) as bar:
        bar.update(50)
    assert "scenarios/s" in terminal.getvalue() and "50/100" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with _progress_bar(False, 100, 0) as bar:
        bar.update(50)
    assert quiet.getvalue() == ""


# ---------------------------------------------------------------------------------------------
# arguments
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "sobel"}, "Did you mean 'sobol'"),
        ({"n": 0}, "n must be a positive integer"),
        ({"chunk_size": -5}, "chunk_size must be a positive integer"),
        ({"seed": -1}, r"seed must be an integer in \[0, 2\*\*128\)"),
        ({"workers": 2, "scheduler": "tcp://x:1"}, "not both"),
        ({"resume": True}, "resume needs out="),
        ({"workers": 0}, "workers must be a positive integer"),
        ({"dtype": "float16"}, "unknown dtype 'float16'; choose one of float64, float32"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    args = {"n": 10, **kwargs}
    with pytest.raises(SweepError, match=message):
        sweep(UNCERTAINTY, progress=False, **args)


def test_dtype_is_named_as_simulate_takes_it():
    result = sweep(UNCERTAINTY, 8, seed=1, method="random", dtype=np.float32, progress=False)
    assert result.summary.attrs["dtype"] == "float32"
    with pytest.raises(SweepError, match=r"unknown dtype <class 'numpy\.int64'>; choose one of"):
        sweep(UNCERTAINTY, 8, dtype=np.int64, progress=False)


def test_carbonsim_sweep_is_callable_however_it_is_reached():
    import carbonsim as package

    first = package.sweep(UNCERTAINTY, 8, seed=1, progress=False)
    again = package.sweep(UNCERTAINTY, 8, seed=1, progress=False)  # now the module attribute
    from carbonsim import sweep as imported

    assert_same_numbers(first.summary, again.summary)
    assert imported(UNCERTAINTY, 8, seed=1, progress=False).summary.attrs["n_scenarios"] == 8
