"""Right-to-left workbooks: Arabic letters joined, each laid-out line put in visual order, pages mirrored.

reportlab breaks lines and draws them left to right. For a course written right to left, text is shaped when a
paragraph is made (so widths are measured on the joined letters), lines are broken in logical order as ever,
and each line is reordered only when drawn: its fragments are cut where the Unicode bidi level changes and put
in visual order (UAX #9, rules L1-L4), each piece keeping its style, link and underline. Paragraphs hang from
the right edge, tables read from right to left, bullets and checkboxes stand on the right. Nothing here is
active for a left-to-right course, so its workbook is built exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from bidi import algorithm as uba
from bidi.mirror import MIRRORED
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table

from prepexport.workbook import fonts

#: Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic and their
#: presentation forms, and the historic ones of the supplementary plane).
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
#: Arabic letters that join (arabic-reshaper turns them into their presentation forms).
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_OBJECT = "\ufffc"  # stands for an inline drawing or callback in a line's text: a neutral

_active = False


def active() -> bool:
    """Tell whether the workbook being built is laid out right to left."""
    return _active


def shape(text: str) -> str:
    """Return the text with Arabic letters in their joined (presentation) forms; other text is unchanged."""
    return _shaper().reshape(text) if _ARABIC.search(text) else text


@cache
def _shaper() -> Any:
    """Return the Arabic shaper, keeping vowel marks (imported only for a course that has Arabic letters)."""
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper({"delete_harakat": False, "support_ligatures": True, "support_zwj": True})


def visual(text: str) -> str:
    """Return one line of logical text in the order it is drawn left to right (for strings a canvas draws)."""
    text = shape(text)
    if not _RTL_LETTERS.search(text):
        return text
    pieces = _runs(text, _levels(text, 1))
    return "".join(_chunk(chunk, level) for level, chunk in _reorder(pieces))


def after_object(text: str, at: int, punctuation: str) -> str | None:
    """Return punctuation that follows an inline drawing (at `at` in a line's logical text) in drawing order,
    when it reads right to left there, to be set before the drawing; None when it reads left to right."""
    if not _RTL_LETTERS.search(text):
        return None
    levels = _levels(text, 1)
    if not levels[at] % 2:
        return None
    return _chunk(punctuation, 1)


def _levels(text: str, base: int) -> list[int]:
    """Return the resolved bidi level of each character (UAX #9 up to rule I2) for a paragraph direction."""
    storage = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "LR"[base]
    uba.get_embedding_levels(text, storage)
    for i, char in enumerate(storage["chars"]):
        char["at"] = i  # explicit formatting characters are dropped on the way (rule X9): keep each one's place
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    _pair_brackets(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels = [base] * len(text)
    for char in storage["chars"]:
        levels[char["at"]] = char["level"]
    # Rule L1: whitespace at the end of the line takes the paragraph's level.
    end = len(text)
    while end and text[end - 1] in " \t\u00a0":
        end -= 1
        levels[end] = base
    return levels


_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = frozenset(_OPENING.values())


def _pair_brackets(storage: dict[str, Any]) -> None:
    """Give both brackets of a pair one direction (rule N0, which python-bidi's algorithm leaves out), so
    `(overfitting) 12` after Hebrew keeps its brackets around the word."""
    for run in storage["runs"]:
        chars = storage["chars"][run["start"] : run["start"] + run["length"]]
        if not chars:
            continue
        embedding = "LR"[chars[0]["level"] % 2]
        stack: list[tuple[str, int]] = []
        pairs: list[tuple[int, int]] = []
        for i, char in enumerate(chars):
            if char["type"] != "ON":
                continue
            if char["ch"] in _OPENING:
                if len(stack) == 63:
                    break
                stack.append((_OPENING[char["ch"]], i))
            elif char["ch"] in _CLOSING:
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k][0] == char["ch"]:
                        pairs.append((stack[k][1], i))
                        del stack[k:]
                        break
        for opening, closing in sorted(pairs):
            inside = {_strong(c["type"]) for c in chars[opening + 1 : closing]} - {None}
            if not inside:
                continue
            found: str = embedding
            if embedding not in inside:  # only the other direction inside: the strong type before decides
                before = (_strong(c["type"]) for c in reversed(chars[:opening]))
                found = next((kind for kind in before if kind), run["sor"])
            chars[opening]["type"] = chars[closing]["type"] = found


def _strong(kind: str) -> str | None:
    """Return the strong direction a resolved type counts as inside brackets (numbers count as R)."""
    return "L" if kind == "L" else "R" if kind in ("R", "AL", "EN", "AN") else None


T = TypeVar("T")


def _runs(text: str, levels: list[int]) -> list[tuple[int, str]]:
    """Cut the text where its level changes."""
    runs: list[tuple[int, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or levels[i] != levels[start]:
            runs.append((levels[start], text[start:i]))
            start = i
    return runs


def _reorder(pieces: Sequence[tuple[int, T]]) -> list[tuple[int, T]]:
    """Put pieces of a line in visual order: from the highest level down to the lowest odd one, reverse every
    run of pieces at that level or higher (rule L2)."""
    order = list(pieces)
    if not order:
        return order
    highest = max(level for level, _ in order)
    lowest_odd = min((level for level, _ in order if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if order[i][0] >= level:
                j = i
                while j < len(order) and order[j][0] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def _chunk(text: str, level: int) -> str:
    """Return a piece of text as drawn: a right-to-left piece reversed (a letter keeps its marks after it) and
    its brackets mirrored (rules L3, L4)."""
    if level % 2 == 0:
        return text
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(MIRRORED.get(char, char))
    return "".join(reversed(clusters))


def _bases(lines: Any) -> list[int]:
    """Return each line's paragraph direction: right to left if its paragraph holds any right-to-left letter,
    else left to right (a line all in Latin, a URL or a number keeps its own order and its full stop at the
    end). A forced line break (`<br/>`, between the blocks of a table cell) ends a paragraph."""
    bases: list[int] = []
    group: list[bool] = []
    for line in lines.lines:
        words = line[1] if lines.kind == 0 else [getattr(f, "text", "") for f in line.words]
        group.append(any(isinstance(word, str) and _RTL_LETTERS.search(word) for word in words))
        if lines.kind == 0 or not getattr(line, "lineBreak", False):
            continue
        bases += [int(any(group))] * len(group)
        group = []
    return bases + [int(any(group))] * len(group)


def _frag_line(words: list[Any], base: int) -> list[Any]:
    """Return a line of fragments in visual order, cut where the level changes, each piece keeping its style."""
    parts = [_OBJECT if hasattr(f, "cbDefn") else f.text for f in words]
    text = "".join(parts)
    if not _RTL_LETTERS.search(text) and base == 0:
        return words
    # Code reads left to right as a whole, its brackets and dots included: embed it left to right (LRE, PDF).
    embedded, inside = [], []
    for frag, part in zip(words, parts, strict=True):
        code = getattr(frag, "fontName", None) == fonts.MONO and part.strip()
        embedded.append(f"\u202a{part}\u202c" if code else part)
        inside += [False] + [True] * len(part) + [False] if code else [True] * len(part)
    all_levels = _levels("".join(embedded), base)
    levels = [level for level, kept in zip(all_levels, inside, strict=True) if kept]
    pieces: list[tuple[int, tuple[Any, str | None]]] = []
    at = 0
    for frag, part in zip(words, parts, strict=True):
        if hasattr(frag, "cbDefn"):
            pieces.append((levels[at], (frag, None)))
        else:
            pieces += [(level, (frag, chunk)) for level, chunk in _runs(part, levels[at : at + len(part)])]
        at += len(part)
    out = []
    for level, (frag, chunk) in _reorder(pieces):
        out.append(frag if chunk is None else frag.clone(text=_chunk(chunk, level)))
    return out


def _plain_line(words: list[str], base: int) -> list[str]:
    """Return a line of words of one style in visual order."""
    text = " ".join(words)
    if not _RTL_LETTERS.search(text) and base == 0:
        return words
    drawn = "".join(_chunk(chunk, level) for level, chunk in _reorder(_runs(text, _levels(text, base))))
    return drawn.split(" ")


_MIRRORED_ALIGNMENT = {TA_LEFT: TA_RIGHT, TA_RIGHT: TA_LEFT}
_setup = Paragraph._setup
_draw_para = Paragraph.drawPara
_table_init = Table.__init__
_table_split = Table.split
_add_command = Table._addCommand
_draw_strings = {name: getattr(Canvas, name) for name in ("drawString", "drawRightString", "drawCentredString")}
_splitting = 0


def _setup_shaped(self: Paragraph, *args: Any, **kwargs: Any) -> None:
    _setup(self, *args, **kwargs)
    frags = list(self.frags or ())
    texts = [getattr(frag, "text", None) if not hasattr(frag, "cbDefn") else None for frag in frags]
    for i, (frag, text) in enumerate(zip(frags, texts, strict=True)):
        if isinstance(text, str) and _ARABIC.search(text):
            before = texts[i - 1] if i else None
            after = texts[i + 1] if i + 1 < len(texts) else None
            frag.text = _shape_between(text, before, after)


_ZWJ = "\u200d"


def _shape_between(text: str, before: Any, after: Any) -> str:
    """Shape a piece of a word whose style changes inside it (`ال**تعلم**`): a letter joins the letters of the
    pieces beside it as it would in one piece (a zero-width joiner stands for each neighbour while shaping)."""
    from arabic_reshaper.letters import connects_with_letter_after as joins_next
    from arabic_reshaper.letters import connects_with_letter_before as joins_previous

    letters = _shaper().letters
    first, last = text[:1], _last_letter(text)
    if isinstance(before, str) and joins_next(_last_letter(before), letters) and joins_previous(first, letters):
        text = _ZWJ + text
    if isinstance(after, str) and joins_next(last, letters) and joins_previous(after[:1], letters):
        text += _ZWJ
    return shape(text)


def _last_letter(text: str) -> str:
    """Return the last character of a text that is not a mark (a vowel sign sits on the letter before it)."""
    return next((char for char in reversed(text) if not unicodedata.combining(char)), "")


def _mirrored_style(style: ParagraphStyle) -> ParagraphStyle:
    """Return the style with its alignment mirrored (cached on the style)."""
    found = style.__dict__.get("_prepexport_mirrored")
    if found is None:
        alignment = _MIRRORED_ALIGNMENT.get(style.alignment, style.alignment)
        found = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=alignment)
        style.__dict__["_prepexport_mirrored"] = found
    return found


def _draw_para_rtl(self: Paragraph, debug: int = 0) -> Any:
    style, lines, offsets = self.style, self.blPara, self.__dict__.get("_offsets")
    bases = _bases(lines)
    mirrored = lines.clone()
    if lines.kind == 0:
        mirrored.lines = [(extra, _plain_line(words, b)) for (extra, words), b in zip(lines.lines, bases, strict=True)]
    else:
        mirrored.lines = [
            line.clone(words=_frag_line(line.words, b)) for line, b in zip(lines.lines, bases, strict=True)
        ]
    # The indents swap sides: a line that starts `left + first` from the left edge ends as far from the right.
    # (reportlab places line i at its offset; the first line also gets the first-line indent.)
    shift = style.rightIndent - style.leftIndent
    self.style = _mirrored_style(style)
    self.blPara = mirrored
    self._offsets = [shift - style.firstLineIndent, shift]
    try:
        return _draw_para(self, debug)
    finally:
        self.style, self.blPara = style, lines
        if offsets is None:
            del self._offsets
        else:
            self._offsets = offsets


def _table_init_rtl(self: Table, data: Any, colWidths: Any = None, *args: Any, **kwargs: Any) -> None:
    if not _splitting:  # the pieces of a split table are made from cells already in reading order
        data = [list(row)[::-1] for row in data]
        if isinstance(colWidths, (list, tuple)):
            colWidths = list(colWidths)[::-1]
    _table_init(self, data, colWidths, *args, **kwargs)


_SIDES = {"LINEBEFORE": "LINEAFTER", "LINEAFTER": "LINEBEFORE", "LEFTPADDING": "RIGHTPADDING"}
_SIDES["RIGHTPADDING"] = "LEFTPADDING"
_ALIGNS = {"LEFT": "RIGHT", "RIGHT": "LEFT"}


def _add_command_rtl(self: Table, cmd: Any) -> None:
    if _splitting or len(cmd) < 3:
        _add_command(self, cmd)
        return
    op, (sc, sr), (ec, er) = cmd[0], cmd[1], cmd[2]
    n = self._ncols
    start, end = (sc + n if sc < 0 else sc), (ec + n if ec < 0 else ec)
    rest = list(cmd[3:])
    if op in ("ALIGN", "HALIGN") and rest and str(rest[0]).upper() in _ALIGNS:
        rest[0] = _ALIGNS[str(rest[0]).upper()]
    _add_command(self, (_SIDES.get(op, op), (n - 1 - end, sr), (n - 1 - start, er), *rest))


def _table_split_rtl(self: Table, availWidth: float, availHeight: float) -> Any:
    global _splitting
    _splitting += 1
    try:
        return _table_split(self, availWidth, availHeight)
    finally:
        _splitting -= 1


def _draw_visual(name: str) -> Any:
    draw = _draw_strings[name]

    def drawn(self: Canvas, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> Any:
        return draw(self, x, y, visual(text), *args, **kwargs)

    return drawn


@contextmanager
def right_to_left(enabled: bool) -> Iterator[None]:
    """While building a right-to-left workbook: shape, reorder and mirror as described above."""
    global _active
    if not enabled:
        yield
        return
    _active = True
    Paragraph._setup = _setup_shaped
    Paragraph.drawPara = _draw_para_rtl
    Table.__init__ = _table_init_rtl
    Table.split = _table_split_rtl
    Table._addCommand = _add_command_rtl
    for name in _draw_strings:
        setattr(Canvas, name, _draw_visual(name))
    try:
        yield
    finally:
        _active = False
        Paragraph._setup = _setup
        Paragraph.drawPara = _draw_para
        Table.__init__ = _table_init
        Table.split = _table_split
        Table._addCommand = _add_command
        for name, draw in _draw_strings.items():
            setattr(Canvas, name, draw)
