"""Measure the workbook at several course sizes: time and peak memory against reportlab laying out as many pages.

Run: PYTHONPATH=src python bench/workbook_scale.py [NOTES ...]   (default 500 2000 5000; prints Markdown)

For each size a synthetic course (bench/synthetic.py) is written and its 4-week workbook built as a user builds
it (`prepexport build --only workbooks --weeks 4`, a fresh process, the formula cache filled by a first run);
the floor is reportlab laying out as many pages of plain paragraphs (a fresh process too). Times are wall clock
and CPU seconds from start to exit, best of two; peak memory is the largest resident size of the process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import synthetic

SIZES = (500, 2000, 5000)
RUNS = 2

_FLOOR = r"""
import sys
from pathlib import Path
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

pages = int(sys.argv[1])
style = getSampleStyleSheet()["BodyText"]
text = " ".join(["Each query scores every key and the weights average the values."] * 6)
story = []
for page in range(pages):
    story += [Paragraph(f"{page}: {text}", style) for _ in range(9)] + [PageBreak()]
SimpleDocTemplate(sys.argv[2], pagesize=A4).build(story)
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run a command in a fresh process; return wall seconds, CPU seconds, peak MB and its output."""
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)\n"
        "print(out)\n"
    )
    # A wrapper process per run, so the peak resident size is this command's alone.
    done = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True, env=env)
    first, _, output = done.stdout.partition("\n")
    wall, cpu, peak = (float(x) for x in first.split())
    return wall, cpu, peak, output


def main(sizes: list[int]) -> None:
    """Print one table row per course size."""
    print("| notes | pages | workbook wall / CPU | floor wall / CPU | wall vs floor | peak MB: workbook / floor |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ, PREPEXPORT_CACHE_DIR=str(folder / "cache"))
        for size in sizes:
            source = folder / f"course-{size}.yaml"
            text = synthetic.course(size)
            source.write_text(text, encoding="utf-8")
            build = [sys.executable, "-m", "prepexport", "build", str(source), "--out", str(folder / "out")]
            build += ["--only", "workbooks", "--weeks", "4"]
            run(build, env)  # fills the formula cache
            built = [run(build, env) for _ in range(RUNS)]
            pages = int(re.search(r"\.pdf: (\d+) pages", built[0][3]).group(1))  # type: ignore[union-attr]
            floor_run = [sys.executable, "-c", _FLOOR, str(pages), str(folder / "floor.pdf")]
            floors = [run(floor_run, env) for _ in range(RUNS)]
            wall, cpu = min(b[0] for b in built), min(b[1] for b in built)
            floor_wall, floor_cpu = min(f[0] for f in floors), min(f[1] for f in floors)
            peak, floor_peak = max(b[2] for b in built), max(f[2] for f in floors)
            print(
                f"| {synthetic.note_count(text):,} | {pages:,} | {wall:.1f} s / {cpu:.1f} s "
                f"| {floor_wall:.1f} s / {floor_cpu:.1f} s | {wall / floor_wall:.1f}x "
                f"| {peak:.0f} / {floor_peak:.0f} |",
                flush=True,
            )
    print(f"\nPython {sys.version.split()[0]}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or list(SIZES))
