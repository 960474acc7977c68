"""``carbonsim scenarios``: list the bundled scenarios (usable by name wherever a file is asked)."""

from __future__ import annotations

import argparse
from typing import Any

from carbonsim.cli._options import add_command
from carbonsim.tables import aligned_table

_DESCRIPTION = """\
List the scenarios installed with carbonsim.  Use a name wherever a scenario file is asked for:
`carbonsim run plan`, `carbonsim.load_scenario("plan")`, `extends = "plan"` in your own file.
`carbonsim new my.toml --extends plan` writes a commented file to start from."""


def register(subparsers: Any) -> None:
    """Add the ``scenarios`` sub-command."""
    parser = add_command(
        subparsers,
        "scenarios",
        "list the bundled scenarios (bau, plan, stretch, uncertainty)",
        _DESCRIPTION,
    )
    parser.add_argument("--paths", action="store_true", help="also print each installed file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the table of bundled scenarios."""
    from carbonsim.inputs.scenario import load_scenario
    from carbonsim.inputs.scenario_files import bundled_scenarios

    rows = []
    for name, path in bundled_scenarios().items():
        scenario = load_scenario(path)
        extends = _extends(path)
        row = [name, scenario.name_zh, scenario.name_en, extends, str(len(scenario.levers))]
        rows.append([*row, str(path)] if args.paths else row)
    header = ["name", "中文", "English", "extends", "levers set"]
    print(aligned_table([*header, "file"] if args.paths else header, rows, "scenarios"), end="")
    return 0


def _extends(path) -> str:
    import tomllib

    with open(path, "rb") as handle:
        value = tomllib.load(handle).get("extends", "")
    return value.removesuffix(".toml")
