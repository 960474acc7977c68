"""The 2020 baseline calibration: provenance, sums, balances, references, validation, CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from carbonsim import baseline as bl
from carbonsim import constants as C
from carbonsim.cli import main
from carbonsim.errors import BaselineError

COUNTIES = list(C.REGIONS)


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return bl.load_baseline()


@pytest.fixture(scope="module")
def acc(ds) -> xr.Dataset:
    return bl.baseline_balances(ds)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The bundled CSV as strings, to be edited into small bad files."""
    return pd.read_csv(bl.DEFAULT_PATH, dtype=str, keep_default_na=False)


def assert_close(a: xr.DataArray, b: xr.DataArray, rtol: float = 1e-7, atol: float = 1e-9):
    """Values equal on the same labels (xarray's assert_allclose trips on string coordinates)."""
    a, b = xr.align(a, b, join="exact")
    np.testing.assert_allclose(a.transpose(*b.dims).values, b.values, rtol=rtol, atol=atol)


def write(tmp_path, frame: pd.DataFrame, name: str = "bad.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def row_of(frame: pd.DataFrame, **match) -> int:
    """Index of the single row matching column values (spreadsheet row = index + 2)."""
    mask = np.ones(len(frame), bool)
    for column, value in match.items():
        mask &= frame[column].to_numpy() == value
    (index,) = np.flatnonzero(mask)
    return int(index)


# ---------------------------------------------------------------------------------------------
# the stored calibration
# ---------------------------------------------------------------------------------------------
def test_csv_is_what_derive_produces():
    tool = Path(__file__).resolve().parent.parent / "tools" / "derive_baseline" / "derive.py"
    spec = importlib.util.spec_from_file_location("derive", tool)
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    assert derive.render(derive.build_rows()) == bl.DEFAULT_PATH.read_text(encoding="utf-8")


def test_every_row_has_provenance():
    table = bl.load_baseline_table()
    assert set(table["provenance"]) <= {"source", "estimate"}
    assert (table["source"].str.len() > 20).all()
    assert (table.loc[table["provenance"] == "estimate", "source"].str.len() > 0).all()
    # the sourced anchors are marked as such
    sourced = set(table.loc[table["provenance"] == "source", "variable"])
    assert {"population", "gdp_reference", "grid_emission_factor", "emission_factor"} <= sourced


def test_provenance_is_reachable_per_value(ds):
    table = bl.load_baseline_table()
    for name in bl.SPECS:
        records = json.loads(ds[name].attrs["provenance"])["records"]
        rows = table[table["variable"] == name]
        if bl.SPECS[name].kind != "reference":
            rows = rows[rows["region"] != "wuzhong"]
        assert len(records) == len(rows)
    info = bl.provenance(ds, "population", region="litong")
    assert info["provenance"] == "source" and "统计年鉴" in info["source"]
    assert info["value"] == pytest.approx(46.12)
    city = bl.provenance(ds, "final_energy", region="wuzhong", sector="cement", fuel="coal")
    assert city["provenance"] == "estimate" and city["source"].startswith("sum of the five")
    # dataset dimension names work as well as CSV column names
    a = bl.provenance(ds, "value_added", region="yanchi", economic_sector="industry")
    b = bl.provenance(ds, "value_added", region="yanchi", sector="industry")
    assert a == b
    assert bl.provenance(None, "grid_emission_factor")["value"] == pytest.approx(0.5857)
    zero = bl.provenance(ds, "capacity", region="litong", tech="battery")
    assert zero["value"] == 0 and "taken as 0" in zero["source"]


def test_docs_list_every_variable():
    text = (Path(__file__).parents[1] / "docs" / "baseline.md").read_text(encoding="utf-8")
    missing = [name for name in bl.SPECS if f"`{name}`" not in text]
    assert not missing, missing


def test_provenance_errors(ds):
    with pytest.raises(BaselineError, match="Did you mean 'capacity'"):
        bl.provenance(ds, "capacty", region="litong", tech="coal")
    with pytest.raises(BaselineError, match="needs tech"):
        bl.provenance(ds, "capacity", region="litong")
    with pytest.raises(BaselineError, match="no coordinate 'fuel'"):
        bl.provenance(ds, "gdp", region="litong", fuel="coal")


def test_units_and_names_on_every_variable(ds, acc):
    for data in (ds, acc):
        for name, da in data.data_vars.items():
            for attr in ("units", "long_name", "long_name_zh", "description"):
                assert da.attrs.get(attr), (name, attr)
    assert list(ds["region"].values) == list(C.ALL_REGIONS)
    assert ds["name_zh"].sel(region="hongsibu").item() == "红寺堡区"


def test_dataset_writes_to_netcdf(ds, tmp_path):
    pytest.importorskip("h5py")
    path = tmp_path / "baseline.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    back = xr.load_dataset(path, engine="h5netcdf")
    assert_close(back["final_energy"], ds["final_energy"])
    assert back["gdp"].attrs["long_name_zh"] == "地区生产总值"


@pytest.mark.parametrize("name", [n for n, s in bl.SPECS.items() if s.kind == "additive"])
def test_counties_sum_to_city(ds, name):
    county = ds[name].sel(region=COUNTIES).sum("region")
    assert_close(ds[name].sel(region="wuzhong", drop=True), county)


def test_shares_are_weighted_means_for_the_city(ds):
    for spec in bl.SPECS.values():
        if spec.kind != "weighted":
            continue
        w = ds[spec.weight].sel(region=COUNTIES)
        expect = float((ds[spec.name].sel(region=COUNTIES) * w).sum() / w.sum())
        assert float(ds[spec.name].sel(region="wuzhong")) == pytest.approx(expect)
        assert 0 <= expect <= 1


def test_value_added_sums_to_gdp(ds):
    assert_close(ds["value_added"].sum("economic_sector"), ds["gdp"], rtol=1e-6)


def test_product_sectors_equal_output_times_unit_energy(ds):
    for product, sector in C.PRODUCT_SECTOR.items():
        expect = (ds["product_output"].sel(product=product) * ds["product_unit_energy"].sel(
            product=product) * ds["product_fuel_mix"].sel(product=product))  # fmt: skip
        got = ds["final_energy"].sel(sector=sector)
        np.testing.assert_allclose(got.values, expect.values, atol=1e-5)
    np.testing.assert_allclose(ds["product_fuel_mix"].sum("fuel"), 1.0, atol=1e-9)
    assert float(ds["product_output"].sel(region="qingtongxia", product="aluminium")) > 0
    assert float(ds["product_output"].sel(region="litong").sum()) == 0


def test_passenger_transport_includes_vehicles(ds):
    stock, nev = ds["vehicle_stock"], ds["nev_stock_share"]
    pt = ds["final_energy"].sel(sector="passenger_transport", region=COUNTIES)
    oil = (stock * (1 - nev) * ds["vehicle_energy"].sel(vehicle_fuel="oil")).sel(region=COUNTIES)
    ev = (stock * nev * ds["vehicle_energy"].sel(vehicle_fuel="electricity")).sel(region=COUNTIES)
    assert (pt.sel(fuel="oil") >= oil).all() and (pt.sel(fuel="electricity") >= ev).all()


# ---------------------------------------------------------------------------------------------
# balances and references
# ---------------------------------------------------------------------------------------------
def test_energy_balance_closes(ds, acc):
    fe = ds["final_energy"]
    assert_close(acc["final_energy_total"], acc["final_energy_by_fuel"].sum("fuel"))
    assert_close(acc["final_energy_total"], fe.sum("sector").sum("fuel"))
    city = acc.sel(region="wuzhong")
    d = float(fe.sel(region="wuzhong", fuel="electricity").sum()) / 0.1229 * 1e-2
    assert float(city["electricity_demand"]) == pytest.approx(d)
    loss = 1 + float(ds["grid_loss_rate"])
    assert float(city["electricity_consumption"]) == pytest.approx(d * loss)
    heat = float(fe.sel(region="wuzhong", fuel="heat").sum()) / float(ds["heat_supply_efficiency"])
    direct = float(
        fe.sel(region="wuzhong", fuel=["coal", "oil", "gas", "biomass", "hydrogen"]).sum()
    )
    power = d * (1 + float(ds["grid_loss_rate"])) * float(ds["coal_supply_rate"]) * 0.1
    assert float(city["energy_consumption"]) == pytest.approx(direct + heat + power)
    assert_close(acc["heat_supply_fuel"].sum("heat_fuel") * ds["heat_supply_efficiency"],
                               fe.sel(fuel="heat").sum("sector"))  # fmt: skip


def test_co2_balance_closes(ds, acc):
    by_parts = acc["co2_by_fuel"].sum("fuel") + acc["co2_process"].sum("product")
    assert_close(by_parts, acc["co2_territorial"])
    parts = (acc["co2_final"].sum(["sector", "fuel"]) + acc["co2_heat"].sum("heat_fuel")
             + acc["co2_power"] + acc["co2_process"].sum("product"))  # fmt: skip
    assert_close(parts, acc["co2_territorial"])
    assert_close(acc["co2_assessment"],
                               acc["co2_territorial"] + acc["co2_trade_adjustment"])  # fmt: skip
    net = acc["electricity_consumption"] - acc["generation"].sum("generation_tech")
    assert_close(acc["net_import"], net)
    assert_close(acc["co2_trade_adjustment"], net * 0.5857 * 100)
    # non-fossil carriers carry no direct CO2
    assert float(acc["co2_by_fuel"].sel(fuel=["electricity", "heat", "biomass"]).sum()) == 0


def test_city_accounts_are_county_sums(acc):
    for name in ("energy_consumption", "electricity_consumption", "co2_territorial",
                 "co2_assessment", "net_import", "sink_total", "generation"):  # fmt: skip
        assert_close(acc[name].sel(region="wuzhong", drop=True),
                                   acc[name].sel(region=COUNTIES).sum("region"))  # fmt: skip


def test_city_reproduces_its_references(ds, acc):
    checks = bl.check_references(ds, acc).set_index("quantity")
    assert checks["ok"].all(), checks
    city = acc.sel(region="wuzhong")
    assert float(ds["gdp"].sel(region="wuzhong")) == pytest.approx(621.8, rel=0.01)
    assert float(city["energy_consumption"]) == pytest.approx(600, rel=0.01)
    assert 1370 <= float(city["co2_assessment"]) <= 1480
    # the reference is a 全社会用电量 (grid losses included): like with like
    assert float(city["electricity_consumption"]) == pytest.approx(
        float(ds["electricity_consumption_reference"]), rel=0.01)  # fmt: skip
    assert float(city["electricity_consumption"]) == pytest.approx(
        float(city["electricity_demand"]) * (1 + float(ds["grid_loss_rate"]))
    )
    intensity = float(city["co2_assessment"]) / 621.8
    assert 2.2 <= intensity <= 2.4  # the sourced 2.37 t/万元 at 2015 or 2020 prices


def test_generation_and_capacity(ds, acc):
    cap = ds["capacity"].sel(region="wuzhong")
    assert float(cap.sel(tech="wind")) == pytest.approx(5.0)  # placeholder central value
    assert float(cap.sel(tech="solar")) == pytest.approx(4.0)
    assert float(cap.sel(tech="hydro")) == pytest.approx(0.3)
    gen = acc["generation"].sel(region="wuzhong")
    hours = float(ds["utilisation_hours"].sel(generation_tech="wind"))
    cut = float(ds["curtailment_rate"].sel(new_energy_tech="wind"))
    assert float(gen.sel(generation_tech="wind")) == pytest.approx(5.0 * hours * (1 - cut) / 1e3)
    assert 4000 <= float(ds["utilisation_hours"].sel(generation_tech="coal")) <= 6500


# ---------------------------------------------------------------------------------------------
# validation: each error names the file, row and column
# ---------------------------------------------------------------------------------------------
def _edit(raw, index, **changes):
    frame = raw.copy()
    for column, value in changes.items():
        frame.loc[index, column] = value
    return frame


BAD_CELLS = [
    # (match of the row to edit, changes, column named, message fragment)
    ({"variable": "gdp", "region": "litong"}, {"variable": "gpd"}, "variable",
     "Did you mean 'gdp'"),
    ({"variable": "gdp", "region": "litong"}, {"region": "litng"}, "region",
     "Did you mean 'litong'"),
    ({"variable": "coal_supply_rate"}, {"region": "litong"}, "region", "leave region empty"),
    ({"variable": "final_energy", "region": "yanchi", "sector": "cement", "fuel": "coal"},
     {"sector": "cemnt"}, "sector", "Did you mean 'cement'"),
    ({"variable": "final_energy", "region": "yanchi", "sector": "cement", "fuel": "coal"},
     {"fuel": "kol"}, "fuel", "unknown fuel"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"tech": "wnd"}, "tech",
     "Did you mean 'wind'"),
    ({"variable": "product_output", "region": "hongsibu", "product": "coke"},
     {"product": "cokes"}, "product", "Did you mean 'coke'"),
    ({"variable": "gdp", "region": "litong"}, {"fuel": "coal"}, "fuel", "leave it empty"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"value": "-1"}, "value",
     "cannot be negative"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"value": "2,2"}, "value",
     "not a number"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"unit": "t"}, "unit",
     "cannot convert"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"provenance": "guess"},
     "provenance", "must be 'source'"),
    ({"variable": "capacity", "region": "yanchi", "tech": "wind"}, {"source": ""}, "source",
     "empty source"),
    ({"variable": "grid_loss_rate"}, {"value": "5"}, "value", "must lie in [0, 1]"),
    ({"variable": "product_fuel_mix", "product": "carbide", "fuel": "coal"}, {"value": "0.5"},
     "value", "sum to 0.92"),
]  # fmt: skip


