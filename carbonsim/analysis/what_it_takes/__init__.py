"""What it takes: the least change to chosen levers that meets chosen targets; the feasible region.

:func:`what_it_takes` starts from a scenario and finds the smallest change to some levers (solar
and wind capacity by county, storage ratio, efficiency, outputs, NEV sales share …) after which
every chosen target is met — or says plainly that no setting within the lever bounds meets them,
which targets cannot be met together and the best margin each can reach.  Each lever moves by
**one scalar** (:mod:`carbonsim.analysis.adjust`): a multiplier on the scenario's change since
2020 for level levers (``x = 1`` is the scenario), an added amount for level levers the
scenario leaves unchanged, an additive shift for shares and rates (``x = 0`` is the
scenario); only years from ``from_year`` on move.  ``"solar_capacity:yanchi"`` moves one county.

:func:`feasible_region` maps the share of targets met over a grid of two levers (one simulate
call for the whole grid); :func:`peak_target` builds an ad-hoc "peaks by" record.

See ``docs/what-it-takes.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from carbonsim.analysis.adjust import Adjustment, parse_adjustments, scenario_values
from carbonsim.analysis.what_it_takes import search
from carbonsim.analysis.what_it_takes.report import WhatItTakes, build_result
from carbonsim.baseline.cache import resolve_baseline
from carbonsim.catalogue import Catalogue, Target, load_targets
from carbonsim.catalogue.checks import SIMULATED_INDICATORS, RecordChecker
from carbonsim.constants import DEFAULT_YEARS
from carbonsim.errors import CatalogueError, LeverError, ScenarioError, did_you_mean
from carbonsim.inputs.coerce import as_scenario
from carbonsim.model.arrays import lever_arrays
from carbonsim.regions import WUZHONG, RegionSet, regions_of

__all__ = ["OBJECTIVES", "WhatItTakes", "feasible_region", "peak_target", "what_it_takes"]

#: built-in objectives (a callable ``f(x) -> (m,)`` of the scalars ``(m, k)`` is also accepted)
OBJECTIVES = ("relative_change", "least_effort")


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------
def _scenario(scenario, regions: RegionSet = WUZHONG):
    scenario = as_scenario(scenario, regions, "what_it_takes")
    if scenario.is_stochastic:
        raise ScenarioError(
            f"scenario {scenario.id!r} has distributions; what_it_takes() adjusts one "
            "deterministic scenario (fix the uncertain levers with scenario.replace() first)"
        )
    return scenario


def select_targets(targets=None, catalogue=None) -> Catalogue:
    """The targets to meet.

    Parameters
    ----------
    targets : None, str, Target, Catalogue, dict, or a sequence of ids / Targets
        None: every ``binding`` ``simulated`` record; a dict: keywords of
        :meth:`Catalogue.filter` (e.g. ``{"year": 2030, "tier": "binding"}``).
    catalogue : Catalogue or path, optional
        Where ids are looked up (default: the bundled catalogue).
    """
    if isinstance(targets, Catalogue):
        chosen = targets
    else:
        base = catalogue if isinstance(catalogue, Catalogue) else load_targets(catalogue)
        chosen = _chosen(base, targets)
    if len(chosen) == 0:
        raise CatalogueError(f"no targets selected by {targets!r}; nothing to meet")
    return chosen


def _chosen(base: Catalogue, targets) -> Catalogue:
    if targets is None:
        return base.filter(tier="binding", kind="simulated")
    if isinstance(targets, Mapping):
        return base.filter(**targets)
    if isinstance(targets, str | Target):
        targets = [targets]
    records = []
    for item in targets:
        if isinstance(item, Target):
            records.append(item)
        elif item in base:
            records.append(base[item])
        else:
            raise CatalogueError(
                f"no target with id {item!r} in the catalogue.{did_you_mean(item, base.ids)} "
                "(`carbonsim targets` lists them)"
            )
    return Catalogue(records, regions=base.regions)


def peak_target(
    region: str,
    year: int,
    indicator: str = "co2",
    tier: str = "binding",
    id: str | None = None,
    regions=None,
) -> Target:
    """An ad-hoc "*region* peaks (*indicator*) by *year*" record the checker understands.

    The record is validated like a catalogue entry (``op = "peak_by"``, ``kind = "order"``);
    *region* is one of *regions* (a RegionSet or a baseline; default 吴忠市 and its counties).

    Examples
    --------
    >>> t = peak_target("litong", 2025)
    >>> (t.id, t.op, t.region, t.year, t.unit)
    ('peak_litong_co2_by_2025', 'peak_by', 'litong', 2025, '1e4 t CO2')
    """
    if indicator not in SIMULATED_INDICATORS:
        hint = did_you_mean(indicator, SIMULATED_INDICATORS)
        raise CatalogueError(f"peak_target: unknown indicator {indicator!r}.{hint}")
    record = {
        "id": id or f"peak_{region}_{indicator}_by_{int(year)}",
        "region": region,
        "indicator": indicator,
        "year": int(year),
        "op": "peak_by",
        "unit": SIMULATED_INDICATORS[indicator],
        "basis": "absolute",
        "tier": tier,
        "kind": "order",
        "clause": "ad hoc",
        "source_text": f"{region} {indicator} peaks by {int(year)} (what_it_takes question)",
        "note": "Ad-hoc question built by carbonsim.analysis.what_it_takes.peak_target, "
        "not a plan clause.",
    }
    known = regions if isinstance(regions, RegionSet) else regions_of(regions)
    fields = RecordChecker("<peak_target>", 1, record, known.all, {}).check()
    return Target(**fields)


# ---------------------------------------------------------------------------------------------
# what it takes
# ---------------------------------------------------------------------------------------------
def _objective(objective, problem, z, m) -> search.Objective:
    if callable(objective):
        return search.Objective(objective, problem)
    if objective not in OBJECTIVES:
        raise LeverError(
            f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)} or pass a "
            f"function of the scalars.{did_you_mean(str(objective), OBJECTIVES)}"
        )
    improving = search.improving_directions(z, m, problem) if objective == "least_effort" else None
    return search.Objective(objective, problem, improving)


def _evaluable(problem: search.Problem):
    """Split the targets into those the scenario can evaluate and the others (with reasons)."""
    before = problem.margins(np.zeros((1, problem.k)))[0]
    keep = [t for t, v in zip(problem.targets, before, strict=True) if np.isfinite(v)]
    dropped = {t.id: "not evaluated on this scenario" for t in problem.targets if t not in keep}
    if not keep:
        raise CatalogueError(
            "none of the chosen targets can be evaluated on this scenario "
            f"({', '.join(dropped)}): tracked indicators need a path in the scenario"
        )
    return keep, dropped


def _search(problem, goal, z, m, seed):
    if problem.k == 1:
        return search.solve_one(problem, goal, z, m)
    return search.solve_many(problem, goal, z, m, seed)


def _solve(problem, objective, seed):
    """-> (best z (1, k), objective, None) or (compromise z, objective, infeasibility report)."""
    z = search.initial_candidates(problem, seed)
    m = problem.margins(z)
    goal = _objective(objective, problem, z, m)
    best = _search(problem, goal, z, m, seed)
    if best is not None:
        return best, goal, None
    # no candidate met everything: look harder (best margins), then solve from what was found
    best_margin, compromise = search.best_margins(problem, seed)
    z, m = problem.history()
    if (problem.worst(m) >= 0).any():
        return _search(problem, goal, z, m, seed), goal, None
    return compromise[None], goal, (best_margin, *search.conflicting_set(problem, best_margin))


def _binding(problem, goal, z_after, m_after) -> np.ndarray:
    """Met targets that the levers move (their margin varied over the candidates) and that are
    at zero margin or broken by a small step toward the objective's optimum."""
    _, seen = problem.history()
    moved = np.nanmax(seen, axis=0) - np.nanmin(seen, axis=0) > 1e-9 * problem.scale
    normalised = problem.normalised(m_after)[0]
    met = normalised >= 0
    toward = goal.optimum() - z_after[0]
    size = np.linalg.norm(toward)
    if size > 0:
        probe = z_after + 1e-6 * toward / max(size, 1.0)
        broken = problem.margins(probe)[0] < 0
    else:
        broken = np.zeros_like(met)
    return met & moved & ((normalised <= search.BINDING_TOLERANCE) | broken)


