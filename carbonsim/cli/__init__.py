"""The ``carbonsim`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers) -> None``; the module adds one parser whose ``func`` default is the
function to run with the parsed arguments (returning the exit status).  Modules are found
automatically, so adding a command is adding a file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from carbonsim.errors import CarbonsimError

_EPILOG = """\
examples:
  carbonsim run plan --out results/ --report --xlsx    simulate and check the bundled plan
  carbonsim scenarios                                   the bundled scenarios (bau, plan, …)
  carbonsim targets --region wuzhong --year 2030         the plan's 2030 targets for the city
  carbonsim baseline --format csv > baseline.csv        the 2020 calibration with provenance
  carbonsim levers                                      every lever: unit, default, bounds, clause

Run `carbonsim COMMAND --help` for the options of each command.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="carbonsim",
        description=(
            "carbonsim: carbon-peaking scenarios for 吴忠市 (Wuzhong) and its five counties. "
            "Simulate scenarios, check them against every target of the 2023 plan "
            "《吴忠市碳达峰实施方案》, sweep uncertainty and draw charts."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"carbonsim {version('carbonsim')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "carbonsim (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carbonsim`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except BrokenPipeError:  # pragma: no cover - e.g. `carbonsim targets | head`
        return 0
    except KeyboardInterrupt:
        print(
            "carbonsim: interrupted; finished files are complete, nothing partial is left "
            "at a final path (a sweep continues with --resume)",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:
        message = anticipated(exc)
        if message is None:
            raise  # a programming error: show the traceback
        print(f"carbonsim: error: {message}", file=sys.stderr)
        return 2


def anticipated(exc: BaseException) -> str | None:
    """The one-line message of an anticipated fault (bad input, file system), else None.

    Carbonsim's own errors already name the file and what to do; operating-system and decoding
    errors that escape a reader are named here by their path.
    """
    import json
    import zipfile

    from carbonsim.io.atomic import os_error_message

    if isinstance(exc, CarbonsimError):
        return str(exc)
    if isinstance(exc, OSError):
        if exc.filename is None and exc.errno is None:
            return None
        return os_error_message(exc, exc.filename, "read or write")
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason}); save it as UTF-8"
    if isinstance(exc, zipfile.BadZipFile | json.JSONDecodeError):
        return f"a file is damaged ({exc}); delete it or restore it"
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
