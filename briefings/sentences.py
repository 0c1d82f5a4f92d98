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
_LINE_ENDS = frozenset(STOPS + ELLIPSES + "．")  # at the very end of a text, ． is a full stop
_BLANKS = " \t\u3000\u00a0"
# An end: a run of end marks (an ellipsis counts as one), then closers, then blanks; or a newline.
# A lone "." is a decimal point or an abbreviation, never an end. Possessive quantifiers: an end
# is the whole run of marks, and nothing is ever tried twice, so the scan is linear.
_NOT_END = rf"[^{re.escape(STOPS)}{ELLIPSES}.\n]++|\.(?!\.\.)"
_RUN = rf"(?:[{re.escape(STOPS)}]|[{ELLIPSES}]++|\.{{3,}}+)++"
_END = re.compile(rf"{_RUN}[{re.escape(_AFTER_END)}]*+[{_BLANKS}]*+|\n++")
_SENTENCE = re.compile(rf"(?:{_NOT_END})*+(?:{_END.pattern})?")
# A statement: sentences up to one whose run of marks ends in a full stop (。！？), or a line.
_STATEMENT = re.compile(
    rf"(?:{_NOT_END}|{_RUN}(?<![{re.escape(FULL_STOPS)}]))*+(?:{_END.pattern})?"
)
# One clause: up to and including a run of clause marks, or a newline.
_CLAUSE = re.compile(rf"[^{CLAUSE_MARKS}\n]*(?:[{CLAUSE_MARKS}]+|\n|$)")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The consecutive non-empty matches of ``pattern`` over ``text``, as spans (they tile it:
    the pattern matches anything up to its end, and only the end of the text is empty)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for part in pattern.findall(text):
        if part:
            spans.append((start, start + len(part)))
            start += len(part)
    return spans


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences of ``paragraph``, in order, covering all of it.

    Blanks after an end mark stay with the sentence before them; the last sentence may lack an
    end mark. An empty paragraph has no sentences.
    """
    return _spans(_SENTENCE, paragraph)


def sentences(paragraph: str) -> list[str]:
    """The sentence texts of ``paragraph`` (``split_sentences`` sliced out)."""
    return [s for s in _SENTENCE.findall(paragraph) if s]


def split_statements(text: str) -> list[tuple[int, int]]:
    """Spans of the statements of ``text``: whole sentences (``split_sentences``) up to one that
    ends a statement (``ends_statement``) or a line; they tile ``text`` too."""
    return _spans(_STATEMENT, text)


def statements(text: str) -> list[str]:
    """The statement texts of ``text`` (``split_statements`` sliced out)."""
    return [s for s in _STATEMENT.findall(text) if s]


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence``, each with the marks that end it (，、；：); they tile it."""
    return [c for c in _CLAUSE.findall(sentence) if c]


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with an end mark, maybe inside closing quotes and brackets.

    The full-width full stop ． counts here: at the very end it is no decimal point.
    """
    core = text.rstrip().rstrip(_AFTER_END)
    return bool(core) and core[-1] in _LINE_ENDS


def ends_statement(text: str) -> bool:
    """True when ``text`` ends with 。！？ (maybe inside closing marks): not only a sentence
    (a ；or an ellipsis) but what it says is complete."""
    core = text.rstrip().rstrip(_AFTER_END)
    return bool(core) and core[-1] in FULL_STOPS
