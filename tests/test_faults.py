"""Fault injection: every anticipated fault is one line naming the path and what to do, exit
status 2 on the command line, and nothing partial at a final path (docs/faults.md lists them).

Real files and real file systems throughout: a folder where a file belongs, a file where a
folder belongs, a read-only and a full file system (small tmpfs mounts when the tests run as
root; the chmod variant otherwise), GBK text as Chinese Windows saves it, Notepad's BOM.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest

import carbonsim
import carbonsim.model.arrays
from carbonsim.cli import main
from carbonsim.errors import LeverError, ScenarioError
from carbonsim.inputs.scenario import Scenario
from carbonsim.io.atomic import MANIFEST, OutputError, verify_set, write_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CATALOGUE = SCENARIOS / "targets" / "wuzhong-2023.toml"
BASELINE = ROOT / "carbonsim" / "data" / "baseline" / "wuzhong-2020.csv"
FAST = ["--years", "2020:2030", "--no-explain"]
SMALL = 'id = "small"\nname_zh = "小情景"\n[levers]\nstorage_ratio = { 2025 = 0.1 }\n'


def cli(capsys, *args) -> tuple[int, str]:
    """Run ``carbonsim ARGS`` in-process -> (exit status, stderr)."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def assert_fault(code: int, err: str, path, *words: str) -> None:
    """Exit status 2 and one line naming *path* (and *words*), no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert str(path) in err, err
    for word in words:
        assert word in err, (word, err)


def dot_files(folder: Path) -> list[str]:
    """Temporaries (dot-files) left in *folder*."""
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.is_dir()
        else []
    )


def mount_tmpfs(path: Path, size: str, readonly: bool = False) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if readonly else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=False)
    return done.returncode == 0


@contextlib.contextmanager
def small_fs(path: Path, size: str = "64k", readonly: bool = False):
    """A real small (or read-only) file system at *path*, or a skip when one cannot be made."""
    if not mount_tmpfs(path, size, readonly):
        if readonly and os.geteuid() != 0:
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(stat.S_IRUSR | stat.S_IXUSR)
            try:
                yield path
            finally:
                path.chmod(stat.S_IRWXU)
            return
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


# ---------------------------------------------------------------------------------------------
# output paths, checked before any computation
# ---------------------------------------------------------------------------------------------
def test_run_out_is_an_existing_file_refused_before_simulating(tmp_path, capsys, monkeypatch):
    out = tmp_path / "results"
    out.write_text("mine", encoding="utf-8")

    def simulate(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(carbonsim, "simulate", simulate)
    code, err = cli(capsys, "run", SCENARIOS / "plan.toml", "--out", out)
    assert_fault(code, err, out, "is an existing file", "choose another --out")
    assert out.read_text(encoding="utf-8") == "mine"


def test_run_out_under_a_file(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "sub" / "results"
    code, err = cli(capsys, "run", SCENARIOS / "plan.toml", "--out", out)
    assert_fault(code, err, out, f"lies under {blocker}", "not a folder")


def test_scenario_path_is_a_folder(tmp_path, capsys):
    code, err = cli(capsys, "run", tmp_path, "--out", tmp_path / "out")
    assert_fault(code, err, tmp_path, "is a folder", "give the path of the file")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_scenario_file_missing(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    code, err = cli(capsys, "run", missing, "--out", tmp_path / "out")
    assert_fault(code, err, missing, "scenario file not found")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_scenario_file_unreadable(tmp_path, capsys):
    path = tmp_path / "secret.toml"
    path.write_text(SMALL, encoding="utf-8")
    path.chmod(0)
    code, err = cli(capsys, "run", path, "--out", tmp_path / "out")
    assert_fault(code, err, path, "permission denied")


def test_read_only_output_folder(tmp_path, capsys):
    with small_fs(tmp_path / "ro", readonly=True) as folder:
        out = folder / "results"
        code, err = cli(capsys, "run", SCENARIOS / "plan.toml", "--out", out, *FAST)
        assert_fault(code, err, out, "cannot write")
        assert ".tmp" not in err  # the final path is named, not a temporary name


def test_full_disk_run_keeps_nothing_partial(tmp_path, capsys):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL, encoding="utf-8")
    with small_fs(tmp_path / "full", size="64k") as folder:
        out = folder / "results"
        code, err = cli(capsys, "run", scenario, "--out", out, *FAST)
        assert_fault(code, err, out / "trajectories.nc", "the disk is full", "free space")
        assert ".staging" not in err and ".tmp" not in err
        assert not out.exists() or not [p for p in out.iterdir()]  # no staging, no final file


def test_full_disk_plot_leaves_no_partial_image(tmp_path, capsys):
    traj = tmp_path / "t.nc"
    carbonsim.io.write_netcdf(carbonsim.simulate(years=range(2020, 2031)), traj)
    with small_fs(tmp_path / "full", size="12k") as folder:
        out = folder / "co2.png"
        code, err = cli(capsys, "plot", "trajectory", traj, "--out", out, "--dpi", "300")
        assert_fault(code, err, out, "the disk is full")
        assert list(folder.iterdir()) == []


def test_plot_out_is_a_folder_and_under_a_file(tmp_path, capsys):
    folder = tmp_path / "charts.png"
    folder.mkdir()
    code, err = cli(capsys, "plot", "trajectory", SCENARIOS / "plan.toml", "--out", folder)
    assert_fault(code, err, folder, "is a folder, expected a file name")
    blocker = tmp_path / "f.png"
    blocker.write_bytes(b"x")
    code, err = cli(
        capsys, "plot", "trajectory", SCENARIOS / "bau.toml", "--out", blocker / "a.png"
    )
    assert_fault(code, err, blocker / "a.png", f"lies under {blocker}")


def test_sweep_out_is_an_existing_file(tmp_path, capsys):
    out = tmp_path / "sweep.zarr"
    out.write_text("x", encoding="utf-8")
    code, err = cli(capsys, "sweep", SCENARIOS / "uncertainty.toml", "-n", "8", "--out", out)
    assert_fault(code, err, out, "is an existing file")


def test_sweep_out_is_a_foreign_folder(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    code, err = cli(capsys, "sweep", SCENARIOS / "uncertainty.toml", "-n", "8", "--out", out)
    assert_fault(code, err, out, "not a carbonsim sweep")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


# ---------------------------------------------------------------------------------------------
# run folders as a set, permissions, stale temporaries
# ---------------------------------------------------------------------------------------------
def test_run_folder_is_one_set_with_checksums_and_umask_permissions(tmp_path, capsys):
    out = tmp_path / "run"
    old = os.umask(0o027)
    try:
        assert main(["run", str(SCENARIOS / "plan.toml"), "--out", str(out), *FAST]) == 0
    finally:
        os.umask(old)
    capsys.readouterr()
    names = {"trajectories.nc", "feasibility.csv", "peaks.csv", "summary.md", MANIFEST}
    assert {p.name for p in out.iterdir()} == names
    assert verify_set(out) == []
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path  # 0o666 & ~0o027, not 0o600
    (out / "peaks.csv").write_text("changed", encoding="utf-8")
    assert verify_set(out) == [
        f"{out / 'peaks.csv'}: its SHA-256 differs from {MANIFEST} (changed or partial)"
    ]


def test_atomic_writes_follow_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        path = write_text(tmp_path / "shared.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_stale_temporaries_of_dead_runs_are_removed_live_ones_kept(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    child = subprocess.Popen(["sleep", "0"])
    child.wait()
    stale = out / f".trajectories.nc.{child.pid}-abc123.tmp.nc"
    stale.write_bytes(b"partial")
    staging = out / f".staging.{child.pid}-xyz.tmp"
    staging.mkdir()
    live = out / f".peaks.csv.{os.getpid()}-live.tmp.csv"
    live.write_text("being written", encoding="utf-8")
    assert main(["run", str(SCENARIOS / "bau.toml"), "--out", str(out), *FAST]) == 0
    capsys.readouterr()
    assert not stale.exists() and not staging.exists()
    assert live.exists()  # a writer still running (this process) keeps its temporary


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------
def test_gbk_scenario_refused_with_how_to_convert(tmp_path, capsys):
    path = tmp_path / "gbk.toml"
    path.write_bytes(SMALL.encode("gbk"))
    code, err = cli(capsys, "run", path, "--out", tmp_path / "out")
    assert_fault(code, err, path, "GBK", "iconv -f GBK -t UTF-8", "line 2")


def test_gbk_catalogue_refused_with_how_to_convert(tmp_path, capsys):
    path = tmp_path / "plan-gbk.toml"
    path.write_bytes(CATALOGUE.read_text(encoding="utf-8").encode("gb18030"))
    code, err = cli(
        capsys, "run", SCENARIOS / "bau.toml", "--targets", path, "--out", tmp_path / "o", *FAST
    )
    assert_fault(code, err, path, "target catalogue", "GBK", "iconv")


def test_gbk_baseline_refused_with_how_to_convert(tmp_path, capsys):
    path = tmp_path / "baseline-gbk.csv"
    path.write_bytes(BASELINE.read_text(encoding="utf-8").encode("gb18030"))
    code, err = cli(
        capsys, "run", SCENARIOS / "bau.toml", "--baseline", path, "--out", tmp_path / "o"
    )
    assert_fault(code, err, path, "baseline file", "GBK", "Save As with encoding UTF-8")


def test_gbk_regions_refused_with_how_to_convert(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes("region,name_zh,name_en,city\nx,某市,X,yes\nd1,一区,D1,no\n".encode("gbk"))
    from carbonsim.regions import read_regions

    with pytest.raises(carbonsim.errors.BaselineError, match=r"regions file is encoded in GBK"):
        read_regions(path)


def test_undecodable_text_that_is_not_gbk(tmp_path):
    path = tmp_path / "bin.toml"
    path.write_bytes(b'id = "x"\n\xff\xfe\x00\n')
    with pytest.raises(ScenarioError, match=r"not UTF-8 text \(undecodable byte 0xff at line 2\)"):
        carbonsim.load_scenario(path)


def test_bom_is_accepted_in_scenario_catalogue_and_baseline(tmp_path):
    bom = b"\xef\xbb\xbf"
    scenario = tmp_path / "notepad.toml"
    scenario.write_bytes(bom + SMALL.encode("utf-8"))
    assert carbonsim.load_scenario(scenario).name_zh == "小情景"
    catalogue = tmp_path / "cat.toml"
    catalogue.write_bytes(bom + CATALOGUE.read_bytes())
    assert len(carbonsim.load_targets(catalogue)) == len(carbonsim.load_targets())
    baseline = tmp_path / "base.csv"
    baseline.write_bytes(bom + BASELINE.read_bytes())
    a, b = carbonsim.load_baseline(baseline), carbonsim.load_baseline()
    assert float(a.gdp.sum()) == float(b.gdp.sum())


def test_catalogue_path_is_a_folder(tmp_path, capsys):
    code, err = cli(
        capsys, "run", SCENARIOS / "bau.toml", "--targets", tmp_path, "--out", tmp_path / "o", *FAST
    )
    assert_fault(code, err, tmp_path, "holds no .toml catalogue files")


def test_baseline_missing(tmp_path, capsys):
    missing = tmp_path / "none.csv"
    code, err = cli(
        capsys, "run", SCENARIOS / "bau.toml", "--baseline", missing, "--out", tmp_path / "o"
    )
    assert_fault(code, err, missing, "baseline file not found")


# ---------------------------------------------------------------------------------------------
# traps
# ---------------------------------------------------------------------------------------------
def scenario_file(tmp_path, body: str, name: str = "s.toml", extends: str | None = None) -> Path:
    head = 'id = "t"\n' + (f'extends = "{extends}"\n' if extends else "")
    path = tmp_path / name
    path.write_text(head + "[levers]\n" + body, encoding="utf-8")
    return path


def test_capacity_without_county_keys_refused_with_both_forms(tmp_path, capsys):
    path = scenario_file(tmp_path, 'solar_capacity = { 2030 = "2300 万千瓦" }\n')
    code, err = cli(capsys, "run", path, "--out", tmp_path / "o")
    assert_fault(
        code, err, path, "levers.solar_capacity", "each of the 5 counties",
        'solar_capacity = { tongxin = { 2030 = "2300 万千瓦" }, … }',
        'solar_capacity = { city_total = { 2030 = "2300 万千瓦" } }',
    )  # fmt: skip


@pytest.mark.parametrize("lever", ["output_coke", "green_hydrogen_production", "forest_stock"])
def test_outputs_and_stocks_without_county_keys_refused(lever):
    with pytest.raises(ScenarioError, match=f"levers.{lever}: lever '{lever}' is a county-level"):
        Scenario(id="x", levers={lever: {2030: 10}})
    with pytest.raises(LeverError, match="city_total"):
        carbonsim.simulate({lever: {2030: 10}}, years=range(2020, 2031))


def test_zero_without_county_keys_is_no_trap():
    s = Scenario(id="x", levers={"coal_capacity": {2030: 0}})
    ds = carbonsim.simulate(s, years=range(2020, 2031))
    assert float(ds.capacity.sel(tech="coal", year=2030, region="wuzhong").item()) == 0.0


def test_city_total_allocated_by_2020_shares(baseline):
    ds = carbonsim.simulate(
        {"solar_capacity": {"city_total": {2030: "2800 万千瓦"}}}, years=range(2020, 2031)
    )
    solar = ds.capacity.sel(tech="solar", scenario="custom")
    start = solar.sel(year=2020).drop_sel(region="wuzhong").values
    at_2030 = solar.sel(year=2030).drop_sel(region="wuzhong").values
    assert float(solar.sel(year=2030, region="wuzhong")) == pytest.approx(28.0)
    np.testing.assert_allclose(at_2030, 28.0 * start / start.sum())
    # the same through a scenario file
    s = Scenario(id="t", levers={"solar_capacity": {"city_total": {2030: "2800 万千瓦"}}})
    again = carbonsim.simulate(s, years=range(2020, 2031)).capacity.sel(tech="solar", scenario="t")
    np.testing.assert_allclose(again.values, solar.values)


def test_city_total_split_equally_when_the_2020_value_is_zero():
    ds = carbonsim.simulate(
        {"green_hydrogen_production": {"city_total": {2030: 10.0}}}, years=range(2020, 2031)
    )
    lever = carbonsim.model.arrays.lever_arrays(
        {"green_hydrogen_production": {"city_total": {2030: 10.0}}}, 1, range(2020, 2031),
        carbonsim.load_baseline(),
    )["green_hydrogen_production"]  # fmt: skip
    np.testing.assert_allclose(lever[0, :, -1], [2.0] * 5)
    assert ds.sizes["scenario"] == 1


def test_city_key_for_a_capacity_refused(tmp_path, capsys):
    path = scenario_file(tmp_path, 'solar_capacity = { wuzhong = { 2030 = "2300 万千瓦" } }\n')
    code, err = cli(capsys, "run", path, "--out", tmp_path / "o")
    assert_fault(code, err, path, "levers.solar_capacity.wuzhong", "ambiguous", "city_total = …")


def test_unused_default_over_an_extended_scenario_refused(tmp_path, capsys):
    for name in ("plan.toml", "bau.toml"):
        shutil.copy(SCENARIOS / name, tmp_path / name)
    path = scenario_file(tmp_path, "gdp_growth = { wuzhong = 0.03 }\n", extends="plan.toml")
    plan_gdp = carbonsim.load_scenario(SCENARIOS / "plan.toml").levers.get("gdp_growth")
    if not (isinstance(plan_gdp, dict) and all(c in plan_gdp for c in carbonsim.constants.REGIONS)):
        path = scenario_file(
            tmp_path, "solar_capacity = { default = { 2030 = 5.0 } }\n", extends="plan.toml"
        )
    code, err = cli(capsys, "run", path, "--out", tmp_path / "o")
    assert_fault(code, err, path, "applies to no county", "plan.toml")


def test_unused_default_in_one_table_refused():
    every = {c: 0.05 for c in carbonsim.constants.REGIONS}
    with pytest.raises(
        ScenarioError, match=r"gdp_growth\.default: this entry applies to no county"
    ):
        Scenario(id="x", levers={"gdp_growth": {"default": 0.04, **every}})
    with pytest.raises(LeverError, match="'all' entry applies to no county"):
        carbonsim.simulate({"gdp_growth": {"all": 0.04, **every}}, years=range(2020, 2031))


def test_city_total_beside_counties_or_on_a_share_refused():
    with pytest.raises(
        ScenarioError, match=r"solar_capacity\.yanchi: 'yanchi' beside 'city_total'"
    ):
        Scenario(id="x", levers={"solar_capacity": {"city_total": 20, "yanchi": 5}})
    with pytest.raises(ScenarioError, match=r"nev_sales_share\.city_total: .* does not add up"):
        Scenario(id="x", levers={"nev_sales_share": {"city_total": 0.3}})


def test_per_county_over_a_city_total():
    s = Scenario(id="a", levers={"solar_capacity": {"city_total": {2030: 28.0}}})
    with pytest.raises(ScenarioError, match="values per county over the city total"):
        s.replace(solar_capacity={"yanchi": 2.0})
    every = s.replace(solar_capacity={c: 1.0 for c in carbonsim.constants.REGIONS})
    assert every.levers["solar_capacity"] == {c: 1.0 for c in carbonsim.constants.REGIONS}


def test_truncated_trajectories_for_plot(tmp_path, capsys):
    path = tmp_path / "trajectories.nc"
    carbonsim.io.write_netcdf(carbonsim.simulate(years=range(2020, 2031)), path)
    path.write_bytes(path.read_bytes()[:2000])
    out = tmp_path / "co2.png"
    code, err = cli(capsys, "plot", "trajectory", path, "--out", out)
    assert_fault(code, err, path, "cannot read it as NetCDF", "is it complete?")
    assert not out.exists()


@pytest.mark.parametrize("years", [range(2020, 2071), range(2021, 2031), [2020, 2022, 2023], []])
def test_api_horizon_is_the_files_horizon(years):
    with pytest.raises(LeverError, match=r"consecutive years starting in 2020|no years"):
        carbonsim.simulate(years=years)


def test_cli_horizon(tmp_path, capsys):
    code, err = cli(
        capsys, "run", SCENARIOS / "bau.toml", "--years", "2020:2070", "--out", tmp_path
    )
    assert_fault(code, err, "2020:2070", "end by 2060")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            "gdp_growth,solar_capacity,met\n0.05,3,maybe\n",
            ["row 2, column 'met'", "'maybe'", "true or false"],
        ),
        ("gdp_growth,solar_capacity\n0.05,3\n", ["no column 'met'"]),
        (
            "gdp_growth,solar_capacity,met\n0.05,lots,true\n",
            ["row 2, column 'solar_capacity'", "a number"],
        ),
    ],
)
def test_feasible_region_csv_validated(tmp_path, capsys, table, words):
    path = tmp_path / "samples.csv"
    path.write_text(table, encoding="utf-8")
    out = tmp_path / "region.png"
    code, err = cli(capsys, "plot", "feasible", path, "--out", out)
    assert_fault(code, err, path, *words)
    assert not out.exists()


def test_strict_names_the_missed_targets(tmp_path, capsys):
    code = main(["run", str(SCENARIOS / "bau.toml"), "--out", str(tmp_path), "--strict", *FAST])
    err = capsys.readouterr().err
    assert code == 1
    assert "--strict:" in err and "binding target(s) missed:" in err
    # the ids of the missed binding records: real catalogue ids
    named = err.split("missed:", 1)[1].split(",")
    ids = {t.id for t in carbonsim.load_targets()}
    assert named and all(t.strip().split(" ")[0] in ids for t in named if "more)" not in t)


# ---------------------------------------------------------------------------------------------
# misuse from a notebook
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def results():
    scenario = carbonsim.load_scenario(SCENARIOS / "bau.toml")
    traj = carbonsim.simulate(scenario, years=range(2020, 2031))
    return scenario, traj, carbonsim.check(traj)


def misuse(call, *args) -> str:
    with pytest.raises(TypeError) as info:
        call(*args)
    return str(info.value)


def test_check_a_scenario(results):
    scenario, _, _ = results
    message = misuse(carbonsim.check, scenario)
    assert message == (
        "check() takes the Dataset of trajectories from simulate(); you passed a Scenario: "
        "check(simulate(scenario))"
    )


def test_simulate_a_dataset(results):
    _, traj, result = results
    message = misuse(carbonsim.simulate, traj)
    assert message.startswith("simulate() takes a Scenario")
    assert "you passed a Dataset of trajectories (from simulate())" in message
    assert "simulate(scenario)" in message
    assert "you passed a CheckResult" in misuse(carbonsim.simulate, [result])


def test_plot_trajectory_of_a_check_result(results):
    _, _, result = results
    message = misuse(carbonsim.plot.trajectory, result, "co2")
    assert message.startswith("plot.trajectory() takes the Dataset of trajectories")
    assert "you passed a CheckResult (from check())" in message
    assert 'plot.trajectory(traj, "co2", result=check(traj))' in message


def test_dashboard_of_trajectories(results):
    _, traj, _ = results
    message = misuse(carbonsim.plot.dashboard, traj)
    assert message == (
        "plot.dashboard() takes the CheckResult from check(); you passed a Dataset of "
        "trajectories (from simulate()): plot.dashboard(check(traj))"
    )


def test_sweep_of_a_dataset(results):
    _, traj, _ = results
    message = misuse(carbonsim.sweep, traj, 8)
    assert message.startswith("sweep() takes a Scenario")
    assert "a Dataset of trajectories" in message
    assert 'sweep("scenarios/uncertainty.toml", n=1000)' in message


def test_what_it_takes_of_a_check_result(results):
    _, _, result = results
    with pytest.raises(TypeError, match=r"what_it_takes\(\) takes a Scenario.*a CheckResult"):
        carbonsim.what_it_takes(result, ["main_2030_nonhydro_renewable_share"], ["storage_ratio"])


def test_output_error_is_a_carbonsim_error():
    assert issubclass(OutputError, carbonsim.errors.CarbonsimError)
