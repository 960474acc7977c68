"""The result of :func:`carbonsim.what_it_takes`: tables, Markdown for a memo, HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbonsim.analysis.adjust import Adjustment, plan_unit
from carbonsim.analysis.what_it_takes.search import STEP_OPERATORS
from carbonsim.feasibility.display import format_number
from carbonsim.tables import aligned_lines
from carbonsim.units import UnitError, convert

__all__ = ["MILESTONE_YEARS", "WhatItTakes", "build_result"]

#: years at which lever paths are reported
MILESTONE_YEARS = (2025, 2030, 2035)
_HOW = {
    "scale_change": "× the scenario's change since 2020, from {year}",
    "add_level": "{unit} added to the scenario from {year} (split by the counties' 2020 values)",
    "shift": "added to the scenario in every year from {year} ({unit})",
}
_UNIT_TEXT = {"1": "a fraction: 0.01 = 1 pp", "1/yr": "per year: 0.01 = 1 pp/yr"}
INFEASIBLE_TEXT = "infeasible within the lever bounds"


@dataclass
class WhatItTakes:
    """What it takes to meet the targets (see :func:`carbonsim.what_it_takes`).

    Attributes
    ----------
    feasible : bool
        Whether a setting within the bounds meets every target.  When False the scalars are
        the best compromise (the largest smallest normalised margin), **not** a solution.
    scalars, scalars_before : dict
        Lever spec -> scalar after / in the scenario (1 for multipliers, 0 for shifts).
    relative_change : dict
        Lever spec -> relative change of its representative (2030) value.
    levers : pandas.DataFrame
        One row per lever and milestone year: before, after, in the lever's unit and as the plan
        writes it.
    targets : pandas.DataFrame
        One row per target: margins and met before/after, binding, best margin (infeasible).
    binding : list of str
        Targets with (about) zero margin at the solution: the ones that set the answer.
    unattainable, conflicting : list of str
        Infeasible only: targets that cannot be met even alone within the bounds; a smallest
        set of the others that cannot be met together.
    best_margins : dict
        Infeasible only: target -> best margin reachable for it alone within the bounds.
    scenario : Scenario or None
        The adjusted scenario (``scenario.replace(...)``); None when infeasible.
    """

    scenario_id: str
    feasible: bool
    objective: str
    adjustments: list[Adjustment]
    scalars: dict
    scalars_before: dict
    relative_change: dict
    levers: pd.DataFrame
    targets: pd.DataFrame
    binding: list = field(default_factory=list)
    unattainable: list = field(default_factory=list)
    conflicting: list = field(default_factory=list)
    best_margins: dict = field(default_factory=dict)
    scenario: object = None
    not_evaluated: dict = field(default_factory=dict)
    evaluations: int = 0
    candidates: int = 0
    from_year: int = 2021
    directions: dict = field(default_factory=dict)

    # -- text -----------------------------------------------------------------------------
    @property
    def verdict(self) -> str:
        """One line: feasible, or infeasible within the lever bounds."""
        names = ", ".join(self.scalars)
        if self.feasible:
            changed = any(
                not np.isclose(self.scalars[k], self.scalars_before[k], rtol=0, atol=1e-12)
                for k in self.scalars
            )
            what = "a change of " + names if changed else "no change to " + names
            return f"feasible: {what} meets every chosen target"
        return f"{INFEASIBLE_TEXT}: no setting of {names} meets every chosen target"

    def __repr__(self) -> str:
        scalars = ", ".join(f"{k}={v:.6g}" for k, v in self.scalars.items())
        return f"<WhatItTakes {self.scenario_id!r}: {self.verdict}; {scalars}>"

    def lever_lines(self) -> list[str]:
        """One sentence per lever."""
        lines = []
        for adj in self.adjustments:
            x, x0 = self.scalars[adj.key], self.scalars_before[adj.key]
            unit = _UNIT_TEXT.get(adj.spec.unit, adj.spec.unit)
            how = _HOW[adj.mode].format(unit=unit, year=self.from_year)
            change = self.relative_change[adj.key]
            rel = f"; {change * 100:+.1f} % in 2030" if np.isfinite(change) else ""
            helps = self.directions.get(adj.key)
            helps = f"; helpful direction {helps}" if helps else ""
            lines.append(f"{adj.key} ({adj.spec.name_zh}): {x0:.6g} → {x:.6g} {how}{rel}{helps}")
        return lines

    def infeasible_lines(self) -> list[str]:
        """Infeasible only: what cannot be met and the best margins."""
        if self.feasible:
            return []
        lines = [
            f"**{INFEASIBLE_TEXT.capitalize()}** (none of {self.candidates} settings evaluated "
            f"in {self.evaluations} batches met every target).",
        ]
        if self.unattainable:
            lines.append("Cannot be met even alone: " + ", ".join(self.unattainable) + ".")
        if self.conflicting:
            lines.append("Cannot be met together: " + ", ".join(self.conflicting) + ".")
        rows = self.targets.set_index("target")
        for tid, margin in self.best_margins.items():
            text = rows.loc[tid, "margin_unit"]
            lines.append(f"Best margin of {tid} alone: {_margin(margin, text)}.")
        return lines

    # -- tables ---------------------------------------------------------------------------
    def to_dataframe(self) -> pd.DataFrame:
        """Levers and targets in one long table (``part`` = ``"lever"`` or ``"target"``)."""
        levers = self.levers.assign(part="lever").rename(columns={"lever": "id"})
        targets = self.targets.assign(part="target").rename(columns={"target": "id"})
        frame = pd.concat([levers, targets], ignore_index=True, sort=False)
        first = ["part", "id", "region", "year"]
        return frame[first + [c for c in frame.columns if c not in first]]

    def to_markdown(self) -> str:
        """A Markdown memo: verdict, lever table, target table (and what cannot be met)."""
        head = f"**What it takes** — scenario `{self.scenario_id}`, objective `{self.objective}`"
        out = [head, "", f"Result: **{self.verdict}**.", ""]
        out += [f"- {line}" for line in self.lever_lines()] + [""]
        out += [*_md_table(*self._lever_table()), ""]
        out += _md_table(*self._target_table())
        extra = self.infeasible_lines()
        if self.not_evaluated:
            extra.append("Not evaluated on this scenario: " + ", ".join(self.not_evaluated) + ".")
        return "\n".join(out + (["", *extra] if extra else [])) + "\n"

    def to_text(self) -> str:
        """Aligned plain-text tables (for a terminal)."""
        out = [f"What it takes: scenario {self.scenario_id}, objective {self.objective}"]
        out += [f"Result: {self.verdict}.", *self.lever_lines(), ""]
        out += [*_text_table(*self._lever_table()), "", *_text_table(*self._target_table())]
        extra = [line.replace("**", "") for line in self.infeasible_lines()]
        return "\n".join(out + (["", *extra] if extra else [])) + "\n"

    def _repr_html_(self) -> str:
        colour = "#1b5e20" if self.feasible else "#b71c1c"
        parts = [
            f"<div class='carbonsim-what-it-takes'><p><b>What it takes</b> — scenario "
            f"<code>{html.escape(self.scenario_id)}</code>: "
            f"<b style='color:{colour}'>{html.escape(self.verdict)}</b></p><ul>",
            *(f"<li>{html.escape(line)}</li>" for line in self.lever_lines()),
            "</ul>",
            _html_table(*self._lever_table()),
            _html_table(*self._target_table()),
            *(f"<p>{html.escape(line.replace('**', ''))}</p>" for line in self.infeasible_lines()),
            "</div>",
        ]
        return "".join(parts)

    def _lever_table(self):
        header = ["lever", "scalar", *[str(y) for y in sorted(set(self.levers.year))]]
        rows = []
        for adj in self.adjustments:
            part = self.levers[self.levers.lever == adj.key]
            x, x0 = self.scalars[adj.key], self.scalars_before[adj.key]
            cells = [f"{r.before_shown} → {r.after_shown}" for r in part.itertuples()]
            rows.append([f"{adj.key} {adj.spec.name_zh}", f"{x0:.4g} → {x:.6g}", *cells])
        return header, rows

    def _target_table(self):
        header = ["target", "as written", "margin before", "margin after", "met", "binding"]
        rows = []
        for r in self.targets.itertuples():
            met = ("✓" if r.met_before else "✗") + " → " + ("✓" if r.met_after else "✗")
            rows.append(
                [
                    r.target,
                    r.written,
                    _margin(r.margin_before, r.margin_unit),
                    _margin(r.margin_after, r.margin_unit),
                    met,
                    "yes" if r.binding else "",
                ]
            )
        return header, rows


# ---------------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------------
def margin_unit(t) -> str:
    """How a target's margin is shown: ``yr``, ``pp``, ``%`` or the plan's unit."""
    if t.op in STEP_OPERATORS:
        return "yr"
    if t.op in ("peak_by", "nonincreasing"):
        return "%"
    if t.unit == "1" or t.basis == "relative_change":
        return "pp"
    return t.unit_as_written if _converts(t.unit, t.unit_as_written) else t.unit


def margin_in_unit(t, margin: float) -> float:
    """A margin in :func:`margin_unit` (percent, percentage points, plan units)."""
    shown = margin_unit(t)
    if shown in ("%", "pp"):
        return margin * 100.0
    if shown not in ("yr", t.unit):
        return float(convert(margin, t.unit, shown))
    return margin


def _converts(unit, to) -> bool:
    if not to or to in ("%", unit):
        return False
    try:
        convert(1.0, unit, to)
    except UnitError:
        return False
    return True


def _margin(value: float, unit: str) -> str:
    if value is None or not np.isfinite(value):
        return "—"
    if unit == "yr":
        return f"{value:+.0f} yr"
    if abs(value) < 1e-9:
        value = 0.0  # solver and float noise at a binding target
    return f"{format_number(value, signed=True)} {unit}"


def _shown(value: float, unit: str) -> str:
    """*value* in the plan's unit, never in exponent notation (10,840 万千瓦, not 1.084e+04)."""
    shown = plan_unit(unit)
    if shown is None:
        return f"{format_number(value)} {unit}"
    converted = float(convert(value, unit, shown))
    number = format_number(converted)
    return f"{number}{shown}" if shown == "%" else f"{number} {shown}"


