"""The one coercion of what a user hands to ``simulate``, ``what_it_takes`` or ``sweep``.

Accepted: nothing (every lever at its default), a dict of lever values (any form of
:mod:`carbonsim.inputs.values`), a :class:`~carbonsim.inputs.scenario.Scenario`, a list of them
(one batch), a :class:`~carbonsim.inputs.levers.LeverSet`, or the path of a scenario file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from carbonsim.errors import LeverError, ScenarioError
from carbonsim.inputs.levers import LeverSet
from carbonsim.inputs.scenario import Scenario, load_scenario
from carbonsim.regions import WUZHONG, RegionSet

__all__ = ["Batch", "as_batch", "as_scenario"]


@dataclass
class Batch:
    """Lever values of ``n`` scenarios: one mapping, or several *parts* stacked in order."""

    values: Mapping
    n: int
    ids: list[str]
    attrs: dict = field(default_factory=dict)
    parts: list[Batch] | None = None


def as_scenario(obj, regions: RegionSet = WUZHONG, purpose: str = "simulate") -> Scenario:
    """None, a dict of lever values, a scenario file or a Scenario -> a Scenario.

    Raises
    ------
    ScenarioError
        For anything else, naming *purpose* (the function that was called).
    """
    if obj is None:
        return Scenario(id="default", regions=regions)
    if isinstance(obj, str | os.PathLike):
        return load_scenario(obj, regions=regions)
    if isinstance(obj, Mapping) and not isinstance(obj, LeverSet):
        return Scenario(id="custom", levers=dict(obj), regions=regions)
    if isinstance(obj, Scenario):
        return obj
    raise ScenarioError(
        f"{purpose}() takes a Scenario, a scenario file or a dict of lever values; got "
        f"{type(obj).__name__}"
    )


def as_batch(obj, regions: RegionSet = WUZHONG) -> Batch:
    """Any accepted input -> a :class:`Batch`; a scenario file is read for *regions*.

    A dict is kept as given (arrays and DataArrays included) and parsed by
    :func:`carbonsim.inputs.values.expand_lever`, the same parser scenario files use.
    """
    if obj is None:
        return Batch({}, 1, ["default"])
    if isinstance(obj, str | os.PathLike):
        obj = load_scenario(obj, regions=regions)
    if isinstance(obj, Scenario):
        lv = obj.to_levers()
        return Batch(lv, lv.n, lv.scenario_ids or [obj.id] * lv.n, {"scenario_name": obj.id})
    if isinstance(obj, LeverSet):
        return Batch(obj, obj.n, obj.scenario_ids or [f"s{i}" for i in range(obj.n)])
    if isinstance(obj, Mapping):
        return Batch(obj, 1, ["custom"])
    if isinstance(obj, Iterable):
        parts = [as_batch(item, regions) for item in obj]
        ids = [i for part in parts for i in part.ids]
        return Batch(LeverSet(), sum(part.n for part in parts), ids, parts=parts)
    raise LeverError(
        "simulate() takes lever values (a dict), a Scenario, a list of Scenarios or the path of "
        f"a scenario file; got {type(obj).__name__}"
    )
