"""``carbonsim what-it-takes``: the least change to some levers that meets some targets."""

from __future__ import annotations

import argparse
import sys

from carbonsim.cli._options import add_command

DESCRIPTION = """\
Starting from a scenario, find the least change to the chosen levers after which every chosen
target is met — or say that no setting within the lever bounds meets them, which targets cannot
be met together and the best margin each can reach.

Each lever moves by one scalar, from --from-year on (earlier years keep the scenario's path):
  level levers (GW, 1e4 t, h …)  x multiplies the scenario's change since 2020 (1 = as in the
                                 scenario; 0 = frozen at 2020); if the scenario leaves the lever
                                 at its 2020 value, x is an amount added (0 = as in the scenario)
  shares and rates (1, 1/yr)     x is added in every year (0 = as in the scenario), clipped to
                                 the lever's bounds
LEVER:COUNTY moves one county only (solar_capacity:yanchi).

Targets: --target ID (repeatable; `carbonsim targets` lists the ids) and --peak REGION:YEAR
("REGION's CO2 peaks by YEAR"); without them every target of --tier (default binding) and
--kind (default simulated), optionally of --year / --region.

Exit status: 0 when the targets can be met, 1 when they cannot within the lever bounds,
2 on bad input."""

EPILOG = """\
examples:
  carbonsim what-it-takes scenarios/plan.toml --lever solar_capacity \\
      --target a1_2025_new_energy_capacity
                        how much more solar meets the 2800万千瓦 (力争) 2025 capacity
  carbonsim what-it-takes scenarios/plan.toml --lever solar_capacity --lever wind_capacity \\
      --target a1_2025_new_energy_capacity --target a1_2030_new_energy_capacity --format markdown
                        two levers, a Markdown table to paste into a memo
  carbonsim what-it-takes scenarios/plan.toml --lever storage_ratio \\
      --target main_2030_nonhydro_renewable_share --objective least_effort
                        how low storage may go and still meet NHRE 40 % (the slack)
  carbonsim what-it-takes scenarios/plan.toml --lever other_industry_intensity_change:litong \\
      --peak litong:2027
                        what makes 利通区 peak by 2027
  carbonsim what-it-takes scenarios/bau.toml --lever solar_capacity --tier binding --year 2030 \\
      --bound solar_capacity=0:3 --format csv > answer.csv
"""


def register(subparsers) -> None:
    """Add the ``what-it-takes`` sub-command."""
    parser = add_command(
        subparsers,
        "what-it-takes",
        "the least change to some levers that meets some targets (or why none does)",
        DESCRIPTION,
        EPILOG,
    )
    parser.add_argument("scenario", help="scenario TOML file, e.g. scenarios/plan.toml")
    parser.add_argument(
        "--lever", action="append", required=True, metavar="LEVER[:COUNTY]",
        help="a lever to adjust (repeatable), e.g. solar_capacity or solar_capacity:yanchi",
    )  # fmt: skip
    parser.add_argument("--target", action="append", metavar="ID", help="target id (repeatable)")
    parser.add_argument(
        "--peak", action="append", metavar="REGION:YEAR",
        help="an ad-hoc target: REGION's CO2 peaks by YEAR, e.g. litong:2025 (repeatable)",
    )  # fmt: skip
    parser.add_argument("--tier", help="binding, stretch, approx or qualitative (default binding)")
    parser.add_argument("--kind", help="simulated, tracked or order (default simulated)")
    parser.add_argument("--year", action="append", type=int, metavar="Y", help="target year")
    parser.add_argument("--region", action="append", metavar="R", help="target region")
    parser.add_argument("--catalogue", metavar="PATH", help="target catalogue (default: bundled)")
    parser.add_argument(
        "--objective", choices=("relative_change", "least_effort"), default="relative_change",
        help="relative_change: the least change to the scenario (default); least_effort: the "
        "lowest settings that still meet the targets (may be below the scenario: the slack)",
    )  # fmt: skip
    parser.add_argument(
        "--bound", action="append", metavar="LEVER=LO:HI",
        help="bounds of a lever's scalar, e.g. solar_capacity=0:3 (either side may be empty)",
    )  # fmt: skip
    parser.add_argument("--from-year", type=int, default=2021, help="first year moved (2021)")
    parser.add_argument(
        "--format", choices=("table", "markdown", "csv"), default="table",
        help="table (aligned text; default), markdown (for a memo) or csv (one row per lever "
        "and milestone year, then one per target)",
    )  # fmt: skip
    parser.add_argument("--write-scenario", metavar="PATH", help="write the adjusted scenario TOML")
    parser.set_defaults(func=run)


def parse_bounds(items) -> dict:
    """``["solar_capacity=0:3", "storage_ratio=:0.2"]`` -> ``{lever: (lo, hi)}``."""
    from carbonsim.errors import CarbonsimError

    out = {}
    for item in items or ():
        key, sep, span = item.partition("=")
        lo, colon, hi = span.partition(":")
        try:
            if not (sep and colon):
                raise ValueError
            out[key.strip()] = (
                float(lo) if lo.strip() else None,
                float(hi) if hi.strip() else None,
            )
        except ValueError:
            raise CarbonsimError(
                f"--bound {item!r}: expected LEVER=LO:HI, e.g. solar_capacity=0:3 or "
                "storage_ratio=:0.2"
            ) from None
    return out


def _peak(text: str):
    from carbonsim.analysis.what_it_takes import peak_target
    from carbonsim.errors import CarbonsimError

    region, _, year = text.partition(":")
    if not year.strip().isdigit():
        raise CarbonsimError(f"--peak {text!r}: expected REGION:YEAR, e.g. litong:2025")
    return peak_target(region.strip(), int(year))


def select(args):
    """The targets chosen by the command-line options."""
    from carbonsim.catalogue import Catalogue, load_targets

    catalogue = load_targets(args.catalogue)
    if args.target or args.peak:
        from carbonsim.analysis.what_it_takes import select_targets

        chosen = list(select_targets(args.target, catalogue)) if args.target else []
        chosen += [_peak(p) for p in args.peak or ()]
        tiers = {args.tier} if args.tier else None
        return Catalogue([t for t in chosen if tiers is None or t.tier in tiers])
    return catalogue.filter(
        tier=args.tier or "binding", kind=args.kind or "simulated", year=args.year,
        region=args.region,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Answer the question and print it in the chosen format."""
    from carbonsim.analysis.what_it_takes import what_it_takes

    result = what_it_takes(
        args.scenario, select(args), args.lever, objective=args.objective,
        bounds=parse_bounds(args.bound) or None, from_year=args.from_year,
    )  # fmt: skip
    out = sys.stdout
    if args.format == "csv":
        result.to_dataframe().to_csv(out, index=False, lineterminator="\n")
    elif args.format == "markdown":
        out.write(result.to_markdown())
    else:
        out.write(result.to_text())
    if args.write_scenario and result.scenario is not None:
        from carbonsim.io.atomic import write_text

        write_text(args.write_scenario, result.scenario.to_toml())
        print(f"adjusted scenario written to {args.write_scenario}", file=sys.stderr)
    return 0 if result.feasible else 1
