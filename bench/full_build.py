"""Measure `prepexport build` of a course end to end (wall clock) against its floor, plus `check` and the deck.

Run: PYTHONPATH=src python bench/full_build.py [SOURCE]   (default: source/knowledge.yaml; prints Markdown)

Each command runs as a user runs it: a fresh `python -m prepexport` process, timed from start to exit (wall
clock, and CPU time including its worker processes: on a shared machine only the CPU time is steady). The
formula cache starts empty for the first (cold) build and is reused by the next ones (warm). The floor is what
any tool must pay for the same course, in one process: libyaml reading the file, raw genanki writing as many
notes, and reportlab laying out as many pages of plain paragraphs as the workbooks have (run as a script, so
it pays interpreter start-up like the commands do).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
RUNS = 3

_FLOOR = r"""
import sys, time, tempfile
from pathlib import Path
import genanki, yaml
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

source, notes, pages = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
model = genanki.Model(1900000000101, "Floor", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(1900000000001, "Floor")
for i in range(notes):
    deck.add_note(genanki.Note(model=model, fields=[f"Question {i} about attention?", f"Answer {i}."],
                               guid=genanki.guid_for(i)))
with tempfile.TemporaryDirectory() as folder:
    genanki.Package(deck).write_to_file(Path(folder) / "floor.apkg")
    style = getSampleStyleSheet()["BodyText"]
    text = " ".join(["Each query scores every key and the weights average the values."] * 6)
    story = []
    for page in range(pages):
        story += [Paragraph(f"{page}: {text}", style) for _ in range(9)] + [PageBreak()]
    SimpleDocTemplate(str(Path(folder) / "floor.pdf"), pagesize=A4).build(story)
print(time.perf_counter() - started)
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return its wall time, its CPU time (its worker processes' included) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode:  # say why, not only that it failed: the output is captured
        sys.exit(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    """Print the table."""
    given = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "source" / "knowledge.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = Path(shutil.copy(given, folder / given.name))
        stamps = given.with_name(f"{given.stem}.stamps.json")
        if stamps.exists():
            shutil.copy(stamps, folder / stamps.name)
        env = dict(os.environ, PREPEXPORT_CACHE_DIR=str(folder / "cache"))
        cli = [sys.executable, "-m", "prepexport"]
        check = min(timed([*cli, "check", str(source)], env)[:2] for _ in range(RUNS))
        only_deck = [*cli, "build", str(source), "--out", str(folder / "d"), "--only", "deck"]
        deck = min(timed(only_deck, env)[:2] for _ in range(RUNS))
        builds = [timed([*cli, "build", str(source), "--out", str(folder / "out")], env) for _ in range(RUNS)]
        cold = builds[0][:2]
        warm = min(b[:2] for b in builds[1:])
        output = builds[0][2]
        notes = int(re.search(r"\.apkg: (\d+) notes", output).group(1))  # type: ignore[union-attr]
        pages = sum(int(n) for n in re.findall(r"\.pdf: (\d+) pages", output))
        floor_run = [sys.executable, "-c", _FLOOR, str(source), str(notes), str(pages)]
        floor = min(timed(floor_run, env)[:2] for _ in range(RUNS))
    print(f"{given.name}: {notes} notes, workbooks of {pages} pages in all; {os.cpu_count()} cores\n")
    print("| what | wall clock | vs floor | CPU | vs floor |")
    print("|---|---:|---:|---:|---:|")
    rows = [
        ("`prepexport check`", check),
        ("`prepexport build --only deck`", deck),
        ("`prepexport build`, formula cache empty", cold),
        ("`prepexport build`, formula cache filled", warm),
        (f"floor: libyaml + genanki ({notes} notes) + reportlab ({pages} plain pages)", floor),
    ]
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} s | {wall / floor[0]:.1f}x | {cpu:.2f} s | {cpu / floor[1]:.1f}x |")


if __name__ == "__main__":
    main()
