"""Build the Anki package and update the stamps file: the deck renderer's entry point."""

from __future__ import annotations

import hashlib
import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prepexport.course.kinds import KINDS, Kind
from prepexport.course.tags import tag_root
from prepexport.deck.notes import DeckNote, collect_notes
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.deck.package import CardRow, DeckRow, NoteRow, Preset, package_bytes
from prepexport.deck.stamps import (
    NoteStamp,
    NoteTypeStamp,
    StampChanges,
    Stamps,
    load_stamps,
    restamp_note_type,
    restamp_notes,
    save_stamps,
)
from prepexport.files import write_atomically
from prepexport.markup import to_html
from prepexport.model import KnowledgeBase


@dataclass(frozen=True)
class NoteTypeCount:
    """How many notes and cards of one note type the package holds."""

    name: str
    notes: int
    cards: int


@dataclass(frozen=True)
class DeckReport:
    """What a deck build wrote, for the CLI to print."""

    path: Path
    note_types: tuple[NoteTypeCount, ...]
    media: int
    stamps_path: Path
    changes: StampChanges

    @property
    def notes(self) -> int:
        """Return the number of notes in the package."""
        return sum(t.notes for t in self.note_types)

    @property
    def cards(self) -> int:
        """Return the number of cards in the package."""
        return sum(t.cards for t in self.note_types)

    def lines(self) -> list[str]:
        """Return what the CLI prints: the path and totals, one line per note type, then what changed."""
        images = f", {_count(self.media, 'image')}" if self.media else ""
        out = [f"wrote {self.path}: {_count(self.notes, 'note')}, {_count(self.cards, 'card')}{images}"]
        out += [f"  {t.name}: {_count(t.notes, 'note')}, {_count(t.cards, 'card')}" for t in self.note_types]
        c = self.changes
        out.append(f"  since the last build: {c.new} new, {c.changed} changed, {c.removed} removed notes")
        if c.removed:
            out.append("  (Anki never deletes notes on import: removed notes stay in users' collections)")
        return out


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def build_deck(kb: KnowledgeBase, out_dir: Path, *, stamps_path: Path, now: int | None = None) -> DeckReport:
    """Write `<out_dir>/<meta.id>.apkg` and update the stamps file beside the source.

    `now` is the mod time given to new and changed notes (seconds since 1970; the current time if None).
    """
    collected = collect_notes(kb)
    old = load_stamps(stamps_path)
    now = int(time.time()) if now is None else now

    used: list[Kind] = [kind for kind in KINDS if any(n.kind == kind for n in collected.notes)]
    type_stamps: dict[str, NoteTypeStamp] = {}
    for kind in used:
        name = note_type_name(kb, kind)
        note_type = NOTE_TYPES[kind]
        schema, digest = note_type.schema(), note_type.digest(name)
        type_stamps[kind] = restamp_note_type(old, kind, model_id(kb, kind), schema, digest, name, now)
    hashes = {n.key: n.digest(model_id(kb, n.kind)) for n in collected.notes}
    note_stamps, changes = restamp_notes(old, hashes, now)

    decks = _decks(kb, collected.notes)
    deck_ids = {d.name: d.id for d in decks}
    models = [
        NOTE_TYPES[kind].to_json(model_id(kb, kind), note_type_name(kb, kind), type_stamps[kind].mod, kb.meta.anki.deck)
        for kind in used
    ]
    rows = _rows(collected.notes, note_stamps, deck_ids, kb)

    path = out_dir / f"{kb.meta.id}.apkg"
    preset = Preset(kb.meta.anki.deck, f"{kb.meta.deck}: roadmap order")
    write_atomically(path, package_bytes(preset, decks, models, rows, collected.media))
    # Only after the package is safely written: stamps must never claim a build that did not happen.
    save_stamps(stamps_path, Stamps(type_stamps, note_stamps))

    counts = tuple(
        NoteTypeCount(
            NOTE_TYPES[kind].label,
            sum(1 for n in collected.notes if n.kind == kind),
            sum(len(n.card_ords) for n in collected.notes if n.kind == kind),
        )
        for kind in used
    )
    return DeckReport(path, counts, len(collected.media), stamps_path, changes)


def model_id(kb: KnowledgeBase, kind: Kind) -> int:
    """Return the fixed note-type id the knowledge base assigns to this kind."""
    value: int = getattr(kb.meta.anki, kind)
    return value


def note_type_name(kb: KnowledgeBase, kind: Kind) -> str:
    """Return the note type's name in Anki, prefixed with the deck so two courses' types stay apart."""
    return f"{kb.meta.deck}: {NOTE_TYPES[kind].label}"


def subdeck_id(top_id: int, name: str) -> int:
    """Derive a subdeck id from the top deck id and the subdeck's name (Anki matches decks by name anyway)."""
    digest = int.from_bytes(hashlib.sha256(f"{top_id}:{name}".encode()).digest()[:8], "big")
    return (1 << 40) + digest % ((1 << 62) - (1 << 40))


def _decks(kb: KnowledgeBase, notes: Sequence[DeckNote]) -> list[DeckRow]:
    """Return the top deck, described, and one subdeck per area that has notes."""
    root = tag_root(kb)
    plans = [
        f"<li>{html.escape(r.title, quote=False)}: <code>tag:{root}::{html.escape(r.id)}::week-01</code> "
        f"… <code>week-{len(r.weeks):02d}</code></li>"
        for r in kb.roadmaps
    ]
    search = f'deck:"{html.escape(kb.meta.deck)}" tag:{root}::&lt;plan&gt;::week-NN'
    howto = (
        "<p>To study one week of a plan, create a filtered deck (Tools › Create Filtered Deck) with the search "
        f"<code>{search}</code>:</p><ul>{''.join(plans)}</ul>"
        if plans
        else ""
    )
    top = DeckRow(kb.meta.anki.deck, kb.meta.deck, to_html(kb.meta.description) + howto)
    names = sorted({n.deck for n in notes} - {kb.meta.deck})
    return [top] + [DeckRow(subdeck_id(kb.meta.anki.deck, name), name) for name in names]


def _rows(
    notes: Sequence[DeckNote], stamps: dict[str, NoteStamp], deck_ids: dict[str, int], kb: KnowledgeBase
) -> list[NoteRow]:
    """Give each note and card a unique id in creation-time form (ms since 1970) and its stamped mod time.

    Anki keeps these ids for new notes, so a note's id records when it first appeared in the source, and notes
    created together are numbered in roadmap order. Existing notes are matched by GUID and keep their own ids.
    """
    rows: list[NoteRow] = []
    last_note = last_card = 0
    for note in sorted(notes, key=lambda n: (stamps[n.key].added, n.position, n.key)):
        stamp = stamps[note.key]
        last_note = max(stamp.added * 1000, last_note + 1)
        cards = []
        for ordinal in note.card_ords:
            last_card = max(stamp.added * 1000, last_card + 1)
            cards.append(CardRow(last_card, ordinal, deck_ids[note.deck], note.position))
        rows.append(
            NoteRow(last_note, note.guid, model_id(kb, note.kind), stamp.mod, note.tags, note.fields, tuple(cards))
        )
    return rows
