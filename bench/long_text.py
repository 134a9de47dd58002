"""Measure that building stays near-linear in text size: one topic summary of growing size, and long words.

Run: PYTHONPATH=src python bench/long_text.py  (prints the Markdown table of docs/performance.md)

Each row builds docs/example.yaml with one summary grown to the given size (sentences, or one unbroken word),
deck and workbook, in a fresh process; times are CPU seconds of the build after imports.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
EXAMPLE = (ROOT / "docs" / "example.yaml").read_text(encoding="utf-8")
SENTENCE = "Attention weighs every token against every other token, and the softmax turns scores into weights. "

_RUN = """
import sys, time, resource
from pathlib import Path
from prepexport.build import BuildOptions, build
from prepexport.load import load_file
source, out = Path(sys.argv[1]), Path(sys.argv[2])
started = time.process_time()
kb = load_file(source).kb
build(kb, out, BuildOptions(stamps=source.with_name("s.stamps.json"), now=1_700_000_000))
print(time.process_time() - started)
"""


def course_with_summary(text: str) -> str:
    """Return the example with its first topic's summary replaced by a literal block of `text`."""
    block = "".join(f"      {line}\n" if line else "\n" for line in text.splitlines())
    return re.sub(
        r"(\n  - id: attention\n(?:.*\n)*?    summary:).*\n(?:      .*\n|\n)*",
        lambda m: m.group(1) + " |\n" + block,
        EXAMPLE,
        count=1,
    )


def measure(text: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "course.yaml"
        source.write_text(course_with_summary(text), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", _RUN, str(source), str(Path(folder) / "out")],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT / "src")},
        )
        return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print("| summary | size | build (CPU s) |")
    print("|---|---:|---:|")
    for size in (10_000, 100_000, 1_000_000):
        paragraphs = (SENTENCE * 10 + "\n\n") * (size // (len(SENTENCE) * 10) + 1)
        text = paragraphs[:size]
        print(f"| sentences in paragraphs | {size / 1000:,.0f} kB | {measure(text):.1f} |")
    for size in (5_000, 50_000):
        print(f"| one unbroken word | {size / 1000:,.0f} kB | {measure('x' * size):.1f} |")


if __name__ == "__main__":
    main()
