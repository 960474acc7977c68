"""The compiled demand and balance kernels against the numpy functions they fuse.

The numpy modules (:mod:`carbonsim.engine.demand`, ``stocks``, ``mix``, ``economy``) stay the
readable reference; the kernels must reproduce them to rounding on random levers.
"""

import numpy as np
import pytest

from carbonsim import LeverSet
from carbonsim.constants import FIRST_YEAR, LAST_YEAR
from carbonsim.engine import demand
from carbonsim.engine.axes import F, S
from carbonsim.engine.core import city_first
from carbonsim.engine.economy import cumulative_index, value_added
from carbonsim.engine.kernels_demand import demand_side
from carbonsim.engine.mix import switch_mix
from carbonsim.engine.scalar import switch_mix as switch_mix_1
from carbonsim.inputs.coerce import as_batch
from carbonsim.model.arrays import batch_arrays
from carbonsim.model.parameters import engine_parameters
from carbonsim.regions import regions_of


def _numpy_demand(lv, p):
    """The demand side as the numpy modules compute it (counties only)."""
    gdp = p["gdp"][None, :, None] * cumulative_index(lv["gdp_growth"])
    va = value_added(gdp, lv["primary_share"], lv["industry_share"], lv["construction_share"])
    fe, primary = demand.industry(lv, p, va[:, :, 1], va[:, :, 2])
    fe_bld, floor = demand.buildings(lv, p)
    fe[:, :, S["residential"]], fe[:, :, S["public"]] = fe_bld[:, :, 0], fe_bld[:, :, 1]
    fe_pass, stock, nev = demand.passenger(lv, p)
    fe[:, :, S["passenger_transport"]] = fe_pass
    turnover = p["freight_turnover"][None, :, None] * cumulative_index(
        lv["freight_turnover_growth"]
    )
    fe[:, :, S["freight_transport"]] = demand.freight(lv, p, turnover)
    fe[:, :, S["agriculture"]] = demand.agriculture(lv, p, va[:, :, 0])
    fe, h2 = demand.hydrogen_supply(fe, lv, p)
    return {
        "final_energy": fe, "gdp": gdp, "value_added": va, "floor_area": floor,
        "vehicle_stock": stock, "nev_stock": nev, "freight_turnover": turnover,
        "primary_output": primary, "green_hydrogen_production": h2,
        "electricity_demand": (fe[..., F["electricity"], :] * p["twh_per_10ktce"]).sum(axis=2),
    }  # fmt: skip


@pytest.fixture(scope="module")
def inputs(baseline):
    rng = np.random.default_rng(7)
    n = 4
    levers = {
        "gdp_growth": rng.uniform(-0.02, 0.09, n),
        "other_industry_intensity_change": {2030: rng.uniform(-0.5, 0.2, n)},
        "industry_electricity_share": {2030: rng.uniform(0.1, 0.5, n)},
        "building_electricity_share": {2035: rng.uniform(0.2, 0.7, n)},
        "nev_sales_share": {2030: rng.uniform(0.1, 0.9, n)},
        "vehicle_stock_growth": {2040: rng.uniform(-0.05, 0.05, n)},
        "residential_floor_area_growth": {2040: rng.uniform(-0.03, 0.03, n)},
        "freight_hydrogen_share": {2035: rng.uniform(0.0, 0.3, n)},
        "green_hydrogen_production": {"litong": {2030: rng.uniform(0, 5, n)}},
    }
    batch = as_batch(LeverSet(levers, n=n), regions_of(baseline))
    lv = batch_arrays(batch, list(range(FIRST_YEAR, LAST_YEAR + 1)), baseline)
    return lv, engine_parameters(baseline)


