"""Where the recorded real feeds live (see tests/data/feeds/SOURCES.md): the tests read nothing outside the repository."""

from __future__ import annotations

from pathlib import Path

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
ARXIV_ATOM = "arxiv-atom-cs.AI-2024-11-28.xml"
"""Our own cs.AI Atom sample (tests/data/make_arxiv_atom.py): 7 entries, 2 new and 5 cross-lists."""
