"""The IAMC vocabulary carbonsim maps to: the table's columns, the variable mapping, region names,
and the sums that hold in exported data.

The variable mapping is the table ``carbonsim/data/iamc_variables.csv``: one row per term,
``iamc_variable = Σ weight × variable[selection]`` (summed over the dims the selection leaves),
times ``factor`` from ``model_unit`` to ``iamc_unit``.  ``docs/exchange.md`` lists it.

Regions: the city is ``"Wuzhong"`` and each county ``"Wuzhong|Litong"`` etc., so that pyam's
``check_aggregate_region(variable, region="Wuzhong")`` finds the five counties as the city's
sub-regions by default.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import pandas as pd

from carbonsim.constants import CITY, DATA_DIR
from carbonsim.errors import CarbonsimError

__all__ = [
    "AGGREGATES",
    "IAMC_COLUMNS",
    "IamcError",
    "IamcVariable",
    "iamc_region",
    "iamc_variables",
    "mapping_table",
    "region_id",
]

IAMC_COLUMNS = ("model", "scenario", "region", "variable", "unit", "year", "value")

_SECTORS = "Industry; Residential and Commercial; Transportation; Other Sector"


def _sum(total: str, parts: str, template: str = "") -> tuple[str, tuple[str, ...]]:
    """``(total, components)``; components are ``template.format(part)`` (default: children)."""
    template = template or total + "|{}"
    return total, tuple(template.format(p.strip()) for p in parts.split(";"))


#: Sums that hold in the exported data, ``(total, components)`` for pyam ``check_aggregate``.
AGGREGATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    _sum("Emissions|CO2", "Energy; Industrial Processes"),
    _sum("Emissions|CO2|Energy", "Demand; Supply"),
    _sum("Emissions|CO2|Energy|Demand", _SECTORS),
    _sum("Emissions|CO2|Energy|Supply", "Heat; Electricity"),
    _sum(
        "Emissions|CO2|Industrial Processes",
        "Aluminium; Magnesium; Cement; Coke; Calcium Carbide; Caustic Soda",
    ),
    _sum("Carbon Sequestration|Land Use", "Forest; Grassland; Wetland"),
    _sum("Primary Energy", "Coal; Oil; Gas; Non-Fossil"),
    _sum("Primary Energy|Fossil", "Coal; Oil; Gas", "Primary Energy|{}"),
    _sum("Final Energy", _SECTORS),
    _sum("Final Energy", "Solids; Liquids; Gases; Electricity; Heat; Hydrogen"),
    _sum(
        "Final Energy|Industry",
        "Non-Ferrous Metals; Non-Metallic Minerals; Chemicals; Construction; Other",
    ),
    _sum("Final Energy|Residential and Commercial", "Residential; Commercial"),
    _sum("Final Energy|Transportation", "Passenger; Freight"),
    _sum("Final Energy|Electricity", _SECTORS, "Final Energy|{}|Electricity"),
    _sum("Final Energy|Solids", "Coal; Biomass"),
    _sum("Secondary Energy|Electricity", "Coal; Gas; Hydro; Wind; Solar; Biomass"),
    _sum("Capacity|Electricity|Wind and Solar", "Wind; Solar", "Capacity|Electricity|{}"),
    _sum("Capacity|Electricity|Storage", "Battery; Pumped Hydro"),
    _sum("GDP|MER", "Agriculture; Industry; Construction; Services", "Value Added|{}"),
)


class IamcError(CarbonsimError):
    """An IAMC table or request that carbonsim cannot read or honour."""


# ---------------------------------------------------------------------------------------------
# the mapping table
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Term:
    variable: str
    selection: tuple[tuple[str, tuple[str, ...]], ...]
    weight: float


@dataclass(frozen=True)
class IamcVariable:
    """One IAMC variable: ``Σ weight × variable[selection]`` times *factor* to *iamc_unit*."""

    name: str
    terms: tuple[_Term, ...]
    model_unit: str
    iamc_unit: str
    factor: float
    equivalent: tuple[str, ...] = ()
    aggregate: bool = True
    description: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        """The carbonsim variables it is computed from."""
        return tuple(dict.fromkeys(t.variable for t in self.terms))

    @property
    def slice_of(self) -> tuple[str, dict[str, str]] | None:
        """``(variable, {dim: coordinate})`` when it is one slice of one carbonsim variable."""
        if len(self.terms) != 1 or self.terms[0].weight != 1:
            return None
        term = self.terms[0]
        if any(len(coords) != 1 for _, coords in term.selection):
            return None
        return term.variable, {dim: coords[0] for dim, coords in term.selection}


def _parse_selection(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``"sector=a+b;fuel=oil"`` -> ``(("sector", ("a", "b")), ("fuel", ("oil",)))``."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        dim, _, coords = part.partition("=")
        out.append((dim.strip(), tuple(c.strip() for c in coords.split("+"))))
    return tuple(out)


@cache
def iamc_variables() -> dict[str, IamcVariable]:
    """The mapping table (``data/iamc_variables.csv``), IAMC name -> :class:`IamcVariable`."""
    path = DATA_DIR / "iamc_variables.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["iamc_variable"], []).append(row)
    out = {}
    for name, group in grouped.items():
        first = group[0]
        terms = tuple(
            _Term(r["variable"], _parse_selection(r["selection"]), float(r["weight"]))
            for r in group
        )
        out[name] = IamcVariable(
            name=name,
            terms=terms,
            model_unit=first["model_unit"],
            iamc_unit=first["iamc_unit"],
            factor=float(first["factor"]),
            equivalent=tuple(e for e in first["equivalent"].split("+") if e),
            aggregate=first["aggregate"] == "sum",
            description=first["description"],
        )
    return out


def mapping_table() -> pd.DataFrame:
    """The mapping table as a DataFrame (one row per term), for display and docs."""
    path = DATA_DIR / "iamc_variables.csv"
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------------
def _label(region: str) -> str:
    return region.replace("_", " ").title()


def iamc_region(region: str, city: str = CITY) -> str:
    """IAMC name of a region id: ``"Wuzhong"`` for the city, ``"Wuzhong|Litong"`` for a county."""
    return _label(city) if region == city else f"{_label(city)}|{_label(region)}"


def region_id(name: str) -> str:
    """The region id of an IAMC region name (inverse of :func:`iamc_region`)."""
    return name.split("|")[-1].strip().lower().replace(" ", "_")


def _require(module: str, why: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{module} is needed {why}: pip install 'carbonsim[iamc]'") from exc
