"""Scenario files: units, milestones, counties, extends, round trip, display, and the levers CLI."""

from __future__ import annotations

import csv
import io
import tomllib
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carbonsim
from carbonsim.constants import REGIONS
from carbonsim.definitions.levers import render_levers_markdown
from carbonsim.errors import ScenarioError
from carbonsim.inputs.sampling import Distribution
from carbonsim.inputs.scenario import Scenario, load_scenario
from carbonsim.model import LeverSet, lever_arrays

HERE = Path(__file__).parent
FIXTURES = HERE / "data" / "scenarios"
ROOT = HERE.parent
YEARS = list(range(2020, 2061))
FIXTURE_NAMES = ["base", "child", "grandchild", "stochastic"]


def fixture(name: str) -> Scenario:
    return load_scenario(FIXTURES / f"{name}.toml")


def county(name: str) -> int:
    return REGIONS.index(name)


# ---------------------------------------------------------------------------------------------
# loading, units
# ---------------------------------------------------------------------------------------------
def test_load_reads_metadata_and_normalises_values():
    s = fixture("base")
    assert (s.id, s.name_zh, s.name_en) == ("base", "测试基准", "Test base")
    assert s.description.startswith("Fixture")
    assert s.path == FIXTURES / "base.toml"
    assert s.levers["solar_capacity"] == {"yanchi": {2025: 8.0, 2030: 12.0}, "tongxin": {2025: 5.0}}
    assert s.levers["storage_ratio"] == {2025: 0.1, 2030: 0.15}
    assert s.levers["coal_supply_rate"] == 300.0
    assert s.levers["gdp_growth"] == {
        "default": {2025: 0.065, 2030: 0.055, 2035: 0.045},
        "yanchi": 0.07,
    }
    assert not s.is_stochastic
    assert s.distributions == []


def test_levers_are_in_lever_table_order():
    order = list(carbonsim.LEVERS)
    names = list(fixture("base").levers)
    assert names == sorted(names, key=order.index)


@pytest.mark.parametrize(
    ("lever", "written", "expected"),
    [
        ("wind_capacity", "2300 万千瓦", 23.0),
        ("wind_capacity", "23 GW", 23.0),
        ("wind_capacity", "800 MW", 0.8),
        ("storage_ratio", "13 %", 0.13),
        ("storage_ratio", "0.13", 0.13),
        ("coal_supply_rate", "0.3 kgce/kWh", 300.0),
        ("uhvdc_export", "300 亿千瓦时", 30.0),
        ("gdp_growth", "6.5 %", 0.065),  # a rate per year also takes a share
        ("gdp_growth", "6.5 %/yr", 0.065),
    ],
)
def test_units_are_converted_to_the_lever_unit(lever, written, expected):
    regional = lever == "wind_capacity"  # a capacity is given per county (or as city_total)
    value = {"yanchi": {2025: written}} if regional else {2025: written}
    s = Scenario(id="u", levers={lever: value})
    got = s.levers[lever]["yanchi"] if regional else s.levers[lever]
    assert got[2025] == pytest.approx(expected)


def test_milestone_keys_may_be_ints_or_strings_and_are_sorted():
    s = Scenario(id="k", levers={"storage_ratio": {"2030": 0.2, 2025: 0.1}})
    assert list(s.levers["storage_ratio"].items()) == [(2025, 0.1), (2030, 0.2)]


def test_city_and_all_keys_are_read_as_default():
    s = Scenario(id="d", levers={"gdp_growth": {"wuzhong": 0.05, "tongxin": 0.06}})
    assert s.levers["gdp_growth"] == {"default": 0.05, "tongxin": 0.06}


