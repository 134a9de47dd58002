"""Turn the knowledge base into deck notes: fields as HTML, tags, subdeck, GUID and roadmap position."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import assert_never

import genanki

from prepexport.course import cloze
from prepexport.course.coverage import Coverage, Weeks, coverage
from prepexport.course.kinds import Kind, card_kind
from prepexport.course.tags import note_tags, tag_root
from prepexport.deck.media import MediaCollector, MediaFile
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.markup import to_html
from prepexport.model import (
    Area,
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

TIER_NAMES = {1: "core", 2: "common in production", 3: "advanced"}


@dataclass(frozen=True)
class DeckNote:
    """One Anki note ready to write: everything but its ids and mod time."""

    kind: Kind
    source_id: str
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
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
    return str(genanki.guid_for(str(kb.meta.anki.deck), kind, source_id))


def subdeck_name(kb: KnowledgeBase, area: Area | None) -> str:
    """Return the deck a note's cards go to: the area's subdeck, or the top deck."""
    if area is None:
        return kb.meta.deck
    # A '::' in a title would nest one level deeper than intended.
    return f"{kb.meta.deck}::{area.title.replace('::', ':')}"


def collect_notes(kb: KnowledgeBase) -> DeckNotes:
    """Build every note of the deck (images were checked when the source was loaded)."""
    media = MediaCollector(kb.root)
    drafts = list(_drafts(kb, media, coverage(kb)))
    positions = _positions(kb, drafts)
    placed = (replace(d, position=positions[d.kind, d.source_id]) for d in drafts)
    notes = tuple(sorted(placed, key=lambda n: (n.position, n.key)))
    return DeckNotes(notes, tuple(media.files[name] for name in sorted(media.files)))


def _drafts(kb: KnowledgeBase, media: MediaCollector, covered: Coverage) -> Iterator[DeckNote]:
    """Yield a note (position not yet set) for every card, formula, drill and misconception, in source order."""
    for topic in kb.topics:
        weeks = covered.weeks(topic.id)
        for card in topic.cards:
            image = media.image_html(card.image)
            match card:
                case BasicCard():
                    fields = {"Question": to_html(card.question), "Answer": to_html(card.answer)}
                case ReversibleCard():
                    fields = {"Term": to_html(card.term), "Meaning": to_html(card.meaning)}
                case ClozeCard():
                    fields = {"Text": to_html(cloze.for_anki(card.cloze))}
                case _:
                    assert_never(card)
            yield _draft(kb, card_kind(card), card.id, fields | _extra(card.extra, image), topic, weeks)
    for formula in kb.formulas:
        linked = kb.formula_topic(formula.id)
        yield _draft(kb, "formula", formula.id, _formula_fields(kb, formula), linked, covered.weeks(formula.id))
    for drill in kb.drills:
        topic = kb.topic(drill.topic)
        # Per plan: the weeks that list the drill, else the weeks of its topic.
        weeks = covered.weeks(topic.id) | covered.weeks(drill.id)
        yield _draft(kb, "drill", drill.id, _drill_fields(drill), topic, weeks)
    for mistake in kb.misconceptions:
        topic = kb.topic(mistake.topic)
        fields = _misconception_fields(mistake)
        yield _draft(kb, "misconception", mistake.id, fields, topic, covered.weeks(topic.id))


def _draft(
    kb: KnowledgeBase,
    kind: Kind,
    source_id: str,
    fields: dict[str, str],
    topic: Topic | None,
    weeks: Weeks,
) -> DeckNote:
    """Add the context fields and tags shared by every note type, and order the fields as the note type does."""
    area = kb.area(topic.area) if topic else None
    context = {
        "Area": html.escape(area.title, quote=False) if area else "",
        "Topic": html.escape(topic.title, quote=False) if topic else "",
        "Tier": f"Tier {topic.tier} · {TIER_NAMES[topic.tier]}" if topic else "",
        "Weeks": _weeks_html(kb, weeks),
        "Id": html.escape(source_id, quote=False),
    }
    values = {name: inert(value) for name, value in (fields | context).items()}
    note_type = NOTE_TYPES[kind]
    ordered = tuple(values.get(name, "") for name in note_type.fields)
    if kind == "cloze":
        ords = tuple(n - 1 for n in cloze.parse(values["Text"]).numbers)
    else:
        ords = tuple(range(len(note_type.templates)))
    guid = note_guid(kb, kind, source_id)
    tags = note_tags(tag_root(kb), topic, weeks)
    return DeckNote(kind, source_id, guid, ordered, tags, subdeck_name(kb, area), ords)


#: Anki's own field syntax that plays or speaks when a card is shown: `[sound:file]`, `[anki:tts]...`.
_PLAYABLE = re.compile(r"\[(?=(?:sound|anki):)", re.IGNORECASE)


def inert(field: str) -> str:
    """Return field HTML in which Anki's `[sound:...]` and `[anki:...]` show as text instead of playing."""
    return _PLAYABLE.sub("&#91;", field)


