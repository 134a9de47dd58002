"""The printable workbook: one PDF per roadmap, built with reportlab."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether, PageBreak
from reportlab.platypus.tableofcontents import TableOfContents

from prepexport.files import replacing
from prepexport.markup import plain
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.workbook import back, fonts, front, weeks
from prepexport.workbook.context import Context
from prepexport.workbook.document import WorkbookDocument
from prepexport.workbook.flowables import Heading, Indexer
from prepexport.workbook.styles import PAPER_NAMES, Paper

__all__ = ["WorkbookReport", "build_workbook"]


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
) -> WorkbookReport:
    """Render the workbook of one roadmap to a PDF, replacing the file only once it is complete."""
    fonts.register()
    ctx = Context(kb, roadmap, start, paper)
    story = build_story(ctx)
    with replacing(out_path) as temp:
        document = WorkbookDocument(
            str(temp),
            paper=paper,
            ledger=ctx.ledger,
            header=kb.meta.title,
            footer=roadmap.title,
            metadata=_metadata(kb, roadmap),
        )
        document.multiBuild(story, maxPasses=8)
    return WorkbookReport(out_path, ctx.ledger.pages, paper, tuple(sorted(ctx.text.missing)))


def build_story(ctx: Context) -> list[Flowable]:
    """Return every flowable of the workbook, front to back, each chapter on a new page."""
    chapters: list[list[Flowable]] = [front.how_to_use(ctx), front.contents(ctx), front.overview(ctx)]
    chapters += [weeks.week_chapter(ctx, number, week) for number, week in enumerate(ctx.roadmap.weeks, 1)]
    chapters.append(back.formula_sheet(ctx))
    if ctx.kb.misconceptions:
        chapters.append(back.misconceptions(ctx))
    if any(f.kind == "design" for f in ctx.kb.frameworks):
        chapters.append(back.design_worksheets(ctx))
    if any(f.kind == "story" for f in ctx.kb.frameworks):
        chapters.append(back.story_worksheets(ctx))
    chapters.append(back.answer_key_chapter(ctx))
    if ctx.kb.references:
        chapters.append(back.references(ctx))
    story = front.cover(ctx)
    for n, chapter in enumerate(chapters):
        story += [PageBreak(), *chapter] if n else chapter
    story.append(Indexer(ctx.ledger))
    _seed_contents(story)
    return story


def _seed_contents(story: list[Flowable]) -> None:
    """Give the contents its lines before the first pass, so that pass already has the right length.

    Without this the first pass lays out an empty contents, every page after it moves in the second,
    and a third pass is needed to confirm the numbers.
    """
    headings: list[tuple[int, str, int, str]] = []
    pending = list(story)
    while pending:
        flowable = pending.pop(0)
        if isinstance(flowable, KeepTogether):
            pending[:0] = flowable._content
        elif isinstance(flowable, Heading) and flowable.contents:
            headings.append((flowable.level, flowable.title, 0, flowable.key))
    for flowable in story:
        if isinstance(flowable, TableOfContents):
            flowable._entries = headings


def _metadata(kb: KnowledgeBase, roadmap: Roadmap) -> dict[str, str]:
    """Return the PDF's document information."""
    return {
        "title": f"{kb.meta.title}: {roadmap.title}",
        "author": kb.meta.author,
        "subject": plain(roadmap.audience),
        "keywords": ", ".join(area.title for area in kb.areas),
        "lang": kb.meta.language,
    }
