"""One build: the Anki deck and a workbook per chosen plan, written into an output folder."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from prepexport.errors import OutputError
from prepexport.files import Staging, clean_stale_temporaries
from prepexport.model import KnowledgeBase, Roadmap

Paper = Literal["a4", "letter"]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs besides the knowledge base: values come from the CLI, never the environment."""

    stamps: Path  # the stamps file kept beside the source
    weeks: tuple[int, ...] | None = None  # the plans to print, by their number of weeks; None: every plan
    paper: Paper = "a4"
    start: datetime.date | None = None  # date of the first day; None prints blank date lines
    now: int | None = None  # mod time of new and changed notes (e.g. SOURCE_DATE_EPOCH); None: the current time
    new_stamps: bool = False  # start a new stamps file although the course was built before (costs learners)


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote, as the lines the CLI prints."""

    outputs: tuple[Path, ...]
    lines: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def stamps_path(source: Path) -> Path:
    """Return the stamps file kept beside a source file, e.g. knowledge.stamps.json."""
    return source.with_name(f"{source.stem}.stamps.json")


def deck_path(kb: KnowledgeBase, out: Path) -> Path:
    """Return where the deck is written, e.g. output/ml-llm-interview-prep.apkg."""
    return out / f"{kb.meta.id}.apkg"


def workbook_path(kb: KnowledgeBase, roadmap: Roadmap, out: Path) -> Path:
    """Return where a plan's workbook is written, e.g. output/ml-llm-interview-prep-4-weeks.pdf."""
    return out / f"{kb.meta.id}-{len(roadmap.weeks)}-weeks.pdf"


def chosen_roadmaps(kb: KnowledgeBase, weeks: tuple[int, ...] | None) -> list[Roadmap]:
    """Return the plans to print (KeyError naming a number of weeks no plan has)."""
    if weeks is None:
        return list(kb.roadmaps)
    return [kb.roadmap_for(n) for n in weeks]


def build(kb: KnowledgeBase, out: Path, options: BuildOptions) -> BuildReport:
    """Write the deck and the chosen workbooks into `out` (raise PrepexportError or OSError on failure).

    All or nothing: every output and the stamps file are written to temporary files first and moved into place
    only when all of them are complete, so a failure (or an interrupt) leaves the previous build as it was.
    """
    # The renderers are imported here, so loading and checking a source needs no PDF or Anki machinery.
    from reportlab.platypus.doctemplate import LayoutError

    from prepexport.deck import build_deck
    from prepexport.workbook import build_workbook

    roadmaps = chosen_roadmaps(kb, options.weeks)
    out.mkdir(parents=True, exist_ok=True)
    for folder in {out, options.stamps.parent}:
        clean_stale_temporaries(folder)
    with Staging() as staging:
        deck = build_deck(
            kb, out, stamps_path=options.stamps, now=options.now, new_stamps=options.new_stamps, staging=staging
        )
        lines = list(deck.lines())
        outputs = [deck.path]
        for roadmap in roadmaps:
            target = workbook_path(kb, roadmap, out)
            try:
                report = build_workbook(kb, roadmap, target, paper=options.paper, start=options.start, staging=staging)
            except LayoutError as error:  # something in the source is taller than a page
                raise OutputError(f"{target}: cannot lay out the workbook: {_layout_detail(error)}") from None
            lines.extend(report.lines())
            outputs.append(report.path)
    return BuildReport(tuple(outputs), tuple(lines), tuple(deck.warnings()))


def _layout_detail(error: Exception) -> str:
    """Say what did not fit in words an author can act on, without reportlab's object dumps."""
    text = " ".join(str(error).split())
    page = re.search(r"on page (\d+)", text)
    where = f" (page {page.group(1)})" if page else ""
    return f"one item is taller than a page{where}; shorten the longest text of that part of the course"
