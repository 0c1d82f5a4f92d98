"""Telegram's HTML parse mode as the fake Bot API checks it: the tags and entities Telegram
accepts, and message length counted the way Telegram counts it (UTF-16 units after parsing).

Deliberately stricter than Telegram: a bare ``&`` (Telegram keeps it as text) and named entities
other than &lt; &gt; &amp; &quot; are rejected, because they mean the bot forgot html.escape.
"""

from __future__ import annotations

import re


class TelegramHtmlError(ValueError):
    """Raised for text Telegram would refuse with "can't parse entities"."""


_ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span", "tg-emoji"}
)
_START_TAG_RE = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z][\w-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([A-Za-z][\w-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_END_TAG_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,7})|([A-Za-z]+));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL_RE = re.compile(r"[<&]")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(match: re.Match[str]) -> str | None:
    dec, hexa, name = match.groups()
    if name is not None:
        return _NAMED_ENTITIES.get(name)
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_telegram_html(text: str) -> str:
    """Return the visible text of a parse_mode=HTML message; raise TelegramHtmlError if invalid.

    Follows tdlib's parser: only '<' and '&' are special, tags must nest and close, and errors
    carry UTF-8 byte offsets like Telegram's own messages.
    """

    def at(pos: int) -> str:
        return f"at byte offset {len(text[:pos].encode('utf-8'))}"

    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        special = _SPECIAL_RE.search(text, i)
        if special is None:
            out.append(text[i:])
            break
        out.append(text[i : special.start()])
        i = special.start()
        if text[i] == "&":
            entity = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(entity) if entity else None
            if entity is None or decoded is None:
                raise TelegramHtmlError(f"Unsupported HTML entity {at(i)}")
            out.append(decoded)
            i = entity.end()
        elif text.startswith("</", i):
            end = _END_TAG_RE.match(text, i)
            if end is None:
                raise TelegramHtmlError(f"Unclosed end tag {at(i)}")
            name = end.group(1).lower()
            if not stack:
                raise TelegramHtmlError(f"Unexpected end tag {at(i)}")
            if stack[-1] != name:
                raise TelegramHtmlError(
                    f'Unmatched end tag {at(i)}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = end.end()
        else:
            start = _START_TAG_RE.match(text, i)
            raw_name = start.group(1) if start else re.match(r"<([^\s>]*)", text[i:]).group(1)
            name = raw_name.lower()
            if name not in _ALLOWED_TAGS:
                raise TelegramHtmlError(f'Unsupported start tag "{name}" {at(i)}')
            if start is None:
                raise TelegramHtmlError(f"Unclosed start tag {at(i)}")
            attrs = {k.lower(): v.strip("\"'") for k, v in _ATTR_RE.findall(start.group(2))}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise TelegramHtmlError(f'Tag "span" must have class "tg-spoiler" {at(i)}')
            if name == "tg-emoji" and not attrs.get("emoji-id"):
                raise TelegramHtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" {at(i)}')
            stack.append(name)
            i = start.end()
    if stack:
        raise TelegramHtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def validate_telegram_html(text: str) -> str | None:
    """Return Telegram's error ("can't parse entities: ...") for invalid HTML, else None."""
    try:
        parse_telegram_html(text)
    except TelegramHtmlError as exc:
        return f"can't parse entities: {exc}"
    return None
