"""Downloads for reference managers: a paper, a search's results, a day of Today (with its filters)
and a stored brief's sources as BibTeX, RIS or CSL-JSON. The same queries as `radar export`; each
answer carries the format's media type and an attachment file name."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from flows.runtime import Searching
from flows.web.app import store_session
from flows.web.params import MAX_RESULTS, blank_none, bounded_query, day_of, mode_of
from indexing.records import Paper
from indexing.search.base import Filters
from queries.exports import FORMATS, export
from queries.exports.collect import brief_papers, day_papers, paper_papers, search_papers
from queries.llm import build_model
from queries.today import DayFilters
from radar.errors import QueryError

router = APIRouter(prefix="/export", include_in_schema=False)
Session = Annotated[Searching, Depends(store_session)]
FormatParam = Annotated[str, Query(alias="format", max_length=20)]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/paper/{paper_id:path}")
def paper(s: Session, paper_id: str, fmt: FormatParam = "bibtex") -> Response:
    papers = paper_papers(s.store, paper_id)
    return download(papers, fmt, f"radar-{papers[0].paper_id}")


@router.get("/search")
def search(s: Session, q: str = "", mode: str = "hybrid", field: str | None = None, category: str | None = None,
           source: str | None = None, since: str | None = None, until: str | None = None,
           k: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 10, fmt: FormatParam = "bibtex") -> Response:
    _check(fmt)
    filters = Filters(field=blank_none(field), category=blank_none(category), source=blank_none(source),
                      since=day_of(since, "since"), until=day_of(until, "until"))
    papers = search_papers(s.store, s.backend, s.embedder, bounded_query(q), mode=mode_of(mode),  # type: ignore[arg-type]
                           filters=filters, k=k, model=build_model(s.settings))
    return download(papers, fmt, f"radar-search-{q.strip()[:40]}")


@router.get("/day")
def day(s: Session, day: str | None = None, source: str | None = None, field: str | None = None,
        category: str | None = None, fmt: FormatParam = "bibtex") -> Response:
    _check(fmt)
    filters = DayFilters(source=blank_none(source), field=blank_none(field), category=blank_none(category))
    papers = day_papers(s.store, day_of(day), filters)
    shown = day_of(day) or (papers[0].published.date() if papers and papers[0].published else None)
    return download(papers, fmt, f"radar-{shown.isoformat() if shown else 'day'}")


@router.get("/brief/{brief_id}")
def brief(s: Session, brief_id: str, fmt: FormatParam = "bibtex") -> Response:
    _check(fmt)
    return download(brief_papers(s.store, brief_id), fmt, f"radar-brief-{brief_id}")


def download(papers: list[Paper], fmt: str, name: str) -> Response:
    """``papers`` as ``fmt``, as a file to save: the format's media type, an ASCII file name."""
    _check(fmt)
    spec = FORMATS[fmt]
    filename = (_UNSAFE.sub("-", name).strip("-.") or "radar")[:80] + "." + spec.extension
    return Response(export(papers, fmt), media_type=spec.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise QueryError(f"format must be one of {', '.join(FORMATS)}, not {fmt[:20]!r}.")
