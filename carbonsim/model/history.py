"""Scenarios start from observed history: lever arrays overwritten up to the last observed year.

:func:`apply_history` takes the lever arrays of a batch and the observed paths of
:func:`carbonsim.baseline.history.history_paths` and returns arrays in which

* ``gdp_growth`` and ``population_growth`` of a year with an observed county value is that value;
  a county without its own row takes the city's observed rate of that year (e.g. the city's real
  growth for every county);
* ``wind_capacity`` / ``solar_capacity`` of a year with an observed county value is that value;
  an observed city total scales the counties' values of that year to it (their own split; equal
  shares where the scenario has none).  Between observed years (and from 2020 to the first)
  capacity is interpolated linearly.  After the last observed year the scenario's path acts
  from the observed value: the gap between the two fades out linearly over :data:`FADE_YEARS`
  years, and installed capacity never falls below the last observed value.

Years without an observation keep the scenario's values, and a scenario with no applicable
history is returned unchanged.  Rows for context regions (``ningxia``) never reach this module.
``simulate(..., history=False)`` (the hindcast) skips it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from carbonsim.baseline import DEFAULT_PATH
from carbonsim.baseline.history import default_history_path, history_paths
from carbonsim.regions import WUZHONG, RegionSet
from carbonsim.textfile import file_identity

__all__ = ["FADE_YEARS", "HistoryOption", "apply_history", "observed_paths"]

#: years over which the gap between observed and scenario capacity fades out
FADE_YEARS = 5
#: levers that are levels (capacities) rather than rates
LEVEL_LEVERS = ("wind_capacity", "solar_capacity")

#: what ``simulate(history=...)`` accepts
HistoryOption = bool | str | os.PathLike | pd.DataFrame | Mapping | None


def observed_paths(history: HistoryOption, regions: RegionSet, ds=None) -> dict:
    """The observed lever paths for *history* (see :func:`carbonsim.simulate`).

    ``True`` / ``None``: the bundled table, which belongs to the bundled 吴忠市 calibration
    (with or without overrides): another city, or a baseline built otherwise (*ds* without the
    bundled file in its ``files`` attribute), gets none unless it passes a table explicitly;
    ``False``: none; a path or DataFrame: that table; a mapping: already the paths
    ``{lever: {region: {year: value}}}``.
    """
    if history is False:
        return {}
    if history is True or history is None:
        if regions.city != WUZHONG.city or not _is_bundled(ds):
            return {}
        return _file_paths(default_history_path(), regions)
    if isinstance(history, Mapping):
        return {k: dict(v) for k, v in history.items()}
    if isinstance(history, pd.DataFrame):
        return history_paths(history, regions=regions)
    return _file_paths(Path(history), regions)


#: (file identity, regions) -> paths; a file edited on disk is read again
_FILE_CACHE: dict[tuple, dict] = {}


def _file_paths(path: Path, regions: RegionSet) -> dict:
    """:func:`history_paths` of a file, cached by its identity (path and content,
    :func:`~carbonsim.textfile.file_identity`)."""
    try:
        key = (file_identity(path), regions)
    except OSError:
        return history_paths(path, regions=regions)  # raises the loader's clear error
    if key not in _FILE_CACHE:
        _FILE_CACHE[key] = history_paths(path, regions=regions)
    # a copy of {lever: {region: {year: value}}} the caller may change (the values are floats)
    return {
        lever: {region: dict(by_year) for region, by_year in by_region.items()}
        for lever, by_region in _FILE_CACHE[key].items()
    }


def _is_bundled(ds) -> bool:
    """Whether *ds* was read from the bundled calibration file (overrides allowed)."""
    if ds is None:
        return True
    files = str(getattr(ds, "attrs", {}).get("files", "")).split("; ")
    return str(DEFAULT_PATH) in files


def apply_history(
    arrays: dict[str, np.ndarray], years: Sequence[int], regions: RegionSet, paths: Mapping
) -> dict[str, np.ndarray]:
    """Lever arrays with the observed values of *paths* written in (a new dict; inputs unchanged).

    Parameters
    ----------
    arrays : dict of ndarray
        Lever arrays, ``(scenario, region, year)`` for the regional levers.
    years : sequence of int
        The simulated years.
    regions : RegionSet
        The city and its counties (the order of the region axis).
    paths : mapping
        ``{lever: {region: {year: value}}}`` in lever units (:func:`observed_paths`).

    Returns
    -------
    dict of ndarray
    """
    years = [int(y) for y in years]
    index = {y: t for t, y in enumerate(years)}
    out = dict(arrays)
    for lever, by_region in paths.items():
        if lever not in arrays or not by_region:
            continue
        rows = _county_rows(by_region, index, regions)
        city_rows = by_region.get(regions.city, {})
        city = {index[y]: float(v) for y, v in city_rows.items() if y in index}
        if not rows and not city:
            continue
        arr = np.array(np.broadcast_to(arrays[lever], arrays[lever].shape), dtype=float)
        if lever in LEVEL_LEVERS:
            _write_levels(arr, rows, city)
        else:
            for t, value in city.items():
                arr[:, :, t] = value
            for (c, t), value in rows.items():
                arr[:, c, t] = value
        out[lever] = arr
    return out


def _county_rows(by_region: Mapping, index: dict, regions: RegionSet) -> dict:
    """``{(county index, year index): value}`` of the counties' own rows."""
    out = {}
    for c, county in enumerate(regions.counties):
        for year, value in by_region.get(county, {}).items():
            if year in index:
                out[(c, index[year])] = float(value)
    return out


