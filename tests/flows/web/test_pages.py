"""The HTML pages over real HTTP: Today, a paper, search, the language switch, and what a hostile
feed or an oversized request gets."""

from __future__ import annotations

import re

import httpx

from tests.flows.web.conftest import HOSTILE_ID, HUGE_ID

KNOWN = "arxiv:2411.17766"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
DAY = "2024-11-28"


def entries(html: str) -> list[str]:
    return re.findall(r'<li class="paper" id="p\d+">.*?</li>', html, re.DOTALL)


def test_today_lists_the_latest_day_numbered_with_counts_per_source(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert "November 28, 2024" in html
    items = entries(html)
    assert len(items) == 100  # the first page of the day
    numbers = [int(n) for n in re.findall(r'<span class="number">(\d+)\.</span>', html)]
    assert numbers == list(range(1, 101))
    assert re.search(r'arXiv \(cs\.\w+\)', items[0]), items[0][:300]
    assert '<span class="badge new">New</span>' in html
    assert re.search(r'class="chip on">All sources <b>(\d+)</b>', html)
    assert re.search(r'>arXiv <b>\d+</b>', html)
    assert "<details>" in items[0] and '<p class="abstract math">' in items[0]


def test_today_filters_pages_and_moves_between_days(client: httpx.Client) -> None:
    nature = client.get("/", params={"day": "2024-07-01", "source": "Nature"})
    assert nature.status_code == 200
    # The Nature sample is not of that day: the page says so honestly.
    whole = client.get("/api/v1/today", params={"day": DAY, "category": "cs.CV"}).json()
    assert whole["matching"] > 0
    html = client.get("/", params={"day": DAY, "category": "cs.CV"}).text
    labels = re.findall(r'<span class="source">([^<]+)</span>', html)
    assert labels and len(labels) == min(whole["matching"], 100)
    second = client.get("/", params={"day": DAY, "offset": 100}).text
    assert '<ol class="papers" start="101">' in second
    assert 'rel="prev"' in html or 'rel="next"' in html  # other days with papers exist in the corpus


def test_an_empty_filter_result_says_so(client: httpx.Client) -> None:
    html = client.get("/", params={"day": DAY, "category": "no.such-category"}).text
    assert "No papers of this day match these filters." in html
    assert not entries(html)
    assert '<option value="no.such-category" selected>no.such-category (0)</option>' in html  # the form keeps it


def test_paper_page_accepts_any_id_form_and_shows_everything(client: httpx.Client) -> None:
    for form in (KNOWN, "2411.17766", "2411.17766v1", "https://arxiv.org/abs/2411.17766"):
        response = client.get(f"/paper/{form}")
        assert response.status_code == 200, form
    html = response.text
    assert "Read original →" in html and 'href="https://arxiv.org/abs/2411.17766' in html
    assert re.search(r'href="https://arxiv\.org/pdf/2411\.17766[^"]*"[^>]*>PDF<', html)
    assert "Extractive: the abstract" in html  # no model configured: labelled as such
    assert '<ul class="takeaways">' in html
    assert "Related papers across fields" in html and "Similarity 0." in html
    assert "<h3>Computer Science" in html


def test_an_unknown_paper_is_a_404_that_says_what_to_do(client: httpx.Client) -> None:
    response = client.get("/paper/arxiv:0000.00000")
    assert response.status_code == 404
    assert "Not found" in response.text and "radar search" in response.text


def test_search_finds_highlights_and_pages(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "protein structure", "mode": "bm25"})
    assert response.status_code == 200
    html = response.text
    hits = re.findall(r'<li class="paper">', html)
    assert len(hits) == 10
    assert re.search(r"<mark>protein</mark>", html, re.IGNORECASE)
    assert 'rel="next"' in html
    second = client.get("/search", params={"q": "protein structure", "mode": "bm25", "page": 2}).text
    assert '<ol class="papers" start="11">' in second


