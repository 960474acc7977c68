"""Lever values -> full, validated lever arrays (defaults from the baseline filled in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from carbonsim import engine
from carbonsim.baseline.cache import per_dataset
from carbonsim.definitions.levers import LEVERS, lever_table
from carbonsim.engine.arith import broadcast
from carbonsim.errors import LeverError
from carbonsim.inputs.values import check_bounds, expand_lever
from carbonsim.model.history import HistoryOption, apply_history, observed_paths
from carbonsim.model.parameters import _scalar, engine_parameters, lever_starts
from carbonsim.regions import WUZHONG, regions_of

__all__ = ["SHARE_GROUPS", "check_share_groups", "concat_arrays", "lever_arrays", "share_group_of"]


SHARE_GROUPS = {
    "sector shares of value added": ("primary_share", "industry_share", "construction_share"),
    "other-industry fuel shares": ("industry_electricity_share", "industry_gas_share"),
    "building fuel shares": ("building_electricity_share", "building_gas_share"),
    "freight fuel shares": (
        "freight_electricity_share",
        "freight_gas_share",
        "freight_hydrogen_share",
    ),
}


def share_group_of(name: str) -> tuple[str, ...]:
    """The levers of the share group *name* belongs to (``()`` if none): they sum to at most 1."""
    return next((names for names in SHARE_GROUPS.values() if name in names), ())


def lever_arrays(
    levers: Mapping,
    n: int,
    years: Sequence[int],
    ds: xr.Dataset,
    calibrate: bool = True,
    history: HistoryOption = True,
) -> dict[str, np.ndarray]:
    """Every lever as a full, validated array (defaults filled in).

    With *history* (default: the bundled observed table, :mod:`carbonsim.model.history`) the
    years up to the last observed year follow the observed values; ``False`` simulates them.
    """
    table = lever_table()
    unknown = [k for k in levers if k not in table]
    if unknown:
        LEVERS[unknown[0]]  # raises LeverError with a did-you-mean suggestion
    starts = lever_starts(ds)
    regions = regions_of(ds)
    where = {"regions": regions.counties, "city": regions.city}
    years = tuple(int(y) for y in years)  # once, not in each lever's cache key
    defaults = _default_arrays(ds, years)
    arrays = {}
    for name, spec in table.items():
        given = levers.get(name)
        if given is None:  # the default, expanded once per baseline and horizon
            if name in defaults:
                full = spec.shape(n, len(years), len(regions.counties))
                arrays[name] = broadcast(defaults[name], full)
            continue
        start = _start(name, spec, starts)
        arrays[name] = expand_lever(name, given, n, years, start=start, **where)
    if "grid_exchange_ratio" not in levers and calibrate:
        ratio = calibrate_exchange(ds)
        arrays["grid_exchange_ratio"] = np.broadcast_to(ratio, (n, len(years)))
    paths = observed_paths(history, regions, ds)
    if paths:
        arrays = apply_history(arrays, years, regions, paths)
        for name in paths:
            if name in arrays:
                check_bounds(table[name], arrays[name], years, regions.counties)
    check_share_groups(arrays, years, regions.counties)
    return arrays


def _start(name, spec, starts):
    """The 2020 value milestones of lever *name* start from (None for rate levers' own rule)."""
    start = starts.get(name)
    if start is None and _is_number(spec.default):
        start = spec.default  # milestones of a level lever start from its default in 2020
    return start


@per_dataset
def _default_arrays(ds: xr.Dataset, years: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Every lever at its default (one scenario row, read-only), once per baseline and horizon.

    The defaults do not depend on the scenario, and expanding ~130 of them is most of the time
    of a single run, so a batch only broadcasts these rows.
    """
    table, starts, regions = lever_table(), lever_starts(ds), regions_of(ds)
    where = {"regions": regions.counties, "city": regions.city}
    rows = {}
    for name, spec in table.items():
        given = _default_of(name, spec, starts)
        if given is not None:
            start = _start(name, spec, starts)
            rows[name] = expand_lever(name, given, 1, years, start=start, **where)
    return rows


def _is_number(value) -> bool:
    return isinstance(value, float) and not np.isnan(value)


def _default_of(name, spec, starts):
    """The lever's default value; None when it has no path (see below)."""
    if spec.default == "baseline":
        # grid_exchange_ratio is calibrated; a tracked indicator without a 2020 value has no path
        return None if name == "grid_exchange_ratio" else starts.get(name)
    return spec.default if _is_number(spec.default) else None


def check_share_groups(arrays, years, counties=WUZHONG.counties) -> None:
    for what, names in SHARE_GROUPS.items():
        total = sum(arrays[name] for name in names)
        if (total > 1.0 + 1e-9).any():
            idx = np.unravel_index(np.argmax(total), total.shape)
            region = f", region {counties[idx[1]]!r}" if total.ndim == 3 else ""
            raise LeverError(
                f"{what} add up to {total[idx]:.3f} > 1 at scenario {idx[0]}{region}, year "
                f"{years[idx[-1]]}: levers {', '.join(names)} must sum to at most 1"
            )


def concat_arrays(list_of_arrays: list[dict]) -> dict[str, np.ndarray]:
    """Stack the lever arrays of several scenarios.

    A tracked indicator given in some scenarios only is NaN ("no path") in the others; the
    feasibility check reports those (scenario, target) pairs as not evaluated.
    """
    names = set().union(*(set(a) for a in list_of_arrays))
    table = lever_table()
    out = {}
    for name in names:
        missing = [a for a in list_of_arrays if name not in a]
        if missing and table[name].group != "tracked":
            raise LeverError(f"lever {name!r} is missing from some scenarios of the batch")
        like = next(a[name] for a in list_of_arrays if name in a)
        out[name] = np.concatenate(
            [a.get(name, np.full((_n(a), *like.shape[1:]), np.nan)) for a in list_of_arrays]
        )
    return out


def _n(arrays: dict) -> int:
    return next(iter(arrays.values())).shape[0]


def batch_arrays(
    batch, years: Sequence[int], ds: xr.Dataset, history: HistoryOption = True
) -> dict[str, np.ndarray]:
    """The lever arrays of a :class:`~carbonsim.inputs.coerce.Batch` (its parts stacked)."""
    if batch.parts is not None:
        return concat_arrays([batch_arrays(part, years, ds, history) for part in batch.parts])
    return lever_arrays(batch.values, batch.n, years, ds, history=history)


#: candidate exchange ratios [GW per GW of generating capacity] of the calibration
_EXCHANGE_GRID = np.linspace(0.05, 1.5, 291)


@per_dataset
def calibrate_exchange(ds: xr.Dataset) -> float:
    """The ``grid_exchange_ratio`` whose 2020 dispatch curtails what the baseline records.

    The target is the baseline's 2020 wind and solar curtailment (``curtailment_rate``, weighted
    by available generation): an observed physical outcome, not a target of the plan.  The 2020
    dispatch is evaluated for 291 candidate ratios in one vectorised engine call and the
    (monotone, non-increasing) curtailment interpolated.  Cached per baseline dataset.
    """
    starts = lever_starts(ds)
    avail = {t: starts[f"{t}_capacity"].sum() * starts[f"{t}_hours"] for t in ("wind", "solar")}
    total = sum(avail.values())
    rates = {t: _scalar(ds, "curtailment_rate", t) for t in avail}
    target = sum(avail[t] * rates[t] for t in avail) / total if total > 0 else 0.0
    grid = _EXCHANGE_GRID
    arrays = lever_arrays({}, len(grid), [2020], ds, calibrate=False, history=False)
    arrays["grid_exchange_ratio"] = grid[:, None]
    out = engine.run(arrays, engine_parameters(ds))
    curtailed = out["curtailment_rate"][:, 0, 0]
    # np.interp needs increasing x: curtailment falls as the ratio rises
    return float(np.interp(target, curtailed[::-1], grid[::-1]))
