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


#: The file each face is registered from now; a course may name its own (see course_faces).
_in_use: dict[str, Path] = {}


def course_faces(root: Path, regular: str, bold: str, italic: str, bold_italic: str, mono: str) -> dict[str, Path]:
    """Map a course's TrueType files (paths relative to its source; empty: the shipped font) to the faces.

    The text and the headings both use the course's regular and bold; a style it leaves out falls back to its
    regular file, so every glyph comes from one family.
    """
    faces: dict[str, Path] = {}
    if regular:
        base = root / regular
        heavy = root / bold if bold else base
        faces |= {TEXT: base, SANS: base, TEXT_BOLD: heavy, SANS_BOLD: heavy}
        faces[TEXT_ITALIC] = root / italic if italic else base
        faces[TEXT_BOLD_ITALIC] = root / bold_italic if bold_italic else heavy
    if mono:
        faces |= {MONO: root / mono, MONO_BOLD: root / mono}
    return faces


def register(custom: dict[str, Path] | None = None) -> None:
    """Register the faces (the shipped ones, or the course's where it names its own) with reportlab.

    The names stay the same whatever the files, so styles never change; registering again only when the files
    differ from the last build keeps repeated builds of one course fast.
    """
    files = {name: FONT_DIR / f"{name}.ttf" for name in FACES} | (custom or {})
    if files == _in_use:
        return
    for name, path in files.items():
        # reportlab keeps the first font registered under a name: put this build's in its place. One font
        # object per file, shared by the faces that use it and reused on every switch, so no document embeds
        # one file twice under one name.
        font = _font(path, name)
        pdfmetrics._fonts[name] = font
        pdfmetrics._dynFaceNames[name] = font
    _in_use.clear()
    _in_use.update(files)
    # Every spelling, so <b> and <i> inside paragraphs pick the right face.
    families = (
        (TEXT, (TEXT, TEXT_BOLD, TEXT_ITALIC, TEXT_BOLD_ITALIC)),
        (SANS, (SANS, SANS_BOLD, SANS, SANS_BOLD)),
        (MONO, (MONO, MONO_BOLD, MONO, MONO_BOLD)),
    )
    for family, (regular, bold, italic, bold_italic) in families:
        for b, i, face in ((0, 0, regular), (1, 0, bold), (0, 1, italic), (1, 1, bold_italic)):
            addMapping(family, b, i, face)


_fonts_by_file: dict[Path, TTFont] = {}


def _font(path: Path, name: str) -> TTFont:
    """Return the one font object of a file, made under the name of the first face that uses it."""
    if path not in _fonts_by_file:
        _fonts_by_file[path] = TTFont(name, str(path))
    return _fonts_by_file[path]


def codepoints(face: str) -> frozenset[int]:
    """Return the code points the face, as registered now, has a glyph for."""
    return _codepoints(_in_use.get(face, FONT_DIR / f"{face}.ttf"))


@cache
def _codepoints(path: Path) -> frozenset[int]:
    # The font object the faces draw with, so a file is read once (a new one would parse it again).
    return frozenset(_font(path, path.stem).face.charToGlyph)


def missing(text: str, face: str = TEXT) -> set[str]:
    """Return the characters of the text that the face cannot draw (line breaks and tabs excepted)."""
    have = codepoints(face)
    return {c for c in set(text) if ord(c) not in have and c not in "\n\r\t"}


@cache
def fingerprint(*paths: Path) -> str:
    """Return a short hash of font files' bytes (part of the formula cache key: another font, other shapes)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
