"""Front matter: cover, how to use the workbook, contents, and the plan overview."""

from __future__ import annotations

import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from prepexport.course import schedule
from prepexport.course.pace import pace_for
from prepexport.workbook.context import Context, topic_key, week_key
from prepexport.workbook.flowables import BreakableTable, FillLines, Heading, page_number, page_ref
from prepexport.workbook.fonts import MONO
from prepexport.workbook.styles import FAINT_RULE, ROW_RULES, header_table_style, table_style

BLANK = "_" * 14


def cover(ctx: Context) -> list[Flowable]:
    """Return the cover page (drawn on the cover template) and switch to the body template after it."""
    st, kb, roadmap = ctx.styles, ctx.kb, ctx.roadmap
    meta = kb.meta
    weeks = len(roadmap.weeks)
    found: list[Flowable] = [Spacer(1, 34 * mm), Paragraph(ctx.text.plain(meta.title), st.cover_title)]
    if meta.subtitle:
        found.append(Paragraph(ctx.text.plain(meta.subtitle), st.cover_subtitle))
    found += [
        Spacer(1, 14 * mm),
        Paragraph(f"{ctx.text.plain(roadmap.title)} · workbook", st.cover_plan),
        ctx.para(ctx.line(roadmap.audience, st.cover_text.fontSize), st.cover_text),
        Spacer(1, 4 * mm),
        Paragraph(_inventory(ctx), st.muted),
        Spacer(1, 14 * mm),
    ]
    if ctx.start is not None:
        last = ctx.start + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
        when = f"<b>Plan dates:</b> {schedule.format_range(ctx.start, last)}"
    else:
        when = f"<b>Start date:</b> {BLANK}\u2003<b>End date:</b> {BLANK}"
    found += [
        Paragraph(f"<b>Name:</b> {BLANK * 2}", st.cover_text),
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
    kb, roadmap = ctx.kb, ctx.roadmap
    topics = {t for week in roadmap.weeks for t in week.topics}
    formulas = {f for week in roadmap.weeks for t in week.topics for f in kb.topic(t).formulas}
    formulas |= {f for week in roadmap.weeks for f in week.formulas}
    drills = {d for week in roadmap.weeks for d in week.drills}
    counts = [(len(roadmap.weeks), "week"), (len(topics), "topic"), (len(formulas), "formula"), (len(drills), "drill")]
    parts = [f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts if n]
    return " · ".join([*parts, "answer key"])


def how_to_use(ctx: Context) -> list[Flowable]:
    """Return the one-page guide: the daily rhythm, the week layout, and studying with the Anki deck."""
    st, kb, roadmap = ctx.styles, ctx.kb, ctx.roadmap
    rhythm = roadmap.rhythm
    title = "How to use this workbook"
    example_week = min(2, len(roadmap.weeks))
    pace = pace_for(kb, roadmap)
    found: list[Flowable] = [
        ctx.heading(title, st.chapter, key="how-to", level=0, running=title),
        Paragraph(
            f"This workbook walks you through the <b>{ctx.text.plain(roadmap.title)}</b>, one week at a time. "
            "Print it, keep it on your desk, and work in it with a pen.",
            st.body,
        ),
        Paragraph("The daily rhythm", st.label),
        *ctx.blocks(rhythm.summary),
        _rhythm_table(ctx),
        Paragraph("How a week is laid out", st.label),
        _bullets_plain(
            ctx,
            [
                "<b>Goals and checklist:</b> a grid for the daily routine, and the week's topics spread over "
                "the days with their page numbers.",
                "<b>Topics:</b> summary, key points, formulas with a symbol legend and a worked example, and "
                "self-check questions; each question links to its answer in the answer key.",
                "<b>Debugging drills:</b> tick the layer you think failed, write why and the smallest fix, then "
                "check the answer key.",
                "<b>Proof artifact, notes and review:</b> something you make to show you can do it, room to "
                "write, and what to revisit next week.",
            ],
        ),
        Paragraph("With the Anki deck", st.label),
        Paragraph(
            "Import the deck, then set its pace once, in the deck's options under <b>Daily limits</b>: "
            f"<b>New cards/day</b> <b>{pace.new_per_day}</b> and <b>Maximum reviews/day</b> "
            f"<b>{pace.reviews_per_day}</b>. New cards then arrive in this plan's order, the last ones in its "
            "last week.",
            st.body,
        ),
        Paragraph(
            f"The Anki deck <b>{ctx.text.plain(kb.meta.deck)}</b> is built from the same source, and the "
            "self-check questions here are drawn from its cards. Review the cards that are due every day. Every "
            f'note is tagged with the weeks that cover it, <font face="{MONO}">prep::{roadmap.id}::week-NN</font>, '
            "so you can study just one week:",
            st.body,
        ),
        _bullets_plain(
            ctx,
            [
                "In Anki, choose <b>Tools &gt; Create Filtered Deck</b>.",
                f'Search for <font face="{MONO}">{ctx.text.literal(anki_search(ctx, example_week))}</font> '
                f"(here, week {example_week}); each week's first page prints its own search.",
                f"Limit it to <b>{pace.new_per_day}</b> cards (one day's new cards), set the order to "
                "<b>Order due</b> and build. Next week, change the week in the search and "
                "<b>Rebuild</b>. A filtered deck only borrows cards: deleting it sends them home.",
            ],
            numbered=True,
        ),
        Paragraph("Dates, boxes and links", st.label),
    ]
    if ctx.start is not None:
        last = ctx.start + datetime.timedelta(weeks=len(roadmap.weeks)) - datetime.timedelta(days=1)
        dated = f"This plan runs from {schedule.format_day(ctx.start)} to {schedule.format_day(last)} {last.year}."
    else:
        dated = (
            "Write the dates on the blank lines as you start each week, or rebuild the workbook with "
            f'<font face="{MONO}">--start YYYY-MM-DD</font> to print them.'
        )
    found.append(
        Paragraph(
            f"{dated} The boxes print as squares for a pen; in a PDF viewer that fills forms you can also tick "
            "them on screen and save the file. On screen, the contents, the bookmarks and every blue page "
            "number are links.",
            st.body,
        )
    )
    found += [
        Spacer(1, 6),
        FillLines(least=4, spacing=20, title=Paragraph("When and where I will study", st.label), optional=True),
    ]
    return found


def _rhythm_table(ctx: Context) -> Flowable:
    """Return the daily and weekend routines side by side."""
    st, rhythm = ctx.styles, ctx.roadmap.rhythm
    columns = [("Every day", rhythm.daily)] + ([("At the weekend", rhythm.weekend)] if rhythm.weekend else [])
    head = [Paragraph(name, st.cell_head) for name, _ in columns]
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

    def close_week() -> None:
        if topics:
            # Not a spanned cell: reportlab sizes a spanned row by its first cell's width and overprints.
            rows.append([ctx.para("\u2003·\u2003".join(topics), st.toc[1]), ""])
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
        rows.append([ctx.para("\u2003·\u2003".join(entries), st.toc[0]), ""])
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
    title = Heading("Contents", st.contents_title, key="contents", level=0, title="Contents", contents=False)
    title.running = "Contents"
    return [title, table]


def overview(ctx: Context) -> list[Flowable]:
    """Return the plan overview: one table row per week with dates, focus, key topics and proof artifact."""
    st, kb, roadmap = ctx.styles, ctx.kb, ctx.roadmap
    title = "Plan overview"
    head = [Paragraph(t, st.cell_head) for t in ("Week", "Dates", "Focus", "Key topics", "Proof artifact")]
    rows: list[list[Flowable]] = [head]
    for number, week in enumerate(roadmap.weeks, 1):
        span = schedule.week_range(ctx.start, number)
        dates = span if span else f"{'_' * 9}<br/>to {'_' * 9}"
        chosen, others = schedule.key_topics(kb, week)
        topics = "<br/>".join(
            f'•\u00a0<a href="#{topic_key(number, t.id)}">{ctx.text.plain(t.title)}</a>' for t in chosen
        )
        if others:
            topics += f"<br/><i>and {others} more on the week's pages</i>"
        rows.append(
            [
                Paragraph(f'<a href="#{week_key(number)}"><b>{number}</b></a>', st.cell),
                Paragraph(dates, st.cell),
                ctx.para(f"<b>{ctx.text.plain(week.focus)}</b><br/>{page_ref(week_key(number))}", st.cell),
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
            f"{len(roadmap.weeks)} weeks, {sum(len(w.topics) for w in roadmap.weeks)} topic readings. Key topics "
            "are the core ones of each week; the week's own pages list them all.",
            st.body,
        ),
        Paragraph("Rhythm", st.label),
        *ctx.blocks(roadmap.rhythm.summary),
        Spacer(1, 4),
        table,
    ]
    return found


def _fractions(ctx: Context, parts: tuple[float, ...]) -> list[float]:
    """Turn fractions of the text width into column widths."""
    return [ctx.frame_width * p for p in parts]
