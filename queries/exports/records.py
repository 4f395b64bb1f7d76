"""What an export needs to know about a paper beyond its record: is it a preprint, from which
server, under which arXiv id. Pure functions."""

from __future__ import annotations

from indexing.records import Paper

_SERVERS = {"arxiv": "arXiv", "biorxiv": "bioRxiv", "medrxiv": "medRxiv"}


def arxiv_id(paper: Paper) -> str | None:
    """``2411.17766`` for ``arxiv:2411.17766``; None for other papers."""
    return paper.paper_id.removeprefix("arxiv:") if paper.paper_id.startswith("arxiv:") else None


def is_preprint(paper: Paper) -> bool:
    return paper.source.lower() in _SERVERS or arxiv_id(paper) is not None


def preprint_server(paper: Paper) -> str | None:
    """The preprint server's name as it writes it (arXiv, bioRxiv, medRxiv); None for journals."""
    if arxiv_id(paper):
        return "arXiv"
    return _SERVERS.get(paper.source.lower())
