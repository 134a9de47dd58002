"""Turn the knowledge base into deck notes: fields as HTML, tags, GUID and roadmap position."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import assert_never

import genanki
import genanki.util

from prepexport.course import cloze, labels
from prepexport.course.coverage import Coverage, Weeks, coverage
from prepexport.course.kinds import Kind, card_kind
from prepexport.course.order import NoteKey, Placed, roadmap_order
from prepexport.course.sections import Section, sections
from prepexport.course.tags import note_tags, tag_root
from prepexport.deck.expression import right_hand_side
from prepexport.deck.media import MediaCollector, MediaFile
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.markup import to_html
from prepexport.model import (
    BasicCard,
    ClozeCard,
    Drill,
    Formula,
    KnowledgeBase,
    Misconception,
    Reference,
    ReversibleCard,
    Topic,
)

#: Per plan id, the workbook sections teaching each topic.
Places = dict[str, dict[str, tuple[Section, ...]]]
_Context = tuple[dict[str, str], tuple[str, ...]]  # a note's context fields and its tags


@dataclass
class _Shared:
    """What the notes of one build share: each plan's sections, and the context of each topic and weeks."""

    places: Places
    contexts: dict[tuple[str | None, tuple[tuple[str, tuple[int, ...]], ...]], _Context] = field(default_factory=dict)


@dataclass(frozen=True)
class DeckNote:
    """One Anki note ready to write: everything but its ids and mod time."""

    kind: Kind
    source_id: str
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    card_ords: tuple[int, ...]
    position: int = 0

    @property
    def key(self) -> str:
        """Return the note's name in the stamps file, e.g. basic:attention-why-scale."""
        return f"{self.kind}:{self.source_id}"

    def digest(self, model_id: int) -> str:
        """Hash what an import changes on an existing note (note type, fields, tags), not its deck or position."""
        content = [model_id, list(self.fields), sorted(self.tags)]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DeckNotes:
    """Every note of the deck, in roadmap order, and the images they use."""

    notes: tuple[DeckNote, ...]
    media: tuple[MediaFile, ...]


def note_guid(kb: KnowledgeBase, kind: Kind, source_id: str) -> str:
    """Return a note's GUID: from the deck id, the note kind and the author's id, never from text or position.

    The deck id keeps two knowledge bases that reuse an id (say `attention`) from overwriting each other's notes
    in one collection.
    """
    return guid_for(str(kb.meta.anki.deck), kind, source_id)


_BASE91 = genanki.util.BASE91_TABLE


