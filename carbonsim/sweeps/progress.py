"""Progress of long work: a tqdm bar on a terminal or in Jupyter, log lines everywhere else.

:func:`progress_bar` picks one of three displays, all used as ``with progress_bar(...) as bar:
bar.update(n)``:

* a terminal (stderr is a tty): tqdm's text bar on stderr;
* a Jupyter kernel: tqdm's notebook widget (ipywidgets), or its text bar on stderr without them;
* anything else (a log file, CI, a pipe): a line on stderr at the start, then at most one every
  ``interval`` seconds and one at the end, with the scenarios done, the rate and the time left::

      sweep: 40,000/100,000 scenarios (40 %), 2,150 scenarios/s, ETA 28 s

``enabled=False`` (``progress=False``, ``carbonsim sweep --quiet``) silences all three.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

__all__ = ["LogProgress", "format_duration", "in_jupyter", "progress_bar"]

#: Seconds between two log lines when stderr is not a terminal (``CARBONSIM_PROGRESS_INTERVAL``).
DEFAULT_INTERVAL = 10.0


def format_duration(seconds: float) -> str:
    """``"8 s"``, ``"3 min 20 s"``, ``"1 h 05 min"`` (``"?"`` when unknown).

    Examples
    --------
    >>> format_duration(200)
    '3 min 20 s'
    """
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return "?"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class LogProgress:
    """Progress as plain lines on a stream: done, rate and ETA, at most every *interval* s.

    Parameters
    ----------
    total : int
        Scenarios to do in all.
    initial : int
        Scenarios already done (a resumed sweep); the rate counts only the new ones.
    desc : str
        What is running (the line's prefix).
    interval : float
        Least seconds between two lines (the first and the last line are always written).
    file : text stream, optional
        Default: ``sys.stderr`` at the time of each line.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        desc: str = "sweep",
        interval: float = DEFAULT_INTERVAL,
        file: TextIO | None = None,
    ):
        self.total, self.n, self.desc = int(total), int(initial), desc
        self.interval, self._file = float(interval), file
        self._initial = self.n
        self._start = self._last = time.monotonic()

    def __enter__(self) -> LogProgress:
        self._write(time.monotonic())
        return self

    def __exit__(self, *exc) -> None:
        now = time.monotonic()
        if now != self._last or self.n != self._initial:
            self._write(now, final=True)

    def update(self, n: int = 1) -> None:
        """*n* more scenarios done; write a line if *interval* has passed since the last."""
        if not n:
            return
        self.n += int(n)
        now = time.monotonic()
        if now - self._last >= self.interval and self.n < self.total:
            self._write(now)

    def close(self) -> None:
        """Nothing to release (for tqdm compatibility)."""

    def line(self, now: float | None = None, final: bool = False) -> str:
        """The current progress line (without newline)."""
        now = time.monotonic() if now is None else now
        elapsed = now - self._start
        new = self.n - self._initial
        rate = new / elapsed if elapsed > 0 else float("nan")
        share = self.n / self.total if self.total else 1.0
        text = f"{self.desc}: {self.n:,}/{self.total:,} scenarios ({share:.0%})"
        if new and rate == rate:
            text += f", {rate:,.0f} scenarios/s"
        if final:
            return text + f", done in {format_duration(elapsed)}"
        left = (self.total - self.n) / rate if new and rate > 0 else float("nan")
        return text + f", ETA {format_duration(left)}"

    def _write(self, now: float, final: bool = False) -> None:
        stream = self._file or sys.stderr
        print(self.line(now, final), file=stream, flush=True)
        self._last = now


def in_jupyter() -> bool:
    """True inside a Jupyter (IPython kernel) session."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    ip = get() if get is not None else None
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def _interval() -> float:
    try:
        return float(os.environ.get("CARBONSIM_PROGRESS_INTERVAL", DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL


def progress_bar(enabled: bool, total: int, initial: int = 0, desc: str = "sweep"):
    """The progress display for *total* scenarios (see the module docs), as a context manager.

    Parameters
    ----------
    enabled : bool
        ``False``: nothing is displayed.
    total, initial : int
        Scenarios in all, and already done.
    desc : str
        The label.

    Returns
    -------
    tqdm or LogProgress
        Use ``with … as bar: bar.update(n)``.
    """
    from tqdm import tqdm

    options = {
        "total": total,
        "initial": initial,
        "unit": " scenarios",
        "unit_scale": total >= 10_000,
        "desc": desc,
        "smoothing": 0.1,
    }
    if not enabled:
        return tqdm(disable=True, **options)
    if in_jupyter():
        try:
            import ipywidgets  # noqa: F401  (tqdm.notebook needs it to draw)
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(**options)
        except ImportError:
            return tqdm(file=sys.stderr, **options)
    if sys.stderr.isatty():
        return tqdm(file=sys.stderr, **options)
    return LogProgress(total, initial, desc, interval=_interval())
