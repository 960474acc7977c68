"""The lever table: every input a scenario can set, declared once.

``carbonsim/data/levers.csv`` (name, group, dims, unit, default, lower, upper, clause, name_zh,
description) drives validation here, the scenario files and the generated ``docs/levers.md``,
the way PyPSA's component attribute tables do.  Tracked indicators of the target catalogue
(forest coverage, green factories, …) are levers too: the scenario supplies their path.

Each lever becomes an array with the scenario axis first: ``(scenario, region, year)`` when its
``dims`` are ``region,year`` and ``(scenario, year)`` when they are ``year``.  The value forms a
scenario may give are parsed in :mod:`carbonsim.inputs.values`.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from carbonsim.constants import DATA_DIR, REGIONS
from carbonsim.definitions.tracked import tracked_indicators
from carbonsim.errors import LeverError, did_you_mean

__all__ = ["LEVERS", "LeverSpec", "lever_table", "render_levers_markdown"]


@dataclass(frozen=True)
class LeverSpec:
    """One row of the lever table."""

    name: str
    group: str
    dims: tuple[str, ...]
    unit: str
    default: float | str
    lower: float
    upper: float
    clause: str
    name_zh: str
    description: str

    @property
    def regional(self) -> bool:
        """Whether the lever has a ``region`` axis."""
        return "region" in self.dims

    @property
    def is_rate(self) -> bool:
        """Rates (unit ``1/yr``) hold their first milestone backwards (no 2020 start)."""
        return self.unit == "1/yr"

    def shape(self, n: int, n_years: int, n_regions: int = len(REGIONS)) -> tuple[int, ...]:
        """The full array shape for *n* scenarios."""
        return (n, n_regions, n_years) if self.regional else (n, n_years)


def _parse_default(text: str) -> float | str:
    text = text.strip()
    return text if text == "baseline" else float(text)


@cache
def _core_levers() -> dict[str, LeverSpec]:
    path = DATA_DIR / "levers.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    specs = {}
    for row in rows:
        specs[row["name"]] = LeverSpec(
            name=row["name"],
            group=row["group"],
            dims=tuple(d.strip() for d in row["dims"].split(",") if d.strip()),
            unit=row["unit"],
            default=_parse_default(row["default"]),
            lower=float(row["lower"]),
            upper=float(row["upper"]),
            clause=row["clause"],
            name_zh=row["name_zh"],
            description=row["description"],
        )
    return specs


@cache
def _tracked_levers() -> dict[str, LeverSpec]:
    specs = {}
    for name, info in tracked_indicators().items():
        unit = info.get("unit", "1")
        default = "baseline" if info.get("default") == "baseline" else math.nan
        # Tracked targets are city-wide: only the land indicators that drive the sinks are
        # given per county (a city path given per county would be summed five times).
        dims = ("region", "year") if default == "baseline" else ("year",)
        upper = 1.0 if unit == "1" else math.inf
        specs[name] = LeverSpec(
            name=name,
            group="tracked",
            dims=dims,
            unit=unit,
            default=default,
            lower=0.0,
            upper=upper,
            clause=str(info.get("clause", "")),
            name_zh=str(info.get("long_name_zh", "")),
            description=str(info.get("description", info.get("long_name", ""))),
        )
    return specs


def lever_table() -> dict[str, LeverSpec]:
    """All levers: the core table plus one per tracked indicator of the catalogue."""
    return {**_tracked_levers(), **_core_levers()}


class _LeverMapping(Mapping):
    """Read-only, lazily loaded mapping name -> :class:`LeverSpec` (``carbonsim.LEVERS``)."""

    def __getitem__(self, name: str) -> LeverSpec:
        table = lever_table()
        if name not in table:
            raise LeverError(f"unknown lever {name!r}.{did_you_mean(name, table)}")
        return table[name]

    def __iter__(self):
        return iter(lever_table())

    def __len__(self) -> int:
        return len(lever_table())

    def __repr__(self) -> str:
        return f"<carbonsim levers: {len(self)} ({', '.join(list(self)[:5])}, …)>"


LEVERS = _LeverMapping()


def render_levers_markdown() -> str:
    """The lever table as Markdown (``docs/levers.md`` is generated from this)."""
    lines = [
        "# Levers",
        "",
        "Generated from `carbonsim/data/levers.csv` by `carbonsim levers --format markdown`; "
        "do not edit by hand.",
        "",
        "Every lever is an array with the scenario axis first; `dims` lists the others. "
        "`baseline` as default means the lever's 2020 value from the baseline calibration. "
        "Tracked indicators (group `tracked`) default to no path (not evaluated) unless noted.",
        "",
        "| name | 中文 | group | dims | unit | default | bounds | plan clause | description |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for spec in lever_table().values():
        default = spec.default if isinstance(spec.default, str) else f"{spec.default:g}"
        if default == "nan":
            default = "—"
        lines.append(
            f"| `{spec.name}` | {spec.name_zh} | {spec.group} | {','.join(spec.dims)} | "
            f"{spec.unit} | {default} | [{spec.lower:g}, {spec.upper:g}] | {spec.clause} | "
            f"{spec.description} |"
        )
    return "\n".join(lines) + "\n"
