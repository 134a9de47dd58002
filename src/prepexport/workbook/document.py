"""The document template: page templates, running headers, "page N of M", bookmarks and contents."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from prepexport.workbook import fonts, formulas
from prepexport.workbook.flowables import Heading, Ledger
from prepexport.workbook.styles import (
    ACCENT,
    ACCENT_LIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAPERS,
    RULE,
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
            initialFontName=fonts.SANS,
            initialFontSize=9.5,
            creator="prepexport",
            producer="prepexport (ReportLab)",
            **metadata,
        )
        self.ledger = ledger
        self.header = header
        self.footer = footer
        self.running = ""
        body = Frame(MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM, id="body")
        cover = Frame(MARGIN_X + 6 * mm, MARGIN_BOTTOM, width - 2 * MARGIN_X - 12 * mm, height - 2 * MARGIN_BOTTOM)
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover], onPage=self._cover_page),
                PageTemplate("body", [body], onPageEnd=self._body_page),
            ]
        )

    def beforeDocument(self) -> None:
        self.running = ""

    def handle_documentBegin(self) -> None:
        super().handle_documentBegin()
        self.canv.setNamedCB("inline-math", formulas.draw_inline)
        self.canv.setNamedCB("anchor", self._anchor)
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
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
        canvas.setFillColor(ACCENT_LIGHT)
        canvas.rect(0, 0, 12 * mm, height - 30 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        page = canvas.getPageNumber()
        total = self.ledger.pages
        canvas.saveState()
        canvas.setFont(fonts.SANS, 7.5)
        canvas.setFillColor(MUTED)
        top = height - MARGIN_TOP + 6 * mm
        canvas.drawString(MARGIN_X, top, self.header)
        room = width - 2 * MARGIN_X - stringWidth(self.header, fonts.SANS, 7.5) - 8 * mm
        canvas.drawRightString(width - MARGIN_X, top, _fit(self.running, room, 7.5))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, top - 2.5 * mm, width - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 9 * mm
        canvas.drawString(MARGIN_X, bottom, self.footer)
        canvas.drawRightString(width - MARGIN_X, bottom, f"page {page} of {total}" if total else f"page {page}")
        canvas.restoreState()


def _fit(text: str, room: float, size: float) -> str:
    """Shorten the text with an ellipsis until it fits the room (a running header must not collide)."""
    if stringWidth(text, fonts.SANS, size) <= room:
        return text
    while text and stringWidth(text + "…", fonts.SANS, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"
