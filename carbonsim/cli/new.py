"""``carbonsim new``: write a commented scenario file extending a bundled one, for a planner."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbonsim.cli._options import add_command
from carbonsim.errors import CarbonsimError

_DESCRIPTION = """\
Write a new scenario file that extends another scenario (by default the bundled plan): every
lever keeps the parent's value until you uncomment a line and change it.  The main levers are
listed with their unit, bounds and the parent's value; `carbonsim levers` lists all of them."""

_EPILOG = """\
examples:
  carbonsim new my.toml                       extends the bundled plan
  carbonsim new my.toml --extends bau         extends the bundled business-as-usual scenario
  carbonsim new my.toml --extends ../base.toml --id my-case
  carbonsim run my.toml --report              then simulate and check it"""

#: The levers the template lists, in this order (the ones planners change most).
MAIN_LEVERS: tuple[str, ...] = (
    "gdp_growth",
    "industry_share",
    "solar_capacity",
    "wind_capacity",
    "storage_ratio",
    "storage_hours",
    "coal_capacity",
    "coal_hours",
    "other_industry_intensity_change",
    "industry_electricity_share",
    "building_electricity_share",
    "nev_sales_share",
    "uhvdc_export",
)
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def register(subparsers: Any) -> None:
    """Add the ``new`` sub-command."""
    parser = add_command(
        subparsers,
        "new",
        "write a commented scenario file extending a bundled scenario",
        _DESCRIPTION,
        _EPILOG,
    )
    parser.add_argument("path", help="the file to write, e.g. my.toml")
    parser.add_argument(
        "--extends",
        default="plan",
        help="bundled scenario name (bau, plan, stretch, uncertainty) or a file path relative "
        "to the new file's folder, to start from (default: plan)",
    )
    parser.add_argument("--id", help="scenario id (default: the file name without .toml)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the template; refuse to overwrite without ``--force``."""
    from carbonsim.io.atomic import write_text

    path = Path(args.path)
    if path.suffix != ".toml":
        raise CarbonsimError(f"{path}: a scenario file name must end in .toml (e.g. my.toml)")
    if path.exists() and not args.force:
        raise CarbonsimError(f"{path}: file exists; choose another name or pass --force")
    scenario_id = args.id or path.stem
    if not _BARE.match(scenario_id):
        raise CarbonsimError(
            f"--id {scenario_id!r}: use letters, digits, '-' and '_' only (pass --id)"
        )
    write_text(path, template(scenario_id, args.extends, path.parent))
    print(f"wrote {path} (extends {args.extends}); edit it, then: carbonsim run {path}")
    return 0


def template(scenario_id: str, extends: str, folder: Path | None = None) -> str:
    """The text of a commented scenario file extending *extends*.

    Parameters
    ----------
    scenario_id : str
        The ``id`` of the new scenario.
    extends : str
        A bundled scenario name (``"plan"``) or a file path (relative to *folder*).
    folder : Path, optional
        Where the new file will live (to read a relative *extends*); default: the current folder.

    Returns
    -------
    str
        TOML that loads to exactly the parent's levers until a line is uncommented.
    """
    from carbonsim.definitions.levers import lever_table
    from carbonsim.inputs.scenario import load_scenario
    from carbonsim.inputs.scenario_files import bundled_scenarios

    named = extends in bundled_scenarios()
    parent = load_scenario(
        extends if named else (folder or Path.cwd()) / extends, allow_outside=True
    )
    title = " · ".join(x for x in (parent.name_zh, parent.name_en) if x)
    lines = [
        f"# 我的情景 · My scenario, starting from {extends!r} ({title})",
        "#",
        "# Every lever keeps the value of the scenario it extends until you set it here.",
        "# Uncomment a line under [levers] and change the value; values take units, e.g.",
        '#   solar_capacity = { 2025 = "1500 万千瓦", 2030 = "20 GW" }',
        '#   storage_ratio = { 2025 = "10 %" }      # a share: 0.10 or "10 %"',
        "#   gdp_growth = { default = { 2025 = 0.06 }, yanchi = 0.07 }   # per county",
        "# Milestone years are interpolated linearly; after the last one the value is held.",
        "# All levers: `carbonsim levers` (or docs/levers.md); the format: docs/scenarios.md.",
        "# Then: carbonsim run THIS_FILE --report --xlsx",
        "",
        f'id = "{scenario_id}"',
        'name_zh = "我的情景"',
        'name_en = "My scenario"',
        f'description = "Starts from {extends}; edit the levers below."',
        f'extends = "{extends}"',
        "",
        "[levers]",
    ]
    specs = lever_table()
    for name in MAIN_LEVERS:
        spec = specs[name]
        lines.append("")
        lines.append(f"# {spec.name_zh} [{spec.unit}], bounds {spec.lower:g} to {spec.upper:g}")
        value = parent.levers.get(name)
        if value is None:
            lines.append(f"# ({extends} keeps the default: {spec.default})")
            lines.append(f"# {name} = {{ 2030 = ... }}")
        else:
            lines.append(f"# {name} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A normalised lever value as an inline TOML value."""
    if hasattr(value, "to_table"):
        return _toml(value.to_table())
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f"{float(value):.12g}"


def _key(key: Any) -> str:
    key = str(key)
    return key if _BARE.match(key) else f'"{key}"'
