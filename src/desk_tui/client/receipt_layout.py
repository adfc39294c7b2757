"""The receipt's text for a printer: re-laid to the printer's line, in characters a till can print.

The server writes receipts 48 characters wide, each amount row as "left … right" with the right
part flush right (server/sales/receipt.py). A 42-character printer gets each such row re-padded
to 42, or — when the two parts do not fit together — the left part on its own line and the
amount flush right under it; other long lines wrap at spaces; rules of dashes are drawn to the
new width. Nothing is cut off.
"""

from __future__ import annotations

import re
import textwrap

#: "Subtotal        24 000 HUF": a left part, two or more spaces, a right part
_ROW = re.compile(r"^(?P<left>.*\S)\s{2,}(?P<right>\S.*)$")

#: typography a till's code pages lack, as ASCII: "Manicure — from 5x Manicure", "1 × 8 000"
_PLAIN = str.maketrans({"—": "-", "–": "-", "−": "-", "×": "x", "\u202f": " ", "\u00a0": " ", "…": "...",
                        "‘": "'", "’": "'", "“": '"', "”": '"'})


def narrowed(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        line = line.rstrip()
        if set(line) == {"-"}:
            lines.append("-" * width)
        elif len(line) <= width:
            lines.append(line)
        elif (row := _ROW.match(line)) is not None:
            lines.extend(_row(row["left"], row["right"], width))
        else:
            lines.extend(_wrapped(line, width))
    return lines


def _row(left: str, right: str, width: int) -> list[str]:
    if len(left) + 1 + len(right) <= width:
        return [left + " " * (width - len(left) - len(right)) + right]
    return [*_wrapped(left, width), right.rjust(width)]


def _wrapped(line: str, width: int) -> list[str]:
    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_on_hyphens=False) or [""]


def printable(line: str) -> str:
    return line.translate(_PLAIN)
