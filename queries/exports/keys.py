"""Cite keys: stable (the same paper always gets the same key from the same papers) and unique
within an export. A key is the first author's family name, the year and the first significant
word of the title, folded to ASCII: ``vaswani2017attention``. Papers whose keys collide each get
a suffix drawn from their own id (``smith2024deep3f2a``), so a key never depends on the order of
the export. Pure functions."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

from indexing.records import Paper
from queries.exports.names import ascii_word, split_name

_STOPWORDS = frozenset("a an and are as at be by for from in into is it of on or the to with via towards toward "
                       "using do does can how what when why we our".split())
_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]")
_MAX_PART = 20


def base_key(paper: Paper) -> str:
    """The key before collisions are settled: family name, year, first significant title word."""
    author = ""
    if paper.authors:
        name = split_name(paper.authors[0])
        author = ascii_word(name.family or name.literal.split()[0])[:_MAX_PART]
    year = str(paper.published.year) if paper.published else ""
    word = ""
    for token in _MATH.sub(" ", paper.title).split():
        folded = ascii_word(token)
        if folded and folded not in _STOPWORDS and not folded.isdigit():
            word = folded[:_MAX_PART]
            break
    key = f"{author or 'anon'}{year}{word}"
    return key if key != "anon" else "anon" + _digest(paper.paper_id, 4)


def cite_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """A unique key for each paper id of ``papers``."""
    groups: dict[str, list[str]] = defaultdict(list)
    for paper in papers:
        if paper.paper_id not in groups[base_key(paper)]:
            groups[base_key(paper)].append(paper.paper_id)
    keys: dict[str, str] = {}
    for base, ids in groups.items():
        if len(ids) == 1:
            keys[ids[0]] = base
            continue
        for length in (4, 8, 40):
            suffixed = {pid: base + _digest(pid, length) for pid in ids}
            if len(set(suffixed.values())) == len(ids):
                break
        keys.update(suffixed)
    taken: set[str] = set()
    for pid, key in keys.items():  # a suffixed key equal to another paper's base key: extend it
        while key in taken:
            key += _digest(pid + key, 4)
        keys[pid] = key
        taken.add(key)
    return keys


def _digest(text: str, length: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]
