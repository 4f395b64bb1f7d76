"""Citation, link and support checks on single sentences and on whole lists."""

from __future__ import annotations

from datetime import date

import pytest

from queries.brief.records import Source, Verification
from queries.brief.verify import allowed_links, clean_sentence, strip_citations, verify
from radar.settings import BriefSettings

THRESHOLD = BriefSettings().support_threshold  # the measured one (bench/support_threshold.py)


def source(number: int, abstract: str = "Diffusion models design protein backbones.", paper_id: str | None = None,
           field: str = "Computer Science") -> Source:
    pid = paper_id or f"arxiv:2411.1000{number}"
    return Source(number=number, paper_id=pid, title=f"Paper {number}", authors=("A. Author",), field=field,
                  categories=("cs.LG",), source="arxiv", published=date(2024, 11, 28),
                  url=f"https://arxiv.org/abs/{pid.removeprefix('arxiv:')}", doi=None, abstract=abstract,
                  relevance=0.5)


SOURCES = [source(1), source(2), source(3)]
GIVEN = {1, 2, 3}
LINKS = allowed_links(SOURCES)


@pytest.mark.parametrize(("text", "expected", "citations", "removed"), [
    ("Diffusion works [1].", "Diffusion works [1].", [1], 0),
    ("Diffusion works [1, 3].", "Diffusion works [1, 3].", [1, 3], 0),
    ("Diffusion works [1-3].", "Diffusion works [1, 2, 3].", [1, 2, 3], 0),
    ("Diffusion works [99].", "Diffusion works.", [], 1),
    ("Diffusion works [2, 99].", "Diffusion works [2].", [2], 1),
    ("Diffusion works [1][2].", "Diffusion works [1][2].", [1, 2], 0),
    ("Diffusion works [0].", "Diffusion works.", [], 1),
    ("Diffusion works [1-100000].", "Diffusion works [1].", [1], 1),  # no expanding absurd ranges
])
def test_citations_to_numbers_not_given_are_removed(text, expected, citations, removed) -> None:
    cleaned = clean_sentence(text, GIVEN, LINKS)
    assert (cleaned.text, cleaned.citations, cleaned.citations_removed) == (expected, citations, removed)


@pytest.mark.parametrize(("text", "expected", "links_removed"), [
    ("Buy at https://evil.example.com/buy now [1].", "Buy at now [1].", 1),
    ("See [this](https://evil.example.com) [1].", "See this [1].", 1),
    ("As in arXiv:2501.99999 and doi:10.1234/fake.5 [1].", "As in and [1].", 2),
    ("As shown at https://arxiv.org/abs/2411.10001 [1].", "As shown at https://arxiv.org/abs/2411.10001 [1].", 0),
    ("As in arxiv:2411.10002v2 [2].", "As in arxiv:2411.10002v2 [2].", 0),
    ("Visit www.evil.example.com [3].", "Visit [3].", 1),
])
def test_links_and_ids_that_are_not_sources_are_removed(text, expected, links_removed) -> None:
    cleaned = clean_sentence(text, GIVEN, LINKS)
    assert (cleaned.text, cleaned.links_removed) == (expected, links_removed)


def test_strip_citations_leaves_the_claim() -> None:
    assert strip_citations("Diffusion designs proteins [1, 2] well [3].") == "Diffusion designs proteins well."


def test_verify_keeps_supported_flags_unsupported_and_drops_uncited(embedder) -> None:
    sources = [source(1, "We train a denoising diffusion model that generates novel protein backbones."),
               source(2, "We bound mixing times of random walks on finite groups.", field="Mathematics")]
    tally = Verification()
    checked = verify(["A denoising diffusion model generates novel protein backbones [1].",
                      "Random walks on groups generate protein backbones [1].",
                      "Diffusion models are the future of science.",
                      "A diffusion model generates protein backbones [1, 2]."],
                     sources, embedder, threshold=THRESHOLD, tally=tally)
    assert [s.status for s in checked] == ["verified", "flagged", "dropped", "verified"]
    assert checked[3].citations == [1] and checked[3].text.endswith("[1].")  # the unsupporting [2] is removed
    assert checked[1].note and "support" in checked[1].note
    assert (tally.checked, tally.kept, tally.flagged, tally.dropped) == (4, 2, 1, 1)
    assert tally.citations_removed == 1 and tally.citations_supported == 2 and tally.citations_shown == 3


def test_a_sentence_left_empty_by_the_checks_is_dropped(embedder) -> None:
    tally = Verification()
    (checked,) = verify(["https://evil.example.com [99]"], SOURCES, embedder, threshold=THRESHOLD, tally=tally)
    assert checked.status == "dropped" and tally.links_removed == 1 and tally.citations_removed == 1


def test_each_sentence_of_a_text_needs_its_own_citation(embedder) -> None:
    sources = [source(1, "We train a denoising diffusion model that generates novel protein backbones."),
               source(2, "We bound mixing times of random walks on finite groups.", field="Mathematics")]
    tally = Verification()
    two_quotes, half_cited = verify(
        ["A denoising diffusion model generates novel protein backbones [1]. "
         "Mixing times of random walks on finite groups are bounded [2].",
         "A denoising diffusion model generates novel protein backbones [1]. Everyone agrees this is huge."],
        sources, embedder, threshold=BriefSettings().support_threshold, tally=tally)
    assert two_quotes.status == "verified" and two_quotes.citations == [1, 2]
    assert half_cited.status == "verified" and "Everyone agrees" not in half_cited.text
    assert (tally.checked, tally.kept, tally.dropped) == (4, 3, 1)