# ---------------------------------------------------------------------------------------------
# extends
# ---------------------------------------------------------------------------------------------
def test_extends_merges_per_county():
    s = fixture("child")
    assert s.id == "child" and s.name_zh == "测试子情景"
    # yanchi replaced, tongxin kept from base
    assert s.levers["solar_capacity"] == {"yanchi": {2030: 13.0}, "tongxin": {2025: 5.0}}
    # milestones for all counties replace the lever wholly
    assert s.levers["storage_ratio"] == {2030: 0.2}
    # the parent's all-county path becomes the default of the other counties
    assert s.levers["wind_capacity"] == {"default": {2025: pytest.approx(4.6)}, "litong": 1.5}
    # levers the child does not name come from the parent
    assert s.levers["coal_supply_rate"] == 300.0
    assert s.levers["gdp_growth"] == fixture("base").levers["gdp_growth"]


def test_extends_chain():
    s = fixture("grandchild")
    assert s.levers["solar_capacity"] == {"yanchi": {2030: 13.0}, "tongxin": {2030: 6.0}}
    assert s.levers["coal_supply_rate"] == pytest.approx(290.0)
    assert s.levers["storage_ratio"] == {2030: 0.2}
    assert s.levers["wind_capacity"]["litong"] == 1.5


def test_extends_outside_the_folder_only_when_allowed():
    with pytest.raises(ScenarioError, match="outside the scenarios folder"):
        load_scenario(FIXTURES / "sub" / "outside.toml")
    s = load_scenario(FIXTURES / "sub" / "outside.toml", allow_outside=True)
    assert s.levers["coal_supply_rate"] == 295.0
    assert s.levers["storage_ratio"] == {2025: 0.1, 2030: 0.15}


def test_extends_cycle_is_refused_with_the_chain_named():
    with pytest.raises(ScenarioError) as info:
        load_scenario(FIXTURES / "cycle_a.toml")
    assert "cycle_a.toml → cycle_b.toml → cycle_a.toml" in str(info.value)


# ---------------------------------------------------------------------------------------------
# round trip
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_to_toml_round_trip(name, tmp_path):
    s = fixture(name)
    text = s.to_toml()
    assert "extends" not in tomllib.loads(text)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    again = load_scenario(path)
    assert again == s
    assert again.to_toml() == text


def test_round_trip_keeps_text_with_quotes_and_newlines(tmp_path):
    s = Scenario(
        id="q",
        name_zh='引号"与\\反斜杠',
        description="line 1\nline 2\t\x7f",
        levers={"storage_ratio": {2025: 0.1}},
    )
    path = tmp_path / "q.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    assert load_scenario(path) == s


BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_load_and_round_trip(path, tmp_path):
    s = load_scenario(path)
    copy = tmp_path / path.name
    copy.write_text(s.to_toml(), encoding="utf-8")
    assert load_scenario(copy) == s


_finite = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=True)


@settings(max_examples=50, deadline=None)
@given(
    values=st.dictionaries(st.integers(2020, 2060), _finite, min_size=1, max_size=5),
    yanchi=_finite,
)
def test_round_trip_is_exact_for_any_float(values, yanchi, tmp_path_factory):
    s = Scenario(
        id="p",
        levers={"storage_ratio": values, "industry_gas_share": {"yanchi": yanchi}},
    )
    path = tmp_path_factory.mktemp("rt") / "p.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    assert load_scenario(path) == s


# ---------------------------------------------------------------------------------------------
# to arrays and simulate
# ---------------------------------------------------------------------------------------------
def test_deterministic_to_levers():
    s = fixture("base")
    lv = s.to_levers()
    assert isinstance(lv, LeverSet)
    assert (lv.n, lv.scenario_ids) == (1, ["base"])
    assert lv["solar_capacity"] == s.levers["solar_capacity"]
    lv["solar_capacity"]["yanchi"][2025] = 0.0  # a copy: the scenario is untouched
    assert s.levers["solar_capacity"]["yanchi"][2025] == 8.0
    repeated = s.to_levers(3)
    assert repeated.n == 3 and repeated.scenario_ids == ["base#0", "base#1", "base#2"]


