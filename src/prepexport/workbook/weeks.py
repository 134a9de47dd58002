"""One chapter per week: goals and checklist, topics, drills, proof artifact, notes and review."""

from __future__ import annotations

import itertools

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import HRFlowable

from prepexport.course import schedule
from prepexport.model import Drill, Formula, Topic, Week
from prepexport.workbook.context import (
    Context,
    answer_key,
    drill_answer_key,
    drill_key,
    formula_key,
    question_key,
    question_label,
    reference_key,
    topic_key,
    week_key,
)
from prepexport.workbook.flowables import (
    BreakableTable,
    CheckBox,
    CheckItem,
    DotGrid,
    FillLines,
    RuledLines,
    WritingBlock,
    anchor,
    page_ref,
)
from prepexport.workbook.formulas import DisplayFormula
from prepexport.workbook.front import anki_search
from prepexport.workbook.styles import (
    ACCENT,
    BODY,
    FAINT_RULE,
    MATH_SIZE,
    ROW_RULES,
    RULE,
    SHADE,
    WIDE,
    centred,
    header_table_style,
    loose,
    table_style,
)

TIERS = {1: "Tier 1 · core", 2: "Tier 2 · common in production", 3: "Tier 3 · advanced"}
MONO = '<font face="DejaVuSansMono">{}</font>'
LINE = 20.0  # writing-line spacing (7 mm)
ANSWER_LINES = 2  # under each self-check question
DRILL_LINES = 8  # the least writing space under a drill


def week_chapter(ctx: Context, number: int, week: Week) -> list[Flowable]:
    """Return the whole chapter of one week (it starts on a full-width page, see build_story)."""
    ctx.use(WIDE)
    found: list[Flowable] = [*_opening(ctx, number, week), *_checklist(ctx, number, week)]
    found += [NextPageTemplate(ctx.use(BODY)), PageBreak()]
    found += _topics(ctx, number, week)
    if week.drills:
        found += _drills(ctx, number, week)
    found += _proof(ctx, number, week)
    found += [NextPageTemplate(ctx.use(WIDE)), PageBreak()]
    found += _notes(ctx, number)
    found += [PageBreak()]
    found += _review(ctx, number, week)
    return found


def _opening(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    running = f"Week {number} · {week.focus}"
    span = schedule.week_range(ctx.start, number)
    dates = f"<b>Dates:</b> {span}" if span else f"<b>Dates:</b> {'_' * 12} to {'_' * 12}"
    search = MONO.format(ctx.text.literal(anki_search(ctx, number)).replace(" ", "\u00a0"))
    found: list[Flowable] = [
        ctx.heading(week.focus, st.chapter, key=week_key(number), level=0, running=running, prefix=f"Week {number}"),
        Paragraph(dates, st.muted),
        Paragraph(f"<b>This week's cards in Anki</b> (Tools &gt; Create Filtered Deck):<br/>{search}", st.muted),
        Spacer(1, 6),
        Paragraph("Goals", st.label),
    ]
    for i, goal in enumerate(week.goals, 1):
        found.append(CheckItem(f"w{number:02d}-goal-{i}", ctx.para(ctx.line(goal), st.body), tooltip="goal reached"))
    return found


def _checklist(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st, roadmap = ctx.styles, ctx.roadmap
    days = schedule.days(roadmap, week, number, ctx.start, {d: ctx.kb.drill(d).topic for d in week.drills})
    found: list[Flowable] = [
        ctx.heading("Plan and checklist", st.section, key=week_key(number, "plan"), level=1, contents=False),
        Paragraph("Every day", st.label),
    ]
    day_width = 13.5 * mm
    head: list[Flowable | str] = [Paragraph("Routine", st.cell_head)]
    for day in days:
        label = schedule.format_day(day.date).replace(" ", "<br/>", 1) if day.date else f"Day {day.number}"
        head.append(Paragraph(label, centred(st.cell_head)))
    rows: list[list[Flowable | str]] = [head]
    for t, task in enumerate(roadmap.rhythm.daily, 1):
        row: list[Flowable | str] = [ctx.para(ctx.line(task, st.cell.fontSize), st.cell)]
        row += [CheckBox(f"w{number:02d}-d{d.number}-routine-{t}", tooltip="done") for d in days]
        rows.append(row)
    grid = Table(rows, colWidths=[ctx.frame_width - 7 * day_width] + [day_width] * 7, repeatRows=1)
    grid.setStyle(
        header_table_style(
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (1, 0), (-1, -1), 1),
            ("RIGHTPADDING", (1, 0), (-1, -1), 1),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ROW_RULES,
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        )
    )
    # The label may not keep with the whole table (it would carry it to the next page): rows split, it stays.
    found += [grid, Spacer(1, 4), CondPageBreak(90), Paragraph("Day by day", loose(st.label))]
    plan_rows: list[list[Flowable | str | list[Flowable]]] = []
    for day in days:
        when = schedule.format_day(day.date) if day.date else f"{'_' * 5}/{'_' * 5}"
        extra = "<br/><i>weekend</i>" if day.weekend else ""
        label = Paragraph(f"<b>Day {day.number}</b><br/>{when}{extra}", st.cell)
        plan_rows.append([label, _day_items(ctx, number, week, day)])
    table = BreakableTable(plan_rows, colWidths=[24 * mm, ctx.frame_width - 24 * mm], frame_height=ctx.frame_height)
    table.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, FAINT_RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        )
    )
    # Whatever the page has left under the plan becomes writing space rather than blank paper.
    reminders = Paragraph("Questions and reminders for this week", st.label)
    found += [table, Spacer(1, 8), FillLines(least=4, spacing=LINE, title=reminders, optional=True)]
    return found


