"""The stamps file cannot hurt a learner: checked with Anki's own library, as a learner imports and edits."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from click.testing import CliRunner

from prepexport.cli import main
from prepexport.deck import DeckReport, StampsError, build_deck
from prepexport.deck.recover import recover_stamps
from prepexport.deck.stamps import StampsMissing, dump_stamps
from prepexport.load import load_file

FIXTURE = Path(__file__).parent / "fixtures" / "deck"
T0, T1 = 1_700_000_000, 1_700_100_000


class Course:
    """A writable copy of the deck fixture with its stamps file beside it."""

    def __init__(self, folder: Path) -> None:
        shutil.copytree(FIXTURE, folder)
        self.folder = folder
        self.source = folder / "course.yaml"
        self.stamps = folder / "course.stamps.json"

    def edit(self, old: str, new: str) -> None:
        text = self.source.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        self.source.write_text(text.replace(old, new), encoding="utf-8")

    def build(self, out: Path, epoch: int | None = T0, new_stamps: bool = False) -> DeckReport:
        kb = load_file(self.source).kb
        return build_deck(kb, out, stamps_path=self.stamps, now=epoch, new_stamps=new_stamps)


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return Course(tmp_path / "course")


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def import_package(col: Collection, apkg: Path) -> Any:
    """Import with the import dialog's defaults: update notes and note types if newer."""
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col.models._clear_cache()
    return log


def learner_edits(col: Collection, source_id: str, field: str, text: str) -> None:
    (note_id,) = col.find_notes(f'"Id:{source_id}"')
    note = col.get_note(note_id)
    note[field] = text
    col.update_note(note)


def field_of(col: Collection, source_id: str, field: str) -> str:
    (note_id,) = col.find_notes(f'"Id:{source_id}"')
    return str(col.get_note(note_id)[field])


def test_a_lost_stamps_file_stops_the_build_and_recover_restores_it(
    course: Course, col: Collection, tmp_path: Path
) -> None:
    first = course.build(tmp_path / "out")
    import_package(col, first.path)
    learner_edits(col, "attn-query", "Meaning", "My own words.")
    kept = course.stamps.read_text(encoding="utf-8")
    course.stamps.unlink()
    with pytest.raises(StampsMissing, match="prepexport stamps recover") as caught:
        course.build(tmp_path / "out", epoch=None)
    assert "--new-stamps" in str(caught.value) and "git checkout" in str(caught.value)
    assert not course.stamps.exists()

    result = CliRunner().invoke(main, ["stamps", "recover", str(first.path), str(course.source)])
    assert result.exit_code == 0, result.output
    assert "12 notes stamped as" in result.stdout
    assert json.loads(course.stamps.read_text(encoding="utf-8")) == json.loads(kept)
    course.edit("Why does HNSW have layers?", "Why does an HNSW index have layers?")
    second = course.build(tmp_path / "out", epoch=None)
    log = import_package(col, second.path)
    assert (len(log.new), len(log.updated)) == (0, 1)  # the author's fix arrives ...
    assert "an HNSW index" in field_of(col, "hnsw-layers", "Question")
    assert field_of(col, "attn-query", "Meaning") == "My own words."  # ... and the learner's edit survives


def test_recover_reads_a_package_in_ankis_newer_format(course: Course, col: Collection, tmp_path: Path) -> None:
    first = course.build(tmp_path / "out")
    import_package(col, first.path)
    exported = tmp_path / "exported.apkg"
    col.export_anki_package(out_path=str(exported), options=ExportAnkiPackageOptions(), limit=None)
    recovered = recover_stamps(load_file(course.source).kb, exported)
    assert recovered.matched == 12
    built = json.loads(course.stamps.read_text(encoding="utf-8"))
    again = json.loads(dump_stamps(recovered.stamps))
    assert again["notes"] == built["notes"]


def test_new_stamps_flag_starts_over_explicitly(course: Course, tmp_path: Path) -> None:
    course.build(tmp_path / "out")
    course.stamps.unlink()
    report = course.build(tmp_path / "out", epoch=T0, new_stamps=True)
    assert report.lines()[-1].startswith("  started a new stamps file")
    stamps = json.loads(course.stamps.read_text(encoding="utf-8"))
    assert min(s["mod"] for s in stamps["notes"].values()) > T1  # the real clock, not an old SOURCE_DATE_EPOCH


