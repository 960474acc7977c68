"""The built-in hindcast: BAU simulated 2020→latest with history off, against the observations."""

from pathlib import Path

import pandas as pd
import pytest

import carbonsim
from carbonsim.analysis.hindcast import HINDCAST_BOUND_PP, hindcast
from carbonsim.baseline.history import HISTORY_COLUMNS, load_history
from carbonsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAU = ROOT / "scenarios" / "bau.toml"


@pytest.fixture(scope="module")
def result():
    return hindcast(BAU)


def test_every_history_row_has_a_source_and_a_quote():
    table = load_history()
    assert (table.source_title.str.strip() != "").all()
    assert (table.url.str.strip() != "").all()
    assert (table.quote.str.strip() != "").all()


def test_bau_city_level_hindcast_is_within_the_bound(result):
    """City (and Ningxia) growth rates and shares, out of sample: within 2 pp (median)."""
    assert result.median_abs_error_pp_out_of_sample("city") <= HINDCAST_BOUND_PP


@pytest.mark.xfail(
    strict=True,
    reason="finding (docs/scenarios.md, 'Why the county hindcast misses the 2 pp bound'): BAU "
    "misses the county-level Jan-Jun 2023 sector growth and industrial energy by a median of "
    "3.45 pp (sector shares and named outputs held at 2020, plant-level events); the county GDP "
    "rows it meets are copied from the same table (in sample)",
)
def test_bau_hindcast_all_rows_within_the_bound(result):
    assert result.median_abs_error_pp_out_of_sample() <= HINDCAST_BOUND_PP


def test_breakdown_locates_the_county_error(result):
    table = result.breakdown()
    label = "median |error|"
    assert list(table.columns) == [*sorted(result.counties), label]
    assert table.loc[label, label] == pytest.approx(
        result.median_abs_error_pp_out_of_sample("counties")
    )
    rows = result.table.set_index(["region", "indicator"])
    row = rows.loc[("tongxin", "industry_va_growth")]
    assert table.loc["industry_va_growth", "tongxin"] == pytest.approx(row.error)
    # sector shares held: a county's primary sector grows at its (copied) GDP rate, so the
    # error is the county GDP rate minus the observed primary rate
    gdp = rows.loc[("hongsibu", "gdp_growth")].observed
    primary = rows.loc[("hongsibu", "primary_va_growth")].observed
    assert table.loc["primary_va_growth", "hongsibu"] == pytest.approx(gdp - primary)
    assert "gdp_growth" not in table.index  # the county GDP rows are in sample
    city = result.breakdown("city")
    assert list(city.columns) == ["wuzhong", label]
    assert city.loc[label, label] == pytest.approx(result.median_abs_error_pp_out_of_sample("city"))


def test_like_with_like(result):
    table = result.table
    compared = table[table.compared]
    # Ningxia rows only against the Ningxia quantity the model carries
    ningxia = compared[compared.region == "ningxia"]
    assert set(ningxia.indicator) == {
        "nonhydro_renewable_consumption_weight",
        "grid_co2_emission_factor",
    }
    skipped = table[(table.region == "ningxia") & ~table.compared & (table.year > 2020)]
    assert skipped.note.str.contains("Ningxia-wide").any()
    assert (skipped.note != "").all()
    # current-price levels are never compared with the model's constant-price GDP
    assert not compared.basis.str.startswith("current_prices").any()
    # plan targets are not observations
    assert not table.basis.str.startswith("plan_target").any()
    # a rate's error is in percentage points, a level's in percent
    assert set(compared[compared.kind == "rate"].error_unit) == {"pp"}
    assert set(compared[compared.kind == "level"].error_unit) == {"%"}


def test_values_are_the_model_and_the_table(result):
    table = result.table.set_index(["region", "indicator", "year", "basis"])
    row = table.loc[("qingtongxia", "gdp_growth", 2023, "real_growth_jan_jun")]
    assert row.observed == pytest.approx(1.4)
    assert row.simulated == pytest.approx(1.4)  # bau copies the county table's 2023 rate …
    assert bool(row.in_sample)  # … and says so
    off = carbonsim.simulate(BAU, years=range(2020, 2024), history=False).sel(scenario="bau")
    va = off.value_added.sel(region="wuzhong", economic_sector=["industry", "construction"])
    va = va.sum("economic_sector")
    expected = float(va.sel(year=2023) / va.sel(year=2022) - 1) * 100
    row = table.loc[("wuzhong", "secondary_va_growth", 2023, "real_growth_jan_jun")]
    assert row.simulated == pytest.approx(expected)
    assert row.error == pytest.approx(expected - 5.1)
    assert not bool(row.in_sample)


def test_dual_control_flag_is_compared(result):
    row = result.table[result.table.indicator == "energy_dual_control_warning"]
    row = row[row.region == "wuzhong"].iloc[0]
    assert row.compared and row.observed == 1.0
    assert "plan's pace -2.75 %/yr" in row.note


def test_summary_line(result):
    line = result.summary()
    assert line.startswith("hindcast bau 2020–2025 (history off): median |error|")
    assert f"{result.median_abs_error_pp():.2f} pp" in line


def test_cli_prints_table_and_summary(capsys):
    assert main(["hindcast", str(BAU), "--compared"]) == 0
    out = capsys.readouterr().out
    assert "qingtongxia" in out and "+0.00 pp" in out
    assert out.strip().splitlines()[-1].startswith("hindcast bau")


def test_cli_csv_and_custom_history(tmp_path, capsys):
    path = tmp_path / "h.csv"
    rows = [["wuzhong", "gdp_growth", 2022, 5.0, "%", "real_growth", "t", "u", "q", ""]]
    pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)).to_csv(path, index=False)
    assert main(["hindcast", str(BAU), "--history", str(path), "--format", "csv"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(out) == 1 and out.simulated.iloc[0] == pytest.approx(4.0)
    assert out.error.iloc[0] == pytest.approx(-1.0)


def test_cli_bad_history_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("region,indicator\nwuzhong,gdp\n", encoding="utf-8")
    assert main(["hindcast", str(BAU), "--history", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "missing column" in err


def test_city_breakdown_keeps_the_years_of_one_indicator_apart(result):
    """Wuzhong's 规上工业 growth is observed for Jan-Jun 2023 and 2024: two rows, not a mean."""
    city = result.breakdown("city")
    rows = result.table.set_index(["region", "indicator", "year"])
    for year in (2023, 2024):
        error = rows.loc[("wuzhong", "industry_va_growth", year)].error
        assert city.loc[f"industry_va_growth {year}", "wuzhong"] == pytest.approx(error)
    assert "industry_va_growth" not in city.index
    # the 2024 observation (宁夏日报, 9.6 %) is compared with the model's annual industry growth
    row = rows.loc[("wuzhong", "industry_va_growth", 2024)]
    assert row.observed == pytest.approx(9.6) and row.compared
    # Ningxia's own rate is context only, shown beside the city's simulated value
    ningxia = rows.loc[("ningxia", "industry_va_growth", 2024)]
    assert not ningxia.compared and "context: the model's wuzhong value" in ningxia.note
