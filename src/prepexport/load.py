"""Read a knowledge-base YAML file into the typed model, reporting every error with file, line and column.

The YAML is composed into nodes (which keep their positions) and converted by walking the model's type hints,
so the same types drive loading and the JSON Schema. All errors are collected; nothing is silently dropped.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import stat
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from latex2mathml.converter import convert as latex_to_mathml

from prepexport import markup
from prepexport.course import cloze, labels
from prepexport.course.coverage import coverage
from prepexport.course.language import joins_unshaped
from prepexport.course.order import Conflict, conflicts
from prepexport.errors import Problem, SourceError, printable
from prepexport.files import MAX_NAME, TEMP_EXTRA
from prepexport.gc_pause import gc_paused
from prepexport.model import (
    CARD_MARKERS,
    ClozeCard,
    Drill,
    Formula,
    Kind,
    KnowledgeBase,
    Labels,
    MinItems,
    Range,
    Ref,
    Roadmap,
    Topic,
)

# libyaml's C parser is about ten times faster than the pure-Python one and keeps the same marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest number of nodes the document may expand to once aliases are followed.
MAX_NODES = 1_000_000

#: Largest source file read, in bytes: room for a 100,000-note course (50,000 notes of bench/synthetic.py take
#: 13 MB and are checked in about three seconds), small enough that a runaway file is refused at once.
MAX_SOURCE_BYTES = 32_000_000

#: Longest title, name or other one-line text, in characters: it must fit a heading or a table cell.
MAX_PLAIN = 500

#: Longest meta.description: it is the cover's blurb (and the deck's description); a longer one belongs in the
#: topics, and one huge paragraph on the cover makes the layout slow past any use.
MAX_DESCRIPTION = 5000

#: Largest font file embedded: CJK fonts run to tens of megabytes; more is not a font a workbook needs.
MAX_FONT_BYTES = 64_000_000

#: Most pixels an image may have: a printed or phone-sized picture needs far fewer; more could exhaust memory.
MAX_IMAGE_PIXELS = 40_000_000

#: Largest image packed, in bytes: a card image is a diagram or a photo, never a video.
MAX_IMAGE_BYTES = 5_000_000

#: What an image file starts with, per format Anki and reportlab both show.
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}

#: Characters refused in text: control characters (Anki's field separator among them) other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")

#: Whole numbers as an author writes them: decimal digits, no plus sign, leading zero, octal, hex or sexagesimal.
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")

#: Digits beyond which a number is out of every range without converting it (int() of huge text is slow).
_MAX_DIGITS = 25

#: URL schemes a reference may link to; anything else (javascript:, data:, file:) could act when clicked.
URL_SCHEMES = ("https://", "http://", "mailto:")
_URL_UNSAFE = re.compile(r"[\s\"'<>\\`{}|^]")

#: Math commands that would make a card or page act (links, styles, definitions, MathJax extensions).
UNSAFE_MATH = frozenset(
    {
        "href",
        "url",
        "style",
        "class",
        "cssId",
        "unicode",
        "def",
        "gdef",
        "edef",
        "xdef",
        "let",
        "newcommand",
        "renewcommand",
        "providecommand",
        "DeclareMathOperator",
        "require",
        "mmlToken",
        "data",
        "toggle",
        "texttip",
        "mathtip",
        "label",
        "ref",
        "eqref",
        "tag",
        "input",
        "include",
        "write",
        "immediate",
        "csname",
        "catcode",
    }
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNKNOWN_COMMAND = re.compile(r"<m[io]>(\\[A-Za-z]+)</m[io]>")
# What a YAML anchor looks like (`&name`); a document without one cannot hold an alias. Text such as `&amp;`
# matches too, and then only costs the full size check.
_ANCHOR = re.compile(r"&\S")
# A BCP 47 language tag: language (with extended subtags), then optional script, region, variants, extensions
# and private use, e.g. en, de-CH, zh-Hant-TW, sr-Latn, de-CH-1901, x-klingon; letters and digits only.
_LANGUAGE = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?|[xX](?:-[A-Za-z0-9]{1,8})+"
)
# What an explicit YAML tag may look like (`!foo`, `!!binary`); only a document that matches is parsed for them.
_TAG = re.compile(r"(?:^|[\s\[{,])!")
#: The one explicit tag allowed: `!!str` only says "text", which every value the format reads as text is anyway.
_ALLOWED_TAGS = frozenset({"tag:yaml.org,2002:str"})


@dataclass(frozen=True)
class Loaded:
    """A validated knowledge base and the warnings found while loading it."""

    kb: KnowledgeBase
    warnings: list[Problem]


class _Bad:
    """Marks a value that failed validation (its error is already recorded)."""


_BAD = _Bad()


def load_file(path: Path) -> Loaded:
    """Load and validate a knowledge base (raise SourceError listing every problem)."""
    name = str(path)

    def fail(message: str) -> SourceError:
        return SourceError([Problem(0, 0, name, "", message)])

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise fail("is a folder, not a YAML file")
        if not stat.S_ISREG(info.st_mode):
            raise fail("is not a regular file (a pipe, device or socket); give the path of a YAML file")
        if info.st_size > MAX_SOURCE_BYTES:
            raise fail(f"too large: {_megabytes(info.st_size)}; a source may hold {_megabytes(MAX_SOURCE_BYTES)}")
        # Non-blocking, and checked again once open: the path may have been swapped for a pipe meanwhile.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise fail("is not a regular file; give the path of a YAML file")
            data = file.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the path
        raise fail("is not a valid path") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise fail(f"too large: more than {_megabytes(MAX_SOURCE_BYTES)}")
    return load_bytes(data, name, root=path.resolve().parent)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size < 10**12 else "more than a terabyte"


def load_bytes(data: bytes, name: str, *, root: Path) -> Loaded:
    """Load and validate YAML bytes; `name` is the file name used in messages."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data[: exc.start].decode("utf-8", "replace"))
        problem = Problem(
            line, column, name, "", f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        )
        raise SourceError([problem]) from None
    control = _CONTROL.search(text)
    if control:  # found here, the character gets its line and column; the YAML reader would say 1:1
        line, column = _line_column(text[: control.start()])
        code = f"U+{ord(control.group()):04X}"
        raise SourceError([Problem(line, column, name, "", f"the control character {code} is not allowed; remove it")])
    with gc_paused():
        return _Converter(text, name, root).run()


