"""The two languages: negotiation, and catalogues that cover every interface string."""

from __future__ import annotations

from datetime import date

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from flows.web import i18n

WEB = i18n.LOCALE_DIR.parent


def test_negotiation_prefers_the_cookie_then_accept_language_by_quality() -> None:
    assert i18n.negotiate(None, None) == "en"
    assert i18n.negotiate(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.negotiate(None, "en;q=0.4, zh-TW;q=0.6") == "zh"
    assert i18n.negotiate(None, "fr-FR, de;q=0.9") == "en"
    assert i18n.negotiate(None, "zh;q=0, en") == "en"
    assert i18n.negotiate("en", "zh-CN") == "en"
    assert i18n.negotiate("xx", "zh-CN") == "zh"


def interface_strings() -> set[str]:
    found = extract_from_dir(str(WEB), method_map=[("**/templates/**.html", "jinja2")],
                             options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n",
                                                                   "trim_blocks": "true", "lstrip_blocks": "true"}})
    return {message for _, _, message, _, _ in found}


def test_every_interface_string_has_a_chinese_translation_in_the_shipped_catalogue() -> None:
    strings = interface_strings()
    assert len(strings) > 50
    with (i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    missing = sorted(s for s in strings if not (compiled.get(s) and compiled.get(s).string))
    assert not missing, f"untranslated (edit messages.po, then pybabel compile): {missing}"


def test_the_compiled_catalogue_matches_its_source() -> None:
    folder = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}


def test_dates_are_formatted_per_language() -> None:
    assert i18n.long_date(date(2024, 11, 28), "en") == "November 28, 2024"
    assert i18n.long_date(date(2024, 11, 28), "zh") == "2024年11月28日"
    assert i18n.full_date(date(2024, 11, 28), "zh").endswith("星期四")
