"""Uncertain lever values: distributions and the unit-cube streams they are drawn from.

A scenario file may put a distribution wherever it puts a number (see ``docs/scenarios.md``)::

    [levers.wind_hours]
    2025 = { dist = "normal", mean = 1800, sd = 150, low = 1400, high = 2200 }

Sampling is two steps, so that a sweep can choose the design and the scenario the mapping:

1. :func:`unit_sample` draws points of the unit cube ``[0, 1)^d``, one column per distribution
   of the scenario (in the order of ``Scenario.distributions``, named by :func:`dimension_names`);
2. :meth:`Distribution.ppf` maps each column through the distribution's inverse CDF.

Rows of :func:`unit_sample` are **independent of the batch size**: row *i* of a stream is the same
whether it is drawn in a batch of 10, of 1000, or as row ``i - start`` of a chunk starting at
``start``; a chunked sweep therefore draws exactly the numbers of one big batch.

* ``"random"``: counter-based pseudo-random numbers (Philox-4x64 keyed by the seed).  Value ``k``
  of the stream is a fixed function of ``(seed, k)``; row *i* holds values ``i*d … i*d + d-1``.
* ``"sobol"``: scrambled Sobol' points (:class:`scipy.stats.qmc.Sobol`), fast-forwarded to
  ``start``.  Balance is best when chunks are powers of two long and start at multiples of it.
* ``"lhs"``: Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`).  A Latin hypercube is a
  property of the whole block: its rows depend on the total *n*, so it cannot be chunked
  (``start`` must be 0).  Sweeps draw the whole block once and hand out slices.

Examples
--------
>>> u = unit_sample(4, 2, seed=1)
>>> u.shape
(4, 2)
>>> bool((unit_sample(2, 2, seed=1, start=2) == u[2:]).all())
True
>>> Distribution.create("triangular", {"low": 0.0, "mode": 0.5, "high": 1.0}).ppf(0.5)
array(0.5)
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from carbonsim.errors import CarbonsimError, did_you_mean

__all__ = [
    "DISTRIBUTIONS",
    "METHODS",
    "Distribution",
    "DistributionError",
    "dimension_names",
    "unit_sample",
]

#: Sampling methods of :func:`unit_sample`.
METHODS: tuple[str, ...] = ("random", "sobol", "lhs")

#: Distribution kinds -> (required parameters, optional parameters).  ``lognormal`` needs
#: exactly one of ``mean`` (of ln x) and ``median`` besides ``sigma``.
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("sigma",), ("mean", "median", "low", "high")),
    "choice": (("values",), ("weights",)),
}

#: Parameters that are pure numbers (never converted to the lever's unit).
UNITLESS: frozenset[tuple[str, str]] = frozenset(
    {("lognormal", "mean"), ("lognormal", "sigma"), ("choice", "weights")}
)

#: Canonical order of parameters where it differs from required-then-optional.
_DISPLAY_ORDER = {"lognormal": ("mean", "median", "sigma", "low", "high")}
_LIST_PARAMS = frozenset({"values", "weights"})
#: Unit draws are kept inside the open interval so that unbounded tails stay finite.
_EPS = 2.0**-53


class DistributionError(CarbonsimError):
    """A distribution's parameters are missing, unknown or inconsistent.

    ``key`` is the offending parameter (``"dist"`` for the kind), ``problem`` what is wrong and
    ``expected`` what would be valid; the scenario loader adds the file and key path.
    """

    def __init__(self, key: str, problem: str, expected: str):
        super().__init__(f"{key}: {problem}; expected {expected}")
        self.key = key
        self.problem = problem
        self.expected = expected


@dataclass(frozen=True)
class Distribution:
    """A probability distribution of one lever value, in the lever's unit.

    Build with :meth:`create` (which validates).  ``params`` holds ``(name, value)`` pairs in
    canonical order; ``values`` and ``weights`` of ``choice`` are tuples.
    """

    kind: str
    params: tuple[tuple[str, float | tuple[float, ...]], ...]

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def create(cls, kind: str, params: Mapping[str, object]) -> Distribution:
        """Validate *params* (numbers, in the lever's unit) and build the distribution.

        Raises
        ------
        DistributionError
            Unknown kind, unknown or missing parameter, or inconsistent values
            (``low >= high``, ``sd <= 0``, weights not summing to a positive number, …).
        """
        allowed = _allowed(kind, params)
        required = DISTRIBUTIONS[kind][0]
        for key in required:
            if key not in params:
                raise DistributionError(
                    key, f"missing parameter {key!r}", f"{', '.join(required)} for a {kind}"
                )
        order = _DISPLAY_ORDER.get(kind, allowed)
        values = {key: _param_value(kind, key, params[key]) for key in order if key in params}
        _CHECKS[kind](values)
        return cls(kind, tuple(values.items()))

    @classmethod
    def from_table(cls, table: Mapping, to_value=None) -> Distribution:
        """Build from a scenario-file table ``{dist = "normal", mean = …, …}``.

        *to_value(key, raw)* turns a parameter that carries the lever's unit (a number or a
        string such as ``"20 GW"``) into a number; pure numbers (``sigma``, the ``mean`` of a
        lognormal, ``weights``) must be given without unit.
        """
        to_value = to_value or _as_given
        kind = table.get("dist")
        params = {key: value for key, value in table.items() if key != "dist"}
        _allowed(kind, params)
        converted = {}
        for key, raw in params.items():
            if (kind, key) in UNITLESS:
                converted[key] = _unitless(kind, key, raw)
            elif key in _LIST_PARAMS and isinstance(raw, list | tuple):
                converted[key] = [to_value(key, item) for item in raw]
            else:
                converted[key] = to_value(key, raw)
        return cls.create(kind, converted)

    def to_table(self) -> dict:
        """The scenario-file table of this distribution (inverse of :meth:`from_table`)."""
        return {"dist": self.kind, **self.parameters}

    def check_support(self, lower: float, upper: float, unit: str = "") -> None:
        """Refuse a distribution whose draws could leave ``[lower, upper]``."""
        low, high = self.support()
        bounds = f"[{lower:g}, {upper:g}] {unit}".rstrip()
        for key, outside, limit in (("low", low < lower, lower), ("high", high > upper, upper)):
            if not outside:
                continue
            given = self.get(key)
            reach = low if key == "low" else high
            problem = (
                f"{key} = {given:g} is outside the bounds {bounds}"
                if given is not None
                else f"a {self.kind} distribution without {key!r} reaches {reach:g}"
            )
            op = ">=" if key == "low" else "<="
            raise DistributionError(
                "values" if self.kind == "choice" else key,
                problem,
                f"{key!r} {op} {limit:g} {unit}: draws must stay inside the bounds {bounds}",
            )

    # -- access ---------------------------------------------------------------------------
    @property
    def parameters(self) -> dict[str, float | tuple[float, ...]]:
        """The parameters as a dict (a copy)."""
        return dict(self.params)

    def get(self, key: str, default=None):
        """One parameter, or *default*."""
        return self.parameters.get(key, default)

    def support(self) -> tuple[float, float]:
        """The smallest interval holding every possible draw ``[low, high]``."""
        p = self.parameters
        if self.kind == "choice":
            return min(p["values"]), max(p["values"])
        if self.kind == "lognormal":
            return p.get("low", 0.0), p.get("high", math.inf)
        return p.get("low", -math.inf), p.get("high", math.inf)

    # -- sampling -------------------------------------------------------------------------
    def ppf(self, u) -> np.ndarray:
        """Inverse CDF: map unit draws *u* (array in ``[0, 1)``) to values of the distribution."""
        u = np.clip(np.asarray(u, dtype=float), _EPS, 1.0 - _EPS)
        p = self.parameters
        if self.kind == "choice":
            cumulative = np.cumsum(p.get("weights", np.ones(len(p["values"]))))
            cumulative = cumulative / cumulative[-1]
            index = np.searchsorted(cumulative, u, side="right")
            return np.asarray(p["values"], dtype=float)[np.minimum(index, len(cumulative) - 1)]
        return np.asarray(_scipy_of(self).ppf(u), dtype=float)

    def _frozen(self):
        """The scipy.stats frozen distribution (truncation applied); :func:`_scipy_of` keeps it."""
        from scipy import stats  # imported when sampling: scipy.stats alone takes ~1 s to import

        p = self.parameters
        if self.kind == "uniform":
            return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
        if self.kind == "triangular":
            width = p["high"] - p["low"]
            return stats.triang(c=(p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
        if self.kind == "normal":
            low, high = p.get("low", -math.inf), p.get("high", math.inf)
            a, b = (low - p["mean"]) / p["sd"], (high - p["mean"]) / p["sd"]
            return stats.truncnorm(a, b, loc=p["mean"], scale=p["sd"])
        return _TruncatedLognormal(self._log_mean(), p["sigma"], p.get("low"), p.get("high"))

    def _log_mean(self) -> float:
        p = self.parameters
        return p["mean"] if "mean" in p else math.log(p["median"])

    # -- text -----------------------------------------------------------------------------
    def __str__(self) -> str:
        p = self.parameters
        if self.kind in ("uniform", "triangular"):
            return f"{self.kind}({', '.join(_fmt(v) for v in p.values())})"
        if self.kind == "choice":
            text = f"choice([{', '.join(_fmt(v) for v in p['values'])}]"
            if "weights" in p:
                text += f", weights=[{', '.join(_fmt(v) for v in p['weights'])}]"
            return text + ")"
        return f"{self.kind}({', '.join(f'{k}={_fmt(v)}' for k, v in p.items())})"


class _TruncatedLognormal:
    """ln x ~ normal(mu, sigma), optionally truncated to [low, high]; only ``ppf`` is needed."""

    def __init__(self, mu: float, sigma: float, low: float | None, high: float | None):
        from scipy import stats

        self._dist = stats.lognorm(s=sigma, scale=math.exp(mu))
        self._lo = 0.0 if low is None else float(self._dist.cdf(low))
        self._hi = 1.0 if high is None else float(self._dist.cdf(high))

    def ppf(self, u):
        return self._dist.ppf(self._lo + np.asarray(u) * (self._hi - self._lo))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _as_given(key: str, raw):
    return raw


def _allowed(kind, params: Mapping) -> tuple[str, ...]:
    """The parameter names of *kind*, after checking the kind and the names in *params*."""
    if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
        raise DistributionError(
            "dist",
            f"unknown distribution {kind!r}" if kind is not None else "no 'dist' given",
            f"dist = one of {', '.join(DISTRIBUTIONS)}." + did_you_mean(str(kind), DISTRIBUTIONS),
        )
    allowed = (*DISTRIBUTIONS[kind][0], *DISTRIBUTIONS[kind][1])
    for key in params:
        if key not in allowed:
            raise DistributionError(
                key,
                f"unknown parameter {key!r} of a {kind} distribution",
                f"parameters {', '.join(allowed)}." + did_you_mean(key, allowed),
            )
    return allowed


def _unitless(kind: str, key: str, raw):
    if isinstance(raw, str):
        why = {
            "mean": "the mean of ln x; give 'median' to use a unit",
            "sigma": "the standard deviation of ln x",
        }.get(key, "relative weights")
        raise DistributionError(key, f"{raw!r} has a unit", f"a plain number for {key!r} ({why})")
    return raw


def _param_value(kind: str, key: str, value):
    if key in _LIST_PARAMS:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise DistributionError(key, f"got {value!r}", f"a list of numbers for {key!r}")
        items = tuple(_number(key, v) for v in value)
        if not items:
            raise DistributionError(key, "an empty list", f"at least one entry in {key!r}")
        return items
    return _number(key, value)


def _number(key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise DistributionError(key, f"got {value!r}", f"a number for {key!r}")
    value = float(value)
    if not math.isfinite(value):
        raise DistributionError(key, f"got {value!r}", f"a finite number for {key!r}")
    return value


def _check_interval(p: dict) -> None:
    if "low" in p and "high" in p and not p["low"] < p["high"]:
        raise DistributionError(
            "high", f"high = {p['high']:g} is not above low = {p['low']:g}", "low < high"
        )


def _check_uniform(p: dict) -> None:
    _check_interval(p)


def _check_triangular(p: dict) -> None:
    _check_interval(p)
    if not p["low"] <= p["mode"] <= p["high"]:
        raise DistributionError(
            "mode",
            f"mode = {p['mode']:g} is outside [{p['low']:g}, {p['high']:g}]",
            "low <= mode <= high",
        )


def _check_normal(p: dict) -> None:
    if p["sd"] <= 0:
        raise DistributionError("sd", f"sd = {p['sd']:g}", "a positive standard deviation")
    _check_interval(p)


def _check_lognormal(p: dict) -> None:
    if ("mean" in p) == ("median" in p):
        raise DistributionError(
            "median",
            "both 'mean' and 'median' given"
            if "mean" in p
            else "neither 'mean' nor 'median' given",
            "exactly one of 'mean' (the mean of ln x, no unit) and 'median' (lever's unit)",
        )
    if "median" in p and p["median"] <= 0:
        raise DistributionError("median", f"median = {p['median']:g}", "a positive median")
    if p["sigma"] <= 0:
        raise DistributionError("sigma", f"sigma = {p['sigma']:g}", "a positive sigma (of ln x)")
    if p.get("low", 0.0) < 0:
        raise DistributionError("low", f"low = {p['low']:g}", "low >= 0 (a lognormal is positive)")
    _check_interval(p)


def _check_choice(p: dict) -> None:
    weights = p.get("weights")
    if weights is None:
        return
    if len(weights) != len(p["values"]):
        raise DistributionError(
            "weights",
            f"{len(weights)} weights for {len(p['values'])} values",
            "one weight per value",
        )
    if min(weights) < 0 or sum(weights) <= 0:
        raise DistributionError(
            "weights", f"weights {list(weights)}", "non-negative weights with a positive sum"
        )


_CHECKS = {
    "uniform": _check_uniform,
    "triangular": _check_triangular,
    "normal": _check_normal,
    "lognormal": _check_lognormal,
    "choice": _check_choice,
}


# ---------------------------------------------------------------------------------------------
# unit-cube streams
# ---------------------------------------------------------------------------------------------
def unit_sample(
    n: int, d: int, seed: int | None = None, method: str = "random", start: int = 0
) -> np.ndarray:
    """Rows ``start … start + n - 1`` of a stream of points in the unit cube ``[0, 1)^d``.

    Parameters
    ----------
    n : int
        Number of rows (scenarios).
    d : int
        Number of columns (uncertain values).
    seed : int, optional
        Non-negative integer below 2**128 making the stream reproducible; ``None`` draws fresh
        entropy (then chunks of one sweep do **not** share a stream: pass a seed to chunk).
    method : {"random", "sobol", "lhs"}
        See the module docstring.  ``"lhs"`` cannot be chunked: ``start`` must be 0.
    start : int
        Index of the first row.

    Returns
    -------
    numpy.ndarray
        ``(n, d)`` array of floats in ``[0, 1)``; row *i* does not depend on *n*.
    """
    n, d, start = _count(n, "n"), _count(d, "d"), _count(start, "start")
    if method not in METHODS:
        raise ValueError(
            f"unknown sampling method {method!r}; choose one of {', '.join(METHODS)}."
            + did_you_mean(method, METHODS)
        )
    key = _key(seed)
    if d == 0 or n == 0:
        return np.zeros((n, d))
    if method == "random":
        return _philox_rows(key, n, d, start)
    if method == "sobol":
        return _sobol_rows(key, n, d, start)
    if start != 0:
        raise ValueError(
            "method 'lhs' cannot be chunked: a Latin hypercube depends on the total number of "
            "rows; draw the whole block with start=0 and slice it, or use 'random' or 'sobol'"
        )
    from scipy.stats import qmc

    return _qmc(qmc.LatinHypercube, d, key).random(n)


def _count(value, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _key(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy) % 2**128
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**128:
        raise ValueError(f"seed must be an integer in [0, 2**128), got {seed!r}")
    return int(seed)


def _philox_rows(key: int, n: int, d: int, start: int) -> np.ndarray:
    """Philox-4x64 raw values ``start*d …`` as doubles; each counter step gives four values."""
    first = start * d
    bits = np.random.Philox(key=key, counter=first // 4)
    if first % 4:
        bits.random_raw(first % 4)
    raw = bits.random_raw(n * d)
    return ((raw >> np.uint64(11)).astype(float) * 2.0**-53).reshape(n, d)


def _qmc(engine, d: int, key: int):
    rng = np.random.default_rng(key)
    try:
        return engine(d, scramble=True, rng=rng)
    except TypeError:  # pragma: no cover - scipy < 1.15 names it ``seed``
        return engine(d, scramble=True, seed=rng)


def _sobol_rows(key: int, n: int, d: int, start: int) -> np.ndarray:
    from scipy.stats import qmc

    sobol = _qmc(qmc.Sobol, d, key)
    if start:
        sobol.fast_forward(start)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The balance properties of Sobol", category=UserWarning
        )
        return sobol.random(n)


def dimension_names(scenario) -> list[str]:
    """Names of the columns of a scenario's unit sample: ``"lever.county.year"`` key paths.

    Examples
    --------
    ``["other_industry_intensity_change.2030", "solar_capacity.yanchi.2030", "wind_hours.2025"]``
    """
    return [".".join(str(part) for part in path) for path, _ in scenario.distributions]


@functools.lru_cache(maxsize=1024)
def _scipy_of(dist: Distribution):
    """``dist._frozen()``, built once per distribution: building a scipy.stats frozen
    distribution (it writes its docstring) cost more than simulating one scenario."""
    return dist._frozen()
