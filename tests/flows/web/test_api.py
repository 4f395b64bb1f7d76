"""JSON under /api/v1 over real HTTP: the CLI's schemas, produced by the same serialisers."""

from __future__ import annotations

import json

import httpx
import pytest

from indexing.search.base import Filters
from indexing.search.local import LocalBackend
from indexing.store import open_store
from queries.search import search, search_json
from tests.corpus import MODEL
from tests.flows.web.conftest import Server

KNOWN = "arxiv:2411.17766"


def test_search_json_is_the_cli_schema_and_answer(server: Server, client: httpx.Client) -> None:
    from indexing.embeddings import get_embedder

    served = client.get("/api/v1/search", params={"q": "graph neural networks", "mode": "bm25", "k": 5,
                                                  "field": "Computer Science"}).json()
    with open_store(server.home / "radar.duckdb", read_only=True) as store:
        local = search_json(search(store, LocalBackend(store), get_embedder(MODEL), "graph neural networks",
                                   mode="bm25", filters=Filters(field="Computer Science"), k=5))
    served.pop("took_ms"), local.pop("took_ms")
    # The server may run the model through another runtime (onnx, openvino): relevance agrees closely.
    served_relevance = [h.pop("relevance") for h in served["hits"]]
    local_relevance = [h.pop("relevance") for h in local["hits"]]
    assert served_relevance == pytest.approx(local_relevance, abs=0.02)
    assert served == json.loads(json.dumps(local))  # the API is JSON: tuples arrive as lists
    assert served["schema"] == "radar.search/1" and len(served["hits"]) == 5


def test_related_json(client: httpx.Client) -> None:
    data = client.get("/api/v1/related/2411.17766v1", params={"k": 6}).json()
    assert data["schema"] == "radar.related/1"
    assert data["paper"]["paper_id"] == KNOWN
    assert sum(len(g["hits"]) for g in data["groups"]) == 6
    assert all(h["reason"].startswith("similarity") for g in data["groups"] for h in g["hits"])


def test_paper_json_with_summary(client: httpx.Client) -> None:
    data = client.get(f"/api/v1/paper/{KNOWN}", params={"summary": "true"}).json()
    assert data["schema"] == "radar.paper/1"
    assert data["paper_id"] == KNOWN and data["authors"] and data["abstract"]
    assert data["published"].endswith("Z") and data["versions"][0]["version"] >= 1
    assert data["summary"]["schema"] == "radar.summary/1" and data["summary"]["model"] == "extractive"
    assert 3 <= len(data["summary"]["takeaways"]) <= 5


def test_today_json_numbers_and_counts(client: httpx.Client) -> None:
    data = client.get("/api/v1/today", params={"limit": 5, "offset": 5}).json()
    assert data["schema"] == "radar.today/1" and data["day"] == "2024-11-28"
    assert [e["number"] for e in data["entries"]] == [6, 7, 8, 9, 10]
    assert data["total"] == sum(data["by_source"].values()) >= data["matching"]
    assert {"paper_id", "title", "authors", "source", "announce_type", "lead", "abstract"} <= set(data["entries"][0])


def test_api_errors_are_json_with_a_status(client: httpx.Client) -> None:
    missing = client.get("/api/v1/paper/arxiv:0000.00000")
    assert missing.status_code == 404 and "radar search" in missing.json()["error"]
    bad = client.get("/api/v1/today", params={"day": "soon"})
    assert bad.status_code == 400 and "2024-11-28" in bad.json()["error"]


def test_openapi_describes_the_api(client: httpx.Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/search", "/api/v1/today", "/api/v1/related/{paper_id}", "/api/v1/paper/{paper_id}"} <= set(paths)
    assert not any(p.startswith("/paper") for p in paths)
