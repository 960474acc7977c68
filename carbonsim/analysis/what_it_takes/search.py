"""The searches behind :func:`carbonsim.what_it_takes`: batches of candidates, one simulate each.

Work is in *z*, the relative change of each chosen lever's representative value
(:mod:`carbonsim.analysis.adjust`); ``z = 0`` is the scenario.  Every evaluation of several
candidates is one :func:`~carbonsim.model.simulation.simulate_arrays` call; sequential steps
(a root finder, SLSQP's iterations) evaluate one small batch each (SLSQP: the point and its
finite-difference neighbours together).

* one lever: a grid over the bounds brackets the boundary of the feasible set next to the best
  feasible grid point; ``scipy.optimize.brentq`` finds it when every margin is continuous,
  ``scipy.optimize.bisect`` on the met / not-met indicator when a margin counts years;
* several levers: a Sobol sample (local and global), then from a few feasible starts (the best
  of each orthant around the scenario, the most interior) ``scipy.optimize.minimize`` (SLSQP,
  margins as constraints) when every margin is continuous, or rounds of a shrinking random search
  when one counts years; finally a line search toward the unconstrained optimum;
* no feasible point: the best margin of each target alone (refined by shrinking searches), the
  targets that cannot be met even alone, and a smallest set that cannot be met together
  (a deletion filter over every evaluated candidate).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from carbonsim.analysis.adjust import Adjustment, apply_adjustments
from carbonsim.catalogue import Catalogue
from carbonsim.feasibility.evaluate import check
from carbonsim.model.simulation import simulate_arrays

#: operators whose margin is a whole number of years (a step function of the levers)
STEP_OPERATORS = ("peak_before", "peak_with", "peak_in")
#: |normalised margin| below this counts as zero (binding)
BINDING_TOLERANCE = 1e-6
#: candidates of the first batch: (continuous margins, step margins) — steps need a denser look
GRID_POINTS = (129, 513)
SAMPLE_POWER = (7, 9)  # 2**p local + 2**p global Sobol points
SEARCH_ROUNDS = 12
#: local searches started from different feasible candidates (several levers)
STARTS = 4
SEARCH_BATCH = 64


def target_scale(t) -> float:
    """The size of a unit margin of target *t* (normalises margins across targets)."""
    if t.op == "approx":
        return float(t.tolerance or 1.0)
    if t.value is None or t.op in ("peak_by", "nonincreasing") or t.value == 0:
        return 1.0
    return abs(float(t.value))


class Problem:
    """Scalars -> margins of the chosen targets, by batches; remembers every evaluation."""

    def __init__(self, arrays, adjustments: list[Adjustment], targets, years, baseline):
        self.arrays, self.adjustments = arrays, adjustments
        self.targets = list(targets)
        self.catalogue = Catalogue(self.targets)
        self.years, self.baseline = list(years), baseline
        names = {t.indicator for t in self.targets}
        names |= {t.other_indicator for t in self.targets if t.other_indicator}
        self.variables = sorted(names)
        self.scale = np.array([target_scale(t) for t in self.targets])
        self.steps = any(t.op in STEP_OPERATORS for t in self.targets)
        self.lower = np.array([a.to_z(a.lower) for a in adjustments])
        self.upper = np.array([a.to_z(a.upper) for a in adjustments])
        self.seen_z: list[np.ndarray] = []
        self.seen_m: list[np.ndarray] = []
        self.calls = 0

    @property
    def k(self) -> int:
        """Number of levers."""
        return len(self.adjustments)

    def to_x(self, z) -> np.ndarray:
        """Scalars ``(m, k)`` of relative changes ``(m, k)`` (rounding noise at the bounds and at
        the scenario's value removed)."""
        z = np.atleast_2d(np.asarray(z, dtype=float))
        x = np.stack([a.to_x(z[:, j]) for j, a in enumerate(self.adjustments)], axis=1)
        for j, a in enumerate(self.adjustments):
            for exact in (a.lower, a.upper, a.x0):
                close = np.abs(x[:, j] - exact) <= 1e-12 * max(1.0, abs(exact))
                x[close, j] = exact
        return x

    def lever_arrays(self, z) -> dict:
        """Full lever arrays of candidates *z*."""
        return apply_adjustments(self.arrays, self.adjustments, self.to_x(z))

    def trajectories(self, z, variables=None):
        """Simulated trajectories of candidates *z* (one call)."""
        z = np.atleast_2d(z)
        ids = [f"candidate{i}" for i in range(len(z))]
        return simulate_arrays(
            self.lever_arrays(z), ids, self.years, self.baseline, validate=False,
            variables=variables,
        )  # fmt: skip

    def margins(self, z) -> np.ndarray:
        """Margins ``(m, target)`` of candidates *z* ``(m, k)``: one simulate call."""
        z = np.clip(np.atleast_2d(np.asarray(z, dtype=float)), self.lower, self.upper)
        result = check(self.trajectories(z, self.variables), self.catalogue).dataset
        m = np.asarray(result.margin.transpose("scenario", "target").values, dtype=float)
        self.calls += 1
        self.seen_z.append(z)
        self.seen_m.append(m)
        return m

    def normalised(self, m: np.ndarray) -> np.ndarray:
        """Margins divided by each target's scale; NaN (not evaluated) -> -inf."""
        return np.where(np.isnan(m), -np.inf, m / self.scale)

    def worst(self, m: np.ndarray) -> np.ndarray:
        """The smallest normalised margin of each candidate (>= 0: all met)."""
        return self.normalised(m).min(axis=1)

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate evaluated so far and its margins."""
        return np.concatenate(self.seen_z), np.concatenate(self.seen_m)


# ---------------------------------------------------------------------------------------------
# objectives (in z)
# ---------------------------------------------------------------------------------------------
class Objective:
    """``f(z)`` for candidates ``(m, k)``, its gradient, and its unconstrained optimum."""

    def __init__(self, kind, problem: Problem, improving: np.ndarray | None = None):
        self.kind, self.problem = kind, problem
        self.improving = np.zeros(problem.k) if improving is None else improving

    def __call__(self, z) -> np.ndarray:
        z = np.atleast_2d(z)
        if callable(self.kind):
            return np.asarray(self.kind(self.problem.to_x(z)), dtype=float).reshape(len(z))
        if self.kind == "least_effort":
            return z @ self.improving + 1e-3 * (z**2).sum(axis=1)
        return (z**2).sum(axis=1)

    def gradient(self, z) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if callable(self.kind):
            return optimize.approx_fprime(z, lambda v: float(self(v[None])[0]), 1e-7)
        if self.kind == "least_effort":
            return self.improving + 2e-3 * z
        return 2.0 * z

    def optimum(self) -> np.ndarray:
        """Where the objective alone would go (within the bounds)."""
        p = self.problem
        if self.kind == "least_effort":
            free = np.where(self.improving > 0, p.lower, np.where(self.improving < 0, p.upper, 0))
            return free.astype(float)
        return np.clip(np.zeros(p.k), p.lower, p.upper)


def improving_directions(z: np.ndarray, m: np.ndarray, problem: Problem) -> np.ndarray:
    """+1 where raising a lever raises the targets' (clipped, normalised) margins, -1 where it
    lowers them, 0 where it does not matter (from a sample of candidates)."""
    total = np.clip(np.nan_to_num(problem.normalised(m), neginf=-10.0), -10.0, 10.0).sum(axis=1)
    out = np.zeros(problem.k)
    for j in range(problem.k):
        if np.ptp(z[:, j]) > 0 and np.ptp(total) > 0:
            out[j] = np.sign(np.corrcoef(z[:, j], total)[0, 1])
    return np.nan_to_num(out)


# ---------------------------------------------------------------------------------------------
# initial candidates
# ---------------------------------------------------------------------------------------------
def initial_candidates(problem: Problem, seed: int) -> np.ndarray:
    """x0, a grid (one lever) or Sobol points local and global, bound corners and axis ends."""
    lo, hi = problem.lower, problem.upper
    if problem.k == 1:
        grid = np.linspace(lo[0], hi[0], GRID_POINTS[problem.steps])
        local = np.linspace(max(lo[0], -1.0), min(hi[0], 1.0), GRID_POINTS[problem.steps] // 4 + 1)
        return np.unique(np.concatenate([[0.0], grid, local]))[:, None]
    sobol = qmc.Sobol(problem.k, scramble=True, seed=seed)
    unit = sobol.random_base2(SAMPLE_POWER[problem.steps] + 1)
    half = len(unit) // 2
    llo, lhi = np.maximum(lo, -1.0), np.minimum(hi, 1.0)
    local = llo + unit[:half] * (lhi - llo)
    wide = lo + unit[half:] * (hi - lo)
    points = [np.zeros((1, problem.k)), local, wide, _axis_ends(lo, hi)]
    if problem.k <= 8:
        corners = np.array(np.meshgrid(*zip(lo, hi, strict=True))).reshape(problem.k, -1).T
        points.append(corners)
    return np.concatenate(points)


def _axis_ends(lo, hi) -> np.ndarray:
    k = len(lo)
    ends = np.zeros((2 * k, k))
    ends[np.arange(k), np.arange(k)] = lo
    ends[k + np.arange(k), np.arange(k)] = hi
    return ends


# ---------------------------------------------------------------------------------------------
# one lever
# ---------------------------------------------------------------------------------------------
def boundary(problem: Problem, z_out: float, z_in: float) -> float:
    """The feasible point nearest the boundary between infeasible *z_out* and feasible *z_in*."""

    def worst(v: float) -> float:
        return max(float(problem.worst(problem.margins([[v]]))[0]), -1e6)

    if problem.steps:
        root = optimize.bisect(lambda v: 1.0 if worst(v) >= 0 else -1.0, z_out, z_in, xtol=1e-12)
    else:
        root = optimize.brentq(worst, z_out, z_in, xtol=1e-13, rtol=1e-15)
    # the root's feasible side: the first of a few points stepping toward z_in that is met
    steps = np.concatenate([[0.0], np.logspace(-13, 0, 27)])
    tries = root + steps * (z_in - root)
    ok = problem.worst(problem.margins(tries[:, None])) >= 0
    return float(tries[np.argmax(ok)]) if ok.any() else z_in


def solve_one(problem: Problem, objective: Objective, z: np.ndarray, m: np.ndarray):
    """Best feasible z (1, 1) for one lever, or None; *z*, *m*: the grid and its margins."""
    feasible = problem.worst(m) >= 0
    if not feasible.any():
        return None
    order = np.argsort(z[:, 0])
    zs, ok = z[order, 0], feasible[order]
    f = objective(zs[:, None])
    best_i = int(np.argmin(np.where(ok, f, np.inf)))
    best = zs[best_i]
    candidates = [best]
    for j in (best_i - 1, best_i + 1):
        if 0 <= j < len(zs) and not ok[j] and f[j] < f[best_i]:
            candidates.append(boundary(problem, zs[j], best))
    fc = objective(np.array(candidates)[:, None])
    return np.array([[candidates[int(np.argmin(fc))]]])


# ---------------------------------------------------------------------------------------------
# several levers
# ---------------------------------------------------------------------------------------------
class _Jacobian:
    """Margins and their finite-difference Jacobian at a point: one simulate per point."""

    def __init__(self, problem: Problem, h: float = 1e-4):
        self.problem, self.h, self.key, self.value = problem, h, None, None

    def at(self, z: np.ndarray):
        key = tuple(np.round(z, 15))
        if key != self.key:
            p = self.problem
            h = np.where(z + self.h <= p.upper, self.h, -self.h)
            batch = np.vstack([z, z + np.diag(h)])
            n = p.normalised(p.margins(batch))
            n = np.where(np.isfinite(n), n, -1e6)
            self.key, self.value = key, (n[0], (n[1:] - n[0]).T / h)
        return self.value


def slsqp(problem: Problem, objective: Objective, start: np.ndarray) -> np.ndarray:
    """SLSQP from a feasible *start*, margins as inequality constraints."""
    jac = _Jacobian(problem)
    result = optimize.minimize(
        lambda v: float(objective(v[None])[0]),
        start,
        jac=objective.gradient,
        method="SLSQP",
        bounds=list(zip(problem.lower, problem.upper, strict=True)),
        constraints=[
            {"type": "ineq", "fun": lambda v: jac.at(v)[0], "jac": lambda v: jac.at(v)[1]}
        ],
        options={"maxiter": 60, "ftol": 1e-12},
    )
    return np.clip(result.x, problem.lower, problem.upper)


def random_search(problem: Problem, objective: Objective, start: np.ndarray, seed: int):
    """Rounds of candidates in a shrinking box around the incumbent; the best feasible."""
    rng = np.random.default_rng(seed)
    best, f_best = start, float(objective(start[None])[0])
    span = np.minimum(problem.upper - problem.lower, 2.0)
    target = objective.optimum()
    for r in range(SEARCH_ROUNDS):
        radius = 0.5 * span * 0.6**r
        box = best + rng.uniform(-1, 1, (SEARCH_BATCH, problem.k)) * radius
        line = best + np.linspace(0, 1, 9)[1:, None] * (target - best)
        z = np.clip(np.vstack([box, line]), problem.lower, problem.upper)
        ok = problem.worst(problem.margins(z)) >= 0
        f = np.where(ok, objective(z), np.inf)
        if f.min() < f_best:
            best, f_best = z[int(np.argmin(f))], float(f.min())
    return best


def line_polish(problem: Problem, objective: Objective, z: np.ndarray) -> np.ndarray:
    """Move a feasible *z* toward the unconstrained optimum as far as the targets allow."""
    target = objective.optimum()
    if np.allclose(target, z):
        return z
    t = np.linspace(0.0, 1.0, 33)
    line = z + t[:, None] * (target - z)
    ok = problem.worst(problem.margins(line)) >= 0
    f = np.where(ok, objective(line), np.inf)
    i = int(np.argmin(f))
    if i + 1 < len(t) and not ok[i + 1]:
        lo, hi = t[i], t[i + 1]
        for _ in range(4):  # each pass: 16 points between the last met and the first missed
            ts = np.linspace(lo, hi, 17)
            met = problem.worst(problem.margins(z + ts[:, None] * (target - z))) >= 0
            j = int(np.argmin(met)) if not met.all() else len(ts) - 1
            lo, hi = ts[max(j - 1, 0)], ts[j]
        return z + lo * (target - z)
    return line[i]


def solve_many(problem, objective, z, m, seed) -> np.ndarray | None:
    """Best feasible z (1, k) for several levers, or None."""
    feasible = problem.worst(m) >= 0
    if not feasible.any():
        return None
    finals = []
    for start in starts(problem, objective, z, m):
        if problem.steps:
            best = random_search(problem, objective, start, seed)
        else:
            best = _accept(problem, objective, start, slsqp(problem, objective, start))
        finals.append(_accept(problem, objective, best, line_polish(problem, objective, best)))
    finals = np.array(finals)
    return _tidy(problem, finals[int(np.argmin(objective(finals)))])[None]


def starts(problem: Problem, objective: Objective, z, m) -> list[np.ndarray]:
    """Starting points of the local searches (the feasible set may have several basins): the
    best feasible candidates, each the best of its orthant around the scenario, and the most
    interior one (the largest smallest margin)."""
    feasible = problem.worst(m) >= 0
    f = np.where(feasible, objective(z), np.inf)
    orthant = np.sign(np.round(z, 12)) @ (3 ** np.arange(problem.k))
    chosen = []
    for key in np.unique(orthant[feasible]):
        idx = np.flatnonzero(feasible & (orthant == key))
        chosen.append(idx[np.argmin(f[idx])])
    chosen = sorted(chosen, key=lambda i: f[i])[: STARTS - 1]
    interior = int(np.argmax(problem.worst(m)))
    return [z[i] for i in dict.fromkeys([*chosen, interior])]


def _tidy(problem, z: np.ndarray) -> np.ndarray:
    """Set solver noise (|z| < 1e-6) to exactly zero where the targets stay met."""
    small = (np.abs(z) < 1e-6) & (z != 0)
    if not small.any():
        return z
    tidy = np.where(small, 0.0, z)
    return tidy if problem.worst(problem.margins(tidy[None]))[0] >= 0 else z


def _accept(problem, objective, incumbent, proposal) -> np.ndarray:
    """*proposal* if it is feasible and not worse than *incumbent*, else *incumbent*."""
    ok = problem.worst(problem.margins(proposal[None]))[0] >= 0
    better = objective(proposal[None])[0] <= objective(incumbent[None])[0]
    return proposal if ok and better else incumbent


# ---------------------------------------------------------------------------------------------
# infeasible: best margins and conflicting targets
# ---------------------------------------------------------------------------------------------
def best_margins(problem: Problem, seed: int, rounds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Each target's best margin alone over the bounds, and the compromise point (the largest
    smallest normalised margin); shrinking searches around each incumbent, one call per round."""
    rng = np.random.default_rng(seed)
    span = problem.upper - problem.lower
    for r in range(rounds):
        z, m = problem.history()
        n = problem.normalised(m)
        columns = np.column_stack([n, n.min(axis=1)])
        centres = z[np.argmax(columns, axis=0)]
        radius = 0.25 * span * 0.25**r
        offsets = rng.uniform(-1, 1, (len(centres), 16, problem.k)) * radius
        batch = (centres[:, None, :] + offsets).reshape(-1, problem.k)
        problem.margins(np.clip(batch, problem.lower, problem.upper))
    z, m = problem.history()
    best = np.nanmax(np.where(np.isnan(m), -np.inf, m), axis=0)
    compromise = z[int(np.argmax(problem.worst(m)))]
    return best, compromise


def conflicting_set(problem: Problem, best: np.ndarray) -> tuple[list[int], list[int]]:
    """(targets that cannot be met even alone, a smallest set that cannot be met together)."""
    alone = [j for j in range(len(best)) if not best[j] >= 0]
    _, m = problem.history()
    met = m >= 0
    rest = [j for j in range(len(best)) if j not in alone]
    if not rest or met[:, rest].all(axis=1).any():
        return alone, []
    conflict = list(rest)
    for j in list(rest):
        trial = [i for i in conflict if i != j]
        if trial and not met[:, trial].all(axis=1).any():
            conflict = trial
    return alone, conflict
