"""A figure as people see it, and the check that every number in it is printed in its source.

One rule for digest items, county cards, topic lists and the CLI: a confident figure reads
``region · label value`` (``柯城 · 前两个月规上工业增加值增速 高达19.7%``); any other figure is
shown as the words around its value in its sentence. The number verifier has two independent halves:
the tokens of ``briefings.numbers.number_tokens`` (built from the numerals the figure scan
reads) must all be printed in the source, and the figure itself must be verbatim in its sentence
with a value that its text parses back to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from briefings.figures import shown_text
from briefings.models import Figure
from briefings.numbers import number_tokens, quantity_value

# Characters of the sentence shown before a figure's value in an excerpt (half of it after).
EXCERPT_WIDTH = 36


@dataclass(frozen=True)
class FigureLine:
    """A figure as people see it, in neutral text (``bot/`` adds markup, the CLI prints it).

    A line reads ``region · label value`` (``柯城 · 前两个月规上工业增加值增速 19.7%``): every part
    verbatim, every number in it printed in the figure's sentence. An excerpt (``excerpt``) is
    the words around the value in its sentence, ``before value after``: for a figure not read
    with confidence, the reader judges what it measures.
    """

    value: str
    region: str = ""
    label: str = ""
    before: str = ""
    after: str = ""
    excerpt: bool = False

    def plain(self) -> str:
        if self.excerpt:
            return f"{self.before}{self.value}{self.after}"
        body = f"{self.label} {self.value}" if self.label else self.value
        return f"{self.region} · {body}" if self.region else body


def unprinted_numbers(text: str, source: str) -> list[str]:
    """The number tokens of ``text`` that ``source`` does not print (empty: all printed)."""
    printed = set(number_tokens(source))
    return [n for n in number_tokens(text) if n not in printed]


def figure_problems(fig: Figure) -> list[str]:
    """What does not hold of ``fig`` as a shown figure, checked apart from the tokenizer: its
    text and its shown text (with the qualifier word) verbatim in its sentence, and its value
    what its text parses to."""
    return _problems(fig, shown_text(fig))


def _problems(fig: Figure, shown: str) -> list[str]:
    problems = []
    if not fig.text or fig.text not in fig.sentence:
        problems.append(f"figure text {fig.text!r} not in its sentence")
    elif shown not in fig.sentence:
        problems.append(f"shown text {shown!r} not in its sentence")
    value = quantity_value(fig.text)
    if value is None or not math.isclose(value, fig.value, rel_tol=1e-9, abs_tol=1e-9):
        problems.append(f"value {fig.value!r} is not what {fig.text!r} reads ({value!r})")
    return problems


def figure_line(fig: Figure, *, region: str | None = None, known: str = "") -> FigureLine:
    """The one rule for showing a figure: digest items, county cards, topic lists and the CLI.

    ``region`` names the figure's place (default: its own region); one equal to ``known`` (the
    county a card is about) is left out. The label is period + indicator, else the indicator,
    else nothing: the first whose numbers the sentence prints. An indicator the text already
    names is not repeated (桐庐 · 超百个订单, not 桐庐 · 订单 超百个订单). A figure that is not
    confident, or fails ``figure_problems``, is shown as an excerpt of its sentence.
    """
    if not fig.confident:
        return excerpt(fig.sentence, fig.text)
    value = shown_text(fig)
    if _problems(fig, value):
        return excerpt(fig.sentence, fig.text)
    name = fig.region if region is None else region
    name = "" if name == known else name
    indicator = "" if fig.indicator in fig.text else fig.indicator
    for label in (f"{fig.period}{indicator}", indicator, ""):
        line = FigureLine(value, name, label)
        if not unprinted_numbers(line.plain(), fig.sentence):
            return line
    return excerpt(fig.sentence, fig.text)


def excerpt(sentence: str, value: str, width: int = EXCERPT_WIDTH) -> FigureLine:
    """The words around ``value`` in ``sentence``, verbatim; the sentence's start without it."""
    at = sentence.find(value) if value else -1
    if at < 0:
        flat = " ".join(sentence.split())
        cut = flat if len(flat) <= 2 * width else flat[: 2 * width - 1] + "…"
        return FigureLine("", before=cut, excerpt=True)
    start, end = max(0, at - width), min(len(sentence), at + len(value) + width // 2)
    before = ("…" if start else "") + sentence[start:at]
    after = sentence[at + len(value) : end] + ("…" if end < len(sentence) else "")
    return FigureLine(value, before=before, after=after, excerpt=True)
