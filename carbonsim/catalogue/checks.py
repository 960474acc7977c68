"""Validation of target catalogues (used by :mod:`carbonsim.catalogue`).

Each failure is a :class:`~carbonsim.errors.CatalogueError` whose message names the file, the record
(id, or index when the id is missing) and the key, says what was expected and suggests the closest
valid choice.  The vocabulary (operators, tiers, kinds, simulated indicators) is declared here once.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from carbonsim.constants import ALL_REGIONS
from carbonsim.definitions.variables import variable_metadata
from carbonsim.errors import CatalogueError, UnitError, choices_text, did_you_mean
from carbonsim.textfile import read_text
from carbonsim.units import convert, dimension, known_units

#: Comparison operators: the record carries a ``value``.
VALUE_OPERATORS: tuple[str, ...] = (">=", "<=", "==", "approx")
#: Operators on peak years and trajectory shape (``kind = "order"``); no ``value``.
ORDER_OPERATORS: tuple[str, ...] = (
    "peak_by",
    "peak_in",
    "peak_before",
    "peak_with",
    "nonincreasing",
)
OPERATORS: tuple[str, ...] = VALUE_OPERATORS + ORDER_OPERATORS
TIERS: tuple[str, ...] = ("binding", "stretch", "approx", "qualitative")
KINDS: tuple[str, ...] = ("simulated", "tracked", "order")
BASES: tuple[str, ...] = ("absolute", "relative_change")
#: Which side of an ``approx`` (左右) value the plan wants: ``up`` — a share or count to raise
#: (met when ``x >= value - tolerance``), ``down`` — a decline or a cap, and 保持稳定 (no growth
#: beyond the slack: ``x <= value + tolerance``), ``level`` — staying near a level
#: (``|x - value| <= tolerance``, the two-sided reading).
DIRECTIONS: tuple[str, ...] = ("up", "down", "level")
FIRST_TARGET_YEAR, LAST_TARGET_YEAR = 2020, 2060

#: Indicators the model computes, with their model unit.  ``kind = "simulated"`` and
#: ``kind = "order"`` records must use one of these names.
#: indicator -> unit of every simulated indicator a target can test: the trajectory variables
#: of ``data/variables.csv`` without extra dims (one list, declared once)
SIMULATED_INDICATORS: dict[str, str] = {
    name: row["units"] for name, row in variable_metadata().items() if not row["dims"]
}

#: Simulated indicators that are scenario inputs read back, with the levers that set them
#: (``carbonsim/data/levers.csv``).  The model does not compute them, so a scenario meets a
#: target on them by construction: they are reported ``set_by_scenario``, never ``met``.
#: ``tests/test_verdicts.py`` checks that every lever named here is in the lever table.
SCENARIO_SET_INDICATORS: dict[str, tuple[str, ...]] = {
    "new_energy_capacity": ("wind_capacity", "solar_capacity"),
    "coal_supply_rate": ("coal_supply_rate",),
    "green_hydrogen_production": ("green_hydrogen_production", "freight_hydrogen_share"),
    "storage_to_new_energy_ratio": ("storage_ratio",),
    "storage_duration": ("storage_hours",),
    "pumped_hydro_capacity": ("pumped_hydro_capacity",),
    "pumped_hydro_energy_capacity": ("pumped_hydro_capacity", "pumped_hydro_hours"),
    "recycled_aluminium_share": ("recycled_aluminium_share",),
    "unit_energy_coke": ("unit_energy_change_coke",),
    "unit_energy_carbide": ("unit_energy_change_carbide",),
    "unit_energy_caustic_soda": ("unit_energy_change_caustic_soda",),
    "output_coke": ("output_coke",),
    "output_carbide": ("output_carbide",),
    "output_caustic_soda": ("output_caustic_soda",),
    "output_clinker": ("output_clinker",),
    "nev_sales_share": ("nev_sales_share",),
    "green_travel_share": ("green_travel_share",),
}


def indicator_source(indicator: str, kind: str) -> str:
    """``"scenario"`` when the indicator is set by the scenario (a tracked indicator, or a
    simulated one that reads levers back, :data:`SCENARIO_SET_INDICATORS`), else ``"model"``.

    Examples
    --------
    >>> indicator_source("nev_sales_share", "simulated"), indicator_source("co2", "order")
    ('scenario', 'model')
    """
    if kind == "tracked" or indicator in SCENARIO_SET_INDICATORS:
        return "scenario"
    return "model"


def default_direction(op: str, basis: str, value: float | None) -> str | None:
    """The side an ``approx`` record is met on when the catalogue does not say: a relative
    change <= 0 (下降 … 左右, 保持稳定) is ``down``, anything else ``up``; None for other ops."""
    if op != "approx":
        return None
    return "down" if basis == "relative_change" and (value or 0.0) <= 0 else "up"


_REQUIRED = (
    "id",
    "region",
    "indicator",
    "year",
    "op",
    "unit",
    "basis",
    "tier",
    "kind",
    "clause",
    "source_text",
)
_ORDER_KEYS = ("other_region", "other_indicator", "lag_years", "first_year", "last_year")
_TOP_LEVEL_KEYS = ("title", "description", "regions", "target", "readings")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_RANGE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[-–~]\s*(\d+(?:\.\d+)?)\s*$")

#: Keys of a ``[[target]]`` record, in the order the catalogue writes them and
#: :meth:`Catalogue.to_dataframe` shows them (the fields of :class:`carbonsim.catalogue.Target`).
FIELDS: tuple[str, ...] = (
    "id",
    "region",
    "indicator",
    "year",
    "op",
    "value",
    "unit",
    "value_as_written",
    "unit_as_written",
    "basis",
    "base_year",
    "tier",
    "kind",
    "clause",
    "source_text",
    "note",
    "tolerance",
    "direction",
    "other_region",
    "other_indicator",
    "lag_years",
    "first_year",
    "last_year",
)


def read_catalogue_file(file: Path) -> tuple[tuple[str, ...], list[Any]]:
    try:
        data = tomllib.loads(read_text(file, "target catalogue", CatalogueError))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{file}: not valid TOML: {exc}") from None
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise CatalogueError(
                f"{file}: top level, key {key!r}: unknown key; expected one of "
                f"{choices_text(_TOP_LEVEL_KEYS)}.{did_you_mean(key, _TOP_LEVEL_KEYS)}"
            )
    records = data.get("target")
    if not isinstance(records, list) or not records:
        raise CatalogueError(
            f"{file}: top level, key 'target': expected one or more [[target]] tables"
        )
    return _declared_regions(file, data.get("regions", ALL_REGIONS)), records


def read_readings(file: Path) -> list[tuple[tuple[str, ...], str]]:
    """The ``[[readings]]`` tables of *file*: ``(target ids, how the readings differ)``.

    A reading group lists records that are readings of one clause, or of paired clauses that
    restate one target (e.g. 二(1) 18%左右 and 三(一)1 达到18%); reports show them together with
    the ``differ`` line.
    """
    try:
        text = read_text(file, "target catalogue", CatalogueError)
        tables = tomllib.loads(text).get("readings", [])
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{file}: cannot read the [[readings]] tables: {exc}") from None
    groups = []
    for index, table in enumerate(tables if isinstance(tables, list) else [tables], start=1):
        where = f"{file}: readings #{index}"
        if not isinstance(table, dict) or set(table) != {"targets", "differ"}:
            raise CatalogueError(
                f"{where}: expected exactly the keys 'targets' (a list of two or more ids) and "
                "'differ' (one line saying how the readings differ)"
            )
        ids, differ = table["targets"], table["differ"]
        if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, str) for i in ids):
            raise CatalogueError(f"{where}, key 'targets': expected a list of two or more ids")
        if not isinstance(differ, str) or not differ.strip():
            raise CatalogueError(f"{where}, key 'differ': expected a non-empty string")
        groups.append((tuple(ids), differ.strip()))
    return groups


def _declared_regions(file: Path, regions: Any) -> tuple[str, ...]:
    if (
        not isinstance(regions, list | tuple)
        or not regions
        or not all(isinstance(r, str) and _ID_PATTERN.match(r) for r in regions)
        or len(set(regions)) != len(regions)
    ):
        raise CatalogueError(
            f"{file}: top level, key 'regions': expected a list of unique snake_case region ids, "
            f"e.g. regions = {list(ALL_REGIONS)!r}; got {regions!r}"
        )
    return tuple(regions)


# ---------------------------------------------------------------------------------------------
# Validation of one record
# ---------------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class RecordChecker:
    """Validates one ``[[target]]`` table (the *index*-th of *file*)."""

    def __init__(
        self,
        file: Path,
        index: int,
        record: Any,
        regions: tuple[str, ...],
        tracked_units: dict[str, str],
    ):
        self.file, self.index, self.regions = file, index, regions
        self.tracked_units = tracked_units
        self.record = record if isinstance(record, dict) else {}
        rid = self.record.get("id")
        self.label = (
            f"target {rid!r} (record #{index})"
            if isinstance(rid, str) and rid
            else f"record #{index} (no id)"
        )
        if not isinstance(record, dict):
            self.fail("id", f"expected a [[target]] table, got {type(record).__name__}")

    def fail(
        self, key: str, message: str, got: Any = None, choices: Iterable[str] = ()
    ) -> NoReturn:
        choices = list(choices)
        hint = did_you_mean(got, choices) if choices and got is not None else ""
        raise CatalogueError(f"{self.file}: {self.label}, key {key!r}: {message}{hint}")

    def check(self) -> dict[str, Any]:
        """The record's fields, checked and completed with defaults (raises on the first error)."""
        self.check_keys()
        self.check_strings()
        self.check_choices()
        self.check_years()
        self.check_units()
        self.check_value()
        self.check_as_written()
        self.check_order_keys()
        return self.build()

    def check_keys(self) -> None:
        valid = FIELDS
        for key in self.record:
            if key not in valid:
                self.fail(key, f"unknown key; valid keys: {choices_text(valid)}.", key, valid)
        for key in _REQUIRED:
            if key not in self.record:
                self.fail(
                    key, f"missing required key {key!r}; every target needs {', '.join(_REQUIRED)}"
                )

    def check_strings(self) -> None:
        rec = self.record
        if not isinstance(rec["id"], str) or not _ID_PATTERN.match(rec["id"]):
            self.fail(
                "id",
                f"expected a snake_case id such as 'main_2025_new_energy_capacity', "
                f"got {rec['id']!r}",
            )
        for key in (
            "indicator",
            "unit",
            "clause",
            "source_text",
            "note",
            "unit_as_written",
            "direction",
            "other_region",
            "other_indicator",
        ):
            if key in rec and (not isinstance(rec[key], str) or not rec[key].strip()):
                self.fail(key, f"expected a non-empty string, got {rec[key]!r}")

    def check_choice(self, key: str, choices: Iterable[str], what: str) -> None:
        value, choices = self.record[key], tuple(choices)
        if value not in choices:
            self.fail(
                key,
                f"unknown {what} {value!r}; expected one of {choices_text(choices)}.",
                value,
                choices,
            )

    def check_choices(self) -> None:
        rec = self.record
        self.check_choice("region", self.regions, "region")
        if "other_region" in rec:
            self.check_choice("other_region", self.regions, "region")
        self.check_choice("op", OPERATORS, "operator")
        self.check_choice("tier", TIERS, "tier")
        self.check_choice("kind", KINDS, "kind")
        self.check_choice("basis", BASES, "basis")
        if (rec["kind"] == "order") != (rec["op"] in ORDER_OPERATORS):
            self.fail(
                "kind",
                f"kind 'order' goes with the operators {', '.join(ORDER_OPERATORS)} "
                f"and only with them; got kind {rec['kind']!r} with op {rec['op']!r}",
            )
        if rec["kind"] != "tracked":
            self.check_choice("indicator", SIMULATED_INDICATORS, f"{rec['kind']} indicator")
        if rec["tier"] == "approx" and rec["op"] != "approx":
            self.fail("op", f"tier 'approx' (左右) needs op 'approx', got {rec['op']!r}")
        if rec["tier"] == "qualitative" and "note" not in rec:
            self.fail(
                "note",
                "a qualitative target (no number in the plan) needs a note saying "
                "how the wording was read",
            )

    def check_year(self, key: str) -> None:
        year = self.record[key]
        if not _is_int(year) or not FIRST_TARGET_YEAR <= year <= LAST_TARGET_YEAR:
            self.fail(
                key,
                f"expected a year (integer) in {FIRST_TARGET_YEAR}–{LAST_TARGET_YEAR}, "
                f"got {year!r}",
            )

    def check_years(self) -> None:
        rec = self.record
        for key in ("year", "base_year", "first_year", "last_year"):
            if key in rec:
                self.check_year(key)
        if rec["basis"] == "relative_change":
            if "base_year" not in rec:
                self.fail(
                    "base_year",
                    "a relative_change target needs base_year (the year the "
                    "change is measured from, usually 2020)",
                )
            if rec["base_year"] >= rec["year"]:
                self.fail(
                    "base_year",
                    f"base_year must be before year {rec['year']}, got {rec['base_year']}",
                )
        elif "base_year" in rec:
            self.fail(
                "base_year",
                "base_year is only for basis = 'relative_change'; remove it "
                "or set basis = 'relative_change'",
            )

    def check_units(self) -> None:
        rec = self.record
        for key in ("unit", "unit_as_written"):
            if key in rec:
                try:
                    dimension(rec[key])
                except UnitError:
                    self.fail(
                        key,
                        f"unit {rec[key]!r} is unknown to carbonsim.units; add it there "
                        "or use a known unit.",
                        rec[key],
                        known_units(),
                    )
        expected = "1" if rec["basis"] == "relative_change" else self.model_unit()
        if expected is not None and rec["unit"] != expected:
            why = "a relative change is a fraction" if expected == "1" else "the model unit"
            self.fail(
                "unit",
                f"expected {expected!r} ({why} of {rec['indicator']}), got "
                f"{rec['unit']!r}; give the value in {expected!r}",
            )

    def model_unit(self) -> str | None:
        indicator = self.record["indicator"]
        if self.record["kind"] == "tracked":
            return self.tracked_units.get(indicator)
        return SIMULATED_INDICATORS[indicator]

    def check_value(self) -> None:
        rec = self.record
        if rec["op"] in ORDER_OPERATORS:
            if "value" in rec:
                self.fail(
                    "value",
                    f"operator {rec['op']!r} compares peak years or the shape of "
                    "the path and takes no value; remove it",
                )
            self.check_tolerance(required=False)
            return
        if "value" not in rec:
            self.fail(
                "value", f"operator {rec['op']!r} needs a value in model units ({rec['unit']!r})"
            )
        if not _is_number(rec["value"]):
            self.fail("value", f"expected a number, got {rec['value']!r}")
        self.check_range()
        self.check_tolerance(required=rec["op"] == "approx")

    def check_range(self) -> None:
        rec = self.record
        if rec["unit"] != "1":
            return
        value = rec["value"]
        if rec["basis"] == "absolute" and not 0 <= value <= 1:
            self.fail(
                "value",
                f"{value!r} is outside 0–1: a share with unit '1' is a fraction "
                f"(30 % is 0.30), so {value!r} would be {value * 100:g} %",
            )
        if rec["basis"] == "relative_change" and value < -1:
            self.fail(
                "value",
                f"{value!r} is below -1: a relative change of {value * 100:g} % "
                "would make the quantity negative (a 13 % fall is -0.13)",
            )

    def check_tolerance(self, required: bool) -> None:
        rec = self.record
        if "tolerance" not in rec:
            if required:
                self.fail(
                    "tolerance",
                    "op 'approx' (左右) needs a tolerance: the absolute "
                    "tolerance in model units, e.g. 0.01 for ±1 percentage point",
                )
            return
        tolerance = rec["tolerance"]
        if rec["op"] in ORDER_OPERATORS:
            if not _is_number(tolerance) or not 0 <= tolerance < 1:
                self.fail(
                    "tolerance",
                    f"for operator {rec['op']!r} the tolerance is a relative plateau tolerance, "
                    f"a fraction in [0, 1) such as 0.01 (1 %); got {tolerance!r}",
                )
        elif not _is_number(tolerance) or tolerance <= 0:
            self.fail("tolerance", f"expected a positive number in model units, got {tolerance!r}")

    def check_as_written(self) -> None:
        rec = self.record
        has_value, has_unit = "value_as_written" in rec, "unit_as_written" in rec
        if has_value != has_unit:
            missing = "unit_as_written" if has_value else "value_as_written"
            self.fail(
                missing,
                "value_as_written and unit_as_written go together; give both or "
                "neither (neither when the plan prints no number)",
            )
        if not has_value:
            if "note" not in rec:
                self.fail(
                    "note",
                    "a target without value_as_written (the plan prints no "
                    "number) needs a note saying how the value was read",
                )
            return
        if rec["op"] in ORDER_OPERATORS:
            self.fail(
                "value_as_written",
                f"operator {rec['op']!r} takes no value; remove "
                "value_as_written and unit_as_written",
            )
        for number in self.written_numbers():
            if self.converts(number):
                return
        self.fail(
            "unit_as_written",
            f"{rec['value_as_written']!r} {rec['unit_as_written']} does "
            f"not convert to value {rec['value']!r} {rec['unit']}; expected "
            f"{self.expected_value()} (check the number, the units or the sign)",
        )

    def written_numbers(self) -> list[float]:
        written = self.record["value_as_written"]
        if _is_number(written):
            return [float(written)]
        match = _RANGE_PATTERN.match(written) if isinstance(written, str) else None
        if not match:
            self.fail(
                "value_as_written",
                f"expected the number as printed (e.g. 2300 or 20.4) "
                f"or a range such as '5-8', got {written!r}",
            )
        if "note" not in self.record:
            self.fail("note", f"a range {written!r} needs a note saying which end is the target")
        low, high = float(match.group(1)), float(match.group(2))
        return [low, high, (low + high) / 2]

    def converts(self, number: float) -> bool:
        rec = self.record
        try:
            converted = convert(number, rec["unit_as_written"], rec["unit"])
        except UnitError as exc:
            self.fail("unit_as_written", f"{exc}")
        target = abs(rec["value"]) if rec["basis"] == "relative_change" else rec["value"]
        return math.isclose(converted, target, rel_tol=1e-9, abs_tol=1e-12)

    def expected_value(self) -> str:
        rec = self.record
        try:
            number = self.written_numbers()[0]
            converted = convert(number, rec["unit_as_written"], rec["unit"])
        except (UnitError, CatalogueError):  # pragma: no cover - reported before
            return "a consistent value"
        sign = "-" if rec["basis"] == "relative_change" and rec["value"] < 0 else ""
        return f"value = {sign}{converted:g} {rec['unit']}"

    def check_order_keys(self) -> None:
        rec, op = self.record, self.record["op"]
        window = ("first_year", "last_year")
        allowed = {
            **dict.fromkeys(VALUE_OPERATORS, window),
            "peak_before": ("other_region", "other_indicator"),
            "peak_with": ("other_region", "other_indicator", "lag_years"),
            "peak_in": ("first_year", "last_year"),
            "nonincreasing": ("first_year", "last_year"),
        }.get(op, ())
        for key in _ORDER_KEYS:
            if key in rec and key not in allowed:
                self.fail(key, f"{key!r} is not used by operator {op!r}; remove it")
        if op in ("peak_before", "peak_with"):
            if "other_region" not in rec:
                self.fail(
                    "other_region",
                    f"operator {op!r} compares this region's peak year with "
                    "another region's; give other_region (e.g. 'wuzhong')",
                )
            if "other_indicator" in rec:
                self.check_choice("other_indicator", SIMULATED_INDICATORS, "indicator")
        if "lag_years" in rec and (not _is_int(rec["lag_years"]) or rec["lag_years"] < 0):
            self.fail(
                "lag_years", f"expected a whole number of years >= 0, got {rec['lag_years']!r}"
            )
        if op in ("peak_in", "nonincreasing"):
            self.check_window()
        elif op in VALUE_OPERATORS:
            self.check_every_year()
        self.check_direction()

    def check_every_year(self) -> None:
        """A comparison with ``first_year`` holds in every year from it (yearless commitments):
        through ``last_year``, or through the end of the simulated horizon when that is absent."""
        rec = self.record
        if "last_year" in rec and "first_year" not in rec:
            self.fail("first_year", "last_year needs first_year (the first year checked)")
        if "first_year" not in rec:
            return
        if rec["first_year"] > rec["year"]:
            self.fail(
                "first_year",
                f"first_year {rec['first_year']} is after year {rec['year']}; a comparison with "
                "first_year is checked in every year from first_year on",
            )
        if "last_year" in rec and rec["last_year"] < rec["year"]:
            self.fail("last_year", f"last_year {rec['last_year']} is before year {rec['year']}")
        if rec["basis"] == "relative_change" and rec["first_year"] < rec["base_year"]:
            self.fail(
                "first_year",
                f"first_year {rec['first_year']} is before base_year {rec['base_year']}",
            )

    def check_direction(self) -> None:
        rec = self.record
        if "direction" not in rec:
            return
        if rec["op"] != "approx":
            self.fail(
                "direction",
                f"direction is only for op 'approx' (左右); remove it from op {rec['op']!r}",
            )
        self.check_choice("direction", DIRECTIONS, "direction")

    def check_window(self) -> None:
        rec = self.record
        if "first_year" not in rec:
            self.fail(
                "first_year",
                f"operator {rec['op']!r} needs first_year (and last_year, which equals year)",
            )
        last = rec.get("last_year", rec["year"])
        if last != rec["year"]:
            self.fail("last_year", f"last_year must equal year ({rec['year']}), got {last!r}")
        if rec["first_year"] > last:
            self.fail("first_year", f"first_year {rec['first_year']} is after last_year {last}")

    def build(self) -> dict[str, Any]:
        rec = dict(self.record)
        for key in ("value", "tolerance"):
            if key in rec:
                rec[key] = float(rec[key])
        if rec["op"] in ("peak_before", "peak_with"):
            rec.setdefault("other_indicator", rec["indicator"])
        if rec["op"] == "peak_with":
            rec.setdefault("lag_years", 1)
        if rec["op"] in ("peak_in", "nonincreasing"):
            rec.setdefault("last_year", rec["year"])
        if rec["op"] == "approx":
            rec.setdefault("direction", default_direction(rec["op"], rec["basis"], rec["value"]))
        defaults = {
            "value": None,
            "value_as_written": None,
            "unit_as_written": None,
            "base_year": None,
        }
        return {**defaults, **rec}
