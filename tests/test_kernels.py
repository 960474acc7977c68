"""Kernels on small hand-worked arrays: vehicle fleet, building vintages, fuel switching, ratio."""

from __future__ import annotations

import numpy as np
import pytest

from carbonsim.engine.arith import ratio
from carbonsim.engine.mix import switch_mix
from carbonsim.engine.stocks import building_energy, vehicle_fleet


def test_vehicle_fleet_by_hand():
    # 100 vehicles, 10 % electric; +10 %/yr, 5 % scrapped, half of sales electric
    growth = np.full((1, 1, 3), 0.1)
    stock, nev = vehicle_fleet(
        np.array([100.0]), np.array([0.1]), growth, np.full((1, 3), 0.05), np.full((1, 1, 3), 0.5)
    )
    # 2021: 110 = 95 survivors + 15 sales; electric 10 x 0.95 + 15 x 0.5 = 17
    # 2022: 121 = 104.5 + 16.5; electric 17 x 0.95 + 16.5 x 0.5 = 24.4
    np.testing.assert_allclose(stock[0, 0], [100.0, 110.0, 121.0])
    np.testing.assert_allclose(nev[0, 0], [10.0, 17.0, 24.4])


def test_vehicle_fleet_shrinking_keeps_the_electric_share_of_survivors():
    stock, nev = vehicle_fleet(
        np.array([100.0]),
        np.array([0.5]),
        np.full((1, 1, 2), -0.2),
        np.full((1, 2), 0.1),
        np.zeros((1, 1, 2)),
    )
    # 80 left of 90 survivors, no sales: electric 50 x 0.9 x 80/90 = 40
    np.testing.assert_allclose(stock[0, 0, 1], 80.0)
    np.testing.assert_allclose(nev[0, 0, 1], 40.0)


def test_building_energy_by_hand():
    # 100 (1e4 m2) at 0.1 tce/m2; +10 %; new buildings -50 %; 20 % retrofitted saving half
    area, energy = building_energy(
        np.array([100.0]),
        np.array([10.0]),
        np.full((1, 1, 2), 0.1),
        np.full((1, 2), -0.5),
        np.full((1, 2), 0.2),
        np.full((1, 2), 0.5),
    )
    # 80 old x 0.1 + 20 retrofitted x 0.05 + 10 new x 0.05 = 8 + 1 + 0.5
    np.testing.assert_allclose(area[0, 0], [100.0, 110.0])
    np.testing.assert_allclose(energy[0, 0], [10.0, 9.5])


def test_building_energy_shrinking_stock_loses_every_vintage_in_proportion():
    _, energy = building_energy(
        np.array([100.0]),
        np.array([10.0]),
        np.full((1, 1, 2), -0.5),
        np.zeros((1, 2)),
        np.full((1, 2), 0.2),
        np.full((1, 2), 0.5),
    )
    # 50 left, 10 of them retrofitted: 40 x 0.1 + 10 x 0.05
    np.testing.assert_allclose(energy[0, 0, 1], 4.5)


def test_switch_mix_scales_the_free_fuels_in_their_2020_proportions():
    base = np.array([0.5, 0.3, 0.2])[None, :, None]  # coal, gas, electricity
    before = base.copy()
    out = switch_mix(base, {2: np.array([[0.6, 0.8]])}, fallback=0)
    np.testing.assert_allclose(out[0, :, 0], [0.25, 0.15, 0.6])
    np.testing.assert_allclose(out[0, :, 1], [0.125, 0.075, 0.8])
    np.testing.assert_allclose(out.sum(axis=-2), 1.0)
    np.testing.assert_array_equal(base, before)  # inputs are not modified


def test_switch_mix_gives_the_remainder_to_the_fallback_fuel():
    base = np.array([0.0, 0.0, 1.0])[None, :, None]  # all electric in 2020
    out = switch_mix(base, {2: np.array([[0.4]])}, fallback=0)
    np.testing.assert_allclose(out[0, :, 0], [0.6, 0.0, 0.4])


@pytest.mark.parametrize(
    ("a", "b", "empty", "expected"),
    [(1.0, 2.0, 0.0, 0.5), (0.0, 0.0, 0.0, 0.0), (3.0, 0.0, 0.0, 0.0), (1.0, 0.0, 1.0, 1.0)],
)
def test_ratio_rule_for_zero_denominators(a, b, empty, expected):
    assert float(ratio(a, b, empty=empty)) == expected


def test_ratio_nan_where_undefined():
    assert np.isnan(ratio(np.array([1.0]), np.array([0.0]), empty=np.nan))[0]
