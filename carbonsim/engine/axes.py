"""The engine's array contract: axis positions, the labels along each axis, and index maps.

Every engine array has the scenario axis first and the year axis last; a county array has the
region axis second (``(S, R, ..., Y)``), a city-wide one has none (``(S, ..., Y)``).  Output
arrays have the city at region index 0 and the counties after it, in the baseline's order.
Kernels use these names (``x.sum(axis=REGION)``), never bare axis numbers.
"""

from __future__ import annotations

from carbonsim.constants import FUELS, PRODUCTS, SECTORS, TECHS

__all__ = [
    "CITY_INDEX",
    "CO2_BASES",
    "CO2_SOURCES",
    "FUEL",
    "GEN_TECHS",
    "PRIMARY_FUEL",
    "PRIMARY_FUELS",
    "PRODUCT",
    "REGION",
    "SCENARIO",
    "SECTOR",
    "SINK",
    "SINK_TYPES",
    "SOURCE",
    "TECH",
    "YEAR",
    "F",
    "P",
    "S",
    "T",
]

#: axis of the scenarios (every array)
SCENARIO = 0
#: axis of the regions in county and output arrays ``(S, R, ..., Y)``
REGION = 1
#: axis of the years (every array: last)
YEAR = -1
#: axis of the sectors in ``(S, R, sector, [fuel,] Y)`` arrays (final energy, CO2 by sector)
SECTOR = 2
#: axis of the fuels: the one before the year, in ``(S, R, [sector,] fuel, Y)`` arrays
FUEL = -2
#: axis of the technologies in ``(S, R, tech, Y)`` arrays (capacity, generation)
TECH = 2
#: axis of the products in ``(S, R, product, Y)`` arrays
PRODUCT = 2
#: axis of the primary fuels in ``(S, R, primary_fuel, Y)`` (primary energy)
PRIMARY_FUEL = 2
#: axis of the CO2 sources in ``(S, R, co2_source, Y)``
SOURCE = 2
#: axis of the sink types in ``(S, R, sink_type, Y)``
SINK = 2
#: index of the city on the region axis of output arrays (counties follow)
CITY_INDEX = 0

#: fuel -> index on a ``fuel`` axis (:data:`carbonsim.constants.FUELS`)
F = {fuel: i for i, fuel in enumerate(FUELS)}
#: final-energy sector -> index on a ``sector`` axis
S = {sector: i for i, sector in enumerate(SECTORS)}
#: technology -> index on a ``tech`` axis
T = {tech: i for i, tech in enumerate(TECHS)}
#: product -> index on a ``product`` axis
P = {product: i for i, product in enumerate(PRODUCTS)}

#: generating technologies (storage technologies generate nothing of their own)
GEN_TECHS = ("coal", "gas", "hydro", "wind", "solar", "biomass")
#: labels of the ``primary_fuel`` axis
PRIMARY_FUELS = ("coal", "oil", "gas", "non_fossil")
#: labels of the ``co2_source`` axis
CO2_SOURCES = ("end_use", "heat", "power", "process")
#: labels of the ``sink_type`` axis
SINK_TYPES = ("forest", "grassland", "wetland")
#: the CO2 accounts (docs/model.md)
CO2_BASES = ("consumption", "assessment", "territorial")
