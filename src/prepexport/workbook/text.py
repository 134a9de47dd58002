"""Turn markup fields into reportlab paragraph markup and flowables, escaping everything from the source."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph
from reportlab.platypus import paragraph as reportlab_paragraph

from prepexport import markup
from prepexport.workbook import fonts, formulas, rtl
from prepexport.workbook.styles import BODY_SIZE, MATH_SIZE, SIZES, tall


def code_size(size: float) -> float:
    """Return the size code is set in next to text of `size`: one step down the scale (monospace looks larger)."""
    smaller = [s for s in SIZES if s < size * 0.95]
    return smaller[-1] if smaller else size


_OPENING = re.compile(r"(^|[\s(\[{\u2014\u2013/-])([\"'])")


# A range of small numbers in prose ("1-2 hours", "pp. 12-15"), not a date, version, id or part of a path.
_RANGE = re.compile(r"(?<![\w.\-/:])(\d{1,3})-(\d{1,3})(?![\w\-/:]|\.\w)")


_SCHEME = re.compile(r"[a-z0-9.+-]*://", re.I)
URL_BREAKS = "/.-_?&="


def url_breaks(uri: str) -> list[tuple[str, str]] | None:
    """Return where a URL may break over lines, longest first line first: only after / . - _ ? & =, never
    inside a word (reportlab's own rule breaks after a slash only, then anywhere, and the rest of a URL broken
    once is no longer a URL to it). A long word with a separator counts as the rest of a URL."""
    if not reportlab_paragraph.uri_pat.match(uri) and not (len(uri) >= 20 and any(c in uri for c in URL_BREAKS)):
        return None
    scheme = _SCHEME.match(uri)
    start = scheme.end() if scheme else 0
    pairs = [(uri[: i + 1], uri[i + 1 :]) for i in range(start, len(uri) - 1) if uri[i] in URL_BREAKS]
    return pairs[::-1]


# Paragraph styles with `uriWasteReduce` set (the references) break URLs with this rule.
reportlab_paragraph._uri_split_pairs = url_breaks


def curly(text: str) -> str:
    """Make prose typographic: curly quotes and apostrophes (opening after a space or bracket), and an en
    dash in a number range."""
    text = _RANGE.sub("\\1\u2013\\2", text)
    text = _OPENING.sub(lambda m: m.group(1) + ("\u201c" if m.group(2) == '"' else "\u2018"), text)
    return text.replace('"', "\u201d").replace("'", "\u2019")


class TextRenderer:
    """Render markup and plain text, remembering characters the fonts cannot draw."""

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}  # character -> face that lacks it

    def plain(self, text: str, face: str = fonts.TEXT) -> str:
        """Escape plain source text for a paragraph, with typographic quotes."""
        text = curly(text)
        self._check(text, face)
        return escape(text, quote=False)

    def literal(self, text: str, face: str = fonts.MONO) -> str:
        """Escape text that must print exactly as written (a search to type, a file name)."""
        self._check(text, face)
        return escape(text, quote=False)

    def line(self, text: str, size: float = BODY_SIZE) -> str:
        """Render a markup field as one run of paragraph markup (blocks joined by line breaks)."""
        parts: list[str] = []
        for block in markup.parse(text):
            if isinstance(block, markup.DisplayMath):
                parts.append(self.math(block.latex, size))
            elif isinstance(block, markup.Paragraph):
                parts.append(self.spans(block.spans, size))
            else:
                for number, item in enumerate(block.items, 1):
                    mark = f"{number}." if block.numbered else "•"
                    parts.append(f"{mark}\u00a0{self.spans(item, size)}")
        return "<br/>".join(parts)

    def spans(self, spans: Iterable[markup.Span], size: float = BODY_SIZE) -> str:
        """Render a line of spans."""
        out: list[str] = []
        spans = list(spans)
        carried = ""  # punctuation already set with the formula before it
        for span in spans:
            face = _face(span.bold, span.italic)
            text = span.text[len(carried) :] if carried and span.text.startswith(carried) else span.text
            carried = ""
            if span.kind == "math":
                # A line may break after an inline formula's image, so punctuation right after the formula
                # is typeset with it (in the text face), never alone at the start of the next line.
                carried = _trailing_punctuation(spans, span)
                latex = f"{text}\\text{{{carried}}}" if carried else text
                if carried and rtl.active():  # drawn where the bidi order puts it: left of the formula in RTL
                    drawn = rtl.after_object(_logical(spans), _offset(spans, span) + 1, carried)
                    latex = f"\\text{{{drawn}}}{text}" if drawn is not None else latex
                body = self.math(latex, size)
            elif span.kind == "code":
                self._check(text, fonts.MONO)
                code = escape(text, quote=False).replace(" ", "\u00a0")
                body = f'<font face="{fonts.MONO}" size="{code_size(size)}">{code}</font>'
            else:
                words = curly(text)
                self._check(words, face)
                body = escape(words, quote=False)
            if not body:
                continue
            if span.italic:
                body = f"<i>{body}</i>"
            if span.bold:
                body = f"<b>{body}</b>"
            out.append(body)
        return "".join(out)

    def math(self, latex: str, size: float = BODY_SIZE) -> str:
        """Render inline math typeset like display math (ziamath, the matching math font), on the baseline."""
        return formulas.inline_markup(latex, size)

    def paragraph(self, text: str, style: ParagraphStyle) -> Paragraph:
        """Return one paragraph of already rendered markup, with room for any inline drawing in it."""
        return Paragraph(text, tall(style) if formulas.is_inline(text) else style)

    def blocks(self, text: str, style: ParagraphStyle, *, bullet_style: ParagraphStyle | None = None) -> list[Flowable]:
        """Render a markup field as paragraphs, lists and display formulas."""
        found: list[Flowable] = []
        for block in markup.parse(text):
            if isinstance(block, markup.DisplayMath):
                found.append(formulas.DisplayFormula(block.latex, MATH_SIZE))
            elif isinstance(block, markup.Paragraph):
                found.append(self.paragraph(self.spans(block.spans, style.fontSize), style))
            else:
                items = [
                    self.paragraph(self.spans(item, style.fontSize), bullet_style or style) for item in block.items
                ]
                found.append(self.bullets(items, numbered=block.numbered))
        return found

    def bullets(self, items: list[Paragraph], *, numbered: bool = False) -> ListFlowable:
        """Return a bullet (or numbered) list of paragraphs; numbers read "1.", with room for "10." and a space."""
        indent = 20 if numbered else 13
        marks: dict[str, Any] = {
            "bulletType": "1" if numbered else "bullet",
            "start": None if numbered else "•",
            "bulletFormat": "%s." if numbered else None,
            "bulletFontName": fonts.TEXT,
            "bulletFontSize": BODY_SIZE,
            "spaceAfter": 4,
        }
        if rtl.active():  # bullets and numbers stand on the right, where the lines start
            if numbered:  # and read as in a right-to-left line: the full stop after the number on its left,
                marks["bulletFormat"] = ".%s"  # where a space keeps it from the item's first word
                indent += 2
            return ListFlowable(
                [ListItem(item, leftIndent=0, rightIndent=indent) for item in items],
                leftIndent=0,
                rightIndent=indent,
                bulletDir="rtl",
                bulletAlign="right",
                **marks,
            )
        return ListFlowable([ListItem(item, leftIndent=indent) for item in items], leftIndent=indent, **marks)

    def _check(self, text: str, face: str) -> None:
        for char in fonts.missing(text, face):
            self.missing.setdefault(char, face)


_PUNCTUATION = re.compile(r"[.,;:!?)\]]+")


def _trailing_punctuation(spans: list[markup.Span], span: markup.Span) -> str:
    """Return the punctuation that starts the plain text right after a math span, if any."""
    at = next(i for i, s in enumerate(spans) if s is span)
    after = spans[at + 1] if at + 1 < len(spans) else None
    if after is None or after.kind != "text" or (after.bold, after.italic) != (span.bold, span.italic):
        return ""
    match = _PUNCTUATION.match(after.text)
    return match.group(0) if match else ""


def _logical(spans: list[markup.Span]) -> str:
    """Return a line's text in reading order, each formula standing as one object character."""
    return "".join("\ufffc" if span.kind == "math" else span.text for span in spans)


def _offset(spans: list[markup.Span], span: markup.Span) -> int:
    """Return where a span starts in the line's logical text."""
    return len(_logical(spans[: next(i for i, s in enumerate(spans) if s is span)]))


def _face(bold: bool, italic: bool) -> str:
    """Return the face a span is drawn in."""
    if bold and italic:
        return fonts.TEXT_BOLD_ITALIC
    if bold:
        return fonts.TEXT_BOLD
    return fonts.TEXT_ITALIC if italic else fonts.TEXT
