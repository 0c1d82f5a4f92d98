"""The one sentence rule: split text into sentence spans that tile it exactly (no character is
ever lost), and tell whether a text ends a sentence or a statement.

Chinese sentences end at 。！？；(and !?;) or an ellipsis (…… or, after NFKC, ......); closing
quotes and brackets after the end mark belong to the sentence they close (……了！” stays whole);
a newline is a hard break. A statement is a run of sentences up to one ending in 。！？ (or a
newline). Figures, digest items and ``bot/``'s message splitting all cut here, so a figure's
sentence is always one of the sentences of a digest item.
"""

from __future__ import annotations

import re

from briefings.marks import CLAUSE_MARKS, CLOSERS, ELLIPSES, FULL_STOPS, STOPS, STRAIGHT_QUOTES

_AFTER_END = CLOSERS + STRAIGHT_QUOTES
# One end: a run of end marks (an ellipsis counts as one), then closers, then blanks; or a newline.
_END = re.compile(
    rf"(?:[{re.escape(STOPS)}]|[{ELLIPSES}]+|\.{{3,}})+"
    rf"[{re.escape(_AFTER_END)}]*"
    r"[ \t\u3000\u00a0]*"
    r"|\n+"
)
# The characters an end can start with. The pattern above opens with a repeated group, so the
# regex engine cannot skip ahead by itself and tries it at every character of the paragraph.
_END_START = re.compile(rf"[{re.escape(STOPS)}{ELLIPSES}.\n]")
# One clause: up to and including a run of clause marks, or a newline.
_CLAUSE = re.compile(rf"[^{CLAUSE_MARKS}\n]*(?:[{CLAUSE_MARKS}]+|\n|$)")


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences of ``paragraph``, in order, covering all of it.

    Blanks after an end mark stay with the sentence before them; the last sentence may lack an
    end mark. An empty paragraph has no sentences.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for c in _END_START.finditer(paragraph):
        # The same ends as _END.finditer: tried left to right, never inside the previous one.
        if c.start() < start or (m := _END.match(paragraph, c.start())) is None:
            continue
        spans.append((start, m.end()))
        start = m.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans


def sentences(paragraph: str) -> list[str]:
    """The sentence texts of ``paragraph`` (``split_sentences`` sliced out)."""
    return [paragraph[s:e] for s, e in split_sentences(paragraph)]


def split_statements(text: str) -> list[tuple[int, int]]:
    """Spans of the statements of ``text``: whole sentences (``split_sentences``) up to one that
    ends a statement (``ends_statement``) or a line; they tile ``text`` too."""
    spans: list[tuple[int, int]] = []
    start = -1
    for s, e in split_sentences(text):
        start = s if start < 0 else start
        piece = text[s:e]
        if "\n" in piece or ends_statement(piece):
            spans.append((start, e))
            start = -1
    if start >= 0:
        spans.append((start, len(text)))
    return spans


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence``, each with the marks that end it (，、；：); they tile it."""
    return [c for c in _CLAUSE.findall(sentence) if c]


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with an end mark, maybe inside closing quotes and brackets.

    The full-width full stop ． counts here: at the very end it is no decimal point.
    """
    core = text.rstrip().rstrip(_AFTER_END)
    return bool(core) and core[-1] in STOPS + ELLIPSES + "．"


def ends_statement(text: str) -> bool:
    """True when ``text`` ends with 。！？ (maybe inside closing marks): not only a sentence
    (a ；or an ellipsis) but what it says is complete."""
    core = text.rstrip().rstrip(_AFTER_END)
    return bool(core) and core[-1] in FULL_STOPS
