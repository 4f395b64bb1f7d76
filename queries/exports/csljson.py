"""CSL-JSON of papers (pure): the citation format of Zotero, Pandoc and citeproc. Preprints are
``article`` (CSL 1.0.2's type for preprints) with their server as ``publisher`` and their arXiv id
as ``number``; journal items are ``article-journal``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from indexing.records import Paper
from queries.exports.keys import cite_keys
from queries.exports.names import Name, split_name
from queries.exports.records import arxiv_id, is_preprint, preprint_server


def csljson(papers: Sequence[Paper]) -> str:
    """A JSON array with one CSL item per paper (duplicates once), in the order given."""
    keys = cite_keys(papers)
    seen: set[str] = set()
    items = []
    for paper in papers:
        if paper.paper_id not in seen:
            seen.add(paper.paper_id)
            items.append(item(paper, keys[paper.paper_id]))
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def item(paper: Paper, key: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": key, "type": "article" if is_preprint(paper) else "article-journal",
                            "title": paper.title}
    authors = [csl_name(split_name(a)) for a in paper.authors if a.strip()]
    if authors:
        data["author"] = authors
    if paper.published:
        p = paper.published
        data["issued"] = {"date-parts": [[p.year, p.month, p.day]]}
    if is_preprint(paper):
        data["publisher"] = preprint_server(paper)
    else:
        data["container-title"] = paper.venue or paper.source
    eprint = arxiv_id(paper)
    if eprint:
        data["number"] = f"arXiv:{eprint}"
    optional = {"DOI": paper.doi, "URL": paper.url, "abstract": paper.abstract or None,
                "note": paper.journal_ref, "keyword": ", ".join(paper.categories) or None}
    data.update({k: v for k, v in optional.items() if v})
    return data


def csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {"family": name.full_family, "given": name.given, "suffix": name.suffix}
    return {k: v for k, v in parts.items() if v}
