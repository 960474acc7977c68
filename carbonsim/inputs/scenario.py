"""Scenario files: lever values (with units, milestones, counties and distributions) in TOML.

A scenario is a small TOML file (read with the standard library's :mod:`tomllib`, never
evaluated) naming values for some levers of the lever table; every other lever keeps its
default.  ``docs/scenarios.md`` describes the format; in short::

    id = "plan"
    name_zh = "规划情景"
    extends = "bau.toml"                  # optional: start from another scenario

    [levers]
    gdp_growth = { default = { 2025 = 0.065, 2030 = 0.055 }, yanchi = 0.07 }
    storage_ratio = { 2025 = "10 %" }    # milestones; units converted to the lever's unit
    coal_supply_rate = 300

    [levers.wind_hours]                   # a distribution wherever a number may go
    2025 = { dist = "normal", mean = 1800, sd = 150, low = 1400, high = 2200 }

:func:`load_scenario` reads and validates a file (and the chain of files it extends) into an
immutable :class:`Scenario`; :meth:`Scenario.to_levers` turns it into the
:class:`~carbonsim.model.LeverSet` that :func:`carbonsim.simulate` runs, sampling the
distributions (see :mod:`carbonsim.inputs.sampling`).

Inside a :class:`Scenario`, ``levers`` holds the values in normalised form, in lever-table order:
a float, a :class:`~carbonsim.inputs.sampling.Distribution`, milestones ``{year (int): float or
Distribution}`` sorted by year, or per county ``{"default" / county id: one of those}`` (the
``"default"`` entry, if any, first and the counties in the order of the scenario's ``regions``,
by default :data:`~carbonsim.regions.WUZHONG`).  Values are in the lever's unit.

Examples
--------
>>> from carbonsim.inputs.scenario import Scenario
>>> s = Scenario(id="demo", levers={"solar_capacity": {"yanchi": {2025: "800 万千瓦"}}})
>>> s.levers["solar_capacity"]
{'yanchi': {2025: 8.0}}
>>> s.replace(storage_ratio={2025: "10 %"}).levers["storage_ratio"]
{2025: 0.1}
"""

from __future__ import annotations

import copy
import dataclasses
import html
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from carbonsim.constants import FIRST_YEAR
from carbonsim.definitions.levers import lever_table
from carbonsim.errors import ScenarioError, did_you_mean
from carbonsim.inputs import sampling
from carbonsim.inputs.sampling import Distribution
from carbonsim.inputs.scenario_files import (
    BUNDLED_DIR,
    TOP_LEVEL_KEYS,
    _load_chain,
    bundled_scenarios,
    resolve_scenario,
)
from carbonsim.inputs.scenario_levers import (
    DEFAULT_KEY,
    _check_id,
    _is_counties,
    _merge,
    _parse_levers,
    _Where,
)
from carbonsim.inputs.scenario_toml import _to_toml
from carbonsim.inputs.values import CITY_TOTAL
from carbonsim.regions import WUZHONG, RegionSet, regions_of

__all__ = [
    "BUNDLED_DIR",
    "TOP_LEVEL_KEYS",
    "Scenario",
    "bundled_scenarios",
    "load_scenario",
    "resolve_scenario",
]


# ---------------------------------------------------------------------------------------------
# reading a file
# ---------------------------------------------------------------------------------------------
def load_scenario(path: str | Path, *, allow_outside: bool = False, regions=None) -> Scenario:
    """Read, validate and merge a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario file (``.toml``), or the name of a bundled scenario (``"plan"``, see
        :func:`bundled_scenarios` and :func:`resolve_scenario`).
    allow_outside : bool
        Let ``extends`` reach files outside the folder of *path* (refused by default so that a
        scenario folder is self-contained).
    regions : RegionSet or xarray.Dataset, optional
        The city whose counties the file may name as keys (a
        :class:`~carbonsim.regions.RegionSet`, or a baseline whose regions to use).  Default:
        吴忠市 and its five counties.

    Returns
    -------
    Scenario
        Levers merged over the ``extends`` chain, units converted to the levers' units.

    Raises
    ------
    ScenarioError
        Naming the file, the TOML key path and what was expected.
    """
    path = resolve_scenario(path)
    regions = _region_set(regions)
    doc, levers = _load_chain(path, path.resolve().parent, (allow_outside, regions), ())
    return Scenario(
        id=doc["id"],
        name_zh=doc.get("name_zh", ""),
        name_en=doc.get("name_en", ""),
        description=doc.get("description", ""),
        levers=levers,
        path=path,
        regions=regions,
    )


def _region_set(regions) -> RegionSet:
    if regions is None or isinstance(regions, RegionSet):
        return regions or WUZHONG
    return regions_of(regions)


