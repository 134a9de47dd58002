"""The stamps file: each note's content hash and mod time, kept beside the source like a lock file.

Anki applies an imported note only when its mod time is newer than the one in the collection. Giving a note a
new mod time exactly when its content changes makes edits arrive while untouched notes never overwrite what a
user changed in Anki, and makes the same source and stamps build the same bytes. Note types are stamped the
same way, from a hash of their templates and CSS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepexport.deck.errors import StampsError
from prepexport.files import write_atomically

FORMAT = 1


@dataclass(frozen=True)
class NoteStamp:
    """A note's content hash, the mod time it has had since that content, and when it first appeared."""

    hash: str
    mod: int
    added: int


@dataclass(frozen=True)
class NoteTypeStamp:
    """A note type's id, its schema (what Anki matches on), the hash of its templates and CSS, and mod time."""

    id: int
    schema: dict[str, Any]
    hash: str
    mod: int


@dataclass(frozen=True)
class Stamps:
    """Everything the stamps file holds."""

    note_types: dict[str, NoteTypeStamp] = field(default_factory=dict)
    notes: dict[str, NoteStamp] = field(default_factory=dict)


@dataclass(frozen=True)
class StampChanges:
    """What changed since the stamps were last written, counted in notes."""

    new: int = 0
    changed: int = 0
    removed: int = 0


def load_stamps(path: Path) -> Stamps:
    """Read a stamps file; a missing file means nothing was stamped yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Stamps()
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r} (expected {FORMAT})")
        note_types = {
            kind: NoteTypeStamp(int(s["id"]), dict(s["schema"]), str(s["hash"]), int(s["mod"]))
            for kind, s in data["note_types"].items()
        }
        notes = {key: NoteStamp(str(s["hash"]), int(s["mod"]), int(s["added"])) for key, s in data["notes"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StampsError(
            f"{path}: cannot read the stamps file ({error}). If a merge left conflict markers, keep both sides' "
            "entries; deleting the file restamps every note, and then every note overwrites edits made in Anki."
        ) from None
    return Stamps(note_types, notes)


def restamp_notes(old: Stamps, hashes: Mapping[str, str], now: int) -> tuple[dict[str, NoteStamp], StampChanges]:
    """Keep each unchanged note's stamp; give new and changed notes the time `now` (always later than before)."""
    notes: dict[str, NoteStamp] = {}
    new = changed = 0
    for key, digest in hashes.items():
        before = old.notes.get(key)
        if before is None:
            notes[key] = NoteStamp(digest, now, now)
            new += 1
        elif before.hash == digest:
            notes[key] = before
        else:
            # Strictly newer, or an edit built under a fixed SOURCE_DATE_EPOCH would never arrive.
            notes[key] = NoteStamp(digest, max(now, before.mod + 1), before.added)
            changed += 1
    removed = len(set(old.notes) - set(hashes))
    return notes, StampChanges(new, changed, removed)


def restamp_note_type(
    old: Stamps, kind: str, model_id: int, schema: dict[str, Any], digest: str, name: str, now: int
) -> NoteTypeStamp:
    """Stamp a note type; refuse a schema change under the same id, which Anki would not apply."""
    before = old.note_types.get(kind)
    if before is None or before.id != model_id:
        return NoteTypeStamp(model_id, schema, digest, now)
    if before.schema != schema:
        raise StampsError(
            f"note type {name!r} (id {model_id}) changed its fields or cards: {_describe(before.schema)} -> "
            f"{_describe(schema)}. Anki would import it as a copy and skip every existing note. Give it a new "
            "id in meta.anki and follow 'Changing a note type' in docs/anki.md."
        )
    if before.hash == digest:
        return before
    return NoteTypeStamp(model_id, schema, digest, max(now, before.mod + 1))


def _describe(schema: dict[str, Any]) -> str:
    return f"fields {schema.get('fields')}, cards {schema.get('templates')}"


def dump_stamps(stamps: Stamps) -> str:
    """Return the stamps as JSON with one note per line, so diffs and merges stay readable."""
    lines = ["{", f'  "format": {FORMAT},', '  "note_types": {']
    types = [
        f"    {json.dumps(kind)}: "
        + json.dumps({"id": s.id, "schema": s.schema, "hash": s.hash, "mod": s.mod}, sort_keys=True)
        for kind, s in sorted(stamps.note_types.items())
    ]
    lines += [",\n".join(types)] if types else []
    lines += ["  },", '  "notes": {']
    notes = [
        f"    {json.dumps(key)}: " + json.dumps({"hash": s.hash, "mod": s.mod, "added": s.added})
        for key, s in sorted(stamps.notes.items())
    ]
    lines += [",\n".join(notes)] if notes else []
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def save_stamps(path: Path, stamps: Stamps) -> None:
    """Write the stamps file atomically, and only when its content changes."""
    text = dump_stamps(stamps)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    write_atomically(path, text.encode())
