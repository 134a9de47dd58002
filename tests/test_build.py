"""`prepexport build` end to end: what it writes, that it is repeatable, and that bad input damages nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from prepexport.cli import main


def build(source: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.iterdir()) if p.is_file()}


def test_build_writes_deck_workbook_and_stamps(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stdout = build(source, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "attention-mini-1-weeks.pdf",
        "attention-mini-preview.html",
        "attention-mini.apkg",
    ]
    assert (source.parent / "course.stamps.json").is_file()
    assert f"{out / 'attention-mini.apkg'}" in stdout
    assert f"{out / 'attention-mini-1-weeks.pdf'}" in stdout


def test_rebuilding_the_same_source_is_byte_identical(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "a")
    build(source, tmp_path / "b")
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert [Path(p).name for p in first] == [Path(p).name for p in second]
    assert list(first.values()) == list(second.values())


def test_invalid_source_leaves_the_last_good_build_untouched(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(source, out)
    before = snapshot(out, source.parent)
    source.write_text(source.read_text(encoding="utf-8").replace("    tier: 1\n", "    tier: 9\n", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 1
    assert ":28:11: topics[0].tier: must be between 1 and 3, not 9" in result.stderr
    before.pop(str(source))
    after = snapshot(out, source.parent)
    after.pop(str(source))
    assert after == before


def test_weeks_option_picks_one_workbook(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(source, out, "--weeks", "1", "--paper", "letter", "--start", "2026-12-07")
    assert (out / "attention-mini-1-weeks.pdf").is_file()


def test_unwritable_output_is_a_message_not_a_traceback(source: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(blocker / "out")])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_id_at_the_longest_allowed_builds_every_output_and_a_longer_one_is_refused(
    source: Path, tmp_path: Path
) -> None:
    text = source.read_text(encoding="utf-8")
    # Output names are built from meta.id: the longest is the workbook's (`-1-weeks.pdf`), written into a
    # temporary sibling of the build's own temporary file, each adding a dot before and `.<pid>-<hex>.tmp` after.
    longest = "x" * 199
    source.write_text(text.replace("  id: attention-mini\n", f"  id: {longest}\n"), encoding="utf-8")
    out = tmp_path / "out"
    build(source, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{longest}-1-weeks.pdf", f"{longest}-preview.html", f"{longest}.apkg"]
    source.write_text(text.replace("  id: attention-mini\n", f"  id: {longest}x\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(tmp_path / "other")])
    assert result.exit_code == 1
    assert f"{source}:4:7: meta.id: is 200 characters long" in result.output
    assert "at most 199" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "other").exists()
