"""The writing direction of a course's language, for the outputs that lay text out by it."""

from __future__ import annotations

from typing import Literal

# Languages written right to left (ISO 639 codes): Arabic, Hebrew, Persian, Urdu, Yiddish, Pashto, Sindhi,
# Central Kurdish, Dhivehi, Uyghur, Syriac, N'Ko, Aramaic, Samaritan, Mandaic.
_RTL = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ckb", "dv", "ug", "syr", "nqo", "arc", "sam", "mid"})
# Scripts written right to left, for a tag that names its script (`az-Arab`, `pa-Arab`, `ku-Arab`).
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"})
# Right-to-left scripts whose letters join but that the workbook cannot shape (it joins the Arabic script only):
# Syriac, N'Ko, Adlam, Mandaic, Hanifi Rohingya, by script subtag or by the language usually written in them.
_UNJOINED_SCRIPTS = frozenset({"syrc", "nkoo", "adlm", "mand", "rohg"})
_UNJOINED = frozenset({"syr", "nqo", "mid"})


def direction(language: str) -> Literal["ltr", "rtl"]:
    """Return the writing direction of a BCP 47 tag: its script subtag decides if it has one, else its language."""
    language_code, script = _split(language)
    if script is not None:
        return "rtl" if script in _RTL_SCRIPTS else "ltr"
    return "rtl" if language_code in _RTL else "ltr"


def joins_unshaped(language: str) -> bool:
    """Tell whether a tag names a script whose letters join but that the workbook does not shape."""
    language_code, script = _split(language)
    if script is not None:
        return script in _UNJOINED_SCRIPTS
    return language_code in _UNJOINED


def _split(language: str) -> tuple[str, str | None]:
    """Return a tag's language subtag and its script subtag, if any (lower case)."""
    parts = language.lower().split("-")
    return parts[0], next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
