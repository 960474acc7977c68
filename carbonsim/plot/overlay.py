"""Plan targets drawn over a time series (shared by :func:`trajectory` and :func:`fan`).

A value target of the catalogue is drawn at its year: a short horizontal bound with a triangle
pointing to the allowed side (``>=`` up, ``<=`` down), a band for ``approx`` (左右, value ±
tolerance; met on the side the plan wants, the record's ``direction``), a dot for ``==``.
A target on an indicator the scenario sets (an input read back) is coloured "set by the
scenario", never "met".  ``relative_change`` targets (e.g. 能耗强度比2020年下降13%) become
the absolute level implied by the base-year value of the series they are drawn against.
``peak_by`` targets of the indicator are a dotted vertical line at the year.

Over a batch of scenarios (the fan chart) a target is coloured and labelled by its
**probability met**, the share of the judged scenarios meeting it
(:func:`~carbonsim.feasibility.verdicts.probability_met`): ≥ 90 % green 达成, 10–90 % amber
with the percentage, < 10 % red 未达成 (:func:`probability_class`); never 达成 because the median
meets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import offset_copy

from carbonsim.plot._style import (
    LIKELY,
    OP_SYMBOLS,
    PROBABILITY_COLOURS,
    PROBABILITY_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    TIER_LABELS,
    UNLIKELY,
    pick,
)

VALUE_OPS = (">=", "<=", "approx", "==")
MARKERS = {">=": "^", "<=": "v", "approx": "D", "==": "o"}
NEUTRAL = "#555555"
HALF_WIDTH = 0.9  # half the length of a bound line [years]


@dataclass(frozen=True)
class Series:
    """One drawn line: its key (scenario, region), years and values."""

    scenario: str
    region: str
    years: np.ndarray
    values: np.ndarray

    def at(self, year: int) -> float:
        hit = self.years == year
        return float(self.values[hit][0]) if hit.any() else float("nan")


def resolve_catalogue(targets):
    """None: the bundled catalogue; False: no targets; else the given Catalogue/iterable."""
    if targets is False:
        return ()
    if targets is None:
        from carbonsim.catalogue import load_targets

        return load_targets()
    if isinstance(targets, str):
        from carbonsim.catalogue import load_targets

        return load_targets(targets)
    return targets


def select(targets, indicator: str, regions, years) -> tuple[list, list]:
    """(value targets, peak_by targets) of *indicator* in *regions* within *years*."""
    years = {int(y) for y in years}
    value, peak = [], []
    for t in resolve_catalogue(targets):
        if t.indicator != indicator or t.region not in regions or t.year not in years:
            continue
        if t.op in VALUE_OPS and (t.base_year is None or t.base_year in years):
            value.append(t)
        elif t.op == "peak_by":
            peak.append(t)
    return value, peak


def bounds(t, series: Series) -> tuple[float, float, float]:
    """(level, low, high) of target *t* in the series' units (absolute)."""
    value = float(t.value)
    tol = float(t.tolerance or 0.0) if t.op == "approx" else 0.0
    if t.basis == "relative_change":
        base = series.at(t.base_year)
        return base * (1 + value), base * (1 + value - tol), base * (1 + value + tol)
    return value, value - tol, value + tol


def computed_status(t, series: Series) -> str:
    """met/missed of the drawn value at the target year (when no check result is given)."""
    x = series.at(t.year)
    level, low, high = bounds(t, series)
    if not np.isfinite(x) or not np.isfinite(level):
        return "not_evaluated"
    ok = {
        ">=": x >= level - 1e-12 * abs(level),
        "<=": x <= level + 1e-12 * abs(level),
        "approx": {"up": x >= low, "down": x <= high}.get(t.direction or "", low <= x <= high),
        "==": abs(x - level) <= 1e-9 * max(abs(level), 1.0),
    }[t.op]
    if getattr(t, "source", "model") == "scenario":
        return "set_by_scenario"  # an input read back is never drawn as met
    return "met" if ok else "missed"


def status_of(t, series: Series, check=None) -> str:
    """The target's status for the series: from *check* when it has it, else computed."""
    if check is not None:
        ds = check.dataset
        if t.id in ds.target.values and series.scenario in ds.scenario.values:
            return str(ds.status.sel(scenario=series.scenario, target=t.id).item())
    return computed_status(t, series)


