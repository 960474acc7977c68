"""Aligned plain-text tables for the terminal (Chinese characters take two cells).

The width rules live in :mod:`carbonsim.feasibility.display`, shared with the library's reports.
"""

from __future__ import annotations

from collections.abc import Sequence

from carbonsim.feasibility.display import aligned_lines, display_width, pad

__all__ = ["aligned_lines", "aligned_table", "display_width", "pad"]


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> str:
    """:func:`aligned_lines` then ``(N noun)``; ``no noun match`` when there are no rows."""
    if not rows:
        return f"no {noun} match\n"
    return "\n".join([*aligned_lines(header, rows), f"({len(rows)} {noun})"]) + "\n"
