"""The engine: numba-compiled kernels (numpy modules as their reference) over a scenario axis.

No xarray, files or plotting here, and no Python loop over scenarios, regions, sectors or fuels;
the compiled kernels (``kernels_*``) loop over scenarios, counties and years, writing
city-first results into their destinations, and the compiled dispatch
(:mod:`carbonsim.engine.dispatch`) over the hours of the representative days.
Axis positions and index maps are declared in :mod:`carbonsim.engine.axes`.
"""

from carbonsim.engine.core import power_system, run

__all__ = ["power_system", "run"]
