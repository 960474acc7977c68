"""A batch of lever values: what every input form is coerced to before it becomes arrays."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LeverSet"]


class LeverSet(dict):
    """Lever values for a batch of ``n`` scenarios (a dict name -> value, plus ``n`` and ids)."""

    def __init__(self, values: Mapping | None = None, n: int = 1, scenario_ids=None):
        super().__init__(values or {})
        self.n = int(n)
        self.scenario_ids = list(scenario_ids) if scenario_ids is not None else None
