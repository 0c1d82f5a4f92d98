"""The characters Chinese text is read by: Han ranges and the marks that end, close, open and
divide sentences. One definition each, for the parser, the figures, the digest and ``bot/``.

Sentence splitting itself is ``briefings.sentences``; numerals are ``briefings.numbers``; the
typography of a page (datelines, continuation marks) is ``briefings.typography``.
"""

from __future__ import annotations

import re

# Han characters, as the body of a regex character class: CJK Unified Ideographs with Extension
# A and the compatibility ideographs (OCR and traditional pages print a few of these).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
NOT_HAN_RUN = re.compile(f"[^{HAN}]+")

# A sentence ends after a run of stops or an ellipsis (……, ⋯⋯; after NFKC also ......). A
# single ASCII "." is a decimal point or an abbreviation, never an end on its own; the
# full-width ． ends a line (``sentences.ends_sentence``) but inside one it is as often the
# decimal point of full-width digits (１２．５).
STOPS = "。！？!?；;"
ELLIPSES = "…⋯"
END_MARKS = STOPS + ELLIPSES
# The stops that also end a statement: ；and an ellipsis end a sentence inside one (干线港口货物
# 吞吐量31.6亿吨…；完成集装箱吞吐量…。 is two sentences, one statement).
FULL_STOPS = "。！？!?"
# Closing quotes and brackets: after an end mark they belong to the sentence they close
# (……了！” stays whole); a paragraph never starts with one.
CLOSERS = "”’」』）)》】〉]»"
# Straight quotes close a sentence only right after an end mark: elsewhere they as often open.
STRAIGHT_QUOTES = "\"'"
OPENERS = "“‘「『（(《【〈"
# Marks between the clauses of a sentence.
CLAUSE_MARKS = "，,、；;：:"


def is_han(ch: str) -> bool:
    """Whether the one character ``ch`` is a Han character (see ``HAN``)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
