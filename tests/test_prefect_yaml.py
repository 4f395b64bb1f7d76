"""prefect.yaml declares deployments Prefect can load: entrypoints import, schedules parse."""

from __future__ import annotations

import re
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


def fire_times(name: str, count: int, start: datetime = datetime(2026, 11, 22, 0, 0)) -> list[datetime]:
    """The next ``count`` runs of a deployment, all its schedules merged, from ``start`` (New York time)."""
    from cronsim import CronSim  # Prefect's own cron engine

    eastern = ZoneInfo("America/New_York")
    fires: list[datetime] = []
    for schedule in deployments()[name]["schedules"]:
        cron = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
        runs = CronSim(cron.cron, start.replace(tzinfo=ZoneInfo(cron.timezone)))
        fires += [next(runs).astimezone(eastern) for _ in range(count)]
    return sorted(fires)[:count]


@pytest.mark.parametrize("name", ["ingest-daily", "ingest-and-index-daily"])
def test_daily_jobs_run_after_arxivs_midnight_rss_rebuild_and_catch_up_later(name: str) -> None:
    # arXiv rebuilds its RSS feeds at midnight Eastern Standard Time (01:00 EDT in summer); every
    # day, since the other sources post on weekends; a second run the same afternoon catches up.
    assert {s["timezone"] for s in deployments()[name]["schedules"]} == {"America/New_York"}
    for start in (datetime(2026, 11, 22), datetime(2026, 7, 5)):  # a Sunday in winter, one in summer
        fires = fire_times(name, 14, start)
        assert [f.strftime("%H:%M") for f in fires] == ["01:30", "13:30"] * 7
        assert len({f.date() for f in fires}) == 7
        for first in fires[::2]:
            midnight_est = datetime.combine(first.date(), datetime.min.time(), ZoneInfo("EST"))
            assert first > midnight_est


def test_exactly_one_daily_ingest_is_active() -> None:
    ingests = {name: d for name, d in deployments().items()
               if d["entrypoint"] in ("flows/ingest.py:ingest", "flows/index.py:ingest_and_index")}
    active = [name for name, d in ingests.items() if any(s.get("active", True) for s in d.get("schedules", []))]
    assert active == ["ingest-and-index-daily"]


def test_on_demand_deployments_say_so_so_deploy_asks_nothing() -> None:
    assert all("schedules" in d for d in deployments().values())
    assert deployments()["index"]["schedules"] == []


def test_the_checkout_is_recorded_at_deploy_time_not_read_from_a_radar_variable() -> None:
    text = (REPO / "prefect.yaml").read_text()
    assert not re.search(r"\{\{\s*\$RADAR_", text)  # a flow run rejects a RADAR_ variable that is not a setting
    spec = yaml.safe_load(text)
    (step,) = spec["pull"]
    assert step["prefect.deployments.steps.set_working_directory"]["directory"] == "{{ checkout.stdout }}"


def test_the_digest_runs_after_each_daily_ingest_on_the_same_days() -> None:
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
        fires = fire_times(deployment["name"], 3, datetime(2026, 11, 22, 12, 0))
        assert {f.strftime("%a %H:%M") for f in fires} == {"Fri 07:00"}
        assert (fires[1] - fires[0]).days == 7


def test_the_digest_mail_runs_after_each_daily_digest_on_the_same_days() -> None:
    mail = deployments()["digest-mail-daily"]
    assert mail["entrypoint"] == "flows/mail.py:digest_mail"
    assert all(s.get("active", True) for s in mail["schedules"])
    for written, mailed in zip(fire_times("digest-daily", 12), fire_times("digest-mail-daily", 12), strict=True):
        assert written.date() == mailed.date()
        assert 15 * 60 <= (mailed - written).total_seconds() <= 2 * 3600
