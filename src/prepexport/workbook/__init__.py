"""The printable workbook: one PDF per roadmap, built with reportlab."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, PageBreak

from prepexport.course.language import direction
from prepexport.files import Staging, replacing
from prepexport.markup import plain
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.workbook import back, fonts, formulas, front, passes, rtl, weeks
from prepexport.workbook.context import Context
from prepexport.workbook.document import WorkbookDocument
from prepexport.workbook.flowables import CheckBox, Heading, Indexer, RuledLines
from prepexport.workbook.styles import BODY, COLUMNS, PAPER_NAMES, WIDE, Paper

__all__ = ["WorkbookReport", "build_workbook"]

passes.skip_drawing(CheckBox, RuledLines, formulas.DisplayFormula)


@dataclass(frozen=True)
class WorkbookReport:
    """What a workbook build wrote."""

    path: Path
    pages: int
    paper: Paper
    missing_glyphs: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Return the lines the command line prints about this build."""
        found = [f"wrote {self.path}: {self.pages} pages ({PAPER_NAMES[self.paper]})"]
        if self.missing_glyphs:
            chars = " ".join(f"{c} (U+{ord(c):04X})" for c in self.missing_glyphs)
            found.append(f"warning: {self.path.name}: the fonts have no glyph for {chars}; they print as boxes")
        return found


def build_workbook(
    kb: KnowledgeBase,
    roadmap: Roadmap,
    out_path: Path,
    *,
    paper: Paper,
    start: datetime.date | None,
    staging: Staging | None = None,
) -> WorkbookReport:
    """Render the workbook of one roadmap to a PDF, replacing the file only once it is complete.

    With `staging`, the PDF is only staged: the caller moves it into place with the build's other outputs.
    """
    chosen = kb.meta.fonts
    fonts.register(
        fonts.course_faces(kb.root, chosen.regular, chosen.bold, chosen.italic, chosen.bold_italic, chosen.mono)
    )
    formulas.use_cache()
    right_to_left = direction(kb.meta.language) == "rtl"
    with rtl.right_to_left(right_to_left):
        return _build(kb, roadmap, out_path, paper=paper, start=start, staging=staging)


def _build(
    kb: KnowledgeBase,
    roadmap: Roadmap,
    out_path: Path,
    *,
    paper: Paper,
    start: datetime.date | None,
    staging: Staging | None,
) -> WorkbookReport:
    """Lay out and write one workbook (paragraphs and tables are made inside, in the course's direction)."""
    ctx = Context(kb, roadmap, start, paper)
    story = build_story(ctx)
    with replacing(out_path) if staging is None else staging.replacing(out_path) as temp:
        document = WorkbookDocument(
            str(temp),
            paper=paper,
            ledger=ctx.ledger,
            header=kb.meta.title,
            footer=roadmap.title,
            metadata=_metadata(kb, roadmap),
            folio=(kb.labels.page_of, kb.labels.page_alone),
            right_to_left=rtl.active(),
        )
        with passes.fast_layout():
            document.multiBuild(story, maxPasses=9, canvasmaker=formulas.MathCanvas)
    return WorkbookReport(out_path, ctx.ledger.pages, paper, tuple(sorted(ctx.text.missing)))


def build_story(ctx: Context) -> list[Flowable]:
    """Return every flowable of the workbook, front to back, each chapter on a new page with its template."""
    kb = ctx.kb
    parts: list[tuple[str, Callable[[], list[Flowable]]]] = [(BODY, lambda: front.how_to_use(ctx))]
    parts.append((WIDE, lambda: front.overview(ctx)))
    for n, week in enumerate(ctx.roadmap.weeks, 1):
        parts.append((WIDE, partial(weeks.week_chapter, ctx, n, week)))
    if back.first_weeks(ctx):  # a plan without formulas has no quick reference
        parts.append((WIDE, lambda: back.quick_reference(ctx)))
    if kb.misconceptions:
        parts.append((WIDE, lambda: back.misconceptions(ctx)))
    if any(f.kind == "design" for f in kb.frameworks):
        parts.append((WIDE, lambda: back.design_worksheets(ctx)))
    if any(f.kind == "story" for f in kb.frameworks):
        parts.append((WIDE, lambda: back.story_worksheets(ctx)))
    parts.append((COLUMNS, lambda: back.answer_key_chapter(ctx)))
    if kb.references:
        parts.append((COLUMNS, lambda: back.references(ctx)))
    chapters = [(template, make()) for template, make in parts if ctx.use(template)]
    ctx.use(COLUMNS)
    chapters.append((COLUMNS, back.index(ctx, _headings(chapters))))
    # The contents lists what the chapters hold, so it is made last and put second.
    ctx.use(WIDE)
    chapters.insert(1, (WIDE, front.contents(ctx, _headings(chapters))))
    story = front.cover(ctx)
    for template, chapter in chapters:
        story += [NextPageTemplate(template), PageBreak(), *chapter]
    story.append(Indexer(ctx.ledger))
    return story


def _headings(chapters: list[tuple[str, list[Flowable]]]) -> list[Heading]:
    """Return every heading of the chapters in order (looking inside blocks kept together)."""
    found: list[Heading] = []
    pending: list[Flowable] = [f for _, chapter in chapters for f in chapter]
    while pending:
        flowable = pending.pop(0)
        if isinstance(flowable, KeepTogether):
            pending[:0] = flowable._content
        elif hasattr(flowable, "content") and isinstance(flowable.content, list):
            pending[:0] = flowable.content
        elif isinstance(flowable, Heading):
            found.append(flowable)
    return found


def _metadata(kb: KnowledgeBase, roadmap: Roadmap) -> dict[str, str]:
    """Return the PDF's document information."""
    return {
        "title": f"{kb.meta.title}: {roadmap.title}",
        "author": kb.meta.author,
        "subject": plain(roadmap.audience),
        "keywords": ", ".join(area.title for area in kb.areas),
        "lang": kb.meta.language,
    }
