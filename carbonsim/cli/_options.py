"""What several sub-commands share: the parser of a command and the options naming its inputs."""

from __future__ import annotations

import argparse

REGIONS_HELP = (
    "regions CSV of another city's baseline (region,name_zh,name_en,city; see docs/baseline.md); "
    "default: 吴忠市 and its five counties"
)


def add_command(subparsers, name: str, help: str, description: str, epilog: str | None = None):
    """A sub-command's parser, its help text printed as written (examples keep their layout)."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_inputs(parser: argparse.ArgumentParser) -> None:
    """``--years``, ``--targets``, ``--baseline`` and ``--regions``: what a run is made of."""
    parser.add_argument("--years", default="2020:2060", help="first:last year (default 2020:2060)")
    parser.add_argument("--targets", help="target catalogue TOML (default: the bundled plan)")
    parser.add_argument("--baseline", help="baseline CSV (default: the bundled 2020 calibration)")
    parser.add_argument("--regions", metavar="PATH", help=REGIONS_HELP)