@pytest.mark.parametrize(("match", "changes", "column", "fragment"), BAD_CELLS)
def test_bad_cell_is_refused_with_file_row_column(tmp_path, raw, match, changes, column, fragment):
    index = row_of(raw, **match)
    path = write(tmp_path, _edit(raw, index, **changes))
    with pytest.raises(BaselineError) as info:
        bl.load_baseline_table(path)
    message = str(info.value)
    assert str(path) in message
    assert f"column {column!r}" in message
    assert fragment in message
    if column != "value" or "sum to" not in fragment:
        assert f"row {index + 2}," in message


def test_missing_column(tmp_path, raw):
    path = write(tmp_path, raw.drop(columns="unit"))
    with pytest.raises(BaselineError, match=r"bad\.csv, row 1, column 'unit': missing column"):
        bl.load_baseline_table(path)


def test_unknown_column(tmp_path, raw):
    path = write(tmp_path, raw.rename(columns={"provenance": "provenence"}))
    with pytest.raises(BaselineError, match=r"missing column\..*Did you mean 'provenence'"):
        bl.load_baseline_table(path)


def test_duplicate_row(tmp_path, raw):
    index = row_of(raw, variable="gdp", region="tongxin")
    frame = pd.concat([raw, raw.iloc[[index]]], ignore_index=True)
    path = write(tmp_path, frame)
    with pytest.raises(BaselineError, match=rf"row {len(raw) + 2}, column 'variable': duplicate "
                                            rf"row.*already given in row {index + 2}"):  # fmt: skip
        bl.load_baseline_table(path)


