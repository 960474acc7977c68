"""Which levers bind: one-at-a-time perturbation of a scenario, all perturbations in one batch.

For each target the scenario misses, :func:`explain` reports the levers whose small change moves
the target's margin most, and in which direction.  Every perturbation (each lever up and down)
is one row of a single :func:`~carbonsim.model.simulation.simulate_arrays` call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carbonsim.baseline.cache import resolve_baseline
from carbonsim.constants import DEFAULT_YEARS
from carbonsim.definitions.levers import lever_table
from carbonsim.feasibility.evaluate import check
from carbonsim.inputs.coerce import as_batch
from carbonsim.model.arrays import batch_arrays, share_group_of
from carbonsim.model.simulation import simulate_arrays
from carbonsim.regions import regions_of

__all__ = ["explain", "perturbation_size"]

#: absolute step for shares [1] and rates [1/yr]; relative step for everything else
SHARE_STEP, RATE_STEP, RELATIVE_STEP = 0.05, 0.01, 0.10


def perturbation_size(name: str, base: np.ndarray) -> float:
    """The step used for lever *name* (absolute, in the lever's unit)."""
    spec = lever_table()[name]
    if spec.unit == "1":
        return SHARE_STEP
    if spec.unit == "1/yr":
        return RATE_STEP
    level = float(np.abs(base).max())
    return RELATIVE_STEP * (level if level > 0 else spec.upper / 10)


def _perturbed(arrays: dict, name: str, sign: int) -> dict:
    spec = lever_table()[name]
    out = dict(arrays)
    base = arrays[name]
    new = base.copy()
    new[..., 1:] = np.clip(
        base[..., 1:] + sign * perturbation_size(name, base), spec.lower, spec.upper
    )
    others = [n for n in share_group_of(name) if n != name]
    if others:
        new = np.minimum(new, 1.0 - sum(arrays[n] for n in others))
    out[name] = new
    return out


def explain(
    levers_or_scenario,
    targets=None,
    baseline=None,
    years: Sequence[int] = DEFAULT_YEARS,
    levers: Sequence[str] | None = None,
    top: int = 3,
    only_missed: bool = True,
) -> pd.DataFrame:
    """The levers most responsible for each missed target.

    Parameters
    ----------
    levers_or_scenario : dict, Scenario or path
        One scenario (no distributions).
    targets : Catalogue, optional
    levers : list of str, optional
        Levers to perturb (default: every core lever, not the tracked indicators).
    top : int
        Levers reported per target.
    only_missed : bool
        Explain missed targets only (default) or every evaluated one.

    Returns
    -------
    pandas.DataFrame
        target, rank, lever, direction ("+"/"-"), step (lever units), margin_change (target
        units), margin_before.
    """
    ds = resolve_baseline(baseline)
    years = list(years)
    base = batch_arrays(as_batch(levers_or_scenario, regions_of(ds)), years, ds)
    names = (
        list(levers) if levers else [n for n, s in lever_table().items() if s.group != "tracked"]
    )
    names = [n for n in names if n in base]
    batch = [base]
    for name in names:
        batch += [_perturbed(base, name, +1), _perturbed(base, name, -1)]
    arrays = {k: np.concatenate([b[k] for b in batch], axis=0) for k in base}
    ids = ["base"] + [f"{s}{n}" for n in names for s in "+-"]
    traj = simulate_arrays(arrays, ids, years, ds, validate=False)
    res = check(traj, targets).dataset
    margin = res.margin.values
    status = res.status.values[0]
    wanted = (status == "missed") if only_missed else (status != "not_evaluated")
    rows = []
    for j in np.flatnonzero(wanted):
        before = margin[0, j]
        change = margin[1:, j] - before
        up, down = change[0::2], change[1::2]
        gain = np.maximum(up, down)
        for rank, k in enumerate(np.argsort(-gain)[:top], start=1):
            if not gain[k] > 0:
                break
            sign = "+" if up[k] >= down[k] else "-"
            rows.append(
                {
                    "target": str(res.target.values[j]),
                    "rank": rank,
                    "lever": names[k],
                    "direction": sign,
                    "step": perturbation_size(names[k], base[names[k]]),
                    "margin_change": float(gain[k]),
                    "margin_before": float(before),
                }
            )
    return pd.DataFrame(
        rows,
        columns=["target", "rank", "lever", "direction", "step", "margin_change", "margin_before"],
    )
