"""what_it_takes / feasible_region: closed-form answers, brute force, infeasibility, CLI."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import carbonsim
from carbonsim.analysis.what_it_takes import feasible_region, peak_target, what_it_takes
from carbonsim.baseline.cache import resolve_baseline
from carbonsim.catalogue import load_targets
from carbonsim.cli import main
from carbonsim.constants import DEFAULT_YEARS, REGIONS
from carbonsim.errors import CatalogueError, LeverError, ScenarioError
from carbonsim.feasibility import check
from carbonsim.model.arrays import lever_arrays

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "scenarios" / "plan.toml"
YEARS = list(DEFAULT_YEARS)


@pytest.fixture(scope="module")
def plan():
    return carbonsim.load_scenario(PLAN)


@pytest.fixture(scope="module")
def plan_arrays(plan):
    return lever_arrays(plan.to_levers(), 1, YEARS, resolve_baseline(None))


@pytest.fixture(scope="module")
def catalogue():
    return load_targets()


def variant(catalogue, target_id, **changes):
    """A copy of a catalogue record with other values (an ad-hoc question)."""
    return dataclasses.replace(catalogue[target_id], **changes)


def city(arrays, name, year):
    return float(arrays[name][0, :, YEARS.index(year)].sum())


def margins_of(scenario, targets):
    return check(carbonsim.simulate(scenario), targets).dataset.margin.values[0]


# ---------------------------------------------------------------------------------------------
# one lever: answers known in closed form
# ---------------------------------------------------------------------------------------------
def test_solar_for_2800_in_2025_matches_hand_computation(plan, plan_arrays):
    # new-energy capacity 2025 = wind + solar; solar moves as s2020 + x (s2025 - s2020)
    r = what_it_takes(plan, "a1_2025_new_energy_capacity", ["solar_capacity"])
    s0, s25 = city(plan_arrays, "solar_capacity", 2020), city(plan_arrays, "solar_capacity", 2025)
    wind = city(plan_arrays, "wind_capacity", 2025)
    expected = (28.0 - wind - s0) / (s25 - s0)
    assert r.feasible
    assert r.scalars["solar_capacity"] == pytest.approx(expected, abs=1e-6)
    assert r.binding == ["a1_2025_new_energy_capacity"]
    row = r.levers[(r.levers.lever == "solar_capacity") & (r.levers.year == 2025)].iloc[0]
    assert row.after == pytest.approx(28.0 - wind, abs=1e-5)
    assert row.after_as_written == pytest.approx(100 * (28.0 - wind), abs=1e-3)  # 万千瓦
    assert row.plan_unit == "万千瓦"
    target = r.targets.set_index("target").loc["a1_2025_new_energy_capacity"]
    assert target.margin_before == pytest.approx(-500.0)  # 万千瓦
    assert target.margin_after >= 0 and target.met_after and not target.met_before


def test_storage_ratio_shift_matches_hand_computation(plan, catalogue):
    # storage_to_new_energy_ratio is the storage_ratio lever itself: 0.10 in 2025 -> +0.05
    question = variant(catalogue, "a5_2025_storage_ratio", id="storage_15", value=0.15)
    r = what_it_takes(plan, [question], ["storage_ratio"])
    assert r.feasible
    assert r.scalars["storage_ratio"] == pytest.approx(0.05, abs=1e-6)
    assert r.relative_change["storage_ratio"] == pytest.approx(0.5, abs=1e-5)


def test_a_lever_the_scenario_leaves_unchanged_moves_by_an_added_amount(plan, catalogue):
    # the plan keeps clinker output at its 2020 level (500 万吨): x is an amount, split by county
    question = variant(catalogue, "c4_2025_clinker_capacity_cap", id="clinker_400", value=400.0)
    r = what_it_takes(plan, [question], ["output_clinker"])
    assert r.adjustments[0].mode == "add_level"
    assert r.scalars["output_clinker"] == pytest.approx(-100.0, abs=1e-6)
    assert r.levers.after.tolist() == pytest.approx([400.0, 400.0, 400.0], abs=1e-6)


def test_from_year_keeps_earlier_years(plan):
    r = what_it_takes(plan, "a1_2030_new_energy_capacity", ["solar_capacity"], from_year=2026)
    rows = r.levers.set_index("year")
    assert rows.loc[2025, "after"] == rows.loc[2025, "before"]
    assert rows.loc[2030, "after"] > rows.loc[2030, "before"]
    assert "from 2026" in r.lever_lines()[0]


def test_already_met_needs_no_change_and_least_effort_finds_the_slack(plan, catalogue):
    r = what_it_takes(plan, "a5_2025_storage_ratio", ["storage_ratio"])
    assert r.feasible and r.scalars["storage_ratio"] == 0.0
    assert "no change" in r.verdict
    question = variant(catalogue, "a5_2025_storage_ratio", id="storage_8", value=0.08)
    slack = what_it_takes(plan, [question], ["storage_ratio"], objective="least_effort")
    assert slack.scalars["storage_ratio"] == pytest.approx(-0.02, abs=1e-6)
    assert slack.directions == {"storage_ratio": "up"}


def test_one_county_moves_only_that_county(plan, plan_arrays):
    r = what_it_takes(plan, "a1_2025_new_energy_capacity", ["solar_capacity:yanchi"])
    y0 = plan_arrays["solar_capacity"][0, REGIONS.index("yanchi"), 0]
    y25 = plan_arrays["solar_capacity"][0, REGIONS.index("yanchi"), YEARS.index(2025)]
    assert r.scalars["solar_capacity:yanchi"] == pytest.approx(1 + 5.0 / (y25 - y0), abs=1e-6)
    assert set(r.scenario.levers["solar_capacity"]) == set(REGIONS)  # others kept by merge
    ds = carbonsim.simulate(r.scenario)
    base = carbonsim.simulate(plan)
    others = [c for c in REGIONS if c != "yanchi"]
    np.testing.assert_allclose(
        ds.capacity.sel(tech="solar", region=others), base.capacity.sel(tech="solar", region=others)
    )


def test_adjusted_scenario_reproduces_the_margins(plan, catalogue):
    r = what_it_takes(plan, "a1_2025_new_energy_capacity", ["solar_capacity"])
    cat = catalogue.filter(indicator="new_energy_capacity", year=2025, tier="stretch")
    margin = margins_of(r.scenario, cat)[0]
    assert margin == pytest.approx(r.targets.margin_after.iloc[0] / 100.0, abs=1e-9)
    assert margin >= 0


# ---------------------------------------------------------------------------------------------
# several levers: brute force
# ---------------------------------------------------------------------------------------------
def test_two_levers_beat_the_best_feasible_grid_point(plan):
    ids = ["a1_2025_new_energy_capacity", "a1_2030_new_energy_capacity"]
    r = what_it_takes(plan, ids, ["solar_capacity", "wind_capacity"])
    assert r.feasible
    assert (r.targets.margin_after >= 0).all()
    grid = feasible_region(
        plan, "solar_capacity", "wind_capacity", ids, grid=(41, 41),
        x_range=(1.0, 2.0), y_range=(1.0, 2.0),
    )  # fmt: skip
    steps = {a.key: a.step for a in r.adjustments}
    zx = (grid.x.values - 1.0) / steps["solar_capacity"]
    zy = (grid.y.values - 1.0) / steps["wind_capacity"]
    objective = zx[None, :] ** 2 + zy[:, None] ** 2
    best_grid = float(np.min(np.where(grid.all_met.values, objective, np.inf)))
    z = [(r.scalars[k] - 1.0) / steps[k] for k in ("solar_capacity", "wind_capacity")]
    assert np.isfinite(best_grid)
    assert z[0] ** 2 + z[1] ** 2 <= best_grid + 1e-9
    assert "a1_2025_new_energy_capacity" in r.binding


def test_results_are_reproducible(plan):
    ids = ["a1_2025_new_energy_capacity", "a1_2030_new_energy_capacity"]
    a = what_it_takes(plan, ids, ["solar_capacity", "wind_capacity"])
    b = what_it_takes(plan, ids, ["solar_capacity", "wind_capacity"])
    assert a.scalars == b.scalars
    assert a.to_markdown() == b.to_markdown()
    assert a.to_dataframe().equals(b.to_dataframe())


#: one GDP path for every county (bau before it used the observed 2021-23 growth): with it the
#: plan's city CO2 peaks in 2028, so "利通区 strictly before the city" can be reached; with the
#: observed path the city's CO2 is flat 2020-28 and peaks in 2020 within the plateau tolerance
UNIFORM_GROWTH = {2021: 0.067, 2025: 0.065, 2030: 0.055, 2035: 0.045, 2045: 0.035, 2060: 0.02}


def test_several_levers_with_a_step_target(plan, catalogue):
    levers = ["gdp_growth:yanchi", "other_industry_intensity_change:yanchi"]
    r = what_it_takes(plan, "j1_yanchi_co2_peak_with_city", levers)
    assert r.feasible and r.targets.margin_after.iloc[0] >= 0
    order = catalogue.filter(region="yanchi", kind="order")
    assert margins_of(r.scenario, order)[0] == r.targets.margin_after.iloc[0]


def test_targets_by_filter_and_the_tables(plan):
    r = what_it_takes(plan, {"indicator": "storage_to_new_energy_ratio"}, ["storage_ratio"])
    assert list(r.targets.target) == ["a5_2025_storage_ratio"]
    frame = r.to_dataframe()
    assert set(frame.part) == {"lever", "target"}
    assert list(frame[frame.part == "lever"].year) == [2025, 2030, 2035]
    html = r._repr_html_()
    assert "<table>" in html and "storage_ratio" in html and "feasible" in html
    assert "<WhatItTakes 'plan': feasible" in repr(r)


# ---------------------------------------------------------------------------------------------
# infeasible
# ---------------------------------------------------------------------------------------------
def test_unreachable_capacity_is_reported_with_its_best_margin(plan, catalogue, plan_arrays):
    huge = variant(catalogue, "main_2025_new_energy_capacity", id="ne_500", value=500.0)
    r = what_it_takes(plan, [huge], ["solar_capacity:yanchi"])
    assert not r.feasible and r.scenario is None
    assert r.unattainable == ["ne_500"]
    assert "infeasible within the lever bounds" in r.verdict
    assert "infeasible within the lever bounds" in r.to_markdown().lower()
    # best: yanchi's solar path reaches the lever table's 200 GW in 2060
    solar = plan_arrays["solar_capacity"][0, REGIONS.index("yanchi")]
    x_max = (200.0 - solar[0]) / (solar[-1] - solar[0])
    capacity_2025 = (
        city(plan_arrays, "solar_capacity", 2025)
        + city(plan_arrays, "wind_capacity", 2025)
        + (x_max - 1.0) * (solar[YEARS.index(2025)] - solar[0])
    )
    assert r.best_margins["ne_500"] == pytest.approx(100 * (capacity_2025 - 500.0), rel=1e-6)


def test_targets_that_conflict_are_named(plan, catalogue):
    high = variant(catalogue, "a5_2025_storage_ratio", id="storage_at_least_15", value=0.15)
    low = variant(catalogue, "a5_2025_storage_ratio", id="storage_at_most_12", op="<=", value=0.12)
    r = what_it_takes(plan, [high, low, "a5_2025_storage_duration"], ["storage_ratio"])
    assert not r.feasible
    assert r.unattainable == []
    assert sorted(r.conflicting) == ["storage_at_least_15", "storage_at_most_12"]
    assert r.best_margins["storage_at_least_15"] > 0 and r.best_margins["storage_at_most_12"] > 0
    assert "Cannot be met together" in r.to_markdown()


# ---------------------------------------------------------------------------------------------
# peaking questions
# ---------------------------------------------------------------------------------------------
def test_peak_target_is_a_checkable_record():
    t = peak_target("litong", 2025)
    assert (t.op, t.kind, t.region, t.year, t.indicator) == (
        "peak_by",
        "order",
        "litong",
        2025,
        "co2",
    )
    with pytest.raises(CatalogueError, match="region"):
        peak_target("litongg", 2025)


def test_the_plan_already_peaks_yanchi_by_2030(plan):
    # until the storage reserve of issue 14 the plan missed this and the answer was an efficiency
    # gain (x < 0, binding); with storage serving the evening load from the midday surplus the plan
    # meets it (margin ~0.007), so no change is what it takes
    lever = "other_industry_intensity_change:yanchi"
    question = peak_target("yanchi", 2030)
    r = what_it_takes(plan, [question], [lever])
    assert r.feasible and r.binding == []
    assert r.scalars[lever] == 0
    assert margins_of(plan, [question])[0] > 0


def test_step_target_gives_the_smallest_scalar_that_meets_it(plan):
    # 盐池县 with the city: a margin in whole years, found by bisection (利通区 strictly before
    # the city is out of reach since the hourly dispatch: the city peaks in 2020)
    lever, target = "gdp_growth:yanchi", "j1_yanchi_co2_peak_with_city"
    r = what_it_takes(plan, target, [lever])
    assert r.feasible and r.binding == [target]
    x = r.scalars[lever]
    assert x < 0
    assert margins_of(r.scenario, load_targets().filter(region="yanchi", kind="order"))[0] >= 0
    # the met set of a step target need not be an interval (islands); the answer is the edge of
    # the met interval nearest the plan on the search grid: just beyond it, nothing meets
    nearer = what_it_takes(plan, target, [lever], bounds={lever: (x + 1e-6, x + 1e-3)})
    assert not nearer.feasible and nearer.best_margins[target] < 0


def test_lower_gdp_growth_keeps_the_city_peak(plan):
    # see UNIFORM_GROWTH; not coal hours: grid-supplied electricity carries the grid's factor,
    # so local coal hours leave the consumption-basis CO2 alone
    slower = plan.replace(gdp_growth={year: 0.95 * v for year, v in UNIFORM_GROWTH.items()})
    lever = "other_industry_intensity_change"
    r = what_it_takes(slower, "main_2030_co2_peak", [lever])
    assert r.feasible and r.scalars[lever] == 0.0
    slack = what_it_takes(slower, "main_2030_co2_peak", [lever], objective="least_effort")
    assert slack.feasible and slack.binding == ["main_2030_co2_peak"]
    assert slack.scalars[lever] > 0.0  # industry's intensity may fall less than planned


# ---------------------------------------------------------------------------------------------
# feasible region
# ---------------------------------------------------------------------------------------------
def test_feasible_region_matches_direct_simulation(plan, plan_arrays, catalogue):
    ids = [
        "a1_2025_new_energy_capacity",
        "main_2025_nonhydro_renewable_share",
        "a5_2025_storage_ratio",
    ]
    fr = feasible_region(plan, "solar_capacity", "storage_ratio", ids, grid=(5, 4),
                         x_range=(0.5, 2.0), y_range=(-0.05, 0.1))  # fmt: skip
    assert fr.share_met.dims == ("y", "x") and fr.share_met.shape == (4, 5)
    assert fr.attrs["x_lever"] == "solar_capacity" and fr.attrs["targets"] == ids
    assert float(fr.x_value[0]) < float(fr.x_value[-1])
    assert ((fr.share_met >= 0) & (fr.share_met <= 1)).all()
    solar = plan_arrays["solar_capacity"][0]
    storage = plan_arrays["storage_ratio"][0]
    moved = np.arange(len(YEARS)) >= 1
    for iy, ix in [(0, 0), (3, 3)]:
        x, y = float(fr.x[ix]), float(fr.y[iy])
        path = np.where(moved, solar[:, :1] + x * (solar - solar[:, :1]), solar)
        ratio = np.where(moved, np.clip(storage + y, 0, 1), storage)
        scenario = plan.replace(
            solar_capacity={
                c: dict(zip(YEARS, path[i], strict=True)) for i, c in enumerate(REGIONS)
            },
            storage_ratio=dict(zip(YEARS, ratio, strict=True)),
        )
        result = check(carbonsim.simulate(scenario), catalogue.filter()).dataset.sel(target=ids)
        met = result.holds.values[0]  # what it takes: the condition, inputs read back included
        assert float(fr.share_met[iy, ix]) == pytest.approx(met.mean())
        assert bool(fr.all_met[iy, ix]) == bool(met.all())


# ---------------------------------------------------------------------------------------------
# errors and CLI
# ---------------------------------------------------------------------------------------------
def test_errors_name_the_problem(plan):
    with pytest.raises(LeverError, match="Did you mean 'solar_capacity'"):
        what_it_takes(plan, "a5_2025_storage_ratio", ["solar_capacty"])
    with pytest.raises(LeverError, match=r"unknown county 'yanchy'.*'yanchi'"):
        what_it_takes(plan, "a5_2025_storage_ratio", ["solar_capacity:yanchy"])
    with pytest.raises(LeverError, match="no county axis"):
        what_it_takes(plan, "a5_2025_storage_ratio", ["storage_ratio:yanchi"])
    with pytest.raises(CatalogueError, match="a5_2025_storage_ratio"):
        what_it_takes(plan, "a5_2025_storage_rati", ["storage_ratio"])
    with pytest.raises(LeverError, match="at least one lever"):
        what_it_takes(plan, "a5_2025_storage_ratio")
    uncertain = carbonsim.load_scenario(ROOT / "scenarios" / "uncertainty.toml")
    with pytest.raises(ScenarioError, match="distributions"):
        what_it_takes(uncertain, "a5_2025_storage_ratio", ["storage_ratio"])


def test_cli_table_markdown_and_csv(capsys):
    args = ["what-it-takes", str(PLAN), "--lever", "solar_capacity",
            "--target", "a1_2025_new_energy_capacity"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "feasible" in out and "万千瓦" in out and "a1_2025_new_energy_capacity" in out
    assert main([*args, "--format", "markdown"]) == 0
    assert "| target | as written |" in capsys.readouterr().out
    assert main([*args, "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("part,id,region,year") and len(csv) == 1 + 3 + 1


def test_cli_infeasible_exit_status_and_help(capsys):
    # (main_2030_non_fossil_share was infeasible only under the two-sided 左右 reading)
    args = ["what-it-takes", str(PLAN), "--lever", "solar_capacity",
            "--target", "main_2035_fossil_energy_no_growth",
            "--bound", "solar_capacity=0.5:1.5"]  # fmt: skip
    assert main(args) == 1
    assert "infeasible within the lever bounds" in capsys.readouterr().out
    assert main(["what-it-takes", str(PLAN), "--lever", "x", "--bound", "oops"]) == 2
    assert "LEVER=LO:HI" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["what-it-takes", "--help"])
    assert "examples:" in capsys.readouterr().out