def _md_table(header, rows) -> list[str]:
    def esc(cell):
        return str(cell).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]


def _text_table(header, rows) -> list[str]:
    return aligned_lines(header, rows)


def _html_table(header, rows) -> str:
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------------------------------------
# assembly
# ---------------------------------------------------------------------------------------------
def _lever_rows(adjustments, arrays, solution, years) -> list[dict]:
    rows = []
    for adj in adjustments:
        for year in (y for y in MILESTONE_YEARS if y in years):
            i = years.index(year)
            before = float(adj.representative(arrays[adj.name], i)[0])
            after = float(adj.representative(solution[adj.name], i)[0])
            rows.append(_lever_row(adj, year, before, after))
    return rows


def _lever_row(adj: Adjustment, year: int, before: float, after: float) -> dict:
    before, after = (0.0 if abs(v) < 1e-12 else v for v in (before, after))  # float noise
    shown = plan_unit(adj.spec.unit)
    to_plan = (lambda v: float(convert(v, adj.spec.unit, shown))) if shown else (lambda v: np.nan)
    return {
        "lever": adj.key,
        "name_zh": adj.spec.name_zh,
        "region": adj.region or "wuzhong",
        "mode": adj.mode,
        "year": year,
        "unit": adj.spec.unit,
        "before": before,
        "after": after,
        "plan_unit": shown or "",
        "before_as_written": to_plan(before),
        "after_as_written": to_plan(after),
        "before_shown": _shown(before, adj.spec.unit),
        "after_shown": _shown(after, adj.spec.unit),
    }