def test_missing_required_row(tmp_path, raw):
    index = row_of(raw, variable="population", region="tongxin")
    path = write(tmp_path, raw.drop(index=index))
    with pytest.raises(BaselineError, match=r"no row for population\[region=tongxin\]"):
        bl.load_baseline_table(path)


def test_excel_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    text = bl.DEFAULT_PATH.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8-sig"))
    assert len(bl.load_baseline_table(path)) == len(bl.load_baseline_table())


def test_missing_file():
    with pytest.raises(BaselineError, match="baseline file not found"):
        bl.load_baseline_table("/nonexistent/baseline.csv")


# ---------------------------------------------------------------------------------------------
# overrides
# ---------------------------------------------------------------------------------------------
def _override(tmp_path, rows: list[dict], name: str = "mine.csv"):
    frame = pd.DataFrame([{c: r.get(c, "") for c in bl.COLUMNS} for r in rows])
    return write(tmp_path, frame, name)


def _capacity_row(value, unit="GW", region="yanchi", tech="wind"):
    return {"variable": "capacity", "region": region, "tech": tech, "value": value, "unit": unit,
            "provenance": "source", "source": "盐池县 2020 statistics (test)"}  # fmt: skip


def test_override_changes_that_value_and_nothing_else(tmp_path, ds):
    path = _override(tmp_path, [_capacity_row("2.6")])
    new = bl.load_baseline(override=path)
    changed = new["capacity"] - ds["capacity"]
    nonzero = changed.where(changed != 0, drop=True)
    assert set(nonzero["region"].values) == {"yanchi", "wuzhong"}
    assert list(nonzero["tech"].values) == ["wind"]
    assert float(changed.sel(region="yanchi", tech="wind")) == pytest.approx(0.4)
    for name in ds.data_vars:
        if name != "capacity":
            xr.testing.assert_identical(new[name].drop_attrs(), ds[name].drop_attrs())
    info = bl.provenance(new, "capacity", region="yanchi", tech="wind")
    assert info["provenance"] == "source" and "test" in info["source"]


