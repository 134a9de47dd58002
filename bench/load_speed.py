"""Measure how long loading and validating takes, with libyaml's C loader and with the pure-Python one.

Run: .venv/test/bin/python bench/load_speed.py  (prints a Markdown table for docs/performance.md)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

import prepexport.load as load

ROOT = Path(__file__).parents[1]


def synthetic(topics: int, cards_per_topic: int) -> bytes:
    """Return a valid source with the given number of topics and basic cards, plus the example's header."""
    header = (ROOT / "docs" / "example.yaml").read_text(encoding="utf-8").split("topics:\n", 1)[0]
    lines = [header + "topics:"]
    for t in range(topics):
        lines += [
            f"  - id: topic-{t}",
            f"    title: Topic {t}",
            "    tier: 1",
            "    area: transformers",
            r"    summary: A summary with **bold**, `code` and \(\sqrt{d_k}\) math.",
            "    cards:",
        ]
        for c in range(cards_per_topic):
            lines += [
                f"      - id: card-{t}-{c}",
                f"        question: What is fact {c} of topic {t}?",
                f"        answer: It is the *answer* number {c}.",
            ]
    return ("\n".join(lines) + "\n").encode()


def best_of(runs: int, data: bytes) -> float:
    """Return the median wall time of loading the data, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load.load_bytes(data, "bench.yaml", root=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print the table."""
    loaders = {"libyaml (CSafeLoader)": getattr(yaml, "CSafeLoader", None), "pure Python (SafeLoader)": yaml.SafeLoader}
    print("| source | notes | loader | median of 5 |")
    print("|---|---|---|---|")
    cases = [("synthetic", synthetic(100, 10)), ("synthetic", synthetic(200, 50))]
    default = ROOT / "source" / "knowledge.yaml"
    if default.exists():
        cases.insert(0, ("source/knowledge.yaml", default.read_bytes()))
    for name, data in cases:
        notes = data.count(b"\n      - id: ")
        for label, loader in loaders.items():
            if loader is None:
                print(f"| {name} | {notes} | {label} | not available |")
                continue
            load._Loader = loader
            print(f"| {name} | {notes} | {label} | {best_of(5, data) * 1000:.0f} ms |")
    print(f"\nPython {sys.version.split()[0]}, PyYAML {yaml.__version__}")


if __name__ == "__main__":
    main()
