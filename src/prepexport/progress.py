"""Progress of a build on a terminal: what it is doing and how far, shown only once it takes a while.

The status line is drawn on a terminal only (never into a pipe or a log file), after a short delay so quick
builds print nothing extra, and it is erased before anything else is printed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TextIO

#: Seconds before the status line appears: a build faster than this shows only its summary.
DELAY = 1.0
_REFRESH = 0.25


class Progress:
    """The phases a build goes through and the items it has done; a silent one just keeps the times."""

    def __init__(self, stream: TextIO | None = None, *, delay: float = DELAY) -> None:
        self._stream = stream if stream is not None and _is_terminal(stream) else None
        self._delay = delay
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._phases: dict[str, str] = {}  # phase -> its current detail, in the order they started
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._shown = False

    @property
    def visible(self) -> bool:
        """Tell whether a status line may be drawn (the stream is a terminal)."""
        return self._stream is not None

    def start(self) -> None:
        """Start drawing the status line after the delay (nothing happens on a silent one)."""
        if self._stream is None or self._ticker is not None:
            return
        self._started = time.monotonic()
        self._ticker = threading.Thread(target=self._tick, name="prepexport-progress", daemon=True)
        self._ticker.start()

    def update(self, phase: str, detail: str = "") -> None:
        """Say what a phase is doing, e.g. update("workbooks", "1 of 2 done")."""
        with self._lock:
            self._phases[phase] = detail

    def finish(self, phase: str) -> None:
        """Mark a phase done."""
        with self._lock:
            self._phases.pop(phase, None)

    @contextlib.contextmanager
    def phase(self, phase: str, detail: str = "") -> Iterator[None]:
        """Show a phase while the block runs."""
        self.update(phase, detail)
        try:
            yield
        finally:
            self.finish(phase)

    def close(self) -> None:
        """Stop drawing and erase the status line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
            self._erase()

    def line(self) -> str:
        """Return the status line's text."""
        with self._lock:
            parts = [f"{name} ({detail})" if detail else name for name, detail in self._phases.items()]
        elapsed = time.monotonic() - self._started
        return f"building: {', '.join(parts) or 'finishing'} · {elapsed:.0f} s"

    def _tick(self) -> None:
        if self._stop.wait(self._delay):
            return
        while not self._stop.is_set():
            text = self.line()
            with self._lock:
                assert self._stream is not None
                self._stream.write("\r\x1b[K" + text)
                self._stream.flush()
                self._shown = True
            self._stop.wait(_REFRESH)

    def _erase(self) -> None:
        if self._shown and self._stream is not None:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def human_size(size: int) -> str:
    """Format a file size, e.g. 412 KB or 1.2 MB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def counted(number: int, noun: str) -> str:
    """Format a count of an English noun for the command line, e.g. 1 note or 524 notes."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
