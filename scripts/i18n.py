"""Keep the gettext catalogues in step with the code (babel's extractor and catalogue merge).

Usage:
    python scripts/i18n.py update    extract tr()/N_()/ngettext() strings into locale/messages.pot
                                     and merge them into every locale/<lang>/LC_MESSAGES/messages.po
    python scripts/i18n.py check     list strings without a translation; exit 1 if there are any

After `update`, translate the new empty `msgstr ""` entries in locale/en/LC_MESSAGES/messages.po
(and remove the `#, fuzzy` flag of entries babel guessed), then run `check`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefings.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

KEYWORDS = {"tr": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("bot", "briefings")


def extracted(root: Path = REPO) -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    """(file, line, message) for every marked string in bot/, briefings/ and bot.py."""
    for folder in SOURCES:
        if not (root / folder).is_dir():
            continue
        for name, line, message, _comments, _context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            yield f"{folder}/{name}", line, _clean(message)
    if (root / "bot.py").exists():
        with (root / "bot.py").open("rb") as fh:
            for line, _func, message, _comments in extract_python(fh, KEYWORDS, [], {}):
                yield "bot.py", line, _clean(message)


def _clean(message: str | tuple[str | None, ...]) -> str | tuple[str, ...]:
    """tr("…", n=1) extracts as ("…", None): keep the strings only."""
    if isinstance(message, tuple):
        parts = tuple(m for m in message if m is not None)
        return parts[0] if len(parts) == 1 else parts
    return message


def template() -> Catalog:
    catalog = Catalog(project="briefing-bot", domain=DOMAIN, locale=DEFAULT_LANGUAGE)
    for name, line, message in extracted():
        catalog.add(message, locations=[(name, line)])
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def update() -> None:
    pot = template()
    LOCALE_DIR.mkdir(exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, pot, omit_header=False, sort_output=True)
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(project="briefing-bot", domain=DOMAIN, locale=lang)
        catalog.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True)
        print(f"{path.relative_to(REPO)}: {len(catalog)} messages")


def missing(lang: str, root: Path = REPO) -> list[str]:
    """Marked strings with no (or only a fuzzy) translation in ``lang``'s catalogue."""
    path = root / po_path(lang).relative_to(REPO)
    translated: set[str | tuple[str, ...]] = set()
    if path.exists():
        with path.open("rb") as fh:
            for m in read_po(fh, locale=lang, domain=DOMAIN):
                done = all(m.string) if isinstance(m.string, tuple) else bool(m.string)
                if m.id and done and not m.fuzzy:
                    translated.add(m.id)
    return sorted(
        {
            f"{name}:{line}: {message}"
            for name, line, message in extracted(root)
            if message not in translated
        }
    )


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["check"]:
        gaps = [(lang, m) for lang in LANGUAGES if lang != DEFAULT_LANGUAGE for m in missing(lang)]
        for lang, m in gaps:
            print(f"{lang}: {m}")
        return 1 if gaps else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