def _target_rows(problem, margins, infeasible) -> list[dict]:
    m_before, m_after, binding = margins
    best = infeasible[0] if infeasible is not None else None
    rows = []
    for j, t in enumerate(problem.targets):
        unit = margin_unit(t)
        rows.append(
            {
                "target": t.id,
                "region": t.region,
                "indicator": t.indicator,
                "year": t.year,
                "op": t.op,
                "tier": t.tier,
                "written": t.written,
                "unit": t.unit,
                "margin_unit": unit,
                "margin_before": margin_in_unit(t, float(m_before[0, j])),
                "margin_after": margin_in_unit(t, float(m_after[0, j])),
                "met_before": bool(m_before[0, j] >= 0),
                "met_after": bool(m_after[0, j] >= 0),
                "binding": bool(binding[j]) if binding is not None else False,
                "best_margin": margin_in_unit(t, float(best[j])) if best is not None else np.nan,
            }
        )
    return rows


def build_result(scen, problem, goal, margins, best, infeasible, adjusted, dropped, arrays):
    """Assemble a :class:`WhatItTakes` from the search's pieces."""
    solution = problem.lever_arrays(best)
    x_after = problem.to_x(best)[0]
    targets = pd.DataFrame(_target_rows(problem, margins, infeasible))
    ids = [t.id for t in problem.targets]
    rel = {}
    for adj, x in zip(problem.adjustments, x_after, strict=True):
        r0 = float(adj.representative(arrays[adj.name])[0])
        r1 = float(adj.representative(adj.apply(arrays[adj.name], [x]))[0])
        rel[adj.key] = r1 / r0 - 1.0 if r0 != 0 else np.nan
    return WhatItTakes(
        scenario_id=scen.id,
        feasible=infeasible is None,
        objective=goal.kind if isinstance(goal.kind, str) else "custom",
        adjustments=list(problem.adjustments),
        scalars={a.key: float(x) for a, x in zip(problem.adjustments, x_after, strict=True)},
        scalars_before={a.key: a.x0 for a in problem.adjustments},
        relative_change=rel,
        levers=pd.DataFrame(_lever_rows(problem.adjustments, arrays, solution, problem.years)),
        targets=targets,
        binding=[i for i, b in zip(ids, targets.binding, strict=True) if b],
        unattainable=[ids[j] for j in infeasible[1]] if infeasible else [],
        conflicting=[ids[j] for j in infeasible[2]] if infeasible else [],
        best_margins=dict(zip(ids, targets.best_margin, strict=True)) if infeasible else {},
        scenario=adjusted,
        not_evaluated=dropped,
        evaluations=problem.calls,
        candidates=len(problem.history()[0]),
        from_year=int(np.asarray(problem.years)[problem.adjustments[0].year_mask][0]),
        directions=_directions(problem, goal),
    )


def _directions(problem, goal) -> dict:
    if goal.kind != "least_effort":
        return {}
    words = {1.0: "up", -1.0: "down", 0.0: "none (no effect found)"}
    return {
        a.key: words[float(d)] for a, d in zip(problem.adjustments, goal.improving, strict=True)
    }
