"""The one family of errors the CLI turns into messages and exit codes, never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning, located in the source file."""

    line: int
    column: int
    file: str
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        label = "warning: " if self.severity == "warning" else ""
        location = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return printable(f"{location}: {label}{where}{self.message}")


def printable(text: str) -> str:
    """Return text with control characters escaped (as \\x1b), so no message sends them raw to a terminal."""
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode() for c in text)


class PrepexportError(Exception):
    """Base of every error prepexport reports to the user."""


class SourceError(PrepexportError):
    """The source file is missing or invalid; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class OutputError(PrepexportError):
    """An output could not be written."""


class Terminated(BaseException):  # a signal, not an error: no `except Exception` may stop it
    """A polite kill (SIGTERM, SIGHUP) unwinding a build: temporary files go, the last outputs stay."""