def _day_items(ctx: Context, number: int, week: Week, day: schedule.Day) -> list[Flowable]:
    st = ctx.styles
    items: list[Flowable] = []
    prefix = f"w{number:02d}-d{day.number}"
    for topic_id in day.topics:
        topic = ctx.kb.topic(topic_id)
        label = f"{number}.{week.topics.index(topic_id) + 1}"
        checks = " and answer its self-check" if schedule.self_checks(topic) else ""
        text = (
            f'Read <a href="#{topic_key(number, topic_id)}"><b>{label}</b> {ctx.text.plain(topic.title)}</a>'
            f'{checks}\u2002<font color="#5b6673">{page_ref(topic_key(number, topic_id))}</font>'
        )
        items.append(CheckItem(f"{prefix}-read-{topic_id}", ctx.para(text, st.cell), tooltip="read"))
    for drill_id in day.drills:
        drill = ctx.kb.drill(drill_id)
        key = drill_key(number, drill_id)
        text = (
            f'Work <a href="#{key}"><b>Drill {number}.{week.drills.index(drill_id) + 1}</b> '
            f"{ctx.text.plain(drill.title)}</a>\u2002{page_ref(key)}"
        )
        items.append(CheckItem(f"{prefix}-drill-{drill_id}", ctx.para(text, st.cell), tooltip="drill done"))
    if day.proof:
        key = week_key(number, "proof")
        text = (
            f'Work on the <a href="#{key}">proof artifact</a>: {ctx.text.plain(week.proof.title)}\u2002{page_ref(key)}'
        )
        items.append(CheckItem(f"{prefix}-proof", ctx.para(text, st.cell), tooltip="worked on the proof artifact"))
    for t, task in enumerate(day.tasks, 1):
        items.append(CheckItem(f"{prefix}-weekend-{t}", ctx.para(ctx.line(task, st.cell.fontSize), st.cell)))
    if day.review:
        review = week_key(number, "review")
        text = f'<a href="#{review}">End-of-week review</a>\u2002{page_ref(review)}'
        items.append(CheckItem(f"{prefix}-review", ctx.para(text, st.cell), tooltip="review done"))
    if not items:
        items.append(
            CheckItem(f"{prefix}-catch-up", Paragraph("Catch up, or re-read the topic you found hardest", st.cell))
        )
    return items


