"""``carbonsim run``: simulate a scenario, check it against the plan and write the results."""

from __future__ import annotations

import sys
from pathlib import Path

from carbonsim.cli._options import add_command, add_inputs

HELP = """\
Simulate a scenario file, check every target of the plan, and write to --out:
  trajectories.nc   every trajectory (NetCDF-4; open with xarray.open_dataset)
  feasibility.csv   one row per target: value, margin (>= 0 met), status, first year met
  peaks.csv         peak year of CO2, coal and road oil per region
  summary.md        one page: peak years, missed targets and the levers that help most
  MANIFEST.json     the files of this run with their SHA-256, written last (docs/faults.md)
  results.xlsx      with --xlsx: targets (status, margins in the plan's units), trajectories, peaks
  report.html       with --report: one self-contained bilingual page with charts (prints to PDF)
SCENARIO is a file or the name of a bundled scenario (`carbonsim scenarios`: bau, plan, stretch,
uncertainty).  The summary table is printed too.  Exit status 0 whatever the findings; with
--strict, 1 when a binding target is missed (naming them on stderr); 2 on bad input or an
unwritable --out.

examples:
  carbonsim run plan --report --xlsx
  carbonsim run scenarios/plan.toml
  carbonsim run scenarios/bau.toml --out results/bau --years 2020:2040 --bom
  carbonsim run my-city.toml --baseline my-2020.csv --regions my-regions.csv --targets my-plan.toml
"""


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "run",
        "simulate a scenario and check it against the plan's targets",
        HELP,
    )
    parser.add_argument(
        "scenario", help="scenario TOML file or bundled scenario name, e.g. plan or my.toml"
    )
    parser.add_argument("--out", default="results", help="output folder (default: ./results)")
    add_inputs(parser)
    parser.add_argument(
        "--method",
        choices=("coal_equivalent", "calorific"),
        default="coal_equivalent",
        help="primary-energy method for non-fossil electricity (default coal_equivalent)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if a binding target is missed"
    )
    parser.add_argument("--bom", action="store_true", help="CSV in UTF-8 with BOM (for Excel)")
    parser.add_argument("--no-explain", action="store_true", help="skip the lever explanation")
    parser.add_argument(
        "--xlsx", action="store_true", help="also write results.xlsx (Excel/WPS workbook)"
    )
    parser.add_argument(
        "--report", action="store_true", help="also write report.html (self-contained page)"
    )
    parser.add_argument("--no-color", action="store_true", help="no colours in the terminal")
    parser.set_defaults(func=run)


def parse_years(text: str) -> range:
    from carbonsim.errors import CarbonsimError

    try:
        first, last = (int(x) for x in text.split(":"))
    except ValueError:
        raise CarbonsimError(f"--years must look like 2020:2060, got {text!r}") from None
    if first != 2020 or last < first or last > 2060:
        raise CarbonsimError(f"--years must start at 2020 and end by 2060, got {text!r}")
    return range(first, last + 1)


def run(args) -> int:
    from carbonsim import simulate
    from carbonsim.analysis.explain import explain
    from carbonsim.feasibility import check
    from carbonsim.inputs.scenario import load_scenario
    from carbonsim.io import write_netcdf
    from carbonsim.io.atomic import check_output_dir, file_set, write_text
    from carbonsim.report import summary_markdown, terminal_table

    years = parse_years(args.years)
    out = check_output_dir(args.out)  # before any computation
    baseline = None
    if args.baseline or args.regions:
        from carbonsim.baseline import load_baseline

        baseline = load_baseline(args.baseline, regions=args.regions)
    scenario = load_scenario(args.scenario, regions=baseline)
    traj = simulate(scenario, baseline=baseline, years=years, method=args.method)
    result = check(traj, args.targets)
    explanation = None
    if not args.no_explain and traj.sizes["scenario"] == 1:
        explanation = explain(scenario, args.targets, baseline=baseline, years=years)
    # every file goes to a staging folder; the set is moved into --out only once complete
    with file_set(out, command="carbonsim run", scenario=str(args.scenario)) as stage:
        write_netcdf(traj, stage / "trajectories.nc")
        result.to_csv(stage / "feasibility.csv", bom=args.bom)
        peaks = result.peaks.to_dataframe().reset_index()
        encoding = "utf-8-sig" if args.bom else "utf-8"
        write_text(stage / "peaks.csv", peaks.to_csv(index=False), encoding)
        write_text(stage / "summary.md", summary_markdown(result, explanation))
        written = ["trajectories.nc", "feasibility.csv", "peaks.csv", "summary.md"]
        written += _extras(args, result, explanation, scenario, stage)
    colour = sys.stdout.isatty() and not args.no_color
    print(terminal_table(result, colour=colour))
    print(f"\nwrote {out}/{', '.join(written)}")
    if args.strict and result.missed(tier="binding"):
        print(strict_message(result), file=sys.stderr)
        return 1
    return 0


def strict_message(result) -> str:
    """``--strict``: which binding targets were missed (ids and plan wording)."""
    missed = list(result.missed(tier="binding"))
    ids = [str(t) for t in missed]
    shown = ", ".join(ids[:12]) + (f", … ({len(ids) - 12} more)" if len(ids) > 12 else "")
    return f"carbonsim: --strict: {len(ids)} binding target(s) missed: {shown}"


def _extras(args, result, explanation, scenario, out: Path) -> list[str]:
    """Write the optional workbook and report page; their file names."""
    written = []
    if args.xlsx:
        from carbonsim.io.excel import write_workbook

        write_workbook(result, out / "results.xlsx")
        written.append("results.xlsx")
    if args.report:
        from carbonsim.report.html import write_report

        write_report(result, out / "report.html", explanation=explanation, scenario=scenario)
        written.append("report.html")
    return written
