"""Interest profiles in the browser and under /api/v1: list, create, edit, delete, star / dismiss,
resolve a conflict with the config file, each profile's ranked digest and its Atom feed. The same
queries as `radar profile ...` (queries/profiles.py, queries/feedback.py); every route that writes
takes the ``WRITE`` dependency (CSRF, and the token when the server is reachable from elsewhere)."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flows.profiling import changing_profiles, current_profiles
from flows.runtime import Searching
from flows.web.app import store_session
from flows.web.params import day_of
from flows.web.render import render
from flows.web.security import WRITE
from indexing.store import utc_now
from queries import profiles as profile_queries
from queries.atom import digest_atom
from queries.digest import digest_json
from queries.feedback import profile_digest
from queries.profiles import Profiles, profile_json, profiles_json
from radar.config import profile_spec
from radar.errors import ConfigError, QueryError

router = APIRouter()
Session = Annotated[Searching, Depends(store_session)]
DIGEST_K = 25
MAX_DIGEST_K = 100
VERDICTS = {"star": "star", "dismiss": "dismiss", "clear": None}


def _page(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(render(request.state.lang, template, request=request, **context), status_code=status)


def _known(request: Request, s: Searching) -> Profiles:
    return current_profiles(request.app.state.settings, None, s.store)


def _local(target: str | None, fallback: str) -> str:
    """A redirect target on this site only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ",").split(",") if part.strip()]


def form_spec(name: str, form: dict[str, Any]) -> dict[str, Any]:
    """A profile's keys from the fields of the profile form."""
    return {"name": name.strip(), "description": (form.get("description") or "").strip(),
            "categories": _split(form.get("categories")), "seeds": _split(form.get("seeds")),
            "language": form.get("language") or "en", "include_revised": form.get("include_revised") == "on"}


def _write(request: Request, action) -> Any:  # noqa: ANN001 - (store, config, now) -> result
    with changing_profiles(request.app.state.settings) as (store, config):
        return action(store, config, utc_now())


# -- pages -----------------------------------------------------------------------------------------

@router.get("/profiles", include_in_schema=False)
def profiles_page(request: Request, s: Session) -> HTMLResponse:
    return _page(request, "profiles.html", known=_known(request, s), form={}, error=None)


@router.post("/profiles", include_in_schema=False, dependencies=[WRITE])
async def create_profile(request: Request) -> Response:
    form = dict(await request.form())
    try:
        spec = profile_spec(form_spec(form.get("name") or "", form), origin=f"profile {form.get('name', '')!r}")
        _write(request, lambda store, config, now: profile_queries.add(store, config, spec, now))
    except ConfigError as exc:
        from flows.runtime import searching

        with searching(request.app.state.settings) as s:
            return _page(request, "profiles.html", 400, known=_known(request, s), form=form, error=str(exc))
    return RedirectResponse(f"/profiles/{spec.name}", status_code=303)


@router.get("/profiles/{name}", include_in_schema=False)
def profile_page(request: Request, s: Session, name: str) -> HTMLResponse:
    known = _known(request, s)
    profile = known.get(name)
    return _page(request, "profile.html", profile=profile, conflict=known.conflict(name), form=None, error=None,
                 papers=_titles(s, [*profile.starred, *profile.dismissed]))


def _titles(s: Searching, ids: list[str]) -> dict[str, str]:
    from indexing.store.papers import read_papers

    return {i: p.title for i, p in read_papers(s.store.cursor(), ids).items()}


@router.post("/profiles/{name}", include_in_schema=False, dependencies=[WRITE])
async def edit_profile(request: Request, name: str) -> Response:
    form = dict(await request.form())
    changes = {k: v for k, v in form_spec(name, form).items() if k != "name"}
    try:
        _write(request, lambda store, config, now: profile_queries.edit(store, config, name, changes, now))
    except ConfigError as exc:
        from flows.runtime import searching

        with searching(request.app.state.settings) as s:
            known = _known(request, s)
            profile = known.get(name)
            return _page(request, "profile.html", 400, profile=profile, conflict=known.conflict(name), form=form,
                         error=str(exc), papers=_titles(s, [*profile.starred, *profile.dismissed]))
    return RedirectResponse(f"/profiles/{name}", status_code=303)


@router.post("/profiles/{name}/delete", include_in_schema=False, dependencies=[WRITE])
def delete_profile(request: Request, name: str) -> Response:
    _write(request, lambda store, config, now: profile_queries.delete(store, config, name, now))
    return RedirectResponse("/profiles", status_code=303)


@router.post("/profiles/{name}/resolve", include_in_schema=False, dependencies=[WRITE])
async def resolve_profile(request: Request, name: str) -> Response:
    keep = (await request.form()).get("keep")
    if keep not in ("store", "config"):
        raise ConfigError("keep must be store or config.")
    _write(request, lambda store, config, now: profile_queries.resolve(store, config, name, keep, now))
    return RedirectResponse("/profiles", status_code=303)


