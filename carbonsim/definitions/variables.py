"""The trajectory variables, declared once in ``data/variables.csv``: units, names, extra dims.

Every simulated indicator the catalogue can test, every label a chart draws and every attribute
a NetCDF file carries comes from this table (pvlib's published nomenclature; ``docs/glossary.md``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache

from carbonsim.constants import DATA_DIR, FUELS, PRODUCTS, SECTORS, TECHS
from carbonsim.definitions.levers import LEVERS
from carbonsim.engine.axes import CO2_SOURCES, PRIMARY_FUELS, SINK_TYPES

__all__ = ["EXTRA_DIMS", "tracked_metadata", "variable_attrs", "variable_metadata"]


@cache
def variable_metadata() -> dict[str, dict[str, str]]:
    """Units and bilingual names of every trajectory variable (``data/variables.csv``)."""
    path = DATA_DIR / "variables.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


EXTRA_DIMS = {
    "economic_sector": ("primary", "industry", "construction", "tertiary"),
    "sector": SECTORS,
    "fuel": FUELS,
    "tech": TECHS,
    "product": PRODUCTS,
    "primary_fuel": PRIMARY_FUELS,
    "co2_source": CO2_SOURCES,
    "fossil_fuel": ("coal", "oil", "gas"),
    "sink_type": SINK_TYPES,
    "building": ("residential", "public"),
}


def variable_attrs(info: Mapping[str, str]) -> dict[str, str]:
    """The NetCDF attributes of a variable from its row of ``variables.csv``."""
    return {
        "units": info["units"],
        "long_name": info["long_name"],
        "long_name_zh": info["long_name_zh"],
        "description": info["description"],
    }


def tracked_metadata(name: str) -> dict[str, str]:
    """A row like ``variables.csv``'s for a tracked indicator (a lever the scenario sets)."""
    spec = LEVERS[name]
    return {
        "units": spec.unit,
        "long_name": spec.description or name,
        "long_name_zh": spec.name_zh,
        "description": f"Tracked indicator: path supplied by the scenario. {spec.description}",
    }
