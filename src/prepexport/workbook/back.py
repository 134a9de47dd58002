"""Back matter: formula sheet, misconceptions, worksheets, the answer key and references."""

from __future__ import annotations

import html
import unicodedata
from html import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from prepexport.course import labels, schedule
from prepexport.model import Formula, Framework, KnowledgeBase, Roadmap
from prepexport.workbook import fonts
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
)
from prepexport.workbook.flowables import (
    BreakableTable,
    DotGrid,
    FillLines,
    Heading,
    RuledLines,
    anchor,
    page_number,
)
from prepexport.workbook.formulas import DisplayFormula
from prepexport.workbook.styles import (
    ROW_RULES,
    header_table_style,
)


def quick_reference(ctx: Context) -> list[Flowable]:
    """Return every formula of the plan on one page: name, formula and the page that explains it."""
    st, kb, words = ctx.styles, ctx.kb, ctx.labels
    title = words.formula_sheet
    first = first_weeks(ctx)
    ordered = [kb.formula(f) for f in first]
    intro = Paragraph(ctx.word(words.formula_sheet_lead), ctx.prose())
    heading = ctx.heading(title, st.chapter, key="formula-sheet", level=0, running=title)
    # What the page has under the heading and the intro (the frame's own padding is 6 points top and bottom).
    used = sum(f.wrap(ctx.frame_width, 1000)[1] + f.getSpaceAfter() for f in (heading, intro)) + 4 + 12
    room = ctx.frame_height - used - 2
    table = None
    for columns in (1, 2):
        for size in (11.0, 10.0, 9.0, 8.0, 7.0)[: 4 if columns == 1 else 5]:
            table = _reference_table(ctx, ordered, first, size, columns)
            if table.wrap(ctx.frame_width, room)[1] <= room:
                break
        else:
            continue
        break
    return [heading, intro, Spacer(1, 4), *([table] if table is not None and ordered else [])]


