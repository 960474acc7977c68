"""Hourly shapes on representative days: wind, solar and the demand classes (``data/profiles``).

Every shape has weighted mean 1 over the representative days (weights = days represented,
summing to 365), so annual energies carry over exactly: hourly power [GW] = annual energy
[TWh] x 1000 / 8760 x shape, and available wind or solar = capacity x hours / 8760 x shape.
Provenance and the selection method: ``carbonsim/data/profiles/README.md``; the script that
makes them: ``tools/profiles/make_profiles.py``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from carbonsim.constants import DATA_DIR
from carbonsim.errors import BaselineError

__all__ = ["DEMAND_CLASSES", "SHAPES", "Profiles", "load_profiles"]

#: demand classes with an hourly shape (the dispatch draws each class's load with its shape)
DEMAND_CLASSES = ("industry", "buildings", "ev", "electrolysis", "other")
#: every shape a profiles file holds
SHAPES = ("wind", "solar", *DEMAND_CLASSES)
HOURS = 24


class Profiles(dict):
    """Shapes ``name -> (day, hour)`` [1] plus ``weights`` (day,) [days], the calendar
    ``months`` (day,) each day was drawn from, and ``source`` (the file)."""

    def __init__(self, shapes: dict, weights: np.ndarray, months: np.ndarray, source: str):
        super().__init__(shapes)
        self.weights = weights
        self.months = months
        self.source = source


def _bundled(name: str) -> Path:
    return DATA_DIR / "profiles" / name


@cache
def _read(path: str, day_column: str, weighted: bool) -> Profiles:
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the hourly profiles: {exc}") from None
    missing = [c for c in (day_column, "month", "hour", *SHAPES) if c not in table]
    if missing:
        raise BaselineError(f"{path}: missing column {missing[0]!r} (need {', '.join(SHAPES)})")
    table = table.sort_values([day_column, "hour"])
    days = table[day_column].nunique()
    if len(table) != days * HOURS:
        raise BaselineError(f"{path}: expected {HOURS} hours for each of the {days} days")
    if weighted:
        weights = table.groupby(day_column)["weight"].first().to_numpy(dtype=float)
    else:
        weights = np.ones(days)
    shapes = {s: table[s].to_numpy(dtype=float).reshape(days, HOURS) for s in SHAPES}
    for name, shape in shapes.items():
        mean = float((shape.mean(axis=1) * weights).sum() / weights.sum())
        if abs(mean - 1.0) > 1e-5:
            raise BaselineError(f"{path}: shape {name!r} has weighted mean {mean:.6f}, not 1")
        # exactly 1 (the file rounds to 6 decimals): annual energies then carry over exactly
        shapes[name] = shape / mean
    if abs(weights.sum() - 365.0) > 1e-6:
        raise BaselineError(f"{path}: day weights sum to {weights.sum():g}, not 365")
    months = table.groupby(day_column)["month"].first().to_numpy(dtype=int)
    for array in (*shapes.values(), weights, months):  # shared by every caller (cached)
        array.flags.writeable = False
    return Profiles(shapes, weights, months, Path(path).name)


def load_profiles(path=None, full_year: bool = False) -> Profiles:
    """The hourly shapes the dispatch uses.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``rep, weight, hour`` and one per shape (:data:`SHAPES`); default the
        bundled representative days of 吴忠市.
    full_year : bool
        The bundled 365 days x 24 hours instead (each day weight 1): for checking the
        representative days against a full-year run.
    """
    if full_year:
        return _read(str(_bundled("profiles_8760.csv")), "day", weighted=False)
    return _read(str(path or _bundled("representative_days.csv")), "rep", weighted=True)