def test_milestones_become_arrays(toy):
    arrays = lever_arrays(fixture("child").to_levers(), 1, YEARS, toy)
    solar = arrays["solar_capacity"][0]
    y = {year: i for i, year in enumerate(YEARS)}
    assert solar[county("yanchi"), y[2030]] == pytest.approx(13.0)
    assert solar[county("yanchi"), y[2040]] == pytest.approx(13.0)  # held after the last
    assert solar[county("tongxin"), y[2025]] == pytest.approx(5.0)
    wind = arrays["wind_capacity"][0]
    assert wind[county("litong"), y[2030]] == pytest.approx(1.5)
    assert wind[county("yanchi"), y[2025]] == pytest.approx(4.6)
    gdp = arrays["gdp_growth"][0]
    assert gdp[county("yanchi")] == pytest.approx(0.07)
    assert gdp[county("litong"), y[2021]] == pytest.approx(0.065)  # a rate holds backwards
    assert gdp[county("litong"), y[2026]] == pytest.approx(0.063)  # linear between milestones
    assert arrays["storage_ratio"][0, y[2030]] == pytest.approx(0.2)


def test_simulate_a_scenario(toy):
    ds = carbonsim.simulate(fixture("base"), baseline=toy)
    assert list(ds.scenario.values) == ["base"]
    solar = ds.capacity.sel(tech="solar", scenario="base")
    assert float(solar.sel(region="yanchi", year=2025)) == pytest.approx(8.0)
    assert float(solar.sel(region="yanchi", year=2030)) == pytest.approx(12.0)
    wind = ds.capacity.sel(tech="wind", scenario="base", year=2025)
    assert float(wind.sel(region="wuzhong")) == pytest.approx(23.0)  # 5 x 460 万千瓦
    gdp = ds.gdp.sel(scenario="base", region="yanchi")
    assert float(gdp.sel(year=2021) / gdp.sel(year=2020)) == pytest.approx(1.07)


def test_simulate_a_scenario_file(toy):
    ds = carbonsim.simulate(FIXTURES / "grandchild.toml", baseline=toy)
    coal_rate = ds.coal_supply_rate.sel(scenario="grandchild", region="wuzhong", year=2030)
    assert float(coal_rate) == pytest.approx(290.0)


def test_sampled_scenario_through_lever_arrays(toy):
    s = fixture("stochastic")
    lv = s.to_levers(64, seed=11)
    assert lv.scenario_ids[:2] == ["stochastic#0", "stochastic#1"]
    arrays = lever_arrays(lv, 64, YEARS, toy)
    y = {year: i for i, year in enumerate(YEARS)}
    hours = arrays["wind_hours"]
    assert hours.shape == (64, len(YEARS))
    assert np.all((hours[:, y[2025]] >= 1400) & (hours[:, y[2025]] <= 2200))
    assert np.ptp(hours[:, y[2025]]) > 100  # values differ across scenarios
    assert np.all(hours[:, y[2030]] == 1900)
    solar = arrays["solar_capacity"][:, county("yanchi"), y[2030]]
    assert np.all((solar >= 10) & (solar <= 15))
    # a scalar distribution holds in every year
    export = arrays["uhvdc_export"]
    assert np.all(export == export[:, :1]) and np.all(export <= 100)
    assert set(np.unique(arrays["nev_sales_share"][:, 0, -1])) <= {0.15, 0.2, 0.3}


def test_simulate_sampled_batch(toy):
    lv = fixture("stochastic").to_levers(5, seed=1)
    ds = carbonsim.simulate(lv, baseline=toy)
    assert ds.sizes["scenario"] == 5
    assert list(ds.scenario.values) == [f"stochastic#{i}" for i in range(5)]


def test_to_levers_with_a_given_unit_sample():
    s = fixture("stochastic")
    d = len(s.distributions)
    u = np.full((3, d), 0.5)
    lv = s.to_levers(unit_sample=u)
    assert lv.n == 3
    assert lv["other_industry_intensity_change"][2030] == pytest.approx([-0.2] * 3)
    assert lv["solar_capacity"]["yanchi"][2030] == pytest.approx([12.5] * 3)
    assert lv["wind_hours"][2025] == pytest.approx([1800.0] * 3)
    with pytest.raises(ScenarioError, match="one column per distribution"):
        s.to_levers(unit_sample=np.full((3, d + 1), 0.5))
    with pytest.raises(ScenarioError, match="outside"):
        s.to_levers(unit_sample=np.full((3, d), 1.5))


