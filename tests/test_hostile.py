"""Hostile and broken input at the command line: a clear message and a documented exit code, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner, Result

import prepexport.build
from prepexport.cli import main
from prepexport.load import MAX_SOURCE_BYTES


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def test_only_a_regular_file_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "course.yaml"
    os.mkfifo(fifo)  # reading it would block forever
    for path in (fifo, Path("/dev/zero")):
        result = run("check", str(path))
        assert result.exit_code == 1
        assert f"{path}: is not a regular file" in result.stderr


def test_a_source_past_the_size_limit_is_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(MAX_SOURCE_BYTES + 1)  # sparse: costs no disk
    result = run("check", str(big))
    assert result.exit_code == 1
    assert f"{big}: too large: 32.0 MB; a source may hold 32.0 MB" in result.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--weeks", "²"], "--weeks must be a number of weeks (plain digits, no leading zero) or 'all', not '²'"),
        (["--weeks", "1" * 5000], "--weeks must be a number of weeks (plain digits, no leading zero) or 'all'"),
        (["--weeks", "01"], "--weeks must be a number of weeks (plain digits, no leading zero) or 'all', not '01'"),
        (["--weeks", "+1"], "--weeks must be a number of weeks (plain digits, no leading zero) or 'all', not '+1'"),
        (["--start", "2026-1-5"], "'2026-1-5' is not a date written YYYY-MM-DD"),
        (["--start", "２０２６-01-05"], "is not a date written YYYY-MM-DD"),
        (["--start", "9999-12-31"], "--start 9999-12-31: give a date between the years 1900 and 9000"),
    ],
)
def test_odd_options_are_usage_errors(source: Path, tmp_path: Path, option: list[str], message: str) -> None:
    result = run("build", str(source), "--out", str(tmp_path / "out"), *option)
    assert result.exit_code == 2 and message in result.stderr


def test_an_id_with_an_escape_sequence_is_reported_escaped(source: Path) -> None:
    text = source.read_text(encoding="utf-8").replace("  - id: attention\n", '  - id: "att\\e]0;pwned\\a"\n', 1)
    source.write_text(text, encoding="utf-8")
    result = run("check", str(source))
    assert result.exit_code == 1
    assert "holds the control character U+001B" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_an_internal_error_is_one_line_with_its_own_exit_code(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero\nsecond line \x1b[2J")

    monkeypatch.setattr(prepexport.build, "chosen_roadmaps", bug)
    result = run("build", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("internal error (a bug in prepexport")
    assert "ZeroDivisionError: division by zero second line \\x1b[2J" in line and "--debug" in line
    debug = CliRunner().invoke(main, ["--debug", "build", str(source), "--out", str(tmp_path / "out")])
    assert isinstance(debug.exception, ZeroDivisionError)  # --debug lets the trace through


def test_ankis_media_syntax_in_text_shows_as_text(source: Path, tmp_path: Path) -> None:
    text = source.read_text(encoding="utf-8").replace(
        "question: Why are attention scores divided by",
        "question: '[sound:alarm.mp3] [anki:tts lang=en_US]Hello[/anki:tts]' # Why are attention scores divided by",
        1,
    )
    source.write_text(text, encoding="utf-8")
    assert run("build", str(source), "--out", str(tmp_path / "out")).exit_code == 0
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(tmp_path / "out" / "attention-mini.apkg"), options=ImportAnkiPackageOptions()
        )
        col.import_anki_package(request)
        (note_id,) = col.find_notes('"Question:*sound*"')
        card = col.get_note(note_id).cards()[0]
        output = card.render_output(reload=True)
        assert output.question_av_tags == [] and output.answer_av_tags == []
        assert "[sound:alarm.mp3]" in output.question_text.replace("&#91;", "[")
    finally:
        col.close()


def test_long_words_and_links_with_fragments_build_whole(source: Path, tmp_path: Path) -> None:
    word = "x" * 499
    text = source.read_text(encoding="utf-8")
    text = text.replace("title: Scaled dot-product attention", f"title: {word}", 1)
    text = text.replace("focus: Attention and citations", f"focus: {word}", 1)
    text = text.replace("url: https://arxiv.org/abs/1706.03762", "url: https://arxiv.org/abs/1706.03762#sec-3.2", 1)
    text = text.replace("summary: Keep the id of every", f"summary: {'y' * 5000} Keep the id of every", 1)
    source.write_text(text, encoding="utf-8")
    result = run("build", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "attention-mini-1-weeks.pdf").stat().st_size > 0
