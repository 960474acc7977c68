"""The engine: pure numpy kernels over a leading scenario axis.

No xarray, files or plotting here, and no Python loop over scenarios, regions, sectors or fuels;
the only loops walk the year axis where a stock needs it (vehicle fleet, building vintages).
Axis orders are declared in :mod:`carbonsim.constants`.
"""

from carbonsim.engine.core import run

__all__ = ["run"]
