"""check(): hand-built trajectories with known answers, order records, statuses and outputs."""

import numpy as np
import pytest
import xarray as xr

from carbonsim.catalogue import load_targets
from carbonsim.constants import ALL_REGIONS
from carbonsim.feasibility import check, peak_table

YEARS = np.arange(2020, 2041)


def trajectories(**series) -> xr.Dataset:
    """A Dataset (scenario, region, year) from {name: {region: values over YEARS}}."""
    data = {}
    for name, by_region in series.items():
        arr = np.ones((1, len(ALL_REGIONS), len(YEARS)))
        for region, values in by_region.items():
            arr[0, ALL_REGIONS.index(region)] = values
        data[name] = (("scenario", "region", "year"), arr)
    return xr.Dataset(data, coords={"scenario": ["s"], "region": list(ALL_REGIONS), "year": YEARS})


def peaking_series(peak: int, rebound_year: int | None = None, rebound: float = 0.0) -> np.ndarray:
    """Rises 2 %/yr to *peak*, falls 1 %/yr after; optionally a rebound above the peak."""
    x = np.where(
        YEARS <= peak, 1.02 ** (YEARS - 2020), 1.02 ** (peak - 2020) * 0.99 ** (YEARS - peak)
    )
    if rebound_year is not None:
        x[YEARS == rebound_year] = x[YEARS == peak][0] * (1 + rebound)
    return 100 * x


RECORD = """
[[target]]
id = "{id}"
region = "{region}"
indicator = "{indicator}"
year = {year}
op = "{op}"
{value}unit = "{unit}"
{written}basis = "{basis}"
{extra}tier = "{tier}"
kind = "{kind}"
clause = "二(1)"
source_text = "到2025年"
note = "test record"
"""


def catalogue(tmp_path, *records):
    text = ""
    for rec in records:
        fields = {
            "region": "wuzhong",
            "unit": "1",
            "basis": "absolute",
            "tier": "binding",
            "kind": "simulated",
            "extra": "",
            "value": "",
            "written": "",
        }
        fields.update(rec)
        if "v" in rec:
            fields["value"] = f"value = {rec['v']}\n"
            written, unit = rec.get("w", rec["v"]), rec.get("uw", "1")
            fields["written"] = f'value_as_written = {written}\nunit_as_written = "{unit}"\n'
        text += RECORD.format(**fields)
    path = tmp_path / "cat.toml"
    path.write_text(text, encoding="utf-8")
    return load_targets(path)


@pytest.mark.parametrize(("tolerance", "met"), [(0.015, True), (0.005, False)])
def test_peak_by_with_a_one_percent_rebound(tmp_path, tolerance, met):
    co2 = peaking_series(2028, rebound_year=2031, rebound=0.01)
    traj = trajectories(co2={"wuzhong": co2})
    cat = catalogue(
        tmp_path,
        {
            "id": "peak",
            "indicator": "co2",
            "year": 2030,
            "op": "peak_by",
            "unit": "1e4 t CO2",
            "kind": "order",
        },
    )
    res = check(traj, cat, plateau_tolerance=tolerance).dataset.sel(scenario="s")
    assert bool(res.met.sel(target="peak")) is met
    expected_margin = 1 + tolerance - 1.01
    assert float(res.margin.sel(target="peak")) == pytest.approx(expected_margin)
    # the tolerant peak year: 2028 when the rebound is inside the tolerance, 2031 otherwise
    assert int(res.value.sel(target="peak")) == (2028 if met else 2031)


def test_share_exactly_at_the_bound_is_met_with_zero_margin(tmp_path):
    share = np.linspace(0.2, 0.4, len(YEARS))  # 0.25 in 2025
    traj = trajectories(nonhydro_renewable_share={"wuzhong": share})
    cat = catalogue(
        tmp_path,
        {
            "id": "nhre",
            "indicator": "nonhydro_renewable_share",
            "year": 2025,
            "op": ">=",
            "v": 0.25,
            "w": 25,
            "uw": "%",
        },
    )
    res = check(traj, cat).dataset.sel(target="nhre", scenario="s")
    assert float(res.margin) == pytest.approx(0.0, abs=1e-12)
    assert bool(res.met)
    assert str(res.status.values) == "at_risk"
    assert int(res.first_year_met) == 2025