def _topics(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    # The section heading travels with its first topic, so it can never end a page on its own.
    lead: list[Flowable] = [ctx.heading("Topics", st.section, key=week_key(number, "topics"), level=1, contents=False)]
    found: list[Flowable] = []
    shown: set[str] = set()  # formulas already explained this week
    for index, topic_id in enumerate(week.topics, 1):
        found += _topic(ctx, number, index, ctx.kb.topic(topic_id), shown, lead if index == 1 else [])
    extra = schedule.week_formulas(ctx.kb, week)
    if extra:
        found += [CondPageBreak(50 * mm), Paragraph("More formulas this week", st.item)]
        for formula_id in extra:
            found.append(_formula_panel(ctx, ctx.kb.formula(formula_id), formula_key(number, formula_id)))
    return found


def _topic(
    ctx: Context, number: int, index: int, topic: Topic, shown: set[str], lead: list[Flowable]
) -> list[Flowable]:
    st, kb = ctx.styles, ctx.kb
    area = kb.area(topic.area).title
    rule = HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=6, spaceAfter=6)
    head: list[Flowable] = [
        *lead,
        *([rule] if index > 1 else []),
        ctx.heading(
            topic.title,
            st.topic,
            key=topic_key(number, topic.id),
            level=2,
            contents=False,
            prefix=f"{number}.{index}",
            listed=True,
        ),
        Paragraph(f"{ctx.text.plain(area)} · {TIERS[topic.tier]}", st.muted),
        Spacer(1, 3),
    ]
    summary = ctx.blocks(topic.summary)
    found: list[Flowable] = [CondPageBreak(40 * mm + 20 * len(lead)), KeepTogether(head + summary[:1]), *summary[1:]]
    if topic.key_points:
        points = [ctx.para(ctx.line(p), st.body) for p in topic.key_points]
        found += [KeepTogether([Paragraph("Key points", st.label), ctx.text.bullets(points)])]
    for formula_id in topic.formulas:
        if formula_id in shown:
            found.append(_formula_reminder(ctx, kb.formula(formula_id), formula_key(number, formula_id)))
        else:
            found.append(_formula_panel(ctx, kb.formula(formula_id), formula_key(number, formula_id)))
            shown.add(formula_id)
    checks = schedule.self_checks(topic)
    if checks:
        questions: list[list[Flowable]] = []
        for i, check in enumerate(checks):
            label = question_label(number, index, i)
            target = answer_key(number, topic.id, i)
            words = f"<i>{ctx.text.plain(check.lead)}</i> " if check.lead else ""
            text = (
                f'{anchor(question_key(number, topic.id, i))}<a href="#{target}"><b>{label}</b></a>\u2002'
                f"{words}{ctx.line(check.question)}\u2002"
                f'<font color="#5b6673" size="8.5">answer {page_ref(target)}</font>'
            )
            questions.append([ctx.para(text, st.hanging), RuledLines(ANSWER_LINES, LINE, indent=30)])
        # Each question keeps its answer lines; the label keeps with the first (KeepTogethers must not nest).
        questions[0].insert(0, Paragraph("Self-check", st.label))
        found += [KeepTogether(question) for question in questions]
    if topic.references:
        refs = ", ".join(_reference_link(ctx, r) for r in topic.references)
        found.append(ctx.para(f"<b>Further reading:</b> {refs}", st.muted))
    return found


def _reference_link(ctx: Context, reference_id: str) -> str:
    ref = ctx.kb.reference(reference_id)
    number = ctx.kb.references.index(ref) + 1
    first = ref.authors.split(",")[0].strip()
    return f'<a href="#{reference_key(reference_id)}">[{number}] {ctx.text.plain(first)} {ref.year}</a>'


def _formula_panel(ctx: Context, formula: Formula, key: str) -> Flowable:
    """Return a shaded panel: name, the typeset formula, meaning, symbol legend and worked example."""
    st = ctx.styles
    inner = ctx.frame_width - 16
    legend_rows = [
        [ctx.para(ctx.text.math(s.symbol), st.cell), ctx.para(ctx.line(s.meaning, st.cell.fontSize), st.cell)]
        for s in formula.symbols
    ]
    legend = Table(legend_rows, colWidths=[inner * 0.24, inner * 0.76])
    legend.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, FAINT_RULE),
        )
    )
    parts: list[Flowable] = [
        ctx.para(f"{anchor(key)}<b>{ctx.text.plain(formula.name)}</b>", st.body),
        DisplayFormula(formula.latex, MATH_SIZE, space=5),
        *ctx.blocks(formula.meaning),
        Paragraph("Symbols", st.label),
        legend,
        Paragraph("Worked example", st.label),
        *ctx.blocks(formula.example),
    ]
    if formula.references:
        refs = ", ".join(_reference_link(ctx, r) for r in formula.references)
        parts.append(ctx.para(f"Source: {refs}", st.muted))
    panel = BreakableTable([[parts]], colWidths=[ctx.frame_width], frame_height=ctx.frame_height)
    panel.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LINEBEFORE", (0, 0), (0, -1), 2, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        )
    )
    panel.spaceBefore = 6
    panel.spaceAfter = 6
    return panel


def _formula_reminder(ctx: Context, formula: Formula, key: str) -> Flowable:
    """Return a formula already explained this week: its name, a link back and the formula alone."""
    st = ctx.styles
    where = f'<font size="8.5">symbols and worked example on {page_ref(key)}</font>'
    name = f"<b>{ctx.text.plain(formula.name)}</b>\u2002{where}"
    return KeepTogether([Spacer(1, 4), ctx.para(name, st.body), DisplayFormula(formula.latex, MATH_SIZE, space=3)])


