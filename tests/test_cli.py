"""`carbonsim --help` and every sub-command's --help are enough to use them."""

import subprocess
import sys

import pytest

from carbonsim.cli import build_parser, main


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(action.choices)


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in subcommands():
        assert name in out
    assert "examples:" in out


@pytest.mark.parametrize("command", subcommands())
def test_each_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert len(out) > 200, f"`carbonsim {command} --help` is too thin"
    assert "usage: carbonsim " + command in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_console_script_runs():
    done = subprocess.run(
        [sys.executable, "-m", "carbonsim.cli", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "carbonsim" in done.stdout
