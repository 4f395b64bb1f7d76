"""Exports to reference managers: BibTeX, RIS and CSL-JSON, each a pure function of papers to text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from indexing.records import Paper
from queries.exports.bibtex import bibtex
from queries.exports.csljson import csljson
from queries.exports.ris import ris

ExportFormat = Literal["bibtex", "ris", "csljson"]


@dataclass(frozen=True, slots=True)
class Format:
    name: ExportFormat
    render: Callable[[Sequence[Paper]], str]
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "bibtex": Format("bibtex", bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": Format("ris", ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "csljson": Format("csljson", csljson, "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def export(papers: Sequence[Paper], fmt: str) -> str:
    """``papers`` as ``fmt`` (bibtex, ris or csljson); ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return FORMATS[fmt].render(papers)
