"""Radar's one text analysis: words, English stop words and a Snowball stemmer.

Every lexical comparison goes through here: the terms both search backends index and query
(so a query stems the same way on DuckDB and on an Elasticsearch node without an ``english``
analyzer), and the content words of briefs and key terms. ``terms`` folds accents (base.fold),
lower-cases, keeps Latin and Greek words and numbers (``3.14`` stays one word), skips CJK
script, drops English stop words and stems with Snowball's ``porter`` algorithm, the one
DuckDB's full-text extension uses (``stemmer = 'porter'``), so both backends agree.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from indexing.search.base import fold

STEMMER = "porter"
"""The Snowball algorithm (PyStemmer's name). 'porter' matches DuckDB fts; on SciFact it and
'english' (Porter2) score within noise of each other (see README, Benchmarks)."""

WORD = re.compile(r"[^\W_]+(?:\.\d+)?")
"""A word: letters and digits (no underscore), with one decimal part (``3.14``)."""
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")  # WORD on lower-case ASCII text, several times faster

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
"""Chinese, Japanese and Korean script and punctuation: no word boundaries to split on, and no
stemmer; skipped."""

STOPWORDS = frozenset("""
a about above after again against all almost also although always am among an and another any are around as at
be because been before being below between both but by can cannot could did do does doing done down during each
either else enough etc even ever every few for from further had has have having he her here hers herself him
himself his how however i if in into is it its itself just least less may me might more most much must my myself
neither no nor not now of off often on once one only or other others otherwise our ours ourselves out over own
per perhaps quite rather same several she should since so some such than that the their theirs them themselves
then there therefore these they this those though through thus to too toward towards under until up upon us very
via was we well were what whatever when where whether which while who whom whose why will with within without
would yet you your yours yourself
""".split())
"""English function words, lower-case and unstemmed: the one stop list (queries add their own
academic filler on top where a shared "propose" says nothing)."""

_stemmer = Stemmer.Stemmer(STEMMER)
_stemmer_lock = threading.Lock()  # a PyStemmer object is not thread-safe; only cache misses take it


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The Snowball stem of one lower-case word; numbers and words with digits are kept as they are."""
    if not word.isalpha():
        return word
    with _stemmer_lock:
        return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """The lower-cased, accent-folded words and numbers of ``text``; CJK script is skipped."""
    text = fold(text).lower()
    return _ASCII_WORD.findall(text) if text.isascii() else WORD.findall(CJK.sub(" ", text))


class _Terms(dict[str, str]):
    """word -> its term ("" for a stop word), filled as words come: indexing analyses every
    title and abstract, so each word costs one dict lookup after its first time."""

    limit = 1 << 20

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        term = self[word] = "" if word in STOPWORDS else stem(word)
        return term


_TERMS = _Terms()


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order: its words, stop words removed, stemmed."""
    return [t for t in map(_TERMS.__getitem__, words(text)) if t]
