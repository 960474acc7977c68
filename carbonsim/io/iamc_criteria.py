"""The catalogue's value records as bounds for ``pyam.IamDataFrame.validate``
(:func:`catalogue_to_pyam_criteria`), and :func:`validate` to run them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from carbonsim.constants import CITY
from carbonsim.io.iamc_mapping import (
    IAMC_COLUMNS,
    IamcVariable,
    _require,
    iamc_region,
    iamc_variables,
)

__all__ = ["ROUNDING", "PyamCriteria", "catalogue_to_pyam_criteria", "validate"]

_ORDER_OPS = ("peak_by", "peak_in", "peak_before", "peak_with", "nonincreasing")


# ---------------------------------------------------------------------------------------------
# the catalogue as pyam validate criteria
# ---------------------------------------------------------------------------------------------
@dataclass
class PyamCriteria:
    """The catalogue's value records as bounds for ``pyam.IamDataFrame.validate``.

    ``criteria`` has one row per (target, scenario) — ``scenario`` is empty when the bound holds
    for every scenario (absolute records) — with ``variable``, ``region``, ``year``,
    ``lower_bound``, ``upper_bound`` and ``unit`` (IAMC units).  ``unsupported`` lists the
    records (and, for relative records, the scenarios) pyam cannot check, with the reason.
    """

    criteria: pd.DataFrame
    unsupported: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __len__(self) -> int:
        return len(self.criteria)

    def __iter__(self) -> Iterator[tuple[str, dict]]:
        """``(target id, keyword arguments for IamDataFrame.validate)`` per criterion."""
        for row in self.criteria.itertuples(index=False):
            kwargs = {"variable": row.variable, "region": row.region, "year": int(row.year)}
            if isinstance(row.scenario, str) and row.scenario:
                kwargs["scenario"] = row.scenario
            for key in ("upper_bound", "lower_bound"):
                value = getattr(row, key)
                if pd.notna(value):
                    kwargs[key] = float(value)
            yield row.target, kwargs


def _indicator_index() -> dict[str, IamcVariable]:
    """carbonsim scalar variable -> the IAMC variable equal to it."""
    from carbonsim.definitions.variables import variable_metadata

    meta = variable_metadata()
    out = {}
    for v in iamc_variables().values():
        sliced = v.slice_of
        if sliced is not None and not sliced[1]:
            no_dims = not meta.get(sliced[0], {}).get("dims")
            if no_dims:
                out.setdefault(sliced[0], v)
        for alias in v.equivalent:
            out.setdefault(alias, v)
    return out


#: as the feasibility check reads a bound: within this (relative to the value, at least
#: absolute) of it counts as meeting it
ROUNDING = 1e-9


def _ratio_bounds(t) -> tuple[float, float]:
    """Bounds on the target's quantity (x, or x / x_base − 1) from its operator.

    Each bound is widened by the check's rounding slack (:data:`ROUNDING`), so pyam passes
    exactly what :func:`carbonsim.feasibility.evaluate.check` counts as met.
    """
    v = float(t.value)
    slack = ROUNDING * max(1.0, abs(v))
    half_width = {"==": 1e-9, "approx": float(t.tolerance or 0.0)}.get(t.op, 0.0) + slack
    if t.op == "approx" and getattr(t, "direction", None) in ("up", "down"):
        # 左右 on the side the plan wants (the check's default, one-sided reading)
        return (v - half_width, np.nan) if t.direction == "up" else (np.nan, v + half_width)
    return {
        ">=": (v - slack, np.nan),
        "<=": (np.nan, v + slack),
        "==": (v - half_width, v + half_width),
        "approx": (v - half_width, v + half_width),
    }[t.op]


def _why_not(t, index, trajectories) -> str:
    """Why the record cannot be a pyam criterion ("" when it can)."""
    if t.op in _ORDER_OPS:
        return (
            f"{t.op}: a peaking/order record compares peak years across the time series (and "
            "regions); pyam validate bounds single values"
        )
    if t.value is None:
        return "no value"
    v = index.get(t.indicator)
    if v is None:
        return f"no IAMC variable for {t.indicator!r} (not in data/iamc_variables.csv)"
    if t.basis == "absolute" and t.unit != v.model_unit:
        return f"target unit {t.unit!r} differs from the variable's {v.model_unit!r}"
    if t.basis == "relative_change" and trajectories is None:
        return "a relative_change record needs the base-year value: pass trajectories"
    if trajectories is not None and t.indicator not in trajectories:
        return f"the trajectories have no {t.indicator!r}"
    return ""


def _relative_rows(t, v: IamcVariable, trajectories: xr.Dataset, region: str):
    """Per scenario: bounds x_base × (1 + bound); for x_base < 0 the bounds swap."""
    da = trajectories[t.indicator]
    if "region" in da.dims:
        da = da.sel(region=t.region)
    base = np.asarray(da.sel(year=t.base_year).values, dtype=float).reshape(-1)
    lo, up = _ratio_bounds(t)
    rows, skipped = [], []
    for scenario, b in zip(map(str, trajectories.scenario.values), base, strict=True):
        if not np.isfinite(b) or b == 0:
            skipped.append({"target": t.id, "scenario": scenario, "reason": "base value is 0"})
            continue
        pair = (b * (1 + lo) * v.factor, b * (1 + up) * v.factor)
        low, high = pair if b > 0 else pair[::-1]
        rows.append(_criterion(t, v, region, scenario, low, high))
    return rows, skipped


def _criterion(t, v: IamcVariable, region: str, scenario: str, low: float, high: float) -> dict:
    return {
        "target": t.id,
        "scenario": scenario,
        "variable": v.name,
        "region": region,
        "year": int(t.year),
        "lower_bound": low,
        "upper_bound": high,
        "unit": v.iamc_unit,
        "op": t.op,
        "basis": t.basis,
    }


def catalogue_to_pyam_criteria(
    catalogue=None, trajectories: xr.Dataset | None = None
) -> PyamCriteria:
    """Express the catalogue's value records as bounds for ``pyam.IamDataFrame.validate``.

    Parameters
    ----------
    catalogue : Catalogue or path, optional
        Default: the bundled Wuzhong catalogue.
    trajectories : xarray.Dataset, optional
        Needed for ``relative_change`` records: the bound on ``x[year]`` for a scenario is
        ``x[base_year] × (1 + value)`` of that scenario (``approx``: ``1 + value ± tolerance``),
        so those criteria are per scenario.

    Returns
    -------
    PyamCriteria
        ``>=`` gives a lower bound, ``<=`` an upper bound, ``approx`` both (value ± tolerance),
        ``==`` both (± 1e-9), in IAMC units on the mapped variable, region and year; each bound
        is widened by the rounding slack the feasibility check allows (1e-9 of the value).
        Peaking and order records (``peak_by``, ``peak_before``, ``peak_with``, ``peak_in``,
        ``nonincreasing``), records on indicators without an IAMC variable, and relative records
        without trajectories (or whose base-year value is 0) are in ``unsupported``.
    """
    from carbonsim.catalogue import load_targets

    if catalogue is None or isinstance(catalogue, str | os.PathLike):
        catalogue = load_targets(catalogue)
    city = str(trajectories.attrs.get("city", CITY)) if trajectories is not None else CITY
    index = _indicator_index()
    rows, unsupported = [], []
    for t in catalogue:
        reason = _why_not(t, index, trajectories)
        if reason:
            unsupported.append({"target": t.id, "scenario": "", "reason": reason})
            continue
        v = index[t.indicator]
        region = iamc_region(t.region, city)
        if t.basis == "relative_change":
            more, skipped = _relative_rows(t, v, trajectories, region)
            rows += more
            unsupported += skipped
        else:
            lo, up = _ratio_bounds(t)
            rows.append(_criterion(t, v, region, "", lo * v.factor, up * v.factor))
    columns = ["target", "scenario", "variable", "region", "year", "lower_bound",
               "upper_bound", "unit", "op", "basis"]  # fmt: skip
    return PyamCriteria(
        pd.DataFrame(rows, columns=columns),
        pd.DataFrame(unsupported, columns=["target", "scenario", "reason"]),
    )


def validate(data, criteria: PyamCriteria) -> pd.DataFrame:
    """Run every criterion through ``pyam.IamDataFrame.validate``; the failing data points.

    Parameters
    ----------
    data : pyam.IamDataFrame, DataFrame or path
        IAMC data (e.g. :func:`to_iamc` output).
    criteria : PyamCriteria
        From :func:`catalogue_to_pyam_criteria`.

    Returns
    -------
    pandas.DataFrame
        One row per failing (target, data point): ``target`` and the IAMC columns.  A criterion
        with no matching data is skipped (pyam logs it).
    """
    pyam = _require("pyam", "to validate with pyam")
    df = data if isinstance(data, pyam.IamDataFrame) else pyam.IamDataFrame(data)
    failed = []
    for target, kwargs in criteria:
        rows = df.validate(**kwargs)
        if rows is not None and len(rows):
            failed.append(rows.assign(target=target))
    columns = ["target", *IAMC_COLUMNS]
    if not failed:
        return pd.DataFrame(columns=columns)
    return pd.concat(failed, ignore_index=True)[columns]
