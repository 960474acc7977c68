"""Planner ergonomics: bundled scenarios by name, `carbonsim scenarios`, `carbonsim new`,
`python -m carbonsim`, the Excel workbook, and all of it after a plain install from any folder."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import carbonsim
from carbonsim.cli import main
from carbonsim.errors import ScenarioError
from carbonsim.inputs.scenario import BUNDLED_DIR, bundled_scenarios

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("bau", "plan", "stretch", "uncertainty")


def test_bundled_scenarios_are_package_data_and_the_repository_copies_match():
    assert tuple(bundled_scenarios()) == NAMES
    assert BUNDLED_DIR.is_relative_to(Path(carbonsim.__file__).parent)
    for name, path in bundled_scenarios().items():
        copy = ROOT / "scenarios" / f"{name}.toml"
        assert copy.read_bytes() == path.read_bytes(), (
            f"scenarios/{name}.toml differs from carbonsim/data/scenarios/{name}.toml: "
            "edit the package copy and copy it over"
        )


def test_load_scenario_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = carbonsim.load_scenario("plan")
    assert plan.id == "plan" and plan.name_zh == "规划情景"
    assert plan.path == BUNDLED_DIR / "plan.toml"
    # the same as the repository copy, and the extends chain (plan -> bau) was followed
    assert plan == carbonsim.load_scenario(ROOT / "scenarios" / "plan.toml")
    assert plan.levers["gdp_growth"] == carbonsim.load_scenario("bau").levers["gdp_growth"]
    stretch = carbonsim.load_scenario("stretch")
    assert stretch.levers != plan.levers


def test_an_existing_file_wins_over_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plan").write_text('id = "local"\n[levers]\nstorage_hours = 4\n', encoding="utf-8")
    local = carbonsim.load_scenario("plan")
    assert local.id == "local" and local.levers == {"storage_hours": 4.0}


def test_extends_a_bundled_scenario_by_name(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'id = "mine"\nextends = "plan"\n[levers]\nstorage_ratio = { 2025 = "15 %" }\n',
        encoding="utf-8",
    )
    scenario = carbonsim.load_scenario(mine)
    plan = carbonsim.load_scenario("plan")
    assert scenario.levers["storage_ratio"] == {2025: 0.15}
    assert plan.levers["storage_ratio"] == {2022: 0.04, 2025: 0.1}
    rest = {k: v for k, v in scenario.levers.items() if k != "storage_ratio"}
    assert rest == {k: v for k, v in plan.levers.items() if k != "storage_ratio"}


def test_unknown_name_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="Did you mean 'plan'") as info:
        carbonsim.load_scenario("plna")
    assert "bau, plan, stretch, uncertainty" in str(info.value)
    assert main(["run", "plna", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plna" in err and "carbonsim scenarios" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nextends = "plna"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"extends: file 'plna' not found.*bundled scenario"):
        carbonsim.load_scenario(bad)


def test_cli_scenarios_lists_names_and_titles(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name, zh, en in [
        ("bau", "惯性情景", "Business as usual"),
        ("plan", "规划情景", "Plan scenario"),
        ("stretch", "强化情景", "Stretch scenario"),
        ("uncertainty", "不确定性情景", "Plan with uncertain drivers"),
    ]:
        line = next(x for x in out.splitlines() if x.startswith(name + " "))
        assert zh in line and en in line
    assert "(4 scenarios)" in out


def test_cli_new_writes_a_template_that_loads_to_its_parent(tmp_path, capsys):
    path = tmp_path / "my.toml"
    assert main(["new", str(path), "--extends", "plan"]) == 0
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert doc["id"] == "my" and doc["extends"] == "plan" and doc["levers"] == {}
    assert "# solar_capacity = " in text and "光伏装机容量" in text
    mine = carbonsim.load_scenario(path)
    assert mine.levers == carbonsim.load_scenario("plan").levers
    # a planner uncomments a line and edits it: that lever changes, nothing else
    edited = text.replace("# storage_hours = 2", 'storage_hours = "4 h"')
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    assert carbonsim.load_scenario(path).levers["storage_hours"] == 4.0
    # every commented value in the template is the parent's, and parses
    for line in text.splitlines():
        if line.startswith("# ") and " = { " in line and line[2:].split(" ")[0].isidentifier():
            name = line[2:].split(" ")[0]
            value = tomllib.loads(line[2:])[name]
            again = carbonsim.Scenario(id="x", levers={name: value}).levers[name]
            assert again == carbonsim.load_scenario("plan").levers[name]
    # no overwrite without --force
    assert main(["new", str(path)]) == 2
    assert "file exists" in capsys.readouterr().err
    assert main(["new", str(path), "--force", "--extends", "bau"]) == 0
    assert tomllib.loads(path.read_text(encoding="utf-8"))["extends"] == "bau"


def test_python_dash_m_carbonsim():
    done = subprocess.run(
        [sys.executable, "-m", "carbonsim", "scenarios"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "规划情景" in done.stdout


def test_run_xlsx_workbook_matches_the_check(tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "r"
    assert main(["run", "plan", "--out", str(out), "--xlsx", "--no-explain"]) == 0
    assert "results.xlsx" in capsys.readouterr().out
    book = load_workbook(out / "results.xlsx")
    assert book.sheetnames == ["targets", "trajectories", "peaks"]
    result = carbonsim.check(carbonsim.simulate(carbonsim.load_scenario("plan")))
    table = result.to_dataframe().set_index("target")

    sheet = book["targets"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["情景 scenario", "状态 status", "条款 clause"]
    rows = {r[header.index("目标编号 target id")]: r for r in sheet.iter_rows(2, values_only=True)}
    assert len(rows) == len(table) == 128
    col = {name: header.index(name) for name in header}
    # 2030 new-energy capacity: 2800万千瓦; value and margin in 万千瓦 (the plan's unit), 1 GW = 100
    ne = rows["main_2030_new_energy_capacity"]
    assert ne[col["单位 unit (plan)"]] == "万千瓦"
    assert ne[col["模拟值 simulated"]] == pytest.approx(
        table.value["main_2030_new_energy_capacity"] * 100
    )
    assert ne[col["余量 margin (≥0 met)"]] == pytest.approx(
        table.margin["main_2030_new_energy_capacity"] * 100
    )
    # a share target: margin in percentage points
    share = rows["main_2025_non_fossil_share"]
    assert share[col["单位 unit (plan)"]] == "%"
    assert share[col["余量 margin (≥0 met)"]] == pytest.approx(
        table.margin["main_2025_non_fossil_share"] * 100
    )
    assert share[col["状态 status"]].endswith(
        table.status["main_2025_non_fossil_share"].replace("_", " ")
    )
    statuses = [r[col["状态 status"]].split(" ", 1)[1].replace(" ", "_") for r in rows.values()]
    assert sorted(statuses) == sorted(table.status.replace("not_evaluated", "n/a"))
    assert sheet.column_dimensions["R"].width >= 30  # the plan's text column is wide
    assert sheet.freeze_panes == "A2"

    traj = result.trajectories
    sheet = book["trajectories"]
    header = [c.value for c in sheet[1]]
    co2 = next(i for i, h in enumerate(header) if " co2 [" in h)
    rows = list(sheet.iter_rows(2, values_only=True))
    assert len(rows) == 6 * 41
    yanchi_2030 = next(r for r in rows if r[1] == "yanchi" and r[3] == 2030)
    assert yanchi_2030[2] == "盐池县"
    expected = float(traj.co2.sel(scenario="plan", region="yanchi", year=2030))
    assert yanchi_2030[co2] == pytest.approx(expected)

    sheet = book["peaks"]
    rows = list(sheet.iter_rows(2, values_only=True))
    city_co2 = next(r for r in rows if r[1] == "吴忠市 wuzhong" and r[2].endswith(" co2"))
    peak = result.peaks.sel(scenario="plan", region="wuzhong", quantity="co2")
    assert city_co2[3] == int(peak.peak_year) and city_co2[4] == pytest.approx(
        float(peak.peak_value)
    )
    assert np.isfinite(city_co2[4])


def _fresh_venv(tmp_path: Path) -> Path:
    """A new virtual environment seeing this interpreter's packages, carbonsim not among them."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this interpreter may itself be a venv (CI's): make its dependencies visible as plain paths
    # (a path line in a .pth adds the folder only; the editable carbonsim's finder is not loaded)
    import site as this_site

    Path(site, "zz_parent_packages.pth").write_text(
        "\n".join(this_site.getsitepackages()) + "\n", encoding="utf-8"
    )
    return python


