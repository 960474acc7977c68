"""Which levers bind: one-at-a-time perturbation of a scenario, all perturbations in one batch.

For each target the scenario misses, :func:`explain` reports the levers whose small change moves
the target's margin most, and says in words which way helps ("more solar_capacity (光伏装机)").
Every perturbation (each lever up and down) is one row of a single
:func:`~carbonsim.model.simulation.simulate_arrays` call.

Two rules keep the advice right:

* for a relative target (x[year] / x[base_year] − 1) the margin change is measured with the base
  year held at the unperturbed scenario's value — otherwise a lever that raises the base year
  (more aluminium output in 2030) looks as if it helped "no fossil growth after 2030"; likewise
  the year-on-year changes of a 稳中有降 record are measured against the unperturbed levels;
* for a missed 左右 (approx) record only a change that moves the indicator the way the plan wants
  is suggested, so the advice never says "do less" to meet an "about" target;
* for a peaking-order record (a county peaks before or with the city) only a change that does
  not raise the city's CO2 over the horizon is suggested: more aluminium in one county delays the
  city's peak too, which "meets" the order by emitting more.

Only levers the city's plan acts on are perturbed by default: "less GDP growth" or "a cleaner
Ningxia grid" move margins too, but they are the context a plan is made in, not its measures
(:data:`CONTEXT_LEVERS`; ``context=True`` includes them, e.g. to see how much a target rests
on the grid's own progress).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carbonsim.baseline.cache import resolve_baseline
from carbonsim.catalogue import ORDER_OPERATORS
from carbonsim.constants import DEFAULT_YEARS
from carbonsim.definitions.levers import lever_table
from carbonsim.feasibility.evaluate import check
from carbonsim.inputs.coerce import as_batch
from carbonsim.model.arrays import batch_arrays, share_group_of
from carbonsim.model.simulation import simulate_arrays
from carbonsim.regions import regions_of

__all__ = ["CONTEXT_LEVERS", "explain", "perturbation_size"]

#: levers the city does not set, left out of the advice unless ``context=True``: lever -> why
CONTEXT_LEVERS = {
    "gdp_growth": "economic growth: the plan's premise, not a measure",
    "population_growth": "demography",
    "primary_share": "economic structure (a driver, not a measure of the plan)",
    "industry_share": "economic structure (a driver, not a measure of the plan)",
    "construction_share": "economic structure (a driver, not a measure of the plan)",
    "grid_emission_factor": "the regional grid's factor (set by the grid, not the city)",
    "grid_import_non_fossil_share": "the Ningxia grid's non-fossil share (the region's path)",
    "grid_nonhydro_renewable_share": "the Ningxia grid's 消纳责任权重 path (the region's)",
    "wind_hours": "the wind resource of the year",
    "solar_hours": "the solar resource of the year",
    "hydro_hours": "the Yellow River's water of the year",
}

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
    context: bool = False,
) -> pd.DataFrame:
    """The levers most responsible for each missed target.

    Parameters
    ----------
    levers_or_scenario : dict, Scenario or path
        One scenario (no distributions).
    targets : Catalogue, optional
    levers : list of str, optional
        Levers to perturb (default: every core lever the city acts on: not the tracked
        indicators, and not :data:`CONTEXT_LEVERS` unless *context*).
    top : int
        Levers reported per target.
    only_missed : bool
        Explain missed targets only (default) or every evaluated one.
    context : bool
        Also perturb the context levers (economy, the regional grid, the weather's utilisation
        hours) when *levers* is not given.

    Returns
    -------
    pandas.DataFrame
        target, rank, lever, direction ("+"/"-"), advice (the direction in words: "more
        solar_capacity (光伏装机)"), step (lever units), margin_change (target units; for a
        relative target with its base year held fixed), margin_before.
    """
    ds = resolve_baseline(baseline)
    years = list(years)
    base = batch_arrays(as_batch(levers_or_scenario, regions_of(ds)), years, ds)
    names = list(levers) if levers else _default_levers(context)
    names = [n for n in names if n in base]
    batch = [base]
    for name in names:
        batch += [_perturbed(base, name, +1), _perturbed(base, name, -1)]
    arrays = {k: np.concatenate([b[k] for b in batch], axis=0) for k in base}
    ids = ["base"] + [f"{s}{n}" for n in names for s in "+-"]
    traj = simulate_arrays(arrays, ids, years, ds, validate=False)
    result = check(traj, targets)
    res = result.dataset
    margin = res.margin.values.copy()
    value = res.value.values
    status = res.status.values[0]
    wanted = (status == "missed") if only_missed else np.isin(status, ("met", "at_risk", "missed"))
    records = {t.id: t for t in result.catalogue}
    city_co2 = traj["co2"].sel(region=regions_of(ds).city).sum("year").values  # (rows,)
    rows = []
    for j in np.flatnonzero(wanted):
        t = records[str(res.target.values[j])]
        if t.basis == "relative_change" and t.op not in ORDER_OPERATORS:
            margin[:, j] = _fixed_base_margin(traj, t)
        elif t.op == "nonincreasing":
            margin[:, j] = _fixed_scale_decline_margin(traj, t, result.tolerance)
        raises_co2 = city_co2[1:] > city_co2[0] * (1 + 1e-9) if t.op in ORDER_OPERATORS else None
        rows += _ranked(t, margin[:, j], value[:, j], names, base, top, raises_co2)
    return pd.DataFrame(rows, columns=COLUMNS)


def _default_levers(context: bool) -> list[str]:
    """Every core lever (not the tracked indicators), the context levers only with *context*."""
    return [
        name
        for name, spec in lever_table().items()
        if spec.group != "tracked" and (context or name not in CONTEXT_LEVERS)
    ]


COLUMNS = [
    "target", "rank", "lever", "direction", "advice", "step", "margin_change", "margin_before",
]  # fmt: skip


def _fixed_base_margin(traj, t) -> np.ndarray:
    """Margins of relative target *t* with x[base_year] of every row held at row 0's value."""
    from carbonsim.catalogue import Catalogue

    da = traj[t.indicator]
    fixed = da.copy()
    base = da.sel(year=t.base_year)
    fixed.loc[{"year": t.base_year}] = base.isel(scenario=0).broadcast_like(base)
    one = check(traj.assign({t.indicator: fixed}), Catalogue([t]))
    return one.dataset.margin.values[:, 0]


