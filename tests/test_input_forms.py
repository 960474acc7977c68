"""Every accepted form of a lever value gives the same arrays; a baseline file edited in place is
read again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import carbonsim
from carbonsim.baseline import DEFAULT_PATH, baseline_balances
from carbonsim.baseline.cache import resolve_baseline
from carbonsim.inputs.scenario import Scenario

YEARS = range(2020, 2031)


def _gdp(levers_or_scenario, **kw):
    ds = carbonsim.simulate(levers_or_scenario, years=YEARS, variables=["gdp"], **kw)
    return ds.gdp.values[0]


@pytest.fixture(scope="module")
def reference():
    return _gdp({"gdp_growth": 0.065})


@pytest.mark.parametrize(
    "value",
    [
        0.065,
        "6.5 %",
        "0.065",
        "0.065 1/yr",
        {2021: 0.065},
        {2021: "6.5 %", 2030: 0.065},
        {"default": "6.5 %"},
        {"wuzhong": 0.065},
        {c: {2021: "6.5%"} for c in carbonsim.regions.WUZHONG.counties},
        np.full(len(YEARS), 0.065),
    ],
    ids=repr,
)
def test_every_form_of_a_rate_gives_the_same_array(reference, value):
    np.testing.assert_array_equal(_gdp({"gdp_growth": value}), reference)


@pytest.mark.parametrize("value", [0.065, "6.5 %", {2021: "6.5 %"}, {"default": "6.5 %"}], ids=repr)
def test_scenario_and_replace_read_values_like_simulate(reference, value):
    scenario = Scenario(id="x", levers={"gdp_growth": value})
    np.testing.assert_array_equal(_gdp(scenario), reference)
    replaced = Scenario(id="y").replace(gdp_growth=value)
    np.testing.assert_array_equal(_gdp(replaced), reference)


def test_percent_of_a_share_lever_is_a_fraction():
    a = carbonsim.simulate({"storage_ratio": "15 %"}, years=YEARS, variables=["capacity"])
    b = carbonsim.simulate({"storage_ratio": 0.15}, years=YEARS, variables=["capacity"])
    np.testing.assert_array_equal(a.capacity.values, b.capacity.values)


def test_quantities_with_plan_units_convert(reference):
    a = carbonsim.simulate({"solar_capacity": {"yanchi": {2030: "800 万千瓦"}}}, years=YEARS)
    b = carbonsim.simulate({"solar_capacity": {"yanchi": {2030: 8.0}}}, years=YEARS)
    np.testing.assert_array_equal(a.capacity.values, b.capacity.values)


def test_editing_a_baseline_file_changes_the_next_simulation(tmp_path):
    path = tmp_path / "baseline.csv"
    path.write_bytes(DEFAULT_PATH.read_bytes())
    keep = ["coal_supply_rate", "energy_consumption"]
    before = carbonsim.simulate(baseline=path, years=YEARS, variables=keep)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = table.variable == "coal_supply_rate"
    table.loc[row, "value"] = str(float(table.loc[row, "value"].iloc[0]) * 1.1)
    table.to_csv(path, index=False)
    after = carbonsim.simulate(baseline=path, years=YEARS, variables=keep)
    np.testing.assert_allclose(after.coal_supply_rate / before.coal_supply_rate, 1.1)
    assert (after.energy_consumption > before.energy_consumption).all()
    # the same file, unchanged, is served from the cache: the very same dataset
    assert resolve_baseline(path) is resolve_baseline(path)


def test_engine_2020_equals_the_baseline_balances():
    ds = carbonsim.simulate(years=YEARS)
    base = carbonsim.load_baseline()
    acc = baseline_balances(base)
    y0 = ds.sel(year=2020, scenario=ds.scenario[0])
    for name in ("energy_consumption", "electricity_demand"):
        np.testing.assert_allclose(
            y0[name].sel(region=acc.region).values, acc[name].values, rtol=1e-9, err_msg=name
        )
    # consumption: the balances' grid losses plus what storage loses in the engine's dispatch
    np.testing.assert_allclose(
        (y0["electricity_consumption"] - y0["storage_losses"]).sel(region=acc.region).values,
        acc["electricity_consumption"].values,
        rtol=1e-9,
    )
    # supply: the balances run coal at its recorded hours; the dispatch backs it down where the
    # exchange limit binds, and the city's CO2 differs by exactly that coal
    city = y0.sel(region="wuzhong")
    recorded = acc["generation"].sel(region="wuzhong", generation_tech="coal")
    backed_down = float(recorded) - float(city.generation.sel(tech="coal"))
    assert 0 <= backed_down <= 0.1 * float(recorded)
    coal_co2 = (
        backed_down * float(base.coal_supply_rate) * 0.1
        * float(base.emission_factor.sel(fuel="coal"))
    )  # fmt: skip
    territorial = float(acc["co2_territorial"].sel(region="wuzhong"))
    assert float(city.co2_territorial) == pytest.approx(territorial - coal_co2, rel=1e-9)
    # and what the city no longer generates it imports (the dispatch splits its 2.5 % curtailment
    # over wind and solar by the hour, the balances by the recorded rates: 1e-5 of the total)
    trade = backed_down * float(base.grid_emission_factor) * 100
    assessment = float(acc["co2_assessment"].sel(region="wuzhong"))
    assert float(city.co2_assessment) == pytest.approx(assessment - coal_co2 + trade, rel=1e-5)


def test_expanded_levers_are_cached_by_value_and_never_shared_writable():
    from carbonsim.inputs.values import expand_lever

    years = list(range(2020, 2031))
    a = expand_lever("coal_hours", {2025: 4500.0, 2030: 4000.0}, 1, years, start=4800.0)
    b = expand_lever("coal_hours", {2025: 4500.0, 2030: 4000.0}, 1, years, start=4800.0)
    c = expand_lever("coal_hours", {2025: 4500.0, 2030: 3900.0}, 1, years, start=4800.0)
    assert b is a and not a.flags.writeable  # the same value: the same read-only array
    assert c[0, -1] == 3900.0 and a[0, -1] == 4000.0  # another value: its own array
    milestones = np.array([4500.0, 4000.0])
    d = expand_lever(
        "coal_hours", {2025: milestones[0], 2030: milestones[1]}, 1, years, start=4800.0
    )
    milestones[1] = 3000.0  # the caller's array changed: the key follows the value
    e = expand_lever(
        "coal_hours", {2025: milestones[0], 2030: milestones[1]}, 1, years, start=4800.0
    )
    assert d[0, -1] == 4000.0 and e[0, -1] == 3000.0
