"""GDP and value added [1e8 CNY, 2020 prices]."""

from __future__ import annotations

import numpy as np


def cumulative_index(growth: np.ndarray) -> np.ndarray:
    """Index (2020 = 1) from annual growth rates [1/yr] on the last axis.

    The first year's rate is ignored: it is the base year.

    >>> cumulative_index(np.array([0.5, 0.1, 0.1])).round(3).tolist()
    [1.0, 1.1, 1.21]
    """
    factors = 1.0 + growth
    factors = np.concatenate([np.ones_like(factors[..., :1]), factors[..., 1:]], axis=-1)
    return np.cumprod(factors, axis=-1)


def value_added(gdp: np.ndarray, primary, industry, construction) -> np.ndarray:
    """Value added by economic sector (primary, industry, construction, tertiary).

    Parameters
    ----------
    gdp : ndarray (scenario, region, year) [1e8 CNY]
    primary, industry, construction : ndarray (scenario, region, year) [1]
        Shares of GDP; tertiary is the remainder (validated non-negative at the model boundary).

    Returns
    -------
    ndarray (scenario, region, economic_sector, year) [1e8 CNY]
    """
    tertiary = 1.0 - primary - industry - construction
    return gdp[:, :, None, :] * np.stack([primary, industry, construction, tertiary], axis=2)
