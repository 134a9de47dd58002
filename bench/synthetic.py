"""Write synthetic courses in prepexport's format, of any size, for the benchmarks.

Each topic has four basic cards, one reversible and one cloze card, with bold, italic, code and inline math in
its text; every tenth topic brings a formula, a drill and a misconception. Two roadmaps (4 and 8 weeks) list
every topic, formula and drill, so coverage and week tags are exercised at full size.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Notes one topic brings: 6 cards, plus a tenth each of a formula, a drill and a misconception.
NOTES_PER_TOPIC = 6.3

_HEADER = """\
meta:
  id: synthetic-course
  title: Synthetic course
  author: prepexport benchmark
  deck: Synthetic
  description: A generated course of **{notes}** notes.
  anki:
    deck: 1900000900001
    basic: 1900000900101
    reversible: 1900000900102
    cloze: 1900000900103
    formula: 1900000900104
    drill: 1900000900105
    misconception: 1900000900106
areas:
{areas}
topics:
"""

_TOPIC = r"""  - id: topic-{t}
    title: Topic number {t}
    tier: {tier}
    area: area-{area}
    summary: |
      Topic {t} explains how **scaled scores** keep a softmax from saturating, with \(\sqrt{{d_k}}\) and
      the `softmax` call that follows; see *the worked example* below.
    key_points:
      - Scores are dot products \(q \cdot k\) of topic {t}.
      - Dividing by \(\sqrt{{d_k}}\) keeps gradients alive.
{formulas}    cards:
      - id: card-{t}-a
        question: Why does topic {t} divide the scores by \(\sqrt{{d_k}}\)?
        answer: So the dot products of topic {t} stay small and **softmax** does not saturate.
        extra: A `float16` overflow is the usual symptom.
      - id: card-{t}-b
        question: What does the *second* fact of topic {t} say?
        answer: |
          It says that item {t} has two parts:

          - a bold **first** part;
          - a `coded` second part with \(x^2\).
      - id: card-{t}-c
        question: Which call normalises the scores in topic {t}?
        answer: The `softmax` over the last axis, after scaling.
      - id: card-{t}-d
        question: How large is \(d_k\) in the example of topic {t}?
        answer: It is 64, so the scale is \(1 / 8\).
      - id: card-{t}-r
        term: Term {t}
        meaning: The *meaning* of term {t}, in one line with `code`.
      - id: card-{t}-z
        cloze: With \(d_k = 64\), topic {t} divides scores by {{{{c1::8}}}} and then applies {{{{c2::softmax}}}}.
"""

_FORMULA = r"""  - id: formula-{f}
    name: Formula {f}
    latex: \operatorname{{softmax}}\left(\frac{{QK^\top}}{{\sqrt{{d_k}}}}\right) V_{{{f}}}
    meaning: Weight each value of formula {f} by how well its key matches the query.
    symbols:
      - symbol: Q, K, V
        meaning: query, key and value matrices
      - symbol: d_k
        meaning: dimension of each key
    example: With \(d_k = 64\), a raw score of 16 becomes \(16 / 8 = 2\).
"""

_DRILL = """  - id: drill-{d}
    title: Drill {d}
    topic: topic-{t}
    scenario: A service of drill {d} answers with **stale** data after a deploy.
    question: Which layer failed?
    choices:
      - key: retrieval
        text: Retrieval fetched stale data.
        why: The data was fresh; nothing stale was fetched.
      - key: context
        text: The prompt lacked the current date.
        why: The model cannot know the date unless told.
    answer: context
    fix: Put the current date at the top of every prompt.
"""

_MISCONCEPTION = r"""  - id: mis-{m}
    topic: topic-{t}
    symptom: You can write formula {m} but cannot say why it divides by \(\sqrt{{d_k}}\).
    cause: The symbols were memorised without their purpose.
    fix: Work a *small* example by hand.
"""


def course(notes: int) -> str:
    """Return a valid course of about `notes` notes."""
    topics = max(10, round(notes / NOTES_PER_TOPIC))
    extras = (topics + 9) // 10
    areas = "\n".join(f"  - id: area-{a}\n    title: Area {a}" for a in range(10))
    parts = [_HEADER.format(notes=notes, areas=areas)]
    for t in range(topics):
        formulas = f"    formulas: [formula-{t // 10}]\n" if t % 10 == 0 else ""
        parts.append(_TOPIC.format(t=t, tier=1 + t % 3, area=t % 10, formulas=formulas))
    parts.append("formulas:\n")
    parts.extend(_FORMULA.format(f=f) for f in range(extras))
    parts.append("drills:\n")
    parts.extend(_DRILL.format(d=d, t=d * 10) for d in range(extras))
    parts.append("misconceptions:\n")
    parts.extend(_MISCONCEPTION.format(m=m, t=m * 10) for m in range(extras))
    parts.append("roadmaps:\n")
    for weeks in (4, 8):
        parts.append(_roadmap(weeks, topics, extras))
    return "".join(parts)


def _roadmap(weeks: int, topics: int, extras: int) -> str:
    """Return a roadmap spreading topics, formulas and drills evenly over its weeks."""
    lines = [
        f"  - id: plan-{weeks}",
        f"    title: {weeks}-week plan",
        "    audience: Anyone.",
        "    rhythm:",
        "      summary: One hour a day.",
        "      daily: [Read one topic, Review the deck]",
        "    weeks:",
    ]
    for w in range(weeks):
        listed = [f"topic-{t}" for t in range(topics) if t * weeks // topics == w]
        formulas = [f"formula-{f}" for f in range(extras) if f * weeks // max(extras, 1) == w]
        drills = [f"drill-{d}" for d in range(extras) if d * weeks // max(extras, 1) == w]
        lines += [
            f"      - focus: Week {w + 1}",
            "        goals: [Finish the week]",
            f"        topics: [{', '.join(listed)}]",
            f"        formulas: [{', '.join(formulas)}]",
            f"        drills: [{', '.join(drills)}]",
            "        proof:",
            "          title: A summary",
            "          description: Write one page.",
            "          checklist: [Written]",
        ]
    return "\n".join(lines) + "\n"


def note_count(text: str) -> int:
    """Return how many notes a generated course holds (cards, formulas, drills, misconceptions)."""
    cards = text.count("\n      - id: card-")
    return cards + text.count("\n  - id: formula-") + text.count("\n  - id: drill-") + text.count("\n  - id: mis-")


def main() -> None:
    """Write a course of the given number of notes to the given path: `synthetic.py 10000 course.yaml`."""
    notes, target = int(sys.argv[1]), Path(sys.argv[2])
    target.write_text(course(notes), encoding="utf-8")
    print(f"{target}: {note_count(target.read_text(encoding='utf-8'))} notes")


if __name__ == "__main__":
    main()
