"""``carbonsim levers``: list the lever table (every input a scenario file can set).

``docs/levers.md`` is the output of ``carbonsim levers --format markdown``; a test checks that
it is up to date, so edit ``carbonsim/data/levers.csv`` and regenerate with::

    carbonsim levers --format markdown --output docs/levers.md
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path
from typing import Any

from carbonsim.cli._options import add_command
from carbonsim.tables import aligned_table

#: CSV columns, in the order of ``carbonsim/data/levers.csv``.
CSV_COLUMNS: tuple[str, ...] = (
    "name",
    "group",
    "dims",
    "unit",
    "default",
    "lower",
    "upper",
    "clause",
    "name_zh",
    "description",
)
_TABLE_COLUMNS = ("name", "中文", "group", "dims", "unit", "default", "bounds")

_DESCRIPTION = """\
List the levers: every input a scenario file can set under [levers], with its unit, default,
bounds and the clause of 《吴忠市碳达峰实施方案》 it serves.  Values in scenario files may use any
unit of the same dimension (e.g. 万千瓦 for GW, % for a share); they are converted."""

_EPILOG = """\
examples:
  carbonsim levers                                   every lever, as a table
  carbonsim levers --group power                     the power-sector levers
  carbonsim levers --format csv > levers.csv         as UTF-8 CSV
  carbonsim levers --format markdown --output docs/levers.md
                                                     regenerate the documentation page"""


def register(subparsers: Any) -> None:
    """Add the ``levers`` sub-command."""
    parser = add_command(
        subparsers,
        "levers",
        "list the levers (unit, default, bounds, plan clause)",
        _DESCRIPTION,
        _EPILOG,
    )
    parser.add_argument(
        "--group", action="append", metavar="G", help="only levers of group G (repeatable)"
    )
    parser.add_argument(
        "--format",
        choices=("table", "csv", "markdown"),
        default="table",
        help="table (aligned, for a terminal; default), csv (UTF-8) or markdown (docs/levers.md)",
    )
    parser.add_argument("--output", metavar="PATH", help="write to PATH (UTF-8) instead of stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print (or write) the lever table in the chosen format."""
    text = render(args.format, args.group)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def render(fmt: str = "table", groups: list[str] | None = None) -> str:
    """The lever table as ``"table"``, ``"csv"`` or ``"markdown"`` text, optionally by group."""
    from carbonsim.definitions.levers import lever_table, render_levers_markdown

    specs = _select(lever_table(), groups)
    if fmt == "markdown":
        text = render_levers_markdown()
        if groups:
            text = _filter_markdown(text, specs)
        return text
    if fmt == "csv":
        return _csv(specs.values())
    return format_table(specs.values())


def _select(specs: dict, groups: list[str] | None) -> dict:
    if not groups:
        return specs
    from carbonsim.errors import LeverError, did_you_mean

    known = sorted({s.group for s in specs.values()})
    for group in groups:
        if group not in known:
            raise LeverError(
                f"unknown lever group {group!r}; groups are {', '.join(known)}."
                + did_you_mean(group, known)
            )
    return {name: s for name, s in specs.items() if s.group in groups}


def _filter_markdown(text: str, specs: dict) -> str:
    """Keep the rows of the selected levers (rows start with ``| `name` |``)."""
    lines = text.splitlines()
    keep = [line for line in lines if not line.startswith("| `") or line.split("`")[1] in specs]
    return "\n".join(keep) + "\n"


def _number(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return ""
    return f"{value:g}"


def _csv(specs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in specs:
        row = {
            **{c: getattr(s, c) for c in CSV_COLUMNS},
            "dims": ",".join(s.dims),
            "default": _number(s.default),
            "lower": _number(s.lower),
            "upper": _number(s.upper),
        }
        writer.writerow(row[c] for c in CSV_COLUMNS)
    return out.getvalue()


def _in_plan_units(value: Any, unit: str) -> str:
    """A lever number in the plan's unit (万千瓦 for GW, % for shares), sensible precision."""
    from carbonsim.feasibility.display import format_number, to_plan

    if isinstance(value, str) or value is None or (isinstance(value, float) and math.isnan(value)):
        return _number(value)
    return format_number(float(to_plan(value, unit)))


def format_table(specs) -> str:
    """An aligned plain-text table: name, 中文, group, dims, unit, default, bounds — in the
    plan's units (万千瓦, 亿千瓦时, %; the CSV and Markdown keep the model units)."""
    from carbonsim.feasibility.display import plan_unit

    rows = [
        (
            s.name,
            s.name_zh,
            s.group,
            ",".join(s.dims),
            "%/年" if s.unit == "1/yr" else plan_unit(s.unit),
            _in_plan_units(s.default, "1" if s.unit == "1/yr" else s.unit) or "—",
            f"[{_in_plan_units(s.lower, '1' if s.unit == '1/yr' else s.unit)}, "
            f"{_in_plan_units(s.upper, '1' if s.unit == '1/yr' else s.unit)}]",
        )
        for s in specs
    ]
    return aligned_table(_TABLE_COLUMNS, rows, "levers")