def test_demand_kernel_equals_the_numpy_modules(inputs):
    lv, p = inputs
    got, demand_by_class, pre = demand_side(lv, p)
    want = _numpy_demand(lv, p)
    for name, county in want.items():
        np.testing.assert_allclose(got[name], city_first(county), rtol=1e-13, atol=0, err_msg=name)
    # the city is the sum of its counties, and the classes add up to the final electricity
    fe = got["final_energy"]
    np.testing.assert_allclose(fe[:, 0], fe[:, 1:].sum(axis=1), rtol=1e-13)
    total = sum(demand_by_class[k] for k in ("industry", "other", "buildings", "ev"))
    city_el = got["electricity_demand"][:, 0] * (1.0 + p["grid_loss_rate"])
    assert np.all(total <= city_el * (1 + 1e-12))
    # the sums the balance kernel reads: fuel totals over sectors, combustion CO2 by sector
    np.testing.assert_allclose(pre["sums"], fe[:, 1:].sum(axis=2), rtol=1e-13)
    comb = np.einsum("srkft,f->srkt", fe[:, 1:], p["emission_factor"])
    np.testing.assert_allclose(pre["co2_combustion_by_sector"][:, 1:], comb, rtol=1e-13)


def test_dest_buffers_are_written_in_place(inputs):
    lv, p = inputs
    got, _, _ = demand_side(lv, p)
    big = np.full((3, *got["final_energy"].shape), np.nan)
    dest = {"final_energy": big[1], "gdp": np.empty_like(got["gdp"])[:, :, :]}
    again, _, _ = demand_side(lv, p, dest)
    assert np.shares_memory(again["final_energy"], big[1])
    np.testing.assert_array_equal(big[1], got["final_energy"])
    assert np.isnan(big[0]).all() and np.isnan(big[2]).all()
    np.testing.assert_array_equal(dest["gdp"], got["gdp"])


@pytest.mark.parametrize(
    "keep", [{"storage_duration", "gdp"}, {"storage_duration", "co2"}], ids=["no dispatch", "all"]
)
def test_run_returns_what_it_keeps_written_into_its_destinations(inputs, keep):
    """With or without the dispatch, ``run(keep=...)`` returns the arrays kept, not their
    dependencies (capacity, storage energy ...), and those with a destination in it."""
    from carbonsim.engine import core

    lv, p = inputs
    full = core.run(lv, p)
    dest = {"storage_duration": np.full_like(full["storage_duration"], np.nan)}
    got = core.run(lv, p, keep=keep, out=dest)
    assert set(got) == keep
    assert got["storage_duration"] is dest["storage_duration"]
    for name in keep:
        np.testing.assert_array_equal(got[name], full[name], err_msg=name)


@pytest.mark.parametrize(
    ("base", "shares", "fallback"),
    [
        ([0.5, 0.2, 0.1, 0.2, 0.0, 0.0, 0.0], {3: 0.6, 2: 0.1}, 0),
        ([0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], {3: 0.5}, 1),  # only set fuels had a share
        ([0.2, 0.3, 0.0, 0.5, 0.0, 0.0, 0.0], {3: 0.7, 2: 0.2, 5: 0.3}, 1),  # over-set: none left
    ],
)
def test_compiled_switch_mix_equals_numpy(base, shares, fallback):
    base = np.array(base)
    want = switch_mix(
        base[None, :, None], {f: np.array([[v]]) for f, v in shares.items()}, fallback
    )[0, :, 0]
    out = np.empty((7, 1))
    switch_mix_1(base, tuple(shares), np.array(list(shares.values())), fallback, out, 0)
    np.testing.assert_array_equal(out[:, 0], want)


def test_broadcast_views_of_small_arrays_are_kept_and_never_stale():
    from carbonsim.engine import arith

    x = np.arange(6.0).reshape(2, 3)
    first = arith.broadcast(x, (2, 4, 3), axis=1)
    assert arith.broadcast(x, (2, 4, 3), axis=1) is first  # kept
    assert not first.flags.writeable and np.shares_memory(first, x)
    x[1, 2] = 99.0  # a kept view shows the array's current values
    np.testing.assert_array_equal(first[1, :, 2], 99.0)
    np.testing.assert_array_equal(arith.broadcast(x, (5, 2, 3)), np.broadcast_to(x, (5, 2, 3)))
    assert arith.broadcast(x, (2, 3)) is x  # already the shape
    big = np.zeros((1, arith._SMALL + 1))
    assert arith.broadcast(big, (2, arith._SMALL + 1)) is not arith.broadcast(
        big, (2, arith._SMALL + 1)
    )  # large arrays are not kept (a sweep's would pile up)
