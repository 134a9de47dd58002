"""A formula without the left-hand side that names it, for a card that asks for the formula's name.

`\\text{MRR} = \\frac{1}{|Q|} \\sum ...` would answer its own question; the card shows `\\frac{1}{|Q|} \\sum ...`.
Works on any LaTeX: the first relation (=, \\approx, ...) outside braces, brackets and environments splits a
row (a relation inside a set or a function call is not one); in an aligned environment every row loses its
left-hand side.
"""

from __future__ import annotations

import re

#: Relations whose left-hand side is the thing defined: `=`, `:=`, `\approx` and the like.
_RELATIONS = ("\\approx", "\\equiv", "\\propto", "\\coloneqq", "\\triangleq", "\\doteq", "\\simeq")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_ROWS = re.compile(r"\s*(\\begin\{(aligned|align\*?|gathered|split)\})(.*)(\\end\{\2\})\s*", re.DOTALL)


def right_hand_side(latex: str) -> str:
    """Return the formula with the left-hand side of its first top-level relation removed (as is if none)."""
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
    """Return what follows the first top-level relation of one row, or the row if it has none."""
    depth = 0
    i = 0
    while i < len(row):
        char = row[i]
        if char == "\\":
            match = _COMMAND.match(row, i)
            word = match.group(0) if match else "\\"
            if word in ("\\left", "\\begin", "\\{"):
                depth += 1
            elif word in ("\\right", "\\end", "\\}"):
                depth -= 1
            elif depth == 0 and word in _RELATIONS:
                return _keep_alignment(row, row[:i], row[i + len(word) :])
            i += len(word)
            continue
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif depth == 0 and (char == "=" or row.startswith(":=", i)):
            width = 2 if row.startswith(":=", i) else 1
            return _keep_alignment(row, row[:i], row[i + width :])
        i += 1
    return row


def _keep_alignment(row: str, left: str, right: str) -> str:
    """Return the right-hand side, or the whole row if either side is empty (nothing would be left to ask)."""
    if not left.replace("&", "").strip() or not right.strip():
        return row
    return right
