"""The benchmark's synthetic courses stay valid, so the measured numbers are about real courses."""

from __future__ import annotations

import sys
from pathlib import Path

from prepexport.deck.notes import collect_notes
from prepexport.load import load_bytes

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

import synthetic


def test_synthetic_course_loads_cleanly_with_the_counted_notes(tmp_path: Path) -> None:
    text = synthetic.course(700)
    loaded = load_bytes(text.encode(), "synthetic.yaml", root=tmp_path)
    assert loaded.warnings == []
    notes = collect_notes(loaded.kb).notes
    assert len(notes) == synthetic.note_count(text)
    assert 650 <= len(notes) <= 750
    assert {n.kind for n in notes} == {"basic", "reversible", "cloze", "formula", "drill", "misconception"}
