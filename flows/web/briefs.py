"""Briefs in the browser and under /api/v1/briefs: ask for one (a background job, flows/web/jobs.py),
follow its progress, read the stored ones. The brief itself is written by flows/briefing.py and
queries/brief, exactly as `radar brief` writes it; the JSON is `radar brief --json`'s."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from flows.briefing import BriefOrder
from flows.profiling import current_profiles
from flows.runtime import Searching
from flows.web.app import store_session
from flows.web.jobs import BriefRunner
from flows.web.params import bounded_query, day_of
from flows.web.render import render
from flows.web.security import WRITE
from indexing.store import Store
from indexing.store.jobs import DIED, JobRecord, load_job, recent_jobs
from queries.brief import store as brief_store
from queries.brief.render import to_json
from queries.today import store_facets
from radar.errors import ConfigError, QueryError
from radar.settings import Settings

MAX_FIELDS = 10
BRIEFS_LISTED = 50
JOBS_LISTED = 20
JOB_SCHEMA = "radar.brief-job/1"

router = APIRouter()
Session = Annotated[Searching, Depends(store_session)]


class BriefAsk(BaseModel):
    """A brief request: a topic or a profile, with the language, the dates and the fields."""

    topic: str | None = Field(None, description="What to be briefed on, in plain words (or give profile).")
    profile: str | None = Field(None, description="A configured profile to brief on instead of a topic.")
    language: str | None = Field(None, pattern="^(en|zh)$", description="en or zh (default: the profile's, else en).")
    since: date | None = Field(None, description="Only papers published on or after this day.")
    until: date | None = Field(None, description="Only papers published on or before this day.")
    fields: list[str] = Field(default_factory=list, description="Only these broad fields, e.g. Physics.")


def runner_of(request: Request) -> BriefRunner:
    return request.app.state.briefs


def profile_names(settings: Settings, store: Store) -> list[str]:
    """The effective profiles' names: the config's and the store's (flows/profiling.py)."""
    try:
        return current_profiles(settings, store=store).names
    except ConfigError:
        return []


def order_of(ask: BriefAsk, s: Searching) -> BriefOrder:
    """A checked order: exactly one of topic and profile, bounded text, a profile that exists."""
    topic = " ".join((ask.topic or "").split()) or None
    profile = (ask.profile or "").strip() or None
    if (topic is None) == (profile is None):
        raise QueryError("Give a topic or choose a profile (one of them).")
    if topic is not None:
        bounded_query(topic)
    if profile is not None and profile not in (names := profile_names(s.settings, s.store)):
        known = ", ".join(names) or "none"
        raise QueryError(f"No profile named {profile[:60]!r}. Configured: {known}.")
    fields = tuple(dict.fromkeys(f.strip()[:200] for f in ask.fields if f.strip()))
    if len(fields) > MAX_FIELDS:
        raise QueryError(f"Choose at most {MAX_FIELDS} fields.")
    if ask.since and ask.until and ask.since > ask.until:
        raise QueryError("The start date is after the end date.")
    return BriefOrder(topic=topic, profile=profile, since=ask.since, until=ask.until, fields=fields,
                      language=ask.language)


def job_json(job: JobRecord | dict[str, Any]) -> dict[str, Any]:
    """A job as the API shows it (schema radar.brief-job/1): a stored row, or what the server holds."""
    if isinstance(job, JobRecord):
        data = {name: getattr(job, name) for name in ("job_id", "state", "stage", "progress", "error", "request",
                                                      "brief_id", "created_at", "started_at", "finished_at")}
        data["position"] = None
        if job.gone:
            data.update(state="failed", stage=None, error=DIED)
    else:
        data = dict(job)
    for name in ("created_at", "started_at", "finished_at"):
        data[name] = data[name].isoformat() + "Z" if data[name] else None
    data["links"] = {"self": f"/api/v1/briefs/jobs/{data['job_id']}", "page": f"/briefs/jobs/{data['job_id']}"}
    if data["brief_id"]:
        data["links"].update(brief=f"/api/v1/briefs/{data['brief_id']}", brief_page=f"/briefs/{data['brief_id']}")
    return {"schema": JOB_SCHEMA, **data}


