"""Measure how long checking and building the default course takes, per phase.

Run: .venv/test/bin/python bench/build_speed.py  (prints a Markdown table for docs/performance.md)
"""

from __future__ import annotations

import functools
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from prepexport.deck import build_deck
from prepexport.load import load_file
from prepexport.workbook import build_workbook

ROOT = Path(__file__).parents[1]
RUNS = 3


def median_seconds(action: Callable[[], object]) -> float:
    """Return the median wall time of running the action RUNS times."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = Path(shutil.copy(ROOT / "source" / "knowledge.yaml", folder / "knowledge.yaml"))
        kb = load_file(source).kb
        out = folder / "out"
        out.mkdir()
        rows = [("load and validate (`check`)", median_seconds(lambda: load_file(source)))]
        rows.append(
            ("Anki deck", median_seconds(lambda: build_deck(kb, out, stamps_path=folder / "knowledge.stamps.json")))
        )
        for roadmap in kb.roadmaps:
            weeks = len(roadmap.weeks)
            target = out / f"{weeks}.pdf"
            seconds = median_seconds(functools.partial(build_workbook, kb, roadmap, target, paper="a4", start=None))
            rows.append((f"{weeks}-week workbook", seconds))
    cards = sum(len(t.cards) for t in kb.topics)
    print(f"Default course: {len(kb.topics)} topics, {cards} topic cards, {len(kb.formulas)} formulas.\n")
    print(f"| phase | median of {RUNS} |")
    print("|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} s |")
    print(f"| total `build` | {sum(s for _, s in rows):.2f} s |")


if __name__ == "__main__":
    main()
