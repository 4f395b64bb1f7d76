"""Related papers across fields, on a real indexed corpus of a few hundred papers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from indexing.embeddings import document_text
from indexing.search.base import Filters, SearchDoc
from indexing.search.local import LocalBackend
from indexing.store import open_store
from indexing.store.papers import read_papers
from indexing.store.search_state import vectors_of
from queries.key_terms import key_form, terms
from queries.related import FILLER_FLOOR, id_forms, related, related_json, resolve_paper_id
from radar.errors import QueryError
from tests.corpus import copy_corpus

PAPER = "arxiv:2411.17766"  # class-incremental learning with pre-trained models (cs.CV, cs.LG)
WITH_DOI = ("arxiv:2308.10930", "10.1038/s41550-024-02386-6")  # an arXiv paper linked to its journal DOI


@pytest.mark.parametrize("text", [
    "arxiv:2411.17766", "2411.17766", "2411.17766v2", "arxiv:2411.17766v1", "ARXIV:2411.17766V1", " 2411.17766 ",
    "https://arxiv.org/abs/2411.17766v1", "http://arxiv.org/pdf/2411.17766",
])
def test_every_arxiv_form_resolves(fields_corpus, text: str) -> None:
    assert resolve_paper_id(fields_corpus.cursor(), text) == PAPER


@pytest.mark.parametrize("text", [
    "doi:10.1038/s41550-024-02386-6", "10.1038/s41550-024-02386-6", "DOI:10.1038/S41550-024-02386-6",
    "https://doi.org/10.1038/s41550-024-02386-6", "arxiv:2308.10930",
])
def test_a_journal_doi_names_its_arxiv_paper(fields_corpus, text: str) -> None:
    assert resolve_paper_id(fields_corpus.cursor(), text) == WITH_DOI[0]


def test_journal_and_biorxiv_dois_resolve_to_themselves(fields_corpus) -> None:
    con = fields_corpus.cursor()
    assert resolve_paper_id(con, "10.1101/281220") == "doi:10.1101/281220"
    assert resolve_paper_id(con, "doi:10.1038/d41586-024-02358-w") == "doi:10.1038/d41586-024-02358-w"


@pytest.mark.parametrize("text", ["arxiv:9999.99999", "10.1234/nothing", "no such paper", ""])
def test_an_unknown_id_says_how_to_find_ids(fields_corpus, fields_backend, embedder, text: str) -> None:
    with pytest.raises(QueryError) as caught:
        related(fields_corpus, fields_backend, embedder, text)
    assert "radar search" in str(caught.value) or "Give a paper id" in str(caught.value)


def test_id_forms_do_not_mistake_a_doi_for_an_arxiv_id() -> None:
    assert id_forms("10.48550/arXiv.2411.17766") == ["10.48550/arXiv.2411.17766", "doi:10.48550/arxiv.2411.17766"]


@pytest.fixture(scope="module")
def result(fields_corpus, fields_backend, embedder):
    return related(fields_corpus, fields_backend, embedder, "2411.17766v2", k=10)


def test_the_paper_itself_is_never_related_to_itself(fields_corpus, fields_backend, embedder, result) -> None:
    assert result.paper_id == PAPER and PAPER not in {h.paper_id for h in result.hits}
    by_doi = related(fields_corpus, fields_backend, embedder, WITH_DOI[1], k=10)
    assert by_doi.paper_id == WITH_DOI[0] and WITH_DOI[0] not in {h.paper_id for h in by_doi.hits}


def test_an_alias_left_in_the_index_is_the_same_paper(tmp_path, fields_corpus_path, embedder) -> None:
    """A search document under the paper's DOI (say, indexed before the arXiv version linked
    to it) is the paper itself, not a related paper."""
    with open_store(copy_corpus(fields_corpus_path, tmp_path)) as store:
        backend = LocalBackend(store)
        paper = read_papers(store.cursor(), [WITH_DOI[0]])[WITH_DOI[0]]
        vector = vectors_of(store.cursor(), embedder.name, [paper.paper_id])[paper.paper_id]
        backend.index([SearchDoc(f"doi:{WITH_DOI[1]}", paper.title, paper.abstract, paper.authors, paper.categories,
                                 paper.field, paper.source, paper.published, vector.tolist(), "stale")])
        nearest = {h.paper_id for h in backend.knn(vector, Filters(), 2)}
        assert nearest == {paper.paper_id, f"doi:{WITH_DOI[1]}"}
        found = related(store, backend, embedder, paper.paper_id, k=10)
    assert not {paper.paper_id, f"doi:{WITH_DOI[1]}"} & {h.paper_id for h in found.hits}


def test_close_work_from_other_fields_is_found(result) -> None:
    fields = [g.field for g in result.groups]
    assert fields[0] == "Computer Science" and len(fields) >= 3
    others = [h for h in result.hits if h.field != "Computer Science"]
    assert others and all(h.similarity >= 0.3 for h in others)


def test_the_quota_limits_the_papers_own_field(fields_corpus, fields_backend, embedder, result) -> None:
    quota = related(fields_corpus, fields_backend, embedder, PAPER, k=10, filler_floor=0.3)
    own = sum(h.field == "Computer Science" for h in quota.hits)
    assert len(quota.hits) == 10 and own <= math.ceil(10 / 2)
    unlimited = related(fields_corpus, fields_backend, embedder, PAPER, k=10, max_per_field=10, lam=1.0)
    assert sum(h.field == "Computer Science" for h in unlimited.hits) > own
    # without diversity or quota it is the ten closest papers: none of the diverse choice is closer
    assert min(h.similarity for h in unlimited.hits) >= min(h.similarity for h in quota.hits)


def test_no_place_is_filled_with_a_weak_paper_for_diversity(fields_corpus, fields_backend, embedder, result) -> None:
    closest = related(fields_corpus, fields_backend, embedder, PAPER, k=10, max_per_field=10, lam=1.0)
    nearest = {h.paper_id for h in closest.hits}  # the ten closest papers
    fillers = [h for h in result.hits if h.paper_id not in nearest]
    assert len(result.hits) == 10 and all(h.similarity >= FILLER_FLOOR for h in fillers)
    weak = related(fields_corpus, fields_backend, embedder, PAPER, k=10, filler_floor=0.3)
    assert any(h.similarity < FILLER_FLOOR and h.paper_id not in nearest for h in weak.hits)


def test_the_similarity_floor_keeps_unrelated_fields_out(fields_corpus, fields_backend, embedder, result) -> None:
    assert all(h.similarity >= 0.3 for h in result.hits)
    strict = related(fields_corpus, fields_backend, embedder, PAPER, k=10, min_similarity=0.5)
    assert strict.hits and all(h.similarity >= 0.5 for h in strict.hits) and len(strict.hits) < 10
    assert related(fields_corpus, fields_backend, embedder, PAPER, k=10, min_similarity=0.99).groups == []


def test_groups_come_own_field_first_then_by_closest_hit(result) -> None:
    others = result.groups[1:]
    best = [max(h.similarity for h in g.hits) for g in others]
    assert best == sorted(best, reverse=True)
    for group in result.groups:
        assert {h.field for h in group.hits} == {group.field}
        assert [h.similarity for h in group.hits] == sorted((h.similarity for h in group.hits), reverse=True)


def test_reasons_name_terms_both_papers_really_use(fields_corpus, result) -> None:
    papers = read_papers(fields_corpus.cursor(), [PAPER, *(h.paper_id for h in result.hits)])
    mine = terms(document_text(papers[PAPER].title, papers[PAPER].abstract))
    assert any(h.shared_terms for h in result.hits)
    for hit in result.hits:
        theirs = terms(document_text(papers[hit.paper_id].title, papers[hit.paper_id].abstract))
        for term in hit.shared_terms:
            assert key_form(term) in mine and key_form(term) in theirs
            assert key_form(term) not in {"model", "result", "method", "paper"}
        assert hit.reason.startswith(f"similarity {hit.similarity:.2f}; ")
        assert ", ".join(hit.shared_terms) in hit.reason


def test_similarities_are_cosines_of_the_stored_vectors(fields_corpus, embedder, result) -> None:
    hit = result.hits[0]
    vectors = vectors_of(fields_corpus.cursor(), embedder.name, [PAPER, hit.paper_id])
    a, b = vectors[PAPER], vectors[hit.paper_id]
    assert hit.similarity == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-3)


def test_hits_carry_citation_data_and_the_json_has_a_schema(result) -> None:
    hit = result.hits[0]
    assert hit.title and hit.authors and hit.url and hit.published == "2024-11-28" and hit.categories
    data = related_json(result)
    assert data["schema"] == "radar.related/1" and data["paper"]["paper_id"] == PAPER
    assert sum(len(g["hits"]) for g in data["groups"]) == 10
    assert set(data["groups"][0]["hits"][0]) >= {"paper_id", "title", "authors", "field", "categories", "source",
                                                   "published", "url", "doi", "similarity", "shared_terms", "reason"}


def test_a_paper_not_indexed_yet_is_embedded_on_the_fly(tmp_path, fields_corpus_path, embedder) -> None:
    with open_store(copy_corpus(fields_corpus_path, tmp_path)) as store:
        with store.transaction() as con:
            con.execute("DELETE FROM embeddings WHERE paper_id = ?", [PAPER])
        found = related(store, LocalBackend(store), embedder, PAPER, k=5)
    assert len(found.hits) == 5 and PAPER not in {h.paper_id for h in found.hits}
