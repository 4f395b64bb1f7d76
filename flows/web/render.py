"""Jinja2 environments (one per language, autoescaped, gettext installed) and the filters the
templates use to present records: labels, links, highlights. Presentation only."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from flows.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
SOURCE_NAMES = {"arxiv": "arXiv", "biorxiv": "bioRxiv", "medrxiv": "medRxiv"}
AUTHORS_SHOWN = 3


@lru_cache(maxsize=len(i18n.LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=language, html_lang=i18n.HTML_LANG[language], languages=i18n.LANGUAGES, link=link)
    env.filters.update(
        source_name=source_name, source_label=source_label, paper_href=paper_href, safe_href=safe_href,
        highlighted=highlighted, cited=cited, long_date=lambda d: i18n.long_date(_day(d), language),
        full_date=lambda d: i18n.full_date(_day(d), language),
        language_name=lambda code: i18n.language_name(code, language), iso=lambda d: _day(d).isoformat() if d else "",
    )
    return env


def render(language: str, template: str, **context: object) -> str:
    return environment(language).get_template(template).render(**context)


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source.lower(), source)


def source_label(source: str, category: str | None) -> str:
    """'arXiv (cs.AI)', 'bioRxiv (Biology)', 'Nature'."""
    return f"{source_name(source)} ({category})" if category else source_name(source)


def link(path: str, **params: object) -> str:
    """``path`` with the parameters that have a value, URL-encoded."""
    kept = {k: str(v) for k, v in params.items() if v is not None and v != "" and not (k == "offset" and v == 0)}
    return path + ("?" + urlencode(kept) if kept else "")


def paper_href(paper_id: str) -> str:
    return "/paper/" + quote(paper_id, safe=":/")


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) link, else None: a feed's ``javascript:`` link never becomes one."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def highlighted(text: str, offsets: list[tuple[int, int]] | list[list[int]]) -> Markup:
    """``text`` escaped, with the [start, end) spans of ``offsets`` in <mark>."""
    parts, position = [], 0
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in offsets):
        if start < position or start >= end:
            continue
        parts += [escape(text[position:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def cited(text: str, sources: dict[int, object]) -> Markup:
    """A brief's sentence, escaped, with each citation number a link to the page of the paper it
    cites (a number no source has stays plain text)."""
    from queries.brief.render import CITATION

    def numbers(match) -> str:  # noqa: ANN001 - a re.Match
        links = []
        for number in match.group(1).split(", "):
            source = sources.get(int(number))
            links.append(f'<a class="cite" href="{escape(paper_href(source.paper_id))}">{number}</a>'  # type: ignore[attr-defined]
                         if source else number)
        return "[" + ", ".join(links) + "]"

    return Markup(CITATION.sub(numbers, str(escape(text))))


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])
