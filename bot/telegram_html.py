"""Telegram's HTML parse mode and its limits: UTF-16 lengths, escaping, safe message splitting.

The library (``briefings/``) knows nothing of this: it composes neutral structures (editions of
verbatim items with article ids, figure lines, provenance) and ``bot/`` renders them here.
Telegram counts the 4096-character limit in UTF-16 code units *after* entity parsing: tags are
free, ``&amp;`` is one unit, an emoji outside the BMP is two. It accepts only a small HTML subset
(b, i, u, s, a href, code, pre, blockquote, span/tg-spoiler, tg-emoji), every tag must be closed,
and a message may not be blank. Everything here keeps those rules so no send ever fails on them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefings.marks import CLAUSE_MARKS, CLOSERS, END_MARKS, STRAIGHT_QUOTES
from briefings.sentences import clauses, sentences

# A tag, or one of the entities Telegram understands (the four named ones and numeric ones).
# Any other ``&`` is literal text to Telegram, and we count it so.
_TOKEN = re.compile(r"<[^<>]*>|&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_BARE = re.compile(r"[<>&]")
_NAMED = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}

# Telegram's longest message, in UTF-16 units after entity parsing.
MESSAGE_LIMIT = 4096

# Messages are joined pieces; the raw (markup included) size is capped too, so a long URL or
# deep nesting cannot make a request huge. Telegram itself only counts the visible text.
RAW_FACTOR = 3

# Cut preferences inside one block, best first. A preferred cut is taken only if it keeps at
# least this share of what would fit, so pieces stay large and messages few.
_MIN_SHARE = 0.5
# The marks of briefings.sentences' one sentence rule: a cut after 。！？；… (and the closing
# quotes and brackets after them: 。” stays together) is a sentence end, after ，、： a clause end.
_SENTENCE_END = frozenset(END_MARKS)
_CLAUSE_END = frozenset(CLAUSE_MARKS)
_CLOSERS = frozenset(CLOSERS + STRAIGHT_QUOTES)


def deep_link(bot_username: str, payload: str) -> str:
    """t.me link that opens the bot with ``/start payload`` (payload: A-Z a-z 0-9 _ -)."""
    return f"https://t.me/{bot_username}?start={payload}" if bot_username else ""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram limit."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape text for a Telegram HTML message body (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)


def escape_attr(text: str) -> str:
    """Escape text for a double-quoted attribute value (``href="…"``)."""
    return html.escape(text, quote=True)


def _decode_entity(entity: str) -> str:
    named = _NAMED.get(entity)
    if named is not None:
        return named
    try:
        code = int(entity[3:-1], 16) if entity[2] in "xX" else int(entity[2:-1])
        return chr(code)
    except (ValueError, OverflowError):
        return entity  # out of range: Telegram would show it as typed


def visible_text(markup: str) -> str:
    """The text Telegram shows for ``markup``: tags dropped, entities decoded."""
    if "<" not in markup and "&" not in markup:
        return markup

    def sub(m: re.Match[str]) -> str:
        token = m.group()
        return "" if token[0] == "<" else _decode_entity(token)

    return _TOKEN.sub(sub, markup)


def visible_len(markup: str) -> int:
    """UTF-16 length after entity parsing: what Telegram counts against the 4096 limit."""
    return utf16_len(visible_text(markup))


def html_to_text(markup: str) -> str:
    """Plain text for a terminal: tags stripped, entities decoded, link targets kept as `` (url)``.

    A link whose text already is its target (or a /command) is printed once.
    """
    out: list[str] = []
    links: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(markup):
        out.append(markup[pos : m.start()])
        pos = m.end()
        token = m.group()
        if token[0] == "&":
            out.append(_decode_entity(token))
            continue
        closing, name = _tag(token)
        if name != "a":
            continue
        if not closing:
            href = _HREF.search(token)
            links.append(html.unescape(href.group(1) or href.group(2) or "") if href else "")
            out.append("\x00")  # marks where the link text starts
        elif links:
            url = links.pop()
            start = max(i for i, part in enumerate(out) if part == "\x00")
            label = "".join(out[start + 1 :])
            out[start] = ""
            if url and url != label.strip():
                out.append(f" ({url})")
    out.append(markup[pos:])
    return "".join(x for x in out if x != "\x00")


def _tag(token: str) -> tuple[bool, str]:
    m = _TAG_NAME.match(token)
    if m is None:
        raise ValueError(f"malformed tag {token!r}")
    return m.group(1) == "/", m.group(2).lower()


def is_balanced(markup: str) -> bool:
    """True when Telegram would parse ``markup``: every tag closed in order, and no bare
    ``<``, ``>`` or ``&`` (nor an entity Telegram does not know) left in the text."""
    stack: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(markup):
        if _BARE.search(markup, pos, m.start()):
            return False
        pos = m.end()
        token = m.group()
        if token[0] != "<":
            continue
        try:
            closing, name = _tag(token)
        except ValueError:
            return False
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack and not _BARE.search(markup, pos)


# --- splitting HTML -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Atom:
    """One indivisible piece of a block: a tag, or one visible character (maybe an entity)."""

    raw: str
    char: str  # the visible character, "" for tags
    name: str = ""  # tag name for tags
    closing: bool = False


def _atoms(block: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for m in _TOKEN.finditer(block):
        atoms.extend(_Atom(c, c) for c in block[pos : m.start()])
        pos = m.end()
        token = m.group()
        if token[0] == "&":
            atoms.append(_Atom(token, _decode_entity(token)))
        else:
            closing, name = _tag(token)
            atoms.append(_Atom(token, "", name, closing))
    atoms.extend(_Atom(c, c) for c in block[pos:])
    return atoms


def _joins_previous(ch: str, prev: str) -> bool:
    """True if a cut between ``prev`` and ``ch`` would break one grapheme (emoji, accent)."""
    if not ch or not prev:
        return False
    o, p = ord(ch), ord(prev)
    if p == 0x200D or o == 0x200D:  # zero-width joiner sequences (👩‍💻)
        return True
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F:  # skin tones, flag tags
        return True
    if 0x1F1E6 <= o <= 0x1F1FF and 0x1F1E6 <= p <= 0x1F1FF:  # regional-indicator flags
        return True
    if o == 0x20E3:  # keycap
        return True
    return unicodedata.category(ch) in ("Mn", "Me")


def _cut_class(last: str, prev: str, nxt: str) -> int:
    """Rank of a cut after ``prev`` and before ``nxt``; ``last`` is ``prev`` with closing quotes
    skipped. Lower is better; 5 would break a grapheme."""
    if _joins_previous(nxt, prev):
        return 5
    if last == "\n" or nxt == "\n":
        return 0
    if last in _SENTENCE_END:
        return 1
    if last in _CLAUSE_END:
        return 2
    if last.isspace() or nxt.isspace():
        return 3
    return 4


def _choose_cut(best: dict[int, tuple[int, tuple[_Atom, ...], int]]) -> tuple:
    """Best-ranked cut that keeps a fair share of the piece; grapheme-breaking cuts last."""
    safe = {r: v for r, v in best.items() if r < 5}
    if not safe:
        return best[5]
    furthest = max(v[2] for v in best.values())
    for rank in sorted(safe):
        if safe[rank][2] >= furthest * _MIN_SHARE:
            return safe[rank]
    return max(safe.values(), key=lambda v: v[2])


def _split_block(block: str, limit: int, raw_limit: int) -> list[str]:
    """Cut one balanced block into balanced pieces within both limits (see split_html)."""
    atoms = _atoms(block)
    pieces: list[str] = []
    start = 0
    prefix: tuple[_Atom, ...] = ()  # open tags carried into the current piece
    n = len(atoms)
    while start < n:
        stack = prefix
        vis = 0
        raw = sum(len(a.raw) for a in prefix)
        closers = sum(len(a.name) + 3 for a in prefix)
        best: dict[int, tuple[int, tuple[_Atom, ...], int]] = {}
        last_char = ""  # last visible character before the cut, closers skipped
        prev_char = ""
        i = start
        while i < n:
            a = atoms[i]
            if a.char:
                vis += utf16_len(a.char)
            elif a.closing:
                if not stack or stack[-1].name != a.name:
                    raise ValueError(f"unbalanced HTML block near {a.raw!r}")
                stack = stack[:-1]
                closers -= len(a.name) + 3
            else:
                stack = (*stack, a)
                closers += len(a.name) + 3
            raw += len(a.raw)
            if vis > limit or raw + closers > raw_limit:
                break
            i += 1
            if a.char:
                prev_char = a.char
                if not (last_char and a.char in _CLOSERS):
                    last_char = a.char
            nxt = atoms[i] if i < n else None
            # Cut only after text or a closing tag and before text or an opening tag (so no
            # piece ends in an empty element), never between 。 and its closing ”, and only
            # once the piece shows something.
            if vis == 0 or nxt is None or nxt.closing or not (a.char or a.closing):
                continue
            if nxt.char in _CLOSERS and a.char in _SENTENCE_END:
                continue
            rank = _cut_class(last_char, prev_char, nxt.char)
            best[rank] = (i, stack, vis)
        if i >= n:
            pieces.append("".join(x.raw for x in prefix) + "".join(x.raw for x in atoms[start:]))
            break
        if not best:
            raise ValueError("a block cannot be split within the limits (markup too long?)")
        end, stack_at_end, _ = _choose_cut(best)
        body = "".join(x.raw for x in prefix) + "".join(x.raw for x in atoms[start:end])
        pieces.append(body + "".join(f"</{x.name}>" for x in reversed(stack_at_end)))
        prefix = stack_at_end
        start = end
    return [p for p in pieces if visible_text(p).strip()]


def split_html(
    blocks: Sequence[str], limit: int = MESSAGE_LIMIT, *, raw_limit: int | None = None
) -> list[str]:
    """Join balanced HTML blocks with newlines into as few messages as fit Telegram's limits.

    Each message has at most ``limit`` visible UTF-16 units and at most ``raw_limit`` raw
    characters (default ``RAW_FACTOR * limit``). Messages break only between blocks; a block too
    long on its own is cut inside its text (never inside a tag, an entity or a grapheme; at a
    paragraph, then a sentence end 。！？；, then a clause mark ，、, then anywhere), closing the
    open tags before the cut and reopening them after it. Blank blocks are dropped, so no message
    is blank. Raises ValueError for an unbalanced block or limits too small for its markup.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    raw_cap = RAW_FACTOR * limit if raw_limit is None else raw_limit
    messages: list[str] = []
    current: list[str] = []
    cur_vis = cur_raw = 0
    for block in blocks:
        if not is_balanced(block):
            raise ValueError(f"unbalanced HTML block: {block[:80]!r}")
        text = visible_text(block)
        if not text.strip():
            continue
        vis, raw = utf16_len(text), len(block)
        if vis > limit or raw > raw_cap:
            parts = _split_block(block, limit, raw_cap)
            if current:
                messages.append("\n".join(current))
            messages.extend(parts[:-1])
            current = [parts[-1]]
            cur_vis, cur_raw = visible_len(parts[-1]), len(parts[-1])
            continue
        if current and (cur_vis + 1 + vis > limit or cur_raw + 1 + raw > raw_cap):
            messages.append("\n".join(current))
            current, cur_vis, cur_raw = [], 0, 0
        if current:
            cur_vis += 1
            cur_raw += 1
        current.append(block)
        cur_vis += vis
        cur_raw += raw
    if current:
        messages.append("\n".join(current))
    return messages