def _source_copy(tmp_path: Path) -> Path:
    """The project's files (no .git, no virtual environments, no build output)."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "build", "*.egg-info", ".pytest_cache", "results", "*.zarr"
    )
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=ignore)
    return copy


def _isolation() -> list[str]:
    """``--no-build-isolation`` when setuptools >= 68 and wheel are here (the test extra)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        recent = int(version("setuptools").split(".")[0]) >= 68 and bool(version("wheel"))
    except PackageNotFoundError:
        recent = False
    return ["--no-build-isolation"] if recent else []


def test_plain_install_runs_the_bundled_plan_from_any_folder(tmp_path):
    python = _fresh_venv(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # this interpreter's pip installs into the new venv (`--python`; ensurepip would take ~15 s)
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    install += _isolation()
    done = subprocess.run(
        [*install, str(_source_copy(tmp_path))], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [python, "-c", "import carbonsim; print(carbonsim.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(tmp_path / "venv") in where, where
    script = tmp_path / "venv" / "bin" / "carbonsim"
    done = subprocess.run(
        [script, "run", "plan", "--out", "r", "--xlsx", "--no-explain"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("trajectories.nc", "feasibility.csv", "peaks.csv", "summary.md", "results.xlsx"):
        assert (work / "r" / name).stat().st_size > 0
