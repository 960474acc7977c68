"""``carbonsim sweep``: sample a scenario's distributions, simulate and check at scale."""

from __future__ import annotations

import sys

from carbonsim.cli._options import add_command, add_inputs

HELP = """\
Sample the distributions of a scenario file, simulate and check every sampled scenario against
the plan's targets, chunk by chunk, and write to --out (a Zarr store; xarray.open_zarr):
  probability that each target is met (with its standard error), joint probabilities of all
  binding targets and of the peaking order, peak-year counts per region, quantiles of the key
  trajectories per year (fan charts), Spearman rank correlations (and Sobol' indices with
  --method saltelli) of key outcomes with each sampled lever;
  <out>/summary.csv   one row per target: probability met, standard error, status counts.
Finished chunks are kept under <out>/chunks/; after an interruption, --resume computes only the
missing ones (refused if the scenario content, -n, --seed, --method or --chunk differ; without
--chunk it keeps the stored chunk size).
The numbers do not depend on --chunk or --workers.  Progress: a bar on a terminal, else a log
line on stderr every 10 s (done, rate, ETA); --quiet silences both.

examples:
  carbonsim sweep uncertainty -n 10000 --seed 1 --out sweep.zarr     (the bundled scenario)
  carbonsim sweep scenarios/uncertainty.toml -n 10000 --seed 1 --out sweep.zarr
  carbonsim sweep scenarios/uncertainty.toml -n 1000000 --seed 1 --out big.zarr --workers 2
  carbonsim sweep scenarios/uncertainty.toml -n 1000000 --seed 1 --out big.zarr --resume
  carbonsim sweep scenarios/uncertainty.toml -n 1024 --method saltelli --out sobol.zarr
  carbonsim sweep scenarios/uncertainty.toml -n 100000 --scheduler tcp://scheduler-host:8786
"""


def register(subparsers) -> None:
    parser = add_command(
        subparsers,
        "sweep",
        "sample a scenario's distributions: probabilities of meeting the targets at scale",
        HELP,
    )
    parser.add_argument("scenario", help="scenario TOML with distributions, e.g. uncertainty.toml")
    parser.add_argument(
        "-n", type=int, required=True, help="scenarios to sample (saltelli: base sample N)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--out", default="sweep.zarr", help="output store (default sweep.zarr)")
    parser.add_argument(
        "--chunk",
        type=int,
        default=None,
        help="scenarios per chunk/checkpoint (default: a resumed sweep's own; else 4096, "
        "halved down to 512 until every worker gets at least 4 chunks)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="run chunks on a local Dask cluster")
    where.add_argument("--scheduler", help="run chunks on a Dask scheduler, tcp://host:8786")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    parser.add_argument(
        "--overwrite", action="store_true", help="discard a sweep already in --out and restart"
    )
    parser.add_argument(
        "--method",
        choices=("sobol", "lhs", "random", "saltelli"),
        default="sobol",
        help="sampling design (default sobol; saltelli adds Sobol' indices via SALib)",
    )
    parser.add_argument(
        "--keep-samples",
        action="store_true",
        help="also store each scenario's draws, lever values and margins (~1 kB per scenario)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress (bar or log lines), no report"
    )
    add_inputs(parser)
    parser.add_argument("--bins", type=int, default=256, help="histogram bins for the quantiles")
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="float type of the trajectories a chunk holds (float32: half the memory; each "
        "value rounded once from float64, see docs/sweeps.md)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from carbonsim.cli.run import parse_years
    from carbonsim.io.atomic import check_output_dir
    from carbonsim.sweeps import sweep

    check_output_dir(args.out)  # before any computation
    baseline = args.baseline
    if args.regions:
        from carbonsim.baseline import load_baseline

        baseline = load_baseline(args.baseline, regions=args.regions)
    result = sweep(
        args.scenario,
        args.n,
        seed=args.seed,
        method=args.method,
        chunk_size=args.chunk,
        out=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        keep_samples=args.keep_samples,
        targets=args.targets,
        baseline=baseline,
        years=parse_years(args.years),
        progress=not args.quiet,
        overwrite=args.overwrite,
        bins=args.bins,
        dtype=args.dtype,
    )
    if not args.quiet:
        print(report(result))
    return 0


def _pct(p: float, se: float | None = None) -> str:
    if p != p:  # NaN
        return "not evaluated"
    return f"{100 * p:5.1f} %" + ("" if se is None else f" ± {196 * se:.1f}")


def _peak_line(result) -> str:
    counts = result.summary.peak_year_count.sel(quantity="co2", region="wuzhong").values
    years = result.summary.peak_year.values
    cum = counts.cumsum() / max(counts.sum(), 1)
    at = [int(years[min(len(years) - 1, (cum >= q).argmax())]) for q in (0.05, 0.5, 0.95)]
    by = float(result.summary.probability_peaked_by_2030.sel(quantity="co2", region="wuzhong"))
    return (
        f"city CO2 peak year: median {at[1]}, 5–95 % {at[0]}–{at[2]}; "
        f"peaked by 2030 in {_pct(by).strip()} of scenarios"
    )


def report(result) -> str:
    """A short text report of a finished sweep."""
    ds = result.summary
    lines = [
        f"sweep of {ds.attrs['scenario_id']!r}: {ds.attrs['n_scenarios']:,} scenarios "
        f"({ds.attrs['method']}, seed {ds.attrs['seed']}), {ds.attrs['n_chunks']} chunks: "
        f"{len(result.computed_chunks)} computed, {result.reused_chunks} reused",
    ]
    joint = result.joint_probabilities().set_index("group")
    for group, label in (
        ("all_binding", "all binding targets met"),
        ("peaking_order", "peaking order met"),
    ):
        row = joint.loc[group]
        lines.append(f"P({label}): {_pct(row.probability, row.standard_error)}  (± 95 %)")
    frame = result.probabilities()
    frame = frame[(frame.tier == "binding") & (frame.n_evaluated > 0)]
    lines.append("binding targets least likely to be met:")
    for row in frame.sort_values("probability").head(8).itertuples():
        lines.append(f"  {_pct(row.probability, row.standard_error)}  {row.target} ({row.written})")
    lines.append(_peak_line(result))
    drivers = result.sensitivity()
    drivers = drivers[drivers.outcome == "co2_2030"].head(3)
    text = ", ".join(f"{r.dimension} ρ = {r.spearman:+.2f}" for r in drivers.itertuples())
    lines.append(f"levers that matter most for 2030 CO2: {text or '—'}")
    damaged = getattr(result, "damaged_chunks", [])
    if damaged:
        lines.append(f"damaged chunk files found and recomputed: {', '.join(damaged)}")
    not_evaluated = int((ds.evaluation == "not_evaluated").sum())
    if not_evaluated:
        lines.append(f"{not_evaluated} targets not evaluated (see the reason column)")
    lines.append(f"wrote {result.out} (Zarr: xarray.open_zarr) and {result.out}/summary.csv")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    from carbonsim.cli import main

    sys.exit(main(["sweep", *sys.argv[1:]]))
