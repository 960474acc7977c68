"""Progress everywhere: log lines (done, rate, ETA) on stderr when it is not a terminal, a bar per
batch on a terminal, nothing with --quiet / progress=False."""

import io
import re
import sys
from pathlib import Path

import pytest

from carbonsim.cli import main
from carbonsim.sweeps import sweep
from carbonsim.sweeps.progress import LogProgress, format_duration, progress_bar

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"^sweep: (?P<done>[\d,]+)/(?P<total>[\d,]+) scenarios \((?P<pct>\d+)%\)"
    r"(?:, (?P<rate>[\d,]+) scenarios/s)?(?:, ETA (?P<eta>.+)|, done in (?P<took>.+))$"
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _lines(text: str) -> list[re.Match]:
    matches = [LINE.match(line) for line in text.splitlines()]
    assert all(matches), text
    return matches


def test_sweep_logs_progress_lines_when_stderr_is_not_a_terminal(monkeypatch, capsys):
    monkeypatch.setenv("CARBONSIM_PROGRESS_INTERVAL", "0")  # a line at every batch
    monkeypatch.setattr("carbonsim.sweeps.run.ROWS_PER_CALL", 20)  # calls of 20 (4096 in use)
    sweep("uncertainty", 60, seed=1, chunk_size=30, progress=True)
    lines = _lines(capsys.readouterr().err)
    done = [int(m["done"].replace(",", "")) for m in lines]
    # the start, a line per batch (20, then the chunk's last 10), the end (done in …)
    assert done == [0, 20, 30, 50, 60]
    assert all(m["total"] == "60" for m in lines)
    assert lines[0]["eta"] == "?" and lines[-1]["took"] and lines[-1]["pct"] == "100"
    assert all(m["eta"] and m["rate"] for m in lines[1:-1])


def test_cli_sweep_quiet_is_silent(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CARBONSIM_PROGRESS_INTERVAL", "0")
    argv = ["sweep", "uncertainty", "-n", "8", "--seed", "1", "--out", str(tmp_path / "s")]
    assert main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_log_progress_rate_and_eta(monkeypatch):
    clock = iter([0.0, 0.0, 5.0, 10.0, 20.0])
    monkeypatch.setattr("carbonsim.sweeps.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    with LogProgress(1000, interval=1.0, file=out) as bar:  # start at t=0
        bar.update(100)  # t=5: 100 in 5 s = 20/s, 900 left = 45 s
        bar.update(100)  # t=10: 200 in 10 s, 800 left = 40 s
    lines = out.getvalue().splitlines()  # end at t=20
    assert lines == [
        "sweep: 0/1,000 scenarios (0%), ETA ?",
        "sweep: 100/1,000 scenarios (10%), 20 scenarios/s, ETA 45 s",
        "sweep: 200/1,000 scenarios (20%), 20 scenarios/s, ETA 40 s",
        "sweep: 200/1,000 scenarios (20%), 10 scenarios/s, done in 20 s",
    ]


def test_log_progress_respects_the_interval(monkeypatch):
    times = iter([0.0, 0.0, 1.0, 2.0, 11.0, 12.0, 13.0])
    monkeypatch.setattr("carbonsim.sweeps.progress.time.monotonic", lambda: next(times))
    out = io.StringIO()
    with LogProgress(100, interval=10.0, file=out) as bar:
        for _ in range(4):
            bar.update(10)
    done = [m["done"] for m in _lines(out.getvalue())]
    assert done == ["0", "30", "40"]  # start, the first update after 10 s, the end


def test_format_duration():
    assert [format_duration(s) for s in (0.4, 59, 61, 3599, 3725)] == [
        "0 s",
        "59 s",
        "1 min 01 s",
        "59 min 59 s",
        "1 h 02 min",
    ]
    assert format_duration(float("nan")) == "?"


@pytest.mark.parametrize("enabled", [True, False])
def test_terminal_bar_and_quiet(monkeypatch, enabled):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(enabled, 1000, 0) as bar:
        bar.update(500)
    text = terminal.getvalue()
    assert ("500/1000" in text and "scenarios/s" in text) if enabled else text == ""
