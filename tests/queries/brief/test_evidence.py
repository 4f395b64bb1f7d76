"""Evidence: on-topic candidates only, sources spanning fields, abstracts cut whole."""

from __future__ import annotations

from queries.brief.evidence import Candidate, choose_sources, cut, find_candidates
from queries.brief.records import BriefRequest
from queries.relevance import FLOOR
from queries.search import SearchHit


def hit(pid: str, field: str) -> SearchHit:
    return SearchHit(rank=1, paper_id=pid, title=pid, authors=[], field=field, categories=[], source="arxiv",
                     published=None, url=None, doi=None, score=1.0, relevance=0.9, snippet="", highlights=[],
                     matched_by=[])


def candidates(*fields: str) -> list[Candidate]:
    return [Candidate(hit(f"p{i}", f), 1.0 - i / 100) for i, f in enumerate(fields)]


def test_sources_hold_the_best_of_a_second_field_even_when_it_ranks_low() -> None:
    chosen = choose_sources(candidates(*["CS"] * 10, "Biology"), 4, min_fields=2)
    assert [c.hit.paper_id for c in chosen] == ["p0", "p1", "p2", "p10"]


def test_no_field_takes_more_than_its_share_when_others_are_on_topic() -> None:
    chosen = choose_sources(candidates(*["CS"] * 10, "Biology", "Physics", "Biology"), 10, min_fields=2)
    assert sum(c.hit.field == "CS" for c in chosen) == 6 and len(chosen) == 9


def test_one_field_fills_every_slot_when_it_is_all_there_is() -> None:
    assert len(choose_sources(candidates(*["CS"] * 10), 5, min_fields=2)) == 5


def test_too_few_on_topic_papers_make_no_sources_rather_than_a_thin_brief() -> None:
    assert choose_sources(candidates("CS"), 6, min_fields=2) == []
    assert len(choose_sources(candidates("CS", "Biology"), 6, min_fields=2)) == 2
    assert choose_sources(candidates("CS", "Biology"), 6, min_fields=2, min_sources=3) == []


def test_cut_keeps_whole_sentences() -> None:
    text = "First sentence here. Second sentence is longer than the limit allows."
    assert cut(text, 30) == "First sentence here."
    assert cut(text, 1000) == text
    assert cut("word " * 100, 50).endswith(" …") and len(cut("word " * 100, 50)) <= 52


def test_candidates_are_on_topic_and_searchable_by_field(corpus, embedder) -> None:
    store, backend = corpus
    found = find_candidates(store, backend, embedder, BriefRequest(topic="protein design with diffusion models"),
                            depth=20)
    ids = [c.hit.paper_id for c in found]
    assert all(c.relevance >= FLOOR and c.relevance == c.hit.relevance for c in found)
    assert "arxiv:2411.10001" in ids[:3] and "arxiv:2411.10007" not in ids  # random walks are off topic
    only_bio = find_candidates(store, backend, embedder,
                               BriefRequest(topic="protein design", fields=("Quantitative Biology",)),
                               depth=20, min_relevance=0.25)
    assert only_bio and {c.hit.field for c in only_bio} == {"Quantitative Biology"}


def test_an_unrelated_topic_finds_nothing(corpus, embedder) -> None:
    store, backend = corpus
    assert find_candidates(store, backend, embedder, BriefRequest(topic="sourdough bread baking recipes"),
                           depth=20, min_relevance=0.25) == []
