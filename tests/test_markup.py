"""Inline markup: parsed once, rendered as escaped HTML for the deck."""

from __future__ import annotations

import pytest

from prepexport.markup import DisplayMath, ItemList, MarkupError, Paragraph, parse, plain, to_html


def test_inline_markup_renders_and_escapes() -> None:
    html = to_html(r"Divide by \(\sqrt{d_k}\) so **softmax** stays *calm*; `a<b` & 2 * 3")
    assert html == r"Divide by \(\sqrt{d_k}\) so <b>softmax</b> stays <i>calm</i>; <code>a&lt;b</code> &amp; 2 * 3"


def test_math_is_escaped_but_kept_in_anki_delimiters() -> None:
    assert to_html(r"\(x_{<i}\)") == r"\(x_{&lt;i}\)"


def test_blocks_lists_and_display_math() -> None:
    blocks = parse("Intro.\n\n- one\n- two **b**\n\n1. first\n2. second\n\n\\[ a = b \\]")
    assert isinstance(blocks[0], Paragraph)
    assert isinstance(blocks[1], ItemList) and not blocks[1].numbered and len(blocks[1].items) == 2
    assert isinstance(blocks[2], ItemList) and blocks[2].numbered
    assert blocks[3] == DisplayMath("a = b")
    assert to_html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>"


def test_a_list_right_under_a_line_of_text_is_still_a_list() -> None:
    # As in Markdown: "Three steps:" then its bullets, with no blank line between them.
    assert to_html("Three steps:\n- heat\n- stir") == "<p>Three steps:</p><ul><li>heat</li><li>stir</li></ul>"
    assert to_html("Order:\n1. mix\n2. bake") == "<p>Order:</p><ol><li>mix</li><li>bake</li></ol>"
    # A line under an item continues it, indented or not; a year ending a sentence starts no list.
    assert to_html("- a long item\n  that goes on\n- next") == "<ul><li>a long item that goes on</li><li>next</li></ul>"
    assert to_html("It opened in\n1989. Then it closed.") == "It opened in 1989. Then it closed."
    # Nor in an item: a number under an item's text continues it; one at the list's own margin is the next item.
    assert to_html("- It opened in\n  1989. Then it closed.") == "<ul><li>It opened in 1989. Then it closed.</li></ul>"
    numbered = to_html("1. It opened in\n   1989. Then\n2. next")
    assert numbered == "<ol><li>It opened in 1989. Then</li><li>next</li></ol>"
    assert to_html("1. one\n2. two\n10. ten") == "<ol><li>one</li><li>two</li><li>ten</li></ol>"
    assert to_html("- a\n1. b") == "<ul><li>a</li></ul><ol><li>b</li></ol>"


def test_cloze_braces_pass_through() -> None:
    assert to_html("The {{c1::KV cache}} stores keys") == "The {{c1::KV cache}} stores keys"


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("a **bold", "bold opened with '**' is never closed", 2),
        ("an *italic", "italics opened with '*' is never closed", 3),
        ("some `code", "code opened with '`' is never closed", 5),
        (r"math \(x", r"math opened with '\(' is never closed with '\)'", 5),
        # On a line that continues a list item or a paragraph: the offset is in the field, indentation counted.
        ("- an item\n  goes **on\n- next", "bold opened with '**' is never closed", 17),
        ("- a\n- b\n    more\n    and *x", "italics opened with '*' is never closed", 25),
        ("  A paragraph\n  that `goes on", "code opened with '`' is never closed", 21),
        ("A paragraph.\n\n  Then **one line", "bold opened with '**' is never closed", 21),
    ],
)
def test_unclosed_markup_is_an_error_with_its_offset(text: str, message: str, offset: int) -> None:
    with pytest.raises(MarkupError) as caught:
        parse(text)
    assert (str(caught.value), caught.value.offset) == (message, offset)


def test_plain_drops_markup() -> None:
    assert plain("**KV** cache, `x`") == "KV cache, x"
