"""``carbonsim hindcast``: simulate 2020→latest with history off, against the observations."""

from __future__ import annotations

import argparse
import sys

from carbonsim.cli._options import add_command

try:  # main moved the aligned-table renderer to carbonsim.tables; this branch predates it
    from carbonsim.tables import aligned_table
except ImportError:  # pragma: no cover - the branch's own layout
    from carbonsim.cli._table import aligned_table

_DESCRIPTION = """\
Simulate a scenario (default scenarios/bau.toml) from 2020 to the latest observed year with
observed history switched off, and print every observed statistic of the bundled history table
(carbonsim/data/history/history.csv) beside the simulated value: the error in percentage points
for growth rates and shares, in percent for levels. Statistics that cannot be compared like with
like (targets, the base year, current prices, Ningxia-wide totals) are listed with a note saying
why. The last line is the summary: the median absolute error of growth rates and shares.
"""

_EPILOG = """\
examples:
  carbonsim hindcast                                   BAU against every observation
  carbonsim hindcast scenarios/plan.toml --compared    only the statistics that were compared
  carbonsim hindcast --history my-history.csv --format csv > hindcast.csv
"""


def register(subparsers) -> None:
    """Add the ``hindcast`` sub-command."""
    parser = add_command(
        subparsers,
        "hindcast",
        "simulate 2020→latest with history off and compare with observed statistics",
        _DESCRIPTION,
        _EPILOG,
    )
    parser.add_argument(
        "scenario", nargs="?", default=None, help="scenario TOML file (default scenarios/bau.toml)"
    )
    parser.add_argument(
        "--history", metavar="PATH", help="a history CSV instead of the bundled table"
    )
    parser.add_argument(
        "--compared", action="store_true", help="print only the statistics that were compared"
    )
    parser.add_argument(
        "--format", choices=("table", "csv"), default="table", help="table (default) or csv"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the hindcast; return the exit status."""
    from carbonsim.analysis.hindcast import ROW_HEADER, hindcast

    result = hindcast(args.scenario, history=args.history)
    if args.format == "csv":
        table = result.compared() if args.compared else result.table
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    print(aligned_table(ROW_HEADER, result.rows(args.compared), "statistics"), end="")
    print(result.summary())
    return 0
