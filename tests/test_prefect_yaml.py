"""prefect.yaml declares deployments Prefect can load: entrypoints import, schedules parse."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint

REPO = Path(__file__).resolve().parents[1]


def deployments() -> dict[str, dict]:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    return {d["name"]: d for d in spec["deployments"]}


def test_every_entrypoint_loads_a_flow() -> None:
    for deployment in deployments().values():
        flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
        assert callable(flow.fn)


@pytest.mark.parametrize("name", ["ingest-daily", "ingest-and-index-daily"])
def test_daily_jobs_follow_arxivs_announcement_schedule(name: str) -> None:
    (schedule,) = deployments()[name]["schedules"]
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    assert cron.timezone == "America/New_York"
    from cronsim import CronSim  # Prefect's own cron engine

    eastern = ZoneInfo("America/New_York")
    runs = CronSim(cron.cron, datetime(2026, 11, 22, 12, 0, tzinfo=eastern))  # a Sunday
    fires = [next(runs) for _ in range(6)]
    assert [f.strftime("%a %H:%M") for f in fires] == [
        "Sun 20:30", "Mon 20:30", "Tue 20:30", "Wed 20:30", "Thu 20:30", "Sun 20:30"]


def test_exactly_one_daily_ingest_is_active() -> None:
    ingests = {name: d for name, d in deployments().items()
               if d["entrypoint"] in ("flows/ingest.py:ingest", "flows/index.py:ingest_and_index")}
    active = [name for name, d in ingests.items() if any(s.get("active", True) for s in d.get("schedules", []))]
    assert active == ["ingest-and-index-daily"]


def fire_times(name: str, count: int) -> list[datetime]:
    """The next ``count`` runs of a deployment's schedule from a Sunday noon, in New York time."""
    (schedule,) = deployments()[name]["schedules"]
    from cronsim import CronSim  # Prefect's own cron engine

    runs = CronSim(schedule["cron"], datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo(schedule["timezone"])))
    return [next(runs).astimezone(ZoneInfo("America/New_York")) for _ in range(count)]


def test_the_digest_runs_after_the_daily_ingest_on_the_same_days() -> None:
    digest = deployments()["digest-daily"]
    assert digest["entrypoint"] == "flows/digest.py:digest"
    assert all(s.get("active", True) for s in digest["schedules"])
    for ingest, written in zip(fire_times("ingest-and-index-daily", 12), fire_times("digest-daily", 12), strict=True):
        assert ingest.date() == written.date()
        assert 30 * 60 <= (written - ingest).total_seconds() <= 3 * 3600


def test_every_bundled_profile_has_a_weekly_brief() -> None:
    from radar.config import bundled_config_text, parse_config

    profiles = {p.name for p in parse_config(bundled_config_text(), origin="bundled", base_dir=REPO).profiles}
    briefs = {d["parameters"]["profile"]: d for d in deployments().values() if d["entrypoint"] == "flows/brief.py:brief"}
    assert set(briefs) == profiles
    for name, deployment in briefs.items():
        assert deployment["parameters"]["days"] == 7
        fires = fire_times(deployment["name"], 3)
        assert {f.strftime("%a %H:%M") for f in fires} == {"Fri 07:00"}
        assert (fires[1] - fires[0]).days == 7
