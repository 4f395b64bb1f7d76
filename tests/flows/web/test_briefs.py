"""Briefs in the web app, over real HTTP: background jobs in their own processes, written by the
same code as `radar brief` (extractive with no model; through litellm to tests/llmserver.py with
one), progress, the bounded pool (429), flagged sentences and citations that link to paper pages."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import duckdb
import httpx
import pytest

from flows.web.jobs import mark_dead
from indexing.store import open_store, utc_now
from indexing.store.jobs import DIED, load_job, start_job
from queries.brief import store as brief_store
from queries.brief.render import to_json
from radar.settings import Settings
from tests.flows.web.conftest import Server, serving
from tests.llmserver import TEST_MODEL, LlmServer
from tests.queries.brief.writer import answer, faithful, sources_in

TOPIC = "protein design with deep generative models"
JOB_SECONDS = 300


def wait_for(client: httpx.Client, job_id: str) -> dict:
    """Poll a job until it ends (the job's process loads the model first: tens of seconds)."""
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/briefs/jobs/{job_id}").json()
        if job["state"] in ("done", "empty", "failed"):
            return job
        time.sleep(0.5)  # polling a background job; nothing is timed or asserted on it
    pytest.fail(f"brief job {job_id} did not end within {JOB_SECONDS} s: {job}")


def csrf_of(client: httpx.Client) -> str:
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', client.get("/briefs").text).group(1)


@pytest.fixture(scope="module")
def extractive_job(server: Server) -> dict:
    """One brief asked for through the form of the default server (no model: extractive), by a
    reader whose interface is Chinese."""
    with server.client(headers={"Accept-Language": "zh-CN"}) as browser:
        assert browser.post("/briefs", data={"topic": TOPIC}).status_code == 403  # no CSRF token
        asked = browser.post("/briefs", data={"csrf": csrf_of(browser), "topic": TOPIC, "language": "en",
                                              "field": ["Biology", "Computer Science"]})
        assert asked.status_code == 303 and asked.headers["location"].startswith("/briefs/jobs/")
        job_page = browser.get(asked.headers["location"])
        assert job_page.status_code == 200 and "/static/jobs.js" in job_page.text and "<script>" not in job_page.text
        assert "简报任务" in job_page.text
        return wait_for(browser, asked.headers["location"].rsplit("/", 1)[1])


def test_a_brief_job_runs_to_completion_and_its_json_is_the_clis(server: Server, extractive_job: dict,
                                                                   client: httpx.Client) -> None:
    assert extractive_job["state"] == "done" and extractive_job["progress"] == 1.0, extractive_job
    assert extractive_job["request"]["topic"] == TOPIC and extractive_job["finished_at"].endswith("Z")
    assert extractive_job["request"]["fields"] == ["Biology", "Computer Science"]
    brief_id = extractive_job["brief_id"]
    served = client.get(f"/api/v1/briefs/{brief_id}").json()
    with open_store(server.home / "radar.duckdb", read_only=True) as store:
        stored = to_json(brief_store.load(store, brief_id))
    assert served == stored and served["schema"] == "radar.brief/1" and served["kind"] == "extractive"
    listed = client.get("/api/v1/briefs").json()
    assert any(row["brief_id"] == brief_id and row["topic"] == TOPIC for row in listed)
    assert any(job["job_id"] == extractive_job["job_id"] for job in client.get("/api/v1/briefs/jobs").json())


def test_the_brief_page_links_every_citation_to_its_paper(extractive_job: dict, client: httpx.Client) -> None:
    brief = client.get(f"/api/v1/briefs/{extractive_job['brief_id']}").json()
    page = client.get(f"/briefs/{extractive_job['brief_id']}")
    assert page.status_code == 200 and "Extractive" in page.text
    cites = re.findall(r'<a class="cite" href="([^"]+)">(\d+)</a>', page.text)
    assert cites, "the brief shows no citation"
    by_number = {s["number"]: s["paper_id"] for s in brief["sources"]}
    assert all(href == "/paper/" + by_number[int(n)] for href, n in cites)
    assert client.get(cites[0][0]).status_code == 200
    listing = client.get("/briefs")
    assert f'/briefs/{extractive_job["brief_id"]}' in listing.text and TOPIC in listing.text


def test_the_brief_page_exports_its_sources(extractive_job: dict, client: httpx.Client) -> None:
    brief = client.get(f"/api/v1/briefs/{extractive_job['brief_id']}").json()
    page = client.get(f"/briefs/{extractive_job['brief_id']}").text
    link = re.search(r'<p class="exports">.*?<a href="([^"]+)" download[^>]*>BibTeX</a>', page, re.DOTALL)
    assert link, "no export links on the brief page"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-bibtex")
    entries = bibtexparser.parse_string(response.text).entries
    assert [e["title"] for e in entries] and len(entries) == len(brief["sources"])


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"topic": TOPIC, "profile": "quantum-computing"}, 400, "one of them"),
    ({}, 400, "one of them"),
    ({"topic": "x" * 501}, 400, "limit is 500"),
    ({"profile": "no-such-profile"}, 400, "No profile"),
    ({"topic": TOPIC, "since": "2024-12-01", "until": "2024-11-01"}, 400, "after the end"),
    ({"topic": TOPIC, "fields": [f"f{i}" for i in range(11)]}, 400, "at most 10"),
    ({"topic": TOPIC, "language": "fr"}, 400, "language: "),
])
def test_bad_requests_say_what_is_wrong(client: httpx.Client, body: dict, status: int, words: str) -> None:
    answer_ = client.post("/api/v1/briefs", json=body)
    assert answer_.status_code == status and words in answer_.text


