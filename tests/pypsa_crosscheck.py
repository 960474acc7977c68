"""Synthetic representative days and an independent PyPSA (HiGHS) cross-check.

Used by test_dispatch.py; also runnable:  python crosscheck.py [representative_days.csv]

The PyPSA model is a linear economic dispatch of ONE batch element, one
network per representative day (24 snapshots, cyclic storage), with costs
chosen so that the LP's preferences reproduce the kernel's priority order
(see NOTES.md, "PyPSA cross-check").
"""

from __future__ import annotations

import sys

import numpy as np

from carbonsim.engine.dispatch import dispatch

H = 24

# --------------------------------------------------------------------------
# synthetic profiles


def normalise(a, w):
    """Scale a (D, H) array to weighted mean 1 over the days."""
    a = np.asarray(a, dtype=float)
    return a * (w.sum() * a.shape[1] / float(w @ a.sum(axis=1)))


def synthetic_profiles(D=24, seed=1234):
    """Simple synthetic days: 2 per month, weights 365/D, all mean-1 shapes."""
    rng = np.random.default_rng(seed)
    w = np.full(D, 365.0 / D)
    month = (np.arange(D) * 12) // D  # 0..11
    hours = np.arange(H) + 0.5
    # solar bell 6-18 h, longer/stronger in summer, cloudiness per day
    season = np.cos(2 * np.pi * (month - 5.5) / 12.0)  # +1 in Jun/Jul
    half = 6.0 + 1.5 * season  # half day length
    solar = np.zeros((D, H))
    for d in range(D):
        x = (hours - 12.5) / half[d]
        bell = np.where(np.abs(x) < 1, np.cos(0.5 * np.pi * x) ** 2, 0.0)
        solar[d] = bell * (0.8 + 0.2 * season[d]) * rng.uniform(0.55, 1.0)
    # wind: AR(1) in log space through all days, fixed seed, windier in spring
    z = np.empty(D * H)
    z[0] = 0.0
    eps = rng.normal(size=D * H)
    for t in range(1, D * H):
        z[t] = 0.93 * z[t - 1] + 0.37 * eps[t]
    wind = np.exp(0.6 * z).reshape(D, H)
    wind *= (1.0 + 0.25 * np.cos(2 * np.pi * (month - 3) / 12.0))[:, None]
    wind *= (1.0 + 0.15 * np.cos(2 * np.pi * (hours - 2) / 24.0))[None, :]  # night max
    # demand classes
    industry = 1.0 + 0.06 * np.sin(2 * np.pi * (hours - 9) / 24.0)[None, :] * np.ones((D, 1))
    buildings = (
        1.0
        + 0.5 * np.exp(-(((hours - 19.5) / 2.5) ** 2))
        + 0.25 * np.exp(-(((hours - 8.0) / 2.0) ** 2))
    )[None, :] * (1.0 + 0.3 * np.abs(np.cos(2 * np.pi * month / 12.0)))[:, None]
    ev = (0.3 + np.exp(-(((hours - 22.0) / 3.0) ** 2)) + np.exp(-(((hours - 0.5) / 3.0) ** 2)))[
        None, :
    ] * np.ones((D, 1))
    electrolysis = 0.2 + solar * 2.0  # follows the sun
    other = np.ones((D, H))
    shapes = {
        k: normalise(v, w)
        for k, v in dict(
            wind=wind,
            solar=solar,
            industry=industry,
            buildings=buildings,
            ev=ev,
            electrolysis=electrolysis,
            other=other,
        ).items()
    }
    return shapes, w


def read_representative_days(path):
    """Read the profile helper's CSV (rep, month, kind, weight, source_day, hour, ...)."""
    import pandas as pd

    df = pd.read_csv(path).sort_values(["rep", "hour"])
    reps = df["rep"].unique()
    w = df.groupby("rep", sort=True)["weight"].first().loc[reps].to_numpy(float)
    shapes = {}
    for k in ("wind", "solar", "industry", "buildings", "ev", "electrolysis", "other"):
        if k in df:
            shapes[k] = df.pivot(index="rep", columns="hour", values=k).loc[reps].to_numpy(float)
    return shapes, w


