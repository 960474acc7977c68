"""The one coercion of what a user hands to ``simulate``, ``what_it_takes`` or ``sweep``.

Accepted: nothing (every lever at its default), a dict of lever values (any form of
:mod:`carbonsim.inputs.values`), a :class:`~carbonsim.inputs.scenario.Scenario`, a list of them
(one batch), a :class:`~carbonsim.inputs.levers.LeverSet`, or the path of a scenario file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from carbonsim.errors import MisuseError
from carbonsim.inputs.levers import LeverSet
from carbonsim.inputs.scenario import Scenario, load_scenario
from carbonsim.regions import WUZHONG, RegionSet

__all__ = [
    "Batch",
    "as_batch",
    "as_scenario",
    "describe",
    "expect_check_result",
    "expect_trajectories",
]


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
    if _is_results(obj):
        raise MisuseError(
            f"{purpose}() takes a Scenario, a scenario file or a dict of lever values; you passed "
            f"{describe(obj)}, which is a result: "
            + (
                'sweep("scenarios/uncertainty.toml", n=1000)'
                if purpose == "sweep"
                else f'{purpose}(load_scenario("scenarios/plan.toml"), …)'
            )
        )
    if isinstance(obj, str | os.PathLike):
        return load_scenario(obj, regions=regions)
    if isinstance(obj, Mapping) and not isinstance(obj, LeverSet):
        return Scenario(id="custom", levers=dict(obj), regions=regions)
    if isinstance(obj, Scenario):
        return obj
    example = (
        'sweep("scenarios/uncertainty.toml", n=1000)'
        if purpose == "sweep"
        else f'{purpose}(load_scenario("scenarios/plan.toml"), …)'
    )
    raise MisuseError(
        f"{purpose}() takes a Scenario, a scenario file or a dict of lever values; you passed "
        f"{describe(obj)}: {example}"
    )


def as_batch(obj, regions: RegionSet = WUZHONG) -> Batch:
    """Any accepted input -> a :class:`Batch`; a scenario file is read for *regions*.

    A dict is kept as given (arrays and DataArrays included) and parsed by
    :func:`carbonsim.inputs.values.expand_lever`, the same parser scenario files use.
    """
    if obj is None:
        return Batch({}, 1, ["default"])
    _refuse_results(obj, "simulate")
    if isinstance(obj, str | os.PathLike):
        obj = load_scenario(obj, regions=regions)
    if isinstance(obj, Scenario):
        if not obj.is_stochastic:  # its own values: a batch is only read (no copy needed)
            return Batch(obj.levers, 1, [obj.id], {"scenario_name": obj.id})
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
    raise MisuseError(
        "simulate() takes lever values (a dict), a Scenario, a list of Scenarios or the path of "
        f'a scenario file; you passed {describe(obj)}: simulate(load_scenario("plan.toml"))'
    )


# ---------------------------------------------------------------------------------------------
# misuse: the wrong kind of object handed to a public function
# ---------------------------------------------------------------------------------------------
def describe(obj) -> str:
    """What *obj* is, in the words of the API (``"a Scenario"``, ``"a CheckResult (from
    check())"``, ``"a Dataset of trajectories (from simulate())"`` …)."""
    name = type(obj).__name__
    if name == "Dataset":
        if "status" in getattr(obj, "variables", ()):
            return "a Dataset of target statuses (CheckResult.dataset)"
        if "co2" in getattr(obj, "variables", ()):
            return "a Dataset of trajectories (from simulate())"
        if "probability" in getattr(obj, "variables", ()):
            return "a Dataset of sweep probabilities (SweepResult.summary)"
        return "an xarray Dataset"
    known = {
        "CheckResult": "a CheckResult (from check())",
        "SweepResult": "a SweepResult (from sweep())",
        "Scenario": "a Scenario",
        "DataArray": "an xarray DataArray",
        "DataFrame": "a pandas DataFrame",
    }
    return known.get(name, f"a {name}")


def _is_results(obj) -> bool:
    return type(obj).__name__ in ("Dataset", "DataArray", "CheckResult", "SweepResult", "DataFrame")


def _refuse_results(obj, purpose: str) -> None:
    if _is_results(obj):
        raise MisuseError(
            f"{purpose}() takes a Scenario, a scenario file, a dict of lever values or a list of "
            f"them; you passed {describe(obj)}, which is a result: pass results to check() or "
            "carbonsim.plot, and the scenario itself here: simulate(scenario)"
        )


def expect_trajectories(obj, call: str, example: str) -> None:
    """Refuse anything but a Dataset of trajectories (a ``co2`` variable and a ``year`` axis).

    Raises
    ------
    MisuseError
        A :class:`TypeError` naming *call*, what was passed and *example* (the call that works).
    """
    variables = getattr(obj, "variables", None)
    if type(obj).__name__ == "Dataset" and variables is not None and "year" in obj.dims:
        if "co2" in variables or "status" not in variables:
            return
    raise MisuseError(
        f"{call} takes the Dataset of trajectories from simulate(); you passed {describe(obj)}: "
        f"{example}"
    )


def expect_check_result(obj, call: str, example: str) -> None:
    """Refuse anything but a CheckResult (or its ``.dataset``).

    Raises
    ------
    MisuseError
        A :class:`TypeError` naming *call*, what was passed and *example*.
    """
    if type(obj).__name__ == "CheckResult":
        return
    if type(obj).__name__ == "Dataset" and "status" in getattr(obj, "variables", ()):
        return
    raise MisuseError(
        f"{call} takes the CheckResult from check(); you passed {describe(obj)}: {example}"
    )
