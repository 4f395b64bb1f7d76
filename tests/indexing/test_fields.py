"""Broad fields from sources and categories."""

from __future__ import annotations

import pytest

from indexing.fields import FIELDS, UNKNOWN, arxiv_archive, field_for
from indexing.sources import arxiv_rss


@pytest.fixture(scope="module")
def categories(feed_bytes) -> set[str]:
    entries = arxiv_rss.parse(feed_bytes("rss_mock_feed.xml")).entries
    return {c for e in entries for c in e.categories}


def test_every_archive_in_the_recorded_feed_has_a_field(categories: set[str]) -> None:
    archives = {arxiv_archive(c) for c in categories}
    assert len(archives) >= 20  # the recorded feed covers every archive arXiv announces
    unknown = sorted(c for c in categories if field_for("arxiv", [c], c) == UNKNOWN)
    assert unknown == []
    assert {field_for("arxiv", [c], c) for c in categories} <= set(FIELDS) - {UNKNOWN}


@pytest.mark.parametrize(("category", "field"), [
    ("cs.LG", "Computer Science"), ("cs.NA", "Computer Science"),
    ("math.PR", "Mathematics"), ("math.MP", "Mathematics"),
    ("stat.ML", "Statistics"),
    ("q-bio.NC", "Quantitative Biology"), ("q-fin.ST", "Quantitative Finance"),
    ("econ.EM", "Economics"), ("eess.SP", "Electrical Engineering"),
    ("astro-ph.GA", "Physics"), ("cond-mat.mes-hall", "Physics"), ("hep-th", "Physics"), ("gr-qc", "Physics"),
    ("quant-ph", "Physics"), ("math-ph", "Physics"), ("nlin.CD", "Physics"), ("physics.flu-dyn", "Physics"),
    ("nucl-th", "Physics"), ("solv-int", "Physics"), ("cmp-lg", "Computer Science"), ("alg-geom", "Mathematics"),
])
def test_arxiv_categories(category: str, field: str) -> None:
    assert field_for("arxiv", [category], category) == field


def test_the_primary_category_decides() -> None:
    assert field_for("arxiv", ["cs.LG", "stat.ML"], "stat.ML") == "Statistics"
    assert field_for("arxiv", ["cs.LG", "stat.ML"], None) == "Computer Science"
    assert field_for("arxiv", ["bogus", "hep-ph"], "bogus.XX") == "Physics"  # the next category that is known
    assert field_for("arxiv", [], None) == UNKNOWN
    assert field_for("ArXiv", ["CS.lg"], None) == "Computer Science"


@pytest.mark.parametrize(("source", "primary", "field"), [
    ("biorxiv", "neuroscience", "Biology"),
    ("bioRxiv", "microbiology", "Biology"),
    ("biorxiv", None, "Biology"),
    ("biorxiv", "Epidemiology", "Medicine"),
    ("biorxiv", "clinical trials", "Medicine"),
    ("medrxiv", "infectious diseases", "Medicine"),
    ("medRxiv", None, "Medicine"),
])
def test_preprint_servers(source: str, primary: str | None, field: str) -> None:
    assert field_for(source, [primary] if primary else [], primary) == field


@pytest.mark.parametrize("source", ["Nature", "Science", "journal", "bioRxiv Subject Collection: Biochemistry"])
def test_journals_are_multidisciplinary(source: str) -> None:
    assert field_for(source, [], None) == "Multidisciplinary"
    assert field_for(source, ["cs.LG"], "cs.LG") == "Multidisciplinary"


@pytest.mark.parametrize(("category", "archive"), [
    ("cs.LG", "cs"), ("astro-ph.IM", "astro-ph"), ("hep-th", "hep-th"), (" Math.PR", "math"),
])
def test_arxiv_archive(category: str, archive: str) -> None:
    assert arxiv_archive(category) == archive