# --------------------------------------------------------------------------
# the plan's 2030-like system


def system_2030(**over):
    s = dict(
        wind_gw=8.5,
        wind_hours=2000.0,
        solar_gw=19.5,
        solar_hours=1550.0,
        hydro_gw=0.3,
        hydro_hours=3500.0,
        biomass_gw=0.1,
        biomass_hours=6000.0,
        coal_gw=6.0,
        coal_hours=4500.0,
        coal_min_stable=0.4,
        gas_gw=0.5,
        gas_hours=1500.0,
        gas_min_stable=0.3,
        battery_gw=2.8,
        battery_gwh=5.6,
        battery_eff=0.88,
        phs_gw=3.2,
        phs_gwh=19.2,
        phs_eff=0.75,
        uhvdc_twh=5.0,
        uhvdc_renewable_share=0.5,
        grid_limit_gw=6.0,
    )
    s.update(over)
    demand = dict(industry=15.0, buildings=2.2, ev=0.6, electrolysis=1.2, other=1.0)  # 20 TWh
    return s, demand


# --------------------------------------------------------------------------
# PyPSA model


def costs(storage_before_band=True):
    """LP costs [per MWh] whose merit order reproduces the kernel's priorities.

    Values of one MWh of VRE (must be strictly ordered as in the kernel):
      to local load  = bonus + displaced (>= bonus + export)      (highest)
      to UHVDC RE    = uhvdc_re
      to storage     = eta_rt * (displaced - discharge)          (< uhvdc_re)
      to export      = export                                    (< storage)
      curtailed      = 0
    """
    # discharge tiers (local > UHVDC renewable > export), values
    #   local = displaced - discharge, line = uhvdc_re - sto_line, export = export - sto_grid
    if storage_before_band:  # local value = 10 - 6 = 4 > 12 - 9.5 = 2.5 > 1 - 0 = 1
        c = dict(local_bonus=-12.0, uhvdc_re=12.0, discharge=6.0, sto_line=9.5, sto_grid=0.0)
    else:  # local value = 15 - 12 = 3 > 5 - 3 = 2 > 1
        c = dict(local_bonus=-5.0, uhvdc_re=5.0, discharge=12.0, sto_line=3.0, sto_grid=0.0)
    c.update(
        export=1.0,  # value of exports
        coal_band=10.0,
        gas_band=10.5,  # scheduled band (backed down gas first)
        coal_ramp=15.0,
        gas_ramp=16.0,  # above schedule (coal first)
        imports=16.5,
        dump=50.0,
        shortfall=500.0,
        unserved=1000.0,
    )
    return c


