"""Wiring for briefs and summaries, shared by the CLI and the Prefect flow: settings, config,
store, search backend, embedder and model in; a finished, stored brief out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flows.profiling import profile_named
from flows.runtime import searching
from indexing.embeddings import embedder_for
from indexing.store import Store, open_store, utc_now
from indexing.store.jobs import advance_job, finish_job, start_job
from queries.brief import Brief, BriefRequest, save, write_brief
from queries.brief import store as brief_store
from queries.brief.render import to_html, to_json, to_markdown
from queries.brief.write import Progress
from queries.llm import build_model
from queries.related import resolve_paper_id
from queries.summary import PaperSummary, summarize
from radar.errors import RadarError
from radar.settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class BriefOrder:
    """A brief as asked for on the command line or by a deployment."""

    topic: str | None = None
    profile: str | None = None
    since: date | None = None
    until: date | None = None
    fields: tuple[str, ...] = ()
    language: str | None = None
    model: str | None = None
    config: Path | None = None


@dataclass(frozen=True, slots=True)
class BriefOutcome:
    brief: Brief

    def render(self, output_format: str) -> str:
        import json

        if output_format == "json":
            return json.dumps(to_json(self.brief), indent=2, ensure_ascii=False)
        return to_html(self.brief) if output_format == "html" else to_markdown(self.brief)

    def summary_line(self) -> str:
        b, v = self.brief, self.brief.verification
        if b.kind == "empty":
            return f"brief {b.brief_id}: nothing found, nothing written."
        writer = b.model if b.kind == "llm" else "extractive"
        return (f"brief {b.brief_id} ({writer}) saved: {len(b.sources)} sources, {len(b.fields_cited)} fields cited; "
                f"{v.checked} sentences checked, {v.kept} kept, {v.flagged} flagged, {v.dropped} dropped.")


def with_model(settings: Settings, model: str | None) -> Settings:
    """``settings`` with another LLM model, when one was asked for."""
    if model is None:
        return settings
    return load_settings(llm=settings.llm.model_copy(update={"model": model}))


def brief_request(order: BriefOrder, settings: Settings, store: Store | None = None) -> BriefRequest:
    """The request of ``order``; a profile's description and language come from the effective profiles."""
    topic, language = order.topic, order.language
    if order.profile is not None:
        profile = profile_named(settings, order.profile, order.config, store).spec
        topic, language = profile.description, language or profile.language
    return BriefRequest(topic=" ".join((topic or "").split()), profile=order.profile, since=order.since,
                        until=order.until, fields=order.fields, language=language or "en")  # type: ignore[arg-type]


def run_brief(order: BriefOrder, progress: Progress | None = None) -> BriefOutcome:
    settings = with_model(load_settings(), order.model)
    with searching(settings, read_only=False) as s:
        request = brief_request(order, settings, s.store)
        brief = write_brief(s.store, s.backend, s.embedder, build_model(settings), request, settings.brief,
                            now=utc_now(), progress=progress)
        if brief.kind != "empty":
            if progress:
                progress("saving", 0.95)
            save(s.store, brief)
    return BriefOutcome(brief)


def order_json(order: BriefOrder) -> dict[str, Any]:
    """A brief order as JSON (a job's request): what a reader asked for."""
    return {"topic": order.topic, "profile": order.profile, "since": order.since.isoformat() if order.since else None,
            "until": order.until.isoformat() if order.until else None, "fields": list(order.fields),
            "language": order.language}


def order_from_json(data: dict[str, Any]) -> BriefOrder:
    return BriefOrder(topic=data.get("topic"), profile=data.get("profile"),
                      since=date.fromisoformat(data["since"]) if data.get("since") else None,
                      until=date.fromisoformat(data["until"]) if data.get("until") else None,
                      fields=tuple(data.get("fields") or ()), language=data.get("language"))


def run_brief_job(job_id: str, order: BriefOrder, created_at: datetime) -> BriefOutcome | None:
    """Write the brief of a job in this process, recording its progress, its end and any error in
    the job's row (the web app's background jobs). Returns None when it failed."""
    settings = load_settings()
    with open_store(settings.store_path, waits=settings.store) as store:
        with store.transaction() as con:
            start_job(con, job_id, order_json(order), created_at, utc_now())

        def advance(stage: str, done: float) -> None:
            with store.transaction() as con:
                advance_job(con, job_id, stage, done)

        try:
            outcome = run_brief(order, advance)
        except Exception as exc:  # noqa: BLE001 - the job records any failure for the reader, then ends
            message = str(exc) if isinstance(exc, RadarError) else f"{type(exc).__name__}: {exc}"
            with store.transaction() as con:
                finish_job(con, job_id, utc_now(), state="failed", error=message[:2000])
            return None
        brief = outcome.brief
        with store.transaction() as con:
            if brief.kind == "empty":
                finish_job(con, job_id, utc_now(), state="empty", error=" ".join(brief.notices))
            else:
                finish_job(con, job_id, utc_now(), brief_id=brief.brief_id)
        return outcome


def stored_briefs(limit: int) -> list[dict]:
    settings = load_settings()
    with open_store(settings.store_path, read_only=True, waits=settings.store) as store:
        return brief_store.recent(store, limit)


def stored_brief(brief_id: str) -> BriefOutcome:
    settings = load_settings()
    with open_store(settings.store_path, read_only=True, waits=settings.store) as store:
        return BriefOutcome(brief_store.load(store, brief_id))


def run_summary(paper_id: str, *, language: str = "en", model: str | None = None) -> PaperSummary:
    settings = with_model(load_settings(), model)
    with open_store(settings.store_path, waits=settings.store) as store:
        resolved = resolve_paper_id(store.cursor(), paper_id)
        return summarize(store, embedder_for(settings), build_model(settings), resolved, language=language,
                         threshold=settings.brief.support_threshold, now=utc_now())
