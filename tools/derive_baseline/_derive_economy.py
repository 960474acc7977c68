"""County economy of 2020: the city GDP split over counties and sectors (by IPF)."""

from __future__ import annotations

from _derive_inputs import (
    CITY_GDP,
    CITY_STRUCTURE,
    CONSTRUCTION_SHARE_OF_SECONDARY,
    COUNTIES,
    H1_2023,
)


def split(total: float, weights: dict[str, float]) -> dict[str, float]:
    """Split *total* over counties in proportion to *weights*."""
    norm = sum(weights.values())
    return {c: total * weights.get(c, 0.0) / norm for c in COUNTIES}


def county_gdp() -> dict[str, float]:
    """2020 county GDP: the city total split by 2023 H1 GDP deflated by each county's growth."""
    weights = {c: v[0] / (1 + v[4] / 100) ** 3 for c, v in H1_2023.items()}
    return split(CITY_GDP, weights)


def ipf(seed: dict[str, list[float]], rows: dict[str, float], cols: list[float], n: int = 200):
    """Iterative proportional fitting of a county × sector seed to row and column totals."""
    table = {c: list(v) for c, v in seed.items()}
    for _ in range(n):
        for c in table:
            s = sum(table[c])
            table[c] = [x * rows[c] / s for x in table[c]]
        for j, total in enumerate(cols):
            s = sum(table[c][j] for c in table)
            for c in table:
                table[c][j] *= total / s
    return table


def value_added() -> dict[str, dict[str, float]]:
    """County value added by primary / industry / construction / tertiary [亿元]."""
    gdp = county_gdp()
    city = [CITY_GDP * s for s in CITY_STRUCTURE]
    seed = {
        c: [
            v[1] / (1 + v[4] / 100) ** 3,
            v[2] / (1 + v[4] / 100) ** 3,
            v[3] / (1 + v[4] / 100) ** 3,
        ]
        for c, v in H1_2023.items()
    }
    fitted = ipf(seed, gdp, city)
    k = CONSTRUCTION_SHARE_OF_SECONDARY
    return {
        c: {"primary": p, "industry": s * (1 - k), "construction": s * k, "tertiary": t}
        for c, (p, s, t) in fitted.items()
    }


def freight_shares(va) -> dict[str, float]:
    return split(1.0, {c: va[c]["industry"] + va[c]["construction"] for c in COUNTIES})
