"""Another city with other districts, end to end: baseline -> simulate -> check -> file -> report.

The city ``city_x`` has three districts ``d1, d2, d3``: the bundled calibration's litong,
hongsibu and qingtongxia under new ids (yanchi and tongxin dropped), with its own regions file,
target catalogue and scenario file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import carbonsim
from carbonsim.baseline import DEFAULT_PATH, load_baseline, load_baseline_table
from carbonsim.errors import BaselineError, LeverError, ScenarioError
from carbonsim.feasibility import check
from carbonsim.inputs.scenario import load_scenario
from carbonsim.regions import WUZHONG, RegionSet, read_regions, regions_of
from carbonsim.report import summary_markdown

RENAME = {"wuzhong": "city_x", "litong": "d1", "hongsibu": "d2", "qingtongxia": "d3"}
COUNTIES = ("d1", "d2", "d3")

REGIONS_CSV = """region,name_zh,name_en,city
city_x,某市,City X,yes
d1,甲区,District 1,no
d2,乙区,District 2,no
d3,丙县,,
"""

CATALOGUE = """
title = "City X plan"
regions = ["city_x", "d1", "d2", "d3"]

[[target]]
id = "d1_2030_energy_intensity"
region = "d1"
indicator = "energy_intensity"
year = 2030
op = "<="
value = -0.1
unit = "1"
value_as_written = 10
unit_as_written = "%"
basis = "relative_change"
base_year = 2020
tier = "binding"
kind = "simulated"
clause = "1"
source_text = "d1 saves energy"

[[target]]
id = "d2_2030_new_energy"
region = "d2"
indicator = "new_energy_capacity"
year = 2030
op = ">="
value = 7.0
unit = "GW"
value_as_written = 700
unit_as_written = "万千瓦"
basis = "absolute"
tier = "binding"
kind = "simulated"
clause = "2"
source_text = "d2 builds wind and solar"

[[target]]
id = "city_2030_co2_peak"
region = "city_x"
indicator = "co2"
year = 2030
op = "peak_by"
unit = "1e4 t CO2"
basis = "absolute"
tier = "binding"
kind = "order"
clause = "3"
source_text = "the city peaks by 2030"
note = "peak year of the city's CO2 by 2030"
"""

SCENARIO = """
id = "city-x-plan"
name_en = "City X plan"