def test_unknown_briefs_and_jobs_are_404(client: httpx.Client) -> None:
    assert client.get("/api/v1/briefs/jobs/nope").status_code == 404
    assert client.get("/api/v1/briefs/nope").status_code == 404
    assert client.get("/briefs/nope").status_code == 404


@pytest.fixture(scope="module")
def llm() -> Iterator[LlmServer]:
    server = LlmServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def model_server(web_home: Path, llm: LlmServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second `radar serve` over the same store, with a model and a pool of one writer and one waiting."""
    with serving(web_home, tmp_path_factory.mktemp("web-llm") / "serve.log", RADAR_LLM__MODEL=TEST_MODEL,
                 RADAR_LLM__API_BASE=llm.url, RADAR_LLM__API_KEY="sk-web-secret", RADAR_LLM__RETRIES="0",
                 RADAR_WEB__BRIEF_WORKERS="1", RADAR_WEB__BRIEF_QUEUE="1") as running:
        yield running


def test_model_briefs_flag_unsupported_sentences_and_the_pool_is_bounded(model_server: Server,
                                                                           llm: LlmServer) -> None:
    def overclaim(request: dict) -> object:
        data = faithful(request)
        n = sources_in(request)[0][0]
        data["overview"].append(f"Bananas ripen faster when stored next to apples in a paper bag [{n}].")
        return answer(data)

    llm.respond_with(overclaim)
    with model_server.client() as client:
        first = client.post("/api/v1/briefs", json={"topic": TOPIC})
        second = client.post("/api/v1/briefs", json={"topic": "sourdough bread baking recipes for beginners",
                                                      "language": "zh"})
        third = client.post("/api/v1/briefs", json={"topic": TOPIC})
        assert (first.status_code, second.status_code) == (202, 202)
        assert first.headers["location"] == f"/api/v1/briefs/jobs/{first.json()['job_id']}"
        assert second.json()["state"] == "queued" and second.json()["position"] == 1
        assert third.status_code == 429 and "Try again" in third.json()["error"]
        done = wait_for(client, first.json()["job_id"])
        assert done["state"] == "done", done
        brief = client.get(f"/api/v1/briefs/{done['brief_id']}").json()
        assert brief["kind"] == "llm" and brief["model"] == TEST_MODEL and brief["verification"]["flagged"] >= 1
        page = client.get(f"/briefs/{done['brief_id']}").text
        flagged = re.search(r'<span class="flagged"[^>]*>(.*?)</span>', page, re.S)
        assert flagged and "Bananas ripen" in flagged.group(1) and "⚠" in flagged.group(1)
        assert re.search(r'<a class="cite" href="/paper/[^"]+">\d+</a>', flagged.group(1))
        empty = wait_for(client, second.json()["job_id"])  # nothing found: no brief, an honest note
        assert empty["state"] == "empty" and "索引中没有与" in empty["error"], empty  # a zh brief's notice is in Chinese
        assert empty["brief_id"] is None and empty["request"]["language"] == "zh"
    assert "sk-web-secret" not in (model_server.home / "radar.duckdb").read_bytes().decode("latin-1")


def test_jobs_left_running_by_a_dead_process_are_marked_failed_on_start(web_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "radar.duckdb").write_bytes((web_home / "radar.duckdb").read_bytes())
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with open_store(home / "radar.duckdb") as store, store.transaction() as con:
        start_job(con, "deadjob", {"topic": TOPIC}, utc_now(), utc_now())
        con.execute("UPDATE brief_jobs SET pid = ? WHERE job_id = 'deadjob'", [int(ended.stdout)])
        start_job(con, "livejob", {"topic": TOPIC}, utc_now(), utc_now())  # this process: alive
    assert mark_dead(Settings(home=home)) == ["deadjob"]
    con = duckdb.connect(str(home / "radar.duckdb"), read_only=True)
    dead, live = load_job(con, "deadjob"), load_job(con, "livejob")
    assert (dead.state, dead.error) == ("failed", DIED) and dead.finished_at is not None
    assert live.state == "running"
