"""Tests for dispatch.py: hand-worked cases, properties, PyPSA cross-check.

The dispatch kernel (carbonsim.engine.dispatch) on hand-worked days, its properties, and the
independent check against PyPSA (HiGHS) on the bundled representative days.
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from pypsa_crosscheck import (
    compare,
    kernel_one,
    read_representative_days,
    synthetic_profiles,
    system_2030,
)

from carbonsim.engine.dispatch import HOURLY, OUTPUTS, dispatch

REAL = os.path.join(
    os.path.dirname(__file__), "..", "carbonsim", "data", "profiles", "representative_days.csv"
)
H = 24
ZERO = dict(
    wind_gw=0.0,
    solar_gw=0.0,
    wind_hours=0.0,
    solar_hours=0.0,
    hydro_gw=0.0,
    hydro_hours=0.0,
    biomass_gw=0.0,
    biomass_hours=0.0,
    coal_gw=0.0,
    coal_hours=0.0,
    coal_min_stable=0.0,
    gas_gw=0.0,
    gas_hours=0.0,
    gas_min_stable=0.0,
    battery_gw=0.0,
    battery_gwh=0.0,
    battery_eff=1.0,
    phs_gw=0.0,
    phs_gwh=0.0,
    phs_eff=1.0,
    uhvdc_twh=0.0,
    uhvdc_renewable_share=0.0,
    grid_limit_gw=0.0,
)


def one_day():
    """1 representative day (weight 365): flat wind, solar 2.0 in hours 6..17."""
    solar = np.zeros((1, H))
    solar[0, 6:18] = 2.0
    return {"wind": np.ones((1, H)), "solar": solar, "industry": np.ones((1, H))}, np.array([365.0])


def run(load_twh, hourly_index=None, **kw):
    shapes, w = one_day()
    p = dict(ZERO)
    p.update(kw)
    return dispatch(shapes, w, {"industry": load_twh}, **p, hourly_index=hourly_index)


def approx(x, rel=1e-12, abs=1e-12):
    return pytest.approx(x, rel=rel, abs=abs)


def balance_residual(r):
    supply = (
        r["gen_wind"]
        + r["gen_solar"]
        + r["gen_hydro"]
        + r["gen_biomass"]
        + r["gen_coal"]
        + r["gen_gas"]
        + r["storage_discharge_battery"]
        + r["storage_discharge_phs"]
        + r["imports"]
        + r["unserved"]
    )
    use = (
        r["local_load"]
        + r["storage_charge_battery"]
        + r["storage_charge_phs"]
        + r["exports"]
        + r["uhvdc_delivered"]
        + r["thermal_curtailed"]
    )
    return supply - use, np.maximum(supply, 1e-30)


# ---------------------------------------------------------------------------
# hand-worked cases (1 day x 24 h).  Load 8.76 TWh/yr = 1 GW flat.
# wind 1 GW @ 4380 h -> 0.5 GW flat; solar 2 GW @ 2190 h -> 1 GW in 06-18 h.


def test_no_storage_imports_and_exports():
    r = run(
        8.76, wind_gw=1.0, wind_hours=4380.0, solar_gw=2.0, solar_hours=2190.0, grid_limit_gw=10.0
    )
    # night: 0.5 VRE + 0.5 import; day: 1.0 VRE local + 0.5 export
    assert r["local_load"][0] == approx(8.76)
    assert r["vre_available"][0] == approx(0.365 * (24 * 0.5 + 12 * 1.0))
    assert r["vre_local"][0] == approx(0.365 * (12 * 0.5 + 12 * 1.0))  # 6.57
    assert r["imports"][0] == approx(0.365 * 12 * 0.5)  # 2.19
    assert r["exports"][0] == approx(0.365 * 12 * 0.5)
    assert r["curtailment"][0] == approx(0.0)
    assert r["local_renewable_share"][0] == approx(0.75)
    assert r["peak_residual_load"][0] == approx(0.5)
    assert r["unserved"][0] == approx(0.0)


def test_grid_limit_binding_curtails():
    r = run(
        8.76,
        wind_gw=1.0,
        wind_hours=4380.0,
        solar_gw=2.0,
        solar_hours=2190.0,
        gas_gw=1.0,
        gas_hours=0.0,
        gas_min_stable=0.3,
        grid_limit_gw=0.2,
    )
    # day: 0.5 surplus, 0.2 exported, 0.3 curtailed; night: gas ramps 0.5 (before imports)
    assert r["exports"][0] == approx(0.365 * 12 * 0.2)
    assert r["curtailment"][0] == approx(0.365 * 12 * 0.3)  # 1.314
    assert r["curtailment_rate"][0] == approx(1.314 / 8.76)
    assert r["gen_gas"][0] == approx(0.365 * 12 * 0.5)
    assert r["thermal_rampup"][0] == approx(0.365 * 12 * 0.5)
    assert r["imports"][0] == approx(0.0)
    assert r["curtailment_wind"][0] + r["curtailment_solar"][0] == approx(1.314)
    # curtailment split pro rata to availability in the hour: wind 0.5/1.5 of it
    assert r["curtailment_wind"][0] == approx(1.314 / 3)


def test_storage_exactly_filling():
    # island (grid 0): day surplus 0.5 GW x 12 h = 6 GWh at the meter; eta = 0.9 each way
    # -> 5.4 GWh stored = capacity; night deficit 6 GWh, battery gives 0.9*5.4 = 4.86 GWh
    r = run(
        8.76,
        hourly_index=0,
        wind_gw=1.0,
        wind_hours=4380.0,
        solar_gw=2.0,
        solar_hours=2190.0,
        gas_gw=1.0,
        battery_gw=0.5,
        battery_gwh=5.4,
        battery_eff=0.81,
    )
    assert r["storage_charge_battery"][0] == approx(0.365 * 6.0, rel=1e-9)
    assert r["storage_discharge_battery"][0] == approx(0.365 * 4.86, rel=1e-9)
    assert r["cycles_battery"][0] == approx(365 * 4.86 / 5.4, rel=1e-9)  # 328.5
    assert r["curtailment"][0] == approx(0.0, abs=1e-9)
    assert r["gen_gas"][0] == approx(0.365 * (6.0 - 4.86), rel=1e-9)
    assert r["vre_local"][0] == approx(0.365 * (18.0 + 4.86), rel=1e-9)
    assert r["local_renewable_share"][0] == approx((18.0 + 4.86) / 24.0, rel=1e-9)
    soc = r["hourly_soc_battery"][0]
    assert soc.max() == approx(5.4, rel=1e-9)  # exactly full at 18 h
    assert soc[17] == approx(5.4, rel=1e-9)
    assert soc.min() == approx(0.0, abs=1e-9)
    # cyclic: the SOC before hour 0 (= end of hour 23) is consistent with hour 0's flow
    s_prev = soc[23]
    d0 = r["hourly_battery_discharge"][0, 0]
    assert soc[0] == approx(s_prev - d0 / 0.9, abs=1e-9)
    assert r["hourly_battery_discharge"][0].max() <= 0.5 + 1e-12


def test_thermal_back_down_three_grid_limits():
    # coal 2 GW scheduled 1 GW flat, min stable 0.25 -> floor 0.5 GW; solar 1 GW by day
    r = run(
        np.full(3, 8.76),
        solar_gw=2.0,
        solar_hours=2190.0,
        coal_gw=2.0,
        coal_hours=4380.0,
        coal_min_stable=0.25,
        grid_limit_gw=np.array([0.0, 0.3, 1.0]),
    )
    k = 0.365 * 12  # TWh per GW over the 12 day (or night) hours
    # night (all grids): floor 0.5 + band 0.5 serve the 1 GW load
    # grid 0:   floor can't leave -> takes 0.5 GW of load back from solar, 0.5 curtailed,
    #           band backed down fully
    # grid 0.3: VRE local 0.8, floor: 0.2 local + 0.3 export, 0.2 VRE curtailed, band down
    # grid 1.0: VRE local 1.0, floor 0.5 + band 0.5 exported, nothing curtailed
    np.testing.assert_allclose(r["vre_local"], [0.5 * k, 0.8 * k, 1.0 * k], rtol=1e-12)
    np.testing.assert_allclose(r["curtailment"], [0.5 * k, 0.2 * k, 0.0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        r["thermal_backdown"], [0.5 * k, 0.5 * k, 0.0], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(r["gen_coal"], [1.5 * k, 1.5 * k, 2.0 * k], rtol=1e-12)
    np.testing.assert_allclose(r["exports"], [0.0, 0.3 * k, 1.0 * k], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        r["exports_mustrun"], [0.0, 0.3 * k, 0.5 * k], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(r["thermal_curtailed"], 0.0, atol=1e-12)


def test_must_run_beyond_load_and_grid_is_thermal_curtailed():
    # floor 0.5 GW, load 0.25 GW, grid 0.1 GW -> 0.15 GW must-run cannot go anywhere
    r = run(2.19, coal_gw=1.0, coal_hours=8760.0, coal_min_stable=0.5, grid_limit_gw=0.1)
    assert r["thermal_curtailed"][0] == approx(0.15 * 8.76)
    assert r["gen_coal"][0] == approx(0.5 * 8.76)  # backed down to floor, floor generates
    assert r["thermal_backdown"][0] == approx(0.5 * 8.76)


def test_uhvdc_renewable_shortfall():
    # wind 0.5 GW flat, load 0.25 GW, line 0.5 GW all renewable -> 0.25 delivered
    r = run(2.19, wind_gw=1.0, wind_hours=4380.0, uhvdc_twh=4.38, uhvdc_renewable_share=1.0)
    assert r["uhvdc_renewable_delivered"][0] == approx(0.25 * 8.76)
    assert r["uhvdc_shortfall"][0] == approx(0.25 * 8.76)
    assert r["vre_local"][0] == approx(2.19)
    # fossil part is served by thermal
    r = run(
        2.19,
        wind_gw=1.0,
        wind_hours=4380.0,
        uhvdc_twh=4.38,
        uhvdc_renewable_share=0.5,
        coal_gw=1.0,
        coal_hours=0.0,
        coal_min_stable=0.4,
    )
    assert r["uhvdc_delivered"][0] == approx(0.5 * 8.76)
    assert r["uhvdc_renewable_delivered"][0] == approx(0.25 * 8.76)
    assert r["gen_coal"][0] == approx(0.25 * 8.76)
    assert r["uhvdc_shortfall"][0] == approx(0.0)


def test_storage_feeds_line_and_export_at_night():
    # island except 0.1 GW grid; load 0; solar by day charges, night discharge -> line, export
    r = run(
        0.0,
        solar_gw=2.0,
        solar_hours=2190.0,
        uhvdc_twh=8.76 * 0.2,
        uhvdc_renewable_share=1.0,
        battery_gw=1.0,
        battery_gwh=100.0,
        battery_eff=1.0,
        grid_limit_gw=0.1,
    )
    # day: 1 GW: 0.2 line, 0.1 export, 0.7 stored (12 h -> 8.4 GWh); night: 0.2 line + 0.1 export
    k = 0.365 * 12
    assert r["storage_to_uhvdc"][0] == approx(0.2 * k)
    assert r["storage_to_export"][0] == approx(0.1 * k)
    assert r["uhvdc_renewable_delivered"][0] == approx(0.4 * k)
    assert r["curtailment"][0] == approx((0.7 - 0.3) * k)  # storage only keeps what it can use


def test_storage_keeps_exportable_surplus_for_the_night():
    # grid 10 GW takes all of the day's 1 GW surplus; the night needs 1 GW for 12 h.  Battery
    # 1 GW / 4 GWh, eta 0.9 each way: the reserve target at 18 h is 4 GWh (full), so it charges
    # from exportable surplus in the last surplus hours (13-17 h: 0.444 + 4 x 1 GW), and discharges
    # 1 GW into the night until empty (3.6 GWh).  The greedy rule (reserve=False) never charges.
    kw = dict(
        solar_gw=4.0,
        solar_hours=2190.0,
        gas_gw=1.0,
        battery_gw=1.0,
        battery_gwh=4.0,
        battery_eff=0.81,
        grid_limit_gw=10.0,
    )
    r = run(8.76, hourly_index=0, **kw)
    charge = 4.0 / 0.9
    assert r["storage_charge_battery"][0] == approx(0.365 * charge, rel=1e-12)
    assert r["storage_discharge_battery"][0] == approx(0.365 * 3.6, rel=1e-12)
    assert r["cycles_battery"][0] == approx(365 * 3.6 / 4.0, rel=1e-12)  # 328.5
    assert r["storage_to_local"][0] == approx(0.365 * 3.6, rel=1e-12)
    assert r["storage_to_export"][0] == approx(0.0, abs=1e-15)
    assert r["exports"][0] == approx(0.365 * (12.0 - charge), rel=1e-12)
    assert r["vre_local"][0] == approx(0.365 * (12.0 + 3.6), rel=1e-12)
    assert r["gen_gas"][0] == approx(0.365 * (12.0 - 3.6), rel=1e-12)
    ch = r["hourly_battery_charge"][0]
    np.testing.assert_allclose(ch[:13], 0.0, atol=1e-15)  # nothing before 13 h
    np.testing.assert_allclose(ch[13:18], [0.4 / 0.9, 1, 1, 1, 1], rtol=1e-12)
    soc = r["hourly_soc_battery"][0]
    assert soc[17] == approx(4.0, rel=1e-12) and soc[21] == approx(0.0, abs=1e-12)
    greedy = run(8.76, reserve=False, **kw)
    assert greedy["storage_charge_battery"][0] == 0.0
    assert greedy["vre_local"][0] == approx(0.365 * 12.0, rel=1e-12)


def test_reserve_with_power_limits_is_cyclic():
    # a large (100 GWh) battery limited by its 0.25 GW power: it charges in all 12 surplus hours
    # (0.2 GWh of SOC each) and empties at night; the cyclic start is exact
    kw = dict(
        solar_gw=4.0,
        solar_hours=2190.0,
        gas_gw=1.0,
        battery_gw=0.25,
        battery_gwh=100.0,
        battery_eff=0.64,
        grid_limit_gw=10.0,
    )
    r = run(8.76, hourly_index=0, **kw)
    # 12 h x 0.25 GW charged = 3 GWh -> 2.4 GWh of SOC -> 1.92 GWh discharged
    assert r["storage_charge_battery"][0] == approx(0.365 * 3.0, rel=1e-12)
    assert r["storage_discharge_battery"][0] == approx(0.365 * 1.92, rel=1e-12)
    assert r["storage_to_export"][0] == approx(0.0, abs=1e-15)
    soc = r["hourly_soc_battery"][0]
    replay = soc[-1] + np.cumsum(
        0.8 * r["hourly_battery_charge"][0] - r["hourly_battery_discharge"][0] / 0.8
    )
    np.testing.assert_allclose(replay, soc, atol=1e-12)


# ---------------------------------------------------------------------------
# properties on synthetic profiles


@pytest.fixture(scope="module")
def synth():
    return synthetic_profiles()


def batch(sysp, dem, n, rng):
    """Random batch around a system (each parameter scaled by U(0, 2))."""
    out = {}
    for k, v in sysp.items():
        if k.endswith(("_gw", "_gwh", "_twh")):
            out[k] = v * rng.uniform(0.0, 2.0, n)
        elif k.endswith("_hours"):
            out[k] = np.minimum(v * rng.uniform(0.3, 1.6, n), 8760.0)
        else:
            out[k] = np.clip(v * rng.uniform(0.5, 1.3, n), 0.0, 1.0)
    out["battery_eff"] = rng.uniform(0.6, 1.0, n)
    out["phs_eff"] = rng.uniform(0.6, 1.0, n)
    demand = {k: v * rng.uniform(0.2, 3.0, n) for k, v in dem.items()}
    return out, demand


@pytest.mark.parametrize("sbb,cbe", [(True, False), (False, False), (True, True)])
def test_energy_balance_random_batch(synth, sbb, cbe):
    shapes, w = synth
    sysp, dem = system_2030()
    p, demand = batch(sysp, dem, 3000, np.random.default_rng(7))
    r = dispatch(shapes, w, demand, **p, storage_before_band=sbb, charge_before_export=cbe)
    res, scale = balance_residual(r)
    assert np.max(np.abs(res) / scale) < 1e-9
    # VRE identity: available = used + curtailed
    np.testing.assert_allclose(
        r["gen_wind"] + r["gen_solar"] + r["curtailment"], r["vre_available"], rtol=1e-9
    )
    # VRE use: local + line + storage charge + export + curtailment
    vre_use = (
        r["vre_local"]
        - r["storage_to_local"]
        + r["uhvdc_renewable_delivered"]
        - r["storage_to_uhvdc"]
        + r["storage_charge_battery"]
        + r["storage_charge_phs"]
        + r["exports_vre"]
        + r["curtailment"]
    )
    np.testing.assert_allclose(vre_use, r["vre_available"], rtol=1e-9, atol=1e-12)
    # storage energy conservation per cyclic day: discharge = eff x charge
    np.testing.assert_allclose(
        r["storage_discharge_battery"],
        p["battery_eff"] * r["storage_charge_battery"],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        r["storage_discharge_phs"], p["phs_eff"] * r["storage_charge_phs"], rtol=1e-9, atol=1e-12
    )
    # discharge is split into its three uses
    np.testing.assert_allclose(
        r["storage_to_local"] + r["storage_to_uhvdc"] + r["storage_to_export"],
        r["storage_discharge_battery"] + r["storage_discharge_phs"],
        rtol=1e-9,
        atol=1e-12,
    )
    for k in OUTPUTS:
        assert np.all(np.isfinite(r[k])), k
        if k != "peak_residual_load":
            assert np.all(r[k] >= -1e-12), k
    for k in ("local_renewable_share", "local_nonfossil_share", "curtailment_rate"):
        assert np.all(r[k] <= 1 + 1e-12), k
    # limits
    assert np.all(r["imports"] <= p["grid_limit_gw"] * 8.76 + 1e-9)
    assert np.all(r["exports"] <= p["grid_limit_gw"] * 8.76 + 1e-9)
    assert np.all(r["cycles_battery"] <= 365 * 24 / 2 + 1e-9)


def test_hourly_balance_and_soc_bounds(synth):
    shapes, w = synth
    sysp, dem = system_2030()
    p, demand = batch(sysp, dem, 50, np.random.default_rng(3))
    for k in range(0, 50, 7):
        r = dispatch(shapes, w, demand, **p, hourly_index=k)
        g = {n: r["hourly_" + n] for n in HOURLY}
        supply = (
            g["wind"]
            + g["solar"]
            + g["hydro"]
            + g["biomass"]
            + g["coal"]
            + g["gas"]
            + g["battery_discharge"]
            + g["phs_discharge"]
            + g["imports"]
            + g["unserved"]
        )
        use = (
            g["load"]
            + g["battery_charge"]
            + g["phs_charge"]
            + g["exports"]
            + g["uhvdc"]
            + g["thermal_curtailed"]
        )
        np.testing.assert_allclose(supply, use, rtol=1e-10, atol=1e-10)
        assert np.all(g["soc_battery"] <= p["battery_gwh"][k] + 1e-9)
        assert np.all(g["soc_battery"] >= -1e-9)
        assert np.all(g["soc_phs"] <= p["phs_gwh"][k] + 1e-9)
        assert np.all(g["battery_charge"] * g["battery_discharge"] == 0)
        assert np.all(g["imports"] * g["exports"] == 0)
        # annual totals agree with the hourly series
        np.testing.assert_allclose(
            (w @ g["curtailment"].sum(1)) * 1e-3, r["curtailment"][k], rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            (w @ g["vre_local"].sum(1)) * 1e-3, r["vre_local"][k], rtol=1e-12, atol=1e-12
        )
        # cyclic: replaying each day from its end-of-day SOC reproduces the day
        eb = np.sqrt(p["battery_eff"][k])
        soc0 = g["soc_battery"][:, -1]
        replay = soc0[:, None] + np.cumsum(
            eb * g["battery_charge"] - g["battery_discharge"] / eb, 1
        )
        np.testing.assert_allclose(replay, g["soc_battery"], atol=1e-9)


def test_batch_invariance_and_parallel_bit_identical(synth):
    shapes, w = synth
    sysp, dem = system_2030()
    p, demand = batch(sysp, dem, 200, np.random.default_rng(11))
    r = dispatch(shapes, w, demand, **p)
    rp = dispatch(shapes, w, demand, **p, parallel=True)
    for k in OUTPUTS:
        assert np.array_equal(r[k], rp[k]), k
    # elements repeated (as history years are across scenarios): dispatched once, same bits
    rep = np.r_[np.arange(200), np.zeros(20, dtype=int), np.full(20, 17)]
    rd = dispatch(
        shapes, w, {c: v[rep] for c, v in demand.items()}, **{c: v[rep] for c, v in p.items()}
    )
    for k in OUTPUTS:
        assert np.array_equal(rd[k], r[k][rep]), k
    for i in (0, 17, 199):
        r1 = dispatch(
            shapes,
            w,
            {c: v[i : i + 1] for c, v in demand.items()},
            **{c: v[i : i + 1] for c, v in p.items()},
        )
        for k in OUTPUTS:
            assert r1[k][0] == r[k][i], (k, i)  # bit-identical


def test_day_order_does_not_matter(synth):
    shapes, w = synth
    sysp, dem = system_2030()
    p, demand = batch(sysp, dem, 100, np.random.default_rng(5))
    perm = np.random.default_rng(0).permutation(len(w))
    r = dispatch(shapes, w, demand, **p)
    rp = dispatch({k: v[perm] for k, v in shapes.items()}, w[perm], demand, **p)
    for k in OUTPUTS:
        np.testing.assert_allclose(r[k], rp[k], rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("tech", ["wind", "solar"])
def test_more_vre_raises_local_share_monotone(synth, tech):
    shapes, w = synth
    sysp, dem = system_2030(battery_gw=0.0, battery_gwh=0.0, phs_gw=0.0, phs_gwh=0.0)
    cap = np.linspace(0.0, 60.0, 241)
    p = {k: np.full(cap.size, v) for k, v in sysp.items()}
    p[f"{tech}_gw"] = cap
    r = dispatch(shapes, w, {k: np.full(cap.size, v) for k, v in dem.items()}, **p)
    share = r["local_renewable_share"]
    assert np.all(np.diff(share) >= -1e-12)
    assert np.all(np.diff(r["curtailment"]) >= -1e-12)
    assert share[-1] > share[0]


def test_lower_grid_limit_raises_curtailment(synth):
    shapes, w = synth
    rng = np.random.default_rng(2)
    sysp, dem = system_2030()
    for _ in range(5):
        p, demand = batch(sysp, dem, 1, rng)
        g = np.linspace(0.0, 15.0, 61)
        pp = {k: np.repeat(v, g.size) for k, v in p.items()}
        pp["grid_limit_gw"] = g
        r = dispatch(shapes, w, {k: np.repeat(v, g.size) for k, v in demand.items()}, **pp)
        assert np.all(np.diff(r["curtailment"]) <= 1e-12)  # curtailment falls as limit rises


def test_validation(synth):
    shapes, w = synth
    sysp, dem = system_2030()
    with pytest.raises(ValueError, match="sum to 365"):
        kernel_one(shapes, w * 0.5, dem, sysp)
    bad = dict(shapes)
    bad["wind"] = shapes["wind"] * 1.1
    with pytest.raises(ValueError, match="weighted mean"):
        kernel_one(bad, w, dem, sysp)
    with pytest.raises(KeyError):
        kernel_one(shapes, w, dict(dem, heating=1.0), sysp)
    with pytest.raises(ValueError, match="batch sizes"):
        dispatch(shapes, w, {"industry": np.ones(3)}, **dict(sysp, wind_gw=np.ones(4)))
    with pytest.raises(ValueError, match="min_stable"):
        kernel_one(shapes, w, dem, dict(sysp, coal_min_stable=1.5))
    with pytest.raises(IndexError):
        dispatch(shapes, w, {"industry": np.ones(3)}, **sysp, hourly_index=3)


def test_shape_checks_are_kept_only_for_shapes_that_cannot_change(synth):
    """Read-only shapes owning their data (the bundled profiles) are checked once; a writeable
    shape edited in place between two calls is checked again."""
    from carbonsim.baseline.profiles import load_profiles

    bundled = load_profiles()
    assert not any(a.flags.writeable for a in (*bundled.values(), bundled.weights))
    shapes, w = synth
    sysp, dem = system_2030()
    editable = {k: np.array(v) for k, v in shapes.items()}
    kernel_one(editable, w, dem, sysp)
    editable["wind"] *= 1.1  # same object, new values
    with pytest.raises(ValueError, match="weighted mean"):
        kernel_one(editable, w, dem, sysp)


# ---------------------------------------------------------------------------
# PyPSA cross-check


def _check_against_pypsa(shapes, w, demand, sysp, **kw):
    rows, k, p = compare(shapes, w, demand, sysp, **kw)
    assert abs(k["local_vre_share"] - p["local_vre_share"]) < 0.015
    assert abs(k["curtailment"] - p["curtailment"]) <= 0.15 * p["curtailment"]
    for c in ("cycles_battery", "cycles_phs"):
        assert abs(k[c] - p[c]) <= 0.15 * p[c], (c, k[c], p[c])
    assert p["unserved"] < 1e-6 and k["unserved"] < 1e-9
    return rows


def test_pypsa_crosscheck_synthetic_2030(synth):
    pytest.importorskip("pypsa")
    pytest.importorskip("highspy")
    shapes, w = synth
    sysp, dem = system_2030()
    _check_against_pypsa(shapes, w, dem, sysp)


@pytest.mark.skipif(not os.path.exists(REAL), reason="real representative days not built yet")
def test_pypsa_crosscheck_real_profiles_2030():
    pytest.importorskip("pypsa")
    pytest.importorskip("highspy")
    shapes, w = read_representative_days(REAL)
    sysp, dem = system_2030()
    dem = {k: v for k, v in dem.items() if k in shapes}
    _check_against_pypsa(shapes, w, dem, sysp)


# ---- the storage rules on one day, against plain-Python references of the same rule ----------
def _random_day(rng, surplus_share=0.5):
    """A day scratch with random offers to the battery (rows of dispatch_storage) and its rows."""
    from carbonsim.engine import dispatch_storage as st

    buf = np.zeros(st.B_END)
    surplus = rng.random(H) < surplus_share
    v2 = np.where(surplus, rng.uniform(0.1, 2.0, H), 0.0)
    c1 = np.where(surplus, v2 * rng.uniform(0.0, 1.0, H), 0.0)
    d1 = np.where(surplus, 0.0, rng.uniform(0.0, 1.5, H) * (rng.random(H) < 0.7))
    d2 = rng.uniform(0.0, 1.0, H) * (rng.random(H) < 0.5)
    o = st.B_OFF_B
    buf[st.B_V2 : st.B_V2 + H] = v2
    buf[o + st.ST_C1 : o + st.ST_C1 + H] = c1
    buf[o + st.ST_C2 : o + st.ST_C2 + H] = v2 - c1
    buf[o + st.ST_D1 : o + st.ST_D1 + H] = d1
    buf[o + st.ST_D2 : o + st.ST_D2 + H] = d2
    buf[o + st.ST_SD : o + st.ST_SD + H] = d1 + d2
    return st, buf


def _clip(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


@pytest.mark.parametrize("seed", range(6))
def test_reserve_targets_match_the_branching_rule(seed):
    """The targets (computed with selects) equal the rule written with branches, bit for bit."""
    rng = np.random.default_rng(seed)
    st, buf = _random_day(rng)
    p, e, eta = rng.uniform(0.3, 1.5), rng.uniform(1.0, 6.0), np.sqrt(0.85)
    st._targets(buf, st.B_OFF_B, p, e, eta)
    o = st.B_OFF_B
    row = lambda r, h: buf[r + h]  # noqa: E731

    def back(x, h, charge_rows):
        if row(st.B_V2, h) > 0.0:
            return _clip(x - eta * min(sum(row(o + c, h) for c in charge_rows), p), 0.0, e)
        return _clip(x + min(row(o + st.ST_D1, h), p) / eta, 0.0, e)

    for rows, got in (((st.ST_C1, st.ST_C2), st.B_RT), ((st.ST_C1,), st.B_KT)):
        # the cyclic value: iterate the backward day map until it repeats (it is a clip map)
        x = 0.0
        for _ in range(200):
            for h in range(H - 1, -1, -1):
                x = back(x, h, rows)
        want = np.empty(H)
        for h in range(H - 1, -1, -1):
            want[h] = x
            x = back(x, h, rows)
        np.testing.assert_allclose(buf[got : got + H], want, rtol=0, atol=1e-12 * e)
    assert np.all(buf[st.B_KT : st.B_KT + H] >= buf[st.B_RT : st.B_RT + H])


@pytest.mark.parametrize("seed", range(8))
def test_reserve_replay_stops_where_it_meets_the_solver_pass(seed):
    """The trajectory (solver pass kept from where the replay meets it) equals a full replay
    of the day from the cyclic start, bit for bit, and it is cyclic."""
    rng = np.random.default_rng(100 + seed)
    st, buf = _random_day(rng, surplus_share=0.4)
    p, e, eta = rng.uniform(0.2, 1.0), rng.uniform(0.5, 4.0), np.sqrt(0.9)
    o = st.B_OFF_B
    rows = (st.B_CHB, st.B_DIB, st.B_SOCP)
    end = st._reserve_solve(buf, o, p, e, eta, *rows)
    got = [buf[r : r + H].copy() for r in rows]
    # the start SOC again (the solver alone), then the whole day replayed in plain Python
    x = st._reserve_start(buf.copy(), o, p, e, eta, *rows)
    want = [np.empty(H) for _ in rows]
    for h in range(H):
        x, _, _, ch, dis = st._reserve_hour.py_func(
            x,
            False,
            0.0,
            *(buf[o + r + h] for r in (st.ST_C1, st.ST_C2, st.ST_D1, st.ST_D2)),
            buf[st.B_RT + h],
            buf[st.B_KT + h],
            buf[st.B_V2 + h] > 0.0,
            p,
            e,
            eta,
        )
        want[0][h], want[1][h], want[2][h] = ch, dis, x
    for g, w_ in zip(got, want, strict=True):
        assert np.array_equal(g, w_)
    assert end == want[2][-1]
    start = st._reserve_start(buf.copy(), o, p, e, eta, *rows)
    assert abs(end - start) <= 1e-12 * e  # cyclic
