"""The engine's power balance: representative days against the full year, against PyPSA, and
the properties a planner relies on (more wind or solar, a tighter grid, the two accountings)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import carbonsim
from carbonsim.baseline.profiles import load_profiles
from carbonsim.model.hourly import hourly_dispatch, power_system

sys.path.insert(0, os.path.dirname(__file__))
from pypsa_crosscheck import kernel_one, pypsa_dispatch

ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2020, 2031)


def _scenario(name):
    return carbonsim.load_scenario(ROOT / "scenarios" / f"{name}.toml")


def _kernel(profiles, system, demand):
    out = kernel_one(dict(profiles), profiles.weights, demand, system)
    return {k: float(v[0]) for k, v in out.items()}


CASES = [("plan", 2025), ("plan", 2030), ("stretch", 2030)]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def system(request):
    name, year = request.param
    return power_system(_scenario(name), year)


def _close(a, b, rel, floor):
    """|a - b| within *rel* of b, or within *floor* (for quantities near zero)."""
    return abs(a - b) <= max(rel * abs(b), floor)


def test_representative_days_match_the_full_year(system):
    sysp, demand = system
    rep = _kernel(load_profiles(), sysp, demand)
    full = _kernel(load_profiles(full_year=True), sysp, demand)
    for share in ("local_renewable_share_nonhydro", "local_nonfossil_share"):
        assert abs(rep[share] - full[share]) <= 0.01, (share, rep[share], full[share])
    floor = 0.002 * full["vre_available"]  # 0.2 % of the wind and solar available
    assert _close(rep["curtailment"], full["curtailment"], 0.10, floor)
    for cycles in ("cycles_battery", "cycles_phs"):
        assert _close(rep[cycles], full[cycles], 0.10, 5.0), (cycles, rep[cycles], full[cycles])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_dispatch_agrees_with_pypsa(case):
    pytest.importorskip("pypsa")
    pytest.importorskip("highspy")
    sysp, demand = power_system(_scenario(case[0]), case[1])
    profiles = load_profiles()
    k = _kernel(profiles, sysp, demand)
    p = pypsa_dispatch(dict(profiles), profiles.weights, demand, sysp)
    assert abs(k["local_vre_share"] - p["local_vre_share"]) <= 0.015
    floor = 0.002 * k["vre_available"]
    assert _close(k["curtailment"], p["curtailment"], 0.15, floor), (k["curtailment"], p)
    for cycles in ("cycles_battery", "cycles_phs"):
        assert _close(k[cycles], p[cycles], 0.15, 5.0), (cycles, k[cycles], p[cycles])
    assert k["unserved"] == 0 and p["unserved"] < 1e-6


def _city(ds, name, year=2030):
    return ds[name].sel(region="wuzhong", year=year).values


NO_STORAGE = {"storage_ratio": 0.0, "pumped_hydro_capacity": {"default": 0.0}}


def test_more_solar_without_storage_raises_the_local_first_share_until_curtailment_bites():
    solar = np.linspace(1.0, 15.0, 8)
    ds = carbonsim.simulate(
        carbonsim.LeverSet(
            {**NO_STORAGE, "solar_capacity": {"yanchi": {2030: solar}}}, n=len(solar)
        ),
        years=YEARS,
        accounting="local_first",
    )
    share = _city(ds, "nonhydro_renewable_share")
    assert np.all(np.diff(share) >= -1e-12)
    assert share[-1] - share[0] > 0.05  # far above a fixed ceiling
    curtailed = _city(ds, "curtailment_rate")
    assert np.all(np.diff(curtailed) >= -1e-12)


def test_lower_transmission_limit_raises_curtailment():
    ratio = np.linspace(1.0, 0.1, 7)
    ds = carbonsim.simulate(
        carbonsim.LeverSet({"grid_exchange_ratio": ratio}, n=len(ratio)), years=YEARS
    )
    curtailed = _city(ds, "curtailment_rate")
    assert np.all(np.diff(curtailed) >= -1e-12)
    assert curtailed[-1] > curtailed[0]


def test_grid_attributed_share_is_the_grids_plus_the_contracted_local_supply():
    ds = carbonsim.simulate(
        [
            carbonsim.Scenario(id="grid", levers={"grid_nonhydro_renewable_share": 0.3}),
            carbonsim.Scenario(
                id="contracted",
                levers={"grid_nonhydro_renewable_share": 0.3, "local_green_supply_share": 0.5},
            ),
        ],
        years=YEARS,
    )
    share = _city(ds, "nonhydro_renewable_share")
    np.testing.assert_allclose(share[0], 0.3)
    local = _city(ds, "nonhydro_renewable_share_local_first")
    # half of the hour-matched local wind and solar is booked locally, the rest at the grid's 30 %
    assert 0.3 < share[1] < local[1]


def test_the_accounting_switch_chooses_which_share_the_targets_see():
    plan = _scenario("plan")
    grid = carbonsim.simulate(plan, years=YEARS)
    local = carbonsim.simulate(plan, years=YEARS, accounting="local_first")
    np.testing.assert_array_equal(
        local.nonhydro_renewable_share.values, grid.nonhydro_renewable_share_local_first.values
    )
    assert grid.attrs["renewable_accounting"] == "grid_attributed"


def test_hourly_series_balance_in_every_hour():
    h = hourly_dispatch(_scenario("plan"), 2030)
    supply = (
        h["wind"] + h["solar"] + h["hydro"] + h["biomass"] + h["coal"] + h["gas"] + h["imports"]
    )
    supply = supply + h["battery_discharge"] + h["phs_discharge"] + h["unserved"]
    use = (
        h["load"]
        + h["battery_charge"]
        + h["phs_charge"]
        + h["exports"]
        + h["uhvdc"]
        + h["thermal_curtailed"]
    )
    np.testing.assert_allclose(supply.values, use.values, atol=1e-6)
    assert float(h.weight.sum()) == pytest.approx(365.0)
    assert h["load"].attrs["units"] == "万千瓦"
