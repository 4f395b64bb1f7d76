"""RIS of papers (pure): one record per paper, plain Unicode text (math as written), every value
on one line. Preprints are ``UNPB`` (unpublished work), journal items ``JOUR``."""

from __future__ import annotations

from collections.abc import Sequence

from indexing.records import Paper
from queries.exports.keys import cite_keys
from queries.exports.names import Name, split_name
from queries.exports.records import arxiv_id, is_preprint, preprint_server


def ris(papers: Sequence[Paper]) -> str:
    """One RIS record per paper (duplicates once), in the order given."""
    keys = cite_keys(papers)
    seen: set[str] = set()
    records = []
    for paper in papers:
        if paper.paper_id not in seen:
            seen.add(paper.paper_id)
            records.append(record(paper, keys[paper.paper_id]))
    return "".join(records)


def record(paper: Paper, key: str) -> str:
    tags: list[tuple[str, str | None]] = [("TY", "UNPB" if is_preprint(paper) else "JOUR"), ("ID", key),
                                          ("TI", paper.title)]
    tags += [("AU", ris_name(split_name(a))) for a in paper.authors if a.strip()]
    if paper.published:
        tags += [("PY", str(paper.published.year)), ("DA", paper.published.strftime("%Y/%m/%d"))]
    if is_preprint(paper):
        tags.append(("PB", preprint_server(paper)))
    else:
        tags.append(("T2", paper.venue or paper.source))
    eprint = arxiv_id(paper)
    tags += [("AB", paper.abstract), ("DO", paper.doi), ("UR", paper.url)]
    tags += [("KW", c) for c in paper.categories]
    if eprint:
        primary = f" [{paper.primary_category}]" if paper.primary_category else ""
        tags.append(("N1", f"arXiv:{eprint}{primary}"))
    if paper.journal_ref:
        tags.append(("N1", f"Journal reference: {paper.journal_ref}"))
    tags.append(("ER", ""))
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value or tag == "ER"]
    return "\n".join(lines) + "\n\n"


def ris_name(name: Name) -> str:
    """"Family, Given[, Suffix]", as RIS asks; a name that cannot be split as written."""
    if name.literal:
        return name.literal
    return ", ".join(p for p in (name.full_family, name.given, name.suffix) if p)


def _one_line(text: str) -> str:
    return " ".join(text.split())
