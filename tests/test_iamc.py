"""IAMC export and import, the mapping table, and the catalogue as pyam criteria (checked with
pyam itself where it is installed: ``pip install 'carbonsim[iamc]'``)."""

import gc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import carbonsim
from carbonsim.definitions.variables import variable_metadata
from carbonsim.io import from_iamc, to_iamc
from carbonsim.io.iamc import (
    AGGREGATES,
    IAMC_COLUMNS,
    IamcError,
    catalogue_to_pyam_criteria,
    iamc_region,
    iamc_variables,
    mapping_table,
    region_id,
)

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EJ_PER_10KTCE = 1e4 * 29.3076e-9


@pytest.fixture(scope="module")
def trajectories():
    bau = carbonsim.load_scenario(SCENARIOS / "bau.toml")
    plan = carbonsim.load_scenario(SCENARIOS / "plan.toml")
    return carbonsim.simulate([bau, plan], years=range(2020, 2041))


@pytest.fixture(scope="module")
def batch():
    """Scenarios with varied levers, so that every kind of record passes somewhere and fails
    somewhere else."""
    bau, plan, stretch = (carbonsim.load_scenario(SCENARIOS / f"{n}.toml") for n in
                          ("bau", "plan", "stretch"))  # fmt: skip
    return carbonsim.simulate(
        [
            bau,
            plan,
            stretch,
            plan.replace(gdp_growth=0.09).with_id("plan-fast-growth"),
            stretch.replace(gdp_growth=0.03, storage_ratio={2025: 0.05}).with_id("stretch-slow"),
            carbonsim.load_scenario(SCENARIOS / "uncertainty.toml").to_levers(n=4, seed=7),
        ],
        years=range(2020, 2041),
    )


@pytest.fixture(scope="module")
def table(trajectories):
    return to_iamc(trajectories)


# ---------------------------------------------------------------------------------------------
# the mapping table
# ---------------------------------------------------------------------------------------------
def test_mapping_rows_name_real_variables_in_their_units(trajectories):
    meta = variable_metadata()
    for row in mapping_table().itertuples():
        assert row.variable in meta, row.variable
        assert row.model_unit == meta[row.variable]["units"], row.iamc_variable
        assert float(row.factor) > 0 and float(row.weight) in (1.0, -1.0)
        da = trajectories[row.variable]
        for part in filter(None, row.selection.split(";")):
            dim, _, coords = part.partition("=")
            assert dim in da.dims, (row.iamc_variable, dim)
            assert set(coords.split("+")) <= set(da[dim].values.tolist()), row.iamc_variable


def test_one_unit_per_iamc_variable():
    rows = mapping_table()
    for name, group in rows.groupby("iamc_variable"):
        assert group[["model_unit", "iamc_unit", "factor"]].drop_duplicates().shape[0] == 1, name


def test_required_variables_are_mapped():
    names = set(iamc_variables())
    required = {
        "Emissions|CO2",
        "Emissions|CO2|Energy",
        "Emissions|CO2|Industrial Processes",
        "Emissions|CO2|Territorial",
        "Primary Energy",
        "Primary Energy|Coal",
        "Primary Energy|Oil",
        "Primary Energy|Gas",
        "Primary Energy|Non-Fossil",
        "Final Energy",
        "Final Energy|Industry",
        "Final Energy|Residential and Commercial",
        "Final Energy|Transportation",
        "Final Energy|Electricity",
        "GDP|MER",
        "Share|Primary Energy|Non-Fossil",
        "Capacity|Electricity|Storage",
    }
    for tech in ("Coal", "Gas", "Hydro", "Wind", "Solar", "Biomass"):
        required |= {f"Secondary Energy|Electricity|{tech}", f"Capacity|Electricity|{tech}"}
    assert required <= names
    # non_fossil holds biomass and the grid's nuclear: it is not "Non-Biomass Renewables"
    assert not any("Non-Biomass Renewables" in n for n in names)


def test_equivalent_variables_equal_their_iamc_variable(trajectories):
    table = to_iamc(trajectories, units="model")
    for v in iamc_variables().values():
        rows = table[table.variable == v.name].set_index(["scenario", "region", "year"]).value
        for alias in v.equivalent:
            ref = trajectories[alias].to_series().rename(index=iamc_region, level="region")
            np.testing.assert_allclose(rows.sort_index(), ref.sort_index(), rtol=1e-12, atol=1e-9)


def test_aggregates_hold_numerically(table):
    wide = table.pivot_table(
        index=["scenario", "region", "year"], columns="variable", values="value"
    )
    for total, components in AGGREGATES:
        np.testing.assert_allclose(
            wide[list(components)].sum(axis=1), wide[total], rtol=1e-9, atol=1e-12, err_msg=total
        )