@pytest.mark.parametrize(
    ("value", "status"), [(0.189, "at_risk"), (0.175, "met"), (0.1905, "missed"), (0.169, "missed")]
)
def test_approx_target_inside_and_outside_its_tolerance(tmp_path, value, status):
    share = np.full(len(YEARS), value)
    traj = trajectories(non_fossil_share={"wuzhong": share})
    cat = catalogue(
        tmp_path,
        {
            "id": "nf",
            "indicator": "non_fossil_share",
            "year": 2025,
            "op": "approx",
            "v": 0.18,
            "w": 18,
            "uw": "%",
            "tier": "approx",
            "extra": "tolerance = 0.01\n",
        },
    )
    # the two-sided reading (an option since the one-sided one became the default)
    res = check(traj, cat, approx="two_sided").dataset.sel(target="nf", scenario="s")
    assert str(res.status.values) == status
    assert float(res.margin) == pytest.approx(0.01 - abs(value - 0.18))


def test_relative_change_target(tmp_path):
    intensity = 1.0 * 0.97 ** (YEARS - 2020)  # -14.1 % by 2025
    traj = trajectories(energy_intensity={"wuzhong": intensity})
    cat = catalogue(
        tmp_path,
        {
            "id": "ei",
            "indicator": "energy_intensity",
            "year": 2025,
            "op": "<=",
            "v": -0.13,
            "w": 13,
            "uw": "%",
            "basis": "relative_change",
            "extra": "base_year = 2020\n",
        },
    )
    res = check(traj, cat).dataset.sel(target="ei", scenario="s")
    assert float(res.value) == pytest.approx(0.97**5 - 1)
    assert float(res.margin) == pytest.approx(-0.13 - (0.97**5 - 1))
    assert bool(res.met)
    assert int(res.first_year_met) == 2025  # -11.5 % in 2024, -14.1 % in 2025


@pytest.mark.parametrize(
    ("litong_peak", "city_peak", "met"),
    [(2026, 2028, True), (2027, 2028, True), (2028, 2028, False)],
)
def test_peak_before(tmp_path, litong_peak, city_peak, met):
    traj = trajectories(
        co2={"litong": peaking_series(litong_peak), "wuzhong": peaking_series(city_peak)}
    )
    cat = catalogue(
        tmp_path,
        {
            "id": "first",
            "region": "litong",
            "indicator": "co2",
            "year": 2030,
            "op": "peak_before",
            "unit": "1e4 t CO2",
            "kind": "order",
            "tier": "stretch",
            "extra": 'other_region = "wuzhong"\nother_indicator = "co2"\n',
        },
    )
    res = check(traj, cat).dataset.sel(target="first", scenario="s")
    assert bool(res.met) is met
    assert float(res.margin) == city_peak - litong_peak - 1


@pytest.mark.parametrize(("county_peak", "met"), [(2027, True), (2029, True), (2030, False)])
def test_peak_with_within_a_year(tmp_path, county_peak, met):
    traj = trajectories(
        co2={"hongsibu": peaking_series(county_peak), "wuzhong": peaking_series(2028)}
    )
    cat = catalogue(
        tmp_path,
        {
            "id": "with",
            "region": "hongsibu",
            "indicator": "co2",
            "year": 2030,
            "op": "peak_with",
            "unit": "1e4 t CO2",
            "kind": "order",
            "extra": 'other_region = "wuzhong"\nlag_years = 1\n',
        },
    )
    assert bool(check(traj, cat).dataset.met.sel(target="with", scenario="s")) is met


def test_nonincreasing_after_the_peak(tmp_path):
    falling = peaking_series(2028)
    rebound = peaking_series(2028, rebound_year=2033, rebound=0.03)
    rec = {
        "id": "dec",
        "indicator": "co2",
        "year": 2035,
        "op": "nonincreasing",
        "unit": "1e4 t CO2",
        "kind": "order",
        "extra": "first_year = 2031\nlast_year = 2035\n",
    }
    cat = catalogue(tmp_path, rec)
    assert bool(check(trajectories(co2={"wuzhong": falling}), cat).dataset.met.item())
    assert not bool(check(trajectories(co2={"wuzhong": rebound}), cat).dataset.met.item())


def test_missing_tracked_indicator_is_not_evaluated_never_met(tmp_path):
    traj = trajectories(co2={"wuzhong": peaking_series(2028)})
    cat = catalogue(
        tmp_path,
        {
            "id": "forest",
            "indicator": "forest_coverage",
            "year": 2025,
            "op": ">=",
            "v": 0.204,
            "w": 20.4,
            "uw": "%",
            "kind": "tracked",
        },
    )
    res = check(traj, cat)
    assert str(res.dataset.status.sel(target="forest").item()) == "not_evaluated"
    assert not bool(res.dataset.met.sel(target="forest").item())
    assert "forest_coverage" in res.not_evaluated()["forest"]
    assert np.isnan(res.summary().set_index("target").loc["forest", "share_met"])


