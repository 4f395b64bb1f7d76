"""The HTML pages: Today, a paper, search, and the language switch. Each calls the same
queries as the CLI and hands the result to a template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from flows.profiling import current_profiles
from flows.runtime import Searching
from flows.web import i18n
from flows.web.app import store_session
from flows.web.profiles import profile_tab
from flows.web.params import MAX_PAGE_SIZE, MAX_RESULTS, PAGE_SIZE, blank_none, bounded_query, day_of, mode_of
from flows.web.render import render
from indexing.search.base import Filters
from indexing.store import utc_now
from queries.llm import build_model
from queries.paper import paper_record
from queries.related import related
from queries.search import search
from queries.summary import summarize
from queries.today import DEFAULT_PAGE_SIZE, DayFilters, day_listing, store_facets
from radar.errors import RadarError

router = APIRouter(default_response_class=HTMLResponse)
Session = Annotated[Searching, Depends(store_session)]


def page(request: Request, template: str, **context: object) -> HTMLResponse:
    return HTMLResponse(render(request.state.lang, template, request=request, **context))


@router.get("/", include_in_schema=False)
def today(request: Request, s: Session, day: str | None = None, source: str | None = None,
          field: str | None = None, category: str | None = None,
          offset: Annotated[int, Query(ge=0)] = 0,
          size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
          profile: str | None = None) -> HTMLResponse:
    if blank_none(profile):  # one tab per profile: its ranked digest of the day
        return profile_tab(request, s, profile.strip(), day)
    filters = DayFilters(source=blank_none(source), field=blank_none(field), category=blank_none(category))
    listing = day_listing(s.store, day_of(day), filters, offset=offset, limit=size)
    tabs = current_profiles(request.app.state.settings, None, s.store).names
    return page(request, "today.html", listing=listing, size=size, tabs=tabs)


@router.get("/paper/{paper_id:path}", include_in_schema=False)
def paper(request: Request, s: Session, paper_id: str) -> HTMLResponse:
    record = paper_record(s.store, paper_id)
    notes: list[str] = []
    summary = related_papers = None
    try:
        summary = summarize(s.store, s.embedder, build_model(s.settings), record.paper.paper_id,
                            language=request.state.lang, threshold=s.settings.brief.support_threshold,
                            now=utc_now())
    except RadarError as exc:
        notes.append(str(exc))
    try:
        related_papers = related(s.store, s.backend, s.embedder, record.paper.paper_id, k=10)
    except RadarError as exc:
        notes.append(str(exc))
    return page(request, "paper.html", record=record, p=record.paper, summary=summary, related=related_papers,
                notes=notes, profiles=current_profiles(request.app.state.settings, None, s.store).profiles)


@router.get("/search", include_in_schema=False)
def search_page(request: Request, s: Session, q: str = "", mode: str = "hybrid", field: str | None = None,
                category: str | None = None, source: str | None = None, since: str | None = None,
                until: str | None = None, page_no: Annotated[int, Query(alias="page", ge=1, le=MAX_RESULTS)] = 1,
                show_all: Annotated[bool, Query(alias="all")] = False) -> HTMLResponse:
    form = {"q": q, "mode": mode, "field": blank_none(field), "category": blank_none(category),
            "source": blank_none(source), "since": since or "", "until": until or "", "all": 1 if show_all else None}
    facets = store_facets(s.store)
    if not q.strip():
        return page(request, "search.html", form=form, facets=facets, result=None, hits=[], page_no=1,
                    has_next=False)
    filters = Filters(field=form["field"], category=form["category"], source=form["source"],
                      since=day_of(since, "since"), until=day_of(until, "until"))
    k = min(page_no * PAGE_SIZE, MAX_RESULTS)
    result = search(s.store, s.backend, s.embedder, bounded_query(q), mode=mode_of(mode),  # type: ignore[arg-type]
                    filters=filters, k=k, include_below_floor=show_all, model=build_model(s.settings))
    hits = result.hits[(page_no - 1) * PAGE_SIZE:page_no * PAGE_SIZE]
    has_next = len(result.hits) == k and k < MAX_RESULTS
    words_found = any("bm25" in h.matched_by for h in result.hits)
    return page(request, "search.html", form=form, facets=facets, result=result, hits=hits, page_no=page_no,
                has_next=has_next, words_found=words_found)


@router.get("/lang/{language}", include_in_schema=False)
def switch_language(language: str, next: str = "/") -> RedirectResponse:  # noqa: A002 - the parameter's name
    """Remember the reader's language in a cookie and go back where they were."""
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = RedirectResponse(target, status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response
