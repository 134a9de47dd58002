"""Turn markup fields into reportlab paragraph markup and flowables, escaping everything from the source."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph

from prepexport import markup
from prepexport.workbook import fonts, formulas, inline_math
from prepexport.workbook.styles import BODY_SIZE, MATH_SIZE, tall

CODE_SIZE = 0.9  # monospace looks larger than sans at the same size


class TextRenderer:
    """Render markup and plain text, remembering characters the fonts cannot draw."""

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}  # character -> face that lacks it

    def plain(self, text: str, face: str = fonts.SANS) -> str:
        """Escape plain source text for a paragraph."""
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
        for span in spans:
            face = _face(span.bold, span.italic)
            if span.kind == "math":
                body = self.math(span.text, size)
            elif span.kind == "code":
                self._check(span.text, fonts.MONO)
                code = escape(span.text, quote=False).replace(" ", "\u00a0")
                body = f'<font face="{fonts.MONO}" size="{size * CODE_SIZE:.2f}">{code}</font>'
            else:
                self._check(span.text, face)
                body = escape(span.text, quote=False)
            if span.italic:
                body = f"<i>{body}</i>"
            if span.bold:
                body = f"<b>{body}</b>"
            out.append(body)
        return "".join(out)

    def math(self, latex: str, size: float = BODY_SIZE) -> str:
        """Render inline math as text where it can be, else as an inline vector drawing."""
        text = inline_math.to_markup(latex)
        if text is not None:
            return text
        return formulas.inline_markup(latex, size * 1.05)

    def paragraph(self, text: str, style: ParagraphStyle) -> Paragraph:
        """Return one paragraph of already rendered markup, with room for any inline drawing in it."""
        return Paragraph(text, tall(style) if "inline-math" in text else style)

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
        """Return a bullet (or numbered) list of paragraphs."""
        return ListFlowable(
            [ListItem(item, leftIndent=13) for item in items],
            bulletType="1" if numbered else "bullet",
            start=None if numbered else "•",
            leftIndent=13,
            bulletFontName=fonts.SANS,
            bulletFontSize=BODY_SIZE * 0.9,
            spaceAfter=4,
        )

    def _check(self, text: str, face: str) -> None:
        for char in fonts.missing(text, face):
            self.missing.setdefault(char, face)


def _face(bold: bool, italic: bool) -> str:
    """Return the face a span is drawn in."""
    if bold and italic:
        return fonts.SANS_BOLD_ITALIC
    if bold:
        return fonts.SANS_BOLD
    return fonts.SANS_ITALIC if italic else fonts.SANS
