"""Profiles in the browser and under /api/v1, over real HTTP: forms with their CSRF token, star /
dismiss changing the profile's tab on Today, the Atom feed, and both languages."""

from __future__ import annotations

import re

import feedparser
import httpx
import pytest

from tests.flows.web.conftest import Server

DAY = "2024-11-28"


def csrf(client: httpx.Client, path: str = "/profiles") -> str:
    """The CSRF token of a page's forms (the client keeps the cookie it belongs to)."""
    html = client.get(path).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on " + path
    return found.group(1)


def ranked(html: str) -> list[str]:
    return re.findall(r'<li class="paper" id="p\d+" data-paper="([^"]+)"', html)


@pytest.fixture
def browser_like(server: Server) -> httpx.Client:
    with server.client(headers={"Accept-Language": "en"}, follow_redirects=False) as c:
        yield c


def test_the_profiles_page_lists_the_config_profiles_in_both_languages(client: httpx.Client, server: Server) -> None:
    html = client.get("/profiles").text
    assert "Interest profiles" in html and 'id="profile-llm-reasoning"' in html and 'id="profile-ml-for-biology"' in html
    assert '/profiles/llm-reasoning/feed.atom' in html and 'name="csrf"' in html
    with server.client(headers={"Accept-Language": "zh-CN"}) as zh:
        chinese = zh.get("/profiles").text
    assert "兴趣档案" in chinese and "新建档案" in chinese


def test_create_edit_and_delete_through_the_forms(browser_like: httpx.Client) -> None:
    token = csrf(browser_like)
    refused = browser_like.post("/profiles", data={"name": "web-form", "description": "Graph neural networks"})
    assert refused.status_code == 403  # no CSRF token
    created = browser_like.post("/profiles", data={"csrf": token, "name": "web-form", "description":
                                                   "Graph neural networks for molecules", "categories": "cs.LG, q-bio.BM"})
    assert created.status_code == 303 and created.headers["location"] == "/profiles/web-form"
    page = browser_like.get("/profiles/web-form").text
    assert "Graph neural networks for molecules" in page and "cs.LG, q-bio.BM" in page
    bad = browser_like.post("/profiles/web-form", data={"csrf": token, "description": "x"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    edited = browser_like.post("/profiles/web-form", data={"csrf": token, "description": "Protein structure prediction",
                                                           "language": "zh", "include_revised": "on"})
    assert edited.status_code == 303
    data = browser_like.get("/api/v1/profiles/web-form").json()
    assert data["description"] == "Protein structure prediction" and data["language"] == "zh"
    assert data["include_revised"] is True and data["categories"] == [] and data["source"] == "store"
    gone = browser_like.post("/profiles/web-form/delete", data={"csrf": token})
    assert gone.status_code == 303 and browser_like.get("/api/v1/profiles/web-form").status_code == 404


def test_starring_on_the_profile_tab_changes_its_ranking(browser_like: httpx.Client) -> None:
    api = browser_like.post("/api/v1/profiles", json={"name": "web-rank", "description": "Deep learning for medical "
                                                      "image segmentation", "include_revised": True})
    assert api.status_code == 201, api.text
    before = ranked(browser_like.get("/", params={"profile": "web-rank", "day": DAY}).text)
    assert 13 <= len(before) <= 25  # the papers that clear the digest's relevance floor, at most 25
    token = csrf(browser_like, f"/?profile=web-rank&day={DAY}")
    starred, dismissed = before[12], before[0]
    for paper, verdict in ((starred, "star"), (dismissed, "dismiss")):
        answer = browser_like.post("/profiles/web-rank/feedback", data={
            "csrf": token, "paper": paper, "verdict": verdict, "next": f"/?profile=web-rank&day={DAY}"})
        assert answer.status_code == 303 and answer.headers["location"] == f"/?profile=web-rank&day={DAY}"
    after_html = browser_like.get("/", params={"profile": "web-rank", "day": DAY}).text
    after = ranked(after_html)
    assert starred not in after and dismissed not in after and after != before
    assert "Ranked with 1 starred and 1 dismissed papers." in after_html
    state = browser_like.get("/api/v1/profiles/web-rank").json()
    assert state["starred"] == [starred] and state["dismissed"] == [dismissed]
    paper_page = browser_like.get(f"/paper/{starred}").text
    assert 'action="/profiles/web-rank/feedback"' in paper_page and "★ Starred" in paper_page


def test_today_has_one_tab_per_profile(client: httpx.Client) -> None:
    html = client.get("/", params={"day": DAY}).text
    assert re.search(r'<nav class="tabs"[^>]*>\s*<a href="/\?day=2024-11-28" aria-current="page">All papers</a>', html)
    assert 'href="/?profile=llm-reasoning&amp;day=2024-11-28"' in html
    tab = client.get("/", params={"profile": "llm-reasoning", "day": DAY}).text
    assert 'aria-current="page">llm-reasoning</a>' in tab and 0 < len(ranked(tab)) <= 25  # those above the floor
    assert client.get("/", params={"profile": "astrology"}).status_code == 404


def test_the_json_api_writes_and_refuses_what_it_should(browser_like: httpx.Client) -> None:
    listed = browser_like.get("/api/v1/profiles").json()
    assert listed["schema"] == "radar.profiles/1" and "llm-reasoning" in [p["name"] for p in listed["profiles"]]
    assert browser_like.post("/api/v1/profiles", json={"name": "api-x", "description": "ok words", "nope": 1}
                             ).status_code == 400
    assert browser_like.post("/api/v1/profiles", json={"name": "api-x", "description": "Quantum sensing"}
                             ).status_code == 201
    assert browser_like.post("/api/v1/profiles", json={"name": "api-x", "description": "Quantum sensing"}
                             ).status_code == 400  # exists already
    patched = browser_like.patch("/api/v1/profiles/api-x", json={"categories": ["quant-ph"]})
    assert patched.status_code == 200 and patched.json()["categories"] == ["quant-ph"]
    foreign = browser_like.post("/api/v1/profiles/api-x/feedback", json={"paper": "arxiv:2411.17766", "verdict": "star"},
                                headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    unknown = browser_like.post("/api/v1/profiles/api-x/feedback", json={"paper": "arxiv:9999.99999", "verdict": "star"})
    assert unknown.status_code == 404
    digest = browser_like.get("/api/v1/profiles/api-x/digest", params={"day": DAY, "k": 3}).json()
    assert digest["schema"] == "radar.digest/1" and digest["shown"] == 3
    assert browser_like.delete("/api/v1/profiles/api-x").status_code == 403  # neither JSON nor a CSRF token
    deleted = browser_like.delete("/api/v1/profiles/api-x", headers={"Content-Type": "application/json"})
    assert deleted.json() == {"deleted": "api-x", "in_config": False}


def test_each_profile_has_an_atom_feed(client: httpx.Client, server: Server) -> None:
    response = client.get("/profiles/llm-reasoning/feed.atom", params={"day": DAY})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.feed.id == f"{server.url}/profiles/llm-reasoning/feed.atom" and 0 < len(parsed.entries) <= 25
    assert all(e.id.startswith(f"{server.url}/paper/") and e.updated.startswith(DAY) for e in parsed.entries)
    assert client.get("/profiles/astrology/feed.atom").status_code == 404