def _write_levels(arr: np.ndarray, rows: dict, city: dict) -> None:
    """Capacities (S, R, Y) in place: county rows, city totals, interpolation, then the fade.

    Between observed years (and from 2020 to the first) values are interpolated linearly;
    after the last observed year the gap to the scenario's own path fades out over
    :data:`FADE_YEARS` years, never below the last observed value.
    """
    scenario = arr.copy()
    for (c, t), value in rows.items():
        arr[:, c, t] = value
    n_r = arr.shape[1]
    for t, total in city.items():
        fixed = np.array([(c, t) in rows for c in range(n_r)])
        _scale_to_total(arr[:, :, t], fixed, total)
    for c in range(n_r):
        observed = sorted({0, *(t for (k, t) in rows if k == c), *city})
        _interpolate_and_fade(arr[:, c], scenario[:, c], observed)


def _interpolate_and_fade(x: np.ndarray, scenario: np.ndarray, observed: list[int]) -> None:
    """One county's capacity (S, Y) in place, given the year indices that are observed."""
    for a, b in itertools.pairwise(observed):
        for t in range(a + 1, b):
            w = (t - a) / (b - a)
            x[:, t] = (1 - w) * x[:, a] + w * x[:, b]
    last = observed[-1]
    gap = x[:, last] - scenario[:, last]
    floor = x[:, last].copy()
    for t in range(last + 1, x.shape[-1]):
        fade = max(0.0, 1.0 - (t - last) / FADE_YEARS)
        x[:, t] = np.maximum(scenario[:, t] + gap * fade, floor)


def _scale_to_total(values: np.ndarray, fixed: np.ndarray, total: float) -> None:
    """Scale the non-fixed counties of *values* (S, R) in place so that each row sums to *total*.

    The counties keep the scenario's split among themselves (equal shares where it is all 0).
    """
    rest = total - values[:, fixed].sum(axis=1)
    free = values[:, ~fixed]
    current = free.sum(axis=1, keepdims=True)
    n_free = max(free.shape[1], 1)
    share = np.where(current > 0, free / np.where(current > 0, current, 1.0), 1.0 / n_free)
    values[:, ~fixed] = np.maximum(rest, 0.0)[:, None] * share
