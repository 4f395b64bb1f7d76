"""Checking the writer's text against its sources, sentence by sentence.

A citation to a number that was not given is removed; a link or paper id that is not one of
the sources' is removed; a sentence left without a citation is dropped; a cited sentence is
checked against the abstracts it cites (``queries.support``): supported ones keep only the
citations that support them, the others are shown flagged, never as verified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexing.embeddings import Embedder
from queries.brief.records import Sentence, Source, Verification
from queries.support import support
from queries.text import split_sentences

_CITATION = re.compile(r"\[\s*(\d+(?:\s*(?:[-–,;]|and)\s*\d+)*)\s*\]")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
# One pattern, so an id inside a kept URL is not judged again on its own.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"'\])]+"       # URLs
                   r"|\b(?:doi:\s*)?10\.\d{4,9}/[^\s<>\"'\])]+"  # DOIs
                   r"|\b(?:arxiv:\s*)?\d{4}\.\d{4,5}(?:v\d+)?\b",  # arXiv ids
                   re.IGNORECASE)
_TRAILING = re.compile(r"[\s,;:]+$")
MAX_RANGE = 20


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    citations: list[int]
    citations_removed: int
    links_removed: int


def allowed_links(sources: Sequence[Source]) -> set[str]:
    """Every spelling of a source's URL, DOI and id that may stay in the text."""
    allowed: set[str] = set()
    for source in sources:
        for value in (source.url, source.link, source.doi, source.paper_id):
            if value:
                allowed |= {value.lower(), value.lower().rstrip("/"), value.lower().removeprefix("doi:")}
        if source.paper_id.startswith("arxiv:"):
            allowed.add(source.paper_id.removeprefix("arxiv:"))
    return allowed


def clean_sentence(text: str, given: set[int], links: set[str]) -> Cleaned:
    """``text`` with foreign links, ids and citations removed, and the citations that remain."""
    removed_links = 0

    def unlink(match: re.Match[str]) -> str:
        nonlocal removed_links
        if _is_allowed(match.group(0), links):
            return match.group(0)
        removed_links += 1
        return ""

    text = _MARKDOWN_LINK.sub(lambda m: m.group(0) if _is_allowed(m.group(2), links) else unlink(m) or m.group(1), text)
    text = _LINK.sub(unlink, text)
    citations: list[int] = []
    removed = 0

    def recite(match: re.Match[str]) -> str:
        nonlocal removed
        numbers = _numbers(match.group(1))
        kept = [n for n in numbers if n in given]
        removed += len(numbers) - len(kept)
        citations.extend(n for n in kept if n not in citations)
        return f"[{', '.join(map(str, kept))}]" if kept else ""

    text = _CITATION.sub(recite, text)
    return Cleaned(_tidy(text), citations, removed, removed_links)


def _is_allowed(link: str, links: set[str]) -> bool:
    value = link.lower().rstrip(".,;:").removeprefix("doi:").strip().rstrip("/")
    return value in links or re.sub(r"v\d+$", "", value) in links


def _numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group):
        bounds = [int(b) for b in re.split(r"\s*[-–]\s*", part) if b.strip().isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= MAX_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\s+([.,;:!?。，；：！？)])", r"\1", text)
    return _TRAILING.sub("", " ".join(text.split()))


def strip_citations(text: str) -> str:
    return _tidy(_CITATION.sub(" ", text))


def verify(texts: Sequence[str], sources: Sequence[Source], embedder: Embedder, *,
           threshold: float, tally: Verification) -> list[Sentence]:
    """Each text judged sentence by sentence (every sentence needs its own supporting citation),
    one result per text; ``tally`` adds up what happened to each sentence."""
    parts = [split_sentences(text) or [text] for text in texts]
    judged = iter(_verify_sentences([p for group in parts for p in group], sources, embedder,
                                    threshold=threshold, tally=tally))
    return [_fold([next(judged) for _ in group]) for group in parts]


def _fold(sentences: list[Sentence]) -> Sentence:
    """One result for a text of several sentences: what is left of it, flagged if any part is."""
    kept = [s for s in sentences if s.status != "dropped"]
    if not kept:
        return sentences[0]
    if len(kept) == 1:
        return kept[0]
    flagged = [s for s in kept if s.status == "flagged"]
    citations = list(dict.fromkeys(n for s in kept for n in s.citations))
    supports = [s.support for s in kept if s.support is not None]
    return Sentence(" ".join(s.text for s in kept), citations, "flagged" if flagged else "verified",
                    min(supports) if supports else None, flagged[0].note if flagged else None)


def _verify_sentences(sentences: Sequence[str], sources: Sequence[Source], embedder: Embedder, *,
                      threshold: float, tally: Verification) -> list[Sentence]:
    by_number = {s.number: s for s in sources}
    links = allowed_links(sources)
    cleaned = [clean_sentence(text, set(by_number), links) for text in sentences]
    pairs = [(i, n) for i, c in enumerate(cleaned) for n in c.citations]
    scores = support(embedder, [strip_citations(cleaned[i].text) for i, _ in pairs],
                     [[f"{by_number[n].title}. {by_number[n].abstract}"] for _, n in pairs], threshold=threshold)
    judged = {pair: score for pair, score in zip(pairs, scores, strict=True)}
    result = [_judge(c, {n: judged[(i, n)] for n in c.citations}) for i, c in enumerate(cleaned)]
    tally.citations_checked += len(pairs)
    for item, c in zip(result, cleaned, strict=True):
        tally.checked += 1
        tally.citations_removed += c.citations_removed + (len(c.citations) - len(item.citations))
        tally.links_removed += c.links_removed
        if item.status == "dropped":
            tally.dropped += 1
            continue
        tally.kept += item.status == "verified"
        tally.flagged += item.status == "flagged"
        tally.citations_shown += len(item.citations)
        tally.citations_supported += len(item.citations) if item.status == "verified" else 0
    return result


def _judge(cleaned: Cleaned, scores: dict) -> Sentence:  # noqa: ANN001 - citation number -> queries.support.Support
    if not cleaned.text or not strip_citations(cleaned.text):
        return Sentence(cleaned.text, [], "dropped", note="nothing left after removing foreign links and citations")
    if not cleaned.citations:
        return Sentence(cleaned.text, [], "dropped", note="makes a claim without citing a source")
    supporting = [n for n in cleaned.citations if scores[n].supported]
    best = max(s.score for s in scores.values())
    if not supporting:
        return Sentence(cleaned.text, cleaned.citations, "flagged", round(best, 3),
                        note="the cited abstract does not clearly support this sentence")
    text = cleaned.text if supporting == cleaned.citations else _recite(cleaned.text, supporting)
    return Sentence(text, supporting, "verified", round(best, 3))


def _recite(text: str, keep: list[int]) -> str:
    """``text`` citing only ``keep``: unsupported citations are removed from it."""
    kept = set(keep)

    def recite(match: re.Match[str]) -> str:
        numbers = [n for n in _numbers(match.group(1)) if n in kept]
        return f"[{', '.join(map(str, numbers))}]" if numbers else ""

    return _tidy(_CITATION.sub(recite, text))