def _build(n, s, cost, sn, load, cfw, cfs, xr, xf, cs, gs, cfl, gfl):
    import pandas as pd

    big = 1e4
    T = len(sn)
    ser = lambda a: pd.Series(np.asarray(a, float), index=sn)  # noqa: E731
    for b in ("vre", "load", "th", "sto", "grid", "line"):
        n.add("Bus", b, carrier="AC")
    n.add("Generator", "wind", bus="vre", p_nom=s["wind_gw"], p_max_pu=ser(cfw), marginal_cost=0.0)
    n.add(
        "Generator", "solar", bus="vre", p_nom=s["solar_gw"], p_max_pu=ser(cfs), marginal_cost=0.0
    )
    n.add(
        "Generator",
        "uhvdc_re",
        bus="line",
        p_nom=xr,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=cost["uhvdc_re"],
    )
    n.add("Link", "vre_load", bus0="vre", bus1="load", p_nom=big, marginal_cost=cost["local_bonus"])
    n.add("Link", "vre_grid", bus0="vre", bus1="grid", p_nom=big)
    n.add("Link", "vre_line", bus0="vre", bus1="line", p_nom=big)
    n.add("Link", "sto_line", bus0="sto", bus1="line", p_nom=big, marginal_cost=cost["sto_line"])
    n.add("Link", "sto_grid", bus0="sto", bus1="grid", p_nom=big, marginal_cost=cost["sto_grid"])
    n.add("Link", "vre_sto", bus0="vre", bus1="sto", p_nom=big)
    n.add("Link", "sto_load", bus0="sto", bus1="load", p_nom=big, marginal_cost=cost["discharge"])
    for name, p, e, eff in (
        ("battery", s["battery_gw"], s["battery_gwh"], s["battery_eff"]),
        ("phs", s["phs_gw"], s["phs_gwh"], s["phs_eff"]),
    ):
        if p > 0 and e > 0:
            n.add(
                "StorageUnit",
                name,
                bus="sto",
                p_nom=p,
                max_hours=e / p,
                efficiency_store=np.sqrt(eff),
                efficiency_dispatch=np.sqrt(eff),
                cyclic_state_of_charge=True,
                cyclic_state_of_charge_per_period=True,
                marginal_cost=0.0,
            )
    n.add("Load", "local", bus="load", p_set=ser(load))
    n.add(
        "Generator", "imports", bus="load", p_nom=s["grid_limit_gw"], marginal_cost=cost["imports"]
    )
    n.add("Generator", "unserved", bus="load", p_nom=big, marginal_cost=cost["unserved"])
    n.add(
        "Generator",
        "exports",
        bus="grid",
        p_nom=s["grid_limit_gw"],
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=cost["export"],
    )
    # thermal bus: must-run floor, scheduled band, ramp; hydro/biomass fixed; UHVDC fossil part
    n.add("Load", "uhvdc_fossil", bus="th", p_set=ser(np.full(T, xf)))
    n.add("Generator", "uhvdc_shortfall", bus="th", p_nom=big, marginal_cost=cost["shortfall"])
    for tech, cap, sch, fl in (("coal", s["coal_gw"], cs, cfl), ("gas", s["gas_gw"], gs, gfl)):
        if cap <= 0:
            continue
        n.add("Generator", f"{tech}_floor", bus="th", p_nom=cap, p_min_pu=fl, p_max_pu=fl)
        n.add(
            "Generator",
            f"{tech}_band",
            bus="th",
            p_nom=cap,
            p_max_pu=sch - fl,
            marginal_cost=cost[f"{tech}_band"],
        )
        n.add(
            "Generator",
            f"{tech}_ramp",
            bus="th",
            p_nom=cap,
            p_max_pu=1.0 - sch,
            marginal_cost=cost[f"{tech}_ramp"],
        )
    for tech in ("hydro", "biomass"):
        if s[f"{tech}_gw"] > 0:
            cf = s[f"{tech}_hours"] / 8760
            n.add("Generator", tech, bus="th", p_nom=s[f"{tech}_gw"], p_min_pu=cf, p_max_pu=cf)
    n.add(
        "Generator",
        "dump",
        bus="th",
        p_nom=big,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=-cost["dump"],
    )
    n.add("Link", "th_load", bus0="th", bus1="load", p_nom=big)
    n.add("Link", "th_grid", bus0="th", bus1="grid", p_nom=big)


