"""Sweeps: thousands to millions of sampled scenarios, checked chunk by chunk and summarised.

* :func:`sweep` – sample, simulate, check and aggregate (in-process or on ``dask.distributed``),
* :func:`load_sweep` – reopen a finished sweep folder,
* :class:`SweepResult` – probabilities, quantiles, peak years and sensitivity of a sweep.

Modules: :mod:`~carbonsim.sweeps.run` (the chunked run, the pilot, the executors),
:mod:`~carbonsim.sweeps.layout` (the folder's format, manifest and cost estimate),
:mod:`~carbonsim.sweeps.partials` (merging and packing partial aggregates),
:mod:`~carbonsim.sweeps.store` (in memory or the checkpoint folder),
:mod:`~carbonsim.sweeps.summary` (the summary dataset),
:mod:`~carbonsim.sweeps.result` (:class:`SweepResult`),
:mod:`~carbonsim.sweeps.sensitivity` (rank and Sobol' indices).
"""

from carbonsim.sweeps.layout import SweepError
from carbonsim.sweeps.result import SweepResult
from carbonsim.sweeps.run import load_sweep, sweep

__all__ = ["SweepError", "SweepResult", "load_sweep", "sweep"]
