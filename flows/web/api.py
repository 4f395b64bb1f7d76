"""JSON under /api/v1: the same queries as the pages, the same schemas as the CLI's --json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from flows.runtime import Searching
from flows.web.app import store_session
from flows.web.params import (MAX_PAGE_SIZE, MAX_RELATED, MAX_RESULTS, blank_none, bounded_query, day_of,
                              mode_of)
from indexing.search.base import Filters
from indexing.store import utc_now
from queries.llm import build_model
from queries.paper import paper_json, paper_record
from queries.related import related, related_json
from queries.search import search, search_json
from queries.summary import summarize, summary_json
from queries.today import DEFAULT_PAGE_SIZE, DayFilters, day_listing, today_json

router = APIRouter(prefix="/api/v1", tags=["v1"])
Session = Annotated[Searching, Depends(store_session)]


@router.get("/search", summary="Search papers (schema radar.search/1, as `radar search --json`)")
def api_search(s: Session, q: str, mode: str = "hybrid", field: str | None = None, category: str | None = None,
               source: str | None = None, since: str | None = None, until: str | None = None,
               k: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 10,
               show_all: Annotated[bool, Query(alias="all", description="Also hits under the relevance floor.")] = False,
               ) -> dict:
    filters = Filters(field=blank_none(field), category=blank_none(category), source=blank_none(source),
                      since=day_of(since, "since"), until=day_of(until, "until"))
    return search_json(search(s.store, s.backend, s.embedder, bounded_query(q), mode=mode_of(mode),  # type: ignore[arg-type]
                              filters=filters, k=k, include_below_floor=show_all, model=build_model(s.settings)))


@router.get("/today", summary="One day's papers (schema radar.today/1)")
def api_today(s: Session, day: str | None = None, source: str | None = None, field: str | None = None,
              category: str | None = None, offset: Annotated[int, Query(ge=0)] = 0,
              limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> dict:
    filters = DayFilters(source=blank_none(source), field=blank_none(field), category=blank_none(category))
    return today_json(day_listing(s.store, day_of(day), filters, offset=offset, limit=limit))


@router.get("/related/{paper_id:path}", summary="Related papers across fields (schema radar.related/1, as `radar related --json`)")
def api_related(s: Session, paper_id: str, k: Annotated[int, Query(ge=1, le=MAX_RELATED)] = 10) -> dict:
    return related_json(related(s.store, s.backend, s.embedder, paper_id, k=k))


@router.get("/paper/{paper_id:path}", summary="One paper (schema radar.paper/1), with its summary (radar.summary/1) on request")
def api_paper(s: Session, paper_id: str, summary: bool = False,
              language: Annotated[str, Query(pattern="^(en|zh)$")] = "en") -> dict:
    record = paper_record(s.store, paper_id)
    written = None
    if summary:
        written = summary_json(summarize(s.store, s.embedder, build_model(s.settings), record.paper.paper_id,
                                         language=language, threshold=s.settings.brief.support_threshold,
                                         now=utc_now()))
    return paper_json(record, written)
