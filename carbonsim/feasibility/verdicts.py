"""The one definition of each verdict: the statuses, how they are counted, probability met."""

from __future__ import annotations

import numpy as np

__all__ = [
    "JUDGED",
    "MET",
    "STATUSES",
    "count_verdicts",
    "counts_text",
    "probability_met",
    "verdict_totals",
]

STATUSES = ("met", "at_risk", "missed", "set_by_scenario", "not_evaluated")

#: statuses that are verdicts on what the model computed
JUDGED = ("met", "at_risk", "missed")

#: statuses that count as met (at_risk is a kind of met)
MET = ("met", "at_risk")


def count_verdicts(status) -> dict[str, int]:
    """Counts of an array of statuses, the one way every report counts them.

    ``met`` includes ``at_risk`` (at risk is a kind of met; ``at_risk`` says how many of the
    met are at risk); ``set_by_scenario`` and ``not_evaluated`` are counted apart.

    Examples
    --------
    >>> count_verdicts(["met", "at_risk", "missed", "set_by_scenario"])
    {'met': 2, 'at_risk': 1, 'missed': 1, 'set_by_scenario': 1, 'not_evaluated': 0}
    """
    status = np.asarray(status, dtype=object)
    return verdict_totals({s: int((status == s).sum()) for s in STATUSES})


def verdict_totals(n):
    """Counts per status (numbers or arrays, keyed by :data:`STATUSES`) -> the reported counts:
    ``met`` includes ``at_risk``, the other statuses as they are."""
    return {
        "met": n["met"] + n["at_risk"],
        "at_risk": n["at_risk"],
        "missed": n["missed"],
        "set_by_scenario": n["set_by_scenario"],
        "not_evaluated": n["not_evaluated"],
    }


def counts_text(counts: dict[str, int]) -> str:
    """``met 12 (of which at risk 3), missed 5; set by the scenario 95; not evaluated 0``."""
    return (
        f"met {counts['met']} (of which at risk {counts['at_risk']}), "
        f"missed {counts['missed']}; set by the scenario {counts['set_by_scenario']}; "
        f"not evaluated {counts['not_evaluated']}"
    )


def probability_met(met, missed) -> np.ndarray:
    """met / (met + missed), NaN where nothing was judged (set by the scenario, not evaluated)."""
    met, missed = np.asarray(met, dtype=float), np.asarray(missed, dtype=float)
    judged = met + missed
    return np.divide(met, judged, out=np.full(judged.shape, np.nan), where=judged > 0)
