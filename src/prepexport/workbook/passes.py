"""Cheaper layout passes: passes that only measure skip drawing, and a paragraph lays out its lines once per width.

reportlab's multiBuild lays out and draws the whole workbook in every pass until the page numbers settle, and
only the last pass's drawing is kept. Here the first pass, which knows no page numbers and so is never the last,
only measures (what it would draw is thrown away anyway); every later pass draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen import canvas as canvas_module
from reportlab.pdfgen import pathobject, textobject
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, paragraph, tables
from reportlab.rl_config import _FUZZ

#: The canvas attribute that marks a pass that only measures.
MEASURING = "_prepexport_measuring"

_flowable_draw_on = Flowable.drawOn
_paragraph_wrap = Paragraph.wrap
_leaves: tuple[type, ...] = ()


def skip_drawing(*kinds: type) -> None:
    """Name flowables whose drawing changes nothing but the page (no callbacks, no notes taken)."""
    global _leaves
    _leaves = tuple(dict.fromkeys((*_leaves, *kinds)))


def measuring(canvas: Canvas) -> bool:
    """Tell whether the canvas belongs to a pass that only measures."""
    return bool(getattr(canvas, MEASURING, False))


def _calls_back(paragraph: Paragraph) -> bool:
    """Tell whether drawing the paragraph runs `<onDraw>` callbacks (they note pages, e.g. link targets)."""
    lines = getattr(paragraph, "blPara", None)
    if lines is None:
        return True
    if lines.kind == 0:  # plain lines of one style hold no callbacks
        return False
    return any(
        getattr(getattr(word, "cbDefn", None), "kind", None) == "onDraw" for line in lines.lines for word in line.words
    )


def _draw_on(self: Flowable, canvas: Canvas, x: float, y: float, _sW: float = 0) -> Any:
    if getattr(canvas, MEASURING, False):
        if isinstance(self, Paragraph):
            if not _calls_back(self):
                return None
        elif isinstance(self, _leaves):
            return None
    return _flowable_draw_on(self, canvas, x, y, _sW)


def _wrap(self: Paragraph, availWidth: float, availHeight: float) -> tuple[float, float]:
    # The lines depend on the width and the fragments only: lay them out once per width, across passes too.
    # A paragraph given new text (a page reference filled in) gets new fragments, so it is laid out again.
    cached = self.__dict__.get("_prepexport_lines")
    if cached is not None and cached[0] is self.frags and cached[1] == availWidth:
        _, _, self.blPara, self._wrapWidths, self.height = cached
        self.width = availWidth
        return availWidth, self.height
    size: tuple[float, float] = _paragraph_wrap(self, availWidth, availHeight)
    if availWidth >= _FUZZ:
        self.__dict__["_prepexport_lines"] = (self.frags, availWidth, self.blPara, self._wrapWidths, self.height)
    return size


_NUMBER_USERS = (canvas_module, textobject, pathobject, pdfdoc)
_string_width = pdfmetrics.stringWidth
_fp_str = canvas_module.fp_str


def _remembering(function: Any) -> Any:
    """Return the function remembering its result per arguments: reportlab's pure-Python helpers are asked the
    same questions over and over (coordinates, widths of the same words, PDF names), and their answers depend on
    the arguments only while a workbook is built (fonts are registered before and stay)."""
    known: dict[tuple[Any, ...], Any] = {}

    def remembered(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            return function(*args, **kwargs)
        try:
            return known[args]
        except KeyError:
            found = known[args] = function(*args)
            return found
        except TypeError:  # a list given (fp_str takes one): not remembered
            return function(*args)

    return remembered


_pdfdoc_encode = pdfdoc.pdfdocEnc


@contextmanager
def fast_layout() -> Iterator[None]:
    """While building: skip drawing in passes that only measure, lay out each paragraph once per width."""
    Flowable.drawOn = _draw_on
    Paragraph.wrap = _wrap
    # Streams are written compressed but not ASCII85-encoded: that encoding (pure Python) costs a tenth of a
    # build and makes the file a quarter larger, for 7-bit transport nobody needs.
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    numbers = _remembering(_fp_str)
    for module in _NUMBER_USERS:
        module.fp_str = numbers
    widths = _remembering(_string_width)
    paragraph.stringWidth = tables.stringWidth = textobject.pdfmetrics_stringWidth = widths
    pdfmetrics.stringWidth = widths  # what the canvas measures with
    pdfdoc.pdfdocEnc = _remembering(_pdfdoc_encode)
    try:
        yield
    finally:
        for module in _NUMBER_USERS:
            module.fp_str = _fp_str
        paragraph.stringWidth = tables.stringWidth = textobject.pdfmetrics_stringWidth = _string_width
        pdfmetrics.stringWidth = _string_width
        pdfdoc.pdfdocEnc = _pdfdoc_encode
        Flowable.drawOn = _flowable_draw_on
        Paragraph.wrap = _paragraph_wrap
        rl_config.useA85 = a85