# ---------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------
def test_long_format_columns_regions_and_units(table, trajectories):
    assert tuple(table.columns) == IAMC_COLUMNS
    assert set(table.model) == {"carbonsim"}
    assert set(table.scenario) == {"bau", "plan"}
    assert list(dict.fromkeys(table.region)) == [
        "Wuzhong",
        "Wuzhong|Litong",
        "Wuzhong|Hongsibu",
        "Wuzhong|Qingtongxia",
        "Wuzhong|Yanchi",
        "Wuzhong|Tongxin",
    ]
    assert table.year.dtype.kind == "i" and not table.value.isna().any()
    units = table.groupby("variable").unit.first()
    assert units["Emissions|CO2"] == "Mt CO2/yr"
    assert units["Primary Energy"] == "EJ/yr"
    assert units["Secondary Energy|Electricity"] == "EJ/yr"
    assert units["Capacity|Electricity|Solar"] == "GW"
    assert units["GDP|MER"] == "billion CNY2020/yr"
    assert units["Share|Primary Energy|Non-Fossil"] == "%"


def value(table, variable, scenario="plan", region="Wuzhong", year=2030) -> float:
    row = table[
        (table.variable == variable)
        & (table.scenario == scenario)
        & (table.region == region)
        & (table.year == year)
    ]
    assert len(row) == 1, variable
    return float(row.value.iloc[0])


def test_unit_conversions(table, trajectories):
    at = {"scenario": "plan", "region": "wuzhong", "year": 2030}
    sel = trajectories.sel(at)
    assert value(table, "Emissions|CO2") == pytest.approx(float(sel.co2) * 0.01)
    assert value(table, "Primary Energy") == pytest.approx(
        float(sel.energy_consumption) * EJ_PER_10KTCE
    )
    assert value(table, "Secondary Energy|Electricity|Solar") == pytest.approx(
        float(sel.generation.sel(tech="solar")) * 3.6e-3
    )
    assert value(table, "GDP|MER") == pytest.approx(float(sel.gdp) * 0.1)
    assert value(table, "Share|Primary Energy|Non-Fossil") == pytest.approx(
        float(sel.non_fossil_share) * 100
    )
    assert value(table, "Emissions|CO2|Territorial", region="Wuzhong|Qingtongxia") == (
        pytest.approx(
            float(trajectories.co2_territorial.sel({**at, "region": "qingtongxia"})) * 0.01
        )
    )


def test_model_units_leave_numbers_unchanged(trajectories):
    table = to_iamc(trajectories, units="model", variables=["Emissions|CO2", "Capacity*"])
    assert set(table[table.variable == "Emissions|CO2"].unit) == {"1e4 t CO2"}
    assert value(table, "Emissions|CO2") == float(
        trajectories.co2.sel(scenario="plan", region="wuzhong", year=2030)
    )
    assert all(v == "Emissions|CO2" or v.startswith("Capacity|") for v in set(table.variable))


def test_scenario_names_and_variable_patterns(trajectories):
    renamed = to_iamc(trajectories, scenario={"plan": "方案"}, variables="Final Energy|*")
    assert set(renamed.scenario) == {"bau", "方案"}
    assert all(v.startswith("Final Energy|") for v in renamed.variable)
    one = to_iamc(trajectories.sel(scenario=["plan"]), scenario="Plan 2023", model="m")
    assert set(one.scenario) == {"Plan 2023"} and set(one.model) == {"m"}


def test_export_errors(trajectories):
    with pytest.raises(IamcError, match=r"Did you mean 'Emissions\|CO2'"):
        to_iamc(trajectories, variables=["Emisions|CO2"])
    with pytest.raises(IamcError, match="units must be one of iamc, model"):
        to_iamc(trajectories, units="si")
    with pytest.raises(IamcError, match="pass a dict"):
        to_iamc(trajectories, scenario="x")
    with pytest.raises(IamcError, match="needs 'capacity'"):
        to_iamc(trajectories.drop_vars("capacity"), variables="Capacity|Electricity|Solar")
    with pytest.raises(IamcError, match=r"\.csv or \.xlsx"):
        to_iamc(trajectories, path="out.json")
    # without a variable, the IAMC variables that need it are left out
    assert "Capacity|Electricity|Solar" not in set(
        to_iamc(trajectories.drop_vars("capacity")).variable
    )


def test_regions_named_for_pyam():
    assert iamc_region("wuzhong") == "Wuzhong"
    assert iamc_region("qingtongxia") == "Wuzhong|Qingtongxia"
    assert region_id("Wuzhong|Qingtongxia") == "qingtongxia"
    assert region_id("Wuzhong") == "wuzhong"


