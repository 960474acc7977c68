"""A small, hand-made baseline in the schema of carbonsim.load_baseline(), for engine tests.

Its numbers are round and invented (not Wuzhong's): tests of identities and responses must not
depend on the calibration.  Tests against the real calibration use carbonsim.load_baseline().
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from carbonsim.constants import FUELS, PRODUCTS, REGIONS, SECTORS, TECHS

ECON = ("primary", "industry", "construction", "tertiary")


def toy_baseline(seed: int = 0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    r = len(REGIONS)
    gdp = np.array([200.0, 70.0, 170.0, 100.0, 80.0])
    va = gdp[:, None] * np.array([0.12, 0.35, 0.08, 0.45])[None, :]
    output = np.zeros((r, len(PRODUCTS)))
    output[2, 0] = 60.0  # aluminium in qingtongxia
    output[1, 1] = 5.0
    output[2, 2] = 300.0
    output[1, 3] = 200.0
    output[1, 4] = 40.0
    output[1, 5] = 20.0
    unit_energy = np.array([1.7, 4.0, 0.11, 0.12, 1.0, 0.35])
    fuel_mix = np.zeros((len(PRODUCTS), len(FUELS)))
    fuel_mix[0, [0, 3]] = [0.05, 0.95]
    fuel_mix[1, [0, 2, 3]] = [0.8, 0.1, 0.1]
    fuel_mix[2, [0, 3]] = [0.85, 0.15]
    fuel_mix[3, [0, 3]] = [0.95, 0.05]
    fuel_mix[4, [0, 3]] = [0.3, 0.7]
    fuel_mix[5, [0, 3, 4]] = [0.2, 0.6, 0.2]
    fe = rng.uniform(0.5, 3.0, size=(r, len(SECTORS), len(FUELS)))
    fe[..., FUELS.index("hydrogen")] = 0.0
    for k, prod in enumerate(PRODUCTS):
        sector = SECTORS.index({"clinker": "cement"}.get(prod, prod))
        fe[:, sector] = (output[:, k] * unit_energy[k])[:, None] * fuel_mix[k][None, :]
    stock = np.array([8.0, 2.0, 4.0, 2.5, 3.0])
    nev = np.array([0.02, 0.01, 0.015, 0.01, 0.01])
    veh_energy = np.zeros(len(FUELS))
    veh_energy[FUELS.index("oil")] = 1.2
    veh_energy[FUELS.index("electricity")] = 0.35
    pt = SECTORS.index("passenger_transport")
    fe[:, pt, FUELS.index("oil")] = stock * (1 - nev) * 1.2 + 2.0
    fe[:, pt, FUELS.index("electricity")] = stock * nev * 0.35 + 0.2
    cap = np.zeros((r, len(TECHS)))
    cap[:, TECHS.index("coal")] = [0.0, 1.0, 1.5, 0.0, 0.0]
    cap[:, TECHS.index("wind")] = [0.1, 1.5, 0.3, 1.8, 1.2]
    cap[:, TECHS.index("solar")] = [0.2, 1.2, 0.3, 1.0, 1.0]
    cap[:, TECHS.index("hydro")] = [0.0, 0.0, 0.3, 0.0, 0.0]
    cap[:, TECHS.index("biomass")] = [0.03, 0.0, 0.0, 0.0, 0.02]
    cap[:, TECHS.index("battery")] = [0.0, 0.05, 0.0, 0.05, 0.02]
    heat_mix = np.zeros(len(FUELS))
    heat_mix[[0, 2]] = [0.9, 0.1]
    ef = np.zeros(len(FUELS))
    ef[:3] = [2.66, 2.11, 1.63]
    hours = dict(coal=4500, gas=2500, hydro=4000, wind=1800, solar=1500, biomass=5000)
    ds = xr.Dataset(
        {
            "gdp": ("region", gdp),
            "value_added": (("region", "economic_sector"), va),
            "population": ("region", [46.0, 20.0, 24.5, 16.0, 32.0]),
            "product_output": (("region", "product"), output),
            "product_unit_energy": ("product", unit_energy),
            "product_fuel_mix": (("product", "fuel"), fuel_mix),
            "process_emission_factor": ("product", [1.5, 2.2, 0.52, 0.0, 0.4, 0.0]),
            "final_energy": (("region", "sector", "fuel"), fe),
            "floor_area": (("region", "building"), rng.uniform(500, 3000, size=(r, 2))),
            "vehicle_stock": ("region", stock),
            "nev_stock_share": ("region", nev),
            "vehicle_energy": ("fuel", veh_energy),
            "freight_turnover": ("region", [50.0, 30.0, 40.0, 25.0, 20.0]),
            "green_travel_share": ("region", [0.6, 0.55, 0.6, 0.55, 0.5]),
            "capacity": (("region", "tech"), cap),
            "storage_energy": ("region", cap[:, TECHS.index("battery")] * 2),
            "land_area": ("region", [150.0, 400.0, 350.0, 1000.0, 700.0]),
            "forest_coverage": ("region", [0.15, 0.2, 0.18, 0.3, 0.15]),
            "forest_stock": ("region", [20.0, 15.0, 25.0, 30.0, 10.0]),
            "grassland_area": ("region", [10.0, 150.0, 50.0, 500.0, 300.0]),
            "grassland_vegetation_coverage": ("region", [0.5, 0.5, 0.5, 0.55, 0.5]),
            "wetland_area": ("region", [15.0, 10.0, 30.0, 15.0, 7.0]),
            "utilisation_hours": ("tech", [hours.get(t, 0.0) for t in TECHS]),
            "curtailment_rate": ("tech", [0.03 if t in ("wind", "solar") else 0 for t in TECHS]),
            "coal_supply_rate": 310.0,
            "gas_heat_rate": 250.0,
            "grid_loss_rate": 0.05,
            "heat_supply_efficiency": 0.85,
            "heat_fuel_mix": ("fuel", heat_mix),
            "emission_factor": ("fuel", ef),
            "grid_emission_factor": 0.5857,
            "grid_import_non_fossil_share": 0.2,
            "nhre_consumption_share_2020": 0.22,
            "recycled_aluminium_share": 0.0,
            "forest_sink_per_stock": 1.6,
            "forest_stock_growth_rate": 0.03,
            "grassland_sink_factor": 0.01,
            "wetland_sink_factor": 0.05,
            "hydrogen_electricity": 52.0,
            "battery_round_trip_efficiency": 0.85,
            "pumped_hydro_round_trip_efficiency": 0.75,
        },
        coords={
            "region": list(REGIONS),
            "economic_sector": list(ECON),
            "product": list(PRODUCTS),
            "sector": list(SECTORS),
            "fuel": list(FUELS),
            "tech": list(TECHS),
            "building": ["residential", "public"],
        },
    )
    return ds