def test_override_converts_units(tmp_path):
    share = {"variable": "grid_loss_rate", "value": "6", "unit": "%", "provenance": "estimate",
             "source": "test: 6 percent"}  # fmt: skip
    path = _override(tmp_path, [_capacity_row("250", unit="万千瓦"), share])
    table = bl.load_baseline_table(override=path)
    got = table.set_index(["variable", "region", "tech"]).loc[("capacity", "yanchi", "wind")]
    assert got["value"] == pytest.approx(2.5) and got["unit"] == "GW"
    new = bl.load_baseline(override=path)
    assert float(new["grid_loss_rate"]) == pytest.approx(0.06)
    assert float(new["capacity"].sel(region="wuzhong", tech="wind")) == pytest.approx(5.3)


def test_override_may_add_a_row(tmp_path):
    path = _override(tmp_path, [_capacity_row("0.05", region="litong", tech="battery")])
    new = bl.load_baseline(override=path)
    assert float(new["capacity"].sel(region="wuzhong", tech="battery")) == pytest.approx(0.05)


def test_override_city_total_the_counties_must_meet(tmp_path):
    city = _capacity_row("6.0", region="wuzhong")
    path = _override(tmp_path, [_capacity_row("2.6"), city])
    with pytest.raises(BaselineError) as info:
        bl.load_baseline_table(override=path)
    message = str(info.value)
    assert f"{path}, row 3, column 'value'" in message
    assert "counties no longer sum" in message and "capacity[region=wuzhong, tech=wind]" in message
    ok = _override(
        tmp_path, [_capacity_row("2.6"), _capacity_row("5.4", region="wuzhong")], "ok.csv"
    )
    assert (
        float(bl.load_baseline(override=ok)["capacity"].sel(region="wuzhong", tech="wind")) == 5.4
    )


