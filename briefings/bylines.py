"""Bylines, photo credits and author fields: `■ 本报记者 郑亚丽 通讯员 刘磊` → people, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.models import Person
from briefings.typography import (
    _CREDIT_LAST,
    _CREDIT_TAIL,
    _H,
    _MARKERS,
    _NAME,
    _ROLE,
    _ROLE_NAME,
    _WS,
    _both,
    _vis,
)

_SHORT_NAME = re.compile(rf"[{_H}]{{2,3}}")
# 整理 (compiled), 采写 (reported and written) … glued to the last name of a byline.
_WRITER_TAIL = _both(re.compile(rf"(?<=[{_H}])(?:采访整理|整理|采写|撰文|执笔|口述)$"))
# 据新华社电, 本报电, 新华社北京电: where a text came from, printed where a byline would be.
_AGENCY_DATELINE = _both(re.compile(r"(?:社|报|网|台)[^\s]{0,8}[电讯]$"))


@dataclass(frozen=True)
class People:
    """Names parsed from a byline-like string, and the photo credit word if it is one (文摄)."""

    people: tuple[Person, ...]
    credit: str = ""
    marked: bool = False  # began with ■ or was wrapped in parentheses


def parse_people(text: str) -> People | None:
    """Parse `■ 本报记者 郑亚丽 夏丹 通讯员 刘磊` or `本报记者 黄宇璐 共享联盟·普陀 王祖达 文摄`.

    Every token must be a role (本报记者, 通讯员, 共享联盟·普陀) or a 2-4 character name, so body
    text never parses. Returns None when the string is not a byline.
    """
    s = text.strip()
    marked = wrote = False
    if s and s[0] in _MARKERS:
        s, marked = s[1:].strip(), True
    if len(s) >= 2 and s[0] in "(（" and s[-1] in ")）":
        s, marked = s[1:-1].strip(), True
    if not s or _vis(s) > 60:
        return None
    credit = ""
    m = _CREDIT_TAIL.search(s) if s[-1] in _CREDIT_LAST else None
    if m:
        credit = _WS.sub("", m.group("credit") or m.group("credit2"))
        s = s[: m.start()].strip()
    elif m := _WRITER_TAIL.search(s):
        s, wrote = s[: m.start()].strip(), True  # 本报记者 程 焕整理: who wrote it down
        if not s:
            return None
    tokens = _join_spaced_names([t for t in re.split(r"[\s、,，]+", s) if t])
    if not tokens or len(tokens) > 16:
        return None
    role, has_role, people, short = "", False, [], True
    for tok in tokens:
        if _ROLE.match(tok):
            role, has_role = tok, True
        elif rn := _ROLE_NAME.match(tok):
            role, has_role = rn.group(1), True
            people.append(Person(rn.group(2), role))
        elif _AGENCY_DATELINE.search(tok):
            return None  # （据新华社电）: a source, not a person
        elif _NAME.match(tok) or (marked and re.fullmatch(rf"[{_H}·]{{1,6}}", tok)):
            people.append(Person(tok, role))
            short = short and (len(tok) <= 3 or "·" in tok)
        else:
            return None
    if not people or not (has_role or marked or credit):
        return None
    if not (has_role or credit or short):
        return None  # ■加大支持 做好服务: four-character words under a marker are a sub-head
    return People(tuple(people), credit, marked or (wrote and has_role))


def names_only(text: str) -> People | None:
    """A line of one to four names and nothing else (王明钦, 田豆豆  童  萱, 程 焕 曾 坤): how a
    commentary or a report signs its writers under the headline, without a role.

    Only names of two or three characters count (a four-character word is a phrase more often
    than a name), and a lone two-character name only set spaced out (张  红), as names are: a
    lone 预告 is a word. The caller must know the line stands where a byline stands."""
    raw = [t for t in re.split(r"[\s、,，]+", text.strip()) if t]
    tokens = _join_spaced_names(raw)
    if not 1 <= len(tokens) <= 4 or not all(_SHORT_NAME.fullmatch(t) for t in tokens):
        return None
    if len(raw) == 1 and len(raw[0]) == 2:
        return None
    return People(tuple(Person(t, "") for t in tokens))


def _join_spaced_names(tokens: list[str]) -> list[str]:
    """Two-character names are set spaced out to the width of three (王  正, 廖  望): two single
    Han characters in a row are one name."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if i + 1 < len(tokens) and re.fullmatch(rf"[{_H}]{{2}}", t + tokens[i + 1]):
            out.append(t + tokens[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _split_trailing_credit(text: str) -> tuple[str, People] | None:
    """`…火热开赛。 新华社记者 李四 摄` → (caption text, credit); None if there is no credit."""
    s = text.rstrip()
    cut = max(s.rfind(c) for c in "。！？!?”…")
    if cut < 0 or cut == len(s) - 1:
        return None
    tail = s[cut + 1 :]
    people = parse_people(tail)
    if people is None or not people.credit:
        return None
    return s[: cut + 1], people


def people_from_author(author: str) -> list[Person]:
    """Names from a JSON `author` field: `郑亚丽 夏丹`, `记者 张三、李四` or `■ 本报记者 郑亚丽`."""
    if not author.strip():
        return []
    parsed = parse_people(f"({author.strip()})")
    if parsed is not None:
        return list(parsed.people)
    return [Person(n, "") for n in re.split(r"[\s、,，;；]+", author.strip()) if n]
