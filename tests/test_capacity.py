"""Production-capacity stocks and the capacity bans checked on them (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest

import carbonsim
from carbonsim.catalogue import load_targets
from carbonsim.engine.stocks import production_capacity
from carbonsim.feasibility import check

U = np.array([0.9])
NONE = np.array([0.0])


def one_series(output, capacity0, utilisation=U, retirement=NONE):
    out = np.asarray(output, dtype=float).reshape(1, 1, 1, -1)
    return production_capacity(out, np.array([[capacity0]]), utilisation, retirement)[0, 0, 0]


def test_a_rise_within_idle_capacity_adds_none():
    # 100 of capacity at 90 % at most: output up to 90 needs nothing new
    cap = one_series([66.0, 80.0, 90.0, 85.0], 100.0)
    assert cap.tolist() == [100.0, 100.0, 100.0, 100.0]


def test_output_above_the_highest_utilisation_builds_capacity():
    cap = one_series([66.0, 99.0, 81.0, 108.0], 100.0)
    assert cap == pytest.approx([100.0, 110.0, 110.0, 120.0])  # 99 / 0.9, kept, 108 / 0.9


def test_retirement_and_rebuilding_within_the_old_level():
    cap = one_series([50.0, 50.0, 50.0, 81.0], 100.0, retirement=np.array([0.1]))
    assert cap == pytest.approx([100.0, 90.0, 81.0, 90.0])  # 81 / 0.9 rebuilds to 90 < 100


def test_no_capacity_row_means_what_the_first_output_needs():
    assert one_series([45.0, 45.0], 0.0) == pytest.approx([50.0, 50.0])


def test_products_and_regions_are_independent():
    out = np.zeros((1, 2, 2, 2))  # (scenario, region, product, year)
    out[0, 0, 0] = [50.0, 95.0]  # region 0, product 0 grows past 90 % of 100
    out[0, 0, 1] = [10.0, 10.0]
    out[0, 1, 0] = [10.0, 10.0]  # region 1 has no capacity row: what its output needs at 50 %
    out[0, 1, 1] = [10.0, 30.0]
    cap = production_capacity(out, np.array([[100.0, 40.0], [0.0, 40.0]]), [0.9, 0.5], [0.0, 0.0])
    assert cap[0, 0, 0] == pytest.approx([100.0, 95.0 / 0.9])
    assert cap[0, 0, 1] == pytest.approx([40.0, 40.0])
    assert cap[0, 1, 0] == pytest.approx([10.0 / 0.9, 10.0 / 0.9])
    assert cap[0, 1, 1] == pytest.approx([40.0, 60.0])


def test_the_baseline_capacity_and_the_engine_agree():
    ds = carbonsim.simulate("plan")
    city = ds.sel(region="wuzhong", scenario=ds.scenario[0])
    # 2020 capacity = output / 2020 utilisation (baseline rows): coke 150 / 0.75, clinker = 760
    assert float(city.capacity_coke.sel(year=2020)) == pytest.approx(200.0)
    assert float(city.capacity_clinker.sel(year=2020)) == pytest.approx(760.0)
    assert ds.capacity_coke.attrs["long_name_zh"] == "焦化产能"
    # the city is the sum of its counties
    county_sum = ds.capacity_clinker.sel(region=["qingtongxia", "yanchi"]).sum("region")
    assert np.allclose(ds.capacity_clinker.sel(region="wuzhong"), county_sum)


def _coke_ban(levels: dict[int, float]):
    """The bundled coke ban on the plan scenario with hongsibu's coke output set to *levels*."""
    scenario = carbonsim.load_scenario("plan")
    scenario = scenario.replace(output_coke={"hongsibu": levels})
    res = check(carbonsim.simulate(scenario), load_targets())
    return res.dataset.sel(target="c3_2025_no_new_coke_capacity").isel(scenario=0)


def test_a_ban_is_not_breached_by_higher_utilisation():
    # 150 -> 175 万t on 200 万t of coke capacity: 87.5 % utilisation, no new oven
    row = _coke_ban({2020: 150.0, 2023: 150.0, 2030: 175.0, 2060: 175.0})
    assert str(row.status.values) in ("met", "at_risk")
    assert float(row.value) == pytest.approx(0.0)


def test_a_ban_is_breached_by_output_that_needs_new_capacity_after_2023():
    # 2030: 189 万t needs 210 万t of capacity at 90 %: +5 % on 2023
    row = _coke_ban({2020: 150.0, 2023: 150.0, 2030: 189.0, 2060: 189.0})
    assert str(row.status.values) == "missed"
    assert float(row.value) == pytest.approx(0.05)


def test_a_zero_highest_utilisation_is_refused(tmp_path):
    from carbonsim.errors import BaselineError

    override = tmp_path / "mine.csv"
    override.write_text(
        "variable,region,sector,fuel,tech,product,value,unit,provenance,source\n"
        "capacity_max_utilisation,,,,,coke,0,1,estimate,a test of the message\n",
        encoding="utf-8",
    )
    from carbonsim.model.parameters import engine_parameters

    baseline = carbonsim.load_baseline(override=override)
    with pytest.raises(BaselineError, match="capacity_max_utilisation of 'coke' is 0; give"):
        engine_parameters(baseline)
