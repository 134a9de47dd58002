"""The one cloze parser: `{{cN::answer}}` and `{{cN::answer::hint}}` in markup text, aware of math and braces.

The loader validates with it, the deck numbers cards and makes deletions safe for Anki with it, and the
workbook turns deletions into blanks with it. Braces inside a deletion are counted, so a deletion may hold
LaTeX such as `\\(\\frac{a}{b}\\)` and still end at its own `}}`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Anki numbers the cards of a cloze note from c1 up to c500; a higher number would silently share card 500.
MAX_NUMBER = 500

_OPEN = re.compile(r"\{\{c(\d*)::")
_BRACES = re.compile(r"\}(?=\})")


@dataclass(frozen=True)
class Deletion:
    """One `{{cN::answer::hint}}`: its number, text, and where it sits in the field."""

    number: int
    answer: str
    hint: str
    start: int  # offset of the opening `{{`
    body: int  # offset just after the opening `{{cN::`
    end: int  # offset just after the closing `}}`
    in_math: bool  # the deletion sits inside \( \) or \[ \]


@dataclass(frozen=True)
class ClozeProblem:
    """Why a cloze field is wrong, and the offset in the field to point at (None: the field as a whole)."""

    message: str
    offset: int | None


@dataclass(frozen=True)
class Cloze:
    """A parsed cloze field: its top-level deletions (in order) and any problems."""

    text: str
    deletions: tuple[Deletion, ...]
    problems: tuple[ClozeProblem, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        """Return every deletion number used, nested ones included, sorted and without repeats."""
        found: set[int] = set()
        for deletion in self.deletions:
            found.add(deletion.number)
            found.update(parse(deletion.answer).numbers)
        return tuple(sorted(n for n in found if n > 0))


# The loader, the note order and the deck all parse the same fields in one build; the result is immutable.
@functools.lru_cache(maxsize=1 << 16)
def parse(text: str) -> Cloze:
    """Parse a cloze field into its deletions, collecting every problem."""
    deletions: list[Deletion] = []
    problems: list[ClozeProblem] = []
    pos = 0
    for match in _OPEN.finditer(text):
        if match.start() < pos:
            continue  # nested inside the previous deletion
        label = match.group(1)
        number = _number(label, match.start(), problems)
        end = _close(text, match.end())
        if end < 0:
            problems.append(ClozeProblem(f"deletion {{{{c{label}:: is never closed with }}}}", match.start()))
            break
        body = text[match.end() : end]
        answer, _, hint = _split_hint(body)
        deletions.append(
            Deletion(number, answer, hint, match.start(), match.end(), end + 2, in_math(text, match.start()))
        )
        pos = end + 2
    if not deletions and not problems:
        problems.append(ClozeProblem("a cloze needs at least one deletion like {{c1::answer}}", None))
    return Cloze(text, tuple(deletions), tuple(problems))


def _number(label: str, offset: int, problems: list[ClozeProblem]) -> int:
    """Read a deletion's number, recording why it is unusable."""
    if not label:
        problems.append(ClozeProblem("a deletion needs a number: write {{c1::...}}, not {{c::...}}", offset))
        return 0
    if not label.isascii() or not label.isdigit():
        problems.append(ClozeProblem(f"'c{label}' is not a deletion number: use c1, c2, ... (ASCII digits)", offset))
        return 0
    number = int(label)
    if number == 0:
        problems.append(ClozeProblem("deletions are numbered from c1; c0 makes no card in Anki", offset))
    elif number > MAX_NUMBER:
        problems.append(ClozeProblem(f"c{number} is past Anki's limit of c{MAX_NUMBER}", offset))
    return number


def _split_hint(body: str) -> tuple[str, str, str]:
    """Split `answer::hint` at the first `::` outside math and braces."""
    depth = 0
    i = 0
    while i < len(body) - 1:
        skip = _math_end(body, i)
        if skip is not None:
            i = skip
            continue
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and body.startswith("::", i):
            return body[:i], "::", body[i + 2 :]
        i += 1
    return body, "", ""


def _math_end(text: str, i: int) -> int | None:
    """Return the index just after a math span opening at i, or None if none opens there."""
    if text.startswith("\\(", i) or text.startswith("\\[", i):
        close = text.find("\\)" if text[i + 1] == "(" else "\\]", i + 2)
        return close + 2 if close >= 0 else len(text)
    return None


def _close(text: str, start: int) -> int:
    """Return the index of the `}}` closing a deletion body, skipping math spans and balanced braces."""
    depth = 0
    i = start
    while i < len(text) - 1:
        skip = _math_end(text, i)
        if skip is not None:
            i = skip
            continue
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            if depth == 0 and text[i + 1] == "}":
                return i
            depth = max(0, depth - 1)
        i += 1
    return -1


def in_math(text: str, index: int) -> bool:
    """Tell whether the index falls inside a \\( \\) or \\[ \\] span."""
    opened = max(text.rfind("\\(", 0, index), text.rfind("\\[", 0, index))
    if opened < 0:
        return False
    closed = max(text.rfind("\\)", 0, index), text.rfind("\\]", 0, index))
    return closed < opened


def blanks(text: str) -> tuple[str, list[str]]:
    """Replace each deletion with a blank; return the question and the answers in order.

    A deletion inside math becomes a question mark there, and its answer stays math.
    """
    out: list[str] = []
    answers: list[str] = []
    pos = 0
    for deletion in parse(text).deletions:
        out.append(text[pos : deletion.start])
        if deletion.in_math:
            out.append("?")
            answers.append(f"\\({deletion.answer}\\)")
        else:
            out.append("_" * 10 + (f" ({deletion.hint})" if deletion.hint else ""))
            answers.append(deletion.answer)
        pos = deletion.end
    out.append(text[pos:])
    return "".join(out), answers


def for_anki(text: str) -> str:
    """Return the field with a space between any two `}` inside a deletion that are not its closing `}}`.

    Anki ends a deletion at the first `}}` it meets, so `{{c1::\\(\\frac{a}{b}\\)}}` would end inside the math;
    Anki's manual says to separate the braces with a space, which changes nothing in how the math looks.
    """
    out: list[str] = []
    pos = 0
    for deletion in parse(text).deletions:
        out.append(text[pos : deletion.body])
        out.append(_separate(text[deletion.body : deletion.end - 2]))
        out.append("}}")
        pos = deletion.end
    out.append(text[pos:])
    return "".join(out)


def _separate(body: str) -> str:
    """Space apart adjacent closing braces of a deletion body, keeping nested deletions intact."""
    out: list[str] = []
    pos = 0
    for nested in parse(body).deletions:
        out.append(_BRACES.sub("} ", body[pos : nested.start]))
        out.append(for_anki(body[nested.start : nested.end]))
        pos = nested.end
    out.append(_BRACES.sub("} ", body[pos:]))
    joined = "".join(out)
    # A body ending in `}` would make `}}}`, and Anki would close the deletion one brace early.
    return joined + " " if joined.endswith("}") and not joined.endswith("}}") else joined
