"""carbonsim: the 吴忠市碳达峰实施方案 as constraints, simulated for many scenarios at once.

One entry point per job:

* :func:`load_targets` – the plan's targets as constraint records,
* :func:`load_baseline` – the sourced 2020 calibration,
* :func:`load_scenario` – a scenario file (levers, milestones, distributions),
* :func:`simulate` – levers in, trajectories (``xarray.Dataset``) out,
* :func:`check` – which targets each scenario meets, by how much; when each county peaks,
* :func:`sweep` – thousands to millions of sampled scenarios, on one machine or a Dask cluster,
* :func:`hindcast` – a scenario simulated 2020→latest with history off, against observations.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily, so `import carbonsim` stays fast)
_EXPORTS: dict[str, str] = {
    "load_targets": "catalogue",
    "Catalogue": "catalogue",
    "load_baseline": "baseline",
    "Baseline": "baseline",
    "LEVERS": "definitions.levers",
    "LeverSet": "inputs.levers",
    "simulate": "model",
    "load_scenario": "inputs.scenario",
    "Scenario": "inputs.scenario",
    "check": "feasibility",
    "sweep": "sweeps",
    "what_it_takes": "analysis.what_it_takes",
    "feasible_region": "analysis.what_it_takes",
    "hindcast": "analysis.hindcast",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is not None:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    try:  # submodules: carbonsim.model, carbonsim.inputs.sampling, carbonsim.plot …
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module 'carbonsim' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