def _fixed_scale_decline_margin(traj, t, plateau_tolerance: float) -> np.ndarray:
    """稳中有降 margins with every year-on-year change and the overall decline measured against
    row 0's levels: a lever that lifts the whole path (more output) then does not look as if it
    flattened it.  Row 0's margin equals the check's."""
    tol = t.tolerance if t.tolerance is not None else plateau_tolerance
    x = traj[t.indicator]
    x = x.sel(region=t.region) if "region" in x.dims else x
    years = np.asarray(traj.year.values)
    sel = (years >= t.first_year - 1) & (years <= t.last_year)
    part = np.asarray(x.transpose("scenario", "year").values, dtype=float)[:, sel]
    scale = np.abs(part[0])
    scale = np.where(scale != 0, scale, 1.0)
    growth = (part[:, 1:] - part[:, :-1]) / scale[None, :-1]
    decline = (part[:, 0] - part[:, -1]) / scale[0]
    return np.minimum(tol - growth.max(axis=-1), decline)


def _ranked(t, margin, value, names, base, top, raises_co2=None) -> list[dict]:
    before = margin[0]
    change = margin[1:] - before
    if raises_co2 is not None:  # a peaking order is not met by the city emitting more
        change = np.where(raises_co2, -np.inf, change)
    up, down = change[0::2], change[1::2]
    # a 左右 record: only changes that move the indicator the way the plan wants
    if t.op == "approx" and t.direction in ("up", "down"):
        moved = value[1:] - value[0]
        good = moved > 0 if t.direction == "up" else moved < 0
        up = np.where(good[0::2], up, -np.inf)
        down = np.where(good[1::2], down, -np.inf)
    gain = np.maximum(up, down)
    rows = []
    specs = lever_table()
    for rank, k in enumerate(np.argsort(-gain)[:top], start=1):
        if not gain[k] > 0:
            break
        sign = "+" if up[k] >= down[k] else "-"
        spec = specs[names[k]]
        step = perturbation_size(names[k], base[names[k]])
        label = f"{names[k]} ({spec.name_zh})" if spec.name_zh else names[k]
        rows.append(
            {
                "target": t.id,
                "rank": rank,
                "lever": names[k],
                "direction": sign,
                "advice": f"{'more' if sign == '+' else 'less'} {label}",
                "step": step,
                "margin_change": float(gain[k]),
                "margin_before": float(before),
            }
        )
    return rows
