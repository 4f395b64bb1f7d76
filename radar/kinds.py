"""The vocabularies of what kind of item a paper is, shared by the config (profiles), the parsers
and the listings; how they are derived is indexing/kinds.py."""

from __future__ import annotations

from typing import Literal, get_args

AnnounceKind = Literal["new", "cross-list", "revised"]
ANNOUNCE_KINDS: tuple[str, ...] = get_args(AnnounceKind)

ArticleType = Literal["research", "review", "news", "comment", "editorial", "correction", "retraction"]
ARTICLE_TYPES: tuple[str, ...] = get_args(ArticleType)
DIGEST_LEFT_OUT: tuple[str, ...] = ("news", "comment", "editorial", "correction", "retraction")
"""Article types a digest leaves out unless its profile names them (``article_types``)."""
