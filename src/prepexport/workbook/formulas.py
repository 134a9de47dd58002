"""Typeset LaTeX as vector drawings (ziamath → SVG → svglib), cached per formula on disk and in memory,
drawn once per PDF."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, paraparser

from prepexport.files import write_atomically
from prepexport.workbook import fonts, rtl

SPACING = "tex-spacing 1"  # part of every cache key: change it when _typesetter's spacing or _mathml changes


@cache
def _typesetter() -> tuple[Any, Any]:
    """Return ziamath's Math and tex2mml, set up for the workbook (imported only when a formula is not cached)."""
    from ziamath import operators
    from ziamath.config import config
    from ziamath.tex import tex2mml
    from ziamath.zmath import Math

    # ziamath's default SVG2 output uses constructs svglib misplaces (subscripts, sum limits).
    config.svg2 = False
    # The math font drawn to match the text face, and the text face itself for \text{...}.
    config.math.mathfont = str(fonts.MATH_FONT)
    config.text.textfont = str(fonts.FONT_DIR / f"{fonts.TEXT}.ttf")
    # Operators spaced as TeX spaces them where ziamath's table differs: binary operators get the medium space
    # of + and -, a comma only a thin space after it, and a nabla none before its subscript.
    table = operators.operators
    for binary in "×∩∪⋅·∘⊕⊗÷∗":
        table[binary, "infix"] = {"lspace": "mediummathspace", "rspace": "mediummathspace"}
    table[",", "infix"] = {"separator": "true", "lspace": "0em", "rspace": "thinmathspace"}
    table["∇", "prefix"] = {"lspace": "0em", "rspace": "0em"}
    return Math, tex2mml


#: Relocates the formula cache; "off" turns it off. By default it is the user's cache folder
#: ($XDG_CACHE_HOME or ~/.cache)/prepexport; deleting it only costs the next build time.
CACHE_ENV = "PREPEXPORT_CACHE_DIR"

BASE_SIZE = 12.0  # every formula is typeset once at this size (points) and scaled where it is used
_PX_TO_PT = 0.75  # svglib reads SVG pixels at 96 dpi
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


@dataclass(frozen=True)
class Rendered:
    """A typeset formula at BASE_SIZE: the drawing, its size in points and its depth below the baseline."""

    latex: str
    inline: bool
    drawing: Drawing | None  # None when the operators came from the disk cache
    width: float
    height: float
    depth: float

    @property
    def form(self) -> str:
        """Return the PDF form name the formula is stored under, the same in every build."""
        return "math" + hashlib.sha1(self.latex.encode("utf-8")).hexdigest()[:16] + ("i" if self.inline else "")

    def operators(self) -> list[str] | None:
        """Return the PDF operators that draw the formula, or None if they cannot be reused (text as text)."""
        if self.form not in _FORM_CODE and self.drawing is not None:
            # Drawn on a scratch canvas, so that the first drawing in a PDF is the same as every later one,
            # whichever pass or workbook comes first.
            scratch = _scratch()
            drawn = _render_on(scratch, self.drawing)
            del scratch._code[:]
            # Kept for the next pass and the next workbook, without the renderer's no-op font selections
            # (their font names belong to that canvas); text shown as text is not kept.
            if not any(line.rstrip().endswith(("Tj", "TJ", "'", '"')) for line in drawn):
                _FORM_CODE[self.form] = [line for line in drawn if not _NO_OP_FONT.fullmatch(line)]
        return _FORM_CODE.get(self.form)

    def draw(self, canvas: Canvas, x: float, y: float, scale: float) -> None:
        """Draw the formula with its lower-left corner at (x, y), defining its PDF form on first use."""
        if not canvas.hasForm(self.form):
            canvas.beginForm(self.form, -1, -1, self.width + 1, self.height + 1)
            code = self.operators()
            if code is None:
                assert self.drawing is not None  # only a formula without reusable operators keeps no drawing
                _render_on(canvas, self.drawing)
            else:
                canvas._code.extend(code)
            canvas.endForm()
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(scale, scale)
        canvas.doForm(self.form)
        canvas.restoreState()