def test_override_county_gdp_breaks_the_city_reference(tmp_path, raw):
    base = bl.load_baseline_table()
    va = base[(base["variable"] == "value_added") & (base["region"] == "litong")]
    rows = [{**r, "value": str(r["value"] * 1.5)} for r in va[list(bl.COLUMNS)].to_dict("records")]
    gdp = base[(base["variable"] == "gdp") & (base["region"] == "litong")].iloc[0]
    rows.append({**gdp[list(bl.COLUMNS)].to_dict(), "value": str(gdp["value"] * 1.5)})
    path = _override(tmp_path, rows)
    with pytest.raises(BaselineError) as info:
        bl.load_baseline_table(override=path)
    reference_row = row_of(raw, variable="gdp_reference") + 2
    message = str(info.value)
    assert f"row {reference_row}, column 'value'" in message
    assert "counties no longer sum" in message and "mine.csv:6" in message


def test_override_gdp_without_its_value_added(tmp_path):
    row = {"variable": "gdp", "region": "tongxin", "value": "120", "unit": "亿元",
           "provenance": "source", "source": "同心县 2020 统计公报 (test)"}  # fmt: skip
    path = _override(tmp_path, [row])
    with pytest.raises(BaselineError, match=r"mine\.csv, row 2, column 'value': gdp of tongxin"):
        bl.load_baseline_table(override=path)


