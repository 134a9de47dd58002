"""Build the Anki package and update the stamps file: the deck renderer's entry point."""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prepexport.course import labels
from prepexport.course.kinds import KINDS, Kind
from prepexport.course.order import roadmap_order
from prepexport.course.pace import Pace, deck_new_per_day, paces, review_limit
from prepexport.course.tags import tag_root
from prepexport.deck.notes import DeckNote, collect_notes, note_guid
from prepexport.deck.notetypes import NOTE_TYPES, NoteType
from prepexport.deck.package import CardRow, DeckRow, NoteRow, Preset, package_bytes
from prepexport.deck.stamps import (
    Course,
    NoteHash,
    NoteStamp,
    NoteTypeStamp,
    RemovedNote,
    StampChanges,
    Stamps,
    StampsMissing,
    build_time,
    clock,
    legacy_hash,
    load_stamps,
    migrate_legacy,
    next_mod,
    note_hash,
    restamp_note_type,
    restamp_notes,
    save_stamps,
)
from prepexport.files import Staging
from prepexport.markup import to_html
from prepexport.model import KnowledgeBase, Labels
from prepexport.progress import counted


@dataclass(frozen=True)
class NoteTypeCount:
    """How many notes and cards of one note type the package holds."""

    name: str
    notes: int
    cards: int


#: A source edit that changes more notes than this without changing their text earns a warning.
MANY_NOTES = 10

#: How many changed notes the report lists one by one.
LISTED = 40


@dataclass(frozen=True)
class DeckReport:
    """What a deck build wrote, for the CLI to print."""

    path: Path
    note_types: tuple[NoteTypeCount, ...]
    media: int
    stamps_path: Path
    changes: StampChanges
    removed_search: str = ""
    removed_path: Path | None = None
    areas: tuple[tuple[str, str], ...] = ()  # (note key, area title) of every note, for the warnings
    started: str = ""
    new_per_day: int = 0  # the preset's new cards a day
    paces: tuple[tuple[str, int], ...] = ()  # each plan's title and the new cards a day that finish it on time
    renewed: tuple[str, ...] = ()  # note types whose fields or cards changed, with their old and new ids

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
        images = f", {counted(self.media, 'image')}" if self.media else ""
        out = [f"wrote {self.path}: {counted(self.notes, 'note')}, {counted(self.cards, 'card')}{images}"]
        out += [f"  {t.name}: {counted(t.notes, 'note')}, {counted(t.cards, 'card')}" for t in self.note_types]
        plans = ", ".join(f"{title} {n}" for title, n in self.paces)
        out.append(f"  new cards a day: {self.new_per_day} in the deck's preset" + (f" ({plans})" if plans else ""))
        c = self.changes
        out.append(f"  since the last build: {c.new} new, {len(c.changed)} changed, {c.removed} removed notes")
        for note in c.changed[:LISTED]:
            out.append(f"    changed {note.key}: {', '.join(note.parts)}")
        if len(c.changed) > LISTED:
            out.append(f"    … and {len(c.changed) - LISTED} more")
        out += self.removed_lines()
        if self.started:
            out.append(f"  {self.started}")
        for name in self.renewed:
            out.append(
                f"  note type {name} has new fields or cards: learners who have the deck move their notes "
                "to it once (docs/anki.md, 'Changing a note type')"
            )
        return out

    def removed_lines(self) -> list[str]:
        """Return the lines that give the search for removed notes (the same on every build until one is removed)."""
        if not self.removed_search:
            return []
        out = [f"  removed notes stay in learners' collections; Anki finds them with: {self.removed_search}"]
        if self.removed_path:
            out.append(f"  (also written to {self.removed_path}; docs/anki.md says how to delete them)")
        return out

    def warnings(self) -> list[str]:
        """Warn when one edit of context (an area, topic or plan renamed or moved) changes many notes."""
        quiet = {n.key for n in self.changes.changed if "text" not in n.parts and "restored" not in n.parts}
        if len(quiet) <= MANY_NOTES:
            return []
        areas = Counter(area for key, area in self.areas if key in quiet)
        where = ", ".join(f"{count} in area '{area}'" for area, count in areas.most_common(3) if area)
        detail = f" ({where})" if where else ""
        return [
            f"warning: {len(quiet)} notes changed only in their tags, weeks or context{detail}, e.g. a renamed "
            "area or topic, a week moved or workbook sections renumbered: learners' next import replaces the "
            "edits they made to these notes in Anki"
        ]


