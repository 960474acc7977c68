#!/usr/bin/env python3
"""Check that the representative days reproduce a full-year greedy dispatch.

Greedy dispatch, hourly: wind + solar serve load first; surplus charges a
battery (2.8 GW / 5.6 GWh, 85 % round-trip efficiency split as sqrt on charge
and discharge); remaining surplus is curtailed; deficit is met by the battery
(if charged) and the rest by 'other supply' (imports / thermal).  SOC is
carried hour to hour.

Full year: 8760 h in sequence, starting at SOC = 0 (the result is insensitive to
that: the battery is empty most mornings).
Representative days: each day run as a cycle -- the 24 h are run twice, the
second pass starting from the first pass's end SOC -- and the second pass is
scored; annual totals are sum(weight x daily total).  The script also reports
two alternative treatments for comparison:
  'empty'   -- each rep day starts at SOC = 0, single pass;
  'chained' -- rep days run in calendar order of their source day, each day's
               SOC starting where the previous rep day ended (single pass).

Usage:  python check_repdays.py [data_dir] [--sensitivity]
Exit status 0 if the cyclic treatment meets the tolerances
(|share diff| <= 1 pp, |curtailment rate rel diff| <= 10 %, |cycles rel diff| <= 10 %).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

WIND_GW, WIND_H = 8.5, 2000.0
SOLAR_GW, SOLAR_H = 19.5, 1550.0
LOAD_TWH = 20.0
BATT_GW, BATT_GWH = 2.8, 5.6
RTE = 0.85
ETA = np.sqrt(RTE)


def inputs(df: pd.DataFrame):
    wind = WIND_GW * WIND_H / 8760.0 * df["wind"].to_numpy()
    solar = SOLAR_GW * SOLAR_H / 8760.0 * df["solar"].to_numpy()
    load = LOAD_TWH * 1000.0 / 8760.0 * df["industry"].to_numpy()  # GWh per hour = GW
    return wind, solar, load


def dispatch(wind, solar, load, soc0=0.0):
    """Return per-hour arrays and end SOC. Units GW / GWh (1 h steps)."""
    n = len(load)
    gen = wind + solar
    direct = np.minimum(gen, load)
    surplus = gen - direct
    deficit = load - direct
    charge = np.zeros(n)  # energy drawn from surplus (before losses)
    dis = np.zeros(n)  # energy delivered to load (after losses)
    curt = np.zeros(n)
    soc = soc0
    for t in range(n):
        if surplus[t] > 0:
            c = min(surplus[t], BATT_GW, (BATT_GWH - soc) / ETA)
            soc += c * ETA
            charge[t] = c
            curt[t] = surplus[t] - c
        elif deficit[t] > 0:
            d = min(deficit[t], BATT_GW, soc * ETA)
            soc -= d / ETA
            dis[t] = d
    return {
        "gen": gen,
        "load": load,
        "direct": direct,
        "charge": charge,
        "dis": dis,
        "curt": curt,
    }, soc


def totals(r, w=None):
    if w is None:
        w = np.ones_like(r["load"])
    return {k: float(np.sum(v * w)) for k, v in r.items()}


def metrics(t):
    return {
        "re_share": (t["direct"] + t["dis"]) / t["load"],
        "curtailment": t["curt"] / t["gen"],
        "cycles": t["dis"] / BATT_GWH,
        "gen_TWh": t["gen"] / 1000,
        "load_TWh": t["load"] / 1000,
    }


def run_full(prof):
    w, s, l = inputs(prof)
    r, _ = dispatch(w, s, l, 0.0)
    return metrics(totals(r))


def run_rep(rd, mode="cyclic"):
    acc = None
    reps = rd.groupby("rep", sort=True)
    order = (
        rd.groupby("rep")["source_day"].first().sort_values().index
        if mode == "chained"
        else sorted(rd["rep"].unique())
    )
    soc_chain = 0.0
    if mode == "chained":
        # warm start: end SOC of the last day in calendar order, run once
        last = reps.get_group(order[-1]).sort_values("hour")
        _, soc_chain = dispatch(*inputs(last), 0.0)
    for rep in order:
        d = reps.get_group(rep).sort_values("hour")
        wgt = float(d["weight"].iloc[0])
        wi, si, li = inputs(d)
        if mode == "cyclic":
            _, soc_end = dispatch(wi, si, li, 0.0)
            r, _ = dispatch(wi, si, li, soc_end)
        elif mode == "empty":
            r, _ = dispatch(wi, si, li, 0.0)
        elif mode == "chained":
            r, soc_chain = dispatch(wi, si, li, soc_chain)
        else:
            raise ValueError(mode)
        t = {k: v * wgt for k, v in totals(r).items()}
        acc = t if acc is None else {k: acc[k] + t[k] for k in acc}
    return metrics(acc)


def compare(full, rep):
    return {
        "re_share_pp": 100 * (rep["re_share"] - full["re_share"]),
        "curtailment_rel": (rep["curtailment"] - full["curtailment"]) / full["curtailment"],
        "cycles_rel": (rep["cycles"] - full["cycles"]) / full["cycles"],
    }


def ok(c):
    return (
        abs(c["re_share_pp"]) <= 1.0
        and abs(c["curtailment_rel"]) <= 0.10
        and abs(c["cycles_rel"]) <= 0.10
    )


def main(data_dir: Path) -> int:
    prof = pd.read_csv(data_dir / "profiles_8760.csv")
    rd = pd.read_csv(data_dir / "representative_days.csv")
    assert len(prof) == 8760
    assert rd.groupby("rep")["weight"].first().sum() == 365
    full = run_full(prof)
    print(
        f"inputs: wind {WIND_GW} GW x {WIND_H:.0f} h, solar {SOLAR_GW} GW x {SOLAR_H:.0f} h, "
        f"load {LOAD_TWH} TWh (industry shape), battery {BATT_GW} GW / {BATT_GWH} GWh, RTE {RTE}"
    )
    print(f"rep days: {rd['rep'].nunique()}")
    hdr = f"{'case':<16}{'RE share':>10}{'curtail':>10}{'cycles':>9}{'gen TWh':>9}{'load TWh':>9}   diff vs full (pp / rel / rel)"
    print(hdr)
    print(
        f"{'full 8760':<16}{full['re_share']:>10.4f}{full['curtailment']:>10.4f}{full['cycles']:>9.1f}"
        f"{full['gen_TWh']:>9.3f}{full['load_TWh']:>9.3f}"
    )
    status = 1
    for mode in ["cyclic", "empty", "chained"]:
        rep = run_rep(rd, mode)
        c = compare(full, rep)
        flag = "PASS" if ok(c) else "FAIL"
        if mode == "cyclic":
            status = 0 if ok(c) else 1
        print(
            f"{'rep ' + mode:<16}{rep['re_share']:>10.4f}{rep['curtailment']:>10.4f}{rep['cycles']:>9.1f}"
            f"{rep['gen_TWh']:>9.3f}{rep['load_TWh']:>9.3f}   {c['re_share_pp']:+.2f} pp / "
            f"{100 * c['curtailment_rel']:+.2f} % / {100 * c['cycles_rel']:+.2f} %  {flag}"
        )
    print(
        "criterion (cyclic): |share| <= 1 pp, |curtailment| <= 10 %, |cycles| <= 10 %  ->",
        "PASS" if status == 0 else "FAIL",
    )
    return status


SENSITIVITY = [
    # name, wind GW, solar GW, load TWh, load column, battery GW, battery GWh
    ("base", 8.5, 19.5, 20.0, "industry", 2.8, 5.6),
    ("half VRE", 4.25, 9.75, 20.0, "industry", 2.8, 5.6),
    ("4h battery", 8.5, 19.5, 20.0, "industry", 2.8, 11.2),
    ("big battery", 8.5, 19.5, 20.0, "industry", 8.0, 32.0),
    ("wind-heavy", 14.0, 8.0, 20.0, "industry", 2.8, 5.6),
    ("buildings load", 8.5, 19.5, 20.0, "buildings", 2.8, 5.6),
]


def sensitivity(data_dir: Path) -> None:
    """Same comparison for other system configurations (information only)."""
    global WIND_GW, SOLAR_GW, LOAD_TWH, BATT_GW, BATT_GWH
    prof = pd.read_csv(data_dir / "profiles_8760.csv")
    rd = pd.read_csv(data_dir / "representative_days.csv")
    saved = (WIND_GW, SOLAR_GW, LOAD_TWH, BATT_GW, BATT_GWH)
    print("\nsensitivity (not part of the pass criterion): diff rep - full")
    for name, wg, sg, lt, col, bg, be in SENSITIVITY:
        WIND_GW, SOLAR_GW, LOAD_TWH, BATT_GW, BATT_GWH = wg, sg, lt, bg, be
        p = prof.copy()
        r = rd.copy()
        p["industry"] = prof[col]
        r["industry"] = rd[col]
        full = run_full(p)
        line = f"{name:<15} full share {full['re_share']:.3f} curt {full['curtailment']:.3f} cyc {full['cycles']:.0f} |"
        for mode in ["cyclic", "empty"]:
            c = compare(full, run_rep(r, mode))
            line += (
                f" {mode}: {c['re_share_pp']:+.2f} pp {100 * c['curtailment_rel']:+.1f} % "
                f"{100 * c['cycles_rel']:+.1f} % |"
            )
        print(line)
    WIND_GW, SOLAR_GW, LOAD_TWH, BATT_GW, BATT_GWH = saved


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    d = Path(args[0]) if args else Path(__file__).resolve().parent / "data"
    rc = main(d)
    if "--sensitivity" in sys.argv:
        sensitivity(d)
    sys.exit(rc)
