"""The one text analysis: words, stop words, Snowball stems."""

from __future__ import annotations

import threading

from indexing.analysis import STOPWORDS, stem, terms, words


def test_terms_lower_case_drop_stop_words_and_stem() -> None:
    assert terms("The Segmentation of MRI images, and segmenting them") == ["segment", "mri", "imag", "segment"]


def test_terms_meet_across_inflections_and_derivations() -> None:
    assert len({*terms("regulate regulated regulation regulating")}) == 1
    assert terms("studies") == terms("studied") == terms("study")


def test_numbers_decimals_and_greek_are_words_cjk_is_skipped() -> None:
    assert words("AUC 0.95 for β-cells; 量子纠错 p53") == ["auc", "0.95", "for", "β", "cells", "p53"]
    assert terms("量子纠错") == []


def test_accents_fold_as_the_backends_fold() -> None:
    assert terms("Käser Łukasz naïve") == terms("Kaser Lukasz naive")


def test_stop_words_are_plain_lower_case_words() -> None:
    assert {"the", "of", "and", "with"} <= STOPWORDS
    assert all(w == w.lower() and w.isalpha() for w in STOPWORDS)


def test_words_with_digits_are_not_stemmed() -> None:
    assert stem("il6s") == "il6s" and stem("3.14") == "3.14"


def test_stemming_is_safe_across_threads() -> None:
    vocabulary = [f"{w}{suffix}" for w in ("segment", "regulat", "process", "learn") for suffix in ("ing", "ed", "s", "ion")]
    expected = {w: stem(w) for w in vocabulary}
    stem.cache_clear()
    failures: list[str] = []

    def work() -> None:
        for _ in range(50):
            for w in vocabulary:
                if stem(w) != expected[w]:
                    failures.append(w)
            stem.cache_clear()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
