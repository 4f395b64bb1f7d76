"""BibTeX of papers (pure): Unicode and LaTeX's special characters escaped back to LaTeX by
pylatexenc, math left as written (in braces, so a style's case change cannot touch it),
capitals that must stay capitals protected by braces, arXiv papers with ``eprint``,
``archivePrefix`` and ``primaryClass``, DOIs and journal references wherever known.

Every value is brace-delimited and its braces balance: literal braces that pair up are ``\\{``
and ``\\}``, a lone one ``\\textbraceleft``/``\\textbraceright`` (BibTeX counts ``\\{`` as a brace
too), and math whose braces do not balance is escaped like text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from indexing.records import Paper
from indexing.text import split_math
from queries.exports.keys import cite_keys
from queries.exports.names import Name, split_name
from queries.exports.records import arxiv_id, is_preprint, preprint_server

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BACKSLASH = UnicodeToLatexConversionRule(rule_type=RULE_DICT, rule={ord("\\"): r"\textbackslash"})
_LONE_BRACES = UnicodeToLatexConversionRule(rule_type=RULE_DICT, rule={
    ord("{"): r"\textbraceleft", ord("}"): r"\textbraceright"})
_OPTIONS = {"non_ascii_only": False, "replacement_latex_protection": "braces-all", "unknown_char_policy": "keep",
            "unknown_char_warning": False}
# Literal braces that pair up are \{ and \} (LaTeX and every reader know them); a lone one would
# unbalance the value for BibTeX, which counts \{ too: it becomes \textbraceleft or \textbraceright.
_ENCODERS = {
    True: UnicodeToLatexEncoder(conversion_rules=[_BACKSLASH, "defaults"], **_OPTIONS),
    False: UnicodeToLatexEncoder(conversion_rules=[_BACKSLASH, _LONE_BRACES, "defaults"], **_OPTIONS),
}
_SPACE = re.compile(r"(\s+)")
_PLAIN = re.compile(r'[^\\{}%&#_~^$<>\x00-\x1f\x7f-\U0010ffff]*')
_AND = re.compile(r"\band\b", re.IGNORECASE)


def bibtex(papers: Sequence[Paper]) -> str:
    """One BibTeX entry per paper (duplicates once), in the order given."""
    keys = cite_keys(papers)
    seen: set[str] = set()
    entries = []
    for paper in papers:
        if paper.paper_id not in seen:
            seen.add(paper.paper_id)
            entries.append(entry(paper, keys[paper.paper_id]))
    return "\n".join(entries)


def entry(paper: Paper, key: str) -> str:
    kind = "misc" if is_preprint(paper) else "article"
    fields: list[tuple[str, str | None]] = [
        ("title", latex_text(paper.title, protect_capitals=True)),
        ("author", " and ".join(bibtex_name(split_name(a)) for a in paper.authors if a.strip()) or None),
        ("year", str(paper.published.year) if paper.published else None),
        ("month", MONTHS[paper.published.month - 1] if paper.published else None),  # a macro: no braces
    ]
    if kind == "article":
        fields.append(("journal", latex_text(paper.venue or paper.source)))
    eprint = arxiv_id(paper)
    if eprint:
        fields += [("eprint", eprint), ("archivePrefix", "arXiv"), ("primaryClass", paper.primary_category)]
    elif is_preprint(paper):
        fields.append(("publisher", preprint_server(paper)))
    fields += [
        ("doi", _verbatim(paper.doi)),
        ("url", _verbatim(paper.url)),
        ("note", latex_text(paper.journal_ref) if paper.journal_ref else None),
        ("keywords", latex_text(", ".join(paper.categories)) if paper.categories else None),
        ("abstract", latex_text(paper.abstract) if paper.abstract else None),
    ]
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},"
              for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n"


def latex_text(text: str, *, protect_capitals: bool = False) -> str:
    """``text`` as BibTeX field content: escaped outside math, math as written (in braces)."""
    parts = split_math(" ".join(text.split()))
    balanced = _balanced("".join(p for i, p in enumerate(parts) if not i % 2 or not _balanced(p)))
    sentence_case = protect_capitals and _sentence_case(" ".join(parts[::2]))
    out = []
    first = True
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"{{{part}}}" if _balanced(part) else _encode(part, balanced))
            first = False
            continue
        if not protect_capitals:
            out.append(_encode(part, balanced))
            continue
        for token in _SPACE.split(part):
            if not token or token.isspace():
                out.append(token)
                continue
            encoded = _encode(token, balanced)
            if protect_capitals and _protect(token, first, sentence_case):
                encoded = f"{{{encoded}}}"
            out.append(encoded)
            first = False
    return "".join(out)


def _encode(text: str, balanced: bool = True) -> str:
    """``text`` with Unicode and LaTeX's special characters as LaTeX; ASCII prose passes as is
    (and a double quote stays one: it needs no escape inside a braced value)."""
    if _PLAIN.fullmatch(text):
        return text
    return '"'.join(_encode_run(run, balanced) for run in text.split('"'))


@lru_cache(maxsize=1 << 16)  # words and names repeat across papers
def _encode_run(text: str, balanced: bool) -> str:
    return _ENCODERS[balanced].unicode_to_latex(text) if text and not _PLAIN.fullmatch(text) else text


def bibtex_name(name: Name) -> str:
    """"von Last, Jr, First" (or the whole name in braces), each part escaped."""
    if name.literal:
        return f"{{{latex_text(name.literal)}}}"
    parts = [_name_part(p) for p in (name.full_family, name.suffix, name.given)]
    family, suffix, given = parts
    return ", ".join(p for p in (family, suffix, given) if p) if suffix else ", ".join(p for p in (family, given) if p)


def _name_part(text: str) -> str:
    encoded = latex_text(text)
    return f"{{{encoded}}}" if _AND.search(text) or "," in text else encoded


def _protect(word: str, first: bool, sentence_case: bool) -> bool:
    """Acronyms and inner capitals ("BERT", "GPT-4", "iPhone"); in a sentence-case title, capitalised
    words after the first are names ("Gaussian", "Schrödinger") and are protected too."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if any(c.isupper() for c in letters[1:]):
        return True
    return letters[0].isupper() and sentence_case and not first


def _sentence_case(text: str) -> bool:
    words = [w for w in text.split()[1:] if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) * 2 < len(words)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _verbatim(value: str | None) -> str | None:
    """DOIs and URLs as written; braces (which BibTeX would count) percent-encoded."""
    if not value:
        return None
    return value.replace("{", "%7B").replace("}", "%7D")
