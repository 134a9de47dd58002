"""The writing direction of a course's language, for the outputs that lay text out by it."""

from __future__ import annotations

from typing import Literal

# Languages written right to left (ISO 639 codes): Arabic, Hebrew, Persian, Urdu, Yiddish, Pashto, Sindhi,
# Central Kurdish, Dhivehi, Uyghur, Syriac, N'Ko, Aramaic, Samaritan, Mandaic.
_RTL = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ckb", "dv", "ug", "syr", "nqo", "arc", "sam", "mid"})
# Scripts written right to left, for a tag that names its script (`az-Arab`, `pa-Arab`, `ku-Arab`).
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"})


def direction(language: str) -> Literal["ltr", "rtl"]:
    """Return the writing direction of a BCP 47 tag: its script subtag decides if it has one, else its language."""
    parts = language.lower().split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return "rtl" if script in _RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in _RTL else "ltr"