def pypsa_dispatch(
    shapes, weights, demand, sysp, storage_before_band=True, one_network=True, solver="highs"
):
    """Economic dispatch of one system with PyPSA; returns annual totals [TWh].

    one_network=True: a single network whose investment periods are the
    representative days (storage cyclic per period = per day); False: one
    network per day with cyclic_state_of_charge=True.  Same LP either way."""
    import logging
    import warnings

    import pandas as pd
    import pypsa

    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)
    cost = costs(storage_before_band)
    s = {k: float(v) for k, v in sysp.items()}
    D = len(weights)
    x = s["uhvdc_twh"] * 1000 / 8760
    xr, xf = x * s["uhvdc_renewable_share"], x * (1 - s["uhvdc_renewable_share"])
    cs = min(s["coal_hours"] / 8760, 1.0)
    gs = min(s["gas_hours"] / 8760, 1.0)
    cfl = min(s["coal_min_stable"], cs)
    gfl = min(s["gas_min_stable"], gs)
    load = sum(demand[c] * 1000 / 8760 * np.asarray(shapes[c], float) for c in demand)  # (D, H)
    cfw = np.minimum(s["wind_hours"] / 8760 * np.asarray(shapes["wind"], float), 1.0)
    cfs = np.minimum(s["solar_hours"] / 8760 * np.asarray(shapes["solar"], float), 1.0)
    blocks = [list(range(D))] if one_network else [[d] for d in range(D)]
    rows = []
    for days in blocks:
        n = pypsa.Network()
        if one_network:
            sn = pd.MultiIndex.from_product(
                [[d + 1 for d in days], range(H)], names=["period", "timestep"]
            )
            n.set_snapshots(sn)
            n.investment_periods = [d + 1 for d in days]
        else:
            sn = pd.Index(range(H), name="snapshot")
            n.set_snapshots(sn)
        sel = np.array(days)
        _build(
            n,
            s,
            cost,
            n.snapshots,
            load[sel].ravel(),
            cfw[sel].ravel(),
            cfs[sel].ravel(),
            xr,
            xf,
            cs,
            gs,
            cfl,
            gfl,
        )
        kw = dict(solver_name=solver, log_to_console=False)
        if one_network:
            kw["multi_investment_periods"] = True
        status, cond = n.optimize(**kw)
        if status != "ok":
            raise RuntimeError(f"PyPSA days {days}: {status} {cond}")
        g = n.generators_t.p.to_numpy().reshape(len(days), H, -1)
        gcols = list(n.generators_t.p.columns)
        lk = n.links_t.p0
        su = n.storage_units_t
        for j, d in enumerate(days):
            gi = lambda name: g[j, :, gcols.index(name)] if name in gcols else np.zeros(H)  # noqa
            sl = slice(j * H, (j + 1) * H)
            r = dict(
                w=gi("wind"),
                s=gi("solar"),
                imports=gi("imports"),
                exports=-gi("exports"),
                uhvdc_re=-gi("uhvdc_re"),
                dump=-gi("dump"),
                unserved=gi("unserved"),
                coal=sum(gi(c) for c in gcols if c.startswith("coal_")) + np.zeros(H),
                gas=sum(gi(c) for c in gcols if c.startswith("gas_")) + np.zeros(H),
                vre_load=lk["vre_load"].to_numpy()[sl],
                sto_load=lk["sto_load"].to_numpy()[sl],
                sto_line=lk["sto_line"].to_numpy()[sl],
                sto_grid=lk["sto_grid"].to_numpy()[sl],
            )
            for name, key in (("battery", "b"), ("phs", "p")):
                if name in n.storage_units.index:
                    r["dis_" + key] = su.p_dispatch[name].to_numpy()[sl]
                    r["ch_" + key] = su.p_store[name].to_numpy()[sl]
                else:
                    r["dis_" + key] = r["ch_" + key] = np.zeros(H)
            rows.append((d, r))
    tot = dict(
        vre_available=0.0,
        curtailment=0.0,
        vre_local=0.0,
        local_load=0.0,
        dis_b=0.0,
        dis_p=0.0,
        ch_b=0.0,
        ch_p=0.0,
        imports=0.0,
        exports=0.0,
        uhvdc_re=0.0,
        coal=0.0,
        gas=0.0,
        dump=0.0,
        unserved=0.0,
        sto_load=0.0,
        sto_line=0.0,
        sto_grid=0.0,
    )
    tot["hourly"] = {}
    for d, r in rows:
        wt = weights[d] * 1e-3
        av = s["wind_gw"] * cfw[d] + s["solar_gw"] * cfs[d]
        r["curtailment"] = av - r["w"] - r["s"]
        tot["hourly"][d] = r
        tot["vre_available"] += wt * av.sum()
        tot["curtailment"] += wt * (av - r["w"] - r["s"]).sum()
        tot["local_load"] += wt * load[d].sum()
        tot["vre_local"] += wt * (r["vre_load"].sum() + r["sto_load"].sum())
        for k in (
            "imports",
            "exports",
            "uhvdc_re",
            "dump",
            "unserved",
            "coal",
            "gas",
            "dis_b",
            "dis_p",
            "ch_b",
            "ch_p",
            "sto_load",
            "sto_line",
            "sto_grid",
        ):
            tot[k] += wt * r[k].sum()
    tot["curtailment_rate"] = (
        tot["curtailment"] / tot["vre_available"] if tot["vre_available"] else 0.0
    )
    tot["local_vre_share"] = tot["vre_local"] / tot["local_load"]
    tot["cycles_battery"] = tot["dis_b"] * 1e3 / s["battery_gwh"] if s["battery_gwh"] else 0.0
    tot["cycles_phs"] = tot["dis_p"] * 1e3 / s["phs_gwh"] if s["phs_gwh"] else 0.0
    return tot


