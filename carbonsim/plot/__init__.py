"""Charts planners put in their reports (matplotlib only; import ``carbonsim.plot`` to use them).

Every function takes results (trajectories, a check result, a peak table, a sweep summary …),
an optional ``ax`` (or ``fig``) and ``lang="zh"|"en"``, and returns the matplotlib Figure; none
computes model results.  Figures are made without pyplot (no global figure registry); in Jupyter
a returned figure shows inline, elsewhere save it with ``fig.savefig("chart.png")``.

Chinese labels use a subset of Noto Sans SC (SIL Open Font License 1.1) bundled in
``carbonsim/plot/fonts/`` and registered with matplotlib when this package is imported; no
global ``rcParams`` change (the charts draw inside an ``rc_context``).
"""

from __future__ import annotations

from carbonsim.plot._style import register_fonts

register_fonts()

from carbonsim.plot.dispatch import hourly_balance  # noqa: E402
from carbonsim.plot.drivers import emission_drivers  # noqa: E402
from carbonsim.plot.grid import dashboard  # noqa: E402
from carbonsim.plot.order import peaking_order  # noqa: E402
from carbonsim.plot.power import power_mix  # noqa: E402
from carbonsim.plot.region import binned_share, feasible_region  # noqa: E402
from carbonsim.plot.series import QUANTILES, fan, quantile_summary, trajectory  # noqa: E402

__all__ = [
    "QUANTILES",
    "binned_share",
    "dashboard",
    "emission_drivers",
    "fan",
    "feasible_region",
    "hourly_balance",
    "peaking_order",
    "power_mix",
    "quantile_summary",
    "trajectory",
]