def peak_status(t, series: Series, check=None) -> str:
    """met/missed of "peaked by t.year" (with the default plateau tolerance) for the series."""
    if check is not None:
        return status_of(t, series, check)
    from carbonsim.feasibility.peaking import PLATEAU_TOLERANCE, peak_by_margin

    margin = peak_by_margin(series.values[None, :], series.years, t.year, PLATEAU_TOLERANCE)[0]
    return "met" if margin >= 0 else "missed"


def wording(t, lang: str) -> str:
    """The target as the plan writes it: year, operator, value and unit as written, tier."""
    tier = pick(TIER_LABELS, t.tier, lang)
    if t.op == "peak_by":
        text = f"{t.year}年前达峰" if lang == "zh" else f"peak by {t.year}"
        return f"{text} ({tier})"
    op = OP_SYMBOLS.get(t.op, t.op)
    if t.value_as_written is not None:
        number = _number(t.value_as_written)
        unit = t.unit_as_written or ""
    else:
        number, unit = _number(abs(t.value) * 100 if t.unit == "1" else t.value), "%"
    if t.basis == "relative_change":
        sign = "−" if t.value < 0 else "+"
        number = number.lstrip("-")
        if lang == "zh":
            text = f"较{t.base_year}年{sign}{number}{unit}"
        else:
            text = f"{sign}{number}{unit} vs {t.base_year}"
    else:
        text = f"{number}{unit}"
    if t.op == "approx" and lang == "zh":
        text += "左右"
    year = f"{t.year}年" if lang == "zh" else f"{t.year}"
    return f"{year} {op} {text} ({tier})"


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def draw_value_target(ax, t, series_list: list[Series], check=None) -> dict[str, str]:
    """Draw one value target against every series; returns {series key: status}."""
    statuses = {(s.scenario, s.region): status_of(t, s, check) for s in series_list}
    drawn = set()
    for s in series_list:
        level, low, high = bounds(t, s)
        if not np.isfinite(level):
            continue
        key = round(level, 9)
        same = {v for (sc, rg), v in statuses.items() if rg == s.region}
        colour = STATUS_COLOURS[next(iter(same))] if len(same) == 1 else NEUTRAL
        if key not in drawn:
            drawn.add(key)
            _glyph(ax, t, level, low, high, colour)
        if len(series_list) > 1:
            status = statuses[(s.scenario, s.region)]
            ax.plot(
                [t.year],
                [s.at(t.year)],
                marker="o",
                ms=4.5,
                color=STATUS_COLOURS[status],
                mec="white",
                mew=0.6,
                zorder=5,
                gid=f"status:{t.id}:{s.scenario}:{s.region}:{status}",
            )
    return statuses


def _glyph(ax, t, level, low, high, colour) -> None:
    year = t.year
    xs = [year - HALF_WIDTH, year + HALF_WIDTH]
    if t.op == "approx":
        ax.add_patch(
            Rectangle(
                (xs[0], low),
                2 * HALF_WIDTH,
                high - low,
                facecolor=colour,
                alpha=0.3,
                edgecolor=colour,
                lw=0.8,
                zorder=3,
                gid=f"target-band:{t.id}",
            )
        )
        side = {"up": (low, ">="), "down": (high, "<=")}.get(t.direction or "")
        if side is not None:  # one-sided 左右: the band's edge on the side the plan wants
            edge, op = side
            nudge = {">=": 4.5, "<=": -4.5}[op]
            ax.plot(
                [year + HALF_WIDTH],
                [edge],
                marker=MARKERS[op],
                ms=5,
                color=colour,
                mec="black",
                mew=0.4,
                transform=offset_copy(ax.transData, fig=ax.figure, y=nudge, units="points"),
                zorder=6,
                gid=f"target-side:{t.id}",
                linestyle="none",
            )
    ax.plot(xs, [level, level], color=colour, lw=1.6, zorder=4, gid=f"target-bound:{t.id}")
    shift = {">=": 4.5, "<=": -4.5}.get(t.op, 0.0)
    transform = offset_copy(ax.transData, fig=ax.figure, y=shift, units="points")
    ax.plot(
        [year],
        [level],
        marker=MARKERS[t.op],
        ms=6,
        color=colour,
        mec="black",
        mew=0.5,
        transform=transform,
        zorder=6,
        gid=f"target:{t.id}",
        linestyle="none",
    )


def draw_peak_target(ax, t, series_list: list[Series], check=None) -> None:
    statuses = {peak_status(t, s, check) for s in series_list if s.region == t.region}
    colour = STATUS_COLOURS[next(iter(statuses))] if len(statuses) == 1 else NEUTRAL
    ax.axvline(t.year, color=colour, ls=":", lw=1.2, zorder=2, gid=f"target:{t.id}")


