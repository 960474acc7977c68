"""Planner ergonomics: bundled scenarios by name, `carbonsim scenarios`, `carbonsim new`,
`python -m carbonsim` (the install from any folder, the workbook and the report page are in
tests/test_report_page.py)."""

import subprocess
import sys
import tomllib
from pathlib import Path

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
        [sys.executable, "-m", "carbonsim", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("carbonsim")


def test_other_commands_take_a_bundled_name(tmp_path, capsys):
    out = tmp_path / "co2.png"
    assert main(["plot", "trajectory", "plan", "--indicator", "co2", "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert main(["plot", "trajectory", "plna", "--out", str(out)]) == 2
    assert "Did you mean 'plan'" in capsys.readouterr().err