def _reference_table(ctx: Context, ordered: list[Formula], first: dict[str, int], size: float, columns: int) -> Table:
    """Return the quick-reference table with formulas at `size`: one row per formula (name, formula, page),
    or two column groups where each name sits above its formula."""
    st, words = ctx.styles, ctx.labels
    group = ctx.frame_width / columns
    page_col = 8 * mm
    # In two columns, a formula too wide for its column at this size spans both (after the others), rather
    # than shrinking below the size every other formula is set in.
    room = group - page_col - 6
    wide = [f for f in ordered if columns > 1 and DisplayFormula(f.latex, size).natural_width > room]
    narrow = [f for f in ordered if f not in wide]
    per = -(-len(narrow) // columns)
    groups = [narrow[i * per : (i + 1) * per] for i in range(columns)]
    head: list[Flowable | str] = []
    for _ in range(columns):
        head += (
            [Paragraph(ctx.word(words.formula_column), st.cell_head)]
            + ([""] if columns == 1 else [])
            + [Paragraph(ctx.word(words.page_column), st.cell_head)]
        )
    rows: list[list[Flowable | str | list[Flowable]]] = [head]

    def parts(formula: Formula) -> tuple[Paragraph, DisplayFormula, Paragraph]:
        name = ctx.para(f"<b>{ctx.text.plain(formula.name)}</b>", st.cell)
        shown = DisplayFormula(formula.latex, size, align="left", space=0)
        page = ctx.para(page_number(formula_key(first[formula.id], formula.id)), st.cell)
        return name, shown, page

    for r in range(per):
        row: list[Flowable | str | list[Flowable]] = []
        for chunk in groups:
            if r >= len(chunk):
                row += [""] * (3 if columns == 1 else 2)
                continue
            name, shown, page = parts(chunk[r])
            row += [name, shown, page] if columns == 1 else [[name, Spacer(1, 2), shown], page]
        rows.append(row)
    spans = []
    for formula in wide:
        name, shown, page = parts(formula)
        spans.append(("SPAN", (0, len(rows)), (2, len(rows))))
        rows.append([[name, Spacer(1, 2), shown], "", "", page])
    widths = [group * 0.36, group * 0.64 - page_col, page_col] if columns == 1 else [group - page_col, page_col]
    table = Table(rows, colWidths=widths * columns, repeatRows=1)
    table.setStyle(
        header_table_style(
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ROW_RULES,
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *spans,
        )
    )
    return table


def first_weeks(ctx: Context) -> dict[str, int]:
    """Return each formula of the plan with the first week that shows it, in plan order."""
    return first_weeks_of(ctx.kb, ctx.roadmap)


def first_weeks_of(kb: KnowledgeBase, roadmap: Roadmap) -> dict[str, int]:
    """Return each formula of the roadmap with the first week that shows it, in plan order."""
    found: dict[str, int] = {}
    for number, week in enumerate(roadmap.weeks, 1):
        for topic_id in week.topics:
            for formula_id in kb.topic(topic_id).formulas:
                found.setdefault(formula_id, number)
        for formula_id in schedule.week_formulas(kb, week):
            found.setdefault(formula_id, number)
    return found


def misconceptions(ctx: Context) -> list[Flowable]:
    """Return the misconceptions as one table: what you see, why it happens, what to do."""
    st, kb, words = ctx.styles, ctx.kb, ctx.labels
    title = words.misconceptions
    weeks = {t: n for n, week in reversed(list(enumerate(ctx.roadmap.weeks, 1))) for t in week.topics}
    ordered = sorted(kb.misconceptions, key=lambda m: weeks.get(m.topic, len(ctx.roadmap.weeks) + 1))
    columns = (words.week_short, words.topic, words.what_you_see, words.why_it_happens, words.what_to_do)
    head = [Paragraph(ctx.word(t), st.cell_head) for t in columns]
    rows: list[list[Flowable]] = [head]
    for item in ordered:
        week = weeks.get(item.topic)
        topic = kb.topic(item.topic)
        name = ctx.text.plain(topic.title)
        if week is not None:
            name = f'<a href="#{topic_key(week, item.topic)}">{name}</a><br/>{ctx.page(topic_key(week, item.topic))}'
        rows.append(
            [
                Paragraph(str(week) if week else "–", st.cell),
                ctx.para(name, st.cell),
                ctx.para(ctx.line(item.symptom, st.cell.fontSize), st.cell),
                ctx.para(ctx.line(item.cause, st.cell.fontSize), st.cell),
                ctx.para(ctx.line(item.fix, st.cell.fontSize), st.cell),
            ]
        )
    width = ctx.frame_width
    table = BreakableTable(
        rows, colWidths=[width * f for f in (0.05, 0.17, 0.26, 0.26, 0.26)], repeatRows=1, frame_height=ctx.frame_height
    )
    table.setStyle(_grid_style())
    return [
        ctx.heading(title, st.chapter, key="misconceptions", level=0, running=title),
        Paragraph(ctx.word(words.misconceptions_lead), st.body),
        Spacer(1, 4),
        table,
    ]


def _grid_style() -> TableStyle:
    return header_table_style(
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ROW_RULES,
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    )


def design_worksheets(ctx: Context) -> list[Flowable]:
    """Return the worksheets of the frameworks of kind design: a page to open with, then one page per step."""
    st = ctx.styles
    title = ctx.labels.step_worksheets
    frameworks = [f for f in ctx.kb.frameworks if f.kind == "design"]
    found: list[Flowable] = [ctx.heading(title, st.chapter, key="design-worksheets", level=0, running=title)]
    for n, framework in enumerate(frameworks, 1):
        found += _design(ctx, n, framework, first=n == 1)
    return found


def worksheet_title(ctx: Context, framework: Framework) -> str:
    """Return a framework's worksheet title: the source's own, else the labels' wording with its name."""
    return framework.worksheet.title or labels.fill(ctx.labels.worksheet, name=framework.name)


def _fields(ctx: Context, framework: Framework, first: int) -> list[Flowable]:
    """Return the blanks at the top of a worksheet: the first on a line of its own, the others on one line."""
    names = framework.worksheet.fields or ctx.labels.worksheet_fields
    found: list[Flowable] = [Paragraph(f"<b>{ctx.word(names[0])}:</b> {'_' * first}", ctx.styles.body)]
    if len(names) > 1:
        # The blanks share one line: shorter ones when there are more fields or longer names.
        width = max(8, (64 - len("".join(names[1:]))) // (len(names) - 1))
        rest = "\u2003".join(f"<b>{ctx.word(n)}:</b> {'_' * width}" for n in names[1:])
        found += [Spacer(1, 6), Paragraph(rest, ctx.styles.body)]
    return found


def _design(ctx: Context, n: int, framework: Framework, *, first: bool) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    steps = " → ".join(ctx.text.plain(s.name) for s in framework.steps)
    found: list[Flowable] = [] if first else [PageBreak()]
    found += [
        ctx.heading(worksheet_title(ctx, framework), st.section, key=f"worksheet-{framework.id}", level=1),
        *ctx.blocks(framework.summary, ctx.prose()),
        Paragraph(f"<b>{ctx.word(words.steps)}</b> {steps}", ctx.prose()),
        *(ctx.blocks(framework.worksheet.lead, ctx.prose()) if framework.worksheet.lead else []),
        Spacer(1, 4),
        *_fields(ctx, framework, 60),
        Spacer(1, 6),
        FillLines(least=6, spacing=20, title=Paragraph(ctx.word(words.worksheet_opening), st.label)),
    ]
    for number, step in enumerate(framework.steps, 1):
        prefix = labels.fill(words.step_of, name=framework.name, number=number, count=len(framework.steps))
        found += [
            PageBreak(),
            ctx.heading(
                step.name, st.topic, key=f"worksheet-{framework.id}-{number}", level=2, contents=False, prefix=prefix
            ),
            ctx.para(f"<b>{ctx.word(words.goal)}</b> {ctx.line(step.goal)}", ctx.prose()),
        ]
        for prompt in step.prompts:
            found += [KeepTogether([ctx.para(ctx.line(prompt), ctx.prose(st.label)), RuledLines(3, 20)])]
        found += [Spacer(1, 6), DotGrid(least=60 * mm, title=Paragraph(ctx.word(words.worksheet_notes), st.label))]
    return found


def story_copies_for(roadmap: Roadmap, framework: Framework) -> int:
    """Return how many story worksheets to print: one per week of the plan that studies the framework's
    topic, and at least two (a loop asks for more than one story, and a first draft is rarely the last)."""
    return max(2, sum(framework.topic in week.topics for week in roadmap.weeks))


def story_worksheets(ctx: Context) -> list[Flowable]:
    """Return the behavioural story worksheets: for each story framework, one worksheet per story to prepare."""
    st = ctx.styles
    title = ctx.labels.page_worksheets
    found: list[Flowable] = [ctx.heading(title, st.chapter, key="story-worksheets", level=0, running=title)]
    for n, framework in enumerate(f for f in ctx.kb.frameworks if f.kind == "story"):
        steps = len(framework.steps)
        lines = max(3, min(6, 22 // steps))
        copies = story_copies_for(ctx.roadmap, framework)
        for copy in range(1, copies + 1):
            if n or copy > 1:
                found.append(PageBreak())
            found += [
                ctx.heading(
                    framework.worksheet.title or framework.name,
                    st.section,
                    key=f"worksheet-{framework.id}" + (f"-{copy}" if copy > 1 else ""),
                    level=1,
                    contents=copy == 1,
                    prefix=f"{copy}/{copies}",
                ),
            ]
            if copy == 1:
                found += ctx.blocks(framework.summary, ctx.prose())
                found += ctx.blocks(framework.worksheet.lead, ctx.prose()) if framework.worksheet.lead else []
            found += _fields(ctx, framework, 44)
            for step in framework.steps:
                prompts = " ".join(ctx.line(p) for p in step.prompts)
                found.append(
                    KeepTogether(
                        [
                            ctx.para(
                                f'<font name="{fonts.SANS_BOLD}" color="#1f4e79">{ctx.text.plain(step.name)}</font>'
                                f" · {ctx.line(step.goal)}",
                                ctx.prose(ctx.styles.label_plain),
                            ),
                            ctx.para(prompts, ctx.prose(st.muted)),
                            RuledLines(lines, spacing=20),
                        ]
                    )
                )
            rehearsals = Paragraph(ctx.word(ctx.labels.rehearsals), st.label)
            found += [Spacer(1, 6), FillLines(least=2, spacing=20, title=rehearsals, optional=True)]
    return found


def answer_key_chapter(ctx: Context) -> list[Flowable]:
    """Return the answers to every self-check and drill, each linking back to its question."""
    st, kb, words = ctx.styles, ctx.kb, ctx.labels
    title = words.answer_key
    found: list[Flowable] = [ctx.heading(title, st.chapter, key="answer-key", level=0, running=title)]
    for number, week in enumerate(ctx.roadmap.weeks, 1):
        found += [
            CondPageBreak(40 * mm),
            ctx.heading(
                labels.fill(words.week_answers, number=number),
                st.section,
                key=f"answers-week-{number:02d}",
                level=1,
                contents=False,
                running=words.answer_key,
            ),
        ]
        # Every answer marks its week, every drill answer its drill: the running header of each page then
        # names the weeks and drills it holds (see WorkbookDocument.note_mark).
        week_mark = page_mark(labels.fill(words.week_number, number=number))
        for index, topic_id in enumerate(week.topics, 1):
            topic = kb.topic(topic_id)
            checks = schedule.self_checks(topic, words)
            if not checks:
                continue
            entries: list[Flowable] = [Paragraph(f"{number}.{index} {ctx.text.plain(topic.title)}", st.label)]
            for i, check in enumerate(checks):
                back = question_key(number, topic_id, i)
                label = question_label(number, index, i)
                text = (
                    f'{anchor(answer_key(number, topic_id, i))}{week_mark}<a href="#{back}"><b>{label}</b></a>'
                    f"\u2002{ctx.line(check.answer)}"
                    f'\u2002<font color="#5b6673" size="8.5">'
                    f"{ctx.word(words.question_page, page=ctx.page(back))}</font>"
                )
                entries.append(ctx.para(text, st.hanging))
                if check.extra:
                    entries.append(ctx.para(ctx.line(check.extra, st.muted.fontSize), st.hanging_muted))
            found += [KeepTogether(entries[:2]), *entries[2:]]
        for index, drill_id in enumerate(week.drills, 1):
            found += _drill_answer(ctx, number, index, drill_id, week_mark)
    return found


def page_mark(label: str) -> str:
    """Return markup that names this spot's week or drill in its page's running header."""
    return f'<onDraw name="mark" label="{escape(label, quote=True)}"/>'


def _drill_answer(ctx: Context, number: int, index: int, drill_id: str, week_mark: str) -> list[Flowable]:
    st, words = ctx.styles, ctx.labels
    drill = ctx.kb.drill(drill_id)
    name = f"{words.drill} {number}.{index}"
    back = drill_key(number, drill.id)
    right = drill.right
    letter = drill.letter(right)
    found: list[Flowable] = [
        ctx.para(
            f"{anchor(drill_answer_key(number, drill.id))}{week_mark}{page_mark(name)}"
            f'<a href="#{back}">{ctx.text.plain(name)}</a> · '
            f"{ctx.text.plain(drill.title)}\u2002"
            f'<font color="#5b6673" size="8.5">{ctx.word(words.drill_page, page=ctx.page(back))}</font>',
            st.label,
        ),
        ctx.para(f"<b>{ctx.word(words.answer_letter, letter=letter)}</b>\u2002{ctx.line(right.text)}", st.body),
        ctx.para(f"<b>{ctx.word(words.why_line)}</b> {ctx.line(right.why)}", st.body),
    ]
    others = [c for c in drill.shown_choices if c.key != right.key]
    rest: list[Flowable] = []
    for choice in others:
        other = drill.letter(choice)
        why = f"{week_mark}<b>{ctx.word(words.not_letter, letter=other)}</b> {ctx.line(choice.why)}"
        rest.append(ctx.para(why, st.hanging_muted))
    rest.append(ctx.para(f"{week_mark}<b>{ctx.word(words.smallest_fix)}</b> {ctx.line(drill.fix)}", st.body))
    # One drill's answer is short and read as a whole: it never breaks over a column or page.
    return [KeepTogether([*found, *rest]), Spacer(1, 4)]


def references(ctx: Context) -> list[Flowable]:
    """Return the numbered reference list, each entry a link target and its URL clickable."""
    st = ctx.styles
    title = ctx.labels.references
    found: list[Flowable] = [ctx.heading(title, st.chapter, key="references", level=0, running=title)]
    # A URL breaks after / . - _ ? & = (see text.url_breaks) rather than inside a word.
    urls = ParagraphStyle("reference", parent=st.hanging, uriWasteReduce=0.3)
    for number, ref in enumerate(ctx.kb.references, 1):
        parts = [f"{ctx.text.plain(ref.authors)} ({ref.year}). <i>{ctx.text.plain(ref.title)}</i>."]
        if ref.venue:
            parts.append(f"{ctx.text.plain(ref.venue)}.")
        if ref.url:
            # The attribute is escaped quotes and all, and the link printed exactly (no typographic quotes).
            href = html.escape(ref.url, quote=True)
            # On a line of its own, so it breaks only where url_breaks allows, never at a line's leftover room.
            parts.append(f'<br/><a href="{href}" color="#1f4e79">{ctx.text.literal(ref.url)}</a>')
        found.append(ctx.para(f"{anchor(reference_key(ref.id))}[{number}]\u2002{' '.join(parts)}", urls))
    return found


def index(ctx: Context, headings: list[Heading]) -> list[Flowable]:
    """Return the index: every topic and formula, alphabetically, with the pages that explain it (links)."""
    st, words = ctx.styles, ctx.labels
    title = words.index
    entries: dict[tuple[str, str], list[str]] = {}  # (name, kind) -> keys in page order
    for heading in headings:
        if heading.listed:
            entries.setdefault((heading.plain_title, "topic"), []).append(heading.key)
    for number, week in enumerate(ctx.roadmap.weeks, 1):
        shown = [f for t in week.topics for f in ctx.kb.topic(t).formulas] + schedule.week_formulas(ctx.kb, week)
        for formula_id in dict.fromkeys(shown):
            name = ctx.kb.formula(formula_id).name
            entries.setdefault((name, "formula"), []).append(formula_key(number, formula_id))
    found: list[Flowable] = [
        ctx.heading(title, st.chapter, key="index", level=0, running=title),
        Paragraph(ctx.word(words.index_lead, formulas=f"<i>{ctx.word(words.index_formulas)}</i>"), st.muted),
    ]
    letter = ""
    filed = {entry: _filed_as(entry[0], words.index_articles) for entry in entries}
    for (name, kind), keys in sorted(entries.items(), key=lambda item: (_sort_key(filed[item[0]]), item[0][1])):
        initial = _sort_key(filed[name, kind])[:1].upper()
        if initial != letter:
            letter = initial
            found.append(Paragraph(ctx.text.plain(letter), st.label))
        shown_name = ctx.text.plain(filed[name, kind])
        if kind == "formula":
            shown_name = f"<i>{shown_name}</i>"
        pages = ", ".join(page_number(k) for k in keys)
        found.append(ctx.para(f"{shown_name}\u2002{pages}", st.index_entry))
    return found


def _filed_as(name: str, articles: tuple[str, ...]) -> str:
    """Return an index entry as it is filed: a leading article moves to the end ("KV cache, the")."""
    for article in articles:
        head, _, rest = name.partition(" ")
        if rest and head.casefold() == article.casefold():
            return f"{rest[:1].upper()}{rest[1:]}, {head.casefold()}"
    return name


def _sort_key(name: str) -> str:
    """Return the alphabetical sort key of an index entry: accents and case ignored, the same in every locale."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().lstrip("\"'‘“(")
