"""A formula without the left-hand side that names it, for a card that asks for the formula's name.

`\\text{MRR} = \\frac{1}{|Q|} \\sum ...` would answer its own question; the card shows `\\frac{1}{|Q|} \\sum ...`.
Works on any LaTeX: the last relation (=, \\approx, ...) outside braces, brackets and environments splits a
row (a relation inside a set or a function call is not one), so a chain `A = B = C` shows only `C`; in an
aligned environment every row loses its left-hand side. A formula may name its own front instead
(`expression`), when even its last right-hand side gives the name away.
"""

from __future__ import annotations

import re

#: Relations whose left-hand side is the thing defined: `=`, `:=`, `\approx` and the like.
_RELATIONS = ("\\approx", "\\equiv", "\\propto", "\\coloneqq", "\\triangleq", "\\doteq", "\\simeq")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_ROWS = re.compile(r"\s*(\\begin\{(aligned|align\*?|gathered|split)\})(.*)(\\end\{\2\})\s*", re.DOTALL)


def right_hand_side(latex: str) -> str:
    """Return the formula's last top-level right-hand side, row by row (the formula as is if it has none)."""
    rows = _ROWS.fullmatch(latex)
    if rows is None:
        return _row_rhs(latex).strip()
    begin, _, body, end = rows.groups()
    parts = _split_rows(body)
    return begin + " " + " \\\\ ".join(_row_rhs(row).strip() for row in parts) + " " + end


def _split_rows(body: str) -> list[str]:
    """Split an environment's body at its top-level `\\\\` row breaks."""
    rows, start, depth, i = [], 0, 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if body.startswith("\\\\", i) and depth == 0:
                rows.append(body[start:i])
                start = i + 2
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        i += 1
    rows.append(body[start:])
    return rows


def _row_rhs(row: str) -> str:
    """Return what follows the last top-level relation of one row, or the row if it has none.

    The last, not the first: in a chain `d = \\lVert a - b \\rVert_2 = \\sqrt{...}` every side but the last
    is another name of the same thing (here, the L2 norm that names the distance).
    """
    depth = 0
    i = 0
    cut: tuple[int, int] | None = None  # the last relation's start and end
    while i < len(row):
        char = row[i]
        if char == "\\":
            match = _COMMAND.match(row, i)
            word = match.group(0) if match else "\\"
            if word in ("\\left", "\\begin", "\\{"):
                depth += 1
            elif word in ("\\right", "\\end", "\\}"):
                depth -= 1
            elif depth == 0 and word in _RELATIONS and _asks(row[:i], row[i + len(word) :]):
                cut = (i, i + len(word))
            i += len(word)
            continue
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif depth == 0 and (char == "=" or row.startswith(":=", i)):
            width = 2 if row.startswith(":=", i) else 1
            if _asks(row[:i], row[i + width :]):
                cut = (i, i + width)
            i += width
            continue
        i += 1
    return row if cut is None else row[cut[1] :]


def _asks(left: str, right: str) -> bool:
    """Return whether a relation splits a row into a name and something to ask (neither side empty)."""
    return bool(left.replace("&", "").strip() and right.strip())
