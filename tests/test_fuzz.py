"""Property-based fuzzing of mutated valid sources: never a traceback, never a hang, never a package Anki refuses.

Derandomized and bounded (a fixed number of examples, each timed), so it runs in every `make test` and gives
the same result on every machine.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prepexport.cli import main
from prepexport.errors import SourceError
from prepexport.load import load_bytes

EXAMPLE = Path(__file__).parents[1] / "docs" / "example.yaml"
LINES = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)

#: Pieces that exercise every parser: YAML, markup, math, cloze, Anki's own syntax, control and odd characters.
PIECES = [
    "{{c1::",
    "{{c0::x}}",
    "{{c500::x}}",
    "{{c١::x}}",
    "}}",
    "::",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\frac{a}{b}",
    "\\href{x}{y}",
    "*",
    "**",
    "`",
    "[sound:a.mp3]",
    "[anki:tts]x[/anki:tts]",
    "<script>",
    "&amp;",
    '"',
    "'",
    ":",
    "- ",
    "#",
    "&a",
    "*a",
    "!!int",
    "01",
    "1:30",
    "9" * 40,
    "\x1f",
    "\x00",
    "\x1b[31m",
    "\t",
    "\u2028",
    "é",
    "中",
    "🙂",
    "\u200b",
    "x" * 300,
    "https://example.org/a#b",
    "javascript:x",
    "{",
    "}",
    "[",
    "]",
    "|",
    ">",
    "~",
    "null",
]

#: Keys whose values are text the renderers typeset: mutating them keeps the YAML valid and reaches the renderers.
TEXT_KEYS = (
    "question",
    "answer",
    "summary",
    "title",
    "meaning",
    "term",
    "cloze",
    "why",
    "fix",
    "symptom",
    "cause",
    "scenario",
    "focus",
    "extra",
    "name",
    "text",
    "example",
    "venue",
)
TEXT_LINES = [i for i, line in enumerate(LINES) if line.strip().removeprefix("- ").split(":")[0] in TEXT_KEYS]

text_mutation = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXT_LINES), st.sampled_from(PIECES)),
    st.tuples(st.just("text"), st.sampled_from(TEXT_LINES), st.text(max_size=12)),
)

mutation = st.one_of(
    text_mutation,
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1), st.just("")),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, len(LINES) - 1), st.sampled_from(PIECES)),
    st.tuples(st.just("replace"), st.integers(0, len(LINES) - 1), st.sampled_from(PIECES)),
    st.tuples(st.just("indent"), st.integers(0, len(LINES) - 1), st.sampled_from([" ", "  ", "\t"])),
)


def mutate(mutations: list[tuple[str, int, str]], source: list[str] = LINES) -> str:
    """Apply line-level mutations to the example (or another source): typical slips and hostile insertions alike."""
    lines = list(source)
    for action, index, piece in mutations:
        index %= len(lines)
        line = lines[index]
        if action == "text":
            key, sep, value = line.partition(": ")
            if sep and value.strip() not in ("|", ">"):
                # A JSON string is a valid YAML double-quoted scalar: the text changes, the document stays valid.
                lines[index] = f"{key}: {json.dumps(value.rstrip(chr(10)) + piece)}\n"
        elif action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "insert":
            at = len(line) // 2
            lines[index] = line[:at] + piece + line[at:]
        elif action == "replace":
            key, sep, _ = line.partition(": ")
            lines[index] = f"{key}{sep}{piece}\n" if sep else piece + "\n"
        elif action == "indent":
            lines[index] = piece + line
    return "".join(lines)


FAST = settings(
    derandomize=True, database=None, deadline=None, max_examples=150, suppress_health_check=list(HealthCheck)
)
SLOW = settings(
    derandomize=True, database=None, deadline=None, max_examples=10, suppress_health_check=list(HealthCheck)
)


@FAST
@given(st.lists(mutation, min_size=1, max_size=4))
def test_loading_a_mutated_source_reports_or_loads_quickly(mutations: list[tuple[str, int, str]]) -> None:
    text = mutate(mutations)
    started = time.perf_counter()
    try:
        load_bytes(text.encode(), "fuzz.yaml", root=EXAMPLE.parent)
    except SourceError as error:
        assert error.problems
        for problem in error.problems:
            assert str(problem).isprintable(), str(problem)  # no raw control character reaches a terminal
    assert time.perf_counter() - started < 5


@SLOW
@given(st.lists(text_mutation, min_size=1, max_size=3))
def test_building_a_mutated_source_never_crashes_and_anki_imports_the_package(
    tmp_path_factory: Any, mutations: list[tuple[str, int, str]]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / "course.yaml"
    source.write_text(mutate(mutations), encoding="utf-8")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(folder / "out"), "--weeks", "all"])
    assert time.perf_counter() - started < 30
    assert result.exit_code in (0, 1, 2), result.output  # 3 would be an internal error
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        return
    (package,) = (folder / "out").glob("*.apkg")
    collection = Collection(str(folder / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        log = collection.import_anki_package(request).log
        assert len(log.new) == collection.note_count() > 0
        assert collection.card_count() >= collection.note_count()  # every note yields at least one card
    finally:
        collection.close()


RTL = Path(__file__).parent / "fixtures" / "rtl"
RTL_LINES = {
    name: (RTL / name).read_text(encoding="utf-8").splitlines(keepends=True) for name in ("hebrew.yaml", "arabic.yaml")
}
#: Text that exercises the right-to-left workbook: bidi controls, mirrored brackets, joining letters, digits.
RTL_PIECES = [*PIECES, "\u202e", "\u2066", "\u2069", "\u200f", "(", "ـ", "لا", "**ال**", "؟", "٣", "3.5%", "-2", "א(b)"]
rtl_mutation = st.tuples(
    st.sampled_from(sorted(RTL_LINES)),
    st.lists(st.tuples(st.just("text"), st.integers(0, 10_000), st.sampled_from(RTL_PIECES)), min_size=1, max_size=3),
)


@settings(SLOW, max_examples=25)
@given(rtl_mutation)
def test_building_a_mutated_right_to_left_course_never_crashes(
    tmp_path_factory: Any, case: tuple[str, list[tuple[str, int, str]]]
) -> None:
    name, mutations = case
    lines = RTL_LINES[name]
    texts = [i for i, line in enumerate(lines) if line.strip().removeprefix("- ").split(":")[0] in TEXT_KEYS]
    folder = tmp_path_factory.mktemp("fuzz-rtl")
    shutil.copytree(RTL / "fonts", folder / "fonts")  # a course's fonts must lie inside its folder
    source = folder / name
    source.write_text(mutate([(a, texts[i % len(texts)], p) for a, i, p in mutations], lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(folder / "out"), "--only", "workbooks"])
    assert result.exit_code in (0, 1), result.output  # 3 would be an internal error
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 1 or (folder / "out" / f"rtl-{name.removesuffix('.yaml')}-2-weeks.pdf").is_file()
