"""Write an .apkg byte for byte the same from the same input: an SQLite collection plus media, zipped."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from prepexport.deck.media import MediaFile

# Zip entries carry a date; a fixed one (the earliest zip allows) keeps builds byte-identical.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DeckRow:
    """A deck of the package: Anki matches decks by name; the id matters only inside the package."""

    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Preset:
    """The deck options the deck comes with: the daily limits that finish every plan on time.

    Anki applies it only when the user ticks "Import deck presets"; otherwise the deck uses Default, and the
    README says which numbers to set. A user's later changes to it survive re-imports, because its mod time (0)
    is never newer.
    """

    id: int
    name: str
    new_per_day: int
    reviews_per_day: int


@dataclass(frozen=True)
class CardRow:
    """A new card: its note's template ordinal, deck and position among new cards."""

    id: int
    ord: int
    deck_id: int
    due: int


@dataclass(frozen=True)
class NoteRow:
    """A note as stored in the collection."""

    id: int
    guid: str
    model_id: int
    mod: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]
    cards: tuple[CardRow, ...]


def package_bytes(
    preset: Preset,
    decks: Sequence[DeckRow],
    models: Sequence[dict[str, Any]],
    notes: Sequence[NoteRow],
    media: Sequence[MediaFile],
) -> bytes:
    """Return the .apkg for these decks, note types, notes and media files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, tempfile.TemporaryDirectory() as folder:
        collection = Path(folder) / "collection.anki2"
        _collection(collection, preset, decks, models, notes)
        # Compressed straight from the file: a large course's collection never sits in memory whole.
        with (
            collection.open("rb") as source,
            archive.open(_info("collection.anki2", collection.stat().st_size), "w") as out,
        ):
            shutil.copyfileobj(source, out, 1 << 20)
        _add(archive, "media", json.dumps({str(i): m.name for i, m in enumerate(media)}).encode())
        for index, item in enumerate(media):
            _add(archive, str(index), item.data)
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(_info(name, len(data)), data)


def _info(name: str, size: int) -> zipfile.ZipInfo:
    """Return a zip entry's header: fixed date and platform, so builds are byte-identical."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # the platform writing the zip is recorded too; fix it
    info.external_attr = 0o644 << 16
    info.file_size = size  # known before writing, as writestr knows it, so the headers come out the same
    return info


def _collection(
    path: Path, preset: Preset, decks: Sequence[DeckRow], models: Sequence[dict[str, Any]], notes: Sequence[NoteRow]
) -> None:
    """Write an Anki 2 (schema 11) collection file, the format every current Anki imports."""
    connection = sqlite3.connect(path)
    try:
        # A scratch file, compressed into the package once written: waiting for the disk after every statement
        # buys nothing.
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(APKG_SCHEMA)
        connection.executescript(APKG_COL)
        decks_before, options_before = connection.execute("SELECT decks, dconf FROM col").fetchone()
        deck_json = json.loads(decks_before) | {str(d.id): _deck_json(d, preset.id) for d in decks}
        options = json.loads(options_before)
        # Start from the package's default options; change the daily limits, and gather new cards by
        # position across subdecks too (cards a learner keeps in the area subdecks of an older version).
        # Burying stays off, as in Anki's own defaults (genanki's turn it on): a buried sibling (the reverse of
        # a term, a second deletion) would come back only after the next week's first cards, and fall behind.
        default = options["1"]
        options[str(preset.id)] = default | {
            "id": preset.id,
            "name": preset.name,
            "mod": 0,
            "usn": -1,
            "newGatherPriority": 1,
            "buryInterdayLearning": False,
            "new": default["new"] | {"perDay": preset.new_per_day, "bury": False},
            "rev": default["rev"] | {"perDay": preset.reviews_per_day, "bury": False},
        }
        model_json = {str(m["id"]): m for m in models}
        connection.execute(
            "UPDATE col SET decks = ?, dconf = ?, models = ?",
            (json.dumps(deck_json), json.dumps(options), json.dumps(model_json, sort_keys=True)),
        )
        for note in notes:
            connection.execute(
                "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    note.id,
                    note.guid,
                    note.model_id,
                    note.mod,
                    -1,
                    f" {' '.join(note.tags)} ",
                    "\x1f".join(note.fields),
                    note.fields[0],
                    0,  # checksum: Anki recomputes it on import
                    0,
                    "",
                ),
            )
            for card in note.cards:
                connection.execute(
                    "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (card.id, note.id, card.deck_id, card.ord, note.mod, -1, 0, 0, card.due) + (0,) * 8 + ("",),
                )
        connection.commit()
    finally:
        connection.close()


def _deck_json(deck: DeckRow, preset_id: int) -> dict[str, Any]:
    """Return a deck in the collection's legacy JSON form."""
    return {
        "collapsed": False,
        "conf": preset_id,
        "desc": deck.description,
        "dyn": 0,
        "extendNew": 0,
        "extendRev": 0,
        "id": deck.id,
        "lrnToday": [0, 0],
        "mod": 0,
        "name": deck.name,
        "newToday": [0, 0],
        "revToday": [0, 0],
        "timeToday": [0, 0],
        "usn": -1,
    }
