"""The handout's message catalogue: gettext, with translations read by Babel.

The English texts are the message ids themselves (in the template and in `ics.py`, marked for
gettext); `messages/messages.pot` lists them all (`pybabel extract`, see docs/web.md). A
translation is a `messages/<language>.po` file: it is read and compiled in memory when first
used, so adding a language needs no build step. Dates and numbers are written the way the
language writes them (Babel's locale data).
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from lenaguard.errors import InputError

__all__ = [
    "MESSAGES",
    "SOURCE_LANGUAGE",
    "Words",
    "languages",
    "translations",
]

MESSAGES = Path(__file__).resolve().parent / "messages"
SOURCE_LANGUAGE = "en"
"""The language the message ids are written in (US English)."""
_LOCALE_OF_SOURCE = "en_US"


def languages() -> list[str]:
    """The languages a handout can be written in: English and every translation shipped."""
    return [SOURCE_LANGUAGE, *sorted(path.stem for path in MESSAGES.glob("*.po"))]


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(_LOCALE_OF_SOURCE if language == SOURCE_LANGUAGE else language)
    except (ValueError, UnknownLocaleError) as exc:
        raise InputError([("language", f"{language!r} is not a known language")]) from exc


@lru_cache(maxsize=16)
def translations(language: str = SOURCE_LANGUAGE) -> gettext.NullTranslations:
    """The gettext translations for `language` (the message ids themselves for English)."""
    if language not in languages():
        raise InputError(
            [
                (
                    "language",
                    f"no handout translation for {language!r}; have {', '.join(languages())}",
                )
            ]
        )
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with (MESSAGES / f"{language}.po").open("rb") as stream:
        catalog = read_po(stream, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class Words:
    """Dates and numbers as `language` writes them, for the template and the calendar file."""

    def __init__(self, language: str = SOURCE_LANGUAGE):
        self.language = language
        self.locale = _locale(language)
        names = get_day_names("abbreviated", locale=self.locale)
        self.weekdays = tuple(names[index] for index in range(7))  # Monday first
        full = get_day_names("wide", locale=self.locale)
        self.weekdays_full = tuple(full[index] for index in range(7))

    def long_date(self, date: dt.date) -> str:
        """'Friday, November 20'."""
        return format_skeleton("MMMMEEEEd", date, locale=self.locale)

    def short_date(self, date: dt.date) -> str:
        """'Nov 20'."""
        return format_skeleton("MMMd", date, locale=self.locale)

    def full_date(self, date: dt.date) -> str:
        """'November 20, 2026'."""
        return format_date(date, "long", locale=self.locale)

    def number(self, value: float) -> str:
        """'25', '2.5'."""
        return format_decimal(value, locale=self.locale)
