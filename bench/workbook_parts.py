"""Measure the two workbook shortcuts: shared checkbox appearances and the on-disk formula cache.

Run: .venv/test/bin/python bench/workbook_parts.py  (prints Markdown tables for docs/workbook.md)

Each workbook build runs in a fresh process, as a user's build does, so the process-wide caches start empty.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from prepexport.workbook import flowables, fonts

ROOT = Path(__file__).parents[1]
RUNS = 3
BOXES = 1500  # about the number of boxes in the default 8-week workbook

BUILD = """
import sys
from pathlib import Path
from prepexport.load import load_file
from prepexport.workbook import build_workbook
kb = load_file(Path(sys.argv[1])).kb
roadmap = next(r for r in kb.roadmaps if len(r.weeks) == 4)
build_workbook(kb, roadmap, Path(sys.argv[2]), paper="a4", start=None)
"""


def boxes(shared: bool) -> float:
    """Return the seconds to add BOXES fillable checkboxes to one page, with or without shared appearances."""
    fonts.register()
    canvas = Canvas(os.devnull)
    started = time.perf_counter()
    for n in range(BOXES):
        canvas.saveState()
        canvas.translate(20 + (n % 40) * 13, 20 + (n // 40) * 13)
        if shared:
            flowables.checkbox(canvas, f"box-{n}", "done", flowables.BOX_SIZE)
        else:
            canvas.acroForm.checkbox(
                name=f"box-{n}", tooltip="done", x=0, y=0, size=flowables.BOX_SIZE, relative=True,
                buttonStyle="check", borderStyle="solid", borderWidth=0.8, forceBorder=True, fieldFlags="",
            )  # fmt: skip
        canvas.restoreState()
    return time.perf_counter() - started


def build(out: Path, cache: str) -> float:
    """Return the wall seconds of building the 4-week workbook in a fresh process with this cache setting."""
    env = {**os.environ, "PREPEXPORT_CACHE_DIR": cache, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    source = str(ROOT / "source" / "knowledge.yaml")
    subprocess.run([sys.executable, "-c", BUILD, source, str(out)], check=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    """Print the tables."""
    rows = [("reportlab's `acroForm.checkbox`", boxes(False)), ("shared appearances", boxes(True))]
    print(f"| {BOXES} checkboxes | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = str(folder / "cache")
        timings: dict[str, list[float]] = {"no cache": [], "cold cache": [], "warm cache": []}
        outputs: list[bytes] = []
        for run in range(RUNS):
            for name, setting in (
                ("no cache", "off"),
                ("cold cache", f"{cache}-{run}"),
                ("warm cache", f"{cache}-{run}"),
            ):
                out = folder / f"{run}-{name.replace(' ', '-')}.pdf"
                timings[name].append(build(out, setting))
                outputs.append(out.read_bytes())
        print("\n| 4-week workbook, A4, fresh process | median seconds |\n|---|---|")
        for name, samples in timings.items():
            print(f"| {name} | {statistics.median(samples):.2f} |")
        print(f"\nbyte-identical across all {len(outputs)} builds: {len(set(outputs)) == 1}")


if __name__ == "__main__":
    main()
