"""A build writes everything or nothing: a failure or a kill in its last phase leaves every file as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import prepexport.workbook
from prepexport.cli import main
from prepexport.errors import OutputError
from prepexport.files import Staging, clean_stale_temporaries

SRC = Path(__file__).parents[1] / "src"


def files(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.iterdir()) if p.is_file()}


def edit_a_card(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Why are attention scores divided", "Why are the attention scores divided"), "utf-8")


def build_killed_after_the_workbook(source: Path, out: Path, kill: int) -> subprocess.CompletedProcess[bytes]:
    """Run a build that receives `kill` once its workbook is complete in its temporary file."""
    script = textwrap.dedent(
        f"""
        import os, sys
        import prepexport.workbook as workbook
        real = workbook.build_workbook
        def killed(*args, **kwargs):
            real(*args, **kwargs)
            os.kill(os.getpid(), {int(kill)})
        workbook.build_workbook = killed
        from prepexport.cli import main
        sys.argv = ["prepexport", "build", {str(source)!r}, "--out", {str(out)!r}]
        main()
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120, check=False)


def test_a_failure_in_the_workbook_phase_changes_no_file(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(source), "--out", str(out)]).exit_code == 0
    edit_a_card(source)
    before = files(out, source.parent)

    def broken(*args: object, **kwargs: object) -> None:
        raise OutputError("the printer caught fire")

    monkeypatch.setattr(prepexport.workbook, "build_workbook", broken)
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 1 and "the printer caught fire" in result.stderr
    assert files(out, source.parent) == before  # deck, stamps and workbook as they were; no temporary file


def test_a_build_killed_in_its_last_phase_leaves_the_previous_one_and_the_next_cleans_up(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(source), "--out", str(out)]).exit_code == 0
    edit_a_card(source)
    before = files(out, source.parent)
    # The PDF is complete in its temporary file: now the power goes.
    killed = build_killed_after_the_workbook(source, out, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    after = files(out, source.parent)
    leftovers = [p for p in after if p not in before]
    assert leftovers and all(Path(p).name.endswith(".tmp") for p in leftovers)
    assert {p: after[p] for p in before} == before

    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not [p for p in files(out, source.parent) if p.endswith(".tmp")]
    assert "1 changed" in result.stdout


def test_staging_moves_files_only_on_commit_and_the_stamps_last(tmp_path: Path) -> None:
    deck, stamps = tmp_path / "deck.apkg", tmp_path / "stamps.json"
    deck.write_bytes(b"old deck")
    with pytest.raises(RuntimeError), Staging() as staging:
        staging.write(deck, b"new deck")
        raise RuntimeError("a later output failed")
    assert deck.read_bytes() == b"old deck" and sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]
    with Staging() as staging:
        staging.write(stamps, b"new stamps", last=True)
        staging.write(deck, b"new deck")
        assert deck.read_bytes() == b"old deck"
    assert deck.read_bytes() == b"new deck" and stamps.read_bytes() == b"new stamps"


def test_only_temporaries_of_dead_processes_are_cleaned(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead = int(finished.stdout)
    stale = tmp_path / f".deck.apkg.{dead}-0123abcd.tmp"
    live = tmp_path / f".deck.apkg.{os.getpid()}-0123abcd.tmp"
    mine = tmp_path / "notes.tmp"
    for path in (stale, live, mine):
        path.write_bytes(b"x")
    assert clean_stale_temporaries(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, mine.name])


def test_a_terminated_build_removes_its_temporary_files(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(source), "--out", str(out)]).exit_code == 0
    edit_a_card(source)
    before = files(out, source.parent)
    stopped = build_killed_after_the_workbook(source, out, signal.SIGTERM)  # e.g. a CI job cancelled
    assert stopped.returncode == 128 + signal.SIGTERM
    assert b"terminated; outputs and stamps are as they were" in stopped.stderr
    assert files(out, source.parent) == before


@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_kill_of_the_whole_build_during_layout_in_workers_ends_cleanly(tmp_path: Path, kill: int) -> None:
    """A kill sent to the process group (a closed terminal, a cancelled job) reaches the layout workers too."""
    folder = Path(shutil.copytree(Path(__file__).parent / "fixtures" / "deck", tmp_path / "src"))
    source, out = folder / "course.yaml", tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(source), "--out", str(out)]).exit_code == 0
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Deck Fixture Course", "Deck Fixture Course, edited"), encoding="utf-8")
    before = files(out, folder)
    script = textwrap.dedent(
        f"""
        import os, sys
        import prepexport.workbook.document as document
        PARENT = os.getpid()
        real = document.WorkbookDocument.afterPage
        def page_done(self):
            real(self)
            if os.getpid() != PARENT:  # mid-layout in a worker: the whole group is killed, as a terminal does
                os.killpg(0, {int(kill)})
        document.WorkbookDocument.afterPage = page_done
        from prepexport.cli import main
        sys.argv = ["prepexport", "build", {str(source)!r}, "--out", {str(out)!r}]
        main()
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    stopped = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
        start_new_session=True,
    )
    assert stopped.returncode == 128 + kill, stopped.stderr[-2000:]
    assert stopped.stderr.decode().splitlines()[-1:] == [
        "terminated; outputs and stamps are as they were before this build"
    ]
    assert stopped.stderr.count(b"terminated") == 1 and b"reportlab" not in stopped.stderr
    assert files(out, folder) == before
