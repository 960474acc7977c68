"""Aligned plain-text tables for the terminal (Chinese characters take two cells).

The display-width rules of every table carbonsim prints (the CLI, reports, what-it-takes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["aligned_lines", "aligned_table", "display_width", "pad", "truncate"]


def display_width(text: str) -> int:
    """Cells *text* takes in a terminal: East Asian wide and full-width characters take two,
    combining marks none.

    Examples
    --------
    >>> display_width("万千瓦"), display_width("GW"), display_width("e\\u0301")
    (6, 2, 1)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def pad(text: str, width: int, right: bool = False) -> str:
    """*text* padded with spaces to *width* display cells (right-aligned with ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def truncate(text: str, width: int) -> str:
    """*text* cut to at most *width* display cells (an ellipsis marks the cut)."""
    if display_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def aligned_lines(
    header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] = ()
) -> list[str]:
    """Header, a rule and the rows, each cell padded to its column's display width;
    columns flagged in *right* are right-aligned (numbers)."""
    table = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(display_width(r[i]) for r in table) for i in range(len(header))]
    flags = list(right) + [False] * (len(header) - len(right))
    table.insert(1, ["-" * w for w in widths])
    return [
        "  ".join(pad(c, w, f) for c, w, f in zip(r, widths, flags, strict=True)).rstrip()
        for r in table
    ]


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]], noun: str) -> str:
    """:func:`aligned_lines` then ``(N noun)``; ``no noun match`` when there are no rows."""
    if not rows:
        return f"no {noun} match\n"
    return "\n".join([*aligned_lines(header, rows), f"({len(rows)} {noun})"]) + "\n"
