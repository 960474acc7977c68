"""``carbonsim baseline``: print the 2020 calibration with the provenance of every number."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from carbonsim.cli._options import add_command
from carbonsim.errors import BaselineError, did_you_mean
from carbonsim.regions import regions_of

_DESCRIPTION = """\
Print the 2020 baseline calibration of 吴忠市 and its five counties: every number with its unit
and provenance ('source' = a published statistic, cited; 'estimate' = with its method).
City (wuzhong) rows of county variables are computed as the sum of the counties (shares: the
weighted mean) and marked 'computed'. A user file of the same schema can replace any subset of
rows (--override); it is validated as strictly as the bundled file.
"""

_EPILOG = """\
columns of a baseline CSV:
  variable,region,sector,fuel,tech,product,value,unit,provenance,source
  (unused dimension columns empty; region empty for city-wide parameters; values in any unit
  of the right dimension, e.g. 万千瓦 for capacity, are converted)

examples:
  carbonsim baseline                                   the whole calibration as a table
  carbonsim baseline --variable capacity --variable gdp
  carbonsim baseline --format csv > baseline.csv       the validated tidy table
  carbonsim baseline --override my-2020.csv --balances replace some rows, then print the accounts
"""


def register(subparsers) -> None:
    """Add the ``baseline`` sub-command."""
    parser = add_command(
        subparsers,
        "baseline",
        "print the 2020 calibration (per county, with provenance)",
        _DESCRIPTION,
        _EPILOG,
    )
    parser.add_argument(
        "--file", metavar="PATH", help="a baseline CSV to use instead of the bundled one"
    )
    parser.add_argument(
        "--override",
        metavar="PATH",
        help="a CSV of the same schema whose rows replace the matching rows (any subset)",
    )
    parser.add_argument(
        "--regions",
        metavar="PATH",
        help="regions CSV of another city (region,name_zh,name_en,city; see docs/baseline.md)",
    )
    parser.add_argument(
        "--variable",
        metavar="V",
        action="append",
        help="only this variable (repeat for several), e.g. final_energy",
    )
    parser.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table (default): variable, region, dims, value, unit, provenance; csv: tidy table",
    )
    parser.add_argument(
        "--balances",
        action="store_true",
        help="also print the energy/CO2 accounts per region and the check against the references",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the calibration; return the exit status."""
    from carbonsim import baseline as bl

    table = bl.load_baseline_table(args.file, args.override, args.regions)
    ds = bl.dataset_from_table(table)
    variables = _selected(args.variable, bl.SPECS)
    if variables:
        table = table[table["variable"].isin(variables)]
    if args.format == "csv":
        table[list(bl.COLUMNS)].to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(_as_text(_with_city_rows(table, ds, bl)))
    if args.balances:
        print()
        print(_balances_text(ds, bl))
    return 0


def _selected(names: list[str] | None, specs) -> list[str]:
    for name in names or []:
        if name not in specs:
            raise BaselineError(
                f"unknown baseline variable {name!r}.{did_you_mean(name, specs)} "
                f"Known: {', '.join(specs)}"
            )
    return list(names or [])


def _dims_text(frame: pd.DataFrame) -> pd.Series:
    parts = [frame[c].where(frame[c] == "", c + "=" + frame[c]) for c in ("sector", "fuel", "tech")]
    parts.append(frame["product"].where(frame["product"] == "", "product=" + frame["product"]))
    out = parts[0]
    for p in parts[1:]:
        out = out.str.cat(p, sep=" ")
    return out.str.split().str.join(", ")


def _with_city_rows(table: pd.DataFrame, ds, bl) -> pd.DataFrame:
    """The table plus computed city rows for county variables (provenance 'computed')."""
    known = regions_of(ds)
    city_id = known.city
    out = table[table["region"] != city_id]
    city = []
    for name in dict.fromkeys(out["variable"]):
        spec = bl.SPECS[name]
        if not spec.regional:
            continue
        rows = out[out["variable"] == name].drop_duplicates(["sector", "fuel", "tech", "product"])
        for r in rows.to_dict("records"):
            coords = {spec.dim_for_column(c): r[c] for c in ("sector", "fuel", "tech", "product")}
            coords = {d: v for d, v in coords.items() if d is not None}
            value = float(ds[name].sel(region=city_id, **coords))
            city.append({**r, "region": city_id, "value": value, "provenance": "computed"})
    both = pd.concat([out, pd.DataFrame(city, columns=out.columns)], ignore_index=True)
    order = {v: i for i, v in enumerate(bl.SPECS)}
    regions = {r: i for i, r in enumerate(known.all)}
    both["_v"] = both["variable"].map(order)
    both["_r"] = both["region"].map(regions).fillna(-1)
    return both.sort_values(["_v", "_r"], kind="stable").drop(columns=["_v", "_r"])


def _as_text(frame: pd.DataFrame) -> str:
    columns = {
        "variable": list(frame["variable"]),
        "region": list(frame["region"]),
        "dims": list(_dims_text(frame)),
        "value": [f"{v:.6g}" for v in frame["value"]],
        "unit": list(frame["unit"]),
        "provenance": list(frame["provenance"]),
    }
    widths = {k: max([len(k), *map(len, v)]) for k, v in columns.items()}
    lines = ["  ".join(k.rjust(widths[k]) if k == "value" else k.ljust(widths[k]) for k in columns)]
    for i in range(len(frame)):
        cells = (
            columns[k][i].rjust(widths[k]) if k == "value" else columns[k][i].ljust(widths[k])
            for k in columns
        )
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _balances_text(ds, bl) -> str:
    acc = bl.baseline_balances(ds)
    names = [
        "gdp",
        "energy_consumption",
        "electricity_demand",
        "electricity_consumption",
        "net_import",
        "co2_territorial",
        "co2_trade_adjustment",
        "co2_assessment",
        "co2_intensity",
        "sink_total",
    ]
    columns = {}
    for name in names:
        da = ds[name] if name in ds else acc[name]
        columns[f"{name} [{da.attrs['units']}]"] = da.to_series()
    frame = pd.DataFrame(columns).T
    frame.columns = [f"{r} {ds['name_zh'].sel(region=r).item()}" for r in frame.columns]
    checks = bl.check_references(ds, acc)
    return (
        "accounts by region (city = sum of counties):\n"
        + frame.to_string(float_format=lambda v: f"{v:,.2f}")
        + "\n\ncity against its references:\n"
        + checks.to_string(index=False, float_format=lambda v: f"{v:,.4g}")
    )