def test_peak_table_and_stable_decline():
    traj = trajectories(
        co2={"wuzhong": peaking_series(2028), "litong": peaking_series(2035)},
        coal_consumption={"wuzhong": peaking_series(2024)},
        road_oil_consumption={"wuzhong": peaking_series(2029)},
    )
    peaks = peak_table(traj).sel(scenario="s")
    assert int(peaks.peak_year.sel(region="wuzhong", quantity="co2")) == 2028
    assert int(peaks.peak_year.sel(region="litong", quantity="co2")) == 2035
    assert bool(peaks.peaked_by_2030.sel(region="wuzhong", quantity="co2"))
    assert not bool(peaks.peaked_by_2030.sel(region="litong", quantity="co2"))
    assert bool(peaks.stable_decline.sel(region="wuzhong", quantity="co2"))
    # a flat series (all ones) peaks in its first year; it is 稳中有降 with zero margin (stable,
    # and 2035 not above 2030) — the definition of the nonincreasing records
    assert int(peaks.peak_year.sel(region="yanchi", quantity="co2")) == 2020
    assert bool(peaks.stable_decline.sel(region="yanchi", quantity="co2"))
    # a series still rising 2 %/yr after 2030 is not
    assert not bool(peaks.stable_decline.sel(region="litong", quantity="co2"))


def test_bundled_catalogue_on_toy_trajectories_outputs(toy, tmp_path):
    import carbonsim

    traj = carbonsim.simulate(
        {"solar_capacity": {"default": {2030: 8}}}, baseline=toy, years=range(2020, 2041)
    )
    res = check(traj)
    df = res.to_dataframe()
    assert len(df) == len(load_targets())
    assert list(df.columns[:8]) == [
        "scenario",
        "target",
        "region",
        "indicator",
        "year",
        "op",
        "tier",
        "kind",
    ]
    html = res._repr_html_()
    assert "主要目标" in html and "力争目标" in html and "未评估" in html
    path = res.to_csv(tmp_path / "f.csv", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "利通区".encode() not in raw[:3]
    # the verdicts partition the records (met includes at_risk)
    summary = res.summary()
    parts = ("met", "missed", "set_by_scenario", "not_evaluated")
    assert sum(summary[s].sum() for s in parts) == len(df)


def test_results_of_one_catalogue_do_not_share_mutable_coordinates():
    import carbonsim

    ds = carbonsim.simulate(None, variables=["co2", "gdp"])
    first = carbonsim.check(ds).dataset
    first["region"].attrs["note"] = "edited"
    with pytest.raises(ValueError, match="read-only"):
        first["region"].values[0] = "edited"
    second = carbonsim.check(ds).dataset
    assert "note" not in second["region"].attrs
    assert second["region"].values[0] == "wuzhong"


def test_the_feasibility_table_is_a_valid_dataset_as_the_public_constructor_builds_it():
    import xarray as xr
    from xarray.testing import _assert_internal_invariants

    import carbonsim

    table = carbonsim.check(carbonsim.simulate(None, variables=["co2", "gdp"])).dataset
    _assert_internal_invariants(table, check_default_indexes=True)
    public = xr.Dataset(
        {k: table.variables[k] for k in table.data_vars}, coords=table.coords, attrs=table.attrs
    )
    xr.testing.assert_identical(table, public)
    assert table.sel(target="main_2025_new_energy_capacity").status.shape == (1,)


def test_the_evaluation_plan_follows_the_layout_of_the_trajectories():
    """A plan is reused only on the same layout: a variable subset, another region order and
    another horizon each get their own, with the results of a fresh evaluation."""
    import carbonsim
    from carbonsim.feasibility import vectorised

    full = carbonsim.simulate(None, years=range(2020, 2041))
    layouts = {
        "full": full,
        "subset": full[["co2", "gdp", "energy_consumption"]],
        "reordered": full.isel(region=[0, 3, 1, 2, 5, 4]),
        "shorter": full.sel(year=slice(2020, 2032)),
    }
    reused = {k: carbonsim.check(ds).dataset for k, ds in layouts.items()}
    assert len(vectorised._PLANS) >= len(layouts)
    for name, ds in layouts.items():
        vectorised._PLANS.clear()
        fresh = carbonsim.check(ds).dataset
        xr.testing.assert_identical(reused[name], fresh)
    sub = reused["subset"]
    assert (sub.status.sel(target="main_2025_new_energy_capacity") == "not_evaluated").all()
    peak = "j1_litong_co2_peak_before_city"
    reordered = reused["reordered"].value.sel(target=peak).values
    np.testing.assert_array_equal(reordered, reused["full"].value.sel(target=peak).values)