def _drills(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    lead: list[Flowable] = [
        ctx.heading("Debugging drills", st.section, key=week_key(number, "drills"), level=1, contents=False),
        Paragraph(
            "Read the scenario, tick the layer you think failed, and write why and the smallest fix. "
            "Then check the answer key.",
            st.body,
        ),
    ]
    blocks = [
        _drill(ctx, number, index, ctx.kb.drill(d), lead if index == 1 else [])
        for index, d in enumerate(week.drills, 1)
    ]
    for block, following in itertools.pairwise(blocks):
        block.following = following
    return [item for block in blocks for item in (block, Spacer(1, 10))]


def _drill(ctx: Context, number: int, index: int, drill: Drill, lead: list[Flowable]) -> WritingBlock:
    """Return one drill with its writing space, always whole on one page."""
    st = ctx.styles
    topic = ctx.kb.topic(drill.topic)
    target = drill_answer_key(number, drill.id)
    about = f"Topic: {ctx.text.plain(topic.title)}"
    if drill.topic in ctx.roadmap.weeks[number - 1].topics:
        about += f" ({page_ref(topic_key(number, drill.topic))})"
    scenario = Table([[ctx.blocks(drill.scenario)]], colWidths=[ctx.frame_width])
    scenario.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        )
    )
    block: list[Flowable] = [
        *lead,
        ctx.heading(
            drill.title,
            st.item,
            key=drill_key(number, drill.id),
            level=2,
            contents=False,
            prefix=f"Drill {number}.{index}",
        ),
        ctx.para(about, st.muted),
        Spacer(1, 3),
        scenario,
        Spacer(1, 4),
        ctx.para(f"<b>{ctx.line(drill.question)}</b>", st.body),
    ]
    for choice in drill.shown_choices:
        letter = drill.letter(choice)
        text = ctx.para(f"<b>{letter}</b>\u2002{ctx.line(choice.text)}", st.body)
        block.append(CheckItem(f"w{number:02d}-drill-{drill.id}-{choice.key}", text, tooltip=f"choice {letter}"))
    block.append(Paragraph("Why, and the smallest fix", st.label))
    link = ctx.para(f'<a href="#{target}">Check your answer</a> → answer key, {page_ref(target)}', st.muted)
    return WritingBlock(block, [link], least=DRILL_LINES, most=DRILL_LINES * 3, spacing=LINE)


def _proof(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    proof = week.proof
    found: list[Flowable] = [
        CondPageBreak(60 * mm),
        ctx.heading("Proof artifact", st.section, key=week_key(number, "proof"), level=1, contents=False),
        Paragraph(ctx.text.plain(proof.title), st.item),
        *ctx.blocks(proof.description),
        Paragraph("Checklist", st.label),
    ]
    for i, item in enumerate(proof.checklist, 1):
        found.append(CheckItem(f"w{number:02d}-proof-{i}", ctx.para(ctx.line(item), st.body), tooltip="done"))
    found += [
        Spacer(1, 4),
        Paragraph(f"Where it lives (file, link or notebook page): {'_' * 30}", st.muted),
        Spacer(1, 6),
        DotGrid(least=70 * mm, title=Paragraph("Workspace: sketch, calculate, draft", st.label)),
    ]
    return [KeepTogether(found[:4]), *found[4:]]


def _notes(ctx: Context, number: int) -> list[Flowable]:
    """Return a full page of ruled lines for the week's notes."""
    return [
        ctx.heading("Notes", loose(ctx.styles.section), key=week_key(number, "notes"), level=1, contents=False),
        FillLines(least=20, spacing=LINE),
    ]


def _review(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    found: list[Flowable] = [
        ctx.heading("End-of-week review", st.section, key=week_key(number, "review"), level=1, contents=False),
        Paragraph(
            "Fill this in at the end of the week, before you start the next one. Be specific: name the topic, "
            "the formula or the drill.",
            st.body,
        ),
    ]
    prompts = (
        ("What clicked this week?", 5),
        ("What do I need to revisit, and when?", 5),
        ("Which self-check or drill did I get wrong, and why?", 4),
        ("One question I still have", 3),
    )
    for prompt, lines in prompts:
        found.append(KeepTogether([Paragraph(prompt, st.label), RuledLines(lines)]))
    found.append(Paragraph("Before moving on", st.label))
    done = (
        "Goals above reached, or moved to next week's plan",
        "This week's cards studied in a filtered deck (search on the week's first page)",
        "Drill answers checked against the answer key",
        f"Proof artifact finished: {ctx.text.plain(week.proof.title)}",
    )
    for i, text in enumerate(done, 1):
        found.append(CheckItem(f"w{number:02d}-review-{i}", Paragraph(text, st.body), tooltip="done"))
    last = number == len(ctx.roadmap.weeks)
    ahead = "After the plan: what I will keep practising" if last else "Next week: what I will do differently"
    title = Paragraph(ahead, st.label)
    return [*found, Spacer(1, 6), FillLines(least=3, spacing=LINE, title=title, optional=True)]