def _line_column(prefix: str) -> tuple[int, int]:
    """Return the 1-based line and column just after the given text."""
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


class _Converter:
    """Walks YAML nodes along the model's types, collecting every problem."""

    def __init__(self, text: str, name: str, root: Path) -> None:
        self.text = text
        self.name = name
        self.root = root
        self.problems: list[Problem] = []
        self.ids: dict[str, tuple[str, yaml.Node]] = {}
        self.refs: list[tuple[str, str, str, yaml.Node]] = []
        self.collections: dict[str, set[str]] = {}
        self.duplicated: set[str] = set()
        self.tiers: list[tuple[int, yaml.Node, str]] = []  # each topic's tier, checked once the labels are known
        self.labels = Labels()

    @functools.cached_property
    def lines(self) -> list[str]:
        """The source's lines, split only when a message needs one (a large course's lines cost memory)."""
        return self.text.splitlines()

    # --- entry -------------------------------------------------------------------------------------------------

    def run(self) -> Loaded:
        """Parse, convert and cross-check the whole document."""
        try:
            root = yaml.compose(self.text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            raise SourceError([self._syntax_problem(exc)]) from None
        except yaml.YAMLError as exc:
            raise SourceError([Problem(1, 1, self.name, "", f"YAML syntax: {exc}")]) from None
        if _TAG.search(self.text):
            self._check_tags()
        if root is None:
            raise SourceError(
                [Problem(1, 1, self.name, "", "the file is empty; expected a mapping with meta, areas and topics")]
            )
        if not isinstance(root, yaml.MappingNode):
            self._error(root, "", f"the top level must be a mapping with meta, areas and topics, not {_describe(root)}")
            raise SourceError(self.problems)
        if _ANCHOR.search(self.text):  # without anchors there are no aliases, and nothing can expand
            self._check_size(root)
        kb = self._convert(KnowledgeBase, root, "")
        self._check_refs()
        self._check_tiers()
        if not isinstance(kb, KnowledgeBase):
            raise SourceError(sorted(self.problems))
        kb = dataclasses.replace(kb, root=self.root)
        self._check_semantics(kb, root)
        if self.problems:
            raise SourceError(sorted(self.problems))
        return Loaded(kb, sorted(self._warnings(kb, root)))

    def _check_tags(self) -> None:
        """Refuse explicit tags (`!!python/object`, `!!binary`, `!foo`): the format's values are text and numbers.

        The composed nodes no longer tell an explicit tag from a resolved one, so this reads the parser's events.
        """
        tagged = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
        for event in yaml.parse(self.text, Loader=_Loader):
            tag = getattr(event, "tag", None) if isinstance(event, tagged) else None
            if (
                tag is not None
                and tag not in _ALLOWED_TAGS
                and not (tag == "!" and isinstance(event, yaml.ScalarEvent))
            ):
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                shown = printable(tag.replace("tag:yaml.org,2002:", "!!"))[:60]
                message = f"YAML tags are not supported ({shown}); write the value without it"
                self.problems.append(Problem(line, column, self.name, "", message))
        if self.problems:
            raise SourceError(self.problems)

    def _syntax_problem(self, exc: yaml.MarkedYAMLError) -> Problem:
        """Describe a YAML syntax error where it was found, and also where the construct it breaks starts."""
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = str(exc.problem or exc.context or "the file is not valid YAML")
        start = exc.context_mark
        if exc.context and start is not None and exc.problem_mark is not None:
            if (start.line, start.column) != (exc.problem_mark.line, exc.problem_mark.column):
                message += f" ({exc.context}, which starts on line {start.line + 1}, column {start.column + 1})"
            else:
                message += f" ({exc.context})"
        elif exc.context and exc.problem:
            message = f"{exc.context}: {message}"
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if "mapping values are not allowed" in message and re.match(r"\s*(?:- )?[\w-]+: [^'\"|>].*: ", text):
            key = text.split(":", 1)[0].strip().removeprefix("- ")
            message += f"; text with ': ' in it must be quoted, e.g. {key}: \"...\""
        if 0 < column <= len(text) and text[column - 1] == "\t":  # PyYAML does not say which character it met
            message += "; the character is a tab: YAML indents with spaces only"
        return Problem(line, column, self.name, "", f"YAML syntax: {message}")

    def _error(self, node: yaml.Node, path: str, message: str, offset: int | None = None) -> None:
        line, column = self._locate(node, offset)
        self.problems.append(Problem(line, column, self.name, path, message))

    def _locate(self, node: yaml.Node, offset: int | None = None) -> tuple[int, int]:
        """Return the 1-based position of a node, or of a character inside a scalar."""
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if offset is None or not isinstance(node, yaml.ScalarNode):
            return line, column
        value: str = node.value
        before = value[:offset]
        if node.style in ("|", ">"):
            # Block scalars start on the next line, indented; folded ones lose their newlines, so stay close.
            target = line + 1 + (before.count("\n") if node.style == "|" else 0)
            text = self.lines[target - 1] if target <= len(self.lines) else ""
            indent = len(text) - len(text.lstrip())
            if node.style == "|":
                # The block's own indentation: a line indented further keeps the extra spaces in the value.
                own = value.split("\n")[before.count("\n")]
                indent = len(text) - len(own) if own and text.endswith(own) else indent
            within = len(before) - (before.rfind("\n") + 1) if node.style == "|" else 0
            return target, indent + within + 1
        if "\n" in before:
            return line, column
        return line, column + offset + (1 if node.style in ("'", '"') else 0)

    # --- alias bombs -------------------------------------------------------------------------------------------

    def _check_size(self, root: yaml.Node) -> None:
        """Refuse documents whose aliases expand to more than MAX_NODES nodes, before expanding any."""
        sizes: dict[int, int] = {}
        active: set[int] = set()

        def size(node: yaml.Node) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if key in active:
                self._error(node, "", "an alias refers to itself (a recursive anchor)")
                raise SourceError(self.problems)
            active.add(key)
            total = 1 + sum(min(size(child), MAX_NODES + 1) for child in _children(node))
            active.discard(key)
            sizes[key] = min(total, MAX_NODES + 1)
            return sizes[key]

        if size(root) > MAX_NODES:
            node = root
            while True:  # descend to the innermost node that is itself too big: where the blow-up starts
                big = [c for c in _children(node) if sizes.get(id(c), 0) > MAX_NODES]
                if not big:
                    break
                node = big[0]
            self._error(node, "", f"aliases expand this document past {MAX_NODES:,} nodes; refusing to load it")
            raise SourceError(self.problems)

    # --- conversion --------------------------------------------------------------------------------------------

    def _convert(self, tp: Any, node: yaml.Node, path: str, meta: tuple[Any, ...] = ()) -> Any:
        """Convert a node to the given type, recording errors and returning _BAD on failure."""
        return self._apply(_plan(tp), node, path, meta)

    def _apply(self, plan: Plan, node: yaml.Node, path: str, meta: tuple[Any, ...] = ()) -> Any:
        """Convert a node along a type's plan (see _plan)."""
        how, arg, own = plan
        meta = meta + own if own else meta
        if how == "card":
            return self._convert_card(arg, node, path)
        if how == "dataclass":
            return self._convert_dataclass(arg, node, path)
        if how == "list":
            return self._convert_list(arg, node, path, meta)
        if how == "choice":
            return self._convert_choice(arg, node, path)
        if how == "int":
            return self._convert_int(node, path, meta)
        return self._convert_str(node, path, meta)

    def _convert_dataclass(self, cls: type, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            self._error(node, path, f"expected a mapping ({_keys_hint(cls)}), not {_describe(node)}")
            return _BAD
        fields, plans = _shape(cls)
        seen: dict[str, yaml.Node] = {}
        misspelt: set[str] = set()  # required keys already reported through a misspelling of them
        values: dict[str, Any] = {}
        bad = False
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key_node.tag != "tag:yaml.org,2002:str":
                self._error(key_node, path, f"keys must be plain names, not {_describe(key_node)}")
                bad = True
                continue
            if key == "<<":
                self._error(key_node, path, "merge keys (<<) are not supported; write the keys out")
                bad = True
                continue
            if key in seen:
                first = seen[key].start_mark.line + 1
                self._error(key_node, path, f"duplicate key '{key}' (first given on line {first})")
                bad = True
                continue
            seen[key] = key_node
            if key not in fields:
                hint = _suggest(key, list(fields))
                self._error(key_node, path, f"unknown key '{key}'{hint}")
                misspelt.update(difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6))
                bad = True
                continue
            child = f"{path}.{key}" if path else key
            value = self._apply(plans[key], value_node, child)
            if isinstance(value, _Bad):
                bad = True
            else:
                values[key] = value
                if cls is Topic and key == "tier":
                    self.tiers.append((value, value_node, child))
                if key == "id":  # register now, so a duplicate is reported at its later use in the file
                    self._register_id(value, path, value_node)
        for name, f in fields.items():
            if (
                name not in seen
                and name not in misspelt
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            ):
                self._error(node, path, f"'{name}' is required")
                bad = True
        if bad:
            return _BAD
        if cls is ClozeCard:
            self._check_cloze(values["cloze"], node, path)
        made = cls(**values)
        if isinstance(made, Labels):
            self.labels = made
        return made

    def _convert_card(self, options: tuple[Any, ...], node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            self._error(node, path, f"expected a card mapping, not {_describe(node)}")
            return _BAD
        keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        present = [cls for cls in options if CARD_MARKERS[cls] in keys]
        if len(present) != 1:
            names = [f"'{CARD_MARKERS[c]}'" for c in options]
            markers = ", ".join(names[:-1]) + " or " + names[-1]
            if present:
                both = " and ".join(f"'{CARD_MARKERS[c]}'" for c in present)
                self._error(node, path, f"a card has {both}; give each card exactly one of {markers}")
            else:
                self._error(node, path, f"a card needs one of {markers} (basic, reversible or cloze)")
            return _BAD
        return self._convert_dataclass(present[0], node, path)

    def _convert_list(self, item: Any, node: yaml.Node, path: str, meta: tuple[Any, ...]) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
                items: list[yaml.Node] = []
            else:
                self._error(node, path, f"expected a list, not {_describe(node)}")
                return _BAD
        else:
            items = node.value
        least = next((m.count for m in meta if isinstance(m, MinItems)), 0)
        if len(items) < least:
            self._error(node, path, f"needs at least {least} item{'s' if least > 1 else ''}")
            return _BAD
        out = [self._apply(item, child, f"{path}[{i}]") for i, child in enumerate(items)]
        return _BAD if any(isinstance(v, _Bad) for v in out) else tuple(out)

    def _convert_choice(self, allowed: tuple[str, ...], node: yaml.Node, path: str) -> Any:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if value not in allowed:
            options = ", ".join(f"'{a}'" for a in allowed)
            self._error(node, path, f"must be one of {options}, not {_describe(node)}")
            return _BAD
        return value

    def _convert_int(self, node: yaml.Node, path: str, meta: tuple[Any, ...]) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self._error(node, path, f"must be a whole number, not {_describe(node)}")
            return _BAD
        written = str(node.value)
        if not _DECIMAL.fullmatch(written):
            self._error(node, path, f"must be a whole number in plain decimal digits, not {_describe(node)}")
            return _BAD
        if len(written.lstrip("-")) > _MAX_DIGITS:
            bounds = next((f" ({m.low}..{m.high})" for m in meta if isinstance(m, Range)), "")
            self._error(node, path, f"out of range{bounds}: {written[:22]}… has {len(written)} digits")
            return _BAD
        number = int(written)
        for m in meta:
            if isinstance(m, Range) and not m.low <= number <= m.high:
                self._error(node, path, f"must be between {m.low} and {m.high}, not {number}")
                return _BAD
        return number

    def _convert_str(self, node: yaml.Node, path: str, meta: tuple[Any, ...]) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self._error(node, path, f"must be text, not {_describe(node)}{_colon_hint(node, self.lines)}")
            return _BAD
        if node.tag == "tag:yaml.org,2002:null" or not str(node.value).strip():
            self._error(node, path, "must not be empty")
            return _BAD
        # Keep what the author typed: `yes`, `2026` or `1e3` stay text here rather than becoming bool or number.
        value = str(node.value).strip() if node.style not in ("|", ">") else str(node.value).rstrip("\n")
        # Only double-quoted text can hold escaped control characters: raw ones were refused before parsing.
        control = _CONTROL.search(str(node.value)) if node.style == '"' else None
        if control:
            code = f"U+{ord(control.group()):04X}"
            self._error(node, path, f"holds the control character {code}; remove it", control.start())
            return _BAD
        kind, ref = _string_meaning(meta)
        if kind == "plain" and len(value) > MAX_PLAIN:
            self._error(node, path, f"is {len(value):,} characters long; a title or name may have {MAX_PLAIN}")
            return _BAD
        if ref is not None:
            self.refs.append((ref.target, value, path, node))
        elif kind == "id" and not ID_PATTERN.match(value):
            self._error(node, path, f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens")
            return _BAD
        elif kind == "markup":
            return value if self._check_markup(value, node, path) else _BAD
        elif kind == "latex":
            problem = latex_problem(value)
            if problem:
                self._error(node, path, problem[0], _field_offset(node, problem[1]))
                return _BAD
        elif kind in ("media", "font"):
            return value if self._check_media(value, node, path, kind) else _BAD
        return value

    # --- checks on single values -------------------------------------------------------------------------------

    def _check_markup(self, value: str, node: yaml.Node, path: str) -> bool:
        if not markup.has_markup(value):
            return True  # plain text cannot be malformed
        try:
            markup.to_html(value)  # parses it, and the deck reuses the rendering when it builds in this process
        except markup.MarkupError as exc:
            self._error(node, path, str(exc), exc.offset)
            return False
        ok = True
        for latex, offset in markup.math_of(value) if "\\" in value else ():
            problem = latex_problem(latex)
            if problem:
                message, within = problem
                start = value.find(latex, offset)  # the formula itself, after its \( and any spaces
                self._error(node, path, message, offset if within is None or start < 0 else start + within)
                ok = False
        return ok

    def _check_cloze(self, text: str, node: yaml.MappingNode, path: str) -> None:
        target = next(v for k, v in node.value if k.value == "cloze")
        for problem in cloze.parse(text).problems:
            self._error(target, f"{path}.cloze", problem.message, problem.offset)

    def _check_media(self, value: str, node: yaml.Node, path: str, kind: str = "media") -> bool:
        noun = "font" if kind == "font" else "image"
        try:
            target = (self.root / value).resolve()
            inside = target.is_relative_to(self.root)
            found = inside and target.is_file()
        except (OSError, ValueError):
            self._error(node, path, f"{noun} '{value}' is not a valid path")
            return False
        if not inside:
            self._error(node, path, f"{noun} '{value}' is outside the folder of the source file")
            return False
        if not found:
            self._error(node, path, f"{noun} '{value}' not found (paths are relative to the source file)")
            return False
        problem = font_problem(target) if kind == "font" else image_problem(target)
        if problem:
            self._error(node, path, f"{noun} '{value}' {problem}")
            return False
        return True

    def _register_id(self, value: str, path: str, value_node: yaml.Node) -> None:
        """Record an id, reporting a duplicate at the second use."""
        if value in self.ids:
            first_path, first = self.ids[value]
            line = first.start_mark.line + 1
            self._error(value_node, path, f"duplicate id '{value}' (first used by {first_path} on line {line})")
            self.duplicated.add(value)  # a reference to it is not dangling: the duplicate is the one error
            return
        self.ids[value] = (path, value_node)
        top = re.fullmatch(r"([a-z_]+)\[\d+\]", path)
        if top:  # only top-level items can be referred to
            self.collections.setdefault(top.group(1), set()).add(value)

    # --- checks across the document ----------------------------------------------------------------------------

    def _check_tiers(self) -> None:
        count = len(self.labels.tiers)
        for tier, node, path in self.tiers:
            if tier > count:
                names = f"{count} tier name{'s' if count > 1 else ''}"
                message = f"must be between 1 and {count}, not {tier}: labels.tiers gives {names}, one per tier"
                self._error(node, path, message)

    def _check_refs(self) -> None:
        for target, value, path, node in self.refs:
            known = self.collections.get(target, set())
            if value not in known and value not in self.duplicated:
                label = target.rstrip("s") if target != "areas" else "area"
                self._error(node, path, f"no {label} has the id '{value}'{_suggest(value, sorted(known))}")

    def _check_semantics(self, kb: KnowledgeBase, root: yaml.MappingNode) -> None:
        suffix, extra = max(output_suffixes(kb).items(), key=lambda item: len(item[0]) + item[1])
        if len(kb.meta.id) + len(suffix) + extra > MAX_NAME:
            message = (
                f"is {len(kb.meta.id):,} characters long; output file names are built from it (the longest:"
                f" '<id>{suffix}', written first under a temporary name {extra} characters longer) and a file"
                f" name may have {MAX_NAME} characters, so this course's id may have at most"
                f" {MAX_NAME - extra - len(suffix)}: shorten it"
            )
            self._error(_at(root, "meta", "id"), "meta.id", message)
        if any(not part.strip() for part in kb.meta.deck.split("::")):
            message = "a deck name needs text on both sides of every '::' (Anki makes '::' a subdeck)"
            self._error(_at(root, "meta", "deck"), "meta.deck", message)
        for i, ref in enumerate(kb.references):
            problem = url_problem(ref.url) if ref.url else None
            if problem:
                self._error(_at(root, "references", i, "url"), f"references[{i}].url", problem)
        if len(kb.meta.description) > MAX_DESCRIPTION:
            message = (
                f"is {len(kb.meta.description):,} characters long; a description may have {MAX_DESCRIPTION:,} "
                "(it is the cover's blurb: put longer text in a topic)"
            )
            self._error(_at(root, "meta", "description"), "meta.description", message)
        if not _LANGUAGE.fullmatch(kb.meta.language):
            message = f"'{kb.meta.language[:40]}' is not a BCP 47 language tag, such as en, de, pt-BR or zh-Hant"
            self._error(_at(root, "meta", "language"), "meta.language", message)
        for name, message in labels.problems(kb.labels):
            self._error(_at(root, "labels", name), f"labels.{name}", message)
        used: dict[int, str] = {}
        for name, number in dataclasses.asdict(kb.meta.anki).items():
            if number in used:  # Anki refuses a package in which two note types (or a deck) share an id
                message = f"{number} is already the id of '{used[number]}'; every Anki id must be different"
                self._error(_at(root, "meta", "anki", name), f"meta.anki.{name}", message)
            used.setdefault(number, name)
        for i, drill in enumerate(kb.drills):
            keys = [c.key for c in drill.choices]
            for j, key in enumerate(keys):
                if key in keys[:j]:
                    self._error(
                        _at(root, "drills", i, "choices", j, "key"),
                        f"drills[{i}].choices[{j}].key",
                        f"duplicate choice key '{key}'",
                    )
            if drill.answer not in keys:
                options = ", ".join(f"'{k}'" for k in keys)
                self._error(
                    _at(root, "drills", i, "answer"),
                    f"drills[{i}].answer",
                    f"'{drill.answer}' is not one of the choices ({options})",
                )
        seen: dict[int, str] = {}
        for i, roadmap in enumerate(kb.roadmaps):
            count = len(roadmap.weeks)
            if count in seen:
                message = (
                    f"has as many weeks ({count}) as roadmap '{seen[count]}';"
                    " each roadmap needs its own number of weeks, which --weeks picks it by"
                )
                self._error(_at(root, "roadmaps", i, "weeks"), f"roadmaps[{i}].weeks", message)
            seen.setdefault(count, roadmap.id)
            self._check_listed_once(roadmap, i, root)

    def _check_listed_once(self, roadmap: Roadmap, index: int, root: yaml.MappingNode) -> None:
        # Listed twice in one week, an item would print twice on its pages; a later week may revisit it.
        for w, week in enumerate(roadmap.weeks):
            for kind in ("topics", "formulas", "drills"):
                items: tuple[str, ...] = getattr(week, kind)
                for j, item_id in enumerate(items):
                    if item_id in items[:j]:
                        self._error(
                            _at(root, "roadmaps", index, "weeks", w, kind, j),
                            f"roadmaps[{index}].weeks[{w}].{kind}[{j}]",
                            f"'{item_id}' is already listed in this week of roadmap '{roadmap.id}'",
                        )

    def _warnings(self, kb: KnowledgeBase, root: yaml.MappingNode) -> Iterator[Problem]:
        checks: tuple[tuple[str, tuple[Topic | Formula | Drill, ...], str], ...] = (
            ("topics", kb.topics, "topic"),
            ("formulas", kb.formulas, "formula"),
            ("drills", kb.drills, "drill"),
        )
        covering = coverage(kb)
        for collection, items, label in checks:
            for i, item in enumerate(items):
                covered = covering.by_id.get(item.id, {})
                for roadmap in kb.roadmaps:
                    if roadmap.id not in covered:
                        line, column = self._locate(_at(root, collection, i))
                        message = f"{label} '{item.id}' is in no week of roadmap '{roadmap.id}'"
                        yield Problem(line, column, self.name, f"{collection}[{i}]", message, "warning")
        for i, topic in enumerate(kb.topics):
            if not topic.cards:
                line, column = self._locate(_at(root, "topics", i))
                yield Problem(line, column, self.name, f"topics[{i}]", f"topic '{topic.id}' has no cards", "warning")
        for course_id, (where, ids) in SHIPPED_IDS.items():
            mine = set(dataclasses.astuple(kb.meta.anki))
            if kb.meta.id != course_id and mine & ids:
                line, column = self._locate(_at(root, "meta", "anki"))
                message = (
                    f"uses the Anki ids of {where} (course '{course_id}'): a new course needs its own deck and "
                    "note-type ids, or its notes overwrite that course's in learners' collections and its stamps "
                    "are refused; pick new ones (see 'Starting a new course' in docs/format.md)"
                )
                yield Problem(line, column, self.name, "meta.anki", message, "warning")
        if kb.roadmaps and joins_unshaped(kb.meta.language):
            line, column = self._locate(_at(root, "meta", "language"))
            message = (
                f"'{kb.meta.language}' is written in a script whose letters join: the workbook sets it right to "
                "left, but joins only the letters of the Arabic script, so this script's letters print unjoined "
                "(docs/workbook.md)"
            )
            yield Problem(line, column, self.name, "meta.language", message, "warning")
        for conflict in conflicts(kb):
            path = self._conflict_path(kb, conflict)
            line, column = self._locate(_at(root, *path))
            where = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")
            yield Problem(line, column, self.name, where, conflict.message, "warning")

    @staticmethod
    def _conflict_path(kb: KnowledgeBase, conflict: Conflict) -> tuple[str | int, ...]:
        """Return the path of the week entry that lists the item out of order (or of its week)."""
        week = kb.roadmaps[conflict.plan].weeks[conflict.week - 1]
        path: tuple[str | int, ...] = ("roadmaps", conflict.plan, "weeks", conflict.week - 1)
        listed = {"topic": week.topics, "formula": week.formulas, "drill": week.drills}[conflict.kind]
        if conflict.item in listed:
            return (*path, f"{conflict.kind}s", listed.index(conflict.item))
        return path


#: How to convert a type: the converter's name, its argument and the type's Annotated metadata.
Plan = tuple[str, Any, tuple[Any, ...]]


@functools.cache
def _plan(tp: Any) -> Plan:
    """Classify a model type once (typing introspection is slow): its converter, argument and Annotated metadata.

    A list's argument is its items' plan, so converting items looks nothing up (hashing a type is slow too).
    """
    meta: tuple[Any, ...] = ()
    while typing.get_origin(tp) is typing.Annotated:
        tp, *extra = typing.get_args(tp)
        meta += tuple(extra)
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        return "card", typing.get_args(tp), meta
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return "dataclass", tp, meta
    if typing.get_origin(tp) is tuple:
        return "list", _plan(typing.get_args(tp)[0]), meta
    if typing.get_origin(tp) is Literal:
        return "choice", typing.get_args(tp), meta
    return ("int" if tp is int else "str"), None, meta


@functools.cache
def _string_meaning(meta: tuple[Any, ...]) -> tuple[str, Ref | None]:
    """Return what a string field holds (its Kind name) and what it refers to, from its metadata."""
    kind = next((m.name for m in meta if isinstance(m, Kind)), "plain")
    return kind, next((m for m in meta if isinstance(m, Ref)), None)


@functools.cache
def _shape(cls: type) -> tuple[dict[str, dataclasses.Field[Any]], dict[str, Plan]]:
    """Return a model class's YAML fields and each field's plan (resolving type hints is slow: once per class)."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.metadata.get("yaml", True)}
    hints = typing.get_type_hints(cls, include_extras=True)
    return fields, {name: _plan(hints[name]) for name in fields}


@functools.cache
def latex_problem(latex: str) -> tuple[str, int | None] | None:
    """Return why a LaTeX formula does not parse and where in it (None: the whole formula), or None if it does."""
    structure = latex_structure(latex)
    if structure:
        return structure
    message = _latex_meaning(latex)
    return (message, None) if message else None


_DELIMITER = re.compile(r"\\(?:[A-Za-z]+|[{}|])|[()\[\]|./<>]")


def latex_structure(latex: str) -> tuple[str, int] | None:
    """Check that braces pair and every \\left has its \\right inside the same group; return the problem and
    its offset, or None."""
    stack: list[tuple[str, int]] = []  # "{" or "left", and where it opened
    i = 0
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            command = re.match(r"\\([A-Za-z]+)", latex[i:])
            if command is None:
                i += 2  # \{ \} \\ and the like are characters, not braces
                continue
            name = command.group(1)
            end = i + command.end()
            if name in ("left", "right"):
                after = re.match(r"\s*", latex[end:])
                at = end + (after.end() if after else 0)
                delimiter = _DELIMITER.match(latex, at)
                if delimiter is None:
                    shown = latex[at : at + 1] or "the end"
                    return f"\\{name} needs a delimiter such as ( ) [ ] | or ., not '{shown}' in '{latex}'", i
                if name == "left":
                    stack.append(("left", i))
                elif not stack or stack[-1][0] != "left":
                    return f"\\right without a matching \\left in its group in '{latex}'", i
                else:
                    stack.pop()
                end = delimiter.end()
            i = end
            continue
        if char == "{":
            stack.append(("{", i))
        elif char == "}":
            if not stack:
                return f"LaTeX has an unmatched '}}' in '{latex}'", i
            opened, at = stack.pop()
            if opened == "left":
                return f"'}}' closes a group whose \\left (at {at + 1}) has no \\right in '{latex}'", i
        i += 1
    if stack:
        opened, at = stack[-1]
        if opened == "left":
            return f"\\left has no matching \\right in '{latex}'", at
        return f"LaTeX has an unclosed '{{' in '{latex}'", at
    return None


@functools.cache
def _latex_meaning(latex: str) -> str | None:
    """Return why a formula with well-formed braces does not typeset, or None."""
    try:
        mathml = latex_to_mathml(latex)
    except Exception as exc:  # latex2mathml raises many unrelated types for bad input
        detail = str(exc) or type(exc).__name__
        return f"LaTeX does not parse ({detail}) in '{latex}'"
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        return f"unknown LaTeX command '{unknown.group(1)}' in '{latex}'"
    for command in re.findall(r"\\([A-Za-z]+)", latex):
        if command in UNSAFE_MATH or command.startswith("html") or f"\\{command}" not in _math_commands():
            return f"the LaTeX command '\\{command}' is not allowed in '{latex}' (it is not plain math)"
    return None


@functools.cache
def _math_commands() -> frozenset[str]:
    """Return the allow-list of math commands: those latex2mathml typesets, less the unsafe ones."""
    import latex2mathml.commands as commands
    import latex2mathml.symbols_parser as symbols

    names: set[str] = {str(key) for key in symbols.SYMBOLS if str(key).startswith("\\")}
    for value in vars(commands).values():
        items = value if isinstance(value, (tuple, list, set, frozenset, dict)) else (value,)
        names.update(x for x in items if isinstance(x, str) and x.startswith("\\"))
    return frozenset(n for n in names if n[1:] not in UNSAFE_MATH and not n[1:].startswith("html"))


def url_problem(url: str) -> str | None:
    """Return why a reference URL is refused, or None: only plain http(s) and mailto links are inert."""
    if not url.lower().startswith(URL_SCHEMES):
        return f"'{url}' must start with https://, http:// or mailto:"
    unsafe = _URL_UNSAFE.search(url)
    if unsafe:
        return f"'{url}' holds {unsafe.group()!r}; write it percent-encoded (e.g. %20 for a space)"
    if len(url) > 2000:
        return "the URL is longer than 2,000 characters"
    return None


def font_problem(path: Path) -> str | None:
    """Return why a file cannot be a workbook font (not TrueType, or unreadable), or None."""
    try:
        with path.open("rb") as file:
            head = file.read(4)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if head == b"OTTO":
        return "is an OpenType font with PostScript outlines; the workbook needs a TrueType (.ttf) font"
    if head not in (b"\x00\x01\x00\x00", b"true"):
        return "is not a TrueType (.ttf) font (checked by its content)"
    if path.stat().st_size > MAX_FONT_BYTES:
        return f"is too large (the limit is {MAX_FONT_BYTES / 1_000_000:.0f} MB)"
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:  # the tables the workbook embeds must read, or the PDF would fail only at layout time
        TTFontFile(str(path))
    except Exception as exc:  # reportlab raises TTFError and low-level errors alike for a damaged file
        detail = " ".join(str(exc).replace(str(path), path.name).split())[:120] or type(exc).__name__
        return f"is a damaged or unsupported TrueType font ({detail})"
    return None


def image_problem(path: Path) -> str | None:
    """Return why a file cannot be a card image (too large, or not a PNG, JPEG or GIF), or None."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return f"is too large ({size / 1_000_000:.1f} MB; the limit is {MAX_IMAGE_BYTES / 1_000_000:.0f} MB)"
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not any(head.startswith(sig) for sig in IMAGE_SIGNATURES):
        return "is not a PNG, JPEG or GIF image (checked by its content)"
    import warnings

    from PIL import Image

    try:  # the workbook decodes it to print it: a damaged file must fail here, with its line, not at layout
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                width, height = picture.size
                picture.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return f"has too many pixels; an image may have {MAX_IMAGE_PIXELS // 1_000_000} million"
    except Exception as exc:  # Pillow raises many types for damaged files
        detail = " ".join(str(exc).replace(str(path), path.name).split())[:120] or type(exc).__name__
        return f"is a damaged image ({detail})"
    if width * height > MAX_IMAGE_PIXELS:
        return f"is {width} x {height} pixels; an image may have {MAX_IMAGE_PIXELS // 1_000_000} million"
    return None


def _field_offset(node: yaml.Node, offset: int | None) -> int | None:
    """Return an offset inside a stripped field value as an offset in the node's text (leading spaces counted)."""
    if offset is None or not isinstance(node, yaml.ScalarNode):
        return offset
    value = str(node.value)
    return offset + len(value) - len(value.lstrip())


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


#: The meta.anki ids of the courses shipped with prepexport, which a copy must not keep (tests check they match).
SHIPPED_IDS: dict[str, tuple[str, frozenset[int]]] = {
    "attention-mini": ("docs/example.yaml", frozenset({1900000000001, *range(1900000000101, 1900000000107)})),
    "ml-llm-interview-prep": (
        "the default course",
        frozenset({1764403200001, *range(1764403200101, 1764403200107)}),
    ),
}


def output_suffixes(kb: KnowledgeBase) -> dict[str, int]:
    """Return what follows meta.id in each output's file name, with what its temporary names add to it."""
    # A workbook is written into a temporary file of the build's staged one, so its name grows twice. Kept in
    # step with build.py, the deck and the preview by a test that builds an id as long as these allow.
    names = {".apkg": TEMP_EXTRA, ".removed.txt": TEMP_EXTRA, "-preview.html": TEMP_EXTRA}
    return names | {f"-{len(r.weeks)}-weeks.pdf": 2 * TEMP_EXTRA for r in kb.roadmaps}


def _at(root: yaml.Node, *steps: str | int) -> yaml.Node:
    """Return the node at a path of keys and indexes (the path is known to exist)."""
    node = root
    for step in steps:
        if isinstance(step, int):
            node = node.value[step]
        else:
            node = next(v for k, v in node.value if k.value == step)
    return node


def _colon_hint(node: yaml.Node, lines: list[str]) -> str:
    """Say how to write text that YAML read as a mapping because it holds ': ' (`- Rule : salt it`)."""
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return ""
    key, value = node.value[0]
    plain = all(isinstance(n, yaml.ScalarNode) and not n.style for n in (key, value))
    if not plain or key.start_mark.line != value.end_mark.line or node.flow_style:
        return ""
    line = lines[key.start_mark.line] if key.start_mark.line < len(lines) else ""
    text = line[key.start_mark.column : value.end_mark.column]
    return f"; text with ': ' in it must be quoted, e.g. \"{text}\"" if text else ""


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return "nothing"
    value = str(node.value) if len(str(node.value)) <= 60 else f"{str(node.value)[:57]}…"
    return f"{tag} '{value}'" if tag != "str" else f"'{value}'"


def _keys_hint(cls: type) -> str:
    required = [
        f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING and f.metadata.get("yaml", True)
    ]
    return "with " + ", ".join(required) if required else "of keys"


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
