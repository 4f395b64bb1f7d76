"""The interface's two languages: which one a request gets, its gettext catalogue, its dates.

English is the source language of the templates; Simplified Chinese comes from the compiled
catalogue under locale/. A cookie set by the language switch beats Accept-Language."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.support import Translations

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "radar_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
_BABEL = {"en": Locale("en"), "zh": Locale.parse("zh_Hans_CN")}
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the cookie's when it names one, else the best of Accept-Language."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (English needs none: it is the source)."""
    if language == DEFAULT:
        return NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(found, Translations):  # Babel answers NullTranslations when the .mo is missing
        raise RuntimeError(f"The {language} catalogue is missing from {LOCALE_DIR}: reinstall Radar "
                           "(the compiled .mo files ship with the package).")
    return found


def language_name(code: str, language: str) -> str:
    """The name of the language ``code`` (zh, de, ru...) in the interface language (the code when Babel has none)."""
    return _BABEL[language].languages.get(code, code)


def long_date(day: date | None, language: str) -> str:
    return format_date(day, format="long", locale=_BABEL[language]) if day else ""


def full_date(day: date | None, language: str) -> str:
    return format_date(day, format="full", locale=_BABEL[language]) if day else ""