def guid_for(*values: str) -> str:
    """Return genanki's guid_for(*values), computed the same way with fewer steps (it runs once per note)."""
    number = int.from_bytes(hashlib.sha256("__".join(values).encode("utf-8")).digest()[:8], "big")
    digits: list[str] = []
    while number > 0:
        number, digit = divmod(number, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def collect_notes(kb: KnowledgeBase, order: tuple[Placed, ...] | None = None) -> DeckNotes:
    """Build every note of the deck (images were checked when the source was loaded).

    `order` is the course's roadmap order, if the caller has it already (it takes a while on a large course).
    """
    media = MediaCollector(kb.root)
    drafts = list(_drafts(kb, media, coverage(kb)))
    positions = _positions(kb, roadmap_order(kb) if order is None else order)
    placed = (replace(d, position=positions[d.kind, d.source_id]) for d in drafts)
    notes = tuple(sorted(placed, key=lambda n: (n.position, n.key)))
    return DeckNotes(notes, tuple(media.files[name] for name in sorted(media.files)))


def _drafts(kb: KnowledgeBase, media: MediaCollector, covered: Coverage) -> Iterator[DeckNote]:
    """Yield a note (position not yet set) for every card, formula, drill and misconception, in source order."""
    shared = _Shared({roadmap.id: sections(roadmap) for roadmap in kb.roadmaps})
    for topic in kb.topics:
        weeks = covered.weeks(topic.id)
        for card in topic.cards:
            image = media.image_html(card.image, card.image_alt)
            # An image on the question side goes at the end of the field every card of the note asks with.
            asked = _image_block(image) if card.image_side == "question" else ""
            match card:
                case BasicCard():
                    fields = {"Question": to_html(card.question) + asked, "Answer": to_html(card.answer)}
                case ReversibleCard():
                    fields = {"Term": to_html(card.term) + asked, "Meaning": to_html(card.meaning)}
                case ClozeCard():
                    fields = {"Text": to_html(cloze.for_anki(card.cloze)) + asked}
                case _:
                    assert_never(card)
            shown = "" if asked else image
            yield _draft(kb, shared, card_kind(card), card.id, fields | _extra(card.extra, shown), topic, weeks)
    for formula in kb.formulas:
        linked = kb.formula_topic(formula.id)
        yield _draft(kb, shared, "formula", formula.id, _formula_fields(kb, formula), linked, covered.weeks(formula.id))
    for drill in kb.drills:
        topic = kb.topic(drill.topic)
        # Per plan: the weeks that list the drill, else the weeks of its topic.
        weeks = covered.weeks(topic.id) | covered.weeks(drill.id)
        fields = _drill_fields(drill)
        fields["Scenario"] += _image_block(media.image_html(drill.image, drill.image_alt))
        yield _draft(kb, shared, "drill", drill.id, fields, topic, weeks)
    for mistake in kb.misconceptions:
        topic = kb.topic(mistake.topic)
        fields = _misconception_fields(mistake)
        yield _draft(kb, shared, "misconception", mistake.id, fields, topic, covered.weeks(topic.id))


def _draft(
    kb: KnowledgeBase,
    shared: _Shared,
    kind: Kind,
    source_id: str,
    fields: dict[str, str],
    topic: Topic | None,
    weeks: Weeks,
) -> DeckNote:
    """Add the context fields and tags shared by every note type, and order the fields as the note type does."""
    context, tags = _context(kb, shared, topic, weeks)
    values = context | {name: inert(value) for name, value in fields.items()}
    values["Id"] = inert(html.escape(source_id, quote=False))
    note_type = NOTE_TYPES[kind]
    ordered = tuple(values.get(name, "") for name in note_type.fields)
    if kind == "cloze":
        ords = tuple(n - 1 for n in cloze.parse(values["Text"]).numbers)
    else:
        ords = tuple(range(len(note_type.templates)))
    guid = note_guid(kb, kind, source_id)
    return DeckNote(kind, source_id, guid, ordered, tags, ords)


def _context(kb: KnowledgeBase, shared: _Shared, topic: Topic | None, weeks: Weeks) -> _Context:
    """Return the context fields and the tags of a note of this topic and these weeks (made once per build)."""
    key = (topic.id if topic else None, tuple(sorted(weeks.items())))
    found = shared.contexts.get(key)
    if found is None:
        area = kb.area(topic.area) if topic else None
        context = {
            "Area": html.escape(area.title, quote=False) if area else "",
            "Topic": html.escape(topic.title, quote=False) if topic else "",
            "Tier": html.escape(labels.tier(kb.labels, topic.tier), quote=False) if topic else "",
            "Workbook": _workbook_html(kb, shared.places, topic, weeks),
            "Source": _source_html(kb, topic),
        }
        context = {name: inert(value) for name, value in context.items()}
        found = shared.contexts[key] = (context, note_tags(tag_root(kb), topic, weeks))
    return found


#: Anki's own field syntax that plays or speaks when a card is shown: `[sound:file]`, `[anki:tts]...`.
_PLAYABLE = re.compile(r"\[(?=(?:sound|anki):)", re.IGNORECASE)


def inert(field: str) -> str:
    """Return field HTML in which Anki's `[sound:...]` and `[anki:...]` show as text instead of playing."""
    return _PLAYABLE.sub("&#91;", field)


def _image_block(image: str) -> str:
    """Return an image placed inside a text field, on a line of its own (empty if no image)."""
    return f'<div class="prep-image">{image}</div>' if image else ""


def _extra(extra: str, image: str) -> dict[str, str]:
    return {"Extra": to_html(extra), "Image": image}


def _workbook_html(kb: KnowledgeBase, places: Places, topic: Topic | None, weeks: Weeks) -> str:
    """Say where each plan's workbook teaches the note, e.g. `4-week §1.7 · 8-week §2.3, week 4`.

    The numbers are the workbook's section numbers (course.sections) of the note's topic; a formula or drill a
    week lists outside its topic's section is named by its week.
    """
    words = kb.labels
    parts = []
    for roadmap in kb.roadmaps:
        found = places[roadmap.id].get(topic.id, ()) if topic else ()
        where = [f"§{s.label}" for s in found]
        seen = {s.week for s in found}
        where += [labels.fill(words.week_place, number=n) for n in weeks.get(roadmap.id, ()) if n not in seen]
        if where:
            # Named by its length, not its title: renaming a plan must not change every note (and learners' edits).
            parts.append(labels.fill(words.plan_place, count=len(roadmap.weeks), places=", ".join(where)))
    if not parts and kb.roadmaps:
        return html.escape(words.in_no_plan, quote=False)
    return html.escape(" · ".join(parts), quote=False)


def _source_html(kb: KnowledgeBase, topic: Topic | None, extra: tuple[str, ...] = ()) -> str:
    """Return the references to read more in: the item's own, then its topic's, each once."""
    ids = dict.fromkeys((*extra, *(topic.references if topic else ())))
    return _references_html([kb.reference(r) for r in ids])


def _formula_fields(kb: KnowledgeBase, formula: Formula) -> dict[str, str]:
    legend = "".join(
        f"<tr><td>\\({html.escape(s.symbol, quote=False)}\\)</td><td>{to_html(s.meaning)}</td></tr>"
        for s in formula.symbols
    )
    return {
        "Name": html.escape(formula.name, quote=False),
        "Formula": f"\\[{html.escape(formula.latex, quote=False)}\\]",
        "Expression": f"\\[{html.escape(formula.expression or right_hand_side(formula.latex), quote=False)}\\]",
        "Meaning": to_html(formula.meaning),
        "Symbols": f'<table class="prep-legend">{legend}</table>',
        "Worked example": to_html(formula.example),
        "Source": _source_html(kb, kb.formula_topic(formula.id), formula.references),
    }


def _references_html(references: list[Reference]) -> str:
    items = []
    for ref in references:
        title = html.escape(ref.title, quote=False)
        if ref.url:
            title = f'<a href="{html.escape(ref.url)}">{title}</a>'
        venue = f" {html.escape(ref.venue, quote=False)}." if ref.venue else ""
        items.append(f"{html.escape(ref.authors, quote=False)} ({ref.year}). {title}.{venue}")
    return "<br>".join(items)


def _drill_fields(drill: Drill) -> dict[str, str]:
    ordered = drill.shown_choices
    letters = {c.key: chr(ord("A") + i) for i, c in enumerate(ordered)}
    right = drill.right
    choices = "".join(f"<li>{to_html(c.text)}</li>" for c in ordered)
    others = "".join(
        f'<li><span class="prep-wrong">{letters[c.key]}.</span> {to_html(c.text)}'
        f'<div class="prep-why">{to_html(c.why)}</div></li>'
        for c in ordered
        if c.key != drill.answer
    )
    return {
        "Title": html.escape(drill.title, quote=False),
        "Scenario": to_html(drill.scenario),
        "Question": to_html(drill.question),
        "Choices": f'<ol class="prep-choices">{choices}</ol>',
        "Answer": f'<span class="prep-right">{letters[right.key]}.</span> {to_html(right.text)}',
        "Why": to_html(right.why),
        "Fix": to_html(drill.fix),
        "Why not the others": f"<ul>{others}</ul>" if others else "",
    }


def _misconception_fields(mistake: Misconception) -> dict[str, str]:
    return {"Symptom": to_html(mistake.symptom), "Cause": to_html(mistake.cause), "Fix": to_html(mistake.fix)}


def _positions(kb: KnowledgeBase, order: tuple[Placed, ...]) -> dict[NoteKey, int]:
    """Number notes in roadmap order (see course.order), so new cards come in the order of every plan.

    A position is segment * stride + rank, the segment being the week of the plan with the most weeks: a note
    added later to week 1 still sorts before week 2, even though cards already in a collection keep the
    positions they were imported with.
    """
    finest = max(kb.roadmaps, key=lambda r: len(r.weeks), default=None)
    # The stride only has to exceed the largest segment; the note count is a simple bound for it.
    stride = 10_000
    while len(order) >= stride:
        stride *= 10
    positions: dict[NoteKey, int] = {}
    segment, rank = 1, 0
    for placed in order:
        week = placed.weeks.get(finest.id) if finest else None
        if week is None and not placed.weeks:
            week = len(finest.weeks) + 1 if finest else 1  # in no plan: extra reading, after every week
        if week is not None and week > segment:
            segment, rank = week, 0
        rank += 1
        positions[placed.key] = segment * stride + rank
    return positions
