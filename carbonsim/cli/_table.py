"""Aligned plain-text tables for the terminal (Chinese characters take two cells)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> str:
    """Header, a rule, the rows, then ``(N noun)``; ``no noun match`` when there are no rows."""
    if not rows:
        return f"no {noun} match\n"
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, tuple("-" * w for w in widths), *rows]
    ]
    lines.append(f"({len(rows)} {noun})")
    return "\n".join(lines) + "\n"
