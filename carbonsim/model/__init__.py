"""The model layer: validate levers, unwrap the baseline, call the engine, wrap in xarray.

* :func:`simulate` – the one entry point (:mod:`~carbonsim.model.simulation`),
* :func:`simulate_arrays` – from full lever arrays (perturbations, sweeps, optimisers),
* :func:`lever_arrays` – lever values -> validated arrays (:mod:`~carbonsim.model.arrays`),
* :func:`engine_parameters` – baseline -> engine arrays (:mod:`~carbonsim.model.parameters`),
* :func:`wrap` – engine output -> Dataset (:mod:`~carbonsim.model.wrap`).
"""

from carbonsim.inputs.levers import LeverSet
from carbonsim.model.arrays import lever_arrays
from carbonsim.model.parameters import engine_parameters
from carbonsim.model.simulation import simulate, simulate_arrays
from carbonsim.model.wrap import wrap

__all__ = ["LeverSet", "engine_parameters", "lever_arrays", "simulate", "simulate_arrays", "wrap"]