[levers]
gdp_growth = 0.05
solar_capacity = { d2 = { 2030 = 9.0 }, default = { 2030 = 1.0 } }
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city_x")
    table = pd.read_csv(DEFAULT_PATH, dtype=str, keep_default_na=False)
    table = table[table["region"].isin(["", *RENAME])].copy()
    table["region"] = table["region"].map(lambda r: RENAME.get(r, r))
    gdp = table[table["variable"] == "gdp"]["value"].astype(float).sum()
    table.loc[table["variable"] == "gdp_reference", "value"] = f"{gdp:.4f}"
    table.to_csv(folder / "city_x-2020.csv", index=False)
    (folder / "regions.csv").write_text(REGIONS_CSV, encoding="utf-8")
    (folder / "targets.toml").write_text(CATALOGUE, encoding="utf-8")
    (folder / "plan.toml").write_text(SCENARIO, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def baseline(city):
    return load_baseline(city / "city_x-2020.csv", regions=city / "regions.csv")


def test_regions_file(city):
    regions = read_regions(city / "regions.csv")
    assert regions == RegionSet("city_x", COUNTIES)
    assert regions.name_zh("d1") == "甲区"
    assert regions.name_en("d3") == "d3"  # no name: its id


def test_baseline_regions_and_sums(baseline):
    assert list(baseline.region.values) == ["city_x", *COUNTIES]
    assert list(baseline.name_zh.values) == ["某市", "甲区", "乙区", "丙县"]
    assert baseline.attrs["city"] == "city_x"
    assert regions_of(baseline).counties == COUNTIES
    wuzhong = load_baseline()
    assert float(baseline.gdp.sel(region="d2")) == float(wuzhong.gdp.sel(region="hongsibu"))
    total = float(baseline.gdp.sel(region=list(COUNTIES)).sum())
    assert float(baseline.gdp.sel(region="city_x")) == pytest.approx(total)


def test_wuzhong_stays_the_default():
    assert regions_of(load_baseline()) == WUZHONG
    assert load_baseline().attrs["city"] == "wuzhong"


def test_baseline_refuses_a_region_outside_the_city(city, tmp_path):
    text = (city / "city_x-2020.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("\ngdp,d3,", "\ngdp,d4,", 1), encoding="utf-8")
    with pytest.raises(BaselineError, match=r"bad\.csv, row \d+, column 'region'.*'d4'"):
        load_baseline_table(bad, regions=city / "regions.csv")
    with pytest.raises(BaselineError, match=r"unknown region 'd1'.*declare its regions"):
        load_baseline_table(city / "city_x-2020.csv")  # read as Wuzhong


def test_regions_file_errors(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("region,name_zh,name_en,city\nc,C,C,yes\nd,D,D,yes\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="exactly one row must be the city"):
        read_regions(path)
    path.write_text("region,name_zh,name_en,city\nc,C,C,yes\nall,D,D,no\n", encoding="utf-8")
    with pytest.raises(BaselineError, match=r"row 3, column 'region'.*'all' is not allowed"):
        read_regions(path)
    path.write_text("region,name_zh,name_en,city\nc,C,C,yes\nD-2,D,D,no\n", encoding="utf-8")
    with pytest.raises(BaselineError, match="'D-2' is not allowed"):
        read_regions(path)


def test_regions_of_any_dataset():
    import xarray as xr

    odd = regions_of(xr.Dataset(coords={"region": ["Ningxia-Hui", "b 2"]}))
    assert (odd.city, odd.counties) == ("Ningxia-Hui", ("b 2",))
    assert regions_of(xr.Dataset(coords={"region": ["litong", "yanchi"]})) == WUZHONG


def test_simulate_check_and_report(city, baseline):
    scenario = load_scenario(city / "plan.toml", regions=baseline)
    traj = carbonsim.simulate(scenario, baseline=baseline, years=range(2020, 2041))
    assert list(traj.region.values) == ["city_x", *COUNTIES]
    assert traj.attrs["city"] == "city_x"
    assert list(traj.name_zh.values) == ["某市", "甲区", "乙区", "丙县"]
    co2 = traj.co2.isel(scenario=0)
    np.testing.assert_allclose(
        co2.sel(region="city_x"), co2.sel(region=list(COUNTIES)).sum("region")
    )
    solar = traj.capacity.sel(tech="solar", year=2030, scenario=scenario.id)
    assert float(solar.sel(region="d2")) == pytest.approx(9.0)
    assert float(solar.sel(region="d3")) == pytest.approx(1.0)

    result = check(traj, city / "targets.toml")
    status = result.dataset.status.sel(scenario=scenario.id)
    intensity = traj.energy_intensity.sel(scenario=scenario.id, region="d1")
    change = float(intensity.sel(year=2030) / intensity.sel(year=2020) - 1)
    value = result.dataset.value.sel(scenario=scenario.id, target="d1_2030_energy_intensity")
    assert float(value) == pytest.approx(change)
    assert str(status.sel(target="d1_2030_energy_intensity").values) != "not_evaluated"
    assert result.dataset.region.sel(target="d2_2030_new_energy").item() == "d2"
    assert str(status.sel(target="city_2030_co2_peak").values) != "not_evaluated"
    assert list(result.peaks.region.values) == ["city_x", *COUNTIES]
    from carbonsim.report import terminal_table

    row = next(x for x in terminal_table(result).splitlines() if x.startswith("d2_2030_new"))
    assert "万千瓦" in row.split("700万千瓦")[-1]  # simulated value in the plan's unit
    summary = summary_markdown(result)
    assert "| 乙区 d2 |" in summary
    assert "吴忠" not in summary


def test_scenario_file_path_and_city_alias(city, baseline):
    traj = carbonsim.simulate(city / "plan.toml", baseline=baseline, years=range(2020, 2031))
    assert traj.scenario.values.tolist() == ["city-x-plan"]
    both = carbonsim.simulate(
        {"solar_capacity": {"default": {2030: 2.0}, "d1": {2030: 3.0}}},
        baseline=baseline,
        years=range(2020, 2031),
    )
    solar = both.capacity.sel(tech="solar", year=2030, scenario="custom")
    assert float(solar.sel(region="d1")) == pytest.approx(3.0)
    assert float(solar.sel(region="d2")) == pytest.approx(2.0)
    # the city's id as a key is ambiguous for a capacity (a city total or each county?)
    with pytest.raises(LeverError, match=r"'city_x' is ambiguous.*'city_total'"):
        carbonsim.simulate({"solar_capacity": {"city_x": {2030: 2.0}}}, baseline=baseline)


def test_unknown_district_is_refused(city, baseline, tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(SCENARIO.replace("d2 =", "d4 ="), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"typo\.toml: levers\.solar_capacity\.d4: unknown"):
        load_scenario(path, regions=baseline)
    with pytest.raises(ScenarioError, match="one of d1, d2, d3 or 'default'"):
        carbonsim.simulate(path, baseline=baseline)
    with pytest.raises(LeverError, match="unknown region 'litong'; valid regions are d1, d2, d3"):
        carbonsim.simulate({"solar_capacity": {"litong": 1.0}}, baseline=baseline)


def test_cli_run(city, tmp_path, capsys):
    from carbonsim.cli import main

    out = tmp_path / "out"
    args = [
        "run",
        str(city / "plan.toml"),
        "--baseline",
        str(city / "city_x-2020.csv"),
        "--regions",
        str(city / "regions.csv"),
        "--targets",
        str(city / "targets.toml"),
        "--years",
        "2020:2035",
        "--out",
        str(out),
        "--no-explain",
    ]
    assert main(args) == 0
    feasibility = pd.read_csv(out / "feasibility.csv")
    assert set(feasibility["region"]) == {"city_x", "d1", "d2"}
    assert "甲区 d1" in (out / "summary.md").read_text(encoding="utf-8")


def test_charts_name_the_districts(city, baseline):
    import matplotlib

    matplotlib.use("Agg")
    import carbonsim.plot as cplot

    traj = carbonsim.simulate(city / "plan.toml", baseline=baseline, years=range(2020, 2041))
    from carbonsim.catalogue import load_targets

    targets = load_targets(city / "targets.toml")
    result = check(traj, targets)
    fig = cplot.peaking_order(result, targets=targets)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "某市"
    assert {"甲区", "乙区", "丙县"} <= set(labels)
    fig = cplot.trajectory(traj, "co2", regions=["d1", "d2"], lang="en")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("District 1" in text for text in legend)
    fig = cplot.dashboard(result)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any(label.startswith("乙区 ") for label in labels), labels


def test_sweep(city, baseline, tmp_path):
    from carbonsim.sweeps import sweep

    path = tmp_path / "uncertain.toml"
    path.write_text(
        SCENARIO.replace(
            "d2 = { 2030 = 9.0 }", 'd2 = { 2030 = { dist = "uniform", low = 5, high = 12 } }'
        ),
        encoding="utf-8",
    )
    result = sweep(
        path,
        16,
        chunk_size=8,
        targets=city / "targets.toml",
        baseline=baseline,
        years=range(2020, 2036),
        progress=False,
    )
    summary = result.summary
    assert list(summary.region.values) == ["city_x", *COUNTIES]
    assert list(summary.name_zh.values) == ["某市", "甲区", "乙区", "丙县"]
    assert "all_binding_d2" in summary.joint.values
    assert set(result.probabilities().target) == {
        "d1_2030_energy_intensity",
        "d2_2030_new_energy",
        "city_2030_co2_peak",
    }


def test_cli_baseline(city, capsys):
    from carbonsim.cli import main

    args = ["baseline", "--file", str(city / "city_x-2020.csv"), "--regions"]
    assert main([*args, str(city / "regions.csv"), "--variable", "gdp"]) == 0
    text = capsys.readouterr().out
    assert "city_x" in text and "d3" in text and "wuzhong" not in text


def test_what_it_takes(city, baseline):
    from carbonsim.analysis.what_it_takes import peak_target, what_it_takes
    from carbonsim.catalogue import load_targets

    targets = load_targets(city / "targets.toml")
    plan = load_scenario(city / "plan.toml", regions=baseline)
    low = plan.replace(solar_capacity={"d2": {2030: 1.0}})
    result = what_it_takes(
        low,
        "d2_2030_new_energy",
        ["solar_capacity:d2"],
        catalogue=targets,
        baseline=baseline,
        years=range(2020, 2036),
    )
    assert result.feasible
    assert list(result.scenario.levers["solar_capacity"]) == ["default", "d2"]
    assert peak_target("d3", 2030, regions=baseline).region == "d3"
    with pytest.raises(LeverError, match="valid counties are d1, d2, d3"):
        what_it_takes(
            plan, "d2_2030_new_energy", ["solar_capacity:litong"], catalogue=targets,
            baseline=baseline, years=range(2020, 2036),
        )  # fmt: skip


def test_cli_sweep(city, tmp_path, capsys):
    from carbonsim.cli import main

    path = tmp_path / "uncertain.toml"
    path.write_text(
        SCENARIO.replace(
            "gdp_growth = 0.05", 'gdp_growth = { dist = "uniform", low = 0.03, high = 0.06 }'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "sweep.zarr"
    args = ["sweep", str(path), "-n", "16", "--chunk", "8", "--out", str(out), "--quiet"]
    args += ["--baseline", str(city / "city_x-2020.csv"), "--regions", str(city / "regions.csv")]
    args += ["--targets", str(city / "targets.toml"), "--years", "2020:2035"]
    assert main(args) == 0
    import xarray as xr

    summary = xr.open_zarr(out)
    assert list(summary.region.values) == ["city_x", *COUNTIES]


def test_iamc_round_trip(city, baseline):
    from carbonsim.io import from_iamc, to_iamc

    traj = carbonsim.simulate(city / "plan.toml", baseline=baseline, years=range(2020, 2031))
    table = to_iamc(traj)
    assert {"City X", "City X|D1", "City X|D3"} <= set(table["region"])
    back = from_iamc(table)
    assert list(back.region.values) == ["city_x", *COUNTIES]
    assert regions_of(back).city == "city_x"
    np.testing.assert_allclose(back.co2.values, traj.co2.values, rtol=1e-12)
