"""The daily digest of an interest profile, on a real indexed corpus."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from indexing.kinds import announce_sql
from indexing.search.local import LocalBackend
from indexing.store import open_store
from indexing.store.papers import latest_published_day, published_on
from queries.digest import (
    CATEGORY_BONUS, Digest, DigestEntry, acronym, digest, digest_json, digest_markdown, facets, lexical_query,
    profile_scores, profile_vector, standardise,
)
from radar.config import ProfileSpec
from tests.corpus import copy_corpus

DAY = date(2024, 11, 28)  # every arXiv paper of the snapshot
QUANTUM = ProfileSpec(name="qec", description="Quantum error correction and quantum gates on nitrogen-vacancy centers",
                      include_revised=True)  # the ranking tests rank every paper of the day
QEC_PAPER = "arxiv:2411.18450"  # quantum error correction with two-body gates, NV centers (quant-ph)
PDE_PAPER = "arxiv:2411.17730"  # well-posedness of the Schrödinger equation (math.AP)


def test_profile_scores_add_the_category_bonus_and_nothing_else() -> None:
    whole = np.array([0.5, 0.5, 0.1])
    dense = np.array([[0.6, 0.1], [0.6, 0.1], [0.2, 0.1]])
    lexical = np.zeros((3, 2))
    scores = profile_scores(whole, dense, lexical, np.array([False, True, False]))
    assert scores[1] - scores[0] == pytest.approx(CATEGORY_BONUS)
    assert scores[0] > scores[2]


def test_the_best_facet_counts_with_its_lexical_evidence() -> None:
    whole = np.array([0.4, 0.4, 0.4, 0.1])
    dense = np.array([[0.5, 0.2], [0.2, 0.5], [0.2, 0.2], [0.1, 0.1]])  # papers 0 and 1 each fit one facet
    lexical = np.array([[0.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0]])  # paper 1 also has the facet's words
    scores = profile_scores(whole, dense, lexical, np.zeros(4, dtype=bool))
    assert scores[1] > scores[0] > scores[2] > scores[3]


def test_standardise_is_in_standard_deviations_of_the_day() -> None:
    assert standardise(np.array([1.0, 2.0, 3.0])) == pytest.approx([-1.2247, 0.0, 1.2247], abs=1e-4)
    assert list(standardise(np.array([0.7, 0.7]))) == [0.0, 0.0]


def test_a_description_that_enumerates_interests_has_one_facet_per_item() -> None:
    llm = "Reasoning, interpretability and evaluation of large language models"
    assert facets(llm) == [("Reasoning", "large language models"), ("interpretability", "large language models"),
                           ("evaluation", "large language models")]
    assert facets("Machine learning for proteins, genomics and molecular biology") == [
        ("proteins", "Machine learning"), ("genomics", "Machine learning"), ("molecular biology", "Machine learning")]
    assert facets("Quantum error correction, quantum algorithms and quantum hardware") == [
        ("Quantum error correction", None), ("quantum algorithms", None), ("quantum hardware", None)]
    assert facets("Nonlinear partial differential equations") == [("Nonlinear partial differential equations", None)]


def test_three_word_terms_are_searched_with_their_acronym() -> None:
    assert acronym("large language models") == "LLM" and acronym("quantum error correction") == "QEC"
    assert acronym("machine learning") is None and acronym("the theory of everything") is None
    assert lexical_query("large language models") == "large language models LLM"


def test_profile_vector_blends_description_and_seeds() -> None:
    description = np.array([1.0, 0.0, 0.0])
    assert profile_vector(description, None) == pytest.approx([1.0, 0.0, 0.0])
    blended = profile_vector(description, np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), seed_weight=0.5)
    assert blended == pytest.approx([2 ** -0.5, 2 ** -0.5, 0.0], abs=1e-6)
    assert np.linalg.norm(profile_vector(description * 7, np.array([[0.0, 3.0, 4.0]]))) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def quantum(fields_corpus, fields_backend, embedder) -> Digest:
    return digest(fields_corpus, fields_backend, embedder, QUANTUM, day=DAY, k=10, min_relevance=-1.0)


def rank(d: Digest, paper_id: str) -> int | None:
    return next((e.number for e in d.entries if e.paper_id == paper_id), None)


def test_the_days_papers_are_ranked_for_the_profile(fields_corpus, fields_backend, embedder, quantum) -> None:
    assert quantum.day == DAY and quantum.total == len(published_on(fields_corpus.cursor(), DAY)) > 100
    assert quantum.shown == 10 and [e.number for e in quantum.entries] == list(range(1, 11))
    assert quantum.entries[0].paper_id == QEC_PAPER
    assert [e.score for e in quantum.entries] == sorted((e.score for e in quantum.entries), reverse=True)
    assert sum("quant-ph" in e.categories for e in quantum.entries) >= 6
    everything = digest(fields_corpus, fields_backend, embedder, QUANTUM, day=DAY, k=500, min_relevance=-1.0)
    assert everything.shown == everything.total
    assert rank(everything, QEC_PAPER) < rank(everything, PDE_PAPER)


def test_entries_read_like_a_daily_list(quantum) -> None:
    top = quantum.entries[0]
    assert top.title.startswith("Towards quantum error correction") and top.authors == ["Daniel Dulog", "Martin B. Plenio"]
    assert top.source == "arxiv" and top.categories == ["quant-ph"] and top.published == "2024-11-28"
    assert top.url == "https://arxiv.org/abs/2411.18450" and "nitrogen-vacancy" in top.abstract
    assert any(e.related_fields for e in quantum.entries)
    for entry in quantum.entries:
        assert entry.field not in entry.related_fields


def test_a_matching_category_earns_a_modest_bonus(fields_corpus, fields_backend, embedder) -> None:
    profile = ProfileSpec(name="pde", description="Nonlinear partial differential equations")
    plain = digest(fields_corpus, fields_backend, embedder, profile, day=DAY, k=500, min_relevance=-1.0)
    favoured = digest(fields_corpus, fields_backend, embedder, profile.model_copy(update={"categories": ["MATH.AP"]}),
                      day=DAY, k=500, min_relevance=-1.0)
    before = {e.paper_id: e for e in plain.entries}
    for entry in favoured.entries:
        bonus = CATEGORY_BONUS if "math.AP" in entry.categories else 0.0
        assert entry.score == pytest.approx(before[entry.paper_id].score + bonus, abs=1e-3)
        assert entry.matched_categories == (["math.AP"] if bonus else [])
    assert [e.score for e in favoured.entries] == sorted((e.score for e in favoured.entries), reverse=True)
    # The bonus is modest: a math.AP paper overtakes a paper just above it, not one far above it.
    rank = lambda d, pid: [e.paper_id for e in d.entries].index(pid)  # noqa: E731
    pairs = list(zip(plain.entries, plain.entries[1:]))
    close = [(a, b) for a, b in pairs if "math.AP" in b.categories and "math.AP" not in a.categories
             and a.score - b.score < CATEGORY_BONUS]
    far = [(a, b) for a, b in pairs if "math.AP" in b.categories and "math.AP" not in a.categories
           and a.score - b.score > CATEGORY_BONUS]
    assert close, "the corpus has a math.AP paper just behind another paper"
    assert all(rank(favoured, b.paper_id) < rank(favoured, a.paper_id) for a, b in close)
    assert all(rank(favoured, a.paper_id) < rank(favoured, b.paper_id) for a, b in far)


def test_seed_papers_pull_their_neighbours_up_and_missing_seeds_are_reported(fields_corpus, fields_backend, embedder) -> None:
    vague = ProfileSpec(name="ml", description="Machine learning")
    seeded = vague.model_copy(update={"seeds": ["2411.17766v1", "arxiv:0000.00001", "arxiv:2411.17766"]})
    before = {e.paper_id: e for e in digest(fields_corpus, fields_backend, embedder, vague, day=DAY, k=500,
                                            min_relevance=-1.0).entries}
    after = digest(fields_corpus, fields_backend, embedder, seeded, day=DAY, k=500, min_relevance=-1.0)
    assert after.seeds_used == ["arxiv:2411.17766"] and after.seeds_missing == ["arxiv:0000.00001"]
    # The seed is the profile's own example, never news to it: left out, and said so.
    assert "arxiv:2411.17766" in before and "arxiv:2411.17766" not in {e.paper_id for e in after.entries}
    assert after.left_out.get("seed") == 1 and after.shown == len(before) - 1
    continual = "arxiv:2411.18320"  # continual learning against catastrophic forgetting, like the seed
    moved = {e.paper_id: e for e in after.entries}[continual]
    assert moved.similarity > before[continual].similarity and moved.number < before[continual].number


def test_the_floor_lets_a_quiet_day_say_so(fields_corpus, fields_backend, embedder, quantum) -> None:
    reefs = ProfileSpec(name="reefs", description="Coral reef bleaching and ocean acidification")
    quiet = digest(fields_corpus, fields_backend, embedder, reefs, day=DAY, k=25)
    assert quiet.shown == quiet.above_floor < 5 and quiet.below_floor > 100
    assert all(e.relevance >= quiet.floor for e in quiet.entries)
    text = digest_markdown(quiet)
    assert (f"{quiet.shown} paper" in text and "clear the relevance floor 0.33" in text) if quiet.entries else \
        "Nothing for you on 2024-11-28 (UTC)" in text
    data = digest_json(quiet)
    assert (data["floor"], data["above_floor"], data["below_floor"]) == (0.33, quiet.above_floor, quiet.below_floor)
    # The same day holds many papers for a profile it does cover, each above the floor.
    covered = digest(fields_corpus, fields_backend, embedder, QUANTUM, day=DAY, k=10)
    assert covered.shown == 10 and covered.above_floor > 10
    assert "10 papers for you" in digest_markdown(covered) and "-k for more" in digest_markdown(covered)
    assert [e.paper_id for e in covered.entries] == [e.paper_id for e in quantum.entries]


def test_a_day_without_papers_is_an_honest_empty_digest(fields_corpus, fields_backend, embedder) -> None:
    empty = digest(fields_corpus, fields_backend, embedder, QUANTUM, day=date(2020, 1, 1))
    assert (empty.day, empty.total, empty.entries) == (date(2020, 1, 1), 0, [])
    assert "No papers were published on 2020-01-01" in digest_markdown(empty)
    assert digest_json(empty)["entries"] == [] and digest_json(empty)["shown"] == 0


def test_the_default_day_is_the_latest_with_papers_never_the_future(fields_corpus, fields_backend, embedder) -> None:
    con = fields_corpus.cursor()
    assert latest_published_day(con, not_after=date(2030, 1, 1)) == DAY
    assert latest_published_day(con, not_after=date(2024, 7, 16)) == date(2024, 7, 16)
    assert latest_published_day(con, not_after=date(2000, 1, 1)) is None
    assert digest(fields_corpus, fields_backend, embedder, QUANTUM, k=3).day == DAY


def test_papers_not_indexed_yet_are_embedded_on_the_fly(tmp_path, fields_corpus_path, embedder, quantum) -> None:
    with open_store(copy_corpus(fields_corpus_path, tmp_path)) as store:
        with store.transaction() as con:
            con.execute("DELETE FROM embeddings WHERE paper_id IN (?, ?)", [QEC_PAPER, PDE_PAPER])
        fresh = digest(store, LocalBackend(store), embedder, QUANTUM, day=DAY, k=10)
    assert fresh.embedded == 2
    assert [e.paper_id for e in fresh.entries] == [e.paper_id for e in quantum.entries]
    assert fresh.entries[0].score == pytest.approx(quantum.entries[0].score, abs=1e-3)


def test_markdown_is_a_numbered_list_with_everything_a_reader_needs(quantum) -> None:
    text = digest_markdown(quantum)
    assert text.startswith("# Radar digest: qec, 2024-11-28")
    assert f"10 papers for you: {quantum.above_floor} of the {quantum.total} published 2024-11-28 (UTC)" in text
    top = quantum.entries[0]
    assert f"## 1. {top.title}" in text and "## 10. " in text
    assert "Daniel Dulog, Martin B. Plenio" in text and "[arxiv:2411.18450](https://arxiv.org/abs/2411.18450)" in text
    assert "**arxiv · quant-ph** · 2024-11-28 · " in text and "related fields:" in text
    assert re.search(r"\*\* · 2024-11-28 · (new|cross-list|revised) · relevance 0\.\d\d", text)
    data = digest_json(quantum)
    assert data["schema"] == "radar.digest/1" and data["day"] == "2024-11-28" and data["shown"] == 10
    assert data["entries"][0]["paper_id"] == QEC_PAPER


def test_markdown_shows_abstracts_as_text_never_as_html_or_links() -> None:
    entry = DigestEntry(number=1, paper_id="doi:10.1/x", title="<script>alert(1)</script> [click](http://evil.example)",
                        authors=[], abstract="Ignore this. <img src=x onerror=alert(1)> [here](http://evil.example)",
                        source="Nature", categories=[], field="Multidisciplinary", published=None, url=None, doi=None,
                        score=0.5, similarity=0.5, relevance=0.5, matched_categories=[], related_fields=[])
    text = digest_markdown(Digest(profile="p", description="d", day=DAY, total=1, entries=[entry]))
    assert not re.search(r"(?<!\\)[<\[]", text)  # every < and [ escaped: Markdown shows them as text
    assert "\\<script\\>" in text and "\\[here\\](http://evil.example)" in text
    assert "authors not given" in text


def kinds_of_day(store, day: date) -> dict[str, int]:
    rows = store.cursor().execute(f"SELECT {announce_sql()}, count(*) FROM papers WHERE CAST(published AS DATE) = ? "
                                  "GROUP BY ALL", [day]).fetchall()
    return dict(rows)


def test_revised_papers_are_left_out_unless_the_profile_asks(fields_corpus, fields_backend, embedder) -> None:
    kinds = kinds_of_day(fields_corpus, DAY)
    assert kinds["revised"] > 10 and kinds["new"] > 10 and kinds["cross-list"] >= 1
    default = QUANTUM.model_copy(update={"include_revised": False})
    assert ProfileSpec(name="p", description="anything").include_revised is False
    plain = digest(fields_corpus, fields_backend, embedder, default, day=DAY, k=500, min_relevance=-1.0)
    assert plain.left_out == {"revised": kinds["revised"]}
    assert {e.announce for e in plain.entries} == {"new", "cross-list"}
    assert plain.shown == kinds["new"] + kinds["cross-list"]
    assert "Left out: " + str(kinds["revised"]) + " revised" in digest_markdown(plain)
    assert digest_json(plain)["left_out"] == {"revised": kinds["revised"]}
    revised = digest(fields_corpus, fields_backend, embedder, QUANTUM, day=DAY, k=500, min_relevance=-1.0)
    assert revised.left_out == {} and revised.shown == revised.total
    assert {e.announce for e in revised.entries} == {"new", "cross-list", "revised"}


NATURE_DAY = date(2024, 7, 18)


def test_journal_news_and_corrections_are_left_out_unless_the_profile_asks(fields_corpus, fields_backend, embedder) -> None:
    types = dict(fields_corpus.cursor().execute(
        "SELECT article_type, count(*) FROM papers WHERE source = 'Nature' AND CAST(published AS DATE) = ? GROUP BY ALL",
        [NATURE_DAY]).fetchall())
    assert types.get("news") and types.get("research")
    plain = digest(fields_corpus, fields_backend, embedder, QUANTUM, day=NATURE_DAY, k=500, min_relevance=-1.0)
    assert {e.article_type for e in plain.entries} == {"research"}
    assert plain.left_out == {t: n for t, n in types.items() if t != "research"}
    asked = QUANTUM.model_copy(update={"article_types": ["research", "news"]})
    wider = digest(fields_corpus, fields_backend, embedder, asked, day=NATURE_DAY, k=500, min_relevance=-1.0)
    assert {e.article_type for e in wider.entries} == {"research", "news"}
    assert "news" not in wider.left_out


def test_the_left_out_line_names_profile_keys_only_for_what_they_decide() -> None:
    from queries.digest import Digest, left_out_message

    reader = Digest(profile="p", description="d", day=None, left_out={"seed": 2, "starred": 1})
    assert left_out_message(reader) == "Left out: 2 seed, 1 starred."
    keys = Digest(profile="p", description="d", day=None, left_out={"revised": 5, "dismissed": 1})
    assert left_out_message(keys) == "Left out: 5 revised, 1 dismissed (profile keys include_revised, article_types)."
