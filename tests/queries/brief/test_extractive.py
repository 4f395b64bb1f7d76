"""The extractive writer's rules, on hand-made sources: topic themes named by key terms, sentences that
stand on their own, connections only between close sentences with the similarity shown, key papers in
citation order."""

from __future__ import annotations

import re

import numpy as np
import pytest

from queries.brief.extractive import (
    CONNECTION_SIMILARITY, _quotes, extractive_draft, stands_alone, topic_themes,
)
from queries.brief.records import Source


def source(number: int, field: str, title: str, abstract: str, relevance: float) -> Source:
    return Source(number=number, paper_id=f"arxiv:2411.{number:05d}", title=title, authors=("A. Author",), field=field,
                  categories=(), source="arxiv", published=None, url=None, doi=None, abstract=abstract,
                  relevance=relevance)


PROTEIN_CS = source(1, "Computer Science", "Diffusion models for protein backbone design",
                    "We train a diffusion model that generates protein backbones. The generated protein backbones "
                    "are designable and diverse in our benchmarks. Yet, its application to enzymes remains open.", 0.71)
PROTEIN_BIO = source(2, "Quantitative Biology", "Generative protein design of binders",
                     "Deep generative models design protein binders for therapeutic targets. We validate the "
                     "designed protein binders in the wet lab and report their affinity.", 0.66)
QEC = source(3, "Physics", "Neural decoders for the surface code",
             "Neural network decoders correct errors of the surface code in quantum computers. The decoders "
             "reach the threshold of minimum-weight matching at lower latency.", 0.41)
QEC_HW = source(4, "Computer Science", "Hardware decoders for quantum error correction",
                "We build FPGA decoders for the surface code that keep up with superconducting qubits. Our "
                "hardware decoders correct errors within one microsecond per round.", 0.45)
SOURCES = [PROTEIN_CS, PROTEIN_BIO, QEC, QEC_HW]


@pytest.mark.parametrize(("sentence", "alone"), [
    ("Yet, its application to enzymes remains open.", False),
    ("However, the method fails on long proteins.", False),
    ("These results show a clear gain.", False),
    ("Its decoder is fast.", False),
    ("This shows that diffusion works.", False),
    ("This paper presents a decoder for the surface code.", True),
    ("We propose a diffusion model for proteins.", True),
    ("Diffusion models generate protein backbones.", True),
    ("Thermal noise limits the readout.", True),  # starts with "The", not "Then" or "Thus"
])
def test_a_quoted_sentence_must_stand_on_its_own(sentence: str, alone: bool) -> None:
    assert stands_alone(sentence) is alone


def test_dangling_sentences_are_not_quoted_unless_a_source_has_nothing_else() -> None:
    quoted = [text for _, text in _quotes(SOURCES)]
    assert not any(text.startswith("Yet,") for text in quoted)
    only_dangling = source(5, "Physics", "T", "However, the gap closes at low temperature. "
                                              "These results hold for every sample we measured.", 0.5)
    assert len(_quotes([only_dangling])) == 2  # nothing better: the source is still quoted


def test_themes_are_topic_clusters_named_by_their_key_terms(embedder) -> None:
    vectors = embedder.embed([f"{s.title}. {s.abstract}" for s in SOURCES])
    themes = topic_themes(SOURCES, vectors)
    assert [sorted(numbers) for _, numbers in themes] == [[1, 2], [3, 4]]
    names = [name for name, _ in themes]
    fields = {s.field for s in SOURCES}
    assert not any(name in fields for name in names)  # topics, not field names
    assert "protein" in names[0] and "decoder" in names[1]
    assert all(len(name.split(", ")) == 3 for name in names)


def test_sources_close_to_no_other_source_make_no_theme() -> None:
    vectors = np.eye(4)  # four unrelated sources
    themes = topic_themes(SOURCES, vectors)
    assert len(themes) == 1 and themes[0][1] == [1]  # no two are close: the most relevant alone


def test_the_draft_reads_well(embedder) -> None:
    draft = extractive_draft(embedder, "protein design with deep generative models", SOURCES)
    assert [name for name, _ in draft.themes] and all(name not in {s.field for s in SOURCES} for name, _ in draft.themes)
    numbers = [n for n, _ in draft.key_papers]
    assert numbers == sorted(numbers) and numbers  # citation order
    for sentence in [*draft.overview, *(s for _, theme in draft.themes for s in theme), *draft.connections]:
        for part in re.split(r"\(similarity \d\.\d\d\) |(?:Computer Science|Quantitative Biology|Physics): ", sentence):
            assert not part or stands_alone(part)
    for connection in draft.connections:
        shown = re.match(r"\(similarity (\d\.\d\d)\) ", connection)
        assert shown and float(shown.group(1)) >= CONNECTION_SIMILARITY
        assert len(re.findall(r"\[\d\]", connection)) == 2


def test_unrelated_fields_are_not_set_side_by_side(embedder) -> None:
    far_apart = [PROTEIN_CS, QEC]  # one field each, nothing in common
    draft = extractive_draft(embedder, "protein design", far_apart)
    assert draft.connections == []


def test_a_chinese_draft_labels_the_similarity_in_chinese(embedder) -> None:
    draft = extractive_draft(embedder, "蛋白质设计 protein design", SOURCES, "zh")
    assert draft.title.startswith("简报")
    assert all(re.match(r"\(相似度 \d\.\d\d\) ", c) for c in draft.connections)


def test_a_field_far_less_relevant_than_the_best_enters_no_theme_or_connection(embedder) -> None:
    from queries.brief.extractive import fields_that_enter

    weak = source(5, "Medicine", "Synthetic ECG generation with generative models",
                  "Generative models synthesise electrocardiogram signals to enlarge arrhythmia datasets for "
                  "classification. The synthetic signals improve heart rhythm classifiers.", 0.30)
    assert fields_that_enter([PROTEIN_CS, PROTEIN_BIO, weak]) == {"Computer Science", "Quantitative Biology"}
    draft = extractive_draft(embedder, "protein design with deep generative models", [PROTEIN_CS, PROTEIN_BIO, weak])
    themed = " ".join(s for _, theme in draft.themes for s in theme) + " ".join(draft.connections)
    assert "[5]" not in themed and "Medicine" not in themed
