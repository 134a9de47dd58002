"""Images referenced by cards: checked against the source folder and named by their content."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from prepexport.deck.errors import MediaError


@dataclass(frozen=True)
class MediaFile:
    """One image to pack: the name cards refer to and its bytes."""

    name: str
    data: bytes


@dataclass
class MediaCollector:
    """Collect the images of every card, and every problem with them, to report all at once."""

    root: Path
    files: dict[str, MediaFile] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def image_html(self, card_id: str, path: str) -> str:
        """Return the <img> tag for a card's image (empty if none), packing the file."""
        if not path:
            return ""
        media = self._load(card_id, path)
        if media is None:
            return ""
        self.files[media.name] = media
        return f'<img src="{html.escape(media.name)}" alt="">'

    def check(self) -> None:
        """Raise MediaError listing every missing or out-of-tree image."""
        if self.problems:
            raise MediaError(self.problems)

    def _load(self, card_id: str, path: str) -> MediaFile | None:
        """Read one image, or record why it cannot be used."""
        root = self.root.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            self.problems.append(f"card {card_id}: image {path!r} is outside the source folder {self.root}")
            return None
        if not target.is_file():
            self.problems.append(f"card {card_id}: image {path!r} not found (looked for {target})")
            return None
        data = target.read_bytes()
        return MediaFile(media_name(Path(path), data), data)


def media_name(path: Path, data: bytes) -> str:
    """Name a file by its stem and content hash: a changed image changes the field, so the note updates.

    Anki copies media only for notes it adds or updates, and never replaces a file of the same name in place;
    a content-derived name makes an edited image travel with its note. A leading underscore is avoided because
    Anki reserves it for files used by templates.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._") or "image"
    digest = hashlib.sha1(data).hexdigest()[:12]
    return f"{stem}-{digest}{path.suffix.lower()}"