def _render_on(canvas: Canvas, drawing: Drawing) -> list[str]:
    """Draw the drawing at the origin; return the operators it added."""
    start = len(canvas._code)
    # The glyphs are paths, but the renderer selects its default font (Helvetica) first, which would then sit
    # unembedded in the PDF: make the default ours while drawing.
    default = STATE_DEFAULTS["fontName"]
    STATE_DEFAULTS["fontName"] = fonts.TEXT
    try:
        renderPDF.draw(drawing, canvas, 0, 0)
    finally:
        STATE_DEFAULTS["fontName"] = default
    drawn: list[str] = canvas._code[start:]
    return drawn


@cache
def _scratch() -> Canvas:
    """Return a canvas that is never saved, to learn a formula's operators on."""
    canvas = Canvas(io.BytesIO(), invariant=1)
    canvas.beginForm("scratch", -1, -1, 1, 1)
    return canvas


_cache_dir: list[Path | None] = [None]
#: PDF operators of each formula's form, drawn once per process and replayed in later passes and PDFs.
_FORM_CODE: dict[str, list[str]] = {}
_NO_OP_FONT = re.compile(r"BT /F\d+ [\d.]+ Tf [\d.]+ TL ET")


def use_cache() -> Path | None:
    """Choose the folder that keeps typeset formulas between builds, from the environment."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        folder = None
    elif chosen:
        folder = Path(chosen)
    else:
        try:
            folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "prepexport"
        except RuntimeError:  # no home folder to find: build without the cache
            folder = None
    _cache_dir[0] = None if folder is None else folder / "formulas"
    return _cache_dir[0]


@cache
def _engine() -> str:
    """Return what, besides the LaTeX, decides a formula's shapes: engine versions, fonts, settings."""
    font_hash = fonts.fingerprint(fonts.MATH_FONT, fonts.FONT_DIR / f"{fonts.TEXT}.ttf")
    # Versions from the installed metadata: importing ziamath only to read them costs a cached build 0.1 s.
    ziamath, ziafont = _version("ziamath"), _version("ziafont")
    return f"ziamath {ziamath}; ziafont {ziafont}; fonts {font_hash}; svg1; {BASE_SIZE}; {SPACING}"


@cache
def _version(package: str) -> str:
    """Return an installed package's version (as its __version__ gives it)."""
    return importlib.metadata.version(package)


def _svg(latex: str, inline: bool) -> str:
    """Return the formula's SVG, from the disk cache when an identical typesetting is there."""
    folder = _cache_dir[0]
    key = hashlib.sha256(f"{_engine()}\0{inline}\0{latex}".encode()).hexdigest()
    path = None if folder is None else folder / key[:2] / f"{key}.svg"
    if path is not None and path.is_file():
        try:
            cached = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            cached = ""
        if cached.startswith("<svg") and cached.rstrip().endswith("</svg>"):
            return cached
    math, _ = _typesetter()
    svg: str = math(_mathml(latex, inline), size=BASE_SIZE / _PX_TO_PT).svg()
    if path is not None:
        # Whole or not at all, so a parallel build never reads half a file; a cache needs no fsync, and one that
        # cannot be written only costs time.
        with contextlib.suppress(OSError):
            write_atomically(path, svg.encode("utf-8"), sync=False)
    return svg


def _mathml(latex: str, inline: bool) -> str:
    """Return the formula as MathML, with spacing accents: ziamath centres a combining circumflex (no
    advance) to the left of its letter, and the ASCII tilde is wider than most letters."""
    _, tex2mml = _typesetter()
    mathml: str = tex2mml(latex, inline=inline)
    mathml = mathml.replace("&#x00302;</mo>", "&#x002C6;</mo>")
    return mathml.replace('<mo stretchy="false">&#x0007E;</mo></mover>', '<mo stretchy="false">&#x002DC;</mo></mover>')