def build_deck(
    kb: KnowledgeBase,
    out_dir: Path,
    *,
    stamps_path: Path,
    now: int | None = None,
    new_stamps: bool = False,
    staging: Staging | None = None,
) -> DeckReport:
    """Write `<out_dir>/<meta.id>.apkg` and update the stamps file beside the source.

    `now` is the mod time wanted for new and changed notes (e.g. SOURCE_DATE_EPOCH; the current time if None);
    they get a later one if an earlier build issued that time already. `new_stamps` allows starting a new stamps
    file for a course built before. With `staging`, the files are only staged: the caller commits them together
    with its other outputs.
    """
    order = roadmap_order(kb)
    collected = collect_notes(kb, order)
    path = out_dir / f"{kb.meta.id}.apkg"
    course = Course(kb.meta.anki.deck, kb.meta.id)
    clock_now = clock()
    when = build_time(now, clock_now)
    now = clock_now
    loaded = load_stamps(stamps_path, course, now)
    started = ""
    if loaded is None:
        evidence = _published_before(stamps_path, path)
        if evidence and not new_stamps:
            raise StampsMissing(_missing_message(stamps_path, path, evidence))
        # Starting over after a publication: stamp from the real clock, so that fixes reach learners.
        when = max(when, now) if evidence else when
        started = f"started a new stamps file {stamps_path}: commit it with the source"
    old = loaded or Stamps(course)

    hashes: dict[str, NoteHash] = {}
    area_of: list[tuple[str, str]] = []
    for n in collected.notes:
        # One note's fields by name at a time: kept for every note at once they cost a lot on a large course.
        fields = dict(zip(NOTE_TYPES[n.kind].fields, n.fields, strict=True))
        hashes[n.key] = note_hash(model_id(kb, n.kind), fields, n.tags)
        area_of.append((n.key, html.unescape(fields.get("Area", ""))))
        before = old.notes.get(n.key)
        if before is not None and before.hash.context == "legacy":  # hash the old way only for format 1 stamps
            old = migrate_legacy(old, n.key, legacy_hash(model_id(kb, n.kind), n.fields, n.tags), hashes[n.key])
    mod = next_mod(old, when)

    used: list[Kind] = [kind for kind in KINDS if any(n.kind == kind for n in collected.notes)]
    note_types = {kind: course_note_type(kb, kind) for kind in used}
    type_stamps: dict[str, NoteTypeStamp] = {}
    for kind in used:
        name = note_type_name(kb, kind)
        note_type = note_types[kind]
        schema, digest = note_type.schema(), note_type.digest(name)
        type_stamps[kind] = restamp_note_type(old, kind, model_id(kb, kind), schema, digest, name, mod)
    note_stamps, removed, changes = restamp_notes(old, hashes, lambda key: _guid_of(kb, key), mod)

    new_per_day = deck_new_per_day(kb, order)
    plans = paces(kb, order)
    decks = [_top_deck(kb, plans)]
    models = [
        note_types[kind].to_json(model_id(kb, kind), note_type_name(kb, kind), type_stamps[kind].mod, kb.meta.anki.deck)
        for kind in used
    ]
    rows = _rows(collected.notes, note_stamps, kb)

    preset = Preset(
        kb.meta.anki.deck, labels.fill(kb.labels.deck_preset, deck=kb.meta.deck), new_per_day, review_limit(new_per_day)
    )
    search = removed_search(kb, removed)
    removed_path = out_dir / f"{kb.meta.id}.removed.txt"
    with Staging() if staging is None else contextlib.nullcontext(staging) as stage:
        stage.write(path, package_bytes(preset, decks, models, rows, collected.media))
        if search:
            stage.write(removed_path, (search + "\n").encode())
        else:
            stage.remove(removed_path)
        # Moved into place last: stamps must never claim a build that did not happen.
        save_stamps(stamps_path, Stamps(course, type_stamps, note_stamps, removed), stage)

    counts = tuple(
        NoteTypeCount(
            note_types[kind].label,
            sum(1 for n in collected.notes if n.kind == kind),
            sum(len(n.card_ords) for n in collected.notes if n.kind == kind),
        )
        for kind in used
    )
    areas = tuple(area_of)
    renewed = tuple(
        f"{note_type_name(kb, kind)} (id {old.note_types[kind].id} -> {type_stamps[kind].id})"
        for kind in used
        if kind in old.note_types and old.note_types[kind].id != type_stamps[kind].id
    )
    return DeckReport(
        path,
        counts,
        len(collected.media),
        stamps_path,
        changes,
        search,
        removed_path if search else None,
        areas,
        started,
        new_per_day=new_per_day,
        paces=tuple((p.roadmap.title, p.new_per_day) for p in plans),
        renewed=renewed,
    )


def _guid_of(kb: KnowledgeBase, key: str) -> str:
    kind, _, source_id = key.partition(":")
    return note_guid(kb, kind, source_id)  # type: ignore[arg-type]  # a stamps key may name a kind gone since


def removed_search(kb: KnowledgeBase, removed: dict[str, RemovedNote]) -> str:
    """Return an Anki search that finds exactly the notes removed from the course, or "" if there are none.

    Anki cannot search by GUID, and note ids differ between collections; a note's `Id` field and its note
    type (named after the deck, one per kind) identify it in every learner's collection.
    """
    by_kind: dict[str, list[str]] = {}
    for key in sorted(removed):
        kind, _, source_id = key.partition(":")
        if kind in NOTE_TYPES:
            by_kind.setdefault(kind, []).append(source_id)
    groups = []
    for kind, ids in by_kind.items():
        name = note_type_name(kb, kind)  # type: ignore[arg-type]
        fields = " OR ".join(f'"Id:{_search_escape(i)}"' for i in ids)
        groups.append(f'("note:{_search_escape(name)}" ({fields}))')
    return " OR ".join(groups)


