"""``carbonsim plot``: draw one of the report charts to a PNG, SVG or PDF file."""

from __future__ import annotations

from pathlib import Path

from carbonsim.cli._options import add_command

KINDS = ("trajectory", "fan", "peaking", "dashboard", "power", "drivers", "feasible")
FORMATS = (".png", ".svg", ".pdf")

HELP = """\
Draw a chart for a report.  KIND is one of

  trajectory  an indicator over the years (--indicator, --region, --scenario) with the plan's
              targets at their years, coloured met / at risk / missed
  fan         median and 5–95 % / 25–75 % bands of an indicator over a sweep, with targets
  peaking     each county's peak year against the plan's order (率先 / 同步 / coal first / 2030)
  dashboard   scenarios × targets, met / at risk / missed / not evaluated, by action
              (--tiers, --kinds to keep e.g. only the simulated binding targets)
  power       capacity, generation and exports, battery storage against the 10 % / 2 h rule
  drivers     waterfalls of the change of CO2 from --y0 to --y1 (LMDI: GDP, energy
              intensity, energy mix, emission factor, process, electricity trade)
  feasible    the share of scenarios meeting a set of targets over two levers

INPUT is
  a scenario file (.toml)             simulated and checked on the fly
  trajectories (.nc)                  written by `carbonsim run` (trajectories.nc)
  a sweep summary (.nc or .zarr)      variables quantiles_<indicator> (for fan); trajectories
                                      of many scenarios are summarised on the fly
  a feasible-region result (.nc)      share_met (y, x); or a samples table (.csv) with two
                                      lever columns and a boolean column `met`

The file format follows the --out suffix (.png, .svg or .pdf).  Labels are Chinese by default
(--lang en for English); the Chinese font ships with carbonsim.

examples:
  carbonsim plot trajectory scenarios/plan.toml --indicator co2 --out co2.png
  carbonsim plot trajectory results/trajectories.nc --indicator non_fossil_share \\
      --region wuzhong,yanchi --lang en --out nfs.svg
  carbonsim plot dashboard scenarios/plan.toml --kinds simulated --tiers binding --out dash.pdf
  carbonsim plot drivers results/trajectories.nc --y0 2020 --y1 2030 --out drivers.png
  carbonsim plot fan sweep/summary.zarr --indicator co2 --out fan.png
"""


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "plot",
        "draw a report chart (trajectory, fan, peaking, dashboard, power, drivers, feasible)",
        HELP,
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of {', '.join(KINDS)}")
    parser.add_argument("input", metavar="INPUT", help="scenario .toml, .nc, .zarr or .csv")
    parser.add_argument("--out", required=True, help="output file: .png, .svg or .pdf")
    parser.add_argument("--indicator", default="co2", help="variable to draw (default co2)")
    parser.add_argument(
        "--region",
        help="region id(s), comma-separated (default: the city; drivers: every region)",
    )
    parser.add_argument("--scenario", help="scenario id(s), comma-separated (default: all/first)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="label language")
    parser.add_argument("--y0", type=int, default=2020, help="drivers: first year (default 2020)")
    parser.add_argument("--y1", type=int, default=2030, help="drivers: last year (default 2030)")
    parser.add_argument("--years", help="years shown, first:last (trajectory, fan, power)")
    parser.add_argument("--tiers", help="dashboard: tiers to keep, comma-separated")
    parser.add_argument("--kinds", help="dashboard: kinds to keep (simulated, tracked, order)")
    parser.add_argument("--targets", help="target catalogue TOML (default: the bundled plan)")
    parser.add_argument("--dpi", type=int, default=200, help="resolution of PNG output")
    parser.set_defaults(func=run)


def _list(text: str | None) -> list[str] | None:
    return None if not text else [x.strip() for x in text.split(",") if x.strip()]


def _years(text: str | None):
    from carbonsim.errors import CarbonsimError

    if not text:
        return None
    try:
        first, last = (int(x) for x in text.split(":"))
    except ValueError:
        raise CarbonsimError(f"--years must look like 2020:2040, got {text!r}") from None
    return first, last


def load_input(path: Path):
    """-> xarray.Dataset (trajectories, sweep summary or feasible region) or DataFrame."""
    import xarray as xr

    from carbonsim.errors import CarbonsimError

    if not path.exists():
        from carbonsim.inputs.scenario_files import resolve_scenario

        path = resolve_scenario(path)  # a bundled scenario by name ("plan"), or a clear error
    if not path.exists():
        raise CarbonsimError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        from carbonsim import simulate
        from carbonsim.inputs.scenario import load_scenario

        return simulate(load_scenario(path))
    if suffix == ".csv":
        return read_samples_csv(path)
    try:
        if suffix == ".zarr" or path.is_dir():
            return xr.open_zarr(path).load()
        if suffix in (".nc", ".nc4", ".h5", ".netcdf"):
            from carbonsim.io import open_trajectories

            return open_trajectories(path)
    except (OSError, ValueError, KeyError) as exc:
        raise CarbonsimError(
            f"{path}: cannot read it as {'Zarr' if suffix == '.zarr' else 'NetCDF'} "
            f"({type(exc).__name__}); is it complete? Write it again (carbonsim run / sweep)"
        ) from None
    raise CarbonsimError(f"{path}: unknown input type {suffix!r}; use .toml, .nc, .zarr or .csv")


def read_samples_csv(path: Path):
    """A feasible-region samples table: numeric lever columns and a boolean column ``met``.

    Raises
    ------
    CarbonsimError
        Naming the file, row and column of the first value that does not fit.
    """
    import pandas as pd

    from carbonsim.errors import CarbonsimError
    from carbonsim.textfile import text_stream

    try:
        table = pd.read_csv(text_stream(path, "samples table", CarbonsimError), dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CarbonsimError(f"{path}: not a readable CSV file ({exc})") from None
    if "met" not in table.columns:
        raise CarbonsimError(
            f"{path}: no column 'met'; a samples table has two lever columns and a column met "
            "(true/false), as SweepResult.samples() writes it"
        )
    words = {"true": True, "false": False, "1": True, "0": False}
    met = table["met"].str.strip().str.lower()
    bad = ~met.isin(list(words))
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise CarbonsimError(
            f"{path}, row {row + 2}, column 'met': got {table['met'].iloc[row]!r}; expected "
            "true or false (or 1 / 0)"
        )
    out = pd.DataFrame({"met": met.map(words).astype(bool)})
    for column in (c for c in table.columns if c != "met"):
        values = pd.to_numeric(table[column].str.strip(), errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise CarbonsimError(
                f"{path}, row {row + 2}, column {column!r}: got {table[column].iloc[row]!r}; "
                "expected a number"
            )
        out[column] = values
    return out[list(table.columns)]


def _needs_trajectories(data, kind: str):
    from carbonsim.errors import CarbonsimError

    if not hasattr(data, "data_vars") or "co2" not in data:
        raise CarbonsimError(
            f"`carbonsim plot {kind}` needs trajectories (a scenario .toml or trajectories .nc)"
        )
    return data


def _draw(args, data):
    from carbonsim import plot
    from carbonsim.feasibility import check

    kind = args.kind
    regions = _list(args.region)
    scenarios = _list(args.scenario)
    scenario = scenarios[0] if scenarios else None
    if kind == "fan":
        probability = None  # a sweep's summary carries its own
        if hasattr(data, "data_vars") and f"quantiles_{args.indicator}" not in data:
            traj = _needs_trajectories(data, kind)
            probability = check(traj, args.targets)  # colour targets by the batch's shares
            data = plot.quantile_summary(traj, [args.indicator])
        region = regions[0] if regions else None  # the data's city
        return plot.fan(
            data, args.indicator, region, args.targets, args.lang,
            years=_years(args.years), probability=probability,
        )  # fmt: skip
    if kind == "feasible":
        return plot.feasible_region(data, lang=args.lang)
    traj = _needs_trajectories(data, kind)
    if kind == "trajectory":
        result = check(traj, args.targets)
        return plot.trajectory(
            traj,
            args.indicator,
            regions or None,  # the data's city
            scenarios,
            args.targets,
            result,
            args.lang,
            years=_years(args.years),
        )
    if kind == "peaking":
        horizon = int(traj.year.values[-1])
        peaks = check(traj, args.targets).peaks
        return plot.peaking_order(peaks, targets=args.targets, lang=args.lang, horizon=horizon)
    if kind == "dashboard":
        result = check(traj, args.targets)
        tiers, kinds = _list(args.tiers), _list(args.kinds)
        return plot.dashboard(result, args.lang, tiers=tiers, kinds=kinds, scenarios=scenarios)
    if kind == "power":
        region = regions[0] if regions else None  # the data's city
        return plot.power_mix(traj, scenario, region, args.lang, years=_years(args.years))
    return plot.emission_drivers(traj, args.y0, args.y1, regions, scenario, args.lang)


def run(args) -> int:
    from carbonsim.errors import CarbonsimError
    from carbonsim.io.atomic import atomic_path, check_output_file, remove_stale

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise CarbonsimError(f"--out must end in {', '.join(FORMATS)}, got {out.name!r}")
    check_output_file(out)  # before any computation
    data = load_input(Path(args.input))
    try:
        fig = _draw(args, data)
    except KeyError as exc:  # unknown variable, region or scenario: say which
        raise CarbonsimError(str(exc.args[0]) if exc.args else str(exc)) from None
    remove_stale(out.parent, out.name)  # temporaries of killed plots of this file
    with atomic_path(out) as tmp:  # a killed plot leaves no truncated image at --out
        fig.savefig(tmp, dpi=args.dpi, format=out.suffix.lower().lstrip("."))
    print(f"wrote {out}")
    return 0