# A norm or absolute value is one group, so scripts after it attach to the group and do not stretch the bar.
_NORM = re.compile(r"\\(l[vV]ert)((?:(?!\\[lr][vV]ert).)*)\\(r[vV]ert)")
_MULTI_LETTER_INDEX = re.compile(r"(_)\{([A-Za-z]{2,})\}")
_UNARY_MINUS = re.compile(r"(^|[=(\[{,;:<>]|\\left\(|\\(?:le|ge|leq|geq|approx|to|in|sim|times|cdot|mid)\b)(\s*)-")


def normalise(latex: str) -> str:
    """Apply the typesetting conventions ziamath does not: upright word subscripts, unspaced unary minus."""
    latex = _NORM.sub(r"{\\\1\2\\\3}", latex)
    latex = _MULTI_LETTER_INDEX.sub(r"\1{\\mathrm{\2}}", latex)
    return _UNARY_MINUS.sub(r"\1\2{-}", latex)


@cache
def render(latex: str, inline: bool = False) -> Rendered:
    """Typeset the formula (display or text style); results are cached, as typesetting is slow."""
    normalised = normalise(latex)
    stored = _stored_operators(normalised, inline)
    if stored is not None:
        width, height, depth, code = stored
        shape = Rendered(latex, inline, None, width, height, depth)
        _FORM_CODE.setdefault(shape.form, code)
        return shape
    from svglib.svglib import svg2rlg  # only for a formula not in the cache

    svg = _svg(normalised, inline)
    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    if drawing is None:
        raise ValueError(f"svglib could not read the SVG of {latex!r}")
    match = _VIEWBOX.search(svg)
    top, height = (float(match.group(2)), float(match.group(4))) if match else (0.0, 0.0)
    depth = max(0.0, (height + top) * _PX_TO_PT)
    shape = Rendered(latex, inline, drawing, float(drawing.width), float(drawing.height), depth)
    learned = shape.operators()
    if learned is not None:
        _store_operators(normalised, inline, (shape.width, shape.height, shape.depth, learned))
    return shape


def _operators_path(latex: str, inline: bool) -> Path | None:
    """Return where the disk cache keeps a formula's drawing operators and size (None: no cache)."""
    folder = _cache_dir[0]
    if folder is None:
        return None
    engine = _operators_engine()
    key = hashlib.sha256(f"{engine}\0{inline}\0{latex}".encode()).hexdigest()
    return folder / key[:2] / f"{key}.ops.json"


@cache
def _operators_engine() -> str:
    """Return what, besides the LaTeX, decides a formula's drawing operators (the SVG's engine, then svglib's)."""
    return f"{_engine()}; reportlab {reportlab.Version}; svglib {_version('svglib')}"


def _stored_operators(latex: str, inline: bool) -> tuple[float, float, float, list[str]] | None:
    """Return a formula's size and operators from the disk cache (parsing its SVG again costs the most)."""
    path = _operators_path(latex, inline)
    if path is None or not path.is_file():
        return None
    try:
        width, height, depth, code = json.loads(path.read_text(encoding="utf-8"))
        if all(isinstance(n, float) for n in (width, height, depth)) and all(isinstance(c, str) for c in code):
            return width, height, depth, code
    except (OSError, ValueError, TypeError):
        pass  # a damaged entry is typeset again
    return None


def _store_operators(latex: str, inline: bool, entry: tuple[float, float, float, list[str]]) -> None:
    """Keep a formula's size and operators in the disk cache."""
    path = _operators_path(latex, inline)
    if path is None:
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_atomically(path, json.dumps(entry).encode("utf-8"), sync=False)


