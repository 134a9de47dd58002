"""The one way outputs are written: into temporary siblings, then renamed over their targets.

A single file is replaced in one atomic step (`replacing`, `write_atomically`). A build's several files (deck,
workbooks, stamps) go through a `Staging`: each is written to its temporary sibling, and only when every one is
complete are they all renamed into place, so a failure at any point leaves every previous file as it was.
Temporary names carry the writing process's id, so a later build can tell the leftovers of a killed one.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")

#: Longest file name, in bytes, on the file systems outputs go to (ext4, APFS, NTFS and most others).
MAX_NAME = 255
#: What a temporary sibling adds to a name: a dot before it, and `.<pid>-<8 hex digits>.tmp` after it (a
#: Linux process id has at most 7 digits).
TEMP_EXTRA = len("." + ".4194304-01234567.tmp")


def _temp_beside(path: Path) -> Path:
    """Return a new temporary path beside `path`, named after it and this process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return temp
        except FileExistsError:
            continue


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on any failure it is removed.

    The rename is atomic within one folder, so readers see the old file or the new one, never half of one.
    """
    temp = _temp_beside(path)
    try:
        yield temp
        os.chmod(temp, 0o644)  # outputs are meant to be shared
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write a file whole or not at all, flushed to disk (unless `sync` is off) before it replaces the old one."""
    with replacing(path) as temp:
        _write(temp, data, sync=sync)


def _write(temp: Path, data: bytes, *, sync: bool = True) -> None:
    with temp.open("wb") as out:
        out.write(data)
        out.flush()
        if sync:
            os.fsync(out.fileno())


class Staging:
    """Files of one build: written to temporary siblings, moved into place together by `commit`, or not at all."""

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}  # target -> its complete temporary file
        self._last: set[Path] = set()  # targets moved after all others (the stamps: they vouch for the rest)
        self._removals: list[Path] = []

    @contextlib.contextmanager
    def replacing(self, path: Path) -> Iterator[Path]:
        """Yield a temporary path to write `path` into; it moves into place at `commit`."""
        temp = _temp_beside(path)
        try:
            yield temp
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._stage(path, temp)

    def write(self, path: Path, data: bytes, *, last: bool = False) -> None:
        """Stage `data` as the new content of `path`; `last` moves it into place after every other file."""
        with self.replacing(path) as temp:
            _write(temp, data)
        if last:
            self._last.add(path)

    def remove(self, path: Path) -> None:
        """Delete `path` at `commit` (an output this build no longer makes)."""
        self._removals.append(path)

    def _stage(self, path: Path, temp: Path) -> None:
        earlier = self._staged.pop(path, None)
        if earlier is not None:
            earlier.unlink(missing_ok=True)
        self._staged[path] = temp

    def commit(self) -> None:
        """Move every staged file into place (those marked `last` at the end), then apply removals."""
        order = sorted(self._staged, key=lambda p: p in self._last)
        for path in order:
            temp = self._staged.pop(path)
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        for path in self._removals:
            path.unlink(missing_ok=True)
        self._removals.clear()
        self._last.clear()

    def abort(self) -> None:
        """Delete every staged temporary file; the targets stay as they were."""
        for temp in self._staged.values():
            temp.unlink(missing_ok=True)
        self._staged.clear()
        self._removals.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """Commit if the block succeeded, abort if anything (even an interrupt) escaped it."""
        if kind is None:
            self.commit()
        else:
            self.abort()


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files that builds killed before they finished left in a folder; return them."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and not _alive(int(match.group("pid"))) and entry.is_file():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    """Tell whether a process with this id runs (so its temporary files may still be in use)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a number we cannot check: leave its files alone
    return True
