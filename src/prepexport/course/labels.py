"""The labels table in use: fill a label's `{placeholders}`, name tiers, and check a course's overrides."""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Iterator

from prepexport.model import Labels

DEFAULTS = Labels()

#: Labels that are lists, with the number of items each must have (None: any number from one).
LIST_SIZES: dict[str, int | None] = {
    "tiers": None,
    "weekdays": 7,
    "months": 12,
    "review_prompts": None,
    "worksheet_fields": None,
    "index_articles": None,
}


#: The highest tier a topic may have (the model's range for `tier`).
MAX_TIERS = 99

#: The note types, each named by the label note_<kind>.
NOTE_TYPES = ("basic", "reversible", "cloze", "formula", "drill", "misconception")


def fill(template: str, **values: object) -> str:
    """Return a label with its placeholders filled in."""
    return template.format(**values)


def tier(labels: Labels, number: int) -> str:
    """Return the printed tier of a topic, e.g. Tier 1 · core."""
    return fill(labels.tier, number=number, name=labels.tiers[number - 1])


def count(labels: Labels, noun: str, number: int) -> str:
    """Return a count with its noun, e.g. 1 week or 4 weeks (`noun` names the labels count_week/count_weeks)."""
    template: str = getattr(labels, f"count_{noun}" if number == 1 else f"count_{noun}s")
    return fill(template, count=number)


def placeholders(template: str) -> set[str]:
    """Return the names in braces of a label (ValueError if its braces do not pair)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def problems(labels: Labels) -> Iterator[tuple[str, str]]:
    """Yield (label name, message) for each override with a wrong placeholder or number of items."""
    if len(labels.tiers) > MAX_TIERS:
        yield "tiers", f"has {len(labels.tiers)} names; a topic's tier goes up to {MAX_TIERS}: name at most {MAX_TIERS}"
    named: dict[str, str] = {}
    for kind in NOTE_TYPES:
        name = getattr(labels, f"note_{kind}").strip()
        if name.casefold() in named:  # Anki renames a note type whose name is taken, and the two would blur
            yield f"note_{kind}", f"'{name}' already names the {named[name.casefold()]} note type; each needs its own"
        named.setdefault(name.casefold(), kind)
    for field in dataclasses.fields(Labels):
        value = getattr(labels, field.name)
        default = getattr(DEFAULTS, field.name)
        if isinstance(value, tuple):
            size = LIST_SIZES.get(field.name)
            if size is not None and len(value) != size:
                yield field.name, f"needs {size} items, not {len(value)}"
            continue
        allowed = placeholders(default)
        try:
            used = placeholders(value)
        except ValueError:
            yield field.name, "has a '{' or '}' that does not pair; write a literal brace as '{{' or '}}'"
            continue
        unknown = sorted(used - allowed)
        if unknown:
            known = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            yield field.name, f"cannot use {{{unknown[0]}}} (this label can use: {known})"
