"""Keeping finished briefs in the store's ``briefs`` table, and reading them back."""

from __future__ import annotations

from indexing.store import Store
from indexing.store.briefs import BriefRecord, latest_profile_brief, load_brief_document, recent_briefs, save_brief
from queries.brief.records import Brief
from queries.brief.render import from_json, to_json
from radar.errors import QueryError


def save(store: Store, brief: Brief) -> None:
    v, t, r = brief.verification, brief.timings, brief.request
    record = BriefRecord(
        brief_id=brief.brief_id, created_at=brief.created_at.replace(tzinfo=None), topic=r.topic, profile=r.profile,
        language=r.language, kind=brief.kind, model=brief.model, prompt_hash=brief.prompt_hash, since=r.since,
        until=r.until, fields=list(r.fields), retrieval_ms=t.retrieval_ms, model_ms=t.model_ms,
        verification_ms=t.verification_ms, sentences_checked=v.checked, sentences_kept=v.kept,
        sentences_flagged=v.flagged, sentences_dropped=v.dropped, citations_removed=v.citations_removed,
        links_removed=v.links_removed, document=to_json(brief),
        sources=[(s.number, s.paper_id, s.field) for s in brief.sources])
    with store.transaction() as con:
        save_brief(con, record)


def load(store: Store, brief_id: str) -> Brief:
    document = load_brief_document(store.cursor(), brief_id.strip())
    if document is None:
        raise QueryError(f"No brief {brief_id!r} in the store; `radar briefs` lists them.")
    return from_json(document)


def recent(store: Store, limit: int = 20) -> list[dict]:
    """The newest briefs: id, time, topic, profile, kind, model and verification counts."""
    return recent_briefs(store.cursor(), limit)


def latest_for_profile(store: Store, profile: str) -> Brief | None:
    """The newest brief written for ``profile`` that found something; None when there is none."""
    document = latest_profile_brief(store.cursor(), profile)
    return from_json(document) if document else None
