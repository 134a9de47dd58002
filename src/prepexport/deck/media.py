"""Images referenced by cards, named by their content."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

#: The most characters of an image's own name and extension kept in its media name.
MAX_STEM, MAX_SUFFIX = 80, 8


@dataclass(frozen=True)
class MediaFile:
    """One image to pack: the name cards refer to and its bytes."""

    name: str
    data: bytes


@dataclass
class MediaCollector:
    """Collect the images cards use; the loader has checked that each exists inside the source folder."""

    root: Path
    files: dict[str, MediaFile] = field(default_factory=dict)

    def image_html(self, path: str, alt: str = "") -> str:
        """Return the <img> tag for an image (empty if none), with its alt text, packing the file."""
        if not path:
            return ""
        data = (self.root / path).read_bytes()
        media = MediaFile(media_name(Path(path), data), data)
        self.files[media.name] = media
        return f'<img src="{html.escape(media.name)}" alt="{html.escape(alt)}">'


def media_name(path: Path, data: bytes) -> str:
    """Name a file by its stem and content hash: a changed image changes the field, so the note updates.

    Anki copies media only for notes it adds or updates, and never replaces a file of the same name in place;
    a content-derived name makes an edited image travel with its note. A leading underscore is avoided because
    Anki reserves it for files used by templates.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")
    # Cut short, so the name with its hash fits the file-name limit of every system Anki runs on.
    stem = stem[:MAX_STEM].rstrip("-._") or "image"
    suffix = re.sub(r"[^a-z0-9]+", "", path.suffix.lower())[:MAX_SUFFIX]
    digest = hashlib.sha1(data).hexdigest()[:12]
    return f"{stem}-{digest}.{suffix}" if suffix else f"{stem}-{digest}"