def legend_handles(value_targets, peak_targets, statuses: set[str], lang: str) -> list:
    """Proxy artists: one per target (the plan's wording), then the status colours used."""
    handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[t.op],
            color=NEUTRAL,
            mec="black",
            mew=0.5,
            lw=1.2,
            ms=5,
            label=wording(t, lang),
        )
        for t in value_targets
    ]
    handles += [Line2D([], [], color=NEUTRAL, ls=":", label=wording(t, lang)) for t in peak_targets]
    handles += [
        Patch(color=STATUS_COLOURS[s], label=pick(STATUS_LABELS, s, lang))
        for s in ("met", "at_risk", "missed", "set_by_scenario", "not_evaluated")
        if s in statuses
    ]
    return handles


# ---------------------------------------------------------------------------------------------
# a batch of scenarios: colour by the probability met
# ---------------------------------------------------------------------------------------------
PROBABILITY_CLASSES = ("likely", "uncertain", "unlikely", "set_by_scenario", "not_evaluated")


def probability_class(p: float | None, source: str = "model") -> str:
    """``likely`` (p ≥ 0.9), ``uncertain`` (0.1 ≤ p < 0.9), ``unlikely`` (p < 0.1); for no
    probability: ``set_by_scenario`` (an input read back), ``unknown`` (none given: *p* is None)
    or ``not_evaluated`` (NaN).

    Examples
    --------
    >>> [probability_class(p) for p in (1.0, 0.9, 0.63, 0.1, 0.05)]
    ['likely', 'likely', 'uncertain', 'uncertain', 'unlikely']
    >>> probability_class(float("nan"), "scenario"), probability_class(None)
    ('set_by_scenario', 'unknown')
    """
    if source == "scenario":
        return "set_by_scenario"
    if p is None:
        return "unknown"
    if not np.isfinite(p):
        return "not_evaluated"
    return "likely" if p >= LIKELY else "unlikely" if p < UNLIKELY else "uncertain"


def probability_text(cls: str, p: float | None, lang: str) -> str:
    """The label beside a target: ``达成 96%``, ``63%``, ``未达成 4%``, ``情景设定`` …

    >>> probability_text("uncertain", 0.634, "zh"), probability_text("likely", 0.96, "en")
    ('63%', 'met 96 %')
    """
    if cls not in ("likely", "uncertain", "unlikely"):
        return {"set_by_scenario": ("情景设定", "set by scenario")}.get(cls, ("", ""))[lang != "zh"]
    pct = f"{100 * p:.0f}%" if lang == "zh" else f"{100 * p:.0f} %"
    word = {"likely": ("达成", "met"), "unlikely": ("未达成", "missed")}.get(cls)
    if word is None:
        return pct
    return f"{word[0]} {pct}" if lang == "zh" else f"{word[1]} {pct}"


def draw_probability_target(ax, t, series: Series, p: float | None, lang: str) -> str:
    """Draw one target against the median of a batch, coloured and labelled by *p*."""
    cls = probability_class(p, getattr(t, "source", "model"))
    colour = PROBABILITY_COLOURS[cls]
    text = probability_text(cls, p, lang)
    if t.op == "peak_by":
        ax.axvline(t.year, color=colour, ls=":", lw=1.2, zorder=2, gid=f"target:{t.id}")
        ax.annotate(
            text, (t.year, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
            textcoords="offset points", ha="left", va="top", fontsize=6.5, color=colour,
            fontweight="bold", gid=f"probability-label:{t.id}",
        )  # fmt: skip
        return cls
    level, low, high = bounds(t, series)
    if not np.isfinite(level):
        return cls
    _glyph(ax, t, level, low, high, colour)
    ax.annotate(
        text, (t.year + HALF_WIDTH, level), xytext=(3, 0), textcoords="offset points",
        ha="left", va="center", fontsize=6.5, color=colour, fontweight="bold",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        gid=f"probability-label:{t.id}",
    )  # fmt: skip
    return cls


def probability_legend(value_targets, peak_targets, classes: set[str], lang: str) -> list:
    """The targets' wording, then one patch per probability class drawn."""
    handles = legend_handles(value_targets, peak_targets, set(), lang)
    handles += [
        Patch(color=PROBABILITY_COLOURS[c], label=pick(PROBABILITY_LABELS, c, lang))
        for c in (*PROBABILITY_CLASSES, "unknown")
        if c in classes
    ]
    return handles
