"""Text normalisation for matching: NFKC, folded spaces, traditional → simplified.

Users always see the original text; these functions make the copy that is matched against.
"""

from __future__ import annotations

import re
import unicodedata

import zhconv

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\ufeff]+")


def nfkc(text: str) -> str:
    """NFKC folds full-width ASCII (１９．７％ → 19.7%) and compatibility forms."""
    return unicodedata.normalize("NFKC", text)


def fold_spaces(text: str) -> str:
    """Collapse runs of blanks (including the ideographic space) to one ASCII space."""
    return _SPACES.sub(" ", text).strip()


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (縉雲 → 缙云); other text passes through."""
    return zhconv.convert(text, "zh-cn")


def for_matching(text: str) -> str:
    """The normalised copy used for lookups: NFKC, simplified, spaces folded, lower-case Latin."""
    return fold_spaces(to_simplified(nfkc(text))).lower()
