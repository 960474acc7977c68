"""Labelling the engine's output: the direct Dataset construction equals xarray's public one."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import xarray as xr
from xarray.testing import _assert_internal_invariants

import carbonsim


@pytest.fixture(scope="module")
def plan():
    return carbonsim.simulate(carbonsim.load_scenario("scenarios/plan.toml"))


def _public(ds: xr.Dataset) -> xr.Dataset:
    """The same Dataset built by the public constructor (merge and alignment included)."""
    data = {k: ds.variables[k] for k in ds.data_vars}
    return xr.Dataset(data, coords=ds.coords, attrs=ds.attrs)


def test_direct_construction_is_identical_to_the_public_constructor(plan):
    _assert_internal_invariants(plan, check_default_indexes=True)
    xr.testing.assert_identical(plan, _public(plan))
    assert list(plan.indexes) == list(_public(plan).indexes)


def test_pruned_result_has_only_the_dims_its_variables_use():
    ds = carbonsim.simulate(None, variables=["co2", "final_energy"])
    _assert_internal_invariants(ds, check_default_indexes=True)
    assert set(ds.dims) == {"scenario", "region", "sector", "fuel", "year"}
    assert "tech" not in ds.coords and "product" not in ds.coords
    xr.testing.assert_identical(ds, _public(ds))


def test_results_do_not_share_mutable_attributes(plan):
    other = carbonsim.simulate(None, variables=["co2"])
    other["year"].attrs["note"] = "edited"
    other["co2"].attrs["units"] = "edited"
    other["scenario"].attrs["note"] = "edited"
    again = carbonsim.simulate(None, variables=["co2"])
    assert "note" not in again["year"].attrs and "note" not in plan["year"].attrs
    assert "note" not in again["scenario"].attrs
    assert again["co2"].attrs["units"] != "edited"
    # the scenario axis is shared by results of the same ids: an edit must not reach the next
    with contextlib.suppress(ValueError):  # read-only, or a copy the index hands out
        other["scenario"].values[0] = "x"
    assert carbonsim.simulate(None, variables=["co2"])["scenario"].values.tolist() == ["default"]


def test_selection_and_arithmetic_work_on_the_result(plan):
    city = plan.co2.sel(region="wuzhong", year=2030)
    counties = plan.co2.sel(year=2030).isel(region=slice(1, None)).sum("region")
    np.testing.assert_allclose(city.values, counties.values)
    assert plan.final_energy.sel(sector="residential", fuel="coal").dims == (
        "scenario",
        "region",
        "year",
    )
