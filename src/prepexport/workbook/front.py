"""Front matter: cover, how to use the workbook, contents, and the plan overview."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from prepexport.course import labels, schedule, tags
from prepexport.course.pace import pace_for
from prepexport.workbook.context import Context, topic_key, week_key
from prepexport.workbook.flowables import BreakableTable, FillLines, Heading, page_number
from prepexport.workbook.fonts import MONO
from prepexport.workbook.styles import FAINT_RULE, ROW_RULES, header_table_style, table_style

BLANK = "_" * 14
MONO_TEXT = f'<font face="{MONO}">{{}}</font>'


def cover(ctx: Context) -> list[Flowable]:
    """Return the cover page (drawn on the cover template) and switch to the body template after it."""
    st, kb, roadmap, words = ctx.styles, ctx.kb, ctx.roadmap, ctx.labels
    meta = kb.meta
    weeks = len(roadmap.weeks)
    found: list[Flowable] = [Spacer(1, 34 * mm), Paragraph(ctx.text.plain(meta.title), st.cover_title)]
    if meta.subtitle:
        found.append(Paragraph(ctx.text.plain(meta.subtitle), st.cover_subtitle))
    found += [
        Spacer(1, 14 * mm),
        Paragraph(ctx.word(words.workbook, plan=ctx.text.plain(roadmap.title)), st.cover_plan),
        ctx.para(ctx.line(roadmap.audience, st.cover_text.fontSize), st.cover_text),
        Spacer(1, 4 * mm),
        Paragraph(_inventory(ctx), st.muted),
        Spacer(1, 14 * mm),
    ]
    if ctx.start is not None:
        last = ctx.start + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
        when = f"<b>{ctx.word(words.plan_dates)}</b> {ctx.text.plain(schedule.format_range(words, ctx.start, last))}"
    else:
        when = f"<b>{ctx.word(words.start_date)}</b> {BLANK}\u2003<b>{ctx.word(words.end_date)}</b> {BLANK}"
    found += [
        Paragraph(f"<b>{ctx.word(words.name)}</b> {BLANK * 2}", st.cover_text),
        Spacer(1, 5 * mm),
        Paragraph(when, st.cover_text),
        Spacer(1, 24 * mm),
    ]
    if meta.description:
        found += ctx.blocks(meta.description, st.muted)
    found += [
        Spacer(1, 4 * mm),
        Paragraph(ctx.text.plain(meta.author), st.muted),
    ]
    return found


def _inventory(ctx: Context) -> str:
    """Return a one-line count of what the plan holds, for the cover."""
    kb, roadmap, words = ctx.kb, ctx.roadmap, ctx.labels
    topics = {t for week in roadmap.weeks for t in week.topics}
    formulas = {f for week in roadmap.weeks for t in week.topics for f in kb.topic(t).formulas}
    formulas |= {f for week in roadmap.weeks for f in week.formulas}
    drills = {d for week in roadmap.weeks for d in week.drills}
    counts = [(len(roadmap.weeks), "week"), (len(topics), "topic"), (len(formulas), "formula"), (len(drills), "drill")]
    parts = [labels.count(words, noun, n) for n, noun in counts if n]
    return ctx.text.plain(" · ".join([*parts, words.answer_key.lower()]))


def how_to_use(ctx: Context) -> list[Flowable]:
    """Return the one-page guide: the daily rhythm, the week layout, and studying with the Anki deck."""
    st, kb, roadmap, words = ctx.styles, ctx.kb, ctx.roadmap, ctx.labels
    rhythm = roadmap.rhythm
    title = words.how_to_use
    example_week = min(2, len(roadmap.weeks))
    pace = pace_for(kb, roadmap)
    tag = MONO_TEXT.format(ctx.text.literal(tags.week_tag(tags.tag_root(kb), roadmap.id, 0)[:-2] + "NN"))
    search = MONO_TEXT.format(ctx.text.literal(anki_search(ctx, example_week)))
    layout = (
        (words.layout_checklist, words.layout_checklist_text),
        (words.layout_topics, words.layout_topics_text),
        (words.layout_drills, words.layout_drills_text),
        (words.layout_proof, words.layout_proof_text),
    )
    found: list[Flowable] = [
        ctx.heading(title, st.chapter, key="how-to", level=0, running=title),
        Paragraph(ctx.word(words.how_to_use_lead, plan=f"<b>{ctx.text.plain(roadmap.title)}</b>"), st.body),
        Paragraph(ctx.word(words.daily_rhythm), st.label),
        *ctx.blocks(rhythm.summary),
        _rhythm_table(ctx),
        Paragraph(ctx.word(words.week_layout), st.label),
        _bullets_plain(ctx, [f"<b>{ctx.word(lead)}</b> {ctx.word(text)}" for lead, text in layout]),
        Paragraph(ctx.word(words.with_deck), st.label),
        Paragraph(
            ctx.word(
                words.deck_pace_text,
                new=f"<b>{pace.new_per_day}</b>",
                reviews=f"<b>{pace.reviews_per_day}</b>",
            ),
            st.body,
        ),
        Paragraph(ctx.word(words.with_deck_text, deck=f"<b>{ctx.text.plain(kb.meta.deck)}</b>", tag=tag), st.body),
        _bullets_plain(
            ctx,
            [
                ctx.word(words.deck_step_1),
                ctx.word(words.deck_step_2, search=search, number=str(example_week)),
                ctx.word(words.deck_step_3, count=f"<b>{pace.new_per_day}</b>"),
            ],
            numbered=True,
        ),
        Paragraph(ctx.word(words.dates_and_boxes), st.label),
    ]
    if ctx.start is not None:
        last = ctx.start + datetime.timedelta(weeks=len(roadmap.weeks)) - datetime.timedelta(days=1)
        first_day = ctx.text.plain(schedule.format_day(words, ctx.start))
        last_day = ctx.text.plain(f"{schedule.format_day(words, last)} {last.year}")
        dated = ctx.word(words.dated, first=first_day, last=last_day)
    else:
        dated = ctx.word(words.undated, option=MONO_TEXT.format("--start YYYY-MM-DD"))
    found.append(Paragraph(f"{dated} {ctx.word(words.boxes)}", st.body))
    found += [
        Spacer(1, 6),
        FillLines(least=4, spacing=20, title=Paragraph(ctx.word(words.study_where), st.label), optional=True),
    ]
    return found


def _rhythm_table(ctx: Context) -> Flowable:
    """Return the daily and weekend routines side by side."""
    st, rhythm = ctx.styles, ctx.roadmap.rhythm
    words = ctx.labels
    columns = [(words.every_day, rhythm.daily)] + ([(words.at_weekend, rhythm.weekend)] if rhythm.weekend else [])
    head = [Paragraph(ctx.word(name), st.cell_head) for name, _ in columns]
    body = [[_bullets(ctx, items) for _, items in columns]]
    width = ctx.frame_width / len(columns)
    table = Table([head, *body], colWidths=[width] * len(columns))
    table.setStyle(
        header_table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, FAINT_RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        )
    )
    return table


def anki_search(ctx: Context, week: int) -> str:
    """Return the Anki search that finds one week's cards of this plan in the course's deck."""
    return f'deck:"{ctx.kb.meta.deck}" tag:{schedule.week_tag(ctx.kb, ctx.roadmap, week)}'


def _bullets(ctx: Context, items: tuple[str, ...], style: ParagraphStyle | None = None) -> Flowable:
    style = style or ctx.styles.body
    return ctx.text.bullets([ctx.para(ctx.line(item, style.fontSize), style) for item in items])


def _bullets_plain(ctx: Context, items: list[str], *, numbered: bool = False) -> Flowable:
    return ctx.text.bullets([Paragraph(item, ctx.styles.body) for item in items], numbered=numbered)


def contents(ctx: Context, headings: list[Heading]) -> list[Flowable]:
    """Return the contents: every chapter with its page, and under each week its topics with theirs."""
    st = ctx.styles
    rows: list[list[Flowable | str]] = []
    topics: list[str] = []

    def run_of_lines(entries: list[str], style: ParagraphStyle) -> None:
        # Not a spanned cell: reportlab sizes a spanned row by its first cell's width and overprints. A long
        # list goes into several rows of a few lines each, so the contents breaks between them across pages.
        for chunk in _chunks(entries):
            rows.append([ctx.para("\u2003·\u2003".join(chunk), style), ""])

    def close_week() -> None:
        if topics:
            run_of_lines(topics, st.toc[1])
            topics.clear()

    chapters = [h for h in headings if h.level == 0 and h.contents]
    weeks = [n for n, h in enumerate(chapters) if h.key.startswith("week-")]
    back = chapters[weeks[-1] + 1 :] if weeks else []
    for heading in headings:
        if heading in back:
            continue
        if heading.level == 0 and heading.contents:
            close_week()
            title = f'<a href="#{heading.key}">{ctx.text.plain(heading.title)}</a>'
            rows.append([ctx.para(title, st.toc[0]), ctx.para(page_number(heading.key), st.toc_page)])
        elif heading.listed:
            words = f"{ctx.text.plain(heading.label)}\u00a0{ctx.text.plain(heading.plain_title)}"
            link = f'<a href="#{heading.key}">{words}</a>'
            topics.append(f"{link}\u00a0{page_number(heading.key, muted=True)}")
    close_week()
    if back:
        # The back matter on one run of lines, so the contents stays within its pages.
        entries = [f'<a href="#{h.key}">{ctx.text.plain(h.title)}</a>\u00a0{page_number(h.key)}' for h in back]
        run_of_lines(entries, st.toc[0])
    table = Table(rows, colWidths=[ctx.frame_width - 16 * mm, 16 * mm])
    table.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        )
    )
    words = ctx.labels.contents
    title = Heading(ctx.word(words), st.contents_title, key="contents", level=0, title=words, contents=False)
    title.running = words
    return [title, table]


#: About how many characters of markup one row of the contents' runs of lines holds (a few printed lines).
_CHUNK = 1500


def _chunks(entries: list[str]) -> Iterator[list[str]]:
    """Split a run of entries into rows of a few lines each; an entry is never split."""
    chunk: list[str] = []
    size = 0
    for entry in entries:
        if chunk and size + len(entry) > _CHUNK:
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += len(entry)
    if chunk:
        yield chunk


def overview(ctx: Context) -> list[Flowable]:
    """Return the plan overview: one table row per week with dates, focus, key topics and proof artifact."""
    st, kb, roadmap, words = ctx.styles, ctx.kb, ctx.roadmap, ctx.labels
    title = words.overview
    columns = (words.week, words.dates, words.focus, words.key_topics, words.proof)
    head = [Paragraph(ctx.word(t), st.cell_head) for t in columns]
    rows: list[list[Flowable]] = [head]
    for number, week in enumerate(roadmap.weeks, 1):
        span = schedule.week_range(words, ctx.start, number)
        dates = ctx.text.plain(span) if span else f"{'_' * 9}<br/>{ctx.word(words.date_to)} {'_' * 9}"
        chosen, others = schedule.key_topics(kb, week)
        topics = "<br/>".join(
            f'•\u00a0<a href="#{topic_key(number, t.id)}">{ctx.text.plain(t.title)}</a>' for t in chosen
        )
        if others:
            topics += f"<br/><i>{ctx.word(words.more_topics, count=str(others))}</i>"
        rows.append(
            [
                Paragraph(f'<a href="#{week_key(number)}"><b>{number}</b></a>', st.cell),
                Paragraph(dates, st.cell),
                ctx.para(f"<b>{ctx.text.plain(week.focus)}</b><br/>{ctx.page(week_key(number))}", st.cell),
                Paragraph(topics, st.cell),
                ctx.para(ctx.text.plain(week.proof.title), st.cell),
            ]
        )
    table = BreakableTable(
        rows, colWidths=_fractions(ctx, (0.09, 0.14, 0.25, 0.28, 0.24)), repeatRows=1, frame_height=ctx.frame_height
    )
    table.setStyle(
        header_table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ROW_RULES,
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        )
    )
    found: list[Flowable] = [
        ctx.heading(title, st.chapter, key="overview", level=0, running=title),
        Paragraph(
            ctx.word(
                words.overview_lead,
                weeks=str(len(roadmap.weeks)),
                readings=str(sum(len(w.topics) for w in roadmap.weeks)),
            ),
            ctx.prose(),
        ),
        Paragraph(ctx.word(words.rhythm), st.label),
        *ctx.blocks(roadmap.rhythm.summary, ctx.prose()),
        Spacer(1, 4),
        table,
    ]
    return found


def _fractions(ctx: Context, parts: tuple[float, ...]) -> list[float]:
    """Turn fractions of the text width into column widths."""
    return [ctx.frame_width * p for p in parts]