def find_job(request: Request, s: Searching, job_id: str) -> dict[str, Any]:
    job_id = job_id.strip()[:40]
    row = load_job(s.store.cursor(), job_id)
    if row is not None:
        return job_json(row)
    held = runner_of(request).view(job_id)
    if held is None:
        raise QueryError(f"No brief job {job_id!r}; /briefs lists them.")
    return job_json(held)


def all_jobs(request: Request, s: Searching) -> list[dict[str, Any]]:
    stored = [job_json(row) for row in recent_jobs(s.store.cursor(), JOBS_LISTED)]
    seen = {job["job_id"] for job in stored}
    held = [job_json(job) for job in runner_of(request).waiting() if job["job_id"] not in seen]
    return held + stored


def stored_briefs(s: Searching) -> list[dict[str, Any]]:
    """The rows of `radar briefs --json`, newest first."""
    return [row | {"created_at": row["created_at"].isoformat() + "Z"} for row in brief_store.recent(s.store, BRIEFS_LISTED)]


# Pages

def page(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(render(request.state.lang, template, request=request, **context), status_code=status)


@router.get("/briefs", response_class=HTMLResponse, include_in_schema=False)
def briefs_page(request: Request, s: Session) -> HTMLResponse:
    return page(request, "briefs.html", briefs=stored_briefs(s), jobs=all_jobs(request, s),
                profiles=profile_names(s.settings, s.store), fields=store_facets(s.store).fields)


@router.post("/briefs", dependencies=[WRITE], include_in_schema=False)
async def ask_page(request: Request, s: Session) -> RedirectResponse:
    form = await request.form()
    ask = BriefAsk(topic=str(form.get("topic") or "") or None, profile=str(form.get("profile") or "") or None,
                   language=str(form.get("language") or "") or None,
                   since=day_of(str(form.get("since") or ""), "since"), until=day_of(str(form.get("until") or ""), "until"),
                   fields=[str(f) for f in form.getlist("field")][:MAX_FIELDS + 1])
    job_id = runner_of(request).submit(order_of(ask, s))
    return RedirectResponse(f"/briefs/jobs/{job_id}", status_code=303)


@router.get("/briefs/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, s: Session, job_id: str) -> HTMLResponse:
    return page(request, "brief_job.html", job=find_job(request, s, job_id))


@router.get("/briefs/{brief_id}", response_class=HTMLResponse, include_in_schema=False)
def brief_page(request: Request, s: Session, brief_id: str) -> HTMLResponse:
    brief = brief_store.load(s.store, brief_id)
    return page(request, "brief.html", brief=brief, sources={src.number: src for src in brief.sources})


# JSON

@router.post("/api/v1/briefs", dependencies=[WRITE], status_code=202, tags=["v1"],
             summary="Ask for a brief: a background job (schema radar.brief-job/1); 429 when the server is full")
def api_ask(request: Request, s: Session, ask: BriefAsk) -> JSONResponse:
    job_id = runner_of(request).submit(order_of(ask, s))
    held = runner_of(request).view(job_id)
    body = job_json(held) if held else {"schema": JOB_SCHEMA, "job_id": job_id}
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/v1/briefs/jobs/{job_id}"})


@router.get("/api/v1/briefs", tags=["v1"], summary="Stored briefs, newest first (the rows of `radar briefs --json`)")
def api_briefs(s: Session, limit: Annotated[int, Query(ge=1, le=BRIEFS_LISTED)] = 20) -> list[dict[str, Any]]:
    return stored_briefs(s)[:limit]


@router.get("/api/v1/briefs/jobs", tags=["v1"], summary="Waiting, running and recent brief jobs (radar.brief-job/1)")
def api_jobs(request: Request, s: Session) -> list[dict[str, Any]]:
    return all_jobs(request, s)


@router.get("/api/v1/briefs/jobs/{job_id}", tags=["v1"], summary="One brief job: state, stage, progress, error, brief id")
def api_job(request: Request, s: Session, job_id: str) -> dict[str, Any]:
    return find_job(request, s, job_id)


@router.get("/api/v1/briefs/{brief_id}", tags=["v1"], summary="One stored brief (schema radar.brief/1, as `radar brief --json`)")
def api_brief(s: Session, brief_id: str) -> dict[str, Any]:
    return to_json(brief_store.load(s.store, brief_id))