@router.post("/profiles/{name}/feedback", include_in_schema=False, dependencies=[WRITE])
async def feedback(request: Request, name: str) -> Response:
    """Star, dismiss or clear a paper for a profile (the buttons on Today and on paper pages)."""
    form = await request.form()
    verdict = str(form.get("verdict") or "")
    if verdict not in VERDICTS:
        raise QueryError("verdict must be star, dismiss or clear.")
    paper = str(form.get("paper") or "")
    _write(request, lambda store, config, now: profile_queries.feedback(store, config, name, paper,
                                                                       VERDICTS[verdict], now))  # type: ignore[arg-type]
    return RedirectResponse(_local(str(form.get("next") or ""), f"/profiles/{name}"), status_code=303)


def profile_tab(request: Request, s: Searching, name: str, day: str | None) -> HTMLResponse:
    """Today's page as one profile's tab: that profile's ranked digest of the day."""
    known = _known(request, s)
    result = profile_digest(s.store, s.backend, s.embedder, known.get(name), day=day_of(day), k=DIGEST_K)
    return _page(request, "profile_today.html", digest=result, profile=known.get(name), tabs=known.names,
                 active_tab=name)


# -- JSON ------------------------------------------------------------------------------------------

@router.get("/api/v1/profiles", tags=["v1"], summary="Every profile and open conflict (schema radar.profiles/1, as `radar profile list --json`)")
def api_profiles(request: Request, s: Session) -> dict:
    return profiles_json(_known(request, s))


@router.get("/api/v1/profiles/{name}", tags=["v1"], summary="One profile (schema radar.profile/1, as `radar profile show --json`)")
def api_profile(request: Request, s: Session, name: str) -> dict:
    known = _known(request, s)
    return profile_json(known.get(name), known.conflict(name))


@router.get("/api/v1/profiles/{name}/digest", tags=["v1"], summary="A profile's digest of a day (schema radar.digest/1, as `radar digest --json`)")
def api_digest(request: Request, s: Session, name: str, day: str | None = None,
               k: Annotated[int, Query(ge=1, le=MAX_DIGEST_K)] = DIGEST_K) -> dict:
    return digest_json(profile_digest(s.store, s.backend, s.embedder, _known(request, s).get(name), day=day_of(day),
                                      k=k))


def _api_result(request: Request, name: str) -> dict:
    from flows.runtime import searching

    with searching(request.app.state.settings) as s:
        known = _known(request, s)
        return profile_json(known.get(name), known.conflict(name))


@router.post("/api/v1/profiles", tags=["v1"], status_code=201, dependencies=[WRITE],
             summary="Create a profile: a JSON object with the keys of a [[profiles]] table")
def api_create(request: Request, body: Annotated[dict[str, Any], Body()]) -> dict:
    spec = profile_spec(body, origin="profile")
    _write(request, lambda store, config, now: profile_queries.add(store, config, spec, now))
    return _api_result(request, spec.name)


@router.patch("/api/v1/profiles/{name}", tags=["v1"], dependencies=[WRITE],
              summary="Change some keys of a profile (a JSON object of the keys to change)")
def api_edit(request: Request, name: str, body: Annotated[dict[str, Any], Body()]) -> dict:
    _write(request, lambda store, config, now: profile_queries.edit(store, config, name, body, now))
    return _api_result(request, name)


@router.delete("/api/v1/profiles/{name}", tags=["v1"], dependencies=[WRITE], summary="Delete a profile and its feedback (send Content-Type: application/json, or the X-CSRF-Token header)")
def api_delete(request: Request, name: str) -> dict:
    gone = _write(request, lambda store, config, now: profile_queries.delete(store, config, name, now))
    return {"deleted": gone.name, "in_config": gone.in_config}


@router.post("/api/v1/profiles/{name}/feedback", tags=["v1"], dependencies=[WRITE],
             summary='Star, dismiss or clear a paper: {"paper": "arxiv:2411.17766", "verdict": "star|dismiss|clear"}')
def api_feedback(request: Request, name: str, body: Annotated[dict[str, Any], Body()]) -> dict:
    verdict = body.get("verdict")
    if verdict not in VERDICTS:
        raise QueryError("verdict must be star, dismiss or clear.")
    _write(request, lambda store, config, now: profile_queries.feedback(store, config, name, str(body.get("paper", "")),
                                                                       VERDICTS[verdict], now))  # type: ignore[arg-type]
    return _api_result(request, name)


@router.post("/api/v1/profiles/{name}/resolve", tags=["v1"], dependencies=[WRITE],
             summary='End a conflict with the config file: {"keep": "store|config"}')
def api_resolve(request: Request, name: str, body: Annotated[dict[str, Any], Body()]) -> dict:
    keep = body.get("keep")
    if keep not in ("store", "config"):
        raise ConfigError("keep must be store or config.")
    _write(request, lambda store, config, now: profile_queries.resolve(store, config, name, keep, now))
    return _api_result(request, name)


@router.get("/profiles/{name}/feed.atom", include_in_schema=False)
def atom_feed(request: Request, s: Session, name: str, day: str | None = None) -> Response:
    """The profile's digest of the latest day (or ``day``) as an Atom feed (RFC 4287)."""
    result = profile_digest(s.store, s.backend, s.embedder, _known(request, s).get(name), day=day_of(day), k=DIGEST_K)
    body = digest_atom(result, base_url=str(request.base_url), now=utc_now().replace(tzinfo=UTC))
    return Response(body, media_type="application/atom+xml; charset=utf-8")
