"""Unit-cube streams (reproducible, batch-size independent) and distributions (quantiles)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from carbonsim.inputs.sampling import Distribution, DistributionError, dimension_names, unit_sample
from carbonsim.inputs.scenario import Scenario

QUANTILES = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
N = 20_000


# ---------------------------------------------------------------------------------------------
# unit_sample
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["random", "sobol", "lhs"])
def test_unit_sample_shape_range_and_seed(method):
    u = unit_sample(64, 3, seed=5, method=method)
    assert u.shape == (64, 3)
    assert np.all((u >= 0) & (u < 1))
    np.testing.assert_array_equal(u, unit_sample(64, 3, seed=5, method=method))
    assert not np.array_equal(u, unit_sample(64, 3, seed=6, method=method))


@pytest.mark.parametrize("method", ["random", "sobol"])
def test_rows_do_not_depend_on_batch_size(method):
    big = unit_sample(1000, 4, seed=123, method=method)
    np.testing.assert_array_equal(unit_sample(10, 4, seed=123, method=method), big[:10])
    np.testing.assert_array_equal(
        unit_sample(500, 4, seed=123, method=method, start=500), big[500:]
    )
    # any chunking reproduces the big batch
    chunks = [unit_sample(k, 4, seed=123, method=method, start=s) for s, k in _chunks(1000, 37)]
    np.testing.assert_array_equal(np.concatenate(chunks), big)


def _chunks(n, size):
    return [(s, min(size, n - s)) for s in range(0, n, size)]


def test_random_stream_is_uniform_and_columns_independent():
    u = unit_sample(N, 2, seed=0)
    assert stats.kstest(u[:, 0], "uniform").pvalue > 1e-3
    assert stats.kstest(u[:, 1], "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u.T)[0, 1]) < 0.03


def test_sobol_is_more_even_than_random():
    def discrepancy(u):
        from scipy.stats import qmc

        return qmc.discrepancy(u)

    sobol = unit_sample(1024, 3, seed=1, method="sobol")
    random = unit_sample(1024, 3, seed=1, method="random")
    assert discrepancy(sobol) < discrepancy(random)


def test_lhs_is_stratified_and_cannot_be_chunked():
    u = unit_sample(100, 2, seed=3, method="lhs")
    for column in u.T:
        assert sorted(np.floor(column * 100).astype(int)) == list(range(100))
    with pytest.raises(ValueError, match="cannot be chunked"):
        unit_sample(10, 2, seed=3, method="lhs", start=10)


def test_unit_sample_arguments():
    assert unit_sample(5, 0, seed=1).shape == (5, 0)
    assert unit_sample(0, 3, seed=1).shape == (0, 3)
    with pytest.raises(ValueError, match="Did you mean 'sobol'"):
        unit_sample(4, 2, seed=1, method="sobl")
    with pytest.raises(ValueError, match="seed"):
        unit_sample(4, 2, seed=-1)
    with pytest.raises(ValueError, match="non-negative"):
        unit_sample(4, 2, seed=1, start=-3)
    fresh = unit_sample(4, 2)  # no seed: fresh entropy, still valid
    assert fresh.shape == (4, 2) and np.all((fresh >= 0) & (fresh < 1))


# ---------------------------------------------------------------------------------------------
# distributions: quantiles against scipy, bounds
# ---------------------------------------------------------------------------------------------
CASES = [
    (
        Distribution.create("uniform", {"low": 0.1, "high": 0.3}),
        stats.uniform(loc=0.1, scale=0.2),
    ),
    (
        Distribution.create("triangular", {"low": -0.3, "mode": -0.2, "high": -0.1}),
        stats.triang(c=0.5, loc=-0.3, scale=0.2),
    ),
    (
        Distribution.create("triangular", {"low": 0.0, "mode": 0.0, "high": 2.0}),
        stats.triang(c=0.0, loc=0.0, scale=2.0),
    ),
    (
        Distribution.create("normal", {"mean": 1800, "sd": 150, "low": 1400, "high": 2200}),
        stats.truncnorm(-400 / 150, 400 / 150, loc=1800, scale=150),
    ),
    (
        Distribution.create("normal", {"mean": 0.1, "sd": 0.1, "low": 0.0, "high": 1.0}),
        stats.truncnorm(-1.0, 9.0, loc=0.1, scale=0.1),
    ),
    (
        Distribution.create("lognormal", {"median": 30.0, "sigma": 0.2}),
        stats.lognorm(s=0.2, scale=30.0),
    ),
    (
        Distribution.create("lognormal", {"mean": np.log(30.0), "sigma": 0.2}),
        stats.lognorm(s=0.2, scale=30.0),
    ),
]


@pytest.mark.parametrize(("dist", "reference"), CASES, ids=[str(d) for d, _ in CASES])
def test_sample_quantiles_match_scipy(dist, reference):
    sample = dist.ppf(unit_sample(N, 1, seed=2024)[:, 0])
    lo, hi = reference.ppf(0.001), reference.ppf(0.999)
    tolerance = 0.01 * (hi - lo)
    np.testing.assert_allclose(
        np.quantile(sample, QUANTILES), reference.ppf(QUANTILES), atol=tolerance
    )
    assert stats.kstest(sample, reference.cdf).pvalue > 1e-3


def test_truncated_lognormal_stays_inside_and_matches_conditional_quantiles():
    dist = Distribution.create("lognormal", {"median": 30.0, "sigma": 0.5, "low": 20, "high": 40})
    sample = dist.ppf(unit_sample(N, 1, seed=7)[:, 0])
    assert sample.min() >= 20 and sample.max() <= 40
    base = stats.lognorm(s=0.5, scale=30.0)
    lo, hi = base.cdf(20), base.cdf(40)
    expected = base.ppf(lo + QUANTILES * (hi - lo))
    np.testing.assert_allclose(np.quantile(sample, QUANTILES), expected, atol=0.2)


def test_choice_frequencies_follow_weights():
    dist = Distribution.create("choice", {"values": [0.1, 0.2, 0.3], "weights": [1, 2, 1]})
    sample = dist.ppf(unit_sample(N, 1, seed=9)[:, 0])
    values, counts = np.unique(sample, return_counts=True)
    assert list(values) == [0.1, 0.2, 0.3]
    np.testing.assert_allclose(counts / N, [0.25, 0.5, 0.25], atol=0.015)
    equal = Distribution.create("choice", {"values": [1.0, 2.0]})
    assert set(equal.ppf(np.array([0.0, 0.49, 0.5, 0.999]))) == {1.0, 2.0}


@pytest.mark.parametrize(("dist", "_"), CASES, ids=[str(d) for d, _ in CASES])
def test_ppf_respects_support_at_the_edges(dist, _):
    u = np.array([0.0, 1e-300, 0.5, 1 - 2**-53, 1.0])
    values = dist.ppf(u)
    low, high = dist.support()
    assert np.all(np.isfinite(values))
    assert np.all((values >= low) & (values <= high))
    assert np.all(np.diff(values) >= 0)  # monotone


@pytest.mark.parametrize(
    ("kind", "params", "key"),
    [
        ("gauss", {}, "dist"),
        ("uniform", {"low": 1.0}, "high"),
        ("uniform", {"low": 1.0, "high": 1.0}, "high"),
        ("uniform", {"low": 0.0, "hi": 1.0}, "hi"),
        ("triangular", {"low": 0.0, "mode": 2.0, "high": 1.0}, "mode"),
        ("normal", {"mean": 0.0, "sd": 0.0}, "sd"),
        ("lognormal", {"sigma": 0.2}, "median"),
        ("lognormal", {"sigma": 0.2, "mean": 1.0, "median": 3.0}, "median"),
        ("lognormal", {"sigma": -1.0, "median": 3.0}, "sigma"),
        ("choice", {"values": []}, "values"),
        ("choice", {"values": [1.0, 2.0], "weights": [1.0]}, "weights"),
        ("choice", {"values": [1.0, 2.0], "weights": [0.0, 0.0]}, "weights"),
    ],
)
def test_invalid_distributions(kind, params, key):
    with pytest.raises(DistributionError) as info:
        Distribution.create(kind, params)
    assert info.value.key == key
    assert info.value.expected


def test_check_support_names_the_side():
    normal = Distribution.create("normal", {"mean": 0.5, "sd": 0.1, "low": 0.0})
    with pytest.raises(DistributionError) as info:
        normal.check_support(0.0, 1.0, "1")
    assert info.value.key == "high" and "<= 1" in info.value.expected
    normal.check_support(0.0, float("inf"))


def test_distribution_text_and_table():
    dist = Distribution.create("triangular", {"low": -0.3, "mode": -0.2, "high": -0.1})
    assert str(dist) == "triangular(-0.3, -0.2, -0.1)"
    assert dist.to_table() == {"dist": "triangular", "low": -0.3, "mode": -0.2, "high": -0.1}
    assert Distribution.from_table(dist.to_table()) == dist


def test_dimension_names_of_a_scenario():
    s = Scenario(
        id="d",
        levers={
            "solar_capacity": {"tongxin": {"dist": "uniform", "low": 1, "high": 2}},
            "gdp_growth": {"default": {2030: {"dist": "uniform", "low": 0.0, "high": 0.1}}},
        },
    )
    assert dimension_names(s) == ["gdp_growth.default.2030", "solar_capacity.tongxin"]