def what_it_takes(
    scenario,
    targets=None,
    levers: Sequence[str] | str | None = None,
    objective="relative_change",
    bounds: Mapping[str, tuple] | None = None,
    from_year: int = 2021,
    *,
    catalogue=None,
    baseline=None,
    years: Sequence[int] = DEFAULT_YEARS,
    seed: int = 0,
) -> WhatItTakes:
    """The least change to *levers* that meets *targets*, starting from *scenario*.

    Parameters
    ----------
    scenario : Scenario, path or dict
        One deterministic scenario.  To ask "with 5 % lower GDP growth", lower ``gdp_growth`` with
        ``scenario.replace(...)`` first.
    targets : None, id, list of ids / Targets, Catalogue, or dict of filter keywords
        Default: every binding simulated record of the catalogue.  :func:`peak_target` builds a
        "peaks by" record.
    levers : str or list of str
        Lever names, or ``"name:county"`` to move one county (``"solar_capacity:yanchi"``).
    objective : {"relative_change", "least_effort"} or callable
        ``relative_change``: the smallest sum of squared relative changes of the levers'
        representative (2030) values — the least change to the scenario.  ``least_effort``: the
        lowest settings in each lever's helpful direction that still meet the targets (may go
        below the scenario: the slack).  A callable gets the scalars ``(m, k)`` and returns
        ``(m,)``.
    bounds : dict, optional
        ``{lever spec: (lower, upper)}`` of the scalar (default: from the lever table).
    from_year : int
        First year the scalars act on (earlier years keep the scenario's path).
    catalogue : Catalogue or path, optional
        Where target ids are looked up.
    seed : int
        Seed of the Sobol and random searches (results are reproducible).

    Returns
    -------
    WhatItTakes
        ``feasible``, the scalars and lever paths before/after, margins before/after, binding
        targets, or (infeasible) the targets that cannot be met together and their best margins;
        ``scenario`` (the adjusted Scenario), ``to_dataframe()``, ``to_markdown()``.

    Examples
    --------
    >>> import carbonsim
    >>> plan = carbonsim.load_scenario("scenarios/plan.toml")
    >>> r = carbonsim.what_it_takes(plan, "a5_2025_storage_ratio", ["storage_ratio"],
    ...                             objective="least_effort")
    >>> r.feasible, round(r.scalars["storage_ratio"], 6)
    (True, 0.0)
    """
    ds, years = resolve_baseline(baseline), [int(y) for y in years]
    scen = _scenario(scenario, regions_of(ds))
    chosen = select_targets(targets, catalogue)
    arrays = lever_arrays(scen.to_levers(), 1, years, ds)
    adjustments = parse_adjustments(levers, arrays, years, int(from_year), bounds, regions_of(ds))
    keep, dropped = _evaluable(search.Problem(arrays, adjustments, chosen, years, ds))
    problem = search.Problem(arrays, adjustments, keep, years, ds)
    m_before = problem.margins(np.zeros((1, problem.k)))
    best, goal, infeasible = _solve(problem, objective, seed)
    m_after = problem.margins(best)
    binding = _binding(problem, goal, best, m_after) if infeasible is None else None
    solution = problem.lever_arrays(best)
    adjusted = None
    if infeasible is None:
        adjusted = scen.replace(**scenario_values(adjustments, solution, years))
        adjusted = adjusted.with_id(f"{scen.id}+what-it-takes")
    return build_result(
        scen, problem, goal, (m_before, m_after, binding), best, infeasible, adjusted, dropped,
        arrays,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# feasible region
# ---------------------------------------------------------------------------------------------
def _axis(adj: Adjustment, given, n: int) -> np.ndarray:
    if given is None:
        lo, hi = adj.to_x(max(adj.to_z(adj.lower), -1.0)), adj.to_x(min(adj.to_z(adj.upper), 1.0))
    else:
        lo, hi = (float(v) for v in given)
    return np.linspace(lo, hi, int(n))


def _label(adj: Adjustment, year: int) -> str:
    how = {
        "scale_change": "× change since 2020",
        "add_level": f"+ {adj.spec.unit} from the scenario",
        "shift": f"+ shift ({adj.spec.unit})",
    }[adj.mode]
    where = adj.region or "wuzhong"
    return f"{adj.key} ({adj.spec.name_zh}): {how}; {year} {where} value in {adj.spec.unit}"


def feasible_region(
    scenario,
    x_lever: str,
    y_lever: str,
    targets=None,
    grid: tuple[int, int] | int = (21, 21),
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    from_year: int = 2021,
    *,
    catalogue=None,
    baseline=None,
    years: Sequence[int] = DEFAULT_YEARS,
) -> xr.Dataset:
    """Share of *targets* met over a grid of two levers' scalars: one simulate call.

    Parameters
    ----------
    x_lever, y_lever : str
        Lever specs as for :func:`what_it_takes` (``"solar_capacity:yanchi"``).
    grid : (int, int) or int
        Points along x and y.
    x_range, y_range : (float, float), optional
        Scalar ranges (default: a relative change of -100 %…+100 % of the lever's 2030 value,
        within the lever bounds).

    Returns
    -------
    xarray.Dataset
        ``share_met`` (y, x) in [0, 1], ``all_met`` (y, x), ``n_met`` (y, x) and ``margin``
        (y, x, target); coords ``x``, ``y`` (scalars) and ``x_value``, ``y_value`` (the levers'
        2030 values, sums over counties for levels, means for shares); attrs ``x_lever``,
        ``y_lever``, ``targets`` (ids), ``x_label``, ``y_label``.
    """
    ds, years = resolve_baseline(baseline), [int(y) for y in years]
    scen = _scenario(scenario, regions_of(ds))
    chosen = select_targets(targets, catalogue)
    arrays = lever_arrays(scen.to_levers(), 1, years, ds)
    known = regions_of(ds)
    adjs = parse_adjustments([x_lever, y_lever], arrays, years, int(from_year), None, known)
    nx, ny = (grid, grid) if isinstance(grid, int) else grid
    xs, ys = _axis(adjs[0], x_range, nx), _axis(adjs[1], y_range, ny)
    spans = {adjs[0].key: (xs.min(), xs.max()), adjs[1].key: (ys.min(), ys.max())}
    adjs = parse_adjustments([x_lever, y_lever], arrays, years, int(from_year), spans, known)
    problem = search.Problem(arrays, adjs, chosen, years, ds)
    gx, gy = np.meshgrid(xs, ys)
    z = np.column_stack([adjs[0].to_z(gx.ravel()), adjs[1].to_z(gy.ravel())])
    margin = problem.margins(z).reshape(len(ys), len(xs), -1)
    evaluated = np.isfinite(margin)
    met = evaluated & (np.nan_to_num(margin, nan=-1.0) >= 0)
    counted = np.maximum(evaluated.sum(-1), 1)
    rep_year = years[adjs[0].rep_index]
    value = [
        a.representative(a.apply(arrays[a.name], v)) for a, v in zip(adjs, (xs, ys), strict=True)
    ]
    return xr.Dataset(
        {
            "share_met": (("y", "x"), met.sum(-1) / counted, {"units": "1"}),
            "all_met": (("y", "x"), met.sum(-1) == evaluated.sum(-1)),
            "n_met": (("y", "x"), met.sum(-1)),
            "margin": (("y", "x", "target"), margin),
        },
        coords={
            "x": xs,
            "y": ys,
            "target": [t.id for t in chosen],
            "x_value": ("x", value[0], {"units": adjs[0].spec.unit, "year": rep_year}),
            "y_value": ("y", value[1], {"units": adjs[1].spec.unit, "year": rep_year}),
        },
        attrs={
            "x_lever": adjs[0].key,
            "y_lever": adjs[1].key,
            "targets": [t.id for t in chosen],
            "x_label": _label(adjs[0], rep_year),
            "y_label": _label(adjs[1], rep_year),
            "scenario": scen.id,
            "from_year": int(from_year),
        },
    )