def kernel_one(shapes, weights, demand, sysp, storage_before_band=True, charge_before_export=False):
    return dispatch(
        shapes,
        weights,
        {k: np.array([v]) for k, v in demand.items()},
        **{k: np.array([v]) for k, v in sysp.items()},
        storage_before_band=storage_before_band,
        charge_before_export=charge_before_export,
    )


def compare(
    shapes,
    weights,
    demand,
    sysp,
    storage_before_band=True,
    one_network=True,
    charge_before_export=False,
):
    """Return list of (metric, kernel, pypsa) for the reported comparison."""
    k = {
        key: float(v[0])
        for key, v in kernel_one(
            shapes, weights, demand, sysp, storage_before_band, charge_before_export
        ).items()
    }
    p = pypsa_dispatch(shapes, weights, demand, sysp, storage_before_band, one_network)
    rows = [
        ("local_vre_share [1]", k["local_vre_share"], p["local_vre_share"]),
        ("curtailment [TWh]", k["curtailment"], p["curtailment"]),
        ("curtailment_rate [1]", k["curtailment_rate"], p["curtailment_rate"]),
        ("cycles_battery [1/yr]", k["cycles_battery"], p["cycles_battery"]),
        ("cycles_phs [1/yr]", k["cycles_phs"], p["cycles_phs"]),
        ("storage_discharge_battery [TWh]", k["storage_discharge_battery"], p["dis_b"]),
        ("storage_discharge_phs [TWh]", k["storage_discharge_phs"], p["dis_p"]),
        ("uhvdc_renewable_delivered [TWh]", k["uhvdc_renewable_delivered"], p["uhvdc_re"]),
        ("storage_to_local [TWh]", k["storage_to_local"], p["sto_load"]),
        ("storage_to_uhvdc [TWh]", k["storage_to_uhvdc"], p["sto_line"]),
        ("storage_to_export [TWh]", k["storage_to_export"], p["sto_grid"]),
        ("imports [TWh]", k["imports"], p["imports"]),
        ("exports [TWh]", k["exports"], p["exports"]),
        ("gen_coal [TWh]", k["gen_coal"], p["coal"]),
        ("thermal_curtailed/dump [TWh]", k["thermal_curtailed"], p["dump"]),
        ("vre_available [TWh]", k["vre_available"], p["vre_available"]),
    ]
    return rows, k, p


def print_rows(rows):
    print(f"{'metric':36s} {'kernel':>10s} {'pypsa':>10s} {'diff':>9s}")
    for name, a, b in rows:
        rel = (a - b) / b * 100 if b else float("nan")
        print(f"{name:36s} {a:10.4f} {b:10.4f} {rel:8.1f}%")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        shapes, w = read_representative_days(sys.argv[1])
        print(f"profiles: {sys.argv[1]}  D={len(w)}  sum(w)={w.sum()}")
    else:
        shapes, w = synthetic_profiles()
        print("profiles: synthetic, D=24")
    sysp, dem = system_2030()
    dem = {k: v for k, v in dem.items() if k in shapes}
    for sbb, cbe in ((True, False), (True, True), (False, False)):
        print(f"--- storage_before_band={sbb} charge_before_export={cbe}")
        rows, _, _ = compare(
            shapes, w, dem, sysp, storage_before_band=sbb, charge_before_export=cbe
        )
        print_rows(rows)
