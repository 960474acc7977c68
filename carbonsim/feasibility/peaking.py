"""Peak years with a plateau tolerance (pure numpy; the year axis last, anything before it).

DESIGN.md: "peaked by Y" means the maximum falls in or before Y and no later year exceeds it by
more than a stated tolerance.  The *tolerant peak year* of a series is the first year Y such that
no later value exceeds the running maximum up to Y by more than the tolerance; a series still
rising at the end of the horizon peaks in its last year ("not peaked within the horizon").

Examples
--------
>>> import numpy as np
>>> years = np.arange(2025, 2035)
>>> x = np.array([90, 95, 99, 100, 99.5, 99, 101, 98, 97, 96.])   # 1 % rebound in 2031
>>> int(peak_year(x, years, tolerance=0.0))
2031
>>> int(peak_year(x, years, tolerance=0.01))
2028
"""

from __future__ import annotations

import numpy as np

#: default plateau tolerance: a later year may exceed the peak by at most 1 %
PLATEAU_TOLERANCE = 0.01


def _suffix_max(x: np.ndarray) -> np.ndarray:
    """max over years strictly after each year (−inf after the last)."""
    rev = np.maximum.accumulate(x[..., ::-1], axis=-1)[..., ::-1]
    return np.concatenate([rev[..., 1:], np.full((*x.shape[:-1], 1), -np.inf)], axis=-1)


def peaked_mask(x: np.ndarray, tolerance: float = PLATEAU_TOLERANCE) -> np.ndarray:
    """For each year Y: has the series peaked by Y (no later year above max-so-far x (1 + tol))?"""
    running = np.maximum.accumulate(x, axis=-1)
    bound = running + np.abs(running) * tolerance
    return _suffix_max(x) <= bound


def peak_year(x: np.ndarray, years: np.ndarray, tolerance: float = PLATEAU_TOLERANCE):
    """Tolerant peak year, (...) int: the first year by which the series has peaked."""
    mask = peaked_mask(x, tolerance)
    return np.asarray(years)[np.argmax(mask, axis=-1)]


def peak_value(x: np.ndarray, years: np.ndarray, tolerance: float = PLATEAU_TOLERANCE):
    """The maximum up to the tolerant peak year (the peak level)."""
    mask = peaked_mask(x, tolerance)
    idx = np.argmax(mask, axis=-1)
    running = np.maximum.accumulate(x, axis=-1)
    return np.take_along_axis(running, idx[..., None], axis=-1)[..., 0]


def peak_by_margin(x: np.ndarray, years: np.ndarray, year: int, tolerance=PLATEAU_TOLERANCE):
    """Margin [1] of "peaked by *year*": 1 + tol − max(after) / max(up to year); ≥ 0 is met.

    Also needs the series to have peaked within the horizon (its last year cannot be a peak
    that is still rising; a series whose maximum is its last value fails when year < last).
    """
    years = np.asarray(years)
    upto = x[..., years <= year].max(axis=-1)
    after = x[..., years > year]
    if after.shape[-1] == 0:
        return np.full(upto.shape, tolerance)
    later = after.max(axis=-1)
    return 1.0 + tolerance - later / np.where(upto != 0, upto, 1.0)


def nonincreasing_margin(x, years, first_year, last_year, tolerance=PLATEAU_TOLERANCE):
    """Margin [1] of 稳中有降 (stable with a decline) over [first_year, last_year]; ≥ 0 is met.

    The one definition, used by the ``nonincreasing`` records and by :func:`peak_table`'s
    ``stable_decline``: *stable* — no year rises above the year before by more than the
    plateau tolerance; *with a decline* — the last year is not above the year before the
    window.  The margin is the smaller of ``tolerance − largest year-on-year rise`` and
    ``(x[first_year − 1] − x[last_year]) / |x[first_year − 1]|``.

    Examples
    --------
    >>> import numpy as np
    >>> years = np.arange(2030, 2036)
    >>> float(round(nonincreasing_margin(np.array([100, 99, 98, 98.5, 97, 96.]), years,
    ...                                  2031, 2035), 4))   # a 0.5 % wobble, ends 4 % lower
    0.0049
    >>> bool(nonincreasing_margin(np.array([100, 100.9, 101.8, 102.7, 103.6, 104.5]), years,
    ...                           2031, 2035) >= 0)          # 0.9 %/yr: not a decline
    False
    """
    years = np.asarray(years)
    sel = (years >= first_year - 1) & (years <= last_year)
    part = x[..., sel]
    prev = part[..., :-1]
    growth = (part[..., 1:] - prev) / np.where(prev != 0, np.abs(prev), 1.0)
    start = part[..., 0]
    decline = (start - part[..., -1]) / np.where(start != 0, np.abs(start), 1.0)
    return np.minimum(tolerance - growth.max(axis=-1), decline)
