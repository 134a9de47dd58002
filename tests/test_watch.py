"""`prepexport watch` end to end: a real process watching a real file, edited, broken and stopped."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prepexport.build import BuildOptions, stamps_path
from prepexport.watch import Watcher

EXAMPLE = Path(__file__).parents[1] / "docs" / "example.yaml"
STEP_TIMEOUT = 60  # seconds one rebuild may take on a busy machine


class Watching:
    """A running `prepexport watch` and the lines it has printed (stdout and stderr together)."""

    def __init__(self, source: Path, out: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1] / "src"), env.get("PYTHONPATH", "")])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prepexport", "watch", str(source), "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> list[str]:
        """Return the lines printed up to and including the first one containing `text`."""
        deadline = time.monotonic() + STEP_TIMEOUT
        got: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, f"watch exited early: {self.seen + got}"
                continue
            got.append(line)
            if text in line:
                self.seen += got
                return got
        raise AssertionError(f"no line with {text!r} within {STEP_TIMEOUT} s: {self.seen + got}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return self.process.returncode


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[tuple[Watching, Path, Path]]:
    folder = tmp_path / "course"
    folder.mkdir()
    source = Path(shutil.copy(EXAMPLE, folder / "course.yaml"))
    out = tmp_path / "out"
    process = Watching(source, out)
    try:
        yield process, source, out
    finally:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()
        process.reader.join(timeout=10)  # the process is gone: the reader meets the end of its output
        assert process.process.stdout is not None
        process.process.stdout.close()


def edit(source: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_watch_rebuilds_what_changed_reports_errors_and_stops(watching: tuple[Watching, Path, Path]) -> None:
    process, source, out = watching
    first = process.wait_for("watching ")
    assert any(line.startswith("rebuilt deck, card preview, 1-week workbook in ") for line in first)
    deck, preview = out / "attention-mini.apkg", out / "attention-mini-preview.html"
    workbook = out / "attention-mini-1-weeks.pdf"
    pdf_before, deck_before = workbook.read_bytes(), deck.read_bytes()

    # A fourth card of a topic: the workbook quotes only the first three, so only the deck and preview change.
    meaning = "        meaning: The vector that asks which other tokens are relevant to the current one.\n"
    edit(
        source,
        meaning,
        meaning + "      - id: attention-softmax-rows\n"
        "        question: Along which axis does softmax normalise the scores?\n"
        "        answer: Along each query's row of keys.\n",
    )
    lines = process.wait_for("rebuilt ")
    assert lines[-1].startswith("rebuilt deck, card preview in ")
    assert "Along which axis does softmax normalise the scores?" in preview.read_text(encoding="utf-8")
    assert deck.read_bytes() != deck_before
    assert workbook.read_bytes() == pdf_before

    # A framework is printed only in the workbook.
    edit(source, "Five steps that move a design", "Five steps that carry a design")
    lines = process.wait_for("rebuilt ")
    assert lines[-1].startswith("rebuilt 1-week workbook in ")

    # A broken source: the error with its line and column, and every output as it was.
    outputs = {p: p.read_bytes() for p in (deck, preview, workbook)}
    edit(source, "    tier: 1\n", "    tier: 9\n")
    lines = process.wait_for("not rebuilt")
    assert any(":28:11: topics[0].tier: must be between 1 and 3, not 9" in line for line in lines)
    assert {p: p.read_bytes() for p in outputs} == outputs
    assert process.process.poll() is None

    # Fixed again: watching goes on.
    edit(source, "    tier: 9\n", "    tier: 2\n")
    process.wait_for("rebuilt ")

    assert process.stop() == 0
    assert "stopped watching" in "\n".join(process.seen + list(process.lines.queue))
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def rebuild_in_process(source: Path, out: Path) -> tuple[Watcher, list[str]]:
    """A watcher of `source` that is not listening to the file system: each `rebuild()` is one save."""
    printed: list[str] = []
    watcher = Watcher(
        source,
        out,
        lambda kb: BuildOptions(stamps=stamps_path(source), now=1_700_000_000),
        lambda text, error: printed.append(text),
    )
    return watcher, printed


def test_a_new_week_focus_rebuilds_the_preview_whose_headings_show_it(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watcher, printed = rebuild_in_process(source, out)
    assert watcher.rebuild()
    edit(source, "- focus: Attention and citations", "- focus: Attention, then citations")
    printed.clear()
    assert watcher.rebuild()
    assert printed[-1].startswith("rebuilt card preview, 1-week workbook in ")
    assert "Week 1: Attention, then citations" in (out / "attention-mini-preview.html").read_text(encoding="utf-8")


def test_the_search_for_removed_notes_is_said_once_until_it_changes(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    watcher, printed = rebuild_in_process(source, out)
    assert watcher.rebuild()
    edit(source, "- id: attention-dk-64\n", "- id: attention-dk\n")  # a renamed id: its old note is removed
    printed.clear()
    assert watcher.rebuild()
    searches = [line for line in printed if "Anki finds them with:" in line]
    assert len(searches) == 1 and "attention-dk-64" in searches[0]
    edit(source, "gradients keep flowing.", "gradients keep flowing in training.")  # an edit, nothing removed
    printed.clear()
    assert watcher.rebuild()
    assert printed[-1].startswith("rebuilt ") and "deck" in printed[-1]
    assert not [line for line in printed if "Anki finds them with:" in line]
    edit(source, "- id: attention-dk\n", "- id: attention-dk-d\n")  # one more removed: the search changes
    printed.clear()
    assert watcher.rebuild()
    assert [line for line in printed if "Anki finds them with:" in line] != searches
    assert [line for line in printed if "(also written to" in line]  # the search comes with where it is written