def test_another_courses_stamps_are_refused(course: Course, tmp_path: Path) -> None:
    course.build(tmp_path / "out")
    other = Course(tmp_path / "other")
    other.edit("  deck: 1900000100001", "  deck: 1900000100999")
    shutil.copy(course.stamps, other.stamps)
    with pytest.raises(StampsError, match=r"belongs to another course: its deck id \(meta.anki.deck\) differs"):
        other.build(tmp_path / "out2")


def test_a_copied_courses_stamps_are_refused_though_the_deck_id_matches(course: Course, tmp_path: Path) -> None:
    """A course copied from another keeps its deck id: the course id tells the two apart, nothing is overwritten."""
    course.build(tmp_path / "out")
    other = Course(tmp_path / "other")
    other.edit("  id: deck-fixture", "  id: my-new-course")
    shutil.copy(course.stamps, other.stamps)
    kept = other.stamps.read_bytes()
    with pytest.raises(StampsError, match=r"its course id \(meta.id\) differs") as caught:
        other.build(tmp_path / "out2")
    assert "'deck-fixture'" in str(caught.value) and "'my-new-course'" in str(caught.value)
    assert "Starting a new course" in str(caught.value)
    assert other.stamps.read_bytes() == kept and not (tmp_path / "out2").exists()


def test_recover_refuses_a_copied_courses_package(course: Course, tmp_path: Path) -> None:
    first = course.build(tmp_path / "out")
    other = Course(tmp_path / "other")
    other.edit("  id: deck-fixture", "  id: my-new-course")
    other.edit("  tag_root: prep", "  tag_root: mine")
    other.stamps.unlink(missing_ok=True)
    result = CliRunner().invoke(main, ["stamps", "recover", str(first.path), str(other.source)])
    assert result.exit_code == 1, result.output
    assert "belongs to another course: its course id (meta.id) differs" in result.output
    assert not other.stamps.exists()


def test_recover_checks_the_package_before_suggesting_force(course: Course, tmp_path: Path) -> None:
    course.build(tmp_path / "out")
    missing = tmp_path / "nonexistent.apkg"
    result = CliRunner().invoke(main, ["stamps", "recover", str(missing), str(course.source)])
    assert result.exit_code == 1, result.output
    assert "cannot read the package" in result.output and "--force" not in result.output


def test_a_future_or_absurd_stamp_is_refused(course: Course, tmp_path: Path) -> None:
    course.build(tmp_path / "out")
    good = course.stamps.read_text(encoding="utf-8")
    for bad in ('"mod": 4102444800', '"mod": -5', '"mod": "1700000000"', '"mod": 1e300', '"mod": ' + "9" * 5000):
        course.stamps.write_text(good.replace(f'"mod": {T0}', bad, 1), encoding="utf-8")
        with pytest.raises(StampsError, match="cannot read the stamps file"):
            course.build(tmp_path / "out")
    course.stamps.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(StampsError, match="cannot read the stamps file"):
        course.build(tmp_path / "out")


def test_future_or_malformed_source_date_epoch_is_refused(course: Course, tmp_path: Path) -> None:
    for value in ("99999999999", "9" * 5000, "abc", "1e9", "١٢٣", "12\x1b[31m", "5"):
        result = CliRunner().invoke(
            main, ["build", str(course.source), "--out", str(tmp_path / "out")], env={"SOURCE_DATE_EPOCH": value}
        )
        assert result.exit_code == 1, (value, result.output)
        assert "error: SOURCE_DATE_EPOCH" in result.stderr and "\x1b" not in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_old_source_date_epoch_still_delivers_a_fix_and_keeps_edits(
    course: Course, col: Collection, tmp_path: Path
) -> None:
    import_package(col, course.build(tmp_path / "v1", epoch=T1).path)
    learner_edits(col, "attn-query", "Meaning", "My own words.")
    course.edit("Why does HNSW have layers?", "Why does an HNSW index have layers?")
    report = course.build(tmp_path / "v2", epoch=T0)  # an older epoch than the published package's
    log = import_package(col, report.path)
    assert len(log.updated) == 1
    assert "an HNSW index" in field_of(col, "hnsw-layers", "Question")
    assert field_of(col, "attn-query", "Meaning") == "My own words."


