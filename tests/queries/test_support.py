"""The support check, with the real embedding model (the ``embedder`` fixture of tests/queries/conftest.py)."""

from __future__ import annotations

import pytest

from indexing.embeddings import Embedder
from queries.support import LEXICAL_WEIGHT, Support, clean_claim, combine, is_cjk, lexical_overlap, measure, support
from radar.settings import BriefSettings

MRI = ("Deep learning for brain tumour segmentation in MRI. We trained a convolutional U-Net on 500 brain MRI "
       "scans from three hospitals. The network segments gliomas with a mean Dice score of 0.91, outperforming "
       "atlas-based segmentation. Training took two days on one GPU.")
QUANTUM = ("Surface codes for fault-tolerant quantum computing. We simulate surface codes under circuit-level noise "
           "and find an error threshold near 1%. Logical error rates fall exponentially with code distance.")
THRESHOLD = BriefSettings().support_threshold


def test_a_paraphrase_of_an_abstract_sentence_is_supported(embedder: Embedder) -> None:
    [result] = support(embedder, ["A U-Net trained on brain MRI segments gliomas with a Dice score of 0.91 [1]."],
                       [[MRI]], threshold=THRESHOLD)
    assert result.supported and result.source == 0
    assert result.semantic > 0.6 and result.lexical > 0.5


def test_an_unrelated_sentence_is_not_supported(embedder: Embedder) -> None:
    [result] = support(embedder, ["Surface codes tolerate circuit noise up to a threshold of about 1% [1]."],
                       [[MRI]], threshold=THRESHOLD)
    assert not result.supported
    assert result.score < THRESHOLD and result.lexical < 0.2


def test_citation_markers_and_markdown_do_not_change_the_score(embedder: Embedder) -> None:
    plain = "A U-Net segments gliomas in brain MRI with Dice 0.91."
    marked = ["A **U-Net** segments gliomas in brain MRI with Dice 0.91 [1].",
              "A U-Net segments gliomas in brain MRI with Dice 0.91 [1, 4].",
              "A U-Net segments gliomas in `brain MRI` with Dice 0.91. [2-4]"]
    results = support(embedder, [plain, *marked], [[MRI]] * 4, threshold=THRESHOLD)
    for result in results[1:]:
        assert result.score == pytest.approx(results[0].score, abs=1e-6)
    assert clean_claim("A **bold** _claim_ `here` [3], [1, 4] and [2-4].") == "A bold claim here, and."


def test_the_best_of_several_cited_texts_counts(embedder: Embedder) -> None:
    claim = "Logical error rates of surface codes fall exponentially with code distance [1, 2]."
    [both] = support(embedder, [claim], [[MRI, QUANTUM]], threshold=THRESHOLD)
    [alone] = support(embedder, [claim], [[QUANTUM]], threshold=THRESHOLD)
    [wrong] = support(embedder, [claim], [[MRI]], threshold=THRESHOLD)
    assert both.supported and both.source == 1 and not wrong.supported
    assert both.score == pytest.approx(alone.score, abs=1e-6) and both.score > wrong.score


def test_one_call_checks_many_claims_each_against_its_own_texts(embedder: Embedder) -> None:
    claims = ["Gliomas are segmented with a Dice score of 0.91 [1].", "The error threshold of surface codes is near 1% [2]."]
    right = support(embedder, claims, [[MRI], [QUANTUM]], threshold=THRESHOLD)
    swapped = support(embedder, claims, [[QUANTUM], [MRI]], threshold=THRESHOLD)
    assert all(r.supported for r in right) and not any(r.supported for r in swapped)


def test_empty_inputs(embedder: Embedder) -> None:
    assert support(embedder, [], [], threshold=THRESHOLD) == []
    empty = Support(0.0, 0.0, 0.0, False)
    assert support(embedder, ["A claim.", "[3]", "A claim."], [[], [MRI], [""]], threshold=THRESHOLD) == [empty] * 3
    with pytest.raises(ValueError, match="2 claims but 1"):
        support(embedder, ["a", "b"], [[MRI]], threshold=THRESHOLD)


def test_chinese_claims_count_only_latin_terms_and_numbers(embedder: Embedder) -> None:
    assert is_cjk("基于U-Net的脑部MRI分割，Dice为0.91。")
    [evidence] = measure(embedder, ["基于U-Net的脑部MRI分割，Dice为0.91。"], [[MRI]])
    assert evidence[0].lexical == pytest.approx(1.0)  # net, mri, dice, 0.91 (a lone "u" is not a word)
    [no_words] = measure(embedder, ["模型表现很好。"], [[MRI]])
    assert no_words[0].lexical is None
    assert combine(None, no_words[0].semantic) == no_words[0].semantic


def test_combination_and_overlap_are_plain_arithmetic() -> None:
    assert combine(1.0, 0.0) == pytest.approx(LEXICAL_WEIGHT)
    assert combine(0.5, 0.5, 0.3) == pytest.approx(0.5)
    assert lexical_overlap({"a", "b", "c", "d"}, {"a", "b", "x"}) == 0.5
    assert lexical_overlap(set(), {"a"}) is None


def test_the_threshold_setting_is_the_measured_one() -> None:
    field = BriefSettings.model_fields["support_threshold"]
    assert "bench/support_threshold.py" in (field.description or "")
    assert 0 < THRESHOLD < 1
