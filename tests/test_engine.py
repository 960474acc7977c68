"""Engine identities, responses and vectorisation, on the toy baseline and on random levers."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carbonsim
from carbonsim.constants import REGIONS
from carbonsim.engine.economy import cumulative_index
from carbonsim.errors import LeverError

YEARS = list(range(2020, 2041))
ADDITIVE = [
    "gdp", "final_energy", "electricity_demand", "electricity_consumption", "primary_energy",
    "energy_consumption", "co2", "co2_territorial", "co2_by_source", "capacity", "generation",
    "net_import", "electricity_imports", "uhvdc_export", "other_export", "co2_sink",
    "coal_consumption", "vehicle_stock", "product_output",
]  # fmt: skip
SHARES = [
    "non_fossil_share", "nonhydro_renewable_share", "coal_share", "building_electricity_share",
    "electricity_non_fossil_share", "nev_stock_share",
]  # fmt: skip

fraction = st.floats(0.0, 1.0)


@st.composite
def random_levers(draw):
    """Lever dicts spanning growth, capacity build-out, efficiency, switching and trade."""
    elec = draw(st.floats(0.0, 0.6))
    return {
        "gdp_growth": {r: draw(st.floats(-0.05, 0.12)) for r in REGIONS},
        "solar_capacity": {"yanchi": {2030: draw(st.floats(0.0, 20.0))}},
        "wind_capacity": {"default": {2035: draw(st.floats(0.0, 6.0))}},
        "coal_capacity": {"qingtongxia": {2030: draw(st.floats(0.0, 4.0))}},
        "other_industry_intensity_change": {2030: draw(st.floats(-0.5, 0.3))},
        "industry_electricity_share": {2030: elec},
        "industry_gas_share": {2030: draw(st.floats(0.0, 1.0 - elec))},
        "storage_ratio": {2025: draw(st.floats(0.0, 0.3))},
        "uhvdc_export": {2026: draw(st.floats(0.0, 30.0))},
        "nev_sales_share": {2030: draw(fraction)},
        "vehicle_stock_growth": draw(st.floats(-0.05, 0.1)),
        "residential_floor_area_growth": draw(st.floats(-0.02, 0.05)),
        "residential_retrofit_rate": draw(st.floats(0.0, 0.1)),
        "green_hydrogen_production": {"hongsibu": {2030: draw(st.floats(0.0, 10.0))}},
        "freight_hydrogen_share": {2035: draw(st.floats(0.0, 0.3))},
        "pumped_hydro_capacity": {"qingtongxia": {2030: draw(st.floats(0.0, 3.2))}},
        "coal_hours": {2035: draw(st.floats(1000, 6000))},
        "recycled_aluminium_share": {2025: draw(st.floats(0.0, 0.5))},
    }


def sim(toy, levers=None, **kw):
    return carbonsim.simulate(levers or {}, baseline=toy, years=YEARS, **kw)


def test_frozen_world_equals_2020(toy):
    ds = sim(toy)
    for name, var in ds.data_vars.items():
        values = var.values
        assert np.allclose(values, values[..., :1], rtol=1e-12, atol=1e-12), name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=random_levers())
def test_identities(toy, levers):
    ds = sim(toy, levers)
    city, counties = ds.sel(region="wuzhong"), ds.sel(region=list(REGIONS))
    for name in ADDITIVE:
        np.testing.assert_allclose(counties[name].sum("region"), city[name], rtol=1e-10, atol=1e-9)
    for name in SHARES:
        assert float(ds[name].min()) >= -1e-12 and float(ds[name].max()) <= 1 + 1e-12, name
    # sectors and fuels sum to totals
    np.testing.assert_allclose(
        ds.primary_energy_by_sector.sum("sector"), ds.energy_consumption, rtol=1e-10
    )
    np.testing.assert_allclose(ds.primary_energy.sum("primary_fuel"), ds.energy_consumption)
    np.testing.assert_allclose(
        ds.final_energy.sel(fuel="electricity").sum("sector") * 1e7 / 0.1229 / 1e9,
        ds.electricity_demand,
        rtol=1e-12,
    )
    np.testing.assert_allclose(ds.co2_by_source.sum("co2_source"), ds.co2_territorial, rtol=1e-12)
    # the city's electricity balance: generation + imports (+ load the dispatch could not serve
    # within the exchange limit, reported as unserved) = consumption + exports
    supply = city.generation.sum("tech") + city.electricity_imports + city.unserved_energy
    use = city.electricity_consumption + city.uhvdc_export + city.other_export
    np.testing.assert_allclose(supply, use, rtol=1e-9, atol=1e-9)
    # losses are part of consumption
    np.testing.assert_allclose(
        city.electricity_consumption,
        city.electricity_demand + city.grid_losses + city.storage_losses,
        rtol=1e-10,
    )
    # Kaya: CO2 = GDP x (E / GDP) x (CO2 / E)
    kaya = ds.gdp * ds.energy_intensity * (ds.co2 / ds.energy_consumption)
    np.testing.assert_allclose(kaya, ds.co2, rtol=1e-10)
    assert not any(np.isnan(v.values).any() for v in ds.data_vars.values())
    # the three CO2 accounts
    src = ds.co2_by_source
    np.testing.assert_allclose(
        ds.co2_consumption,
        src.sel(co2_source=["end_use", "heat", "process"]).sum("co2_source") + ds.co2_electricity,
        rtol=1e-10,
    )
    np.testing.assert_allclose(ds.co2_assessment, ds.co2_territorial + ds.co2_electricity_trade)
    np.testing.assert_array_equal(ds.co2, ds.co2_consumption)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=random_levers(), extra=st.floats(0.5, 15.0))
def test_more_solar_never_raises_co2_or_lowers_non_fossil(toy, levers, extra):
    more = dict(levers)
    more["solar_capacity"] = {"yanchi": {2030: levers["solar_capacity"]["yanchi"][2030] + extra}}
    base, high = sim(toy, levers), sim(toy, more)
    assert (high.co2 <= base.co2 + 1e-9).all()  # consumption basis, every region
    city = "wuzhong"
    assert (
        high.co2_assessment.sel(region=city) <= base.co2_assessment.sel(region=city) + 1e-9
    ).all()
    assert (high.nonhydro_renewable_share >= base.nonhydro_renewable_share - 1e-12).all()
    # the non-fossil share, without storage: with it, new solar brings its grid connection and
    # can export what the batteries stored before, so their (non-fossil) losses may shrink
    still = {"storage_ratio": 0.0, "pumped_hydro_capacity": 0.0}
    base, high = sim(toy, {**levers, **still}), sim(toy, {**more, **still})
    assert (high.non_fossil_share >= base.non_fossil_share - 1e-12).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levers=random_levers(), faster=st.floats(0.01, 0.4))
def test_faster_intensity_decline_never_raises_energy(toy, levers, faster):
    more = dict(levers)
    base_change = levers["other_industry_intensity_change"][2030]
    more["other_industry_intensity_change"] = {2030: base_change - faster}
    assert (sim(toy, more).energy_consumption <= sim(toy, levers).energy_consumption + 1e-9).all()


def test_gdp_growth_scales_gdp_driven_energy_proportionally(toy):
    slow, fast = sim(toy, {"gdp_growth": 0.03}), sim(toy, {"gdp_growth": 0.06})
    ratio = (1.06 / 1.03) ** (np.array(YEARS) - 2020)
    for sector in ("other_industry", "construction", "agriculture"):
        a = slow.final_energy.sel(sector=sector).sum("fuel")
        b = fast.final_energy.sel(sector=sector).sum("fuel")
        np.testing.assert_allclose(b / a, np.broadcast_to(ratio, a.shape), rtol=1e-10)
    # energy intensity of those sectors is unchanged
    np.testing.assert_allclose(fast.gdp / slow.gdp, np.broadcast_to(ratio, slow.gdp.shape))


def test_scenario_alone_equals_scenario_in_batch(toy):
    rng = np.random.default_rng(3)
    n = 7
    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": rng.uniform(0.0, 0.08, size=n),
            "solar_capacity": {"yanchi": {2030: rng.uniform(1, 20, size=n)}},
            "storage_ratio": {2025: rng.uniform(0, 0.2, size=n)},
        },
        n=n,
    )
    batch = sim(toy, levers)
    for i in (0, 3, 6):
        one = sim(
            toy,
            {
                "gdp_growth": levers["gdp_growth"][i],
                "solar_capacity": {"yanchi": {2030: levers["solar_capacity"]["yanchi"][2030][i]}},
                "storage_ratio": {2025: levers["storage_ratio"][2025][i]},
            },
        )
        for name in ("co2", "final_energy", "non_fossil_share", "capacity"):
            assert np.array_equal(one[name].values[0], batch[name].values[i]), name


def test_chunking_does_not_change_results(toy):
    levers = carbonsim.model.LeverSet({"gdp_growth": np.linspace(0, 0.1, 9)}, n=9)
    whole = sim(toy, levers, chunk_size=100)
    for size in (2, 4, 9):
        chunked = sim(toy, levers, chunk_size=size)
        for name in whole.data_vars:  # every variable, not only the one a bug would spare
            assert np.array_equal(whole[name].values, chunked[name].values), (size, name)


def test_float32_results_are_the_float64_results_rounded_once():
    """dtype="float32": every variable is its float64 value rounded to nearest, whatever the
    chunking; a check of them gives the same statuses, margins within the rounding."""
    plan = carbonsim.load_scenario("plan")
    rng = np.random.default_rng(5)
    n = 24
    levers = carbonsim.model.LeverSet(
        {
            **plan.levers,
            "gdp_growth": {2030: rng.uniform(0.03, 0.08, n)},
            "solar_capacity": {"yanchi": {2030: rng.uniform(4, 16, n)}},
            "storage_ratio": {2025: rng.uniform(0.05, 0.2, n)},
        },
        n=n,
    )
    exact = carbonsim.simulate(levers, chunk_size=10)
    for size in (10, 100):
        rounded = carbonsim.simulate(levers, chunk_size=size, dtype="float32")
        assert sorted(rounded.variables) == sorted(exact.variables)
        for name in exact.data_vars:
            x, y = exact[name].values, rounded[name].values
            assert y.dtype == np.float32, name
            assert np.array_equal(x.astype(np.float32), y, equal_nan=True), (size, name)
    a, b = carbonsim.check(exact).dataset, carbonsim.check(rounded).dataset
    assert (a.status == b.status).all()
    value, margin = a.value.values, a.margin.values
    # a relative change x / x0 - 1 of two rounded values moves by up to 2 x 2**-24 of x / x0
    bound = 4 * 2.0**-24 * (np.abs(value) + 1)
    assert np.all(np.abs(b.margin.values - margin) <= bound, where=~np.isnan(margin))
    assert np.array_equal(np.isnan(margin), np.isnan(b.margin.values))
    with pytest.raises(LeverError, match="unknown dtype 'float16'; choose one of float64"):
        carbonsim.simulate(plan, dtype="float16")


@pytest.mark.parametrize(
    "variables",
    [
        ["gdp"],
        ["co2", "energy_consumption", "non_fossil_share", "nonhydro_renewable_share"],
        ["co2_net", "industry_energy_intensity", "co2_intensity_change", "nev_sales_share"],
        ["building_electricity_share", "freight_co2_intensity", "storage_duration"],
        ["final_energy", "population", "co2_sink", "nev_stock_share", "capacity_aluminium"],
        ["new_energy_capacity", "storage_duration", "pumped_hydro_capacity", "battery_energy"],
    ],
)
@pytest.mark.parametrize("co2_basis", ["consumption", "assessment"])
def test_variables_are_computed_alone_as_in_the_full_run(toy, variables, co2_basis):
    levers = carbonsim.model.LeverSet(
        {"gdp_growth": np.linspace(0, 0.1, 5), "solar_capacity": {"yanchi": {2030: 9.0}}}, n=5
    )
    full = sim(toy, levers, co2_basis=co2_basis)
    some = sim(toy, levers, co2_basis=co2_basis, variables=variables, chunk_size=2)
    assert sorted(some.data_vars) == sorted(variables)
    for name in variables:
        assert np.array_equal(full[name].values, some[name].values), name


def test_pruning_skips_what_the_kept_outputs_do_not_need():
    from carbonsim.engine.core import needed

    need = needed({"co2_intensity_change"})
    assert {"co2_intensity", "co2", "gdp", "co2_by_source", "co2_electricity"} <= need
    assert not {"co2_sink", "primary_energy_by_sector", "co2_cement", "final_energy"} & need
    assert "co2_sink" in needed({"co2_net"}) and needed(None) is None


def test_outputs_that_need_no_dispatch_are_computed_without_it(toy, monkeypatch):
    from carbonsim.engine import power
    from carbonsim.engine.core import DEMAND_SIDE, NO_DISPATCH

    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": np.linspace(0, 0.1, 4),
            "solar_capacity": {"yanchi": {2030: np.linspace(5.0, 12.0, 4)}},
            "storage_ratio": {2030: np.linspace(0.05, 0.2, 4)},
        },
        n=4,
    )
    full = sim(toy, levers)

    def refuse(*args, **kwargs):
        raise AssertionError("the dispatch ran")

    monkeypatch.setattr(power.hourly, "dispatch", refuse)
    alone = sim(toy, levers, variables=sorted(NO_DISPATCH), chunk_size=3)
    assert list(alone.data_vars) == [v for v in full.data_vars if v in NO_DISPATCH]
    for name in NO_DISPATCH:
        assert np.array_equal(full[name].values, alone[name].values), name
        assert alone[name].attrs == full[name].attrs, name
    monkeypatch.setattr(power, "capacity", refuse)  # the demand side alone: no capacity
    sim(toy, levers, variables=sorted(DEMAND_SIDE))
    with pytest.raises(AssertionError, match="the dispatch ran"):
        sim(toy, levers, variables=["gdp", "electricity_consumption"])


def test_calorific_method_lowers_non_fossil_energy(toy):
    levers = {"solar_capacity": {"yanchi": {2030: 10}}}
    coal_eq, calorific = sim(toy, levers), sim(toy, levers, method="calorific")
    assert (calorific.non_fossil_energy <= coal_eq.non_fossil_energy).all()
    assert calorific.attrs["electricity_method"] == "calorific"
    np.testing.assert_allclose(calorific.co2, coal_eq.co2)  # CO2 does not depend on the method


def test_cumulative_index_ignores_base_year_rate():
    growth = np.array([[0.5, 0.1, 0.2]])
    np.testing.assert_allclose(cumulative_index(growth), [[1.0, 1.1, 1.32]])


def test_storage_follows_the_ratio_rule(toy):
    ds = sim(
        toy, {"storage_ratio": 0.1, "storage_hours": 2, "wind_capacity": {"default": {2030: 3}}}
    )
    city = ds.sel(region="wuzhong", scenario="custom")
    np.testing.assert_allclose(city.storage_to_new_energy_ratio, 0.1)
    np.testing.assert_allclose(city.storage_duration, 2.0)
    np.testing.assert_allclose(
        city.capacity.sel(tech="battery"), 0.1 * city.new_energy_capacity, rtol=1e-12
    )


def test_units_and_names_on_every_variable(toy):
    ds = sim(toy)
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units"), name
        assert var.attrs.get("long_name"), name
        assert var.attrs.get("long_name_zh"), name
    assert list(ds.region.values) == ["wuzhong", *REGIONS]
    assert ds.name_zh.sel(region="litong") == "利通区"


@pytest.mark.parametrize(
    ("levers", "words"),
    [
        ({"storage_ratio": 1.5}, ["storage_ratio", "share above 100 %", "year 2020"]),
        ({"wind_capacity": {"yanchi": -1}}, ["wind_capacity", "yanchi", "negative"]),
        ({"wind_capacity": {2070: 5}}, ["wind_capacity", "2070", "outside the horizon"]),
        ({"wind_capacity": {"yanch": 5}}, ["unknown region", "Did you mean 'yanchi'"]),
        ({"solar_capacty": 5}, ["unknown lever", "Did you mean 'solar_capacity'"]),
        ({"gdp_growth": np.ones((3, 3))}, ["gdp_growth", "shape (3, 3)"]),
        ({"gdp_growth": {2030: float("nan")}}, ["gdp_growth", "NaN"]),
        (
            {"industry_electricity_share": 0.7, "industry_gas_share": 0.5},
            ["other-industry fuel shares", "1.200", "must sum to at most 1"],
        ),
        ({"solar_capacity": "5 万吨"}, ["solar_capacity", "cannot convert"]),
    ],
)
def test_bad_levers_are_refused_with_a_clear_message(toy, levers, words):
    with pytest.raises(LeverError) as info:
        sim(toy, levers)
    for word in words:
        assert word in str(info.value)


def test_co2_basis_switch(toy):
    levers = {"solar_capacity": {"default": {2030: 6}}}
    for basis in ("assessment", "territorial"):
        ds = sim(toy, levers, co2_basis=basis)
        np.testing.assert_array_equal(ds.co2, ds[f"co2_{basis}"])
        assert ds.attrs["co2_basis"] == basis
    with pytest.raises(LeverError, match="co2_basis"):
        sim(toy, co2_basis="global")


def test_units_as_planners_write_them(toy):
    a = sim(toy, {"solar_capacity": {"yanchi": {2030: "1500 万千瓦"}}})
    b = sim(toy, {"solar_capacity": {"yanchi": {2030: 15.0}}})
    assert np.array_equal(a.capacity.values, b.capacity.values)


def test_a_batch_as_large_as_the_number_of_counties_is_not_read_as_counties(toy):
    """Regression: with n == 5 scenarios a (5,) baseline start was read as per-scenario."""
    gdp = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    five = sim(toy, carbonsim.model.LeverSet({"gdp_growth": {2021: gdp}}, n=5))
    four = sim(toy, carbonsim.model.LeverSet({"gdp_growth": {2021: gdp[:4]}}, n=4))
    assert np.array_equal(five.product_output.values[:4], four.product_output.values)
    assert np.array_equal(five.co2.values[:4], four.co2.values)
    # a bare array of one value per county stays per county
    per_county = sim(toy, {"wind_capacity": np.array([0.0, 1.0, 2.0, 3.0, 4.0])})
    np.testing.assert_allclose(
        per_county.capacity.sel(tech="wind", year=2030).values[0, 1:], [0, 1, 2, 3, 4]
    )
