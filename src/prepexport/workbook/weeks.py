"""One chapter per week: goals and checklist, topics, drills, proof artifact, notes and review."""

from __future__ import annotations

import itertools
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import HRFlowable

from prepexport.course import labels, schedule
from prepexport.course.images import topic_figures
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
    st, words = ctx.styles, ctx.labels
    week_name = labels.fill(words.week_number, number=number)
    running = f"{week_name} · {week.focus}"
    span = schedule.week_range(words, ctx.start, number)
    dates = ctx.text.plain(span) if span else f"{'_' * 12} {ctx.word(words.date_to)} {'_' * 12}"
    search = MONO.format(ctx.text.literal(anki_search(ctx, number)).replace(" ", "\u00a0"))
    found: list[Flowable] = [
        ctx.heading(week.focus, st.chapter, key=week_key(number), level=0, running=running, prefix=week_name),
        Paragraph(f"<b>{ctx.word(words.dates_line)}</b> {dates}", st.muted),
        Paragraph(f"{ctx.word(words.week_cards)}<br/>{search}", st.muted),
        Spacer(1, 6),
        Paragraph(ctx.word(words.goals), st.label),
    ]
    for i, goal in enumerate(week.goals, 1):
        item = ctx.para(ctx.line(goal), ctx.prose())
        found.append(CheckItem(f"w{number:02d}-goal-{i}", item, tooltip=words.goal_reached))
    return found


