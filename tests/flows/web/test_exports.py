"""Downloads for reference managers over real HTTP: the links on the paper page, Today and search,
what each link answers (media type, attachment name) and that a real reader parses it."""

from __future__ import annotations

import html as html_lib
import json
import re

import bibtexparser
import httpx
import rispy

from tests.flows.web.conftest import HOSTILE_ID

KNOWN = "arxiv:2411.17766"
DAY = "2024-11-28"


def export_links(page: str) -> dict[str, str]:
    block = re.search(r'<p class="exports">(.*?)</p>', page, re.DOTALL)
    assert block, "no export links on the page"
    links = re.findall(r'<a href="([^"]+)" download[^>]*>([^<]+)</a>', block.group(1))
    return {label: html_lib.unescape(href) for href, label in links}


def test_the_paper_page_links_each_format_and_each_link_downloads(client: httpx.Client) -> None:
    links = export_links(client.get(f"/paper/{KNOWN}").text)
    assert set(links) == {"BibTeX", "RIS", "CSL-JSON"}
    bib = client.get(links["BibTeX"])
    assert bib.status_code == 200 and bib.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert bib.headers["content-disposition"] == 'attachment; filename="radar-arxiv-2411.17766.bib"'
    (entry,) = bibtexparser.parse_string(bib.text).entries
    assert entry["eprint"] == "2411.17766"
    ris = client.get(links["RIS"])
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert ris.headers["content-disposition"].endswith('.ris"') and len(rispy.loads(ris.text)) == 1
    csl = client.get(links["CSL-JSON"])
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert json.loads(csl.text)[0]["number"] == "arXiv:2411.17766"


def test_today_exports_the_whole_filtered_day(client: httpx.Client) -> None:
    links = export_links(client.get("/", params={"day": DAY, "category": "cs.CV"}).text)
    assert "category=cs.CV" in links["RIS"] and f"day={DAY}" in links["RIS"]
    whole = client.get("/api/v1/today", params={"day": DAY, "category": "cs.CV", "size": 200}).json()
    response = client.get(links["RIS"])
    assert response.status_code == 200 and response.headers["content-disposition"].endswith(f'radar-{DAY}.ris"')
    records = rispy.loads(response.text)
    assert len(records) == whole["matching"] > 0  # every matching paper, not only the first page
    assert [r["title"] for r in records][:len(whole["entries"])] == [e["title"] for e in whole["entries"]]


def test_search_exports_the_results_shown_so_far(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "quantum error correction", "mode": "bm25"}).text
    links = export_links(page)
    shown = re.findall(r'<h2 class="math"><a href="/paper/([^"]+)">', page)
    items = json.loads(client.get(links["CSL-JSON"]).text)
    assert len(items) == len(shown) == 10
    entries = bibtexparser.parse_string(client.get(links["BibTeX"]).text).entries
    assert [e["eprint"] for e in entries if "eprint" in e.fields_dict] == [
        s.removeprefix("arxiv:") for s in shown if s.startswith("arxiv:")]


def test_a_hostile_paper_downloads_as_inert_text(client: httpx.Client) -> None:
    response = client.get(f"/export/paper/{HOSTILE_ID}", params={"format": "bibtex"})
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"
    (entry,) = bibtexparser.parse_string(response.text).entries
    assert "script" in entry["author"] and not response.headers["content-type"].startswith("text/html")


def test_bad_requests_get_clear_errors(client: httpx.Client) -> None:
    bad = client.get(f"/export/paper/{KNOWN}", params={"format": "endnote"})
    assert bad.status_code == 400 and "bibtex, ris, csljson" in bad.text
    assert client.get("/export/paper/arxiv:9999.99999").status_code == 404
    brief = client.get("/export/brief/no-such-brief")
    assert brief.status_code == 404 and "No brief" in brief.text
    assert client.get("/export/search", params={"q": "x" * 501}).status_code == 400
