"""The stamps file: each note's content hashes and mod time, kept beside the source like a lock file.

Anki applies an imported note only when its mod time is newer than the one in the collection. Giving a note a
new mod time exactly when what its cards show changes makes edits arrive, while untouched notes never overwrite
what a learner changed in Anki, and makes the same source and stamps build the same bytes. Note types are
stamped the same way, from a hash of their templates and CSS.

The file is guarded because a wrong one hurts learners: it names the course it belongs to, every value is
range-checked, a mod time in the future is refused, and every new mod time is later than every one issued
before, so an author's fix always arrives whatever SOURCE_DATE_EPOCH says.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepexport.deck.errors import DeckError, StampsError
from prepexport.errors import printable
from prepexport.files import Staging

FORMAT = 2

#: How far past the clock a stamp may lie, for authors' machines whose clocks differ a little.
CLOCK_SKEW = 3600

#: The earliest mod time accepted (2001-09-09): anything before is a corrupt value, not a real build.
EARLIEST = 1_000_000_000

#: Fields every note type shares that place a note in the course rather than teach it (reported apart).
CONTEXT_FIELDS = ("Area", "Topic", "Tier", "Weeks", "Workbook", "Source")

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class NoteHash:
    """Hashes of what a note's cards show, in three parts so a report can say what changed."""

    text: str
    tags: str
    context: str

    def changes(self, other: NoteHash) -> tuple[str, ...]:
        """Name the parts that differ from another hash: text, tags/weeks, context."""
        names = (("text", self.text, other.text), ("tags/weeks", self.tags, other.tags))
        parts = [name for name, mine, theirs in names if mine != theirs]
        return (*parts, "context") if self.context != other.context else tuple(parts)


@dataclass(frozen=True)
class NoteStamp:
    """A note's content hash, the mod time it has had since that content, and when it first appeared."""

    hash: NoteHash
    mod: int
    added: int


@dataclass(frozen=True)
class RemovedNote:
    """A note once published and since removed from the source: learners still have it."""

    guid: str
    mod: int


@dataclass(frozen=True)
class NoteTypeStamp:
    """A note type's id, its schema (what Anki matches on), the hash of its templates and CSS, and mod time."""

    id: int
    schema: dict[str, Any]
    hash: str
    mod: int


@dataclass(frozen=True)
class Course:
    """The course a stamps file belongs to: its top deck id (every GUID derives from it) and its meta.id."""

    deck: int
    id: str


@dataclass(frozen=True)
class Stamps:
    """Everything the stamps file holds."""

    course: Course | None = None
    note_types: dict[str, NoteTypeStamp] = field(default_factory=dict)
    notes: dict[str, NoteStamp] = field(default_factory=dict)
    removed: dict[str, RemovedNote] = field(default_factory=dict)

    @property
    def issued(self) -> int:
        """Return the latest mod time ever issued; every new one must be later."""
        mods = [s.mod for s in self.notes.values()] + [s.mod for s in self.removed.values()]
        mods += [s.mod for s in self.note_types.values()]
        return max(mods, default=0)


@dataclass(frozen=True)
class ChangedNote:
    """A note whose content changed since the last build, and which parts of it changed."""

    key: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class StampChanges:
    """What changed since the stamps were last written."""

    new: int = 0
    changed: tuple[ChangedNote, ...] = ()
    removed: int = 0


def note_hash(model_id: int, fields: Mapping[str, str], tags: Sequence[str]) -> NoteHash:
    """Hash a note as an import would apply it: its note type and fields (text and context apart) and its tags."""
    text = [model_id, [[k, v] for k, v in fields.items() if k not in CONTEXT_FIELDS]]
    context = [[k, fields.get(k, "")] for k in CONTEXT_FIELDS]
    return NoteHash(_digest(text), _digest(sorted(tags)), _digest(context))


def legacy_hash(model_id: int, fields: Sequence[str], tags: Sequence[str]) -> str:
    """Return the single hash format 1 stamps held, to carry their mod times over unchanged."""
    return hashlib.sha256(json.dumps([model_id, list(fields), sorted(tags)]).encode()).hexdigest()[:16]


# One encoder for every hash: json.dumps builds a new one per call whenever an option differs from its defaults.
_JSON = json.JSONEncoder(ensure_ascii=False)


def _digest(value: Any) -> str:
    return hashlib.sha256(_JSON.encode(value).encode()).hexdigest()[:12]


def clock() -> int:
    """Return the current time in whole seconds."""
    return int(time.time())


def build_time(wanted: int | None, now: int) -> int:
    """Return the mod time for new and changed content: the one wanted (SOURCE_DATE_EPOCH), else now."""
    if wanted is None:
        return now
    if not EARLIEST <= wanted <= now + CLOCK_SKEW:
        when = "lies in the future" if wanted > now else "is before 2001"
        raise DeckError(
            f"SOURCE_DATE_EPOCH {wanted} {when}: it must be a time between 2001 and now (notes stamped in the "
            "future would overwrite learners' own edits on every import until then)"
        )
    return wanted


