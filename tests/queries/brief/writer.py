"""A scripted brief writer for the local OpenAI-compatible server: it reads the numbered sources
out of the real prompt and answers in the asked JSON, faithfully or with chosen sabotage."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.llmserver import Reply

_SOURCE = re.compile(r'<source number="(\d+)" field="([^"]*)" date="[^"]*">\nTitle: (.*?)\nAbstract: (.*?)\n</source>',
                     re.DOTALL)


def sources_in(request: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    """(number, field, title, abstract) of every source in the request's prompt."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return [(int(n), field, title, abstract) for n, field, title, abstract in _SOURCE.findall(user)]


def first_sentence(abstract: str) -> str:
    return abstract.split(". ")[0].rstrip(".")


def faithful(request: dict[str, Any]) -> dict[str, Any]:
    """A brief whose every sentence restates its source's first sentence and cites it."""
    sources = sources_in(request)
    said = [f"{first_sentence(a)} [{n}]." for n, _, _, a in sources]
    other_field = next((s for s in sources if s[1] != sources[0][1]), sources[-1])
    return {
        "title": "Protein design with diffusion, across fields",
        "overview": said[:2],
        "themes": [{"name": "Methods", "sentences": said[2:4]}],
        "connections": [f"{first_sentence(sources[0][3])} [{sources[0][0]}], and "
                        f"{first_sentence(other_field[3]).lower()} [{other_field[0]}]."],
        "key_papers": [{"source": n, "why": f"{first_sentence(a)} [{n}]."} for n, _, _, a in sources[:3]],
    }


def answer(data: dict[str, Any]) -> Reply:
    return Reply(json.dumps(data, ensure_ascii=False))