def test_sampled_values_are_reproducible_and_batch_independent():
    s = fixture("stochastic")
    a = s.to_levers(10, seed=42)
    b = s.to_levers(1000, seed=42)
    c = s.to_levers(500, seed=42, start=500)
    for path, _ in s.distributions:
        va, vb, vc = (_at(lv, path) for lv in (a, b, c))
        np.testing.assert_array_equal(va, vb[:10], err_msg=str(path))
        np.testing.assert_array_equal(vc, vb[500:], err_msg=str(path))
    assert c.scenario_ids[0] == "stochastic#500"
    again = s.to_levers(10, seed=42)
    np.testing.assert_array_equal(_at(again, ("wind_hours", 2025)), _at(a, ("wind_hours", 2025)))
    other = s.to_levers(10, seed=43)
    assert not np.array_equal(_at(other, ("wind_hours", 2025)), _at(a, ("wind_hours", 2025)))


def _at(levers, path):
    value = levers
    for key in path:
        value = value[key]
    return value[2020] if isinstance(value, dict) else value


def test_distributions_order_and_names():
    from carbonsim.inputs.sampling import dimension_names

    s = fixture("stochastic")
    names = dimension_names(s)
    assert names == [  # lever-table order, then county, then year
        "other_industry_intensity_change.2030",
        "nev_sales_share",
        "solar_capacity.yanchi.2030",
        "wind_hours.2025",
        "uhvdc_export",
    ]
    assert [p for p, _ in s.distributions][2] == ("solar_capacity", "yanchi", 2030)
    assert s.is_stochastic


# ---------------------------------------------------------------------------------------------
# replace, with_id
# ---------------------------------------------------------------------------------------------
def test_replace_returns_a_new_scenario():
    base = fixture("base")
    what_if = base.replace(storage_ratio={2025: 0.15}, solar_capacity={"litong": "50 万千瓦"})
    assert what_if.levers["storage_ratio"] == {2025: 0.15}
    assert what_if.levers["solar_capacity"] == {
        "litong": 0.5,
        "yanchi": {2025: 8.0, 2030: 12.0},
        "tongxin": {2025: 5.0},
    }
    assert base.levers["storage_ratio"] == {2025: 0.1, 2030: 0.15}
    assert what_if.id == base.id and what_if != base


def test_replace_none_drops_a_lever_and_accepts_distributions():
    s = fixture("base").replace(
        coal_supply_rate=None,
        wind_hours={2025: Distribution.create("uniform", {"low": 1500, "high": 2000})},
        solar_hours={"dist": "uniform", "low": "1400 h", "high": 1600},
    )
    assert "coal_supply_rate" not in s.levers
    assert [p for p, _ in s.distributions] == [("wind_hours", 2025), ("solar_hours",)]


def test_replace_validates():
    base = fixture("base")
    with pytest.raises(ScenarioError) as info:
        base.replace(storage_ratio={2025: 1.3})
    message = str(info.value)
    assert "levers.storage_ratio.2025" in message and "share above 100 %" in message
    assert "replace()" in message
    with pytest.raises(ScenarioError, match="Did you mean 'storage_ratio'"):
        base.replace(storage_ration=0.1)
    with pytest.raises(ScenarioError, match="Did you mean 'storage_ratio'"):
        base.replace(storage_ration=None)


def test_with_id():
    s = fixture("base").with_id("base-2")
    assert s.id == "base-2"
    assert s.levers == fixture("base").levers
    with pytest.raises(ScenarioError, match="without spaces"):
        s.with_id("has space")