# ---------------------------------------------------------------------------------------------
# the Scenario
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A validated set of lever values; immutable (methods return new scenarios).

    Build with :func:`load_scenario`, or directly (values are validated and normalised):
    ``Scenario(id="x", levers={"storage_ratio": {2025: "10 %"}})``.
    """

    id: str
    levers: dict = field(default_factory=dict)
    name_zh: str = ""
    name_en: str = ""
    description: str = ""
    path: Path | None = field(default=None, compare=False)
    #: The city whose counties may be keys (default 吴忠市).
    regions: RegionSet = field(default=WUZHONG, compare=False, repr=False)

    def __post_init__(self):
        where = _Where(str(self.path) if self.path else f"<Scenario {self.id!r}>", self.regions)
        _check_id(self.id, where)
        object.__setattr__(self, "levers", _parse_levers(self.levers, where))
        # found once: every run of the scenario asks (the values are immutable, like the rest)
        dists = tuple(
            (tuple(p for p in (name, county, year) if p is not None), value)
            for name, county, year, value in self.entries()
            if isinstance(value, Distribution)
        )
        object.__setattr__(self, "_distributions", dists)

    # -- structure ------------------------------------------------------------------------
    def entries(self) -> Iterator[tuple[str, str | None, int | None, float | Distribution]]:
        """Every value as ``(lever, county or None, year or None, value)``, in canonical order."""
        for name, value in self.levers.items():
            counties = value.items() if _is_counties(value) else [(None, value)]
            for county, per_county in counties:
                if isinstance(per_county, dict):
                    for year, v in per_county.items():
                        yield name, county, year, v
                else:
                    yield name, county, None, per_county

    @property
    def distributions(self) -> list[tuple[tuple, Distribution]]:
        """``(key path, Distribution)`` pairs: lever-table order, then county, then year.

        The key path is ``(lever[, county][, year])``; column *j* of a unit sample feeds the
        *j*-th distribution (:func:`carbonsim.inputs.sampling.dimension_names` names them).
        """
        return list(self._distributions)

    @property
    def is_stochastic(self) -> bool:
        """Whether any value is a distribution."""
        return bool(self._distributions)

    # -- to arrays ------------------------------------------------------------------------
    def to_levers(
        self,
        n: int | None = None,
        seed: int | None = None,
        method: str = "random",
        unit_sample=None,
        start: int = 0,
    ):
        """Lever values for :func:`carbonsim.simulate`, sampling the distributions.

        Parameters
        ----------
        n : int, optional
            Number of scenarios (default 1, or the rows of *unit_sample*).  A scenario without
            distributions is repeated *n* times.
        seed : int, optional
            Seed of the unit sample (reproducible; row *i* does not depend on *n*).
        method : {"random", "sobol", "lhs"}
            Design of the unit sample (:func:`carbonsim.inputs.sampling.unit_sample`).
        unit_sample : array_like, optional
            ``(n, d)`` draws in ``[0, 1)``, one column per distribution (a sweep passes its
            Sobol/LHS block); overrides *seed* and *method*.
        start : int
            Index of the first row of the stream (chunked sweeps); also numbers the ids.

        Returns
        -------
        carbonsim.model.LeverSet
            Milestone values become ``(n,)`` arrays; ids are ``"{id}"`` for one deterministic
            scenario, else ``"{id}#{i}"`` for ``i`` in ``start … start + n - 1``.
        """
        from carbonsim.inputs.levers import LeverSet

        dists = self.distributions
        u = None if unit_sample is None else self._check_unit_sample(unit_sample, n, len(dists))
        n = (1 if u is None else u.shape[0]) if n is None else sampling._count(n, "n")
        if n == 0:
            raise ScenarioError(f"scenario {self.id!r}: n must be at least 1")
        values = _copy_tree(self.levers)  # the scenario's own values stay as they are
        if dists:
            if u is None:
                u = sampling.unit_sample(n, len(dists), seed, method, start)
            for column, (path, dist) in enumerate(dists):
                _put(values, path, dist.ppf(u[:, column]))
        if n == 1 and not dists and start == 0:
            ids = [self.id]
        else:
            ids = [f"{self.id}#{i}" for i in range(start, start + n)]
        return LeverSet(values, n, ids)

    def _check_unit_sample(self, unit_sample, n, d) -> np.ndarray:
        u = np.asarray(unit_sample, dtype=float)
        if u.ndim != 2 or u.shape[1] != d or (n is not None and u.shape[0] != n):
            rows = "n" if n is None else str(n)
            names = ", ".join(sampling.dimension_names(self)) or "none"
            raise ScenarioError(
                f"scenario {self.id!r}: unit_sample of shape {u.shape}; expected ({rows}, {d}): "
                f"one column per distribution ({names})"
            )
        if not np.all((u >= 0) & (u <= 1)):
            raise ScenarioError(f"scenario {self.id!r}: unit_sample has values outside [0, 1)")
        return u

    # -- modified copies ------------------------------------------------------------------
    def replace(self, **levers) -> Scenario:
        """A copy with some levers changed (validated like a file; ``None`` drops a lever).

        Per-county values merge with the existing ones county by county (as ``extends`` does);
        a value for all counties, or milestones, replace the lever wholly.

        >>> s = Scenario(id="a", levers={"storage_ratio": {2025: 0.1}})
        >>> s.replace(storage_ratio={2025: 0.15, 2030: "20 %"}).levers["storage_ratio"]
        {2025: 0.15, 2030: 0.2}
        """
        where = _Where(f"<{self.id}.replace()>", self.regions)
        dropped = {name for name, value in levers.items() if value is None}
        for name in sorted(dropped - set(lever_table())):
            where.fail(
                ("levers", name),
                f"unknown lever {name!r}",
                "a lever of the lever table." + did_you_mean(name, lever_table()),
            )
        changed = _parse_levers({k: v for k, v in levers.items() if v is not None}, where)
        kept = {k: v for k, v in self.levers.items() if k not in dropped}
        merged = _merge(kept, changed, self.regions, where, f"scenario {self.id!r}")
        return dataclasses.replace(self, levers=merged, path=None)

    def with_id(self, id: str) -> Scenario:
        """A copy with another id."""
        return dataclasses.replace(self, id=id)

    # -- text -----------------------------------------------------------------------------
    def to_toml(self) -> str:
        """The scenario as TOML (merged: no ``extends``); :func:`load_scenario` reads it back."""
        return _to_toml(self)

    def __repr__(self) -> str:
        names = " ".join(
            x for x in (self.name_zh, f"({self.name_en})" if self.name_en else "") if x
        )
        stochastic = f", {len(self.distributions)} distributions" if self.is_stochastic else ""
        title = f"{self.id!r} {names}" if names else repr(self.id)
        return f"<Scenario {title}: {len(self.levers)} levers{stochastic}>"

    def _repr_html_(self) -> str:
        return _html(self)

    def levers_table(self):
        """One row per value: lever, name_zh, region, year, value, distribution, unit.

        ``region`` is a county id, ``"default"`` (counties not named), ``"all"`` (a regional
        lever given for every county at once) or ``""`` (a lever without region axis); ``year``
        is missing for a value that holds in every year; ``value`` is NaN where
        ``distribution`` describes the value.
        """
        import pandas as pd

        specs = lever_table()
        rows = []
        for name, county, year, value in self.entries():
            spec = specs[name]
            is_dist = isinstance(value, Distribution)
            rows.append(
                {
                    "lever": name,
                    "name_zh": spec.name_zh,
                    "region": county or ("all" if spec.regional else ""),
                    "year": year,
                    "value": math.nan if is_dist else value,
                    "distribution": str(value) if is_dist else "",
                    "unit": spec.unit,
                }
            )
        columns = ["lever", "name_zh", "region", "year", "value", "distribution", "unit"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["year"] = frame["year"].astype("Int64")
        return frame


def _put(values: dict, path: tuple, array: np.ndarray) -> None:
    """Put sampled *array* ``(n,)`` at *path*; a value without year becomes ``{2020: array}``."""
    *parents, last = path
    container = values
    for key in parents:
        container = container[key]
    container[last] = array if isinstance(last, int) else {FIRST_YEAR: array}


# ---------------------------------------------------------------------------------------------
# display
# ---------------------------------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{value:g}"


def _show(value: Any) -> str:
    """A value as text: ``0.3``, ``triangular(-0.3, -0.2, -0.1)``, ``2025: 23 → 2030: 28``."""
    if isinstance(value, Distribution):
        return str(value)
    if isinstance(value, dict):
        return " → ".join(f"{year}: {_show(v)}" for year, v in value.items())
    return _number(value)


def _show_lever(value: Any, regions: RegionSet = WUZHONG) -> list[str]:
    if not _is_counties(value):
        return [_show(value)]
    lines = []
    for county, per_county in value.items():
        name = regions.name_zh(county)
        label = {
            DEFAULT_KEY: "other counties",
            CITY_TOTAL: "city total (shared by 2020 values)",
        }.get(county, f"{name} {county}")
        lines.append(f"{label}: {_show(per_county)}")
    return lines


def _html(scenario: Scenario) -> str:
    esc = html.escape
    specs = lever_table()
    names = " / ".join(x for x in (scenario.name_zh, scenario.name_en) if x)
    rows = []
    for name, value in scenario.levers.items():
        spec = specs[name]
        cell = "<br>".join(esc(line) for line in _show_lever(value, scenario.regions))
        rows.append(
            f"<tr><td><code>{esc(name)}</code></td><td>{esc(spec.name_zh)}</td>"
            f"<td>{esc(spec.unit)}</td><td style='text-align:left'>{cell}</td></tr>"
        )
    uncertain = len(scenario.distributions)
    summary = f"{len(scenario.levers)} levers set"
    summary += f", {uncertain} uncertain values (distributions)" if uncertain else ""
    summary += "; every other lever at its default."
    return (
        "<div class='carbonsim-scenario'>"
        f"<h4>Scenario <code>{esc(scenario.id)}</code>{': ' + esc(names) if names else ''}</h4>"
        + (f"<p>{esc(scenario.description)}</p>" if scenario.description else "")
        + f"<p>{esc(summary)}</p>"
        "<table><thead><tr><th>lever</th><th>中文</th><th>unit</th><th>value</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _copy_tree(value):
    """A copy of nested lever values: new dicts and lists, numbers and strings shared.

    What ``copy.deepcopy`` gives for these values, in a fraction of its time (a scenario's
    ~100 levers are copied on every run).
    """
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)  # arrays, DataArrays, anything else a caller put in
