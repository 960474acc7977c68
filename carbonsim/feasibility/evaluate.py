"""Which targets each scenario meets, by how much, and when each county peaks.

:func:`check` evaluates every catalogue record on every scenario of a trajectories dataset,
vectorised over scenarios and records (:mod:`~carbonsim.feasibility.vectorised`).  For each
(scenario, target):

* ``value`` — the indicator at the target year (for ``relative_change`` targets, x/x_base − 1;
  for peaking records, the tolerant peak year; for a record checked in every year of a window,
  the value in the year with the smallest margin),
* ``margin`` — signed, in the target's units; **≥ 0 means the condition holds** (for peak order
  records the margin is in years),
* ``holds`` — the condition holds on the trajectories (whatever set the indicator),
* ``met`` — the condition holds *and* the model computed the indicator (status met or at_risk),
* ``first_year_met`` — the first year from which the condition holds through the target year;
  empty (NaN) when the target is not met,
* ``status`` — one of :data:`~carbonsim.feasibility.verdicts.STATUSES`.

The definitions, used by every table, summary, chart and sweep:

* **met** — the model computes the indicator and the condition holds.  **at_risk** is a kind
  of met: met with a margin below 5 % of the target value (a quarter of the slack for 左右).
  Every count of "met" includes the at-risk ones
  (:func:`~carbonsim.feasibility.verdicts.count_verdicts`).
* **set_by_scenario** — the indicator is a scenario input read back (a tracked indicator, or
  a lever such as the NEV sales share, :data:`~carbonsim.catalogue.SCENARIO_SET_INDICATORS`):
  the scenario meets it by construction, so it is counted apart and never as met.
* **probability met** — met / (met + missed): among the scenarios the model judges
  (:func:`~carbonsim.feasibility.verdicts.probability_met`); NaN for a record set by the
  scenario or never evaluated.
* **稳中有降** — :func:`~carbonsim.feasibility.peaking.nonincreasing_margin`.

A record the trajectories cannot speak to (a tracked indicator the scenario gives no path for, an
indicator the model does not compute) is ``not_evaluated`` with the reason — never counted as met.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.catalogue import Catalogue, clause_group, load_targets
from carbonsim.feasibility.html import render
from carbonsim.feasibility.peaking import (
    PLATEAU_TOLERANCE,
    nonincreasing_margin,
    peak_by_margin,
    peak_value,
    peak_year,
)
from carbonsim.feasibility.vectorised import evaluate_targets, status_names
from carbonsim.feasibility.verdicts import count_verdicts, counts_text, probability_met
from carbonsim.inputs.coerce import expect_trajectories
from carbonsim.io.atomic import write_text
from carbonsim.model.wrap import SharedCoordinates, coordinate_entries, dataset_on
from carbonsim.regions import regions_of

__all__ = ["PEAK_QUANTITIES", "CheckResult", "check", "peak_table", "target_coords"]

#: how ``approx`` (左右) records are read: on the side the plan wants, or two-sided
APPROX_READINGS = ("one_sided", "two_sided")
#: a met target whose margin is within this fraction of its value is "at risk"
AT_RISK_FRACTION = 0.05
PEAK_QUANTITIES = ("co2", "coal_consumption", "road_oil_consumption")


def check(
    trajectories: xr.Dataset,
    targets: Catalogue | str | os.PathLike | None = None,
    plateau_tolerance: float = PLATEAU_TOLERANCE,
    at_risk: float = AT_RISK_FRACTION,
    approx: str = "one_sided",
) -> CheckResult:
    """Evaluate every target on every scenario.

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate`.
    targets : Catalogue or path, optional
        Default: the bundled Wuzhong catalogue.
    plateau_tolerance : float
        Peaking tolerance [1]: after the peak no year may exceed it by more than this fraction.
    at_risk : float
        A met target whose margin is below this fraction of its value is reported ``at_risk``.
    approx : {"one_sided", "two_sided"}
        How 左右 (``approx``) records are read: on the side the plan wants (each record's
        ``direction``; default), or two-sided, ``|x − value| <= tolerance``, for every record.

    Returns
    -------
    CheckResult
    """
    expect_trajectories(trajectories, "check()", "check(simulate(scenario))")
    if approx not in APPROX_READINGS:
        raise ValueError(f"approx must be one of {', '.join(APPROX_READINGS)}; got {approx!r}")
    if targets is None or isinstance(targets, str | os.PathLike):
        targets = load_targets(targets)
    records = list(targets)
    arrays = evaluate_targets(trajectories, records, plateau_tolerance, at_risk, approx)
    dims = ("scenario", "target")
    # the trajectories' own scenario coordinate and index (building them anew was ~0.5 ms)
    coords = coordinate_entries(trajectories, ["scenario"])
    coords |= _target_coordinates(tuple(records)).entries()
    coords["reason"] = (xr.Variable("target", np.asarray(arrays.reason)), None)
    ds = dataset_on(
        {
            "value": xr.Variable(dims, arrays.value),
            "margin": xr.Variable(dims, arrays.margin),
            "holds": xr.Variable(dims, arrays.holds),
            "met": xr.Variable(dims, arrays.met),
            "first_year_met": xr.Variable(dims, arrays.first_year),
            # as a Variable already: xarray would round-trip an object array through pandas
            # strings (seconds at 10k scenarios) to the same object array of str
            "status": xr.Variable(dims, status_names(arrays.status), fastpath=True),
        },
        coords,
        {},
    )
    ds["margin"].attrs["description"] = "signed, in the target's units; >= 0 means it holds"
    ds["met"].attrs["description"] = "holds, on an indicator the model computes (met or at_risk)"
    ds.attrs["plateau_tolerance"] = plateau_tolerance
    ds.attrs["approx"] = approx
    ds.attrs["city"] = _city_of(trajectories)
    result = CheckResult(ds, trajectories, plateau_tolerance)
    result.catalogue = targets
    return result


def _city_of(trajectories: xr.Dataset) -> str:
    """:func:`regions_of`'s city, read from the ``city`` attribute when it decides (the region
    set is built otherwise: reading the region axis was a tenth of a single run's check)."""
    city = trajectories.attrs.get("city")
    if city is not None and "region" in trajectories.coords:
        return str(city)
    return regions_of(trajectories).city


@functools.lru_cache(maxsize=8)
def _target_coordinates(records: tuple) -> SharedCoordinates:
    """The target axis and its fields as coordinates, built once per catalogue.

    Their arrays are read-only, since every result of the same catalogue holds them.
    """
    coords = xr.Coordinates({"target": [t.id for t in records], **target_coords(records)})
    return SharedCoordinates.of(coords)


def target_coords(records) -> dict:
    """The fields of every record as ``(dim, values)`` coordinates along ``target``."""

    def col(f):
        return ("target", [f(t) for t in records])

    return {
        "region": col(lambda t: t.region),
        "indicator": col(lambda t: t.indicator),
        "year": col(lambda t: t.year),
        "op": col(lambda t: t.op),
        "target_value": col(lambda t: np.nan if t.value is None else float(t.value)),
        "unit": col(lambda t: t.unit),
        "basis": col(lambda t: t.basis),
        "tier": col(lambda t: t.tier),
        "kind": col(lambda t: t.kind),
        "source": col(lambda t: t.source),
        "direction": col(lambda t: t.direction or ""),
        "clause": col(lambda t: t.clause),
        "group": col(lambda t: clause_group(t.clause)),
        "written": col(lambda t: t.written),
        "source_text": col(lambda t: t.source_text),
    }


def peak_table(
    trajectories: xr.Dataset,
    quantities=PEAK_QUANTITIES,
    tolerance: float = PLATEAU_TOLERANCE,
    by: int = 2030,
    decline_year: int = 2035,
) -> xr.Dataset:
    """Peak year and value per scenario, region and quantity.

    ``peaked_by`` — peaked by *by* with the plateau tolerance; ``stable_decline`` (稳中有降) over
    *by* + 1 … *decline_year*, the same definition as the ``nonincreasing`` records
    (:func:`~carbonsim.feasibility.peaking.nonincreasing_margin`; e.g. ``main_2035_co2_decline``).
    """
    years = np.asarray(trajectories.year.values)
    regions = regions_of(trajectories)
    out = {}
    for q in quantities:
        x = np.asarray(trajectories.variables[q].transpose("scenario", "region", "year").values)
        p = peak_year(x, years, tolerance)
        v = peak_value(x, years, tolerance)
        by_ok = peak_by_margin(x, years, by, tolerance) >= 0 if by in years else p <= by
        if by in years and decline_year in years and decline_year > by:
            decline = nonincreasing_margin(x, years, by + 1, decline_year, tolerance) >= 0
        else:
            decline = np.zeros(p.shape, dtype=bool)
        out[q] = (p, v, by_ok, decline)
    dims = ("scenario", "region", "quantity")
    stack = lambda i: np.stack([out[q][i] for q in quantities], axis=-1)  # noqa: E731
    return xr.Dataset(
        {
            "peak_year": (dims, stack(0)),
            "peak_value": (dims, stack(1)),
            f"peaked_by_{by}": (dims, stack(2)),
            "stable_decline": (dims, stack(3)),
        },
        coords={
            "scenario": trajectories.scenario.values,
            "region": trajectories.region.values,
            "quantity": list(quantities),
            "name_zh": ("region", [regions.name_zh(str(r)) for r in trajectories.region.values]),
        },
        attrs={"plateau_tolerance": tolerance, "city": regions.city},
    )


class CheckResult:
    """The feasibility table: an ``xarray.Dataset`` (scenario × target) with helpers."""

    def __init__(self, dataset: xr.Dataset, trajectories: xr.Dataset, tolerance: float):
        self.dataset = dataset
        self.trajectories = trajectories
        self.tolerance = tolerance
        self.catalogue = None  # the Catalogue checked (set by check())
        self._peaks = None

    @property
    def peaks(self) -> xr.Dataset:
        """Peak years per scenario, region and quantity (:func:`peak_table`)."""
        if self._peaks is None:
            self._peaks = peak_table(self.trajectories, tolerance=self.tolerance)
        return self._peaks

    def __getitem__(self, key):
        return self.dataset[key]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per (scenario, target) with the target's fields and the result.

        Values are in model units (``unit``); ``plan_unit``, ``target_plan``, ``value_plan`` and
        ``margin_plan`` give the same numbers in the plan's units (万千瓦, %, 万吨CO₂ …),
        ``margin_unit`` the unit of ``margin_plan`` (百分点 for shares, 年 for peak years).
        """
        from carbonsim.feasibility.display import plan_columns

        ds = self.dataset
        df = ds[["value", "margin", "holds", "met", "first_year_met", "status"]].to_dataframe()
        df = df.reset_index()
        coords = ds.drop_dims("scenario").to_dataframe().reset_index()
        df = df.drop(columns=[c for c in df.columns if c in coords.columns and c != "target"])
        cols = ["scenario", "target"]
        merged = df.merge(coords, on="target", how="left")
        merged["first_year_met"] = merged["first_year_met"].astype("Int64")
        merged = plan_columns(merged, self.catalogue)
        first = [
            *cols, "region", "indicator", "year", "op", "tier", "kind", "source", "clause",
            "written", "target_value", "unit", "value", "margin", "plan_unit", "target_plan",
            "value_plan", "margin_plan", "margin_unit", "holds", "met", "status",
            "first_year_met", "reason",
        ]  # fmt: skip
        rest = [c for c in merged.columns if c not in first]
        return merged[first + rest]

    def summary(self) -> pd.DataFrame:
        """Per target: probability met and the verdict counts (:func:`count_verdicts`).

        ``share_met`` = met / (met + missed) over scenarios (met includes at_risk), NaN for a
        record set by the scenario or not evaluated; ``met`` counts at-risk scenarios too and
        ``at_risk`` says how many of them are at risk.
        """
        ds = self.dataset
        counts = [count_verdicts(ds.status.values[:, j]) for j in range(ds.sizes["target"])]
        frame = pd.DataFrame(
            {
                "target": ds.target.values,
                "region": ds.region.values,
                "indicator": ds.indicator.values,
                "year": ds.year.values,
                "tier": ds.tier.values,
                "kind": ds.kind.values,
                "source": ds.source.values,
                "clause": ds.clause.values,
                "written": ds.written.values,
                "median_margin": ds.margin.median("scenario").values,
                "reason": ds.reason.values,
            }
        )
        for column in counts[0] if counts else ():
            frame[column] = [c[column] for c in counts]
        frame.insert(9, "share_met", probability_met(frame.get("met", []), frame.get("missed", [])))
        return frame

    def missed(self, tier: str | None = None, scenario=None) -> list[str]:
        """Ids of targets missed (in any scenario, or in *scenario*), optionally of one tier."""
        ds = self.dataset if scenario is None else self.dataset.sel(scenario=[scenario])
        missed = (ds.status == "missed").any("scenario")
        if tier is not None:
            missed = missed & (ds.tier == tier)
        return [str(t) for t in ds.target.values[missed.values]]

    def not_evaluated(self) -> dict[str, str]:
        """Target id -> reason, for targets these trajectories cannot speak to."""
        ds = self.dataset
        mask = (ds.status == "not_evaluated").all("scenario").values
        return dict(zip(ds.target.values[mask], ds.reason.values[mask], strict=True))

    def to_csv(self, path, bom: bool = False) -> Path:
        """Write :meth:`to_dataframe` as CSV atomically (``bom=True``: UTF-8 with BOM for Excel)."""
        return write_text(
            path, self.to_dataframe().to_csv(index=False), "utf-8-sig" if bom else "utf-8"
        )

    def counts(self, scenario=None) -> dict[str, int]:
        """:func:`count_verdicts` over every (scenario, target), or over one *scenario*."""
        ds = self.dataset if scenario is None else self.dataset.sel(scenario=[scenario])
        return count_verdicts(ds.status.values.ravel())

    def __repr__(self) -> str:
        ds = self.dataset
        return (
            f"<CheckResult {ds.sizes['scenario']} scenario(s) x {ds.sizes['target']} targets: "
            + counts_text(self.counts())
            + ">"
        )

    def _repr_html_(self) -> str:
        return render(self)
