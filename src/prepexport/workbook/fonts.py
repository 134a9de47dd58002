"""The shipped fonts: DejaVu Serif for text, DejaVu Sans for headings, DejaVu Sans Mono for code and the
matching TeX Gyre DejaVu Math for formulas. Register them once and answer glyph-coverage questions."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

TEXT = "DejaVuSerif"
TEXT_BOLD = "DejaVuSerif-Bold"
TEXT_ITALIC = "DejaVuSerif-Italic"
TEXT_BOLD_ITALIC = "DejaVuSerif-BoldItalic"
SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
MONO = "DejaVuSansMono"
MONO_BOLD = "DejaVuSansMono-Bold"

#: The OpenType MATH font ziamath typesets formulas with; drawn as outlines, so reportlab never embeds it.
MATH_FONT = FONT_DIR / "texgyredejavu-math.otf"

#: Every face the workbook uses, by reportlab name; the file is `<name>.ttf` in FONT_DIR.
FACES = (TEXT, TEXT_BOLD, TEXT_ITALIC, TEXT_BOLD_ITALIC, SANS, SANS_BOLD, MONO, MONO_BOLD)


@cache
def register() -> None:
    """Register the faces and their bold/italic families with reportlab (once per process)."""
    for name in FACES:
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    # Every spelling, so <b> and <i> inside paragraphs pick the right face.
    families = (
        (TEXT, (TEXT, TEXT_BOLD, TEXT_ITALIC, TEXT_BOLD_ITALIC)),
        (SANS, (SANS, SANS_BOLD, SANS, SANS_BOLD)),
        (MONO, (MONO, MONO_BOLD, MONO, MONO_BOLD)),
    )
    for family, (regular, bold, italic, bold_italic) in families:
        for b, i, face in ((0, 0, regular), (1, 0, bold), (0, 1, italic), (1, 1, bold_italic)):
            addMapping(family, b, i, face)


@cache
def codepoints(face: str) -> frozenset[int]:
    """Return the code points the face has a glyph for."""
    return frozenset(TTFont(f"{face}-cmap", str(FONT_DIR / f"{face}.ttf")).face.charToGlyph)


def missing(text: str, face: str = TEXT) -> set[str]:
    """Return the characters of the text that the face cannot draw (line breaks and tabs excepted)."""
    have = codepoints(face)
    return {c for c in text if ord(c) not in have and c not in "\n\r\t"}


@cache
def fingerprint(*paths: Path) -> str:
    """Return a short hash of font files' bytes (part of the formula cache key: another font, other shapes)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
