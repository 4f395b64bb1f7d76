"""The retrieval-grounded brief: evidence across fields, a model (or the sources' own sentences),
citation and support checks, storage, and rendering."""

from __future__ import annotations

from queries.brief.records import Brief, BriefRequest
from queries.brief.store import save
from queries.brief.write import write_brief

__all__ = ["Brief", "BriefRequest", "save", "write_brief"]