def _quote(value: str) -> str:
    """Quote a value for a message, with control characters escaped so they never reach the terminal raw."""
    return repr(value[:60] + ("…" if len(value) > 60 else ""))


class StampsMissing(StampsError):
    """The course was built before but its stamps file is gone: restamping would overwrite learners' edits."""


def load_stamps(path: Path, course: Course, now: int) -> Stamps | None:
    """Read a stamps file (None if there is none), refusing another course's file and impossible values."""
    try:
        if path.exists() and not path.is_file():
            raise StampsError(f"{path}: the stamps file is not a regular file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise StampsError(f"{path}: cannot read the stamps file ({error})") from None
    try:
        data = json.loads(text)
        stamps = parse_stamps(data, now)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise StampsError(
            f"{path}: cannot read the stamps file ({_message(error)}). If a merge left conflict markers, keep "
            "both sides' entries, one note per line, and for a note on both sides the later mod. Do not delete "
            "the file: see 'The stamps file' in docs/anki.md."
        ) from None
    if stamps.course is not None and stamps.course != course:
        raise StampsError(foreign_course(str(path), stamps.course, course))
    return stamps


def foreign_course(what: str, theirs: Course, mine: Course) -> str:
    """Explain why another course's stamps are refused, naming which of the two ids differs and what to do."""
    differs = [
        name
        for name, same in (
            ("course id (meta.id)", theirs.id == mine.id),
            ("deck id (meta.anki.deck)", theirs.deck == mine.deck),
        )
        if not same
    ]
    return (
        f"{what} belongs to another course: its {' and '.join(differs)} differ{'s' if len(differs) == 1 else ''} "
        f"(it has id {theirs.id!r}, deck id {theirs.deck}; this course has id {mine.id!r}, deck id {mine.deck}). "
        "A new course (say, copied from docs/example.yaml) needs its own meta.id and its own meta.anki ids, or its "
        "notes overwrite the other course's in learners' collections: give it new ones (see 'Starting a new "
        "course' in docs/format.md) and move this stamps file away. If this is the same course and you changed "
        "the id on purpose, put the old value back, or use the stamps file committed with this course, or rebuild "
        "it from its last published package: prepexport stamps recover PACKAGE SOURCE"
    )


def _message(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if isinstance(error, KeyError):
        return f"missing {error}"
    return printable(str(error))


def parse_stamps(data: Any, now: int) -> Stamps:
    """Return the stamps a parsed JSON document holds (raise ValueError naming the first bad value)."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    version = data.get("format")
    if version not in (1, FORMAT):
        raise ValueError(f"unknown format {str(version)[:20]!r} (expected {FORMAT})")
    latest = now + CLOCK_SKEW
    note_types = {
        _name(kind): NoteTypeStamp(
            _int(s["id"], f"note type {kind} id", 1, (1 << 63) - 1),
            _schema(s["schema"]),
            _hex(s["hash"], kind),
            _mod(s["mod"], f"note type {kind}", latest),
        )
        for kind, s in _items(data["note_types"])
    }
    notes: dict[str, NoteStamp] = {}
    for key, s in _items(data["notes"]):
        mod = _mod(s["mod"], key, latest)
        added = _mod(s["added"], f"{key} (added)", latest)
        if version == 1:  # format 1 had one hash; a note matching it keeps its mod time (see migrate_legacy)
            digest = NoteHash(_hex(s["hash"], key), "", "legacy")
        else:
            h = s["hash"]
            if not isinstance(h, dict):
                raise ValueError(f"{key}: hash must be an object")
            digest = NoteHash(_hex(h["text"], key), _hex(h["tags"], key), _hex(h["context"], key))
        notes[_name(key)] = NoteStamp(digest, mod, added)
    removed = {
        _name(key): RemovedNote(_guid(s["guid"], key), _mod(s["mod"], key, latest))
        for key, s in _items(data.get("removed", {}))
    }
    course = None
    if version == FORMAT:
        c = data["course"]
        if not isinstance(c, dict):
            raise ValueError("course must be an object")
        course = Course(_int(c["deck"], "course deck id", 1, (1 << 63) - 1), _name(c["id"]))
    return Stamps(course, note_types, notes, removed)


def _items(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        raise ValueError("expected an object of entries")
    for key, entry in value.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{_quote(key)}: expected an object")
    return list(value.items())


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 300 or not value.isprintable():
        raise ValueError(f"bad name {_quote(str(value))}")
    return value


def _int(value: Any, what: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{what}: {_quote(str(value))} is not a whole number from {low} to {high}")
    return value


def _mod(value: Any, what: str, latest: int) -> int:
    if type(value) is int and value >= EARLIEST and value > latest:
        raise ValueError(
            f"{what}: mod time {value} lies in the future; such a note would overwrite learners' own edits on "
            "every import. Restore the file from version control or rebuild it with prepexport stamps recover"
        )
    return _int(value, what, EARLIEST, latest)


def _hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not set(value) <= _HEX:
        raise ValueError(f"{what}: hash {_quote(str(value))} is not a hexadecimal digest")
    return value


def _guid(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 40 or not value.isprintable():
        raise ValueError(f"{what}: bad guid")
    return value


def _schema(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a note type's schema must be an object")
    return dict(value)


def migrate_legacy(old: Stamps, key: str, legacy: str, digest: NoteHash) -> Stamps:
    """Return the stamps with a format 1 note carried over: same content (legacy hash) keeps its mod time."""
    before = old.notes.get(key)
    if before is None or before.hash.context != "legacy":
        return old
    hash_ = digest if before.hash.text == legacy else NoteHash("", "", "")
    notes = dict(old.notes)
    notes[key] = NoteStamp(hash_, before.mod, before.added)
    return Stamps(old.course, old.note_types, notes, old.removed)


def next_mod(old: Stamps, when: int) -> int:
    """Return the mod time for content changed in this build: `when`, but always after every earlier stamp."""
    return max(when, old.issued + 1)


def restamp_notes(
    old: Stamps, hashes: Mapping[str, NoteHash], guid_of: Callable[[str], str], mod: int
) -> tuple[dict[str, NoteStamp], dict[str, RemovedNote], StampChanges]:
    """Keep each unchanged note's stamp; give new and changed notes the mod `mod`; remember removed notes."""
    notes: dict[str, NoteStamp] = {}
    new = 0
    changed: list[ChangedNote] = []
    for key, digest in hashes.items():
        before = old.notes.get(key)
        if before is None:
            revived = old.removed.get(key)
            notes[key] = NoteStamp(digest, mod, mod)
            if revived is None:
                new += 1
            else:
                changed.append(ChangedNote(key, ("restored",)))
        elif before.hash == digest:
            notes[key] = before
        else:
            notes[key] = NoteStamp(digest, mod, before.added)
            changed.append(ChangedNote(key, digest.changes(before.hash)))
    removed = {key: r for key, r in old.removed.items() if key not in hashes}
    gone = 0
    for key, stamp in old.notes.items():
        if key not in hashes:
            removed[key] = RemovedNote(guid_of(key), stamp.mod)
            gone += 1
    return notes, dict(sorted(removed.items())), StampChanges(new, tuple(changed), gone)


def restamp_note_type(
    old: Stamps, kind: str, model_id: int, schema: dict[str, Any], digest: str, name: str, mod: int
) -> NoteTypeStamp:
    """Stamp a note type; refuse a schema change under the same id, which Anki would not apply."""
    before = old.note_types.get(kind)
    if before is None or before.id != model_id:
        return NoteTypeStamp(model_id, schema, digest, mod)
    if before.schema != schema:
        raise StampsError(
            f"note type {name!r} (id {model_id}) changed its fields or cards: {_describe(before.schema)} -> "
            f"{_describe(schema)}. Anki would import it as a copy and skip every existing note. Give it a new "
            "id in meta.anki and follow 'Changing a note type' in docs/anki.md."
        )
    if before.hash == digest:
        return before
    return NoteTypeStamp(model_id, schema, digest, mod)


def _describe(schema: dict[str, Any]) -> str:
    return f"fields {schema.get('fields')}, cards {schema.get('templates')}"


def dump_stamps(stamps: Stamps) -> str:
    """Return the stamps as JSON with one note per line, so diffs and merges stay readable."""
    course = stamps.course
    lines = ["{", f'  "format": {FORMAT},']
    if course is not None:
        lines.append(f'  "course": {json.dumps({"deck": course.deck, "id": course.id})},')
    lines.append('  "note_types": {')
    types = [
        f"    {json.dumps(kind)}: "
        + json.dumps({"id": s.id, "schema": s.schema, "hash": s.hash, "mod": s.mod}, sort_keys=True)
        for kind, s in sorted(stamps.note_types.items())
    ]
    lines += [",\n".join(types)] if types else []
    lines += ["  },", '  "notes": {']
    notes = [
        f"    {json.dumps(key)}: "
        + json.dumps(
            {
                "hash": {"text": s.hash.text, "tags": s.hash.tags, "context": s.hash.context},
                "mod": s.mod,
                "added": s.added,
            }
        )
        for key, s in sorted(stamps.notes.items())
    ]
    lines += [",\n".join(notes)] if notes else []
    lines += ["  },", '  "removed": {']
    removed = [
        f"    {json.dumps(key)}: " + json.dumps({"guid": r.guid, "mod": r.mod})
        for key, r in sorted(stamps.removed.items())
    ]
    lines += [",\n".join(removed)] if removed else []
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def save_stamps(path: Path, stamps: Stamps, staging: Staging) -> None:
    """Stage the stamps file, only when its content changes; it moves into place after every other output."""
    text = dump_stamps(stamps)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    staging.write(path, text.encode(), last=True)