def test_renaming_a_plan_touches_no_note(course: Course, col: Collection, tmp_path: Path) -> None:
    import_package(col, course.build(tmp_path / "v1").path)
    learner_edits(col, "attn-scale", "Answer", "Mine.")
    course.edit("title: Two-week plan", "title: A sprint of two weeks")
    report = course.build(tmp_path / "v2", epoch=T1)
    assert "0 new, 0 changed, 0 removed notes" in report.lines()[-1]
    log = import_package(col, report.path)
    assert len(log.updated) == 0 and field_of(col, "attn-scale", "Answer") == "Mine."


def test_a_renamed_area_is_reported_per_note_and_warned_about(course: Course, tmp_path: Path) -> None:
    course.build(tmp_path / "v1")
    course.edit("title: Retrieval and RAG", "title: Retrieval")
    report = course.build(tmp_path / "v2", epoch=T1)
    changed = [line.strip() for line in report.lines() if line.startswith("    changed ")]
    assert changed and all(line.endswith(": context") for line in changed)
    assert "changed basic:hnsw-layers: context" in changed
    from prepexport.deck import build as deck_build

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deck_build, "MANY_NOTES", 2)
        assert "in area 'Retrieval'" in report.warnings()[0]
    assert report.warnings() == []  # a handful of notes is no surprise


def test_removed_notes_are_remembered_and_found_by_the_printed_search(
    course: Course, col: Collection, tmp_path: Path
) -> None:
    import_package(col, course.build(tmp_path / "v1").path)
    text = course.source.read_text(encoding="utf-8")
    start = text.index("      - id: extra-card")
    course.source.write_text(text[:start] + text[text.index("\n", text.index("answer:", start)) + 1 :], "utf-8")
    course.edit("  - id: mis-attn\n", "  - id: mis-attn-2\n")  # a renamed id: the old note is removed
    report = course.build(tmp_path / "v2", epoch=T1)
    assert "0 changed, 2 removed notes" in "\n".join(report.lines())
    assert report.removed_path is not None
    search = report.removed_path.read_text(encoding="utf-8").strip()
    assert search == report.removed_search and search in "\n".join(report.lines())
    import_package(col, report.path)
    found = {col.get_note(n)["Id"] for n in col.find_notes(search)}
    assert found == {"extra-card", "mis-attn"}
    # A third build that removes nothing new still lists both; the stamps keep them.
    third = course.build(tmp_path / "v3", epoch=T1)
    assert third.removed_search == search
    col.remove_notes(col.find_notes(search))
    assert {col.get_note(n)["Id"] for n in col.find_notes("")} >= {"mis-attn-2", "attn-scale"}
    assert not col.find_notes('"Id:extra-card"')


def test_a_learners_edit_survives_foreign_and_future_dated_stamps(
    course: Course, col: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = course.build(out)
    import_package(col, first.path)
    learner_edits(col, "attn-query", "Meaning", "My own words.")
    published = first.path.read_bytes()
    good = course.stamps.read_text(encoding="utf-8")

    other = Course(tmp_path / "other")
    other.edit("  deck: 1900000100001", "  deck: 1900000100999")
    other.build(tmp_path / "other-out")
    future = good.replace(f'"mod": {T0}', '"mod": 4102444800', 1)
    for bad in (other.stamps.read_text(encoding="utf-8"), future):
        course.stamps.write_text(bad, encoding="utf-8")
        with pytest.raises(StampsError):
            course.build(out, epoch=None)
        assert first.path.read_bytes() == published  # the package learners import never saw the bad stamps

    course.stamps.unlink()
    result = CliRunner().invoke(main, ["stamps", "recover", str(first.path), str(course.source)])
    assert result.exit_code == 0, result.output
    course.edit("Why does HNSW have layers?", "Why does an HNSW index have layers?")
    log = import_package(col, course.build(out, epoch=None).path)
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert field_of(col, "attn-query", "Meaning") == "My own words."
    assert "an HNSW index" in field_of(col, "hnsw-layers", "Question")


def test_recover_finds_notes_whose_note_type_changed_since(
    course: Course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from prepexport.deck.notetypes import NOTE_TYPES

    first = course.build(tmp_path / "out")
    mistake = NOTE_TYPES["misconception"]
    monkeypatch.setitem(NOTE_TYPES, "misconception", replace(mistake, fields=(*mistake.fields, "Example")))
    recovered = recover_stamps(load_file(course.source).kb, first.path)
    assert recovered.matched == 12  # found by GUID, though the note type's id is new
    course.stamps.write_text(dump_stamps(recovered.stamps), encoding="utf-8")
    report = course.build(tmp_path / "out", epoch=T1)
    assert "    changed misconception:mis-attn: text" in report.lines()
