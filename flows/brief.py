"""The ``brief`` flow: one brief (a topic or a profile over the last ``days``), stored in the
``briefs`` table and written to ``$RADAR_HOME/briefs/<day>/``. Deployed weekly per profile."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.briefing import BriefOrder, run_brief
from flows.runtime import retry_if_transient
from indexing.store import utc_now
from radar.settings import load_settings

EXTENSIONS = {"md": "md", "html": "html", "json": "json"}


@task(name="write-brief", retries=2, retry_delay_seconds=60, retry_condition_fn=retry_if_transient,
      cache_policy=NO_CACHE)
def write_brief_task(order: BriefOrder, output_format: str) -> Path:
    outcome = run_brief(order)
    name = order.profile or re.sub(r"[^a-z0-9]+", "-", (order.topic or "brief").lower()).strip("-")[:60]
    folder = load_settings().home / "briefs" / utc_now().date().isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{outcome.brief.brief_id}.{EXTENSIONS[output_format]}"
    path.write_text(outcome.render(output_format), encoding="utf-8")
    return path


@flow(name="brief")
def brief(topic: str | None = None, profile: str | None = None, days: int | None = 7,
          fields: list[str] | None = None, language: str | None = None, output_format: str = "md",
          config: str | None = None) -> Path:
    """Write one brief on ``topic`` or a config ``profile`` from papers of the last ``days`` (all when None)."""
    since = (utc_now() - timedelta(days=days)).date() if days else None
    order = BriefOrder(topic=topic, profile=profile, since=since, fields=tuple(fields or ()), language=language,
                       config=Path(config) if config else None)
    return write_brief_task(order, output_format)