# ---------------------------------------------------------------------------------------------
# display
# ---------------------------------------------------------------------------------------------
def test_repr_html_shows_names_values_and_distributions():
    page = fixture("stochastic")._repr_html_()
    for text in (
        "stochastic",
        "不确定性情景",
        "Uncertain scenario",
        "Every distribution kind",
        "光伏装机容量",
        "盐池县 yanchi",
        "2025: 8 → 2030: uniform(10, 15)",
        "triangular(-0.3, -0.2, -0.1)",
        "normal(mean=1800, sd=150, low=1400, high=2200) → 2030: 1900",
        "lognormal(median=30, sigma=0.2, high=100)",
        "choice([0.15, 0.2, 0.3], weights=[1, 2, 1])",
        "<table",
    ):
        assert text in page, text
    assert repr(fixture("stochastic")) == (
        "<Scenario 'stochastic' 不确定性情景 (Uncertain scenario): 9 levers, 5 distributions>"
    )


def test_levers_table():
    frame = fixture("stochastic").levers_table()
    assert list(frame.columns) == [
        "lever",
        "name_zh",
        "region",
        "year",
        "value",
        "distribution",
        "unit",
    ]
    row = frame[(frame.lever == "solar_capacity") & (frame.year == 2025)].iloc[0]
    assert (row.region, row.value, row.unit, row.name_zh) == ("yanchi", 8.0, "GW", "光伏装机容量")
    dist = frame[frame.lever == "other_industry_intensity_change"].iloc[0]
    assert dist.region == "all" and np.isnan(dist.value)
    assert dist.distribution == "triangular(-0.3, -0.2, -0.1)"
    storage = frame[frame.lever == "coal_supply_rate"].iloc[0]
    assert storage.region == "" and storage.year is not None and str(storage.year) == "<NA>"


# ---------------------------------------------------------------------------------------------
# the levers CLI and docs/levers.md
# ---------------------------------------------------------------------------------------------
def run_cli(*argv) -> str:
    from carbonsim.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["levers", *argv]) == 0
    return out.getvalue()


def test_cli_levers_table_and_group():
    text = run_cli("--group", "power")
    assert "solar_capacity" in text and "光伏装机容量" in text
    assert "gdp_growth" not in text
    assert "levers)" in text.splitlines()[-1]


def test_cli_levers_csv():
    rows = list(csv.DictReader(io.StringIO(run_cli("--format", "csv"))))
    by_name = {row["name"]: row for row in rows}
    assert by_name["solar_capacity"]["unit"] == "GW"
    assert by_name["solar_capacity"]["dims"] == "region,year"
    assert by_name["coal_supply_rate"]["lower"] == "200"
    assert len(rows) == len(carbonsim.LEVERS)


def test_cli_levers_markdown_and_unknown_group(capsys):
    from carbonsim.cli import main

    assert run_cli("--format", "markdown") == render_levers_markdown()
    power = run_cli("--format", "markdown", "--group", "power")
    assert "`solar_capacity`" in power and "`gdp_growth`" not in power
    assert main(["levers", "--group", "powr"]) == 2
    assert "Did you mean 'power'" in capsys.readouterr().err


def test_cli_levers_output_file(tmp_path):
    out = tmp_path / "levers.md"
    run_cli("--format", "markdown", "--output", str(out))
    assert out.read_text(encoding="utf-8") == render_levers_markdown()


def test_docs_levers_md_is_up_to_date():
    docs = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    assert docs == render_levers_markdown(), (
        "docs/levers.md is out of date: run "
        "`carbonsim levers --format markdown --output docs/levers.md`"
    )


# ---------------------------------------------------------------------------------------------
# docs/scenarios.md examples are valid
# ---------------------------------------------------------------------------------------------
def _toml_examples() -> list[str]:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    blocks = text.split("```toml\n")[1:]
    return [block.split("```")[0] for block in blocks]


@pytest.mark.parametrize("index", range(len(_toml_examples())))
def test_docs_examples_load(index, tmp_path):
    example = _toml_examples()[index]
    if "extends" in example:
        example = example.replace('extends = "plan.toml"', "")
    if "id =" not in example:
        example = 'id = "doc"\n' + example
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    assert load_scenario(path).levers
