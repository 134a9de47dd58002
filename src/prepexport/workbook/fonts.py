"""The shipped DejaVu fonts: register them once with reportlab and answer glyph-coverage questions."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_ITALIC = "DejaVuSans-Oblique"
SANS_BOLD_ITALIC = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"
MONO_BOLD = "DejaVuSansMono-Bold"

#: Every face the workbook uses, by reportlab name; the file is `<name>.ttf` in FONT_DIR.
FACES = (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO, MONO_BOLD)


@cache
def register() -> None:
    """Register the DejaVu faces and their bold/italic families with reportlab (once per process)."""
    for name in FACES:
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    # Both spellings, so <b> and <i> inside paragraphs pick the right face.
    for bold, italic, face in ((0, 0, SANS), (1, 0, SANS_BOLD), (0, 1, SANS_ITALIC), (1, 1, SANS_BOLD_ITALIC)):
        addMapping(SANS, bold, italic, face)
    for bold, italic, face in ((0, 0, MONO), (1, 0, MONO_BOLD), (0, 1, MONO), (1, 1, MONO_BOLD)):
        addMapping(MONO, bold, italic, face)


@cache
def codepoints(face: str) -> frozenset[int]:
    """Return the code points the face has a glyph for."""
    return frozenset(TTFont(f"{face}-cmap", str(FONT_DIR / f"{face}.ttf")).face.charToGlyph)


def missing(text: str, face: str = SANS) -> set[str]:
    """Return the characters of the text that the face cannot draw (line breaks and tabs excepted)."""
    have = codepoints(face)
    return {c for c in text if ord(c) not in have and c not in "\n\r\t"}
