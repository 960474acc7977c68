"""Write ``docs/glossary.md``, the nomenclature: every trajectory variable, its unit, dims and
Chinese name (``carbonsim/data/variables.csv``), and the labels of every axis
(:mod:`carbonsim.engine.axes`, :mod:`carbonsim.constants`).

    python tools/make_glossary.py          # write docs/glossary.md
    python tools/make_glossary.py --check  # exit 1 if it is out of date (the suite runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from carbonsim.definitions.variables import EXTRA_DIMS, variable_metadata

PATH = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"


def render() -> str:
    lines = [
        "# Glossary: the variables carbonsim computes",
        "",
        "Generated from `carbonsim/data/variables.csv` and the axis labels of "
        "`carbonsim/engine/axes.py` by `python tools/make_glossary.py`; do not edit by hand. "
        "Units are the model's (万 = 1e4: `1e4 tce` is 万吨标准煤, `1e4 t CO2` 万吨CO₂, GW = 100 "
        "万千瓦, TWh = 10 亿千瓦时); the plan's terms and conversions are in "
        "`../shared/GLOSSARY.md` and every lever in [levers.md](levers.md).",
        "",
        "Every variable has dims `(scenario, region, …, year)`; `region` holds the city first "
        "(the sum of its counties, or for shares their weighted mean) and then the counties.",
        "",
        "## Axes",
        "",
        "| dim | labels |",
        "|---|---|",
    ]
    lines += [
        f"| `{dim}` | {', '.join(f'`{v}`' for v in values)} |" for dim, values in EXTRA_DIMS.items()
    ]
    lines += [
        "",
        "## Variables",
        "",
        "| name | 中文 | unit | extra dims | description |",
        "|---|---|---|---|---|",
    ]
    for name, row in variable_metadata().items():
        dims = row["dims"].replace(",", ", ") or "—"
        lines.append(
            f"| `{name}` | {row['long_name_zh']} | {row['units']} | {dims} | "
            f"{row['long_name']}: {row['description']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if PATH.read_text(encoding="utf-8") == text else 1)
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH}")
