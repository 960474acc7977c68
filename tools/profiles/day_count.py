#!/usr/bin/env python3
"""How many representative days the dispatch needs: k days against the full year.

Selects k days from the bundled 8760-hour profiles by the method of ``make_profiles.py``
(greedy forward selection, one swap pass, NNLS weights made integers summing to 365) and
dispatches five systems of the bundled scenarios with the engine's own kernel
(``carbonsim.engine.dispatch.dispatch``) on those days and on all 365, printing the errors that
``tests/test_power_balance.py`` bounds (1 percentage point on the local renewable and
non-fossil shares; 10 %, or 0.2 % of the wind and solar available, on curtailment; 10 %, or 5
cycles, on storage cycles).  ``k = 0`` scores the bundled representative days (24).

Fewer days would make the dispatch cheaper (its cost is proportional to the days), so this is
the check behind the decision to keep 24 (docs/dispatch-notes.md, "Seventh session").

    python tools/profiles/day_count.py 12 16 0

Needs pvlib (``make_profiles.py`` imports it): ``pip install -e ".[profiles]"``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

#: (scenario, year) systems scored: the test's three and two more
SYSTEMS = [("plan", 2025), ("plan", 2030), ("stretch", 2030), ("bau", 2030), ("plan", 2035)]


def _one(profiles, system, demand) -> dict[str, float]:
    from carbonsim.engine.dispatch import dispatch

    out = dispatch(
        dict(profiles),
        profiles.weights,
        {k: np.array([v]) for k, v in demand.items()},
        **{k: np.array([v]) for k, v in system.items()},
    )
    return {k: float(v[0]) for k, v in out.items()}


def _within(a: float, b: float, rel: float, floor: float) -> bool:
    return abs(a - b) <= max(rel * abs(b), floor)


def score(k: int, out_dir: Path) -> bool:
    """Print the errors of a k-day set (0: the bundled days); whether all are within bounds."""
    import carbonsim
    from carbonsim.baseline.profiles import load_profiles
    from carbonsim.model.hourly import power_system

    if k:
        import make_profiles

        prof = pd.read_csv(ROOT / "carbonsim" / "data" / "profiles" / "profiles_8760.csv")
        sel = make_profiles.select_representative_days(prof, k)
        path = out_dir / f"representative_days_{k}.csv"
        make_profiles.build_repdays(prof, sel).to_csv(path, index=False, float_format="%.6f")
        rep = load_profiles(path)
        print(f"{k} days: source days {list(sel.source_day)}, weights {list(sel.weight)}")
    else:
        rep = load_profiles()
        print(f"bundled {len(rep.weights)} days")
    full = load_profiles(full_year=True)
    ok = True
    for name, year in SYSTEMS:
        scenario = carbonsim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
        system, demand = power_system(scenario, year)
        r, f = _one(rep, system, demand), _one(full, system, demand)
        shares = [r[s] - f[s] for s in ("local_renewable_share_nonhydro", "local_nonfossil_share")]
        floor = 0.002 * f["vre_available"]
        checks = [abs(d) <= 0.01 for d in shares]
        checks.append(_within(r["curtailment"], f["curtailment"], 0.10, floor))
        checks += [_within(r[c], f[c], 0.10, 5.0) for c in ("cycles_battery", "cycles_phs")]
        ok &= all(checks)
        print(
            f"  {name} {year}: shares {shares[0]:+.4f} / {shares[1]:+.4f}, "
            f"curtailment {r['curtailment']:.3f} vs {f['curtailment']:.3f} TWh, "
            f"battery cycles {r['cycles_battery']:.1f} vs {f['cycles_battery']:.1f}, "
            f"pumped hydro {r['cycles_phs']:.1f} vs {f['cycles_phs']:.1f}"
            + ("" if all(checks) else "   <- outside the test's bounds")
        )
    return ok


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] or [0]
    with tempfile.TemporaryDirectory() as tmp:
        results = {k: score(k, Path(tmp)) for k in counts}
    for k, ok in results.items():
        verdict = "within the bounds on all five systems" if ok else "outside them on some"
        print(f"{k or 'bundled'}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
