"""Chinese word segmentation shared by region matching and full-text search.

Uses rjieba (jieba-rs: token-for-token identical to jieba, about 25x faster) with a user
dictionary of region names, so that 柯城, 柯桥 and 鄞州 are single tokens every time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import rjieba

USERDICT = Path(__file__).resolve().parent.parent / "data" / "jieba_userdict.txt"

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> rjieba.Jieba:
    with _lock:
        seg = rjieba.Jieba()
        if USERDICT.exists():
            for line in USERDICT.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if not parts or line.startswith("#"):
                    continue
                freq = int(parts[1]) if len(parts) > 1 else 1000
                tag = parts[2] if len(parts) > 2 else "ns"
                seg.add_word(parts[0], freq, tag)
        return seg


def cut(text: str) -> list[str]:
    """Precise-mode tokens; concatenated they give back ``text`` exactly."""
    return _segmenter().cut(text)


def cut_for_search(text: str) -> list[str]:
    """Search-mode tokens (long words plus their shorter sub-words), for indexing."""
    return _segmenter().cut_for_search(text)


def boundaries(text: str) -> set[int]:
    """Character offsets where a precise-mode token starts or ends (0 and len(text) included)."""
    pos = 0
    out = {0}
    for tok in cut(text):
        pos += len(tok)
        out.add(pos)
    return out
