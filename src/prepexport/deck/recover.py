"""Rebuild a lost stamps file from the last published package: it holds every note's GUID, mod time and fields.

Stamps rebuilt this way make the next build give unchanged notes exactly the mod times learners already have,
so nothing they edited in Anki is overwritten, while notes changed since that package get a later mod time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepexport.course.kinds import KINDS, Kind
from prepexport.course.tags import tag_root
from prepexport.deck.build import model_id, note_type_name
from prepexport.deck.errors import StampsError
from prepexport.deck.notes import note_guid
from prepexport.deck.stamps import (
    Course,
    NoteStamp,
    NoteTypeStamp,
    RemovedNote,
    Stamps,
    clock,
    dump_stamps,
    foreign_course,
    note_hash,
    parse_stamps,
)
from prepexport.model import KnowledgeBase

#: Collection files a package may hold, newest format first (Anki writes a stub collection.anki2 beside them).
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")

#: Largest collection accepted once decompressed: far above any course, far below what would exhaust memory.
MAX_COLLECTION = 512 * 1024 * 1024


@dataclass(frozen=True)
class PackageNote:
    """A note as a package holds it."""

    guid: str
    model_id: int
    mod: int
    note_id: int
    fields: dict[str, str]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class PackageModel:
    """A note type as a package holds it."""

    id: int
    name: str
    mod: int
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # name, question, answer; empty questions in anki21b packages
    css: str
    cloze: bool


@dataclass(frozen=True)
class Recovered:
    """The rebuilt stamps and what went into them."""

    stamps: Stamps
    matched: int
    removed: int
    missing: int


def read_package(path: Path) -> tuple[dict[int, PackageModel], list[PackageNote]]:
    """Read the note types and notes of an .apkg (raise StampsError if it is not one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = next((n for n in _COLLECTIONS if n in names), None)
            if member is None:
                raise StampsError(f"{path}: not an Anki package (no collection inside)")
            info = archive.getinfo(member)
            if info.file_size > MAX_COLLECTION:
                raise StampsError(f"{path}: the collection inside is too large to read")
            data = archive.read(member)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise StampsError(f"{path}: cannot read the package ({error})") from None
    if member.endswith("anki21b"):
        data = _unzstd(path, data)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "collection.sqlite"
        copy.write_bytes(data)
        try:
            connection = sqlite3.connect(copy)
            try:
                return _read_collection(connection)
            finally:
                connection.close()
        except (sqlite3.Error, ValueError, KeyError, TypeError) as error:
            raise StampsError(f"{path}: cannot read the collection inside ({error})") from None


def _unzstd(path: Path, data: bytes) -> bytes:
    import zstandard

    try:
        return zstandard.ZstdDecompressor().decompress(data, max_output_size=MAX_COLLECTION)
    except zstandard.ZstdError as error:
        raise StampsError(f"{path}: cannot decompress the collection inside ({error})") from None


def _read_collection(connection: sqlite3.Connection) -> tuple[dict[int, PackageModel], list[PackageNote]]:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    models = _models_v18(connection) if "notetypes" in tables else _models_legacy(connection)
    notes = []
    for note_id, guid, mid, mod, tags, flds in connection.execute("SELECT id, guid, mid, mod, tags, flds FROM notes"):
        model = models.get(int(mid))
        if model is None:
            raise ValueError(f"note {note_id} has an unknown note type {mid}")
        values = str(flds).split("\x1f")
        fields = dict(zip(model.fields, values, strict=False))
        notes.append(PackageNote(str(guid), int(mid), int(mod), int(note_id), fields, tuple(str(tags).split())))
    return models, notes


def _models_legacy(connection: sqlite3.Connection) -> dict[int, PackageModel]:
    (text,) = connection.execute("SELECT models FROM col").fetchone()
    models: dict[str, Any] = json.loads(text)
    return {
        int(m["id"]): PackageModel(
            int(m["id"]),
            str(m["name"]),
            int(m["mod"]),
            tuple(str(f["name"]) for f in sorted(m["flds"], key=lambda f: f["ord"])),
            tuple((str(t["name"]), str(t["qfmt"]), str(t["afmt"])) for t in sorted(m["tmpls"], key=lambda t: t["ord"])),
            str(m.get("css", "")),
            int(m.get("type", 0)) == 1,
        )
        for m in models.values()
    }


def _models_v18(connection: sqlite3.Connection) -> dict[int, PackageModel]:
    """Read note types from the newer schema, whose templates sit in protobuf blobs (their names suffice here)."""
    fields: dict[int, list[str]] = {}
    for ntid, name in connection.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    templates: dict[int, list[tuple[str, str, str]]] = {}
    for ntid, name in connection.execute("SELECT ntid, name FROM templates ORDER BY ntid, ord"):
        templates.setdefault(int(ntid), []).append((str(name), "", ""))
    out = {}
    for ntid, name, mtime in connection.execute("SELECT id, name, mtime_secs FROM notetypes"):
        out[int(ntid)] = PackageModel(
            int(ntid), str(name), int(mtime), tuple(fields.get(ntid, ())), tuple(templates.get(ntid, ())), "", False
        )
    return out


def recover_stamps(kb: KnowledgeBase, package: Path) -> Recovered:
    """Rebuild the stamps of this course from one of its published packages."""
    models, notes = read_package(package)
    kinds: dict[int, Kind] = {model_id(kb, kind): kind for kind in KINDS}
    now = clock()
    recovered: dict[str, NoteStamp] = {}
    foreign = 0
    guids: set[str] = set()
    for note in notes:
        source_id = note.fields.get("Id", "")
        # By the GUID, which derives from the course, the kind and the id: a note type whose id changed since
        # (new fields) still yields its notes, whose changed type then restamps them at the next build.
        kind = next(
            (k for k in _kinds_first(kinds.get(note.model_id)) if note.guid == note_guid(kb, k, source_id)), None
        )
        if kind is None:
            foreign += 1
            continue
        key = f"{kind}:{source_id}"
        mod = min(note.mod, now)
        added = min(max(note.note_id // 1000, 0), mod)
        recovered[key] = NoteStamp(note_hash(note.model_id, note.fields, note.tags), mod, added)
        guids.add(note.guid)
    if not recovered:
        raise StampsError(
            f"{package} holds no note of this course (deck id {kb.meta.anki.deck}): it is another course's package"
        )
    _refuse_other_course(kb, package, [n.tags for n in notes if n.guid in guids])
    note_types: dict[str, NoteTypeStamp] = {}
    for kind, mid in ((k, model_id(kb, k)) for k in KINDS):
        model = models.get(mid)
        if model is None:
            continue
        schema = {"fields": list(model.fields), "templates": [t[0] for t in model.templates], "cloze": model.cloze}
        if not model.css:  # anki21b: the template text is not at hand; an unknown hash restamps the note type only
            schema["cloze"] = kind == "cloze"
        note_types[kind] = NoteTypeStamp(mid, schema, _model_digest(model, note_type_name(kb, kind), schema), model.mod)
    current = _current_keys(kb)
    removed = {
        key: RemovedNote(note_guid(kb, *_split(key)), s.mod) for key, s in recovered.items() if key not in current
    }
    notes_now = {key: s for key, s in recovered.items() if key in current}
    stamps = Stamps(Course(kb.meta.anki.deck, kb.meta.id), note_types, notes_now, removed)
    parse_stamps(json.loads(dump_stamps(stamps)), now)  # the same checks a build applies: never write a bad file
    return Recovered(stamps, len(notes_now), len(removed), len(current - set(notes_now)))


def _refuse_other_course(kb: KnowledgeBase, package: Path, tags: list[tuple[str, ...]]) -> None:
    """Refuse a package of another course that shares this one's deck id (a copy that kept it): its tags say so.

    GUIDs derive from the deck id alone, so they match; the tags carry the course's tag root (meta.id).
    """
    root = tag_root(kb)
    roots = sorted({tag.partition("::")[0] for note_tags in tags for tag in note_tags if "::" in tag})
    if not roots or root in roots:
        return
    theirs = Course(kb.meta.anki.deck, roots[0])
    raise StampsError(foreign_course(str(package), theirs, Course(kb.meta.anki.deck, root)))


def _kinds_first(kind: Kind | None) -> list[Kind]:
    """Return every kind, the likely one (from the note type's id) first."""
    return [kind, *(k for k in KINDS if k != kind)] if kind else list(KINDS)


def _split(key: str) -> tuple[Kind, str]:
    kind, _, source_id = key.partition(":")
    return kind, source_id  # type: ignore[return-value]  # keys come from this course's note types


def _current_keys(kb: KnowledgeBase) -> set[str]:
    from prepexport.deck.notes import collect_notes

    return {n.key for n in collect_notes(kb).notes}


def _model_digest(model: PackageModel, name: str, schema: dict[str, Any]) -> str:
    """Hash a packaged note type as NoteType.digest does, so an unchanged one keeps its mod time."""
    if not model.css:
        return "0" * 16
    content = {"name": name, "schema": schema, "templates": [list(t) for t in model.templates], "css": model.css}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
