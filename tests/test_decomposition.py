"""Additive LMDI-I (carbonsim.analysis.decomposition): identities, known cases, zeros, wrapper."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import carbonsim
from carbonsim.analysis.decomposition import EFFECTS, co2_drivers, lmdi_additive, log_mean


# ---------------------------------------------------------------------------------------------
# the logarithmic mean
# ---------------------------------------------------------------------------------------------
def test_log_mean_values():
    assert log_mean(2.0, 2.0) == pytest.approx(2.0)
    assert log_mean(np.e, 1.0) == pytest.approx(np.e - 1.0)
    assert log_mean(3.0, 5.0) == pytest.approx(log_mean(5.0, 3.0))
    assert log_mean(4.0, 0.0) == 0.0 and log_mean(0.0, 4.0) == 0.0 and log_mean(0.0, 0.0) == 0.0
    # continuous through a = b (the series branch)
    a = 7.0 * (1 + np.array([-1e-6, -1e-9, 0.0, 1e-9, 1e-6]))
    np.testing.assert_allclose(log_mean(a, 7.0), (a + 7.0) / 2, rtol=1e-12)


def test_log_mean_lies_between_geometric_and_arithmetic_mean():
    a, b = np.array([1.0, 2.0, 10.0]), np.array([3.0, 2.5, 1000.0])
    lm = log_mean(a, b)
    assert (np.sqrt(a * b) <= lm + 1e-12).all() and (lm <= (a + b) / 2 + 1e-12).all()


# ---------------------------------------------------------------------------------------------
# lmdi_additive: identities and known cases
# ---------------------------------------------------------------------------------------------
def _random_case(rng, shape=(3, 4), k=4):
    f0 = [rng.uniform(0.1, 5.0, shape) for _ in range(k)]
    f1 = [f * rng.uniform(0.5, 2.0, shape) for f in f0]
    return np.prod(f0, axis=0), np.prod(f1, axis=0), f0, f1


def test_effects_sum_to_the_change():
    rng = np.random.default_rng(1)
    c0, c1, f0, f1 = _random_case(rng)
    effects = lmdi_additive(c0, c1, f0, f1)
    assert effects.shape == (3, 4)
    np.testing.assert_allclose(effects.sum(-1), (c1 - c0).sum(-1), rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (2, 3, 5), elements=st.floats(0.01, 100.0)),
    arrays(np.float64, (2, 3, 5), elements=st.floats(0.01, 100.0)),
)
def test_sum_identity_property(a, b):
    effects = lmdi_additive(a.prod(0), b.prod(0), list(a), list(b))
    change = (b.prod(0) - a.prod(0)).sum(-1)
    np.testing.assert_allclose(effects.sum(-1), change, rtol=1e-9, atol=1e-9)


def test_only_gdp_changes_everything_is_activity():
    gdp0, gdp1 = np.array([[100.0]]), np.array([[160.0]])
    intensity = np.array([[0.8]])
    mix = np.array([[0.5, 0.3, 0.2]])
    ef = np.array([[2.7, 2.1, 1.6]])
    c0, c1 = gdp0 * intensity * mix * ef, gdp1 * intensity * mix * ef
    effects = lmdi_additive(c0, c1, [gdp0, intensity, mix, ef], [gdp1, intensity, mix, ef])
    np.testing.assert_allclose(effects[0], [(c1 - c0).sum(), 0, 0, 0], atol=1e-12)


def test_known_two_factor_split_matches_the_formula():
    # C = x y; x: 2 -> 4, y: 3 -> 6: L(24, 6) ln 2 each, i.e. half the change each
    effects = lmdi_additive([6.0], [24.0], [[2.0], [3.0]], [[4.0], [6.0]])
    np.testing.assert_allclose(effects, [9.0, 9.0])
    assert effects[0] == pytest.approx((24 - 6) / np.log(4) * np.log(2))


def test_shared_factor_broadcasts_over_items():
    gdp0, gdp1 = np.array([10.0]), np.array([10.0])
    share0, share1 = np.array([0.7, 0.3]), np.array([0.4, 0.6])
    effects = lmdi_additive(gdp0 * share0, gdp1 * share1, [gdp0, share0], [gdp1, share1])
    assert effects[0] == pytest.approx(0.0)  # GDP constant
    assert effects[1] == pytest.approx(0.0, abs=1e-12)  # total constant: mix shifts cancel


# ---------------------------------------------------------------------------------------------
# zero values (Ang & Liu 2007)
# ---------------------------------------------------------------------------------------------
def test_item_absent_in_both_years_contributes_nothing():
    effects = lmdi_additive(
        [0.0, 4.0], [0.0, 6.0], [[1.0, 1.0], [0.0, 4.0]], [[1.0, 1.0], [0.0, 6.0]]
    )
    np.testing.assert_allclose(effects, [0.0, 2.0])


def test_item_that_appears_goes_to_its_zero_factor():
    # fuel 2 appears: its mix share goes 0 -> 0.25; GDP also grows
    gdp0, gdp1 = np.array([100.0]), np.array([120.0])
    mix0, mix1 = np.array([1.0, 0.0]), np.array([0.75, 0.25])
    c0, c1 = gdp0 * mix0, gdp1 * mix1
    effects = lmdi_additive(c0, c1, [gdp0, mix0], [gdp1, mix1])
    assert effects.sum() == pytest.approx((c1 - c0).sum(), abs=1e-9)
    # the new item's 30 all goes to the mix factor in the limit
    new = lmdi_additive(c0[1:], c1[1:], [gdp0, mix0[1:]], [gdp1, mix1[1:]])
    np.testing.assert_allclose(new, [0.0, 30.0], atol=1e-12)


def test_item_that_disappears_and_several_zero_factors():
    effects = lmdi_additive([8.0], [0.0], [[2.0], [4.0]], [[0.0], [0.0]])
    np.testing.assert_allclose(effects, [-4.0, -4.0])


def test_finite_delta_converges_to_the_limit():
    gdp0, gdp1 = np.array([100.0]), np.array([150.0])
    mix0, mix1 = np.array([0.0]), np.array([0.4])
    args = ([0.0], gdp1 * mix1, [gdp0, mix0], [gdp1, mix1])
    limit = lmdi_additive(*args)
    errors = [np.abs(lmdi_additive(*args, delta=d) - limit).max() for d in (1e-10, 1e-40, 1e-300)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.02 * 60.0
    # a case without zeros: delta changes nothing
    c0, c1, f0, f1 = _random_case(np.random.default_rng(3))
    np.testing.assert_allclose(
        lmdi_additive(c0, c1, f0, f1, delta=1e-10), lmdi_additive(c0, c1, f0, f1), rtol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_rejects_items_that_are_not_the_product_of_their_factors():
    with pytest.raises(ValueError, match=r"C1 is not the product of factors1 at index \(0,\)"):
        lmdi_additive([6.0], [25.0], [[2.0], [3.0]], [[4.0], [6.0]])


def test_rejects_negative_values():
    with pytest.raises(ValueError, match="non-negative"):
        lmdi_additive([-6.0], [24.0], [[-2.0], [3.0]], [[4.0], [6.0]])


# ---------------------------------------------------------------------------------------------
# the trajectories wrapper
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trajectories(baseline):
    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": np.array([0.03, 0.06]),
            "solar_capacity": {"yanchi": {2030: 12}},
            "storage_ratio": {2025: 0.1},
        },
        n=2,
        scenario_ids=["slow", "fast"],
    )
    return carbonsim.simulate(levers, baseline=baseline, years=range(2020, 2036))


def test_wrapper_parts_sum_exactly_to_the_co2_change(trajectories):
    d = co2_drivers(trajectories, 2020, 2030)
    assert list(d.effect.values) == list(EFFECTS)
    assert d.contribution.dims == ("scenario", "region", "effect")
    change = trajectories.co2.sel(year=2030) - trajectories.co2.sel(year=2020)
    np.testing.assert_allclose(
        d.contribution.sum("effect").values, change.values, rtol=0, atol=1e-9
    )
    assert d.contribution.attrs["units"] == trajectories.co2.attrs["units"]


def test_wrapper_faster_growth_means_larger_activity_effect(trajectories):
    d = co2_drivers(trajectories, 2020, 2030, regions=["wuzhong"])
    act = d.contribution.sel(effect="activity", region="wuzhong")
    assert float(act.sel(scenario="fast")) > float(act.sel(scenario="slow")) > 0


def test_wrapper_gdp_growth_shows_as_activity(baseline):
    ds = carbonsim.simulate({"gdp_growth": 0.05}, baseline=baseline, years=range(2020, 2026))
    d = co2_drivers(ds, 2020, 2025, scenario="custom")
    c = d.contribution.sel(scenario="custom", region="wuzhong")
    change = float((d.co2_end - d.co2_start).sel(scenario="custom", region="wuzhong"))
    assert float(c.sum()) == pytest.approx(change, abs=1e-9)
    assert float(c.sel(effect="activity")) > 0


def test_wrapper_on_a_hand_made_dataset_with_only_gdp_changing():
    """Trajectories in which only GDP grows (energy and CO2 scale with it, the mix and factors
    stay): everything is activity."""
    ds = _scaled_trajectories(gdp_factor=1.4)
    d = co2_drivers(ds, 2020, 2021)
    c = d.contribution.isel(scenario=0)
    change = (ds.co2.sel(year=2021) - ds.co2.sel(year=2020)).isel(scenario=0)
    np.testing.assert_allclose(c.sel(effect="activity"), change, rtol=1e-12)
    others = c.drop_sel(effect="activity")
    np.testing.assert_allclose(others, 0.0, atol=1e-9)


def test_wrapper_fuel_switch_is_mix_and_export_is_trade():
    ds = _scaled_trajectories(gdp_factor=1.0, switch=0.2, export=-50.0)
    d = co2_drivers(ds, 2020, 2021).contribution.isel(scenario=0, region=0)
    assert float(d.sel(effect="activity")) == pytest.approx(0.0, abs=1e-9)
    assert float(d.sel(effect="energy_intensity")) == pytest.approx(0.0, abs=1e-9)
    assert float(d.sel(effect="energy_mix")) < 0  # coal -> gas lowers CO2
    assert float(d.sel(effect="trade_other")) == pytest.approx(-50.0)


def _scaled_trajectories(gdp_factor, switch=0.0, export=0.0):
    """Two years, one region: year 2021 = 2020 with GDP x gdp_factor (energy and combustion CO2
    scaled alike; process and trade CO2 unchanged), *switch* of coal energy moved to gas,
    *export* added to the trade term."""
    import xarray as xr

    ef = np.array([2.66, 2.1, 1.6])
    pe0 = np.array([100.0, 20.0, 10.0, 30.0])
    pe1 = pe0 * gdp_factor
    pe1[2] += pe1[0] * switch
    pe1[0] *= 1 - switch
    gdp = np.array([50.0, 50.0 * gdp_factor])
    pe = np.stack([pe0, pe1], axis=-1)  # (fuel, year)
    by_fuel = pe[:3] * ef[:, None]
    trade = np.array([10.0, 10.0 + export])
    process = np.array([5.0, 5.0])
    co2 = by_fuel.sum(0) + trade + process

    def v(dims, x):
        return (("scenario", "region", *dims, "year"), x[None, None])

    return xr.Dataset(
        {
            "gdp": v((), gdp),
            "primary_energy": v(("primary_fuel",), pe),
            "co2_by_fuel": v(("fossil_fuel",), by_fuel),
            "co2_process": v((), process),
            "co2": v((), co2),
        },
        coords={
            "scenario": ["s"],
            "region": ["wuzhong"],
            "year": [2020, 2021],
            "primary_fuel": ["coal", "oil", "gas", "non_fossil"],
            "fossil_fuel": ["coal", "oil", "gas"],
        },
    )


def test_wrapper_unknown_year_names_the_range(trajectories):
    with pytest.raises(ValueError, match=r"y1=2050 is not a simulated year \(2020–2035\)"):
        co2_drivers(trajectories, 2020, 2050)
