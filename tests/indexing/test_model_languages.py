"""The languages an embedding model reads: from its model card, else its name; never by loading it."""

from __future__ import annotations

from pathlib import Path

from indexing.embeddings import MULTILINGUAL, card_languages, model_languages


def test_the_packaged_model_reads_english_as_its_card_says() -> None:
    assert model_languages("all-MiniLM-L6-v2") == {"en"}


def test_a_model_card_gives_one_language_a_list_or_an_inline_list() -> None:
    assert card_languages("---\nlanguage: en\nlicense: mit\n---\n# card") == {"en"}
    assert card_languages("---\nlanguage:\n- multilingual\n- ar\n- zh\nlicense: x\n---\n") == {"multilingual", "ar", "zh"}
    assert card_languages("---\nlanguage: [en, 'zh']\n---\n") == {"en", "zh"}
    assert card_languages("# no front matter") == frozenset()


def test_a_model_folder_with_a_multilingual_card_reads_any_language(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlanguage:\n  - multilingual\n  - de\n---\n", encoding="utf-8")
    assert MULTILINGUAL in model_languages(str(tmp_path))


def test_known_multilingual_families_without_a_card_at_hand_read_any_language_others_english() -> None:
    assert model_languages("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2") == {MULTILINGUAL}
    assert model_languages("sentence-transformers/LaBSE") == {MULTILINGUAL}
    assert model_languages("some-org/an-english-model") == {"en"}
