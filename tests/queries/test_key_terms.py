"""Shared key terms: rare words both texts use, never the words every abstract uses."""

from __future__ import annotations

from queries.key_terms import document_frequencies, key_form, shared_terms, spellings, terms

PAPER = ("Diffusion models for MRI segmentation. We propose a new model based on diffusion; results show "
         "that diffusion improves segmentation of brain MRI scans.")
OTHER = "A diffusion model of brain tumour growth; our results show better segmentation of MRI volumes."
UNRELATED = [
    "A model of galaxy formation; results show the model fits.",
    "Results on graph colouring with a new model.",
    "We study a model of markets and report results.",
]


def test_common_words_are_never_reasons() -> None:
    mine, theirs = terms(PAPER), terms(OTHER)
    df, total = document_frequencies([mine, theirs, *map(terms, UNRELATED)])
    shared = shared_terms(mine, theirs, df, total)
    assert set(shared) == {"diffusion", "mri", "segmentation", "brain"}
    assert shared[0] == "diffusion"  # used most by both
    assert "model" not in mine and "result" not in mine


def test_terms_too_common_among_the_texts_compared_are_left_out() -> None:
    texts = [terms(t) for t in ("quantum error codes", "quantum gates", "quantum sensors", "error bars")]
    df, total = document_frequencies(texts)
    assert shared_terms(texts[0], texts[1], df, total) == []  # "quantum" is in 3 of 4


def test_spellings_keep_acronyms_and_fold_plurals() -> None:
    shown = spellings(PAPER)
    assert (shown["mri"], shown["diffusion"], shown["scan"]) == ("MRI", "diffusion", "scans")
    assert key_form("Networks") == "network" and key_form("class") == "class" and key_form("corpus") == "corpus"


def test_latex_is_read_as_words() -> None:
    found = terms(r"the Schr\"odinger equation on $\mathbb{R}^n$")
    assert "schrodinger" in found and "mathbb" not in found
