"""Split a paragraph into sentence spans that tile it exactly (no character is ever lost).

Chinese sentences end at 。！？；or an ellipsis (…… or, after NFKC, ......); closing quotes and
brackets after the end mark belong to the sentence they close (……了！” stays whole).
"""

from __future__ import annotations

import re

# One end: a run of end marks (an ellipsis counts as one), then closers, then blanks; or a newline.
# A single ASCII "." is a decimal point or an abbreviation, never an end mark on its own.
_END = re.compile(
    r"(?:[。！？!?；;]|[…⋯]+|\.{3,})+"
    r"[”’」』）)\]】》〉»\"']*"
    r"[ \t\u3000\u00a0]*"
    r"|\n+"
)
# The characters an end can start with. The pattern above opens with a repeated group, so the
# regex engine cannot skip ahead by itself and tries it at every character of the paragraph.
_END_START = re.compile(r"[。！？!?；;…⋯.\n]")


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