def _checklist(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st, roadmap, words = ctx.styles, ctx.roadmap, ctx.labels
    days = schedule.days(roadmap, week, number, ctx.start, {d: ctx.kb.drill(d).topic for d in week.drills})
    found: list[Flowable] = [
        ctx.heading(words.plan_and_checklist, st.section, key=week_key(number, "plan"), level=1, contents=False),
        Paragraph(ctx.word(words.every_day), st.label),
    ]
    day_width = 13.5 * mm
    head: list[Flowable | str] = [Paragraph(ctx.word(words.routine), st.cell_head)]
    for day in days:
        if day.date:
            label = ctx.text.plain(schedule.format_day(words, day.date)).replace(" ", "<br/>", 1)
        else:
            label = ctx.word(words.day_number, number=str(day.number))
        head.append(Paragraph(label, centred(st.cell_head)))
    rows: list[list[Flowable | str]] = [head]
    for t, task in enumerate(roadmap.rhythm.daily, 1):
        row: list[Flowable | str] = [ctx.para(ctx.line(task, st.cell.fontSize), st.cell)]
        row += [CheckBox(f"w{number:02d}-d{d.number}-routine-{t}", tooltip=words.done) for d in days]
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
    found += [grid, Spacer(1, 4), CondPageBreak(90), Paragraph(ctx.word(words.day_by_day), loose(st.label))]
    # Say what the day list adds up to, so a learner can compare it with the routine above.
    loads = [len(day.topics) for day in days if day.topics]
    if len(loads) > 1 and max(loads) > 1:  # worth saying when some day holds several topics
        low, high = min(loads), max(loads)
        per_day = str(low) if low == high else f"{low}\u2013{high}"
        load = ctx.word(words.week_load, topics=str(sum(loads)), days=str(len(loads)), per_day=per_day)
        found.append(Paragraph(load, st.muted))
    plan_rows: list[list[Flowable | str | list[Flowable]]] = []
    for day in days:
        when = ctx.text.plain(schedule.format_day(words, day.date)) if day.date else f"{'_' * 5}/{'_' * 5}"
        extra = f"<br/><i>{ctx.word(words.weekend)}</i>" if day.weekend else ""
        day_name = ctx.word(words.day_number, number=str(day.number))
        label = Paragraph(f"<b>{day_name}</b><br/>{when}{extra}", st.cell)
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
    reminders = Paragraph(ctx.word(words.reminders), st.label)
    found += [table, Spacer(1, 8), FillLines(least=4, spacing=LINE, title=reminders, optional=True)]
    return found


def _day_items(ctx: Context, number: int, week: Week, day: schedule.Day) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    items: list[Flowable] = []
    prefix = f"w{number:02d}-d{day.number}"
    for topic_id in day.topics:
        topic = ctx.kb.topic(topic_id)
        label = f"{number}.{week.topics.index(topic_id) + 1}"
        checks = f" {ctx.word(words.and_self_check)}" if schedule.self_checks(topic, words) else ""
        link = f'<a href="#{topic_key(number, topic_id)}"><b>{label}</b> {ctx.text.plain(topic.title)}</a>'
        where = f'<font color="#5b6673">{ctx.page(topic_key(number, topic_id))}</font>'
        text = f"{ctx.word(words.read)} {link}{checks}\u2002{where}"
        items.append(CheckItem(f"{prefix}-read-{topic_id}", ctx.para(text, st.cell), tooltip=words.done))
    for drill_id in day.drills:
        drill = ctx.kb.drill(drill_id)
        key = drill_key(number, drill_id)
        name = f"{words.drill} {number}.{week.drills.index(drill_id) + 1}"
        link = f'<a href="#{key}"><b>{ctx.text.plain(name)}</b> {ctx.text.plain(drill.title)}</a>'
        text = f"{ctx.word(words.work)} {link}\u2002{ctx.page(key)}"
        items.append(CheckItem(f"{prefix}-drill-{drill_id}", ctx.para(text, st.cell), tooltip=words.done))
    if day.proof:
        key = week_key(number, "proof")
        link = f'<a href="#{key}">{ctx.word(words.proof_link)}</a>'
        text = ctx.word(words.work_on_proof, link=link, title=ctx.text.plain(week.proof.title))
        items.append(
            CheckItem(f"{prefix}-proof", ctx.para(f"{text}\u2002{ctx.page(key)}", st.cell), tooltip=words.done)
        )
    for t, task in enumerate(day.tasks, 1):
        items.append(CheckItem(f"{prefix}-weekend-{t}", ctx.para(ctx.line(task, st.cell.fontSize), st.cell)))
    if day.review:
        review = week_key(number, "review")
        text = f'<a href="#{review}">{ctx.word(words.review)}</a>\u2002{ctx.page(review)}'
        items.append(CheckItem(f"{prefix}-review", ctx.para(text, st.cell), tooltip=words.done))
    if not items:
        items.append(CheckItem(f"{prefix}-catch-up", Paragraph(ctx.word(words.catch_up), st.cell)))
    return items


def _topics(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st = ctx.styles
    # The section heading travels with its first topic, so it can never end a page on its own.
    topics = ctx.labels.topics
    lead: list[Flowable] = [ctx.heading(topics, st.section, key=week_key(number, "topics"), level=1, contents=False)]
    found: list[Flowable] = []
    shown: set[str] = set()  # formulas already explained this week
    ruled = False  # the previous topic ended in answer lines: its last line already separates the topics
    for index, topic_id in enumerate(week.topics, 1):
        topic = ctx.kb.topic(topic_id)
        found += _topic(ctx, number, index, topic, shown, lead if index == 1 else [], rule=not ruled)
        ruled = bool(schedule.self_checks(topic, ctx.labels)) and not topic.references
    extra = schedule.week_formulas(ctx.kb, week)
    if extra:
        found += [CondPageBreak(50 * mm), Paragraph(ctx.word(ctx.labels.more_formulas), st.item)]
        for formula_id in extra:
            found.append(_formula_panel(ctx, ctx.kb.formula(formula_id), formula_key(number, formula_id)))
    return found


def _topic(
    ctx: Context, number: int, index: int, topic: Topic, shown: set[str], lead: list[Flowable], *, rule: bool = True
) -> list[Flowable]:
    st, kb, words = ctx.styles, ctx.kb, ctx.labels
    area = kb.area(topic.area).title
    line = HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=6, spaceAfter=6)
    head: list[Flowable] = [
        *lead,
        *(([line] if rule else [Spacer(1, 10)]) if index > 1 else []),
        ctx.heading(
            topic.title,
            st.topic,
            key=topic_key(number, topic.id),
            level=2,
            contents=False,
            prefix=f"{number}.{index}",
            listed=True,
        ),
        Paragraph(ctx.text.plain(f"{area} · {labels.tier(words, topic.tier)}"), st.muted),
        Spacer(1, 3),
    ]
    summary = ctx.blocks(topic.summary)
    found: list[Flowable] = [CondPageBreak(40 * mm + 20 * len(lead)), KeepTogether(head + summary[:1]), *summary[1:]]
    if topic.key_points:
        points = [ctx.para(ctx.line(p), st.body) for p in topic.key_points]
        found += [KeepTogether([Paragraph(ctx.word(words.key_points), st.label), ctx.text.bullets(points)])]
    for figure in topic_figures(topic):
        found.append(figure_flowable(ctx, ctx.kb.root / figure.path, figure.alt))
    for formula_id in topic.formulas:
        if formula_id in shown:
            found.append(_formula_reminder(ctx, kb.formula(formula_id), formula_key(number, formula_id)))
        else:
            found.append(_formula_panel(ctx, kb.formula(formula_id), formula_key(number, formula_id)))
            shown.add(formula_id)
    checks = schedule.self_checks(topic, words)
    if checks:
        questions: list[list[Flowable]] = []
        for i, check in enumerate(checks):
            label = question_label(number, index, i)
            target = answer_key(number, topic.id, i)
            lead_words = f"<i>{ctx.text.plain(check.lead)}</i> " if check.lead else ""
            text = (
                f'{anchor(question_key(number, topic.id, i))}<a href="#{target}"><b>{label}</b></a>\u2002'
                f"{lead_words}{ctx.line(check.question)}\u2002"
                f'<font color="#5b6673" size="8.5">{ctx.word(words.answer_page, page=ctx.page(target))}</font>'
            )
            questions.append([ctx.para(text, st.hanging), RuledLines(ANSWER_LINES, LINE, indent=30)])
        # Each question keeps its answer lines; the label keeps with the first (KeepTogethers must not nest).
        questions[0].insert(0, Paragraph(ctx.word(words.self_check), st.label))
        found += [KeepTogether(question) for question in questions]
    if topic.references:
        refs = ", ".join(_reference_link(ctx, r) for r in topic.references)
        found.append(ctx.para(f"<b>{ctx.word(words.further_reading)}</b> {refs}", st.muted))
    return found


def figure_flowable(ctx: Context, path: Path, alt: str) -> Flowable:
    """Return an image scaled to fit the text column (and at most a third of the page tall), its alt text below."""
    width, height = ImageReader(str(path)).getSize()
    # Pixels at 96 per inch, shrunk to the column and to a third of the page, never enlarged.
    scale = min(0.75, ctx.frame_width / width, ctx.frame_height / 3 / height)
    image = Image(str(path), width=width * scale, height=height * scale)
    rows: list[list[Flowable]] = [[image]]
    if alt:
        rows.append([Paragraph(ctx.text.plain(alt), centred(ctx.styles.muted))])
    # A one-column table keeps the image with its caption, also inside blocks that must not split.
    figure = Table(rows, colWidths=[ctx.frame_width])
    figure.setStyle(table_style(("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 2)))
    figure.spaceBefore = figure.spaceAfter = 4
    return figure


def _reference_link(ctx: Context, reference_id: str) -> str:
    ref = ctx.kb.reference(reference_id)
    number = ctx.kb.references.index(ref) + 1
    first = ref.authors.split(",")[0].strip()
    return f'<a href="#{reference_key(reference_id)}">[{number}] {ctx.text.plain(first)} {ref.year}</a>'


def _formula_panel(ctx: Context, formula: Formula, key: str) -> Flowable:
    """Return a shaded panel: name, the typeset formula, meaning, symbol legend and worked example."""
    st, words = ctx.styles, ctx.labels
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
    # One row per block: the panel breaks between blocks (before the symbols, before the worked example),
    # never inside one, so no page ends with a few stray lines of a panel.
    meaning = ctx.blocks(formula.meaning)
    rows: list[list[Flowable]] = [
        [
            ctx.para(f"{anchor(key)}<b>{ctx.text.plain(formula.name)}</b>", st.body),
            DisplayFormula(formula.latex, MATH_SIZE, space=5),
            *meaning[:1],
        ],
        *([block] for block in meaning[1:]),
        [Paragraph(ctx.word(words.symbols), st.label), legend],
        [Paragraph(ctx.word(words.worked_example), st.label), *ctx.blocks(formula.example)],
    ]
    if formula.references:
        refs = ", ".join(_reference_link(ctx, r) for r in formula.references)
        rows.append([ctx.para(f"{ctx.word(words.source)} {refs}", st.muted)])
    panel = BreakableTable(
        [[row] for row in rows], colWidths=[ctx.frame_width], frame_height=ctx.frame_height, whole_rows=True
    )
    panel.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LINEBEFORE", (0, 0), (0, -1), 2, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, 0), 6),
            ("TOPPADDING", (0, "splitfirst"), (-1, "splitfirst"), 6),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        )
    )
    panel.spaceBefore = 6
    panel.spaceAfter = 6
    return panel


def _formula_reminder(ctx: Context, formula: Formula, key: str) -> Flowable:
    """Return a formula already explained this week: its name, a link back and the formula alone."""
    st = ctx.styles
    where = f'<font size="8.5">{ctx.word(ctx.labels.formula_shown_on, page=ctx.page(key))}</font>'
    name = f"<b>{ctx.text.plain(formula.name)}</b>\u2002{where}"
    return KeepTogether([Spacer(1, 4), ctx.para(name, st.body), DisplayFormula(formula.latex, MATH_SIZE, space=3)])


def _drills(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    lead: list[Flowable] = [
        ctx.heading(words.drills, st.section, key=week_key(number, "drills"), level=1, contents=False),
        Paragraph(ctx.word(words.drill_instructions), st.body),
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
    st, words = ctx.styles, ctx.labels
    topic = ctx.kb.topic(drill.topic)
    target = drill_answer_key(number, drill.id)
    about = f"{ctx.word(words.topic)}: {ctx.text.plain(topic.title)}"
    if drill.topic in ctx.roadmap.weeks[number - 1].topics:
        about += f" ({ctx.page(topic_key(number, drill.topic))})"
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
            prefix=f"{words.drill} {number}.{index}",
        ),
        ctx.para(about, st.muted),
        Spacer(1, 3),
        scenario,
        *([figure_flowable(ctx, ctx.kb.root / drill.image, drill.image_alt)] if drill.image else []),
        Spacer(1, 4),
        ctx.para(f"<b>{ctx.line(drill.question)}</b>", st.body),
    ]
    for choice in drill.shown_choices:
        letter = drill.letter(choice)
        text = ctx.para(f"<b>{letter}</b>\u2002{ctx.line(choice.text)}", st.body)
        tooltip = labels.fill(words.choice, letter=letter)
        block.append(CheckItem(f"w{number:02d}-drill-{drill.id}-{choice.key}", text, tooltip=tooltip))
    block.append(Paragraph(ctx.word(words.why_and_fix), st.label))
    check = ctx.word(words.check_answer, page=ctx.page(target))
    link = ctx.para(f'<a href="#{target}">{check}</a>', st.muted)
    return WritingBlock(block, [link], least=DRILL_LINES, most=DRILL_LINES * 3, spacing=LINE)


def _proof(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    proof = week.proof
    found: list[Flowable] = [
        CondPageBreak(60 * mm),
        ctx.heading(words.proof, st.section, key=week_key(number, "proof"), level=1, contents=False),
        Paragraph(ctx.text.plain(proof.title), st.item),
        *ctx.blocks(proof.description),
        Paragraph(ctx.word(words.checklist), st.label),
    ]
    for i, item in enumerate(proof.checklist, 1):
        found.append(CheckItem(f"w{number:02d}-proof-{i}", ctx.para(ctx.line(item), st.body), tooltip=words.done))
    found += [
        Spacer(1, 4),
        Paragraph(f"{ctx.word(words.proof_where)} {'_' * 30}", st.muted),
        Spacer(1, 6),
        DotGrid(least=45 * mm, title=Paragraph(ctx.word(words.workspace), st.label)),
    ]
    return [KeepTogether(found[:4]), *found[4:]]


def _notes(ctx: Context, number: int) -> list[Flowable]:
    """Return a full page of ruled lines for the week's notes."""
    return [
        ctx.heading(
            ctx.labels.notes, loose(ctx.styles.section), key=week_key(number, "notes"), level=1, contents=False
        ),
        FillLines(least=20, spacing=LINE),
    ]


def _review(ctx: Context, number: int, week: Week) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    found: list[Flowable] = [
        ctx.heading(words.review, st.section, key=week_key(number, "review"), level=1, contents=False),
        Paragraph(ctx.word(words.review_lead), ctx.prose()),
    ]
    # The first prompts get the most room: they ask for the most writing.
    sizes = (5, 5, 4, 3)
    for i, prompt in enumerate(words.review_prompts):
        lines = sizes[i] if i < len(sizes) else 3
        found.append(KeepTogether([Paragraph(ctx.word(prompt), st.label), RuledLines(lines)]))
    found.append(Paragraph(ctx.word(words.before_moving_on), st.label))
    done = (
        ctx.word(words.review_goals),
        ctx.word(words.review_cards),
        ctx.word(words.review_drills),
        ctx.word(words.review_proof, proof=ctx.text.plain(week.proof.title)),
    )
    for i, text in enumerate(done, 1):
        found.append(CheckItem(f"w{number:02d}-review-{i}", Paragraph(text, st.body), tooltip=words.done))
    last = number == len(ctx.roadmap.weeks)
    ahead = words.after_plan if last else words.next_week
    title = Paragraph(ctx.word(ahead), st.label)
    return [*found, Spacer(1, 6), FillLines(least=3, spacing=LINE, title=title, optional=True)]
