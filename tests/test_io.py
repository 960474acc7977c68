"""NetCDF and Zarr round trips (coordinates, Chinese names, attrs, units), atomic writes, and the
feasibility CSV with a BOM for Excel."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import carbonsim
from carbonsim.io import open_trajectories, open_zarr, write_netcdf, write_zarr
from carbonsim.io.atomic import atomic_path

pytest.importorskip("zarr")
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def trajectories():
    """A real simulate() output: two scenarios, every variable, bilingual attrs."""
    bau = carbonsim.load_scenario(SCENARIOS / "bau.toml")
    plan = carbonsim.load_scenario(SCENARIOS / "plan.toml")
    return carbonsim.simulate([bau, plan], years=range(2020, 2036))


def with_object_strings(ds: xr.Dataset) -> xr.Dataset:
    """The same dataset with object-dtype string coordinates (as pandas and NetCDF give them)."""
    return ds.assign_coords(
        scenario=ds.scenario.astype(object),
        name_zh=ds.name_zh.astype(object),
        name_en=ds.name_en.astype(object),
    )


def assert_same(back: xr.Dataset, ds: xr.Dataset) -> None:
    xr.testing.assert_identical(back, ds)
    for name, var in ds.variables.items():
        assert back[name].attrs == var.attrs, name
        if var.dtype.kind in "UO":
            assert back[name].dtype == var.dtype, name


def test_trajectories_carry_what_must_survive(trajectories):
    assert trajectories.name_zh.sel(region="wuzhong").item() == "吴忠市"
    assert trajectories.co2.attrs["long_name_zh"] == "二氧化碳排放"
    assert trajectories.co2.attrs["units"] == "1e4 t CO2"
    assert trajectories.name_zh.dtype.kind == "U"


@pytest.mark.parametrize("strings", ["unicode", "object"])
def test_netcdf_round_trip(trajectories, tmp_path, strings):
    ds = trajectories if strings == "unicode" else with_object_strings(trajectories)
    path = write_netcdf(ds, tmp_path / "t.nc")
    back = open_trajectories(path)
    xr.testing.assert_identical(back, ds)
    assert back.name_zh.values.tolist() == ds.name_zh.values.tolist()
    for name in ds.data_vars:
        assert back[name].attrs == ds[name].attrs, name


@pytest.mark.parametrize("strings", ["unicode", "object"])
def test_zarr_round_trip(trajectories, tmp_path, strings):
    ds = trajectories if strings == "unicode" else with_object_strings(trajectories)
    path = write_zarr(ds, tmp_path / "t.zarr")
    assert path == tmp_path / "t.zarr"
    back = open_zarr(path)
    assert_same(back, ds)
    assert back.attrs == ds.attrs
    assert back.gdp.attrs["long_name_zh"] == "地区生产总值(2020年价)"


def test_zarr_round_trip_of_an_opened_netcdf(trajectories, tmp_path):
    """Encodings read from NetCDF do not get in the way of writing Zarr."""
    ds = open_trajectories(write_netcdf(trajectories, tmp_path / "t.nc"))
    back = open_zarr(write_zarr(ds, tmp_path / "t.zarr"))
    xr.testing.assert_identical(back, trajectories)


def test_zarr_lazy_open(trajectories, tmp_path):
    pytest.importorskip("dask")
    write_zarr(trajectories, tmp_path / "t.zarr")
    lazy = open_zarr(tmp_path / "t.zarr", chunks={})
    assert lazy.co2.chunks is not None
    assert lazy.name_zh.values.tolist() == trajectories.name_zh.values.tolist()
    xr.testing.assert_identical(lazy.load(), trajectories)


def test_zarr_overwrite_replaces_the_store(trajectories, tmp_path):
    path = tmp_path / "t.zarr"
    write_zarr(trajectories.isel(scenario=[0]), path)
    write_zarr(trajectories, path)
    assert open_zarr(path).sizes["scenario"] == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "t.zarr"]
    assert leftovers == []
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_zarr(trajectories, path, overwrite=False)


def test_zarr_failed_write_leaves_the_old_store(trajectories, tmp_path, monkeypatch):
    path = tmp_path / "t.zarr"
    write_zarr(trajectories, path)

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_zarr", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_zarr(trajectories.isel(scenario=[0]), path)
    monkeypatch.undo()
    assert open_zarr(path).sizes["scenario"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["t.zarr"]


def test_failed_netcdf_write_leaves_nothing(tmp_path):
    bad = xr.Dataset({"x": ("a", np.arange(3))}, attrs={"bad": {"nested": 1}})
    with pytest.raises((TypeError, ValueError)):
        write_netcdf(bad, tmp_path / "t.nc")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_the_suffix_and_renames(tmp_path):
    target = tmp_path / "sub" / "table.xlsx"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".xlsx" and tmp.parent == target.parent
        tmp.write_text("x")
        assert not target.exists()
    assert target.read_text() == "x"
    with pytest.raises(KeyError), atomic_path(target) as tmp:
        tmp.write_text("y")
        raise KeyError
    assert target.read_text() == "x"
    assert sorted(os.listdir(target.parent)) == ["table.xlsx"]


# ---------------------------------------------------------------------------------------------
# the feasibility table as CSV for Excel
# ---------------------------------------------------------------------------------------------
def test_feasibility_csv_with_bom_keeps_chinese(trajectories, tmp_path):
    result = carbonsim.check(trajectories)
    path = result.to_csv(tmp_path / "feasibility.csv", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.columns[0] == "scenario"  # no BOM glued to the first header
    frame = result.to_dataframe()
    assert back["written"].tolist() == frame["written"].tolist()
    assert back["source_text"].tolist() == frame["source_text"].tolist()
    assert back["source_text"].str.contains("到2025年").any()
    assert "万千瓦" in "".join(back["written"].dropna())


def test_feasibility_csv_without_bom(trajectories, tmp_path):
    path = carbonsim.check(trajectories).to_csv(tmp_path / "feasibility.csv")
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(path, encoding="utf-8")["source_text"].str.contains("碳达峰|到20").any()


def test_feasibility_table_round_trips(trajectories, tmp_path):
    """The check's dataset (object statuses, Chinese source texts) through Zarr and NetCDF."""
    table = carbonsim.check(trajectories).dataset
    assert table.status.dtype == object
    xr.testing.assert_identical(open_zarr(write_zarr(table, tmp_path / "c.zarr")), table)
    xr.testing.assert_identical(open_trajectories(write_netcdf(table, tmp_path / "c.nc")), table)


def test_file_identity_follows_an_edit_of_a_settled_file(tmp_path):
    """A file not modified for a while is hashed once; an edit (same size, any new timestamp)
    gives a new identity, and a freshly written file is hashed on every call."""
    from carbonsim.textfile import _DIGESTS, file_identity

    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    os.utime(path, ns=(1_000_000_000_000, 1_000_000_000_000))  # settled long ago
    first = file_identity(path)
    assert any(stamp[0] == os.path.abspath(path) for stamp in _DIGESTS)
    assert file_identity(path) == first
    path.write_text("a,b\n3,4\n", encoding="utf-8")  # same size, written now
    second = file_identity(path)
    assert second[1] != first[1] and second[0] == first[0]
    path.write_text("a,b\n5,6\n", encoding="utf-8")  # again within the same second
    assert file_identity(path)[1] not in (first[1], second[1])
