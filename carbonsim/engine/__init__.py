"""The engine: pure numpy (and numba-compiled) kernels over a leading scenario axis.

No xarray, files or plotting here, and no Python loop over scenarios, regions, sectors or fuels;
the loops walk the year axis where a stock needs it (vehicle fleet, building vintages) and the
hours of the representative days in the compiled dispatch (:mod:`carbonsim.engine.dispatch`).
Axis positions and index maps are declared in :mod:`carbonsim.engine.axes`.
"""

from carbonsim.engine.core import power_system, run

__all__ = ["power_system", "run"]
