"""Aligned plain-text tables for the terminal (Chinese characters take two cells)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def aligned_lines(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Header, a rule and the rows, each cell padded to its column's display width."""
    table = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(display_width(r[i]) for r in table) for i in range(len(header))]
    table.insert(1, ["-" * w for w in widths])
    return ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table]


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> str:
    """:func:`aligned_lines` then ``(N noun)``; ``no noun match`` when there are no rows."""
    if not rows:
        return f"no {noun} match\n"
    return "\n".join([*aligned_lines(header, rows), f"({len(rows)} {noun})"]) + "\n"
