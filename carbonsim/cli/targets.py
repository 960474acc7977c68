"""``carbonsim targets``: list the plan's targets (the target catalogue)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from carbonsim.catalogue.checks import FIELDS
from carbonsim.cli._options import add_command
from carbonsim.tables import aligned_table

#: The CSV columns, in order (one row per target): the record's fields up to the note.
CSV_COLUMNS: tuple[str, ...] = FIELDS[: FIELDS.index("note") + 1]
_TABLE_COLUMNS = ("id", "region", "year", "op", "target", "tier", "clause")

_DESCRIPTION = """\
List the quantitative targets of 《吴忠市碳达峰实施方案》 (2023) and of the EV-charging opinion,
one constraint record each: region, year, operator, the value as the plan writes it, tier
(binding 达到/确保, stretch 力争, approx 左右, qualitative) and the clause it comes from.
Filters combine (AND); --region and --year may be repeated (OR within the option)."""

_EPILOG = """\
examples:
  carbonsim targets                                  every target, as a table
  carbonsim targets --region wuzhong --year 2030     the city's 2030 targets
  carbonsim targets --year 2025 --year 2030 --tier stretch
                                                     the 力争 targets of 2025 and 2030
  carbonsim targets --kind order                     peak-year and peaking-order constraints
  carbonsim targets --kind tracked --format csv > tracked.csv
                                                     tracked indicators, as UTF-8 CSV
  carbonsim targets --file my-city.toml --format json
                                                     another city's catalogue, as JSON

csv columns: """ + ", ".join(CSV_COLUMNS)


def register(subparsers: Any) -> None:
    """Add the ``targets`` sub-command."""
    from carbonsim.catalogue import KINDS, TIERS

    parser = add_command(
        subparsers,
        "targets",
        "list the plan's targets (region, year, value as written, tier, clause)",
        _DESCRIPTION,
        _EPILOG,
    )
    parser.add_argument(
        "--file",
        metavar="PATH",
        help="a catalogue .toml file or a folder of them (default: the bundled Wuzhong catalogue)",
    )
    parser.add_argument(
        "--region",
        action="append",
        metavar="R",
        help="region id: wuzhong (the city), litong, hongsibu, qingtongxia, yanchi, tongxin "
        "(repeatable)",
    )
    parser.add_argument(
        "--year", action="append", type=int, metavar="Y", help="target year (repeatable)"
    )
    parser.add_argument("--kind", choices=KINDS, help="simulated, tracked or order")
    parser.add_argument("--tier", choices=TIERS, help="binding, stretch, approx or qualitative")
    parser.add_argument("--indicator", action="append", metavar="NAME", help="indicator name")
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (aligned, for a terminal; default), csv (UTF-8, one row per target) or json",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the (filtered) catalogue in the chosen format."""
    from carbonsim.catalogue import load_targets

    catalogue = load_targets(args.file).filter(
        region=args.region,
        year=args.year,
        kind=args.kind,
        tier=args.tier,
        indicator=args.indicator,
    )
    out = sys.stdout
    if args.format == "csv":
        write_csv(catalogue, out)
    elif args.format == "json":
        json.dump([_record(t) for t in catalogue], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_table(catalogue))
    return 0


def _record(target: Any) -> dict[str, Any]:
    from carbonsim.catalogue import FIELDS

    return {key: getattr(target, key) for key in FIELDS}


def write_csv(catalogue: Any, stream: Any) -> None:
    """One row per target, columns :data:`CSV_COLUMNS`; empty cells for missing values."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for target in catalogue:
        writer.writerow(_csv_cell(getattr(target, column)) for column in CSV_COLUMNS)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_table(catalogue: Any) -> str:
    """An aligned plain-text table: id, region, year, op, target as written, tier, clause."""
    rows = [(t.id, t.region, str(t.year), t.op, t.written, t.tier, t.clause) for t in catalogue]
    return aligned_table(_TABLE_COLUMNS, rows, "targets")
