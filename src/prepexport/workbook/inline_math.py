r"""Write simple inline LaTeX as paragraph markup: Unicode symbols, italic variables, <sub> and <super>.

Text stays selectable and searchable, costs nothing to draw, and breaks nowhere inside a formula. Anything
this cannot write faithfully (environments, stacked limits, an unknown command, a glyph the font lacks)
returns None, and the caller draws the formula as a vector image instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

from prepexport.workbook import fonts

NBSP = "\u00a0"

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip

RELATIONS = {
    "=": "=", "<": "&lt;", ">": "&gt;", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "approx": "≈", "sim": "∼", "simeq": "≃", "propto": "∝", "equiv": "≡", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "implies": "⇒", "Leftrightarrow": "⇔", "iff": "⇔",
    "mapsto": "↦", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "ll": "≪", "gg": "≫",
    "mid": "|", "coloneqq": "≔", "triangleq": "≜", "perp": "⊥", "leftrightarrow": "↔",
}  # fmt: skip

BINARY = {
    "+": "+", "-": "−", "*": "∗", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "cup": "∪",
    "cap": "∩", "odot": "⊙", "oplus": "⊕", "otimes": "⊗", "circ": "∘", "ast": "∗", "star": "⋆", "land": "∧",
    "lor": "∨", "wedge": "∧", "vee": "∨", "setminus": "∖",
}  # fmt: skip

SYMBOLS = {
    "infty": "∞", "partial": "∂", "nabla": "∇", "ell": "ℓ", "hbar": "ℏ", "forall": "∀", "exists": "∃",
    "neg": "¬", "lnot": "¬", "emptyset": "∅", "varnothing": "∅", "top": "⊤", "intercal": "⊤", "bot": "⊥",
    "dagger": "†", "prime": "′", "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "angle": "∠",
    "checkmark": "✓", "degree": "°", "%": "%", "$": "$", "#": "#", "&": "&amp;", "_": "_", "{": "{", "}": "}",
    "|": "‖", "Vert": "‖", "vert": "|", "lvert": "|", "rvert": "|", "lVert": "‖", "rVert": "‖",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
}  # fmt: skip

BIG = {"sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "bigcup": "⋃", "bigcap": "⋂"}

FUNCTIONS = {
    "log", "ln", "exp", "max", "min", "arg", "sin", "cos", "tan", "tanh", "lim", "det", "dim", "sup", "inf",
    "Pr", "deg", "gcd", "ker", "sgn", "cosh", "sinh", "lg", "argmax", "argmin",
}  # fmt: skip

SPACES = {",": NBSP, ":": NBSP, ";": NBSP, " ": NBSP, "quad": NBSP * 2, "qquad": NBSP * 4, "!": "", "enspace": NBSP}

BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "P": "ℙ"}
CALLIGRAPHIC = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303", "bar": "\u0304",
           "overline": "\u0304", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}  # fmt: skip
# Accents over a letter that has no precomposed form are drawn with a combining mark, which reportlab
# places without shaping: fine over these narrow-to-medium letters, lopsided over wide ones.
COMBINING_OK = set("abcdeghknopqrsuvxyzαβγδεθμνπρστυφχψω")
STYLES = {"text", "textrm", "mathrm", "operatorname", "mathbf", "textbf", "mathit", "textit", "mathsf", "texttt",
          "mathtt", "boldsymbol", "bm", "mathbb", "mathcal", "mathscr", "mbox", "emph", "operatorname*"}  # fmt: skip
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
           "textstyle", "limits", "nolimits"}  # fmt: skip

_TOKEN = re.compile(r"\\(?:[A-Za-z]+\*?|.)|\s+|.", re.DOTALL)


class Unsupported(Exception):
    """Raised inside the converter for a construct that cannot be written as text."""


@dataclass
class Atom:
    """One math atom: rendered markup plus its spacing class, with optional scripts."""

    markup: str
    kind: str  # ord, var, bin, rel, open, close, punct, op (function or big operator)
    sub: str | None = None
    sup: str | None = None
    compound: bool = False  # more than one atom inside (fractions and roots need parentheses around it)

    def render(self) -> str:
        """Return the atom with its scripts."""
        text = self.markup
        if self.sub is not None:
            text += f"<sub>{self.sub}</sub>"
        if self.sup is not None:
            text += f"<super>{self.sup}</super>"
        return text


class _Parser:
    """Recursive-descent reader of the LaTeX token stream."""

    def __init__(self, latex: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(latex)]
        self.pos = 0

    def peek(self) -> str | None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise Unsupported("unexpected end")
        self.pos += 1
        return token

    def raw_group(self) -> str:
        """Return the source text of the next {...} group verbatim (for \\text)."""
        if self.take() != "{":
            raise Unsupported("expected {")
        depth = 1
        out: list[str] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    return "".join(out)
            out.append(token)
        raise Unsupported("unclosed group")

    def atoms(self, until: str | None = None) -> list[Atom]:
        """Read atoms up to the closing token (or the end)."""
        found: list[Atom] = []
        while True:
            token = self.peek()
            if token is None:
                if until is not None:
                    raise Unsupported("unclosed group")
                return found
            if token == until:
                self.take()
                return found
            if token in ("^", "_"):
                self.take()
                if not found:
                    found.append(Atom("", "ord"))
                target = found[-1]
                script = render(self.argument(), script=True)
                if token == "^":
                    if target.sup is not None:
                        raise Unsupported("double superscript")
                    target.sup = script
                else:
                    if target.sub is not None:
                        raise Unsupported("double subscript")
                    target.sub = script
                continue
            if token == "'":
                self.take()
                if found:
                    found[-1].markup += "′"
                continue
            found.extend(self.atom())

    def argument(self) -> list[Atom]:
        """Read one argument: a braced group or a single atom."""
        if self.peek() == "{":
            self.take()
            return self.atoms("}")
        return self.atom()

    def atom(self) -> list[Atom]:
        token = self.take()
        if token == "{":
            inner = self.atoms("}")
            if len(inner) == 1 and inner[0].kind == "punct":
                return [Atom(inner[0].markup, "ord")]  # {,} is a comma without space, as in 524{,}288
            return [Atom(render(inner), "ord", compound=len(inner) > 1)] if inner else []
        if token in ("}", "&") or token == "\\\\":
            raise Unsupported(token)
        if not token.startswith("\\"):
            return [self.char(token)]
        name = token[1:]
        if name in IGNORED:
            if name in ("left", "right") and self.peek() == ".":
                self.take()
            return []
        if name in SPACES:
            return [Atom(SPACES[name], "space")]
        if name in GREEK:
            return [Atom(GREEK[name], "var" if name[0].islower() else "ord")]
        if name in RELATIONS:
            return [Atom(RELATIONS[name], "rel")]
        if name in BINARY:
            return [Atom(BINARY[name], "bin")]
        if name in SYMBOLS:
            kind = "open" if name in ("langle", "lfloor", "lceil", "lVert", "lvert", "{") else "ord"
            kind = "close" if name in ("rangle", "rfloor", "rceil", "rVert", "rvert", "}") else kind
            return [Atom(SYMBOLS[name], kind)]
        if name in BIG:
            return [Atom(BIG[name], "op")]
        if name in FUNCTIONS:
            return [Atom(name.replace("arg", "arg\u2009") if name in ("argmax", "argmin") else name, "op")]
        if name == "frac" or name in ("dfrac", "tfrac"):
            num, den = self.argument(), self.argument()
            return [Atom(f"{_wrap(num, loose=True)}/{_wrap(den)}", "ord", compound=True)]
        if name == "sqrt":
            if self.peek() == "[":
                raise Unsupported("root index")
            body = self.argument()
            return [Atom(f"√{_wrap(body)}", "ord")]
        if name in ACCENTS:
            return [self.accent(ACCENTS[name], self.argument())]
        if name in STYLES:
            return [self.styled(name)]
        raise Unsupported(name)

    def char(self, token: str) -> Atom:
        if token.isalpha() and token.isascii():
            return Atom(token, "var")
        if token in "-+*":
            return Atom(BINARY[token], "bin")
        if token in "=<>":
            return Atom(RELATIONS[token], "rel")
        if token in "([":
            return Atom(token, "open")
        if token in ")]":
            return Atom(token, "close")
        if token in ",;":
            return Atom(token, "punct")
        if token == "|":
            return Atom("|", "ord")
        if token == "~":
            return Atom(NBSP, "space")
        if token in "$#%":
            raise Unsupported(token)
        return Atom(escape(token, quote=False), "ord")

    def accent(self, mark: str, body: list[Atom]) -> Atom:
        if len(body) != 1 or body[0].sub is not None or body[0].sup is not None:
            raise Unsupported("accent over several atoms")
        base = body[0].markup
        italic = body[0].kind == "var"
        combined = unicodedata.normalize("NFC", base + mark)
        if len(combined) != 1 and base not in COMBINING_OK:
            raise Unsupported("no precomposed accent")
        return Atom(combined, "var" if italic else "ord")

    def styled(self, name: str) -> Atom:
        if name in ("text", "textrm", "mbox", "textbf", "textit", "emph", "texttt"):
            text = escape(self.raw_group().replace("\\ ", " "), quote=False)
            if "\\" in text or "$" in text:
                raise Unsupported("command inside text")
            text = text.replace(" ", NBSP)
            tag = {"textbf": "b", "textit": "i", "emph": "i"}.get(name)
            return Atom(f"<{tag}>{text}</{tag}>" if tag else text, "ord")
        body = self.argument()
        plain = "".join(a.markup for a in body)
        if name in ("mathbb", "mathcal", "mathscr"):
            table = BLACKBOARD if name == "mathbb" else CALLIGRAPHIC
            if len(body) != 1 or plain not in table:
                raise Unsupported(name)
            return Atom(table[plain], "ord", sub=body[0].sub, sup=body[0].sup)
        if name in ("mathrm", "operatorname", "operatorname*", "mathsf", "mathtt"):
            return Atom(render(body, upright=True), "op" if name.startswith("operatorname") else "ord")
        if name in ("mathit",):
            return Atom(render(body), "ord")
        # \mathbf and \boldsymbol: bold; letters stay italic only under \boldsymbol, as in TeX.
        return Atom(f"<b>{render(body, upright=name == 'mathbf')}</b>", "ord")


def _wrap(atoms: list[Atom], *, loose: bool = False) -> str:
    """Render a denominator or root body (or, loose, a numerator), in parentheses when it would be ambiguous.

    A numerator like QK needs none (juxtaposition binds tighter than the slash); a denominator does.
    """
    text = render(atoms)
    visible = [a for a in atoms if a.kind != "space"]
    operators = any(a.kind in ("bin", "rel", "punct") for a in visible[1:])
    if _delimited(visible):
        return text
    if any(a.compound for a in visible) or operators or (len(visible) > 1 and not loose):
        return f"({text})"
    return text


def _delimited(atoms: list[Atom]) -> bool:
    """Tell whether the atoms are one bracketed or |bar| group already, like (a + b) or |R|."""
    if len(atoms) < 3 or atoms[0].sub is not None or atoms[0].sup is not None:
        return False
    first, last = atoms[0].markup, atoms[-1].markup
    pairs = {"(": ")", "[": "]", "|": "|", "‖": "‖", "⟨": "⟩", "⌊": "⌋", "⌈": "⌉"}
    inner = [a.markup for a in atoms[1:-1]]
    return pairs.get(first) == last and first not in inner and last not in inner


def render(atoms: list[Atom], *, script: bool = False, upright: bool = False) -> str:
    """Render atoms with TeX-like spacing (none inside scripts) and italic variables."""
    out: list[str] = []
    previous: Atom | None = None
    for atom in atoms:
        if atom.kind == "space":
            out.append("" if script else atom.markup)
            continue
        kind = atom.kind
        if kind == "bin" and (previous is None or previous.kind in ("bin", "rel", "open", "punct", "op")):
            kind = "ord"  # a unary sign: -x, (+1)
        text = atom.render()
        if atom.kind == "var" and not upright:
            text = _italic(atom)
        if kind in ("bin", "rel") and not script:
            out.append(f"{NBSP}{text}{NBSP}")
        elif kind == "punct" and not script:
            out.append(f"{text}{NBSP}")
        elif previous is not None and previous.kind == "op" and kind in ("var", "ord", "op") and not script:
            out.append(f"{NBSP}{text}")
        else:
            out.append(text)
        previous = atom
    return "".join(out).replace("</i><i>", "")


def _italic(atom: Atom) -> str:
    """Render a variable atom with its base in italics (scripts stay as they are)."""
    base = f"<i>{atom.markup}</i>"
    return Atom(base, atom.kind, atom.sub, atom.sup).render()


_TAGS = re.compile(r"<[^>]+>")
_ITALIC = re.compile(r"<i>(.*?)</i>")


def to_markup(latex: str) -> str | None:
    """Return paragraph markup for the formula, or None when it must be drawn as an image."""
    try:
        atoms = _Parser(latex).atoms()
    except Unsupported:
        return None
    markup = render(atoms).strip(NBSP)
    visible = _unescape(_TAGS.sub("", markup))
    italic = _unescape(_TAGS.sub("", "".join(_ITALIC.findall(markup))))
    if not visible.strip() or fonts.missing(visible) or fonts.missing(italic, fonts.SANS_ITALIC):
        return None
    if any(ord(c) > 0xFFFF for c in visible):
        return None  # reportlab writes a broken ToUnicode entry beyond the BMP, so the text would not copy
    return markup


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
