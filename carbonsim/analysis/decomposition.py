"""What drives a change of CO2: additive LMDI-I index decomposition.

The change of CO2 between two years, ``co2(y1) − co2(y0)`` (``co2`` in whichever accounting
basis the trajectories carry, see their ``co2_basis`` attribute), is split into

* **activity** (GDP), **energy intensity** (energy / GDP), **energy mix** (each fossil fuel's
  share of energy) and **emission factor** (CO2 per unit of each fossil fuel) — the additive
  LMDI-I of fuel combustion (Ang 2005, "The LMDI approach to decomposition analysis: a practical
  guide", *Energy Policy* 33:867–871), with zero values handled as in Ang & Liu (2007, "Handling
  zero values in the logarithmic mean Divisia index decomposition approach", *Energy Policy*
  35:238–246);
* **process**: the change of industrial process CO2 (clinker, anodes, carbide …), which no
  energy factor explains;
* **trade_other**: the change of everything else in ``co2``, i.e. ``co2 − territorial fuel
  combustion − process``: the electricity-trade adjustment of the basis (assessment basis: net
  imported electricity × grid emission factor; consumption basis: the emissions of the
  electricity consumed minus those of the region's power plants, so exports carry theirs away;
  territorial basis: zero).

so the parts add up to the change exactly.

The combustion identity is, for each fossil fuel *f* (coal, oil, gas),

    C_f = GDP · (E / GDP) · (E_f / E) · (C_f / E_f),

with ``E`` the total energy consumption and ``E_f`` the primary energy of fuel *f*, both on the
**consumption basis** the plan's energy targets use (``primary_energy``: exported electricity is
not local consumption; non-fossil energy is part of ``E``, so more wind and solar shows as a
lower fossil share, i.e. in the mix effect), and ``C_f`` the **territorial** combustion CO2 of
the fuel (``co2_by_fuel``: end use, heat and power plants in the region).  The emission-factor
term ``C_f / E_f`` is therefore an *apparent* factor: besides the fuels' carbon content and the
coal plants' supply coal rate it moves with the balance of power generated for export versus
power consumed (coal burnt in the region's plants for exported power raises it).  The
assessment and consumption bases credit that exported power in the trade term, so a growing
export shows as a rise of the emission-factor bar offset by a fall of the trade bar.  Fuel
combustion of a fuel the region does not consume at all (``E_f = 0``) cannot be factorised this
way and is counted in ``trade_other``.

Zero values (Ang & Liu 2007): every zero is replaced by a small δ and the limit δ → 0 taken.
In that limit ``L(x, 0) = 0``: a fuel absent in both years contributes nothing; a fuel that
appears (is 0 in y0) contributes its whole ``C_f(y1)`` to the factor(s) that were zero, shared
equally; one that disappears, ``−C_f(y0)``.  An emission factor that is undefined because the
fuel is not used in one year (0/0) takes its value of the other year, so a fuel that appears or
disappears is a change of the energy mix.  :func:`lmdi_additive` computes this limit exactly;
``delta=`` gives the finite-δ result for comparison.

Examples
--------
>>> import numpy as np
>>> gdp0, gdp1 = np.array([100.0]), np.array([150.0])
>>> share = np.array([0.6, 0.4])
>>> c0, c1 = gdp0 * share, gdp1 * share                # only GDP changes
>>> lmdi_additive(c0, c1, [gdp0, share], [gdp1, share])
array([50.,  0.])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

__all__ = ["EFFECTS", "FACTORS", "co2_drivers", "lmdi_additive", "log_mean"]

#: the multiplicative factors of fuel combustion, in order
FACTORS = ("activity", "energy_intensity", "energy_mix", "emission_factor")
#: every part of the CO2 change reported by :func:`co2_drivers`
EFFECTS = (*FACTORS, "process", "trade_other")
FOSSIL = ("coal", "oil", "gas")
#: relative tolerance of the check that each item is the product of its factors
PRODUCT_RTOL = 1e-6


def log_mean(a, b) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a − b) / (ln a − ln b); L(a, a) = a; L(a, 0) = L(0, b) = 0.

    Parameters
    ----------
    a, b : array_like
        Non-negative values (any broadcastable shapes).
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    positive = (a > 0) & (b > 0)
    sa = np.where(positive, a, 1.0)
    sb = np.where(positive, b, 1.0)
    x = sa / sb - 1.0
    log1p = np.log1p(x)
    near = np.abs(x) < 1e-8
    # L = b x / ln(1 + x); near x = 0 use the series b (1 + x/2 − x²/12)
    exact = sb * x / np.where(near, 1.0, log1p)
    small = np.where(near, x, 0.0)
    series = sb * (1.0 + small / 2.0 - small * small / 12.0)
    return np.where(positive, np.where(near, series, exact), 0.0)


def _stack(factors: Sequence, shape: tuple[int, ...]) -> np.ndarray:
    """(..., n, K): each factor broadcast to the items' shape."""
    return np.stack([np.broadcast_to(np.asarray(f, dtype=float), shape) for f in factors], -1)


