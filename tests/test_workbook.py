"""The PDF workbook, read back as a learner's PDF viewer and a printer would read it (pypdf, pikepdf)."""

from __future__ import annotations

import datetime
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader
from pypdf.generic import Destination, IndirectObject

from prepexport import markup
from prepexport.course import schedule
from prepexport.course.pace import pace_for
from prepexport.load import load_bytes, load_file
from prepexport.model import Kind, KnowledgeBase, Roadmap
from prepexport.workbook import WorkbookReport, back, build_workbook, fonts, formulas
from prepexport.workbook.document import WorkbookDocument
from prepexport.workbook.formulas import DisplayFormula
from prepexport.workbook.text import curly

FIXTURE = Path(__file__).parent / "fixtures" / "workbook" / "course.yaml"
EXAMPLE = Path(__file__).parents[1] / "docs" / "example.yaml"
DEFAULT_SOURCE = Path(__file__).parents[1] / "source" / "knowledge.yaml"
START = datetime.date(2026, 3, 4)  # a Wednesday, so the real weekend falls on days 4 and 5
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@dataclass(frozen=True)
class Outline:
    """One bookmark: its depth, title, 1-based page and how far from the page bottom it points."""

    level: int
    title: str
    page: int
    top: float


@dataclass(frozen=True)
class Built:
    """A workbook built for the tests, opened with pypdf."""

    kb: KnowledgeBase
    roadmap: Roadmap
    report: WorkbookReport
    reader: PdfReader
    texts: list[str]  # whitespace-normalised text per page, index 0 = page 1
    outline: list[Outline]

    @property
    def path(self) -> Path:
        return self.report.path

    def page_of(self, title: str) -> int:
        """Return the page a bookmark points at."""
        return next(o.page for o in self.outline if o.title == title)

    def page_of_nth(self, title: str, n: int) -> int:
        """Return the page the n-th bookmark of that title points at (1-based)."""
        return [o.page for o in self.outline if o.title == title][n - 1]

    def links(self, page: int) -> list[int]:
        """Return the pages that the links on a page go to."""
        found = []
        for annot in self.reader.pages[page - 1].get("/Annots", []):
            annot = annot.get_object()
            if annot["/Subtype"] == "/Link" and "/Dest" in annot:
                found.append(self._page_number(annot["/Dest"][0]))
        return found

    def _page_number(self, ref: IndirectObject) -> int:
        return next(i for i, p in enumerate(self.reader.pages, 1) if p.indirect_reference == ref)


def flat(text: str) -> str:
    """Collapse every run of whitespace (including the en and no-break spaces used in layout) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def open_built(kb: KnowledgeBase, roadmap: Roadmap, report: WorkbookReport) -> Built:
    reader = PdfReader(report.path)
    texts = [flat(page.extract_text()) for page in reader.pages]
    outline: list[Outline] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                assert isinstance(item, Destination) and item.title is not None and item.top is not None
                page = reader.get_destination_page_number(item)
                assert page is not None
                outline.append(Outline(level, item.title, page + 1, float(item.top)))

    walk(reader.outline, 0)
    return Built(kb, roadmap, report, reader, texts, outline)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_file(FIXTURE).kb


@pytest.fixture(scope="module")
def sprint(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The 2-week plan on A4, without dates."""
    roadmap = kb.roadmap_for(2)
    out = tmp_path_factory.mktemp("sprint") / "fixture-2-weeks.pdf"
    return open_built(kb, roadmap, build_workbook(kb, roadmap, out, paper="a4", start=None))