# ---------------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------------
def assert_round_trip(back: xr.Dataset, ds: xr.Dataset) -> None:
    assert {"co2", "capacity", "primary_energy", "gdp", "coal_consumption"} <= set(back.data_vars)
    for name, da in back.data_vars.items():
        extra = [d for d in da.dims if d not in ("scenario", "region", "year")]
        ref = ds[name].sel({d: da[d].values for d in extra}).transpose(*da.dims)
        xr.testing.assert_allclose(da, ref.sel(year=da.year), rtol=1e-12)
        assert da.attrs == ds[name].attrs, name
    assert back.name_zh.values.tolist() == ds.name_zh.values.tolist()
    assert back.region.values.tolist() == ds.region.values.tolist()
    assert back.capacity.tech.values.tolist() == ds.tech.values.tolist()


def test_round_trip_through_a_dataframe(table, trajectories):
    assert_round_trip(from_iamc(table), trajectories)


def test_round_trip_through_csv(trajectories, tmp_path):
    path = tmp_path / "wuzhong.csv"
    written = to_iamc(trajectories, path=path)
    assert pd.read_csv(path).equals(written)
    assert_round_trip(from_iamc(path), trajectories)


def test_round_trip_through_xlsx(trajectories, tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "wuzhong.xlsx"
    to_iamc(trajectories.sel(year=slice(2020, 2030)), path=path)
    with pd.ExcelFile(path) as xl:
        assert xl.sheet_names == ["data", "meta"]
        meta = pd.read_excel(xl, sheet_name="meta")
    assert meta.co2_basis.tolist() == ["consumption", "consumption"]
    assert_round_trip(from_iamc(path), trajectories)


def test_model_units_and_wide_tables_read_back(trajectories):
    table = to_iamc(trajectories, units="model")
    assert_round_trip(from_iamc(table), trajectories)
    wide = table.pivot_table(index=list(IAMC_COLUMNS[:5]), columns="year", values="value")
    wide = wide.reset_index().rename(columns=lambda c: c.title() if isinstance(c, str) else c)
    assert_round_trip(from_iamc(wide), trajectories)


def test_iamc_variables_as_they_are(table):
    ds = from_iamc(table, variables="iamc")
    assert ds["Emissions|CO2"].attrs["units"] == "Mt CO2/yr"
    assert ds["Final Energy|Industry"].dims == ("scenario", "region", "year")
    assert ds.name_zh.sel(region="litong").item() == "利通区"


def test_import_errors(table):
    with pytest.raises(IamcError, match="lacks column"):
        from_iamc(table.drop(columns="unit"))
    two = pd.concat([table, table.assign(model="other")])
    with pytest.raises(IamcError, match="several models"):
        from_iamc(two)
    assert from_iamc(two, model="other").attrs["model"] == "other"
    odd = table.copy()
    odd.loc[odd.variable == "GDP|MER", "unit"] = "USD"
    with pytest.raises(IamcError, match=r"'GDP\|MER' is in 'USD'"):
        from_iamc(odd)
    with pytest.raises(IamcError, match="duplicate rows"):
        from_iamc(pd.concat([table, table.head(1)]))
    with pytest.raises(IamcError, match="DataFrame"):
        from_iamc(42)


# ---------------------------------------------------------------------------------------------
# the catalogue as pyam criteria
# ---------------------------------------------------------------------------------------------
def test_criteria_cover_value_records_and_explain_the_rest(trajectories):
    crit = catalogue_to_pyam_criteria(trajectories=trajectories)
    cat = carbonsim.load_targets()
    reasons = dict(zip(crit.unsupported.target, crit.unsupported.reason, strict=True))
    for t in cat:
        if t.op in ("peak_by", "peak_before", "peak_with", "nonincreasing"):
            assert "peaking/order" in reasons[t.id]
    assert "main_2025_new_energy_capacity" in set(crit.criteria.target)
    row = crit.criteria.set_index("target").loc["main_2025_new_energy_capacity"]
    assert row.variable == "Capacity|Electricity|Wind and Solar" and row.region == "Wuzhong"
    assert row.lower_bound == pytest.approx(23.0) and np.isnan(row.upper_bound)
    share = crit.criteria.set_index("target").loc["main_2025_non_fossil_share"]
    # 18 %左右 of a share the plan raises: one-sided, from 17 % (direction up)
    assert share.lower_bound == pytest.approx(17.0) and np.isnan(share.upper_bound)
    relative = crit.criteria[crit.criteria.target == "main_2025_energy_intensity"]
    assert sorted(relative.scenario) == ["bau", "plan"]
    base = trajectories.energy_intensity.sel(region="wuzhong", year=2020, scenario="plan")
    bound = relative.set_index("scenario").upper_bound["plan"]
    assert bound == pytest.approx(float(base) * (1 - 0.13) * 2.93076)


def test_relative_records_need_trajectories():
    crit = catalogue_to_pyam_criteria()
    reasons = dict(zip(crit.unsupported.target, crit.unsupported.reason, strict=True))
    assert "pass trajectories" in reasons["main_2025_energy_intensity"]
    assert set(crit.criteria.scenario) == {""}


# ---------------------------------------------------------------------------------------------
# with pyam
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pyam():
    return pytest.importorskip("pyam")


def test_pyam_opens_the_dataframe_and_the_csv(pyam, table, trajectories, tmp_path):
    df = pyam.IamDataFrame(table)
    assert set(df.region) == {iamc_region(r) for r in trajectories.region.values}
    to_iamc(trajectories, path=tmp_path / "t.csv")
    pyam.assert_iamframe_equal(pyam.IamDataFrame(tmp_path / "t.csv"), df)


@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")  # pyam 4.0 leaves it open
def test_pyam_opens_the_xlsx_with_its_meta(pyam, trajectories, tmp_path):
    pytest.importorskip("openpyxl")
    small = trajectories.sel(year=slice(2020, 2025))
    to_iamc(small, path=tmp_path / "t.xlsx")
    df = pyam.IamDataFrame(tmp_path / "t.xlsx")
    gc.collect()
    pyam.assert_iamframe_equal(df, pyam.IamDataFrame(to_iamc(small)), check_meta=False)
    assert df.meta.loc[("carbonsim", "plan"), "electricity_method"] == "coal_equivalent"


def test_pyam_region_aggregation_matches_the_city(pyam, table):
    df = pyam.IamDataFrame(table)
    additive = [v.name for v in iamc_variables().values() if v.aggregate]
    for variable in additive:
        assert df.check_aggregate_region(variable, region="Wuzhong") is None, variable
    aggregated = df.aggregate_region(additive, region="Wuzhong")
    city = df.filter(region="Wuzhong", variable=additive)
    pyam.assert_iamframe_equal(aggregated, city, rtol=1e-9)
    # shares are not sums of counties: pyam sees that
    assert (
        df.check_aggregate_region("Share|Primary Energy|Non-Fossil", region="Wuzhong") is not None
    )


def test_pyam_sector_and_carrier_sums(pyam, table):
    df = pyam.IamDataFrame(table)
    for total, components in AGGREGATES:
        assert df.check_aggregate(total, components=list(components)) is None, total
    # where the children are exactly the components, pyam's default finds them
    assert df.check_aggregate("Emissions|CO2|Energy|Demand") is None
    assert df.check_aggregate("Secondary Energy|Electricity") is None


def test_from_iamc_reads_a_pyam_frame_and_its_wide_csv(pyam, table, trajectories, tmp_path):
    df = pyam.IamDataFrame(table)
    assert_round_trip(from_iamc(df), trajectories)
    df.to_csv(tmp_path / "wide.csv")  # pyam writes one column per year
    assert_round_trip(from_iamc(tmp_path / "wide.csv"), trajectories)


def missed_pairs(result, targets) -> set[tuple[str, str]]:
    """Where the condition fails: missed, or set by the scenario and not holding."""
    ds = result.dataset.sel(target=targets)
    fails = (ds.status != "not_evaluated") & ~ds.holds
    pairs = fails.to_pandas().stack()
    return {(str(s), str(t)) for (s, t), v in pairs.items() if v}


def test_pyam_and_carbonsim_agree_on_what_fails(pyam, batch):
    from carbonsim.io.iamc import validate

    crit = catalogue_to_pyam_criteria(trajectories=batch)
    targets = sorted(set(crit.criteria.target))
    assert len(targets) >= 40  # the value records of the simulated indicators
    failed = validate(pyam.IamDataFrame(to_iamc(batch)), crit)
    by_pyam = set(zip(failed.scenario, failed.target, strict=True))
    by_carbonsim = missed_pairs(carbonsim.check(batch), targets)
    assert by_pyam == by_carbonsim
    n_pairs = len(targets) * batch.sizes["scenario"]
    assert 0.1 * n_pairs < len(by_pyam) < 0.5 * n_pairs  # some pass, some fail
    # records met in some scenarios and missed in others
    varied = {t for _, t in by_pyam} - {
        t for t in targets if all((s, t) in by_pyam for s in batch.scenario.values)
    }
    assert len(varied) >= 10


def test_docs_list_every_iamc_variable_and_sum():
    text = (Path(__file__).resolve().parents[1] / "docs" / "exchange.md").read_text("utf-8")

    def cell(name: str) -> str:  # a code span in a Markdown table cell: "|" escaped
        return "`" + name.replace("|", "\\|") + "`"

    for name in iamc_variables():
        assert f"| {cell(name)} |" in text, name
    for total, components in AGGREGATES:
        assert f"| {cell(total)} | {', '.join(map(cell, components))} |" in text, total
    assert "pyam-iamc>=4.0" in text