def _validate(c: np.ndarray, x: np.ndarray, which: str) -> None:
    if (c < 0).any() or (x < 0).any() or not (np.isfinite(c).all() and np.isfinite(x).all()):
        raise ValueError(f"LMDI needs finite, non-negative values; C{which}/factors{which} are not")
    product = x.prod(-1)
    scale = max(float(np.abs(c).max(initial=0.0)), 1e-300)
    bad = np.abs(product - c) > PRODUCT_RTOL * scale
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"C{which} is not the product of factors{which} at index {idx}: "
            f"{c[idx]!r} vs {product[idx]!r}"
        )


def _zero_limit(c_other: np.ndarray, zero: np.ndarray, sign: float) -> np.ndarray:
    """The δ → 0 effects of an item that is zero in one year: shared by its zero factors."""
    n_zero = zero.sum(-1, keepdims=True)
    return sign * np.where(zero, c_other[..., None] / np.maximum(n_zero, 1), 0.0)


def lmdi_additive(C0, C1, factors0, factors1, delta: float | None = None) -> np.ndarray:
    """Additive LMDI-I: the effect of each factor on ΔC = Σ_i C1_i − Σ_i C0_i.

    Each item *i* (e.g. a fuel, on the last axis) is a product of K factors,
    ``C_i = Π_k x_{k,i}``; the effect of factor k is ``Σ_i L(C1_i, C0_i) ln(x1_{k,i} / x0_{k,i})``
    (Ang 2005), and the effects add up to ΔC exactly.

    Parameters
    ----------
    C0, C1 : array_like, (..., n)
        The items in the first and last year [any unit], non-negative.
    factors0, factors1 : sequence of K array_like
        The factors in each year, each broadcastable to ``C0.shape`` (a factor common to every
        item, such as GDP, may have a length-1 item axis).  Non-negative.
    delta : float, optional
        None (default): zeros handled by their exact limit δ → 0 (Ang & Liu 2007).  A number:
        replace every zero factor by *delta* and use the plain formula (the finite-δ
        approximation, for comparison; its effects sum to the change of the δ-replaced items).

    Returns
    -------
    numpy.ndarray, (..., K)
        The effect of each factor, in the unit of C, summed over the items.

    Raises
    ------
    ValueError
        If a value is negative or not finite, or an item is not the product of its factors.

    Examples
    --------
    >>> x0, y0 = np.array([2.0]), np.array([3.0])
    >>> x1, y1 = np.array([4.0]), np.array([3.0])
    >>> lmdi_additive(x0 * y0, x1 * y1, [x0, y0], [x1, y1])
    array([6., 0.])
    """
    c0 = np.asarray(C0, dtype=float)
    c1 = np.asarray(C1, dtype=float)
    shape = np.broadcast_shapes(c0.shape, c1.shape)
    c0, c1 = np.broadcast_to(c0, shape), np.broadcast_to(c1, shape)
    x0, x1 = _stack(factors0, shape), _stack(factors1, shape)
    if x0.shape != x1.shape:
        raise ValueError(f"factors0 has {x0.shape[-1]} factors, factors1 {x1.shape[-1]}")
    _validate(c0, x0, "0")
    _validate(c1, x1, "1")
    if delta is not None:
        x0, x1 = np.where(x0 == 0, delta, x0), np.where(x1 == 0, delta, x1)
        weight = log_mean(x1.prod(-1), x0.prod(-1))
        return (weight[..., None] * np.log(x1 / x0)).sum(-2)
    both = (c0 > 0) & (c1 > 0)
    ratio = np.divide(x1, x0, out=np.ones_like(x1), where=both[..., None] & (x0 > 0))
    effects = log_mean(c1, c0)[..., None] * np.log(ratio)
    effects = effects + _zero_limit(c1, (x0 == 0) & ((c0 == 0) & (c1 > 0))[..., None], 1.0)
    effects = effects + _zero_limit(c0, (x1 == 0) & ((c1 == 0) & (c0 > 0))[..., None], -1.0)
    return effects.sum(-2)


# ---------------------------------------------------------------------------------------------
# the trajectories wrapper
# ---------------------------------------------------------------------------------------------
def _at(trajectories: xr.Dataset, name: str, year: int) -> xr.DataArray:
    return trajectories[name].sel(year=year, drop=True)