def test_search_says_honestly_when_nothing_is_found(client: httpx.Client) -> None:
    html = client.get("/search", params={"q": "qqzzxv wwkkjj", "mode": "bm25"}).text
    assert "Nothing relevant was found for “qqzzxv wwkkjj”" in html
    # Vectors always have nearest neighbours: the page says they are only that.
    hybrid = client.get("/search", params={"q": "qqzzxv wwkkjj"}).text
    assert "No paper contains these words" in hybrid
    assert "No paper contains these words" not in client.get("/search", params={"q": "protein structure"}).text


def test_search_highlights_are_escaped(client: httpx.Client) -> None:
    html = client.get("/search", params={"q": "hostile inert script onerror", "mode": "bm25"}).text
    assert "A hostile title" in html
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_language_follows_accept_language_and_the_switch_sticks(server) -> None:  # noqa: ANN001
    with server.client(headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}) as zh:
        html = zh.get("/", params={"day": DAY}).text
    assert '<html lang="zh-CN">' in html
    assert "前一天" in html or "后一天" in html
    assert "2024年11月28日" in html
    assert "Previous day" not in html and "All sources" not in html
    with server.client(headers={"Accept-Language": "en"}) as browser:
        switched = browser.get("/lang/zh", params={"next": "/search?q=protein"}, follow_redirects=False)
        assert switched.status_code == 303 and switched.headers["location"] == "/search?q=protein"
        assert browser.cookies.get("radar_lang") == "zh"
        html = browser.get("/search", params={"q": "protein"}).text
        assert "搜索论文" in html and '<html lang="zh-CN">' in html
        paper = browser.get(f"/paper/{KNOWN}").text
        assert "阅读原文 →" in paper and "跨学科相关文章" in paper
        browser.get("/lang/en")
        assert "Search papers" in browser.get("/search").text


def test_the_language_switch_only_goes_back_to_this_site(client: httpx.Client) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/lang/zh", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_hostile_paper_renders_inert(client: httpx.Client) -> None:
    html = client.get(f"/paper/{HOSTILE_ID}").text
    assert "&lt;script&gt;window.__pwned" in html
    assert "<script>window" not in html and "<img src=x" not in html and "<script>alert" not in html
    assert 'href="javascript:' not in html.lower()
    assert "Read original" not in html  # its only link was javascript:
    assert not INLINE_SCRIPT.search(html)


def test_a_one_megabyte_abstract_is_served_escaped(client: httpx.Client) -> None:
    response = client.get(f"/paper/{HUGE_ID}")
    assert response.status_code == 200
    assert "<b>big</b>" not in response.text and response.text.count("&lt;b&gt;big&lt;/b&gt;") >= 100_000


def test_every_page_has_a_strict_policy_and_no_inline_script(client: httpx.Client) -> None:
    for path in ("/", f"/paper/{KNOWN}", "/search?q=protein", "/paper/nope"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert not INLINE_SCRIPT.search(response.text), path
        assert not re.search(r'(src|href)="(https?:)?//', re.sub(r'<a [^>]*class="button[^"]*"[^>]*>', "", response.text)
                             .split("<main>")[0]), path  # the page's own assets are all local


def test_requests_are_bounded(client: httpx.Client) -> None:
    assert client.get("/search", params={"q": "x" * 501}).status_code == 400
    deep = client.get("/api/v1/search", params={"q": "protein", "k": 1000})
    assert deep.status_code == 400 and "k: " in deep.json()["error"] and "100" in deep.json()["error"]
    huge_page = client.get("/", params={"size": 10_000})
    assert huge_page.status_code == 400 and "size: " in huge_page.text and "200" in huge_page.text
    assert client.get("/search", params={"q": "protein", "mode": "fuzzy"}).status_code == 400
    assert client.get("/", params={"day": "yesterday"}).status_code == 400


def test_katex_is_served_from_the_package(client: httpx.Client) -> None:
    for path in ("/static/katex/katex.min.js", "/static/katex/auto-render.min.js", "/static/katex/katex.min.css",
                 "/static/math.js", "/static/katex/fonts/KaTeX_Main-Regular.woff2"):
        assert client.get(path).status_code == 200, path
