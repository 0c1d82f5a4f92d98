"""HTML fragments (feed item bodies) to plain paragraphs, with a real HTML parser.

Lexbor (through selectolax) parses the markup the way a browser would, so unclosed tags, stray
``<`` and entities need no special cases; no regular expression ever looks at a tag. Block
elements and ``<br>`` end paragraphs; scripts, styles and embedded objects are dropped; the text
itself is kept as printed, apart from HTML's own whitespace collapsing.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefings.marks import HAN

# Elements that start and end a paragraph of their own.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "th", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never text a reader sees.
_DROP = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
     "head", "title", "select", "button", "audio", "video", "canvas"}
)  # fmt: skip
_TEXT = "-text"

# HTML collapses runs of ASCII whitespace (not U+3000 or U+00A0) into one space.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# A source line break between two Chinese characters renders as nothing in Chinese text.
_CJK = HAN + "\u3000-\u303f\uff00-\uffef"  # Han, CJK punctuation, full-width forms
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_CJK}])")
# Paragraph indents and trailing padding: full-width and no-break spaces.
_EDGE = " \t\n\r\f\u3000\xa0"


def _clean(text: str) -> str:
    text = _CJK_GAP.sub("", text)
    return _HTML_SPACE.sub(" ", text).replace("\xa0", " ").strip(_EDGE)


def html_paragraphs(markup: str) -> list[str]:
    """The paragraphs a browser would show for ``markup``, in order, without empty ones.

    Iterative (an explicit stack), so deeply nested markup cannot exhaust the recursion limit.
    """
    if not markup or not markup.strip():
        return []
    tree = LexborHTMLParser(markup)
    root: LexborNode | None = tree.body or tree.root
    if root is None:
        return []
    paragraphs: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = _clean("".join(buf))
            buf.clear()
            if text:
                paragraphs.append(text)

    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            flush()
            continue
        if tag == _TEXT:
            buf.append(node.text_content or "")
            continue
        if tag in _DROP or tag.startswith(("-", "!")):  # comments, doctypes
            continue
        if tag == "img":
            continue
        block = tag in _BLOCKS
        if block:
            flush()
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    flush()
    return paragraphs


def html_to_text(markup: str) -> str:
    """``html_paragraphs`` joined by blank lines: the shape the article parser reads."""
    return "\n\n".join(html_paragraphs(markup))


def inline_text(markup: str) -> str:
    """A title given as HTML (Atom ``type="html"``) as one line of text."""
    return " ".join(html_paragraphs(markup))


def looks_like_markup(text: str) -> bool:
    """Whether a body declared as plain text is really HTML: it parses to at least one element."""
    if "<" not in text or ">" not in text:
        return False
    tree = LexborHTMLParser(text)
    body = tree.body
    return body is not None and any(child.tag != _TEXT for child in body.iter())
