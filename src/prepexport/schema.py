"""Generate the JSON Schema of the source format from the model's type hints."""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
from typing import Any, Literal

from prepexport import __version__
from prepexport.load import ID_PATTERN
from prepexport.model import CARD_MARKERS, Doc, Kind, KnowledgeBase, MinItems, Range, Ref

_KIND_TEXT = {
    "id": "a stable id: lowercase letters, digits and single hyphens",
    "markup": "text with light markup: **bold**, *italic*, `code`, '- ' lists, math in \\( \\) or \\[ \\]",
    "latex": "a LaTeX formula, without delimiters",
    "media": "a file path relative to the source file",
    "font": "a TrueType (.ttf) file path relative to the source file",
    "plain": "plain text",
}


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a knowledge-base file."""
    definitions: dict[str, Any] = {}
    root = _object(KnowledgeBase, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"prepexport {__version__} knowledge base",
        **root,
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text() -> str:
    """Return the schema as the text written to knowledge.schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _object(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if not f.metadata.get("yaml", True):
            continue
        properties[f.name] = _type(hints[f.name], definitions)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    out: dict[str, Any] = {"type": "object", "description": _first_line(cls), "properties": properties}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _ref(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    if cls.__name__ not in definitions:
        definitions[cls.__name__] = {}  # placeholder first, so recursive types terminate
        definitions[cls.__name__] = _object(cls, definitions)
    return {"$ref": f"#/$defs/{cls.__name__}"}


def _type(tp: Any, definitions: dict[str, Any], meta: tuple[Any, ...] = ()) -> dict[str, Any]:
    if typing.get_origin(tp) is typing.Annotated:
        base, *extra = typing.get_args(tp)
        return _type(base, definitions, meta + tuple(extra))
    out: dict[str, Any]
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        options = []
        for cls in typing.get_args(tp):
            options.append({"allOf": [_ref(cls, definitions)], "required": [CARD_MARKERS[cls]]})
        out = {"oneOf": options}
    elif dataclasses.is_dataclass(tp) and isinstance(tp, type):
        out = _ref(tp, definitions)
    elif typing.get_origin(tp) is tuple:
        out = {"type": "array", "items": _type(typing.get_args(tp)[0], definitions)}
        for m in meta:
            if isinstance(m, MinItems):
                out["minItems"] = m.count
    elif typing.get_origin(tp) is Literal:
        out = {"enum": list(typing.get_args(tp))}
    elif tp is int:
        out = {"type": "integer"}
        for m in meta:
            if isinstance(m, Range):
                out.update({"minimum": m.low, "maximum": m.high})
    else:
        out = {"type": "string", "minLength": 1}
        kind = next((m.name for m in meta if isinstance(m, Kind)), "plain")
        ref = next((m for m in meta if isinstance(m, Ref)), None)
        out["description"] = f"the id of one of the {ref.target}" if ref else _KIND_TEXT[kind]
        if kind == "id":
            out["pattern"] = ID_PATTERN.pattern
    for m in meta:
        if isinstance(m, Doc):
            out["description"] = m.text
    return out


def _first_line(cls: type) -> str:
    return (inspect.getdoc(cls) or "").splitlines()[0]
