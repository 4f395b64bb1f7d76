"""Reading the model's answer: the asked JSON, fenced JSON, Markdown sections, and garbage."""

from __future__ import annotations

import json

import pytest

from queries.brief.answer import parse_answer
from radar.errors import LlmResponseError

GOOD = {"title": "Protein diffusion", "overview": ["Diffusion designs proteins [1].", "It works for enzymes [2]."],
        "themes": [{"name": "Design", "sentences": ["Backbones are designable [1]."]}],
        "connections": ["Enzyme design [2] builds on backbone diffusion [1]."],
        "key_papers": [{"source": 1, "why": "It started the line of work [1]."}, {"source": "2", "why": "Enzymes."}]}


def test_the_asked_json_is_read() -> None:
    draft = parse_answer(json.dumps(GOOD), fallback_title="x")
    assert draft.title == "Protein diffusion" and len(draft.overview) == 2
    assert draft.themes == [("Design", ["Backbones are designable [1]."])]
    assert draft.key_papers == [(1, "It started the line of work [1]."), (2, "Enzymes.")]


def test_fenced_json_with_chatter_around_it_is_read() -> None:
    text = "Sure! Here is the brief:\n```json\n" + json.dumps(GOOD) + "\n```\nHope this helps."
    assert parse_answer(text, fallback_title="x").connections == ["Enzyme design [2] builds on backbone diffusion [1]."]


def test_a_paragraph_instead_of_a_list_is_split_into_sentences() -> None:
    data = GOOD | {"overview": "Diffusion designs proteins [1]. It works for enzymes [2]."}
    assert parse_answer(json.dumps(data), fallback_title="x").overview == [
        "Diffusion designs proteins [1].", "It works for enzymes [2]."]


def test_markdown_sections_are_read_when_the_model_ignores_json() -> None:
    text = ("# Protein diffusion\n\n## Overview\nDiffusion designs proteins [1]. It works [2].\n\n"
            "## Themes\n### Design\n- Backbones are designable [1].\n\n## Cross-field connections\n"
            "- Enzymes [2] meet backbones [1].\n\n## Key papers\n- [1] Paper one: first [1].\n")
    draft = parse_answer(text, fallback_title="x")
    assert draft.title == "Protein diffusion" and draft.overview == ["Diffusion designs proteins [1].", "It works [2]."]
    assert ("Design", ["Backbones are designable [1]."]) in draft.themes
    assert draft.connections == ["Enzymes [2] meet backbones [1]."] and draft.key_papers[0][0] == 1


@pytest.mark.parametrize("text", ["", "   ", "I cannot help with that.", "{not json", "[1, 2, 3]",
                                  json.dumps({"title": "only a title"}), json.dumps({"overview": 7})])
def test_answers_without_the_sections_are_an_error(text: str) -> None:
    with pytest.raises(LlmResponseError):
        parse_answer(text, fallback_title="x")