def _factors(trajectories: xr.Dataset, year: int, other: int):
    """(combustion by fuel, [GDP, E/GDP, E_f/E, C_f/E_f]) at *year*, fuel on the last axis."""
    gdp = _at(trajectories, "gdp", year)
    pe = _at(trajectories, "primary_energy", year)
    energy = pe.sum("primary_fuel")
    e_f = pe.sel(primary_fuel=list(FOSSIL)).rename(primary_fuel="fuel")
    c_f = _at(trajectories, "co2_by_fuel", year).rename(fossil_fuel="fuel")
    c_f = c_f.assign_coords(fuel=list(e_f.fuel.values))
    # combustion of a fuel the region does not consume cannot be factorised (-> trade_other)
    c_f = c_f.where(e_f > 0, 0.0)
    # an emission factor undefined in this year (fuel unused) takes the other year's value
    e_o = trajectories["primary_energy"].sel(year=other, primary_fuel=list(FOSSIL), drop=True)
    c_o = trajectories["co2_by_fuel"].sel(year=other, drop=True).rename(fossil_fuel="fuel")
    ef_other = (c_o.values / np.where(e_o.values > 0, e_o.values, np.inf)) * (e_o.values > 0)
    ef = np.where(e_f.values > 0, c_f.values / np.where(e_f.values > 0, e_f.values, 1), ef_other)
    order = ("scenario", "region", "fuel")
    factors = [
        gdp.values[..., None],
        (energy / gdp).values[..., None],
        (e_f / energy.where(energy > 0, 1.0)).transpose(*order).values,
        ef,
    ]
    return c_f.transpose(*order).values, factors


def co2_drivers(
    trajectories: xr.Dataset,
    y0: int = 2020,
    y1: int = 2030,
    regions: Sequence[str] | None = None,
    scenario: str | None = None,
) -> xr.Dataset:
    """Decompose ``co2(y1) − co2(y0)`` into activity, energy intensity, energy mix, emission
    factor, industrial process and electricity trade / other (additive LMDI-I; see the module
    docstring for the definitions and the zero-value rule).

    Parameters
    ----------
    trajectories : xarray.Dataset
        Output of :func:`carbonsim.simulate` (needs ``co2``, ``co2_by_fuel``, ``co2_process``,
        ``primary_energy``, ``gdp``).
    y0, y1 : int
        First and last year.
    regions : sequence of str, optional
        Regions to decompose (default: all, the city first).
    scenario : str, optional
        One scenario (default: every scenario).

    Returns
    -------
    xarray.Dataset
        ``contribution`` (scenario, region, effect) [1e4 t CO2], summing over ``effect`` to
        ``co2_end − co2_start``; ``co2_start`` and ``co2_end`` (scenario, region).

    Examples
    --------
    >>> import carbonsim
    >>> ds = carbonsim.simulate({"gdp_growth": 0.05})                     # doctest: +SKIP
    >>> d = co2_drivers(ds, 2020, 2030)                                   # doctest: +SKIP
    >>> float(d.contribution.sum("effect").sel(region="wuzhong")[0])      # doctest: +SKIP
    """
    years = [int(y) for y in trajectories.year.values]
    for name, y in (("y0", y0), ("y1", y1)):
        if y not in years:
            raise ValueError(f"{name}={y} is not a simulated year ({years[0]}–{years[-1]})")
    ds = trajectories
    if scenario is not None:
        ds = ds.sel(scenario=[scenario])
    if regions is not None:
        ds = ds.sel(region=list(regions))
    c0, f0 = _factors(ds, y0, y1)
    c1, f1 = _factors(ds, y1, y0)
    combustion = lmdi_additive(c0, c1, f0, f1)
    co2_0, co2_1 = _at(ds, "co2", y0), _at(ds, "co2", y1)
    process = (_at(ds, "co2_process", y1) - _at(ds, "co2_process", y0)).values
    rest = (co2_1 - co2_0).values - combustion.sum(-1) - process
    parts = np.concatenate([combustion, process[..., None], rest[..., None]], axis=-1)
    units = ds["co2"].attrs.get("units", "1e4 t CO2")
    contribution = xr.DataArray(
        parts,
        dims=("scenario", "region", "effect"),
        coords={
            "scenario": ds.scenario.values,
            "region": ds.region.values,
            "effect": list(EFFECTS),
        },
        attrs={
            "units": units,
            "long_name": f"Contribution to the change of CO2 {y0}–{y1} (additive LMDI-I)",
            "long_name_zh": f"{y0}–{y1}年二氧化碳排放变化的因素贡献(LMDI加法分解)",
        },
    )
    out = xr.Dataset(
        {"contribution": contribution, "co2_start": co2_0, "co2_end": co2_1},
        attrs={"y0": y0, "y1": y1, "method": "additive LMDI-I (Ang 2005; zeros: Ang & Liu 2007)"},
    )
    for coord in ("name_zh", "name_en"):
        if coord in ds.coords:
            out = out.assign_coords({coord: ("region", ds[coord].values)})
    return out
