"""Telling the language of a typed query: scripts decide alone; Latin-script queries need evidence
beyond what English scientific queries carry."""

from __future__ import annotations

import pytest

from queries.query_language import ENGLISH, detect_language, reads


@pytest.mark.parametrize(("query", "language"), [
    ("量子纠错", "zh"),
    ("CRISPR 基因编辑 水稻", "zh"),
    ("拡散モデルによる医用画像セグメンテーション", "ja"),
    ("그래프 신경망", "ko"),
    ("квантовая коррекция ошибок", "ru"),
    ("квантові обчислення і їх застосування", "uk"),
    ("تصحيح الأخطاء الكمومية", "ar"),
    ("תיקון שגיאות קוונטי", "he"),
    ("κβαντική διόρθωση σφαλμάτων", "el"),
    ("क्वांटम त्रुटि सुधार", "hi"),
])
def test_a_script_other_than_latin_decides_alone(query: str, language: str) -> None:
    assert detect_language(query).language == language


@pytest.mark.parametrize(("query", "language"), [
    ("Diffusionsmodelle für die Segmentierung von MRT-Bildern", "de"),
    ("Vorhersage der Proteinstruktur", "de"),
    ("apprentissage par renforcement pour la robotique", "fr"),
    ("détection des ondes gravitationnelles", "fr"),
    ("segmentación de imágenes médicas con modelos de difusión", "es"),
    ("previsão da estrutura de proteínas", "pt"),
    ("rilevamento delle onde gravitazionali", "it"),
])
def test_a_latin_query_with_another_languages_function_words_or_endings_is_that_language(query, language) -> None:
    found = detect_language(query)
    assert found.language == language and found.script == "Latin" and found.evidence


@pytest.mark.parametrize("query", [
    "diffusion models for MRI segmentation", "de novo protein design", "in vitro fertilization outcomes",
    "van der Waals heterostructures", "de Sitter space holography", "Schrödinger bridge diffusion",
    "Erdős–Rényi random graphs", "α-synuclein aggregation in Parkinson's disease", "ΛCDM tension",
    "σ-algebra", "αβ T cells", "Kähler manifolds", "La Niña forecasting", "la niña forecasting",
    "Fréchet inception distance", "von Neumann entropy", "Yang–Mills theory", "ALS progression",
    "why do cells die", "sin x approximation", "BERT", "transformers", "lung cancer screening",
])
def test_english_scientific_queries_stay_english(query: str) -> None:
    """Latin phrases, name particles, accented names and Greek symbols are not another language."""
    assert detect_language(query).language == ENGLISH


def test_a_query_without_letters_has_no_language() -> None:
    assert detect_language("2411.17766 ∑ 42").language == "und"


def test_a_model_reads_its_languages_any_when_multilingual_and_a_query_without_letters() -> None:
    assert reads({"en"}, "en") and not reads({"en"}, "zh")
    assert reads({"multilingual", "ar"}, "zh")
    assert reads({"en"}, "und")


def test_the_bench_set_is_read_right(tmp_path) -> None:  # noqa: ARG001 - same figures as the README
    """Every English query of bench/query_languages stays English, every one in a non-Latin script is
    flagged (the README gives the full figures)."""
    from bench.query_language import load_queries

    for language, query in load_queries():
        found = detect_language(query).language
        if language == ENGLISH:
            assert found == ENGLISH, query
        elif language in ("zh", "ja", "ru"):
            assert found != ENGLISH, query
