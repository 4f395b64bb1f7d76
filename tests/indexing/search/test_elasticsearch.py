"""The Elasticsearch backend against a real node (tests/indexing/search/conftest.py starts it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from indexing.search.base import Filters, SearchDoc
from indexing.search.elasticsearch import MAPPING_VERSION, RADAR_ANALYSIS, bm25_text, build_backend
from radar.errors import (
    IndexMismatchError, QueryError, SearchAuthError, SearchError, SearchUnavailableError,
)

DIMS = 384
MODEL = "all-MiniLM-L6-v2"


def vector(i: int, near: int | None = None, dims: int = DIMS) -> list[float]:
    """One-hot on axis i (plus a little of axis ``near``): nearest neighbours are known exactly."""
    values = [0.0] * dims
    values[i] = 1.0
    if near is not None:
        values[near] = 0.3
    return values


def doc(paper_id: str, title: str, abstract: str, axis: int, *, field: str = "Computer Science",
        categories: tuple[str, ...] = ("cs.LG",), source: str = "arXiv",
        published: datetime | None = datetime(2024, 11, 28, 15, 0, tzinfo=UTC),
        vec: list[float] | None = None) -> SearchDoc:
    return SearchDoc(paper_id=paper_id, title=title, abstract=abstract, authors=("A. Author", "B. Author"),
                     categories=categories, field=field, source=source, published=published,
                     vector=vec if vec is not None else vector(axis), content_hash=f"hash-{paper_id}-{title}")


CORPUS = [
    doc("arxiv:2411.00001", "Diffusion models for MRI segmentation",
        "We segment brain scans with a denoising diffusion model.", 0, categories=("cs.CV", "eess.IV")),
    doc("arxiv:2411.00002", "Quantum walks on graphs", "Continuous-time quantum walks and their spectra.", 1,
        field="Physics", categories=("quant-ph",), published=datetime(2024, 11, 27, 9, 0, tzinfo=UTC)),
    doc("doi:10.1101/2024.11.20.000003", "Protein folding with transformers",
        "Attention models predict protein structures; diffusion of side chains is modelled too.", 2,
        field="Biology", categories=("bioinformatics",), source="bioRxiv",
        published=datetime(2024, 11, 20, 12, 0, tzinfo=UTC)),
    doc("doi:10.1038/000004", "Diffusion of innovations in regional economies",
        "How new technologies spread between firms.", 3, field="Economics", categories=(), source="Nature",
        published=None),
    doc("arxiv:2411.00005", "Graph neural networks for molecules", "Message passing predicts molecular properties.",
        4, categories=("cs.LG", "q-bio.BM"), published=datetime(2024, 11, 29, 0, 30, tzinfo=UTC)),
]
IDS = [d.paper_id for d in CORPUS]


def ids(hits) -> list[str]:
    return [h.paper_id for h in hits]


@pytest.fixture
def loaded(es_backend):
    es_backend.prepare(dims=DIMS, model=MODEL)
    report = es_backend.index(CORPUS)
    assert sorted(report.indexed) == sorted(IDS) and report.failed == {}
    es_backend.refresh()
    return es_backend


def only_index(es_admin, alias: str) -> str:
    (name,) = es_admin.indices.get_alias(name=alias).body
    return name


# ---------------------------------------------------------------------- index lifecycle


def test_prepare_creates_index_and_alias_with_the_explicit_mapping(es_backend, es_admin, es_alias):
    es_backend.prepare(dims=DIMS, model=MODEL)

    name = only_index(es_admin, es_alias)
    assert name.startswith(f"{es_alias}-v{MAPPING_VERSION}-all-minilm-l6-v2-384-")
    mapping = es_admin.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["_meta"]["model"] == MODEL and mapping["_meta"]["dims"] == DIMS
    assert mapping["_meta"]["mapping_version"] == MAPPING_VERSION
    props = mapping["properties"]
    vec = props["vector"]
    assert (vec["type"], vec["dims"], vec["similarity"], vec["index"]) == ("dense_vector", DIMS, "cosine", True)
    assert vec["index_options"]["type"] == "int8_hnsw"
    for keyword in ("paper_id", "categories", "field", "source", "authors", "content_hash"):
        assert props[keyword]["type"] == "keyword", keyword
    assert props["published"]["type"] == "date"

    # english where the node has it; this distribution has no analysis-common, so Radar's own terms.
    has_english = es_admin.options(ignore_status=400).indices.analyze(analyzer="english", text="x").meta.status == 200
    expected = "english" if has_english else RADAR_ANALYSIS
    assert es_backend.text_analyzer() == expected
    assert mapping["_meta"]["analyzer"] == expected
    for text_field in ("title", "abstract"):
        assert props[text_field] == {"type": "text", "analyzer": "english" if has_english else "whitespace"}
        assert "boost" not in props[text_field]  # the title is boosted at query time
    settings = es_admin.indices.get_settings(index=name)[name]["settings"]["index"]
    assert settings["number_of_replicas"] == "0"
    assert "analysis" not in settings

    es_backend.prepare(dims=DIMS, model=MODEL)  # idempotent: same index
    assert only_index(es_admin, es_alias) == name
    assert es_backend.count() == 0


def test_an_index_built_for_other_vectors_is_refused_until_reindex(es_backend):
    es_backend.prepare(dims=DIMS, model=MODEL)
    for dims, model in ((8, MODEL), (DIMS, "other-model")):
        with pytest.raises(IndexMismatchError) as caught:
            es_backend.prepare(dims=dims, model=model)
        assert "radar reindex" in str(caught.value) and MODEL in str(caught.value)

    small = [doc("x:1", "Eight dimensions", "small vectors", 0, vec=vector(0, dims=8))]
    report = es_backend.rebuild(small, dims=8, model="other-model")
    assert report.indexed == ["x:1"]
    es_backend.prepare(dims=8, model="other-model")  # what reindex built is accepted now
    with pytest.raises(IndexMismatchError):
        es_backend.prepare(dims=DIMS, model=MODEL)


def test_search_before_any_index_is_a_clear_error(es_backend):
    assert es_backend.count() == 0
    with pytest.raises(SearchError, match="radar index"):
        es_backend.bm25("diffusion", Filters(), 5)
    with pytest.raises(SearchError, match="radar index"):
        es_backend.index(CORPUS[:1])
    es_backend.delete(["nothing"])  # nothing to delete: fine


# ---------------------------------------------------------------------- documents and queries


def test_bm25_and_knn_return_the_expected_papers(loaded):
    assert loaded.count() == len(CORPUS)

    hits = loaded.bm25("diffusion MRI", Filters(), 10)
    assert hits[0].paper_id == "arxiv:2411.00001"
    assert set(ids(hits)) == {"arxiv:2411.00001", "doi:10.1101/2024.11.20.000003", "doi:10.1038/000004"}
    assert all(h.score > 0 for h in hits)
    # The title counts double: "diffusion" in a title beats "diffusion" in an abstract.
    ranked = ids(loaded.bm25("diffusion", Filters(), 10))
    assert ranked.index("doi:10.1038/000004") < ranked.index("doi:10.1101/2024.11.20.000003")
    assert ids(loaded.bm25("diffusion", Filters(), 1)) == ranked[:1]
    assert loaded.bm25("quantum", Filters(), 0) == []

    for axis, expected in enumerate(IDS):
        hits = loaded.knn(vector(axis, near=(axis + 1) % 5), Filters(), 3)
        assert ids(hits)[:2] == [expected, IDS[(axis + 1) % 5]]
        assert hits[0].score >= hits[1].score
    assert len(loaded.knn(vector(0), Filters(), 100)) == len(CORPUS)


def test_filters_apply_to_bm25_and_knn(loaded):
    def both(filters: Filters, text: str = "diffusion quantum protein graph molecules") -> tuple[set, set]:
        return set(ids(loaded.bm25(text, filters, 10))), set(ids(loaded.knn(vector(0), filters, 10)))

    assert both(Filters(field="Physics")) == ({"arxiv:2411.00002"},) * 2
    assert both(Filters(category="q-bio.BM")) == ({"arxiv:2411.00005"},) * 2
    assert both(Filters(category="cs.CV")) == ({"arxiv:2411.00001"},) * 2
    assert both(Filters(source="biorxiv")) == ({"doi:10.1101/2024.11.20.000003"},) * 2  # any case
    assert both(Filters(source="Nature")) == ({"doi:10.1038/000004"},) * 2
    # since/until are whole UTC days, both inclusive; an undated paper never matches a date filter.
    day = {"arxiv:2411.00001"}  # published 2024-11-28 15:00 UTC
    assert both(Filters(since=date(2024, 11, 28), until=date(2024, 11, 28))) == (day, day)
    assert both(Filters(until=date(2024, 11, 27))) == ({"arxiv:2411.00002", "doi:10.1101/2024.11.20.000003"},) * 2
    assert both(Filters(since=date(2024, 11, 29))) == ({"arxiv:2411.00005"},) * 2
    assert both(Filters(field="Computer Science", since=date(2024, 11, 28))) == (
        {"arxiv:2411.00001", "arxiv:2411.00005"},) * 2
    assert both(Filters(field="Economics", since=date(2000, 1, 1))) == (set(), set())
    assert both(Filters(field="No such field")) == (set(), set())


def test_reloading_the_same_papers_never_duplicates(loaded):
    report = loaded.index(CORPUS)
    loaded.index(CORPUS)
    assert sorted(report.indexed) == sorted(IDS)
    loaded.refresh()
    assert loaded.count() == len(CORPUS)

    changed = doc("arxiv:2411.00002", "Quantum walks on hypergraphs", "A new version.", 1, field="Physics")
    loaded.index([changed])
    loaded.refresh()
    assert loaded.count() == len(CORPUS)
    assert ids(loaded.bm25("hypergraphs", Filters(), 5)) == ["arxiv:2411.00002"]


def test_delete_removes_papers_and_ignores_missing_ones(loaded):
    loaded.delete(["arxiv:2411.00001", "arxiv:9999.99999", "arxiv:2411.00001"])
    loaded.refresh()
    assert loaded.count() == len(CORPUS) - 1
    assert "arxiv:2411.00001" not in ids(loaded.bm25("diffusion", Filters(), 10))
    loaded.delete([])


def test_one_bad_document_fails_alone(es_backend):
    es_backend.prepare(dims=DIMS, model=MODEL)
    docs = [
        CORPUS[0],
        doc("bad:short", "Too short", "three dimensions", 0, vec=[0.1, 0.2, 0.3]),
        CORPUS[1],
        doc("bad:zero", "Zero vector", "cosine cannot use it", 0, vec=[0.0] * DIMS),
        doc("bad:nan", "Not a number", "NaN must not break the chunk", 0, vec=[float("nan")] + [0.5] * (DIMS - 1)),
        CORPUS[2],
    ]
    report = es_backend.index(docs)
    assert sorted(report.indexed) == sorted(IDS[:3])
    assert set(report.failed) == {"bad:short", "bad:zero", "bad:nan"}
    assert "dimensions" in report.failed["bad:short"]
    assert "zero magnitude" in report.failed["bad:zero"]
    assert "finite" in report.failed["bad:nan"]
    es_backend.refresh()
    assert es_backend.count() == 3


AWKWARD_QUERIES = [
    "", "   ", "\t\n", "!!!", "?", "--", "...", "“”«»", "😀", "title:(foo AND", '"unbalanced', "*?~^", "\\", "\\\\",
    "(((", ")", "[1 TO *]", "foo:bar:baz", "a AND OR NOT", "{!lucene}", "/regex.*/", "&& || !", "~2^3",
    "<script>alert(1)</script>", "SELECT * FROM papers; --", "diffusion\x00models",
]


def test_awkward_queries_return_a_clean_list(loaded):
    for query in AWKWARD_QUERIES:
        hits = loaded.bm25(query, Filters(), 10)
        assert isinstance(hits, list), query
        assert isinstance(loaded.bm25(query, Filters(field="Physics", since=date(2024, 1, 1)), 10), list), query


def test_lucene_syntax_is_searched_as_words(loaded):
    assert ids(loaded.bm25("title:(diffusion AND", Filters(), 10))[0] == "arxiv:2411.00001"
    assert ids(loaded.bm25('"quantum walks', Filters(), 10)) == ["arxiv:2411.00002"]
    assert bm25_text("title:(foo AND \"bar* 3.14 don't") == "title foo AND bar 3.14 don't"


LONG_QUERIES = [
    "diffusion " * 1000,                                        # 10,000 characters, one word repeated
    " ".join(f"word{i}" for i in range(2000))[:10_000],         # 10,000 characters of distinct words
    "x," * 5000,                                                # 10,000 characters, no whitespace
    "a" * 10_000,                                               # one enormous word
    "MRI " + "\U0001f600" * 4000 + " diffusion " + "(" * 2000,  # symbols that make no words
]


def test_very_long_queries_are_cut_and_still_answered(loaded):
    for query in LONG_QUERIES:
        assert len(query) >= 4000
        assert len(bm25_text(query).split()) <= 200
        hits = loaded.bm25(query, Filters(), 5)
        assert isinstance(hits, list), query[:40]
        if query.startswith(("diffusion", "MRI")):
            assert hits[0].paper_id == "arxiv:2411.00001", query[:40]


def test_empty_queries_never_reach_elasticsearch(settings_for):
    backend = build_backend(settings_for(elasticsearch_url="http://127.0.0.1:9", elasticsearch_timeout=1))
    try:
        for query in ("", "   ", "?!", "*?~^", "\\"):
            assert backend.bm25(query, Filters(), 10) == []
        with pytest.raises(SearchUnavailableError):
            backend.bm25("diffusion", Filters(), 10)
    finally:
        backend.close()


def test_knn_with_a_vector_of_the_wrong_size_is_a_query_error(loaded):
    with pytest.raises(QueryError, match="dimensions"):
        loaded.knn([1.0, 0.0, 0.0], Filters(), 5)
    with pytest.raises(QueryError):
        loaded.knn([float("nan")] * DIMS, Filters(), 5)
    assert loaded.knn(vector(0), Filters(), 0) == []


# ---------------------------------------------------------------------- rebuild


def test_rebuild_flips_the_alias_while_search_keeps_working(loaded, es_admin, es_alias, es_settings):
    old = only_index(es_admin, es_alias)
    renamed = doc("arxiv:2411.00001", "Score-based generative models for MRI", "Renamed in the new index.", 0)
    new_docs = [renamed, *CORPUS[1:], doc("arxiv:2411.00006", "Sparse autoencoders", "Interpretability.", 5)]

    # Another process searches all the time the rebuild runs: it must never fail or see nothing.
    watcher = build_backend(es_settings)
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def watch() -> None:
        while not stop.is_set():
            try:
                seen.append(len(watcher.bm25("MRI", Filters(), 10)) and watcher.count())
            except BaseException as exc:  # noqa: BLE001 - recorded and asserted below
                errors.append(exc)
            time.sleep(0.02)

    during: dict[str, object] = {}

    def docs() -> Iterator[SearchDoc]:
        for i, d in enumerate(new_docs):
            if i == 3:  # halfway: the alias still serves the old index
                during["bm25"] = ids(loaded.bm25("diffusion MRI", Filters(), 10))
                during["count"] = loaded.count()
                during["alias"] = only_index(es_admin, es_alias)
                new = [n for n in es_admin.indices.get(index=f"{es_alias}-*").body if n != old]
                during["refresh"] = es_admin.indices.get_settings(index=new[0])[new[0]]["settings"]["index"].get(
                    "refresh_interval")
            yield d

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        report = loaded.rebuild(docs(), dims=DIMS, model=MODEL)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(10)
        watcher.close()

    assert sorted(report.indexed) == sorted(d.paper_id for d in new_docs) and report.failed == {}
    assert during["alias"] == old and during["count"] == len(CORPUS) and during["refresh"] == "-1"
    assert during["bm25"][0] == "arxiv:2411.00001"
    assert errors == [] and seen and all(n > 0 for n in seen)

    new = only_index(es_admin, es_alias)
    assert new != old and new.startswith(f"{es_alias}-v{MAPPING_VERSION}-")
    assert not es_admin.indices.exists(index=old)
    assert "refresh_interval" not in es_admin.indices.get_settings(index=new)[new]["settings"]["index"]
    assert loaded.count() == len(new_docs)
    assert ids(loaded.bm25("score-based generative", Filters(), 10))[0] == "arxiv:2411.00001"
    assert ids(loaded.knn(vector(5), Filters(), 1)) == ["arxiv:2411.00006"]
    loaded.prepare(dims=DIMS, model=MODEL)
    report = loaded.index([doc("arxiv:2411.00007", "After the rebuild", "Indexed into the new index.", 6)])
    assert report.indexed == ["arxiv:2411.00007"]


def test_a_rebuild_where_every_document_fails_keeps_the_old_index(loaded, es_admin, es_alias):
    old = only_index(es_admin, es_alias)
    with pytest.raises(SearchError, match="still points at the old index"):
        loaded.rebuild([doc("bad:1", "Bad", "bad", 0, vec=[1.0, 2.0])], dims=DIMS, model=MODEL)
    assert only_index(es_admin, es_alias) == old
    assert sorted(es_admin.indices.get(index=f"{es_alias}-*").body) == [old]
    assert loaded.count() == len(CORPUS)


# ---------------------------------------------------------------------- failures


def test_a_wrong_password_is_an_auth_error_that_never_shows_it(settings_for):
    secret = "wrong-Pa55word-that-must-not-leak"
    backend = build_backend(settings_for(elasticsearch_password=secret))
    try:
        assert secret not in repr(backend)
        for call in (backend.count, lambda: backend.prepare(dims=DIMS, model=MODEL),
                     lambda: backend.bm25("diffusion", Filters(), 5), lambda: backend.index(CORPUS)):
            with pytest.raises(SearchAuthError) as caught:
                call()
            exc = caught.value
            for text in (str(exc), repr(exc), repr(exc.__cause__), repr(exc.args)):
                assert secret not in text
            assert "RADAR_ELASTICSEARCH_PASSWORD" in str(exc)
    finally:
        backend.close()


def test_a_wrong_api_key_is_an_auth_error_that_never_shows_it(settings_for):
    key = "bm90LWEta2V5OnJlYWxseS1ub3Q="
    backend = build_backend(settings_for(elasticsearch_api_key=key))
    try:
        assert key not in repr(backend)
        with pytest.raises(SearchAuthError) as caught:
            backend.count()
        assert key not in str(caught.value) and key not in repr(caught.value)
    finally:
        backend.close()


def test_credentials_in_the_url_never_show(settings_for, elasticsearch_node):
    url = f"http://elastic:{elasticsearch_node.password}@127.0.0.1:{elasticsearch_node.port}"
    backend = build_backend(settings_for(elasticsearch_url=url, elasticsearch_password=None))
    try:
        assert elasticsearch_node.password not in repr(backend)
        assert backend.count() == 0  # the URL's credentials are used
    finally:
        backend.close()


def test_an_unreachable_node_is_unavailable_fast(settings_for):
    backend = build_backend(settings_for(elasticsearch_url="http://127.0.0.1:9", elasticsearch_timeout=1))
    try:
        for call in (backend.count, lambda: backend.prepare(dims=DIMS, model=MODEL),
                     lambda: backend.knn(vector(0), Filters(), 5), lambda: backend.index(CORPUS)):
            started = time.monotonic()
            with pytest.raises(SearchUnavailableError) as caught:
                call()
            assert time.monotonic() - started < 10
            message = str(caught.value)
            assert "127.0.0.1:9" in message and "scripts/elasticsearch.sh start" in message
            assert "RADAR_ELASTICSEARCH_URL" in message and caught.value.transient
    finally:
        backend.close()


@pytest.mark.slow
def test_node_stopped_mid_load_then_a_rerun_holds_every_paper_once(es_backend, elasticsearch_node):
    """The node stops in the middle of a bulk load (its own stop command, from inside the
    document stream). What it acknowledged survives the restart; running the load again
    leaves exactly the papers, none twice."""
    total, stop_at = 1300, 700  # the first chunk of 500 is acknowledged before the stop
    papers = [doc(f"arxiv:2411.{i:05d}", f"Paper number {i}", f"Abstract {i} about topic {i % 7}.", i % DIMS,
                  vec=vector(i % DIMS, near=(i // DIMS + i + 1) % DIMS)) for i in range(total)]  # all distinct
    es_backend.prepare(dims=DIMS, model=MODEL)

    def stream() -> Iterator[SearchDoc]:
        for i, paper in enumerate(papers):
            if i == stop_at:
                elasticsearch_node.stop()
            yield paper

    try:
        with pytest.raises(SearchUnavailableError) as caught:
            es_backend.index(stream())
        partial = caught.value.report
        assert 0 < len(partial.indexed) < total and not partial.failed
        assert set(caught.value.unacknowledged).isdisjoint(partial.indexed)
    finally:
        if not elasticsearch_node.running():
            elasticsearch_node.start()

    es_backend.refresh()
    survived = es_backend.count()
    assert survived >= len(partial.indexed)  # acknowledged writes were durable

    report = es_backend.index(papers)  # the rerun
    assert len(report.indexed) == total and report.failed == {}
    es_backend.refresh()
    assert es_backend.count() == total
    assert ids(es_backend.knn(vector(7, near=8), Filters(), 1)) == ["arxiv:2411.00007"]