# --- splitting plain text -------------------------------------------------------------------

def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut anywhere, by UTF-16 units, never inside a surrogate pair or a grapheme."""
    out: list[str] = []
    start = 0
    while start < len(text):
        units = 0
        end = start
        safe = start  # last end that does not break a grapheme
        while end < len(text):
            u = 2 if ord(text[end]) > 0xFFFF else 1
            if units + u > limit:
                break
            units += u
            end += 1
            if end == len(text) or not _joins_previous(text[end], text[end - 1]):
                safe = end
        cut = safe if safe > start else max(end, start + 1)
        out.append(text[start:cut])
        start = cut
    return out


def _pack(
    parts: Sequence[str], sep: str, limit: int, finer: Sequence[Callable[[str], list[str]]]
) -> list[str]:
    """Greedily join ``parts`` with ``sep`` into chunks ≤ limit; split oversized parts finer."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    sep_len = utf16_len(sep)
    for part in parts:
        n = utf16_len(part)
        if n > limit:
            if current:
                chunks.append(sep.join(current))
                current, size = [], 0
            if finer:
                pieces = [p for p in finer[0](part) if p]
                chunks.extend(_pack(pieces, "", limit, finer[1:]))
            else:
                chunks.extend(_hard_cut(part, limit))
            continue
        extra = n + (sep_len if current else 0)
        if current and size + extra > limit:
            chunks.append(sep.join(current))
            current, size = [], 0
            extra = n
        current.append(part)
        size += extra
    if current:
        chunks.append(sep.join(current))
    return chunks


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split long plain text (an article) into chunks ≤ ``limit`` UTF-16 units.

    Cuts at paragraph breaks first, then sentence ends (``briefings.sentences``), then clause
    marks, then anywhere safe.
    Blank chunks are dropped. Escaping a chunk for HTML later does not change its visible length.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    chunks = _pack(text.split("\n"), "\n", limit, [sentences, clauses])
    return [c for c in chunks if c.strip()]
