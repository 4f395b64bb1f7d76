"""Sentence splitting, CJK detection, content words and the light stemmer."""

from __future__ import annotations

import pytest

from queries.text import content_words, is_cjk, split_sentences, stem


@pytest.mark.parametrize("text", [
    "Priors, e.g. Gaussian ones, help.",
    "Priors, i.e. smooth ones, help.",
    "Smith et al. showed this first.",
    "As Fig. 2 shows, it holds.",
    "By Eq. (3) the loss is convex.",
    "Drug A vs. placebo reduced pain.",
    "Accuracy rose from 0.91 to 0.95 in 3.5 h.",
    "The method of J. R. Smith works.",
    "It was approved in the U.S. and the U.K. last year.",
    "The sort runs in $O(n \\log n)$ time, see \\(x = 1. 5\\) here.",
    "About (approx. 3 mg) was given.",
    "We infected C. elegans with H. pylori and S. aureus strains.",
])
def test_no_split_inside_a_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


def test_abstract_sentences() -> None:
    text = ("Levels of vitamin D were measured. We found 0.95 AUC (Fig. 2). mRNA levels rose, e.g. in liver; "
            "p < 0.05. Were they causal? Yes! Data came from the U.S. The cohort was large.")
    assert split_sentences(text) == [
        "Levels of vitamin D were measured.", "We found 0.95 AUC (Fig. 2).",
        "mRNA levels rose, e.g. in liver; p < 0.05.", "Were they causal?", "Yes!", "Data came from the U.S.",
        "The cohort was large."]


def test_sentence_after_an_abbreviation_that_can_end_one() -> None:
    assert split_sentences("This was shown by Smith et al. The effect is large.") == [
        "This was shown by Smith et al.", "The effect is large."]
    assert split_sentences("It lowers risk of vitamin D. The effect is large.") == [
        "It lowers risk of vitamin D.", "The effect is large."]


def test_a_list_number_opens_the_next_sentence() -> None:
    assert split_sentences("Levels were higher in humans. 2. After application, levels fell. It rose in 2019. The end.") == [
        "Levels were higher in humans.", "2. After application, levels fell.", "It rose in 2019.", "The end."]


def test_citations_stay_with_their_sentence() -> None:
    text = "The effect holds [3]. Another claim holds. [4] A third holds.[1, 2] The last one [2-4]."
    assert split_sentences(text) == [
        "The effect holds [3].", "Another claim holds. [4]", "A third holds.[1, 2]", "The last one [2-4]."]


def test_chinese_sentence_ends() -> None:
    assert split_sentences("模型表现很好[1]。我们提出了新方法！真的吗？是的。[2] GPT-4 也被测试了。") == [
        "模型表现很好[1]。", "我们提出了新方法！", "真的吗？", "是的。[2]", "GPT-4 也被测试了。"]


def test_markdown_blocks_never_merge() -> None:
    text = "## Overview\nRadar works. It\nwraps lines.\n\n- first item\n- second item\n1. numbered item"
    assert split_sentences(text) == [
        "## Overview", "Radar works.", "It wraps lines.", "- first item", "- second item", "1. numbered item"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_is_cjk() -> None:
    assert is_cjk("维生素B12缺乏会升高同型半胱氨酸水平。")
    assert is_cjk("我们在 ImageNet 上测试了 ResNet 模型。")
    assert not is_cjk("We tested ResNet on ImageNet (图像网).")
    assert not is_cjk("") and not is_cjk("1, 2, 3。")


@pytest.mark.parametrize("family", [
    ("segment", "segments", "segmentation", "segmenting", "segmented"),
    ("regulate", "regulated", "regulation", "regulating"),
    ("study", "studies", "studied"),
    ("increase", "increased", "increases", "increasing"),
    ("process", "processes"),
    ("run", "running"),
])
def test_stemming_conflates_a_word_family(family: tuple[str, ...]) -> None:
    assert len({stem(w) for w in family}) == 1


def test_stemming_keeps_distinct_words_apart() -> None:
    assert len({stem(w) for w in ("gene", "genome", "protein", "class", "analysis")}) == 5
    assert stem("class") == "class" and stem("virus") == "virus"


def test_content_words_drop_stopwords_and_filler() -> None:
    words = content_words("In this paper we propose a novel approach: the results show that MRI segmentation improves.")
    assert words == [stem("mri"), stem("segmentation"), stem("improves")]


def test_content_words_keep_numbers_and_latin_terms_only() -> None:
    assert content_words("ALDH1表达与乳腺癌的预后相关，AUC 0.95。") == ["aldh1", "auc", "0.95"]
    assert content_words("β-cells and γ-secretase, p53 or IL-6") == [stem("cells"), stem("secretase"), "p53", "il", "6"]