def test_override_product_output_needs_its_energy(tmp_path):
    row = {"variable": "product_output", "region": "qingtongxia", "product": "aluminium",
           "value": "30", "unit": "万吨", "provenance": "source", "source": "test"}  # fmt: skip
    path = _override(tmp_path, [row])
    with pytest.raises(BaselineError, match=r"final_energy\[region=qingtongxia, sector=aluminium"):
        bl.load_baseline_table(override=path)


def test_baseline_class(ds):
    base = bl.Baseline.load()
    xr.testing.assert_identical(base.dataset, ds)
    assert base.provenance("gdp", region="wuzhong")["value"] == pytest.approx(621.8, rel=1e-6)
    assert "co2_assessment" in base.balances()


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------
def test_cli_table(capsys):
    assert main(["baseline", "--variable", "capacity", "--variable", "gdp"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["variable", "region", "dims", "value", "unit", "provenance"]
    assert any(line.split()[:4] == ["gdp", "wuzhong", "621.8", "1e8"] for line in lines)
    assert "tech=coal" in out and "computed" in out and "final_energy" not in out


def test_cli_csv_round_trips(capsys, tmp_path):
    assert main(["baseline", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(bl.COLUMNS)
    path = tmp_path / "printed.csv"
    path.write_text(out, encoding="utf-8")
    assert len(bl.load_baseline_table(path)) == len(bl.load_baseline_table())


def test_cli_override_and_balances(capsys, tmp_path):
    path = _override(tmp_path, [_capacity_row("250", unit="万千瓦")])
    assert main(["baseline", "--override", str(path), "--variable", "capacity", "--balances"]) == 0
    out = capsys.readouterr().out
    assert "co2_assessment" in out and "吴忠市" in out
    assert any(line.split()[:4] == ["capacity", "yanchi", "tech=wind", "2.5"]
               for line in out.splitlines())  # fmt: skip


def test_cli_errors(capsys, tmp_path, raw):
    assert main(["baseline", "--variable", "capcity"]) == 2
    assert "Did you mean 'capacity'" in capsys.readouterr().err
    path = write(tmp_path, raw.drop(columns="source"))
    assert main(["baseline", "--file", str(path)]) == 2
    assert "column 'source': missing column" in capsys.readouterr().err


def test_cli_help(capsys):
    with pytest.raises(SystemExit):
        main(["baseline", "--help"])
    out = capsys.readouterr().out
    assert "--override" in out and "provenance" in out and "examples:" in out
