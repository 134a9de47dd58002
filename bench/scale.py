"""Measure how `check` and the deck grow with the course, against floors measured side by side.

Run: PYTHONPATH=src python bench/scale.py [NOTES ...]   (prints the Markdown table of docs/performance.md)

Every measurement runs in a fresh process, so its peak memory (ru_maxrss) is its own. Times are CPU seconds of
the work itself, after imports, best of a few runs (CPU time, because the machine is shared: wall time also
counts other people's work). The floor is what any tool must pay for
the same course: libyaml reading the same YAML file plus raw genanki writing as many notes of similar text.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import synthetic

ROOT = Path(__file__).parents[1]
SIZES = (500, 2_000, 5_000, 10_000, 20_000, 50_000)


def _floor(source: Path) -> None:
    """Read the YAML with libyaml, then write as many notes with raw genanki: the least any tool must do."""
    import genanki
    import yaml

    data = yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    notes = sum(len(t.get("cards", ())) for t in data["topics"])
    notes += len(data["formulas"]) + len(data["drills"]) + len(data["misconceptions"])
    model = genanki.Model(
        1900000000101,
        "Floor",
        fields=[{"name": n} for n in ("Question", "Answer", "Extra", "Area", "Topic", "Weeks", "Id")],
        templates=[{"name": "Card", "qfmt": "{{Question}}", "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"}],
    )
    deck = genanki.Deck(1900000000001, "Floor")
    for i in range(notes):
        fields = [
            f"Why does topic {i} divide the scores by \\(\\sqrt{{d_k}}\\)?",
            f"So the dot products of topic {i} stay small and <b>softmax</b> does not saturate.",
            "A <code>float16</code> overflow is the usual symptom.",
            "Area 1",
            f"Topic number {i}",
            "4-week plan: week 1 · 8-week plan: week 2",
            f"card-{i}",
        ]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for(i)))
    with tempfile.TemporaryDirectory() as folder:
        genanki.Package(deck).write_to_file(Path(folder) / "floor.apkg")


def _check(source: Path) -> None:
    """Load and validate, as `prepexport check` does."""
    from prepexport.load import load_file

    load_file(source)


def _deck(source: Path) -> None:
    """Load, validate and write the deck, as `prepexport build --only deck` does (first build: no stamps yet)."""
    from prepexport.build import BuildOptions, build
    from prepexport.load import load_file

    with tempfile.TemporaryDirectory() as folder:
        options = BuildOptions(stamps=Path(folder) / "stamps.json", weeks=(), preview=False)
        build(load_file(source).kb, Path(folder), options)


PHASES = {"floor": _floor, "check": _check, "deck": _deck}


def _measure_here(phase: str, source: Path) -> None:
    """Run one phase in this process and print its wall time and the process's peak memory as JSON."""
    import genanki  # noqa: F401  (imports are not part of the measured work)
    import yaml  # noqa: F401

    import prepexport.build
    import prepexport.deck
    import prepexport.load  # noqa: F401

    started = time.process_time()
    PHASES[phase](source)
    seconds = time.process_time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def measure(phase: str, source: Path, runs: int) -> tuple[float, float]:
    """Return the best CPU time and the largest peak memory of `runs` fresh processes running the phase."""
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--one", phase, str(source)], check=True, capture_output=True, text=True
        )
        results.append(json.loads(done.stdout))
    return min(r["seconds"] for r in results), max(r["peak_mb"] for r in results)


def main(sizes: list[int]) -> None:
    """Print one table row per course size, then the growth exponents between the two largest sizes."""
    rows: list[tuple[int, dict[str, tuple[float, float]]]] = []
    print("| notes | `check` | deck (load + write) | floor | deck / floor | peak MB: deck / floor |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            source = Path(folder) / f"course-{size}.yaml"
            text = synthetic.course(size)
            source.write_text(text, encoding="utf-8")
            runs = 3 if size <= 10_000 else 1
            got = {phase: measure(phase, source, runs) for phase in PHASES}
            rows.append((synthetic.note_count(text), got))
            (check, _), (deck, deck_mb), (floor, floor_mb) = got["check"], got["deck"], got["floor"]
            print(
                f"| {rows[-1][0]:,} | {check:.2f} s | {deck:.2f} s | {floor:.2f} s | {deck / floor:.2f}x "
                f"| {deck_mb:.0f} / {floor_mb:.0f} |",
                flush=True,
            )
    if len(rows) >= 2:
        (n1, a), (n2, b) = rows[-2], rows[-1]
        exponents = ", ".join(
            f"{phase} {math.log(b[phase][0] / a[phase][0]) / math.log(n2 / n1):.2f}" for phase in PHASES
        )
        print(f"\nGrowth exponent from {n1:,} to {n2:,} notes (1.0 is linear): {exponents}")
    print(f"\nPython {sys.version.split()[0]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        _measure_here(sys.argv[2], Path(sys.argv[3]))
    else:
        main([int(a) for a in sys.argv[1:]] or list(SIZES))