def _extra(extra: str, image: str) -> dict[str, str]:
    return {"Extra": to_html(extra), "Image": image}


def _weeks_html(kb: KnowledgeBase, weeks: Weeks) -> str:
    """Say which week of each plan covers the note, e.g. `4-week track: week 1 · 8-week track: weeks 2, 5`."""
    parts = []
    for roadmap in kb.roadmaps:
        numbers = weeks.get(roadmap.id, ())
        if numbers:
            label = "week" if len(numbers) == 1 else "weeks"
            # Named by its length, not its title: renaming a plan must not change every note (and learners' edits).
            parts.append(f"{len(roadmap.weeks)}-week track: {label} {', '.join(map(str, numbers))}")
    if not parts and kb.roadmaps:
        return "Not in any plan week: extra reading"
    return " · ".join(parts)


def _formula_fields(kb: KnowledgeBase, formula: Formula) -> dict[str, str]:
    legend = "".join(
        f"<tr><td>\\({html.escape(s.symbol, quote=False)}\\)</td><td>{to_html(s.meaning)}</td></tr>"
        for s in formula.symbols
    )
    return {
        "Name": html.escape(formula.name, quote=False),
        "Meaning": to_html(formula.meaning),
        "Formula": f"\\[{html.escape(formula.latex, quote=False)}\\]",
        "Symbols": f'<table class="prep-legend">{legend}</table>',
        "Example": to_html(formula.example),
        "References": _references_html([kb.reference(r) for r in formula.references]),
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
        "Others": f"<ul>{others}</ul>" if others else "",
    }


def _misconception_fields(mistake: Misconception) -> dict[str, str]:
    return {"Symptom": to_html(mistake.symptom), "Cause": to_html(mistake.cause), "Fix": to_html(mistake.fix)}


def _positions(kb: KnowledgeBase, drafts: list[DeckNote]) -> dict[tuple[Kind, str], int]:
    """Number notes in the order the first plan teaches them, so new cards come in roadmap order.

    A position is week * stride + rank within the week: a note added later to week 1 still sorts before week 2,
    even though cards already in a collection keep the positions they were imported with.
    """
    by_key = {(d.kind, d.source_id): d for d in drafts}
    order: list[tuple[int, tuple[Kind, str]]] = []
    placed: set[tuple[Kind, str]] = set()

    def place(week: int, key: tuple[Kind, str]) -> None:
        if key in by_key and key not in placed:
            placed.add(key)
            order.append((week, key))

    plan = kb.roadmaps[0] if kb.roadmaps else None
    weeks = plan.weeks if plan else ()
    listed_drills = {d for week in weeks for d in week.drills}
    # Each topic's misconceptions and unlisted drills, gathered once rather than searched for per topic.
    extras: dict[str, list[tuple[Kind, str]]] = {}
    for mistake in kb.misconceptions:
        extras.setdefault(mistake.topic, []).append(("misconception", mistake.id))
    for drill in kb.drills:
        if drill.id not in listed_drills:
            extras.setdefault(drill.topic, []).append(("drill", drill.id))
    for number, week in enumerate(weeks, 1):
        for topic_id in week.topics:
            for key in _topic_keys(kb.topic(topic_id), extras.get(topic_id, [])):
                place(number, key)
        for formula_id in week.formulas:
            place(number, ("formula", formula_id))
        for drill_id in week.drills:
            place(number, ("drill", drill_id))
    for draft in drafts:
        place(len(weeks) + 1, (draft.kind, draft.source_id))

    # The stride only has to exceed the largest week; the note count is a simple bound for it.
    stride = 10_000
    while len(order) >= stride:
        stride *= 10
    positions: dict[tuple[Kind, str], int] = {}
    rank: dict[int, int] = {}
    for week_number, key in order:
        rank[week_number] = rank.get(week_number, 0) + 1
        positions[key] = week_number * stride + rank[week_number]
    return positions


def _topic_keys(topic: Topic, extras: list[tuple[Kind, str]]) -> Iterator[tuple[Kind, str]]:
    """Yield a topic's notes in teaching order: its cards, formulas, then its misconceptions and unlisted drills."""
    for card in topic.cards:
        yield card_kind(card), card.id
    for formula_id in topic.formulas:
        yield "formula", formula_id
    yield from extras