class DisplayFormula(Flowable):  # type: ignore[misc]
    """A formula set on its own line, centred or left-aligned, scaled down to fit the column if too wide."""

    def __init__(self, latex: str, size: float, *, align: str = "center", space: float = 4.0) -> None:
        super().__init__()
        self.latex = latex
        self.size = size
        self.align = align
        self.spaceBefore = space
        self.spaceAfter = space
        self._scale = 1.0
        self._avail = 0.0

    @property
    def natural_width(self) -> float:
        """Return the width of the formula at its intended size, before any scaling to fit."""
        return render(self.latex).width * self.size / BASE_SIZE

    @property
    def drawn_width(self) -> float:
        """Return the width the formula is drawn at, once laid out."""
        return render(self.latex).width * self._scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        shape = render(self.latex)
        self._avail = availWidth
        wanted = self.size / BASE_SIZE
        self._scale = min(wanted, availWidth / shape.width) if shape.width else wanted
        self.width = availWidth
        self.height = shape.height * self._scale
        return self.width, self.height

    def draw(self) -> None:
        shape = render(self.latex)
        drawn = shape.width * self._scale
        x = (self._avail - drawn) / 2 if self.align == "center" else 0.0
        if self.align != "center" and rtl.active():
            x = self._avail - drawn  # flush with the start of the line: the right edge
        shape.draw(self.canv, x, 0, self._scale)


# Inline math: reportlab paragraphs hold no vector drawing inline, but they do hold <img>. Each inline formula
# is an <img> of its size whose source names the formula; the workbook's canvas draws the formula wherever
# reportlab places that image, so the two can never drift apart. The source is no file: reading an <img> goes
# through _image_reader, which gives a marker for these sources (a file per formula cost a twentieth of a build).

#: Where an inline formula's marker image "comes from": no file, the label names the formula to draw there.
_MARKER = "prepexport-inline-formula:"
_INLINE: dict[str, tuple[str, float]] = {}


class _Marker:
    """Stands in for the image reportlab reads for an `<img>` tag: a formula drawn where the image would be."""

    def __init__(self, src: str) -> None:
        self.fileName = src

    def getSize(self) -> tuple[int, int]:
        return (1, 1)  # the markup gives the formula's size; this one only matters without it


def _image_reader(src: Any, *args: Any, **kw: Any) -> Any:
    """Read an `<img>` tag's image; an inline formula's marker needs no file (writing one per formula cost time)."""
    if isinstance(src, str) and src.startswith(_MARKER):
        return _Marker(src)
    return ImageReader(src, *args, **kw)


# Paragraph markup reads its images through this name; markers aside, every image is read as before.
paraparser.ImageReader = _image_reader


def inline_markup(latex: str, size: float) -> str:
    """Return paragraph markup that draws the formula inline as a vector image, sitting on the baseline."""
    shape = render(latex, True)
    scale = size / BASE_SIZE
    label = f"{hashlib.sha1(latex.encode('utf-8')).hexdigest()[:16]}-{size:.2f}"
    _INLINE.setdefault(label, (latex, scale))
    return (
        f'<img src="{_MARKER}{label}" width="{shape.width * scale:.2f}" height="{shape.height * scale:.2f}" '
        f'valign="{-shape.depth * scale:.2f}"/>'
    )


def is_inline(markup: str) -> bool:
    """Tell whether paragraph markup holds an inline formula (its lines need room for it)."""
    return "<img " in markup


class MathCanvas(Canvas):  # type: ignore[misc]
    """A canvas that draws an inline formula where reportlab places its marker image."""

    def drawImage(self, image: Any, x: float, y: float, width: Any = None, height: Any = None, **kw: Any) -> Any:
        if isinstance(image, _Marker):
            latex, scale = _INLINE[image.fileName.removeprefix(_MARKER)]
            render(latex, True).draw(self, x, y, scale)
            return (width, height)
        return super().drawImage(image, x, y, width, height, **kw)
