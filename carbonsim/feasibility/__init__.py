"""Feasibility: each target evaluated on trajectories, vectorised over scenarios; peak years.

* :func:`check` – margins, status and first year met of every target (:mod:`.evaluate`),
* :func:`peak_table` – peak year, value and plateau of each region and quantity,
* :class:`CheckResult` – the result, with tables, summaries and a rich HTML repr (:mod:`.html`),
* :mod:`.peaking` – the peak-year rules (a plateau tolerance) on plain arrays.
"""

from carbonsim.feasibility.evaluate import CheckResult, check, peak_table

__all__ = ["CheckResult", "check", "peak_table"]
