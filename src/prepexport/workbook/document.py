"""The document template: page templates (cover; reading pages with a wide outer notes margin, mirrored
for duplex printing; full-width pages; two-column pages), running headers, page numbers on the outer edge,
bookmarks and contents. A right-to-left workbook binds on the right: every page is mirrored."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from prepexport.workbook import fonts, passes
from prepexport.workbook.flowables import Heading, Ledger, dot_grid
from prepexport.workbook.styles import (
    ACCENT,
    ACCENT_LIGHT,
    BODY,
    COLUMN_GAP,
    COLUMNS,
    FOOT_SIZE,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    NOTE_GAP,
    PAPERS,
    RULE,
    TEXT_WIDTH,
    WIDE,
    Paper,
)


class WorkbookDocument(BaseDocTemplate):  # type: ignore[misc]
    """A workbook PDF: a cover page, then body pages with running header and footer."""

    def __init__(
        self,
        filename: str,
        *,
        paper: Paper,
        ledger: Ledger,
        header: str,
        footer: str,
        metadata: dict[str, str],
        folio: tuple[str, str] = ("page {number} of {count}", "page {number}"),
        right_to_left: bool = False,
    ) -> None:
        width, height = PAPERS[paper]
        super().__init__(
            filename,
            pagesize=(width, height),
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            initialFontName=fonts.TEXT,
            initialFontSize=10,
            creator="prepexport",
            producer="prepexport (ReportLab)",
            **metadata,
        )
        self.ledger = ledger
        self.header = header
        self.footer = footer
        self.folio = folio  # the page number with and without the page count, e.g. "page {number} of {count}"
        self.right_to_left = right_to_left
        self.running = ""
        self.marks: list[str] = []  # what this page holds, for the running header (answer key pages)
        tall = height - MARGIN_TOP - MARGIN_BOTTOM
        full = width - 2 * MARGIN_X
        column = (full - COLUMN_GAP) / 2
        cover = Frame(MARGIN_X + 6 * mm, MARGIN_BOTTOM, width - 2 * MARGIN_X - 12 * mm, height - 2 * MARGIN_BOTTOM)
        columns = [
            Frame(MARGIN_X, MARGIN_BOTTOM, column, tall, id="left"),
            Frame(MARGIN_X + column + COLUMN_GAP, MARGIN_BOTTOM, column, tall, id="right"),
        ]
        if right_to_left:  # the right column is read first
            columns.reverse()
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover], onPage=self._cover_page),
                PageTemplate(
                    BODY,
                    [Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, tall, id="text")],
                    onPage=self._mirror,
                    onPageEnd=self._body_page,
                ),
                PageTemplate(
                    WIDE,
                    [Frame(MARGIN_X, MARGIN_BOTTOM, full, tall, id="wide")],
                    onPage=self._start_page,
                    onPageEnd=self._body_page,
                ),
                PageTemplate(
                    COLUMNS,
                    columns,
                    onPage=self._start_page,
                    onPageEnd=self._body_page,
                ),
            ]
        )

    def beforeDocument(self) -> None:
        self.running = ""
        self.marks = []

    def _start_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self.marks = []

    def _binding_left(self, page: int) -> bool:
        """Tell whether a page is bound on its left edge: the right-hand page of an open book."""
        # Right-hand pages are the odd ones of a book read left to right, the even ones of one read right to left.
        return page % 2 == (0 if self.right_to_left else 1)

    def _mirror(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Put the text column at the binding edge: left on pages bound on the left, right on the others."""
        self._start_page(canvas, doc)
        width = self.pagesize[0]
        frame = self.pageTemplate.frames[0]
        frame.x1 = MARGIN_X if self._binding_left(self.page) else width - MARGIN_X - TEXT_WIDTH
        if not passes.measuring(canvas):
            self._notes_margin(canvas)

    def _notes_margin(self, canvas: Canvas) -> None:
        """Print a faint dot grid in the outer margin: room for the learner's own notes and sketches."""
        width, height = self.pagesize
        odd = self._binding_left(self.page)
        left = MARGIN_X + TEXT_WIDTH + NOTE_GAP if odd else MARGIN_X
        right = width - MARGIN_X if odd else width - MARGIN_X - TEXT_WIDTH - NOTE_GAP
        top, bottom = height - MARGIN_TOP, MARGIN_BOTTOM
        dot_grid(canvas, left, bottom, right - left, top - bottom)

    def note_mark(self, canvas: Canvas, kind: str, label: str) -> None:
        """Note what a page holds for its running header (an onDraw callback)."""
        if label not in self.marks:
            self.marks.append(label)

    def handle_documentBegin(self) -> None:
        super().handle_documentBegin()
        setattr(self.canv, passes.MEASURING, not self.ledger.drawing)
        self.canv.setNamedCB("anchor", self._anchor)
        self.canv.setNamedCB("mark", self.note_mark)
        self.canv.showOutline()

    def afterPage(self) -> None:
        self.ledger.counting = self.canv.getPageNumber()

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, Heading):
            return
        page = self.canv.getPageNumber()
        self.ledger.record(flowable.key, page)
        self.canv.addOutlineEntry(flowable.title, flowable.key, level=flowable.level, closed=flowable.level > 0)
        if flowable.contents:
            self.notify("TOCEntry", (flowable.level, flowable.title, page, flowable.key))
        if flowable.running is not None:
            self.running = flowable.running

    def _anchor(self, canvas: Canvas, kind: str, label: str) -> None:
        """Make a link target where the text cursor stands and note its page (an onDraw callback)."""
        info: dict[str, Any] = canvas._curr_tx_info
        canvas.bookmarkHorizontal(label, info["cur_x"], info["cur_y"] + info["leading"])
        self.ledger.record(label, canvas.getPageNumber())

    def _cover_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if passes.measuring(canvas):
            return
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
        canvas.setFillColor(ACCENT_LIGHT)
        canvas.rect(width - 12 * mm if self.right_to_left else 0, 0, 12 * mm, height - 30 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Draw the running header and the footer; the page number and the chapter sit on the outer edge."""
        if passes.measuring(canvas):
            return
        width, height = self.pagesize
        page = canvas.getPageNumber()
        total = self.ledger.pages
        odd = self._binding_left(page)
        running = " · ".join([self.running, *self.marks]) if self.marks else self.running
        number = (self.folio[0] if total else self.folio[1]).format(number=page, count=total)
        canvas.saveState()
        canvas.setFont(fonts.SANS, FOOT_SIZE)
        canvas.setFillColor(MUTED)
        top = height - MARGIN_TOP + 6 * mm
        room = width - 2 * MARGIN_X - stringWidth(self.header, fonts.SANS, FOOT_SIZE) - 8 * mm
        running = _fit(running, room, FOOT_SIZE)
        bottom = MARGIN_BOTTOM - 9 * mm
        inner, outer = (MARGIN_X, width - MARGIN_X) if odd else (width - MARGIN_X, MARGIN_X)
        for y, at_inner, at_outer in ((top, self.header, running), (bottom, self.footer, number)):
            if odd:
                canvas.drawString(inner, y, at_inner)
                canvas.drawRightString(outer, y, at_outer)
            else:
                canvas.drawRightString(inner, y, at_inner)
                canvas.drawString(outer, y, at_outer)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, top - 2.5 * mm, width - MARGIN_X, top - 2.5 * mm)
        canvas.restoreState()


def _fit(text: str, room: float, size: float) -> str:
    """Shorten the text with an ellipsis until it fits the room (a running header must not collide)."""
    if stringWidth(text, fonts.SANS, size) <= room:
        return text
    while text and stringWidth(text + "…", fonts.SANS, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"
