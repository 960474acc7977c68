"""Stored reference runs: bau, plan and stretch reproduce ``tests/data/reference`` to 1e-9.

A failure here means results moved.  If that was intended, regenerate the file
(``python tests/data/reference/make_reference_runs.py``) and state the change.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from carbonsim.io import open_trajectories

HERE = Path(__file__).resolve().parent / "data" / "reference"


def _maker():
    spec = importlib.util.spec_from_file_location(
        "make_reference_runs", HERE / "make_reference_runs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runs():
    maker = _maker()
    return open_trajectories(HERE / "reference_runs.nc"), maker.reference_runs(), maker.VARIABLES


def test_reference_file_holds_the_listed_variables(runs):
    stored, _, variables = runs
    assert sorted(stored.data_vars) == sorted(variables)
    assert list(stored.scenario.values) == ["bau", "plan", "stretch"]


@pytest.mark.parametrize("name", _maker().VARIABLES)
def test_simulation_reproduces_the_reference_runs(runs, name):
    stored, now, _ = runs
    assert now[name].dims == stored[name].dims
    assert now[name].attrs["units"] == stored[name].attrs["units"]
    np.testing.assert_allclose(now[name].values, stored[name].values, rtol=1e-9, atol=1e-12)
