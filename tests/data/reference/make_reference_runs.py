"""Regenerate ``reference_runs.nc``: key trajectories of the bundled bau, plan and stretch runs.

The suite compares every later run with this file to 1e-9 relative
(``tests/test_reference_runs.py``), so a change to results is a deliberate, reviewed
regeneration: run ``python tests/data/reference/make_reference_runs.py`` and state the
before/after in the commit message and the README's findings.
"""

from __future__ import annotations

from pathlib import Path

import carbonsim
from carbonsim.io import atomic_path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SCENARIOS = ("bau", "plan", "stretch")
VARIABLES = (
    "gdp",
    "final_energy",
    "energy_consumption",
    "primary_energy",
    "coal_consumption",
    "oil_consumption",
    "gas_consumption",
    "non_fossil_share",
    "nonhydro_renewable_share",
    "electricity_demand",
    "electricity_consumption",
    "capacity",
    "generation",
    "curtailment",
    "electricity_imports",
    "uhvdc_export",
    "other_export",
    "co2",
    "co2_consumption",
    "co2_assessment",
    "co2_territorial",
    "co2_by_source",
    "co2_process",
    "co2_sink",
    "energy_intensity_change",
    "co2_intensity_change",
)


def reference_runs():
    """The runs the file holds, simulated now (the test calls this too)."""
    scenarios = [carbonsim.load_scenario(ROOT / "scenarios" / f"{s}.toml") for s in SCENARIOS]
    return carbonsim.simulate(scenarios, variables=list(VARIABLES))


if __name__ == "__main__":
    ds = reference_runs()
    ds.attrs["regenerate"] = "python tests/data/reference/make_reference_runs.py"
    encoding = {name: {"zlib": True, "complevel": 6} for name in ds.data_vars}
    with atomic_path(HERE / "reference_runs.nc") as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    print(f"wrote {HERE / 'reference_runs.nc'}: {len(ds.data_vars)} variables, {ds.sizes}")
