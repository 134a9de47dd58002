"""Choosing outputs (`--only`), workbooks laid out in parallel, the closing summary, and terminal progress."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from click.testing import CliRunner

from prepexport.build import BuildOptions, build, stamps_path
from prepexport.cli import main
from prepexport.load import load_file
from prepexport.progress import Progress, human_size


def two_plans(source: Path) -> Path:
    """Give the example a second, two-week plan (a copy of the first, spread over two weeks)."""
    text = source.read_text(encoding="utf-8")
    plan = text[text.index("  - id: one-week\n") : text.index("references:\n")]
    week = plan[plan.index("      - focus:") :]
    second = plan.replace("id: one-week", "id: two-week", 1).replace("One-week sprint", "Two-week plan") + week
    source.write_text(text.replace("references:\n", second + "references:\n", 1), encoding="utf-8")
    return source


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_only_deck_writes_the_deck_and_stamps_alone(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stdout = run("build", str(source), "--out", str(out), "--only", "deck")
    assert names(out) == ["attention-mini.apkg"]
    assert stamps_path(source).is_file()
    assert "pdf" not in stdout


def test_only_workbooks_leaves_deck_and_stamps_alone(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", str(source), "--out", str(out), "--only", "workbooks")
    assert names(out) == ["attention-mini-1-weeks.pdf"]
    assert not stamps_path(source).exists()


def test_only_can_be_repeated(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("build", str(source), "--out", str(out), "--only", "deck", "--only", "preview")
    assert names(out) == ["attention-mini-preview.html", "attention-mini.apkg"]


def test_only_rejects_unknown_outputs(source: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(tmp_path / "o"), "--only", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'deck', 'workbooks', 'preview'" in result.stderr


def test_parallel_workbooks_match_one_at_a_time(source: Path, tmp_path: Path) -> None:
    kb = load_file(two_plans(source)).kb
    assert len(kb.roadmaps) == 2
    reports = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        options = BuildOptions(stamps=tmp_path / f"stamps-{jobs}.json", deck=False, preview=False, jobs=jobs)
        reports[jobs] = build(kb, out, options)
    one = {p.name: p.read_bytes() for p in reports[1].outputs}
    two = {p.name: p.read_bytes() for p in reports[2].outputs}
    assert sorted(one) == ["attention-mini-1-weeks.pdf", "attention-mini-2-weeks.pdf"]
    assert one == two
    assert not [p for p in (tmp_path / "jobs-2").iterdir() if p.name.endswith(".tmp")]


def test_summary_names_every_output_with_size_and_time(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stdout = run("build", str(source), "--out", str(out))
    summary = stdout[stdout.index("outputs:\n") :].splitlines()
    rows = summary[1:-1]
    assert len(rows) == 3
    for path in out.iterdir():
        row = next(r for r in rows if r.split()[0] == str(path))
        assert row.split()[1:3] == human_size(path.stat().st_size).split()
        assert re.fullmatch(r"\d+\.\d\d s", " ".join(row.split()[3:]))
    assert re.fullmatch(r"built in \d+\.\d\d s", summary[-1])
    assert "\r" not in stdout and "building:" not in stdout  # piped: no progress line


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_phase_and_items_on_a_terminal_only_once_slow() -> None:
    terminal = _Terminal()
    progress = Progress(terminal, delay=0.05)
    progress.start()
    progress.update("workbooks", "1 of 2 done")
    time.sleep(0.5)
    progress.close()
    shown = terminal.getvalue()
    assert "building: workbooks (1 of 2 done)" in shown
    assert shown.endswith("\r\x1b[K")  # erased before the summary is printed

    quick = _Terminal()
    progress = Progress(quick)  # the default delay: a quick build shows nothing
    progress.start()
    progress.update("deck")
    progress.close()
    assert quick.getvalue() == ""

    piped = io.StringIO()
    progress = Progress(piped, delay=0)
    progress.start()
    progress.update("deck")
    time.sleep(0.2)
    progress.close()
    assert piped.getvalue() == ""