@pytest.fixture(scope="module")
def steady(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The 3-week plan on US Letter, starting on a Wednesday."""
    roadmap = kb.roadmap_for(3)
    out = tmp_path_factory.mktemp("steady") / "fixture-3-weeks.pdf"
    return open_built(kb, roadmap, build_workbook(kb, roadmap, out, paper="letter", start=START))


@pytest.fixture(params=["sprint", "steady"])
def built(request: pytest.FixtureRequest) -> Built:
    value: Built = request.getfixturevalue(request.param)
    return value


def expected_chapters(kb: KnowledgeBase, roadmap: Roadmap) -> list[str]:
    """Return the bookmarks of levels 0 and 1 a reader should find, in order."""
    words = kb.labels
    titles = [words.how_to_use, words.contents, words.overview]
    for number, week in enumerate(roadmap.weeks, 1):
        titles += [f"Week {number} {week.focus}", words.plan_and_checklist, words.topics]
        titles += [words.drills] if week.drills else []
        titles += [words.proof, words.notes, words.review]
    titles += [words.formula_sheet] if back.first_weeks_of(kb, roadmap) else []
    titles += [words.misconceptions, words.step_worksheets]
    titles += [f.worksheet.title or f"{f.name} worksheet" for f in kb.frameworks if f.kind == "design"]
    titles += [words.page_worksheets]
    for framework in (f for f in kb.frameworks if f.kind == "story"):
        copies = back.story_copies_for(roadmap, framework)
        titles += [f"{n}/{copies} {framework.worksheet.title or framework.name}" for n in range(1, copies + 1)]
    titles += [words.answer_key] + [f"Week {n} answers" for n in range(1, len(roadmap.weeks) + 1)]
    return [*titles, words.references, words.index]


def test_report_names_the_file_its_pages_and_paper(sprint: Built, steady: Built) -> None:
    assert sprint.report.lines() == [f"wrote {sprint.path}: {len(sprint.reader.pages)} pages (A4)"]
    assert steady.report.lines() == [f"wrote {steady.path}: {len(steady.reader.pages)} pages (US Letter)"]


def test_every_page_has_the_paper_size(sprint: Built, steady: Built) -> None:
    for workbook, (width, height) in ((sprint, A4), (steady, LETTER)):
        for page in workbook.reader.pages:
            assert float(page.mediabox.width) == pytest.approx(width, abs=0.01)
            assert float(page.mediabox.height) == pytest.approx(height, abs=0.01)


def test_every_week_and_section_is_bookmarked_in_order_and_in_the_text(built: Built) -> None:
    top = [o for o in built.outline if o.level <= 1]
    assert [o.title for o in top] == expected_chapters(built.kb, built.roadmap)
    assert [o.page for o in top] == sorted(o.page for o in top)
    for entry in built.outline:
        assert flat(entry.title) in built.texts[entry.page - 1], entry


def test_every_topic_and_drill_of_a_week_is_bookmarked_under_it(built: Built) -> None:
    for number, week in enumerate(built.roadmap.weeks, 1):
        start = built.page_of(f"Week {number} {week.focus}")
        titles = [o.title for o in built.outline if o.level == 2 and o.page >= start]
        for index, topic_id in enumerate(week.topics, 1):
            assert f"{number}.{index} {built.kb.topic(topic_id).title}" in titles
        for index, drill_id in enumerate(week.drills, 1):
            assert f"Drill {number}.{index} {built.kb.drill(drill_id).title}" in titles


def test_contents_lists_chapters_and_each_weeks_topics_on_at_most_two_pages(built: Built) -> None:
    first = built.page_of("Contents")
    last = built.page_of("Plan overview") - 1
    assert 1 <= last - first + 1 <= 2
    text = " ".join(built.texts[page - 1] for page in range(first, last + 1))
    chapters = [o for o in built.outline if o.level == 0 and o.title != "Contents"]
    topics = [o for o in built.outline if o.level == 2 and re.match(r"\d+\.\d+ ", o.title)]
    assert topics
    for entry in [*chapters, *topics]:
        assert f"{flat(entry.title)} {entry.page}" in text, entry
    linked = {target for page in range(first, last + 1) for target in built.links(page)}
    assert {o.page for o in [*chapters, *topics]} <= linked


def test_each_drill_links_to_its_answer_and_back(built: Built) -> None:
    for number, week in enumerate(built.roadmap.weeks, 1):
        for index, drill_id in enumerate(week.drills, 1):
            drill = built.kb.drill(drill_id)
            exercise = built.page_of(f"Drill {number}.{index} {drill.title}")
            right = drill.letter(drill.right)
            words = drill.right.text.split("\\(")[0]  # the right choice's words up to any math
            assert flat(curly(f"{right} {words}")) in built.texts[exercise - 1]
            heading = f"Drill {number}.{index} · {drill.title}"
            answers = [p for p in built.links(exercise) if heading in built.texts[p - 1]]
            assert answers, f"no link from the drill on page {exercise} to its answer"
            answer = answers[0]
            assert f"Answer: {right}" in built.texts[answer - 1]
            assert exercise in built.links(answer)


def test_each_self_check_question_links_to_its_answer_and_back(built: Built) -> None:
    for number, week in enumerate(built.roadmap.weeks, 1):
        for index, topic_id in enumerate(week.topics, 1):
            topic = built.kb.topic(topic_id)
            question_page = built.page_of(f"{number}.{index} {topic.title}")
            for i, check in enumerate(schedule.self_checks(topic, built.kb.labels)):
                label = f"{number}.{index}{'abc'[i]}"
                pages = [p for p in range(question_page, question_page + 3) if label in built.texts[p - 1]]
                asked = pages[0]
                words = flat(check.answer.split("\\(")[0]).replace("*", "")  # the answer's words up to any math
                answered = [p for p in built.links(asked) if p > asked and f"{label} {words}" in built.texts[p - 1]]
                assert answered, f"question {label} has no link to its answer"
                assert asked in built.links(answered[0])


def test_only_the_first_three_cards_of_a_topic_become_questions(sprint: Built) -> None:
    text = " ".join(sprint.texts)
    assert "Why are attention scores divided by" in text
    assert "This fourth card is not a self-check question" not in text
    assert "scores are divided by __________ (a power of two)" in text  # a cloze becomes a blank with its hint


def test_checkboxes_are_form_fields_for_every_task(built: Built) -> None:
    fields_ = built.reader.get_fields() or {}
    assert all(field["/FT"] == "/Btn" for field in fields_.values())
    daily = built.roadmap.rhythm.daily
    for number, week in enumerate(built.roadmap.weeks, 1):
        names = [name for name in fields_ if name.startswith(f"w{number:02d}-")]
        assert len([n for n in names if "-goal-" in n]) == len(week.goals)
        assert len([n for n in names if "-routine-" in n]) == 7 * len(daily)
        assert len([n for n in names if "-read-" in n]) == len(week.topics)
        assert len([n for n in names if "-proof-" in n]) == len(week.proof.checklist)
        for drill_id in week.drills:
            choices = built.kb.drill(drill_id).choices
            assert len([n for n in names if f"-drill-{drill_id}-" in n]) == len(choices)
    widgets = [
        annot.get_object()["/T"]
        for page in built.reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object()["/Subtype"] == "/Widget"
    ]
    assert sorted(widgets) == sorted(fields_)


def all_fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Yield every font used by a page or by a form drawn on it."""
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    seen: set[tuple[int, int]] = set()
    while pending:
        resources = pending.pop()
        if resources is None:
            continue
        for font in resources.get("/Font", {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in resources.get("/XObject", {}).values():
            if xobject.objgen not in seen and xobject.get("/Subtype") == "/Form":
                seen.add(xobject.objgen)
                pending.append(xobject.get("/Resources"))


def test_fonts_are_embedded_and_the_pdf_is_well_formed(built: Built) -> None:
    with pikepdf.open(built.path) as pdf:
        assert pdf.check_pdf_syntax() == []
        found = list(all_fonts(pdf))
        assert found
        for font in found:
            assert "DejaVu" in str(font.BaseFont), font.BaseFont
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor, f"{font.BaseFont} is not embedded"


def test_pages_are_numbered_n_of_m_with_running_headers(built: Built) -> None:
    total = len(built.texts)
    for number, text in enumerate(built.texts[1:], 2):
        assert f"page {number} of {total}" in text
    for number, week in enumerate(built.roadmap.weeks, 1):
        page = built.page_of(f"Week {number} {week.focus}")
        assert f"Week {number} · {week.focus}" in built.texts[page]  # the page after the week opens


def test_dates_appear_with_a_start_date(steady: Built) -> None:
    text = " ".join(steady.texts)
    assert "Plan dates: 4 Mar – 24 Mar 2026" in steady.texts[0]
    for number, first in enumerate(["4 Mar – 10 Mar 2026", "11 Mar – 17 Mar 2026", "18 Mar – 24 Mar 2026"], 1):
        week = steady.roadmap.weeks[number - 1]
        assert f"Dates: {first}" in steady.texts[steady.page_of(f"Week {number} {week.focus}") - 1]
        assert first in steady.texts[steady.page_of("Plan overview") - 1]
    for day in ("Wed 4 Mar", "Sat 7 Mar", "Tue 10 Mar", "Tue 24 Mar"):
        assert day in text


def test_without_a_start_date_dates_are_blank_lines(sprint: Built) -> None:
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ [A-Z][a-z]{2}\b", " ".join(sprint.texts))
    assert (
        "Dates: ____________ to ____________" in sprint.texts[sprint.page_of("Week 1 Attention and the KV cache") - 1]
    )


def test_topics_are_spread_over_weekdays_and_weekend_tasks_over_the_weekend(kb: KnowledgeBase) -> None:
    roadmap = kb.roadmap_for(2)
    week = roadmap.weeks[0]
    days = schedule.days(roadmap, week, 1, START)
    assert [d.date for d in days] == [START + datetime.timedelta(days=n) for n in range(7)]
    weekend = [d for d in days if d.weekend]
    assert [d.date.weekday() for d in weekend if d.date] == [5, 6]
    assert [t for d in days for t in d.topics] == list(week.topics)
    assert all(not d.topics for d in weekend)
    assert [t for d in weekend for t in d.tasks] == list(roadmap.rhythm.weekend)
    assert [d.review for d in days] == [False] * 6 + [True]


def test_how_to_use_explains_studying_one_week_in_anki(sprint: Built) -> None:
    text = sprint.texts[sprint.page_of("How to use this workbook") - 1]
    assert "Tools > Create Filtered Deck" in text
    assert 'deck:"Workbook Fixture" tag:prep::sprint::week-02' in text
    assert re.search(r"1\. In Anki, choose Tools > Create Filtered Deck\. 2\. Search for .* 3\. Set its limit", text)
    # The pace that finishes this plan, the same figure the deck computes, and the filtered deck's size.
    pace = pace_for(sprint.kb, sprint.roadmap)
    assert pace.new_per_day > 0
    assert f"New cards/day {pace.new_per_day} and Maximum reviews/day {pace.reviews_per_day}" in text
    assert f"Set its limit to one day’s new cards ({pace.new_per_day})" in text
    for number, week in enumerate(sprint.roadmap.weeks, 1):
        page = sprint.texts[sprint.page_of(f"Week {number} {week.focus}") - 1]
        assert f"tag:prep::sprint::week-{number:02d}" in page


def test_a_one_week_plan_never_speaks_of_1_weeks(tmp_path: Path) -> None:
    kb = load_file(EXAMPLE).kb  # one week, two topics
    roadmap = kb.roadmap_for(1)
    built = open_built(kb, roadmap, build_workbook(kb, roadmap, tmp_path / "one.pdf", paper="a4", start=None))
    text = " ".join(built.texts)
    assert "Weeks: 1; topic readings: 2." in text
    assert f"one day’s new cards ({pace_for(kb, roadmap).new_per_day})" in text
    assert not re.search(r"\b1 (weeks|cards|topic readings)\b", text)


def test_misconceptions_table_repeats_its_header_when_it_splits(sprint: Built) -> None:
    first = sprint.page_of("Misconceptions")
    pages = [p for p in range(first, len(sprint.texts) + 1) if "fix is also a full sentence" in sprint.texts[p - 1]]
    assert len(pages) >= 2
    for page in pages:
        assert "What you see Why it happens What to do" in sprint.texts[page - 1]
    for item in sprint.kb.misconceptions:  # rows move to the next page whole rather than break mid-sentence
        fix = flat(item.fix.split("\\(")[0])
        assert any(fix in sprint.texts[p - 1] for p in [*pages, first]), item.id


def assert_no_stranded_heading(outline: list[Outline]) -> None:
    """Check that no heading ends a page: a few lines fit below each, and a week's topics and drills sections
    share the page of their first item (worksheet steps start new pages on purpose)."""
    bottom = 20 / 25.4 * 72  # the bottom margin
    for n, entry in enumerate(outline):
        if entry.level > 0:
            assert entry.top - bottom > 50, entry
        child = outline[n + 1] if n + 1 < len(outline) else None
        if child is not None and child.level == 2 and entry.title in ("Topics", "Drills", "Debugging drills"):
            assert child.page == entry.page, f"{entry.title!r} on page {entry.page}, its first item on {child.page}"


def test_no_heading_is_stranded_at_the_bottom_of_a_page(built: Built) -> None:
    assert_no_stranded_heading(built.outline)


def test_long_formulas_are_scaled_to_the_column(kb: KnowledgeBase) -> None:
    formula = DisplayFormula(kb.formula("long-loss-formula").latex, 12.5)
    assert formula.natural_width > 500
    width, height = formula.wrap(300, 800)
    assert width == 300
    assert 290 < formula.drawn_width <= 300
    assert height > 0


def test_the_same_source_builds_a_byte_identical_pdf(sprint: Built, tmp_path: Path) -> None:
    again = build_workbook(sprint.kb, sprint.roadmap, tmp_path / "again.pdf", paper="a4", start=None)
    assert again.path.read_bytes() == sprint.path.read_bytes()


def test_a_failed_build_leaves_the_last_good_file_untouched(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roadmap = kb.roadmap_for(2)
    out = tmp_path / "book.pdf"
    build_workbook(kb, roadmap, out, paper="a4", start=None)
    good = out.read_bytes()

    def fail(self: WorkbookDocument) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(WorkbookDocument, "afterPage", fail)
    with pytest.raises(RuntimeError):
        build_workbook(kb, roadmap, out, paper="letter", start=START)
    assert out.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


def test_a_character_the_fonts_lack_is_reported(kb: KnowledgeBase, tmp_path: Path) -> None:
    topic = replace(kb.topics[0], summary="Attention, explained with a smile 🙂.")
    odd = replace(kb, topics=(topic, *kb.topics[1:]))
    report = build_workbook(odd, odd.roadmap_for(2), tmp_path / "odd.pdf", paper="a4", start=None)
    assert report.missing_glyphs == ("🙂",)
    assert report.lines()[1] == "warning: odd.pdf: the fonts have no glyph for 🙂 (U+1F642); they print as boxes"


def printed_text(value: object, kind: str = "plain") -> Iterator[tuple[str, str]]:
    """Yield (text, face group) for every printed string of a model value: math removed, code set apart."""
    if isinstance(value, str):
        if kind == "markup":
            for block in markup.parse(value):
                lines = [block.spans] if isinstance(block, markup.Paragraph) else []
                lines += list(block.items) if isinstance(block, markup.ItemList) else []
                for span in (s for line in lines for s in line):
                    if span.kind != "math":
                        yield span.text, "mono" if span.kind == "code" else "sans"
        elif kind != "latex":
            yield value, "sans"
    elif isinstance(value, tuple):
        for item in value:
            yield from printed_text(item, kind)
    elif is_dataclass(value):
        hints = typing.get_type_hints(type(value), include_extras=True)
        for field in fields(value):
            yield from printed_text(getattr(value, field.name), _kind(hints[field.name]) or kind)


def _kind(hint: object) -> str | None:
    """Return the Kind name in a field's annotation (looking inside tuples), if any."""
    for arg in typing.get_args(hint):
        if isinstance(arg, Kind):
            return arg.name
        inner = _kind(arg)
        if inner:
            return inner
    return None


def test_every_character_of_the_default_source_has_a_glyph() -> None:
    kb = load_file(DEFAULT_SOURCE).kb
    faces = {"sans": fonts.FACES[:4], "mono": fonts.FACES[4:]}
    missing: dict[str, set[str]] = {}
    for text, group in printed_text(kb):
        for face in faces[group]:
            for char in fonts.missing(text, face):
                missing.setdefault(face, set()).add(char)
    assert missing == {}


def test_the_default_course_builds_with_every_glyph(tmp_path: Path) -> None:
    kb = load_file(DEFAULT_SOURCE).kb
    roadmap = max(kb.roadmaps, key=lambda r: len(r.weeks))
    report = build_workbook(kb, roadmap, tmp_path / "default.pdf", paper="letter", start=START)
    assert report.missing_glyphs == ()
    built = open_built(kb, roadmap, report)
    assert report.pages == len(built.reader.pages)
    assert [o.title for o in built.outline if o.level <= 1] == expected_chapters(kb, roadmap)
    assert_no_stranded_heading(built.outline)


def page_lines(reader: PdfReader, page: int) -> list[tuple[float, float, float, str]]:
    """Return the text lines of a page as (x, y, font size, text), using text positions."""
    rows: dict[int, list[tuple[float, float, str]]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = abs(tm[3] * cm[3]) or 1.0
            rows.setdefault(round(tm[5] * cm[3] + cm[5]), []).append((tm[4] * cm[0] + cm[4], size * scale, text))

    reader.pages[page - 1].extract_text(visitor_text=visit)
    found = []
    for y, parts in sorted(rows.items(), reverse=True):
        parts.sort()
        found.append((parts[0][0], float(y), max(p[1] for p in parts), flat(" ".join(p[2] for p in parts))))
    return found


def test_no_drill_is_split_from_its_writing_space(built: Built) -> None:
    drills = [o for o in built.outline if o.title.startswith("Drill ")]
    assert drills
    for page in sorted({o.page for o in drills}):
        text = built.texts[page - 1]
        on_page = sum(o.page == page for o in drills)
        assert text.count("Why, and the smallest fix") == on_page, page
        assert text.count("Check your answer") == on_page, page


def test_page_numbers_sit_on_the_outer_edge(built: Built) -> None:
    width = float(built.reader.pages[0].mediabox.width)
    for page in range(2, len(built.reader.pages) + 1):
        found: list[float] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            page: int = page,
            found: list[float] = found,
        ) -> None:
            if text.startswith(f"page {page} of"):
                found.append(tm[4] + cm[4])

        built.reader.pages[page - 1].extract_text(visitor_text=visit)
        assert found, page
        assert (found[0] > width / 2) == (page % 2 == 1), page


def test_body_lines_on_topic_pages_hold_60_to_80_characters(built: Built) -> None:
    lengths: list[int] = []
    for number in range(1, len(built.roadmap.weeks) + 1):
        opening = built.page_of(f"Week {number} {built.roadmap.weeks[number - 1].focus}")
        first = next(o.page for o in built.outline if o.title == "Topics" and o.page >= opening)
        last = next(o.page for o in built.outline if o.title == "Proof artifact" and o.page >= first)
        for page in range(first, last + 1):
            lengths += [len(text) for _, _, size, text in page_lines(built.reader, page) if size == pytest.approx(10)]
    lengths.sort()
    assert len(lengths) > 50
    p90 = lengths[int(len(lengths) * 0.9)]
    assert 60 <= p90 <= 80, p90


def test_the_workbook_uses_six_type_sizes_or_fewer(built: Built) -> None:
    sizes = {
        round(size, 1)
        for page in range(1, len(built.reader.pages) + 1)
        for _, _, size, _ in page_lines(built.reader, page)
    }
    assert len(sizes) <= 6, sorted(sizes)


def test_index_entries_point_at_their_pages(built: Built) -> None:
    first = built.page_of("Index")
    text = " ".join(built.texts[first - 1 :])
    linked = {target for page in range(first, len(built.reader.pages) + 1) for target in built.links(page)}
    for entry in (o for o in built.outline if o.level == 2 and re.match(r"\d+\.\d+ ", o.title)):
        title = back._filed_as(entry.title.split(" ", 1)[1], built.kb.labels.index_articles)
        match = re.search(re.escape(flat(title)) + r" ((?:\d+, )*\d+)", text)
        assert match, title
        assert entry.page in [int(n) for n in match.group(1).split(", ")], title
        assert entry.page in linked


def test_the_schedule_places_every_drill_and_the_proof_on_a_day(built: Built) -> None:
    for number, week in enumerate(built.roadmap.weeks, 1):
        days = schedule.days(built.roadmap, week, number, None, {d: built.kb.drill(d).topic for d in week.drills})
        assert sorted(d for day in days for d in day.drills) == sorted(week.drills)
        assert any(day.proof for day in days)
        plan_page = built.page_of("Plan and checklist") if number == 1 else None
        if plan_page is not None:
            text = " ".join(built.texts[plan_page - 1 : plan_page + 1])
            for index in range(1, len(week.drills) + 1):
                assert f"Drill {number}.{index}" in text


def test_checkboxes_are_at_least_4_mm(built: Built) -> None:
    for page in built.reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/FT") == "/Btn":
                left, _, right, _ = (float(v) for v in annot["/Rect"])
                assert right - left >= 4 / 25.4 * 72 - 0.01


def test_the_formula_quick_reference_is_one_page_with_every_formula(built: Built) -> None:
    first = built.page_of("Formula quick reference")
    following = min(o.page for o in built.outline if o.level == 0 and o.page > first)
    assert following == first + 1
    text = built.texts[first - 1]
    for formula_id in back.first_weeks_of(built.kb, built.roadmap):
        assert flat(curly(built.kb.formula(formula_id).name)) in text


def test_answer_key_headers_name_the_week_and_drills_on_the_page(built: Built) -> None:
    for number, week in enumerate(built.roadmap.weeks, 1):
        for index, drill_id in enumerate(week.drills, 1):
            title = built.kb.drill(drill_id).title
            pages = [
                p for p in range(built.page_of("Answer key"), len(built.texts) + 1)
                if f"Drill {number}.{index} · {flat(curly(title))}" in built.texts[p - 1]
            ]  # fmt: skip
            assert pages, title
            header = max(page_lines(built.reader, pages[0]), key=lambda line: line[1])[3]  # the topmost line
            assert f"Week {number}" in header and f"Drill {number}.{index}" in header, header


def test_typeset_formulas_are_cached_on_disk_and_a_damaged_entry_is_typeset_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(formulas.CACHE_ENV, str(tmp_path / "cache"))
    folder = formulas.use_cache()
    assert folder == tmp_path / "cache" / "formulas"
    try:
        latex = r"\frac{a_{cache}}{b} - 1"
        first = formulas._svg(latex, False)
        (entry,) = folder.rglob("*.svg")
        assert entry.read_text(encoding="utf-8") == first
        entry.write_text("<svg", encoding="utf-8")  # cut short, as by a crash mid-write
        assert formulas._svg(latex, False) == first
        assert entry.read_text(encoding="utf-8") == first
        assert formulas._svg(latex, True) != first  # inline (text style) is its own entry
        assert len(list(folder.rglob("*.svg"))) == 2
        monkeypatch.setenv(formulas.CACHE_ENV, "off")
        assert formulas.use_cache() is None
    finally:
        monkeypatch.delenv(formulas.CACHE_ENV)
        formulas.use_cache()


def test_word_subscripts_are_upright_and_a_leading_minus_is_a_sign() -> None:
    assert formulas.normalise(r"d_{model} + x_i") == r"d_{\mathrm{model}} + x_i"
    assert formulas.normalise(r"-\log p = (-x)") == r"{-}\log p = ({-}x)"
    assert formulas.normalise(r"a - b") == r"a - b"


def test_number_ranges_in_prose_get_an_en_dash_but_dates_and_names_do_not() -> None:
    assert curly("Read (1-2 hours), pp. 12-15.") == "Read (1\u20132 hours), pp. 12\u201315."
    for kept in ("2026-12-07", "GPT-4", "v1.2-3", "see a/1-2/b"):
        assert curly(kept) == kept


def _panel(rows: int, lines: int) -> Any:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from prepexport.workbook.flowables import BreakableTable

    fonts.register()
    style = ParagraphStyle("t", fontName=fonts.TEXT, fontSize=10, leading=12)
    cells = [[[Paragraph(" ".join(["word"] * 12), style) for _ in range(lines)]] for _ in range(rows)]
    table = BreakableTable(cells, colWidths=[200], frame_height=240, whole_rows=rows > 1)
    table.setStyle([("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    return table


def test_a_split_panel_leaves_no_empty_piece_and_breaks_only_between_blocks() -> None:
    from prepexport.workbook.flowables import _empty

    one = _panel(1, 40)
    _, height = one.wrap(200, 10_000)
    # Everything fits but the bottom padding: the padding must not become an empty piece on the next page.
    pieces = one.split(200, height - 3)
    assert pieces and not any(_empty(p) for p in pieces)
    blocks = _panel(4, 5)
    _, height = blocks.wrap(200, 10_000)
    pieces = blocks.split(200, height * 0.6)  # the third block would have to break inside
    assert [len(p._cellvalues) for p in pieces] == [2, 2]
    assert blocks.split(200, height / 4 * 0.7) == []  # a block moves whole, even with a third of a page left


def test_the_index_files_an_entry_without_its_leading_article() -> None:
    from prepexport.workbook.back import _filed_as

    assert _filed_as("The KV cache", ("The", "A")) == "KV cache, the"
    assert _filed_as("Die Warteschlange", ("Der", "Die")) == "Warteschlange, die"
    assert _filed_as("Theory of mind", ("The",)) == "Theory of mind"
    assert _filed_as("A", ("A",)) == "A"


def test_each_drill_answer_stays_on_one_page(built: Built) -> None:
    fix = built.kb.labels.smallest_fix
    for number, week in enumerate(built.roadmap.weeks, 1):
        for index, drill_id in enumerate(week.drills, 1):
            head = f"Drill {number}.{index} · {flat(curly(built.kb.drill(drill_id).title))}"
            page = next(t for t in built.texts[built.page_of("Answer key") - 1 :] if head in t)
            assert flat(curly(fix)) in page.split(head, 1)[1], f"the answer to {head} breaks over a page"


def test_the_index_files_topics_without_a_leading_article(built: Built) -> None:
    index = " ".join(built.texts[built.page_of("Index") - 1 :])
    for topic in built.kb.topics:
        head, _, rest = topic.title.partition(" ")
        if head == "The" and rest:
            assert f"{rest}, the" in index


def test_formula_drawings_are_cached_as_operators_and_a_damaged_entry_is_typeset_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(formulas.CACHE_ENV, str(tmp_path / "cache"))
    folder = formulas.use_cache()
    assert folder is not None
    latex = r"\sqrt{d_{k}} + \frac{q}{7}"
    fonts.register()
    try:
        formulas.render.cache_clear()
        formulas._FORM_CODE.clear()
        typeset = formulas.render(latex)
        assert typeset.drawing is not None
        (entry,) = folder.rglob("*.ops.json")
        formulas.render.cache_clear()
        formulas._FORM_CODE.clear()
        replayed = formulas.render(latex)
        assert replayed.drawing is None  # no SVG parsed: the operators and the size came from the cache
        assert (replayed.width, replayed.height, replayed.depth) == (typeset.width, typeset.height, typeset.depth)
        assert replayed.operators() == typeset.operators()
        entry.write_text("[1.0, 2", encoding="utf-8")  # cut short
        formulas.render.cache_clear()
        formulas._FORM_CODE.clear()
        again = formulas.render(latex)
        assert again.drawing is not None and again.operators() == typeset.operators()
    finally:
        formulas.render.cache_clear()
        formulas._FORM_CODE.clear()
        monkeypatch.delenv(formulas.CACHE_ENV)
        formulas.use_cache()


def test_math_is_spaced_as_tex_spaces_it() -> None:
    def width(latex: str) -> float:
        return formulas.render(latex, True).width

    # Binary operators take the space of + (not a hair's width), an accent no more room than its letter.
    plus = width("a + b") - width("a{+}b")  # a braced operator is an ordinary symbol, without its space
    assert plus > 4
    for operator in (r"\times", r"\cap", r"\cup", r"\cdot"):
        assert width(f"a {operator} b") - width(f"a{{{operator}}}b") == pytest.approx(plus, abs=0.3), operator
    assert width(r"\hat{y}") == pytest.approx(width("y"), abs=0.3)
    # A comma is followed by a thin space (a sixth of an em), not a thick one.
    assert width("i, j") - width("ij") < width(",") + 12 / 6 + 0.3
    # Scripts after a norm attach to it: the bars keep their size.
    assert formulas.render(r"\lVert w \rVert_2^2", True).height <= formulas.render("(w)_2^2", True).height


def test_prose_on_full_width_pages_keeps_to_80_characters(built: Built) -> None:
    words = built.kb.labels
    pages = {built.page_of(words.overview), built.page_of(words.formula_sheet), built.page_of(words.step_worksheets)}
    for number, week in enumerate(built.roadmap.weeks, 1):
        pages |= {built.page_of(f"Week {number} {week.focus}"), built.page_of_nth(words.review, number)}
    checked = [
        text for page in sorted(pages) for _, _, size, text in page_lines(built.reader, page) if size >= 9.9
    ]  # fmt: skip
    assert len(checked) > 10
    assert max(len(text) for text in checked) <= 80, max(checked, key=len)


def formula_sizes(path: Path, page: int) -> list[float]:
    """Return the size (points) each typeset formula on a page is drawn at, from the scale before its form."""
    sizes: list[float] = []
    with pikepdf.open(path) as pdf:
        scale = 1.0
        for instruction in pikepdf.parse_content_stream(pdf.pages[page - 1]):
            operands, operator = instruction.operands, instruction.operator
            if str(operator) == "cm" and float(operands[1]) == 0 and float(operands[4]) == 0 == float(operands[5]):
                scale = float(operands[0])
            elif str(operator) == "Do" and str(operands[0]).startswith("/FormXob.math"):
                sizes.append(scale * formulas.BASE_SIZE)
    return sizes


def test_no_formula_of_the_quick_reference_is_set_below_7_points(tmp_path: Path) -> None:
    kb = load_file(DEFAULT_SOURCE).kb
    roadmap = kb.roadmap_for(4)
    report = build_workbook(kb, roadmap, tmp_path / "four.pdf", paper="a4", start=None)
    built = open_built(kb, roadmap, report)
    sizes = formula_sizes(report.path, built.page_of("Formula quick reference"))
    assert len(sizes) == len(back.first_weeks_of(kb, roadmap))
    # Every formula at the size the table is set in (at least 7 points): a wide one spans both columns.
    assert min(sizes) >= 7 - 0.01 and max(sizes) - min(sizes) < 0.01, sorted(sizes)[:3]


def test_a_url_breaks_only_after_a_separator() -> None:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    from prepexport.workbook import text

    fonts.register()
    style = ParagraphStyle("r", fontName=fonts.TEXT, fontSize=8.5, leading=11, uriWasteReduce=0.3)
    url = "https://www.example.org/papers/confidential-computing-for-artificial-intelligence_overview?lang=en&v=2"
    shown_url = url.replace("&", "&amp;")
    para = Paragraph(f'[3] Some authors (2024). A title.<br/><a href="{shown_url}">{shown_url}</a>', style)
    para.wrap(170, 1000)
    lines = ["".join(w.text for w in line.words).strip() for line in para.blPara.lines]
    assert len(lines) > 2
    assert "".join(lines[1:]) == url
    for line in lines[1:-1]:
        assert line[-1] in text.URL_BREAKS, lines
    assert max(stringWidth(line, fonts.TEXT, 8.5) for line in lines) <= 170, lines


def test_a_week_of_hundreds_of_topics_lists_them_in_the_contents_over_several_pages(tmp_path: Path) -> None:
    """A week's topic list in the contents is no single unsplittable paragraph: it flows over pages."""
    count = 300
    topics = "".join(
        f"  - {{id: t{i}, title: A somewhat longer topic title number {i}, tier: 1, area: a, summary: S{i}.,"
        f" cards: [{{id: q{i}, question: Q{i}?, answer: A{i}.}}]}}\n"
        for i in range(count)
    )
    week = ", ".join(f"t{i}" for i in range(count))
    source = (
        "meta:\n  id: big-week\n  title: One big week\n  author: A. Author\n  deck: Big week\n"
        "  anki: {deck: 1900000300001, basic: 1900000300101, reversible: 1900000300102, cloze: 1900000300103,"
        " formula: 1900000300104, drill: 1900000300105, misconception: 1900000300106}\n"
        "areas:\n  - {id: a, title: Area}\ntopics:\n" + topics + "roadmaps:\n  - id: one\n    title: One week\n"
        "    audience: everyone\n    rhythm: {summary: Daily., daily: [Read]}\n"
        f"    weeks:\n      - focus: Everything\n        goals: [All]\n        topics: [{week}]\n"
        "        proof: {title: Proof, description: Done., checklist: [Done]}\n"
    )
    kb = load_bytes(source.encode(), "big.yaml", root=tmp_path).kb
    roadmap = kb.roadmaps[0]
    built = open_built(kb, roadmap, build_workbook(kb, roadmap, tmp_path / "big.pdf", paper="a4", start=None))
    first = next(n for n, text in enumerate(built.texts) if text.startswith("Contents"))
    overview = next(n for n, text in enumerate(built.texts) if text.startswith("Plan overview"))
    last = next(n for n, text in enumerate(built.texts) if f"1.{count} A somewhat longer topic title" in text)
    assert first < last < overview and overview - first >= 2  # the list went on over the contents' next page