def _search_escape(text: str) -> str:
    """Escape text for a quoted Anki search term: quotes, backslashes and the wildcards * and _."""
    return "".join("\\" + c if c in '\\"*_' else c for c in text)


def _published_before(stamps_path: Path, package: Path) -> str:
    """Return why the course looks published before (a previous package, or the stamps file in git), or ""."""
    if package.exists():
        return f"{package} exists from an earlier build"
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        found = subprocess.run(
            [git, "log", "-1", "--format=%h", "--", stamps_path.name],
            cwd=stamps_path.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = found.stdout.strip() if found.returncode == 0 else ""
    return f"git history has it (last in commit {commit})" if commit else ""


def _missing_message(stamps_path: Path, package: Path, evidence: str) -> str:
    return (
        f"the stamps file {stamps_path} is missing, but this course was built before ({evidence}). Building "
        "without it would give every note a new mod time, and learners' next import would replace every edit "
        "they made in Anki. Recover it, then build again:\n"
        f"  - restore it from version control (e.g. git checkout -- {stamps_path.name}), or\n"
        f"  - rebuild it from the last package you published: prepexport stamps recover {package} SOURCE, or\n"
        "  - start over knowingly with --new-stamps (learners lose their edits on their next import)"
    )


def model_id(kb: KnowledgeBase, kind: Kind) -> int:
    """Return a note type's id: derived from the course's fixed id for the kind and the note type's schema.

    Anki matches a note type by id and imports one whose field or card names changed as a copy, skipping every
    note of it; so a changed schema must come with a new id. Deriving the id from the schema does that by
    itself, for every course, and the build report names the note types learners have to move their notes to.
    """
    base: int = getattr(kb.meta.anki, kind)
    note_type = NOTE_TYPES[kind]
    # Asked for once per note: remembered per course id and note type (by identity: hashing one is slow).
    known = _DERIVED.get((base, kind))
    if known is not None and known[0] is note_type:
        return known[1]
    schema = json.dumps([base, note_type.schema()], sort_keys=True)
    digest = int.from_bytes(hashlib.sha256(schema.encode()).digest()[:8], "big")
    # Below 2**53, so the id survives JavaScript on every Anki client; above 2**41, clear of ms timestamps.
    derived = (1 << 41) + digest % ((1 << 53) - (1 << 41))
    _DERIVED[base, kind] = (note_type, derived)
    return derived


_DERIVED: dict[tuple[int, str], tuple[NoteType, int]] = {}


def course_note_type(kb: KnowledgeBase, kind: Kind) -> NoteType:
    """Return the note type of a kind as this course words it (its labels filled into the templates)."""
    return NOTE_TYPES[kind].localized(kb.labels, kb.meta.language)


def note_type_name(kb: KnowledgeBase, kind: Kind) -> str:
    """Return the note type's name in Anki, prefixed with the deck so two courses' types stay apart."""
    return f"{kb.meta.deck}: {course_note_type(kb, kind).label}"


def pace_words(words: Labels, pace: Pace) -> str:
    """Return the line that gives a plan's daily limits, e.g. `4-week track: 25 new cards/day, ...`."""
    return labels.fill(words.deck_pace, plan=pace.roadmap.title, new=pace.new_per_day, reviews=pace.reviews_per_day)


def _top_deck(kb: KnowledgeBase, plans: Sequence[Pace]) -> DeckRow:
    """Return the one deck every card goes to, described with each plan's pace and week search.

    One deck, not a subdeck per area: Anki's default gather order walks subdecks alphabetically, so only one
    deck serves new cards by position, that is in roadmap order, to a learner who keeps the default options.
    """
    root, words = tag_root(kb), kb.labels
    items = [
        "<li>"
        + html.escape(pace_words(words, p), quote=False)
        + f" <code>tag:{root}::{html.escape(p.roadmap.id)}::week-01</code> … "
        + f"<code>week-{len(p.roadmap.weeks):02d}</code></li>"
        for p in plans
    ]
    howto = (
        f"<p>{html.escape(words.deck_howto, quote=False)}</p><ul>{''.join(items)}</ul>"
        f"<p>{html.escape(words.deck_week_howto, quote=False)}</p>"
        if items
        else ""
    )
    return DeckRow(kb.meta.anki.deck, kb.meta.deck, to_html(kb.meta.description) + howto)


def _rows(notes: Sequence[DeckNote], stamps: dict[str, NoteStamp], kb: KnowledgeBase) -> list[NoteRow]:
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
            cards.append(CardRow(last_card, ordinal, kb.meta.anki.deck, note.position))
        rows.append(
            NoteRow(last_note, note.guid, model_id(kb, note.kind), stamp.mod, note.tags, note.fields, tuple(cards))
        )
    return rows
