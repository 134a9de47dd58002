"""The card preview: one HTML page showing every card of the deck as Anki will render it, grouped by plan week.

Templates and stylesheet come from the deck's own note-type definitions, so a template change shows up here
unchanged. Notes are marked new or changed from the deck's stamps file: a note whose content differs from its
stamp is about to change; otherwise the notes stamped by the latest build that changed anything are marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepexport.course.labels import fill
from prepexport.course.tags import tag_root, week_tag
from prepexport.deck.build import course_note_type, model_id, note_type_name
from prepexport.deck.notes import DeckNote, DeckNotes, collect_notes
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.deck.stamps import Course, NoteHash, Stamps, clock, load_stamps, note_hash
from prepexport.files import Staging, write_atomically
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.preview.page import Page, PreviewNote, Status, render_page, week_groups
from prepexport.progress import counted


@dataclass(frozen=True)
class PreviewReport:
    """What a preview build wrote, for the CLI to print."""

    path: Path
    notes: int
    cards: int
    new: int
    changed: int

    def lines(self) -> list[str]:
        """Return what the CLI prints."""
        return [
            f"wrote {self.path}: {counted(self.cards, 'card')} of {counted(self.notes, 'note')} "
            f"({self.new} new, {self.changed} changed by the latest build with changes)"
        ]


def preview_path(kb: KnowledgeBase, out_dir: Path) -> Path:
    """Return where the preview of this knowledge base is written."""
    return out_dir / f"{kb.meta.id}-preview.html"


def build_preview(
    kb: KnowledgeBase,
    out_dir: Path,
    *,
    stamps_path: Path,
    collected: DeckNotes | None = None,
    staging: Staging | None = None,
) -> PreviewReport:
    """Write `<out_dir>/<meta.id>-preview.html` (with `staging`, only stage it for the build to move into place).

    The stamps file is read as it is on disk: before the deck's new stamps are moved into place, notes are
    compared with the previous build.
    """
    path = preview_path(kb, out_dir)
    stamps = load_stamps(stamps_path, Course(kb.meta.anki.deck, kb.meta.id), clock()) or Stamps()
    html_text, report = preview_html(kb, collected or collect_notes(kb), stamps)
    if staging is None:
        write_atomically(path, html_text.encode())
    else:
        staging.write(path, html_text.encode())
    return PreviewReport(path, report.notes, report.cards, report.new, report.changed)


def preview_html(kb: KnowledgeBase, collected: DeckNotes, stamps: Stamps) -> tuple[str, PreviewReport]:
    """Return the preview page and its counts (the report's path is empty)."""
    models: dict[str, Mapping[str, Any]] = {}
    for note in collected.notes:
        if note.kind not in models:
            models[note.kind] = course_note_type(kb, note.kind).to_json(
                model_id(kb, note.kind), note_type_name(kb, note.kind), 0, kb.meta.anki.deck
            )
    statuses, compared = note_statuses(kb, collected.notes, stamps)
    notes = [
        PreviewNote(n.key, models[n.kind], n.fields, n.card_ords, n.tags, kb.meta.deck, statuses[n.key])
        for n in collected.notes
    ]
    plan = kb.roadmaps[0] if kb.roadmaps else None
    words = kb.labels
    titles = [f"{fill(words.week_number, number=i)}: {w.focus}" for i, w in enumerate(plan.weeks, 1)] if plan else []
    week_of = [_first_week(kb, n.tags, plan) if plan else None for n in collected.notes]
    rest = fill(words.preview_no_week, plan=plan.title) if plan else words.preview_all
    groups = week_groups(notes, titles, week_of, rest)
    css = next(iter(models.values()))["css"] if models else ""
    media = {m.name: m.data for m in collected.media}
    page = Page(kb.meta.title, kb.meta.language, css, groups, media, compared, words)
    counts = PreviewReport(
        Path(),
        len(notes),
        sum(len(n.card_ords) for n in notes),
        sum(1 for s in statuses.values() if s == "new"),
        sum(1 for s in statuses.values() if s == "changed"),
    )
    return render_page(page), counts


def note_statuses(kb: KnowledgeBase, notes: tuple[DeckNote, ...], stamps: Stamps) -> tuple[dict[str, Status], bool]:
    """Mark each note new, changed or neither since the last build; say whether there was anything to compare.

    A note without a stamp is new and one whose content differs from its stamp has changed: the preview is
    built before the deck restamps, so these are this build's changes, and only they are marked. When no note
    differs (nothing was edited, or the deck has restamped already), the notes whose stamp carries the latest
    mod time are the ones the latest build that changed anything added or changed, unless that build was the
    first (it added every stamped note). Either way the same source and stamps give the same marks.
    """
    current = {n.key: stamps.notes.get(n.key) for n in notes}
    stamped = [s for s in current.values() if s is not None]
    if not stamped:
        return {n.key: "" for n in notes}, False
    edited: dict[str, Status] = {}
    for note in notes:
        stamp = current[note.key]
        if stamp is None:
            edited[note.key] = "new"
        elif stamp.hash != _hash(kb, note):
            edited[note.key] = "changed"
    if edited:
        return {n.key: edited.get(n.key, "") for n in notes}, True
    latest = max(s.mod for s in stamped)
    first_build = all(s.added == latest for s in stamped)
    statuses: dict[str, Status] = {}
    for note in notes:
        stamp = current[note.key]
        status: Status = ""
        if stamp is not None and stamp.mod == latest and not first_build:
            status = "new" if stamp.added == stamp.mod else "changed"
        statuses[note.key] = status
    # After a first build with nothing new since, there is nothing to report: say so, as before that build.
    return statuses, not first_build


def _hash(kb: KnowledgeBase, note: DeckNote) -> NoteHash:
    """Return the note's hash as the deck stamps it."""
    fields = dict(zip(NOTE_TYPES[note.kind].fields, note.fields, strict=True))
    return note_hash(model_id(kb, note.kind), fields, note.tags)


def _first_week(kb: KnowledgeBase, tags: tuple[str, ...], plan: Roadmap) -> int | None:
    """Return the first week of the plan that teaches the note, from the week tags the deck gives it."""
    present = set(tags)
    root = tag_root(kb)
    return next((n for n in range(1, len(plan.weeks) + 1) if week_tag(root, plan.id, n) in present), None)


__all__ = ["PreviewReport", "build_preview", "preview_html", "preview_path"]
