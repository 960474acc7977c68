"""Derive the 2020 baseline calibration of 吴忠市 and its five counties.

Run ``python derive.py`` in this directory to regenerate ``wuzhong-2020.csv`` (``--check`` only
compares). This is package data, not an importable module. A test checks that the stored CSV
equals what this script produces: edit the numbers in ``_derive_inputs.py``, then regenerate.

The script and its helper modules beside it:

* ``derive.py`` – the entry point: assemble the rows, render the CSV, write or ``--check`` it;
* ``_derive_inputs.py`` – the stated inputs, each with its source or method, and the citations;
* ``_derive_economy.py`` – county GDP and value added (the city total split by IPF);
* ``_derive_energy.py`` – final energy by county, sector and fuel, and the two closures;
* ``_derive_rows.py`` – the row helper; rows of the economy, products, final energy, demand;
* ``_derive_rows_power_land.py`` – rows of the power system, parameters, land, references.

The script is a chain of small, stated steps:

1. **Sourced anchors** (provenance ``source``): city GDP 621.8 亿元, county population,
   emission factors, grid factor, conversion coefficients, the plan's ecological targets.
2. **A-priori estimates** (provenance ``estimate``; each row says how): county splits, product
   outputs, unit energy use by the national limit and benchmark standards, per-capita and
   per-value-added drivers of the other sectors, power capacity by named plants, hours.
3. **Two closures**, nothing else is fitted:

   a. ``other_industry`` final energy is the residual that makes the city's total energy
      consumption (coal-equivalent method, consumption basis) equal the 600 万tce estimate;
   b. the coal-plant utilisation hours are the value that makes the city's assessment-basis
      CO2 equal ``CO2_TARGET`` (2.37 t/万元 × 2020 GDP at 2015 prices), rounded to 10 h.

Nothing here is tuned towards a future target of the plan.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE.parent.parent / "carbonsim" / "data" / "baseline" / "wuzhong-2020.csv"
COLUMNS = (
    "variable",
    "region",
    "sector",
    "fuel",
    "tech",
    "product",
    "value",
    "unit",
    "provenance",
    "source",
)


if str(HERE) not in sys.path:  # loaded by file path (the test) rather than run as a script
    sys.path.insert(0, str(HERE))

from _derive_economy import value_added  # noqa: E402
from _derive_energy import (  # noqa: E402
    close_coal_hours,
    close_other_industry,
    coal_supply_rate,
    other_sector_energy,
    product_energy,
)
from _derive_inputs import TWH_PER_10KTCE  # noqa: E402
from _derive_rows import demand_driver_rows, economy_rows, energy_rows, product_rows  # noqa: E402
from _derive_rows_power_land import (  # noqa: E402
    land_rows,
    parameter_rows,
    power_rows,
    reference_rows,
)


def build_rows() -> list[dict]:
    """All rows of the calibration, in file order."""
    va = value_added()
    coal_rate = coal_supply_rate()
    energy = product_energy()
    for key, v in other_sector_energy(va).items():
        energy[key] = energy.get(key, 0.0) + v
    other_total = close_other_industry(energy, va, coal_rate)
    coal_hours = close_coal_hours(energy, coal_rate)
    elec = sum(v for (_, _, f), v in energy.items() if f == "electricity") * TWH_PER_10KTCE
    return (
        economy_rows(va)
        + product_rows()
        + energy_rows(energy, other_total)
        + demand_driver_rows(va)
        + power_rows(coal_rate, coal_hours)
        + parameter_rows()
        + land_rows()
        + reference_rows(elec)
    )


def render(rows: list[dict]) -> str:
    """The CSV text (UTF-8, LF line endings)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "value": repr(r["value"])})
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (default) or ``--check`` the bundled CSV."""
    argv = sys.argv[1:] if argv is None else argv
    text = render(build_rows())
    if "--check" in argv:
        same = CSV_PATH.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{CSV_PATH.name} differs from derive.py: regenerate it")
        return 0 if same else 1
    CSV_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {CSV_PATH} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
