"""Sweeps: thousands to millions of sampled scenarios, checked chunk by chunk and summarised.

* :func:`sweep` – sample, simulate, check and aggregate (in-process or on ``dask.distributed``),
* :func:`load_sweep` – reopen a finished sweep folder,
* :class:`SweepResult` – probabilities, quantiles, peak years and sensitivity of a sweep.

Modules: :mod:`~carbonsim.sweeps.run` (the chunked run), :mod:`~carbonsim.sweeps.store` (the
checkpoint folder and the summary), :mod:`~carbonsim.sweeps.sensitivity` (rank and Sobol'
indices).
"""

from carbonsim.sweeps.run import load_sweep, sweep
from carbonsim.sweeps.store import SweepError, SweepResult

__all__ = ["SweepError", "SweepResult", "load_sweep", "sweep"]
