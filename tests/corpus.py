"""A real, indexed store of a few hundred papers across fields, built once per test session.

The demo snapshot's complete arXiv feed of 28 Nov 2024 is cut to every STRIDE-th item (the
feed is ordered by id, not by archive, so every field keeps its share), plus the bundled
Nature and bioRxiv feeds. Embedding all 1,612 demo papers takes a minute; this takes seconds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from indexing.embeddings import get_embedder
from indexing.index import index_papers
from indexing.ingest import ingest_all
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import open_store
from radar.config import FeedSpec
from radar.settings import HttpSettings

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "demo" / "snapshot"
MODEL = "all-MiniLM-L6-v2"
STRIDE = 5
# Papers the tests rely on, kept whatever the stride picks.
KEEP = frozenset({"2411.17766"})
_ITEM = re.compile(r"[ \t]*<item>.*?</item>\n?", re.DOTALL)
_ID = re.compile(r"<link>https?://arxiv\.org/abs/([^<]+)</link>")


def trimmed_arxiv_feed(source: Path, dest: Path, stride: int = STRIDE) -> Path:
    """A copy of an arXiv RSS feed holding every ``stride``-th item (and KEEP), bytes otherwise untouched."""
    text = source.read_text(encoding="utf-8")
    position = 0

    def keep_some(match: re.Match[str]) -> str:
        nonlocal position
        position += 1
        found = _ID.search(match.group(0))
        kept = position % stride == 1 or (found is not None and found.group(1) in KEEP)
        return match.group(0) if kept else ""

    dest.write_text(_ITEM.sub(keep_some, text), encoding="utf-8")
    return dest


def corpus_feeds(folder: Path) -> list[FeedSpec]:
    arxiv = trimmed_arxiv_feed(SNAPSHOT / "arxiv-all-2024-11-28.rss.xml", folder / "arxiv-trimmed.rss.xml")
    return [
        FeedSpec(name="arxiv-all", kind="arxiv-rss", url=arxiv.as_uri()),
        FeedSpec(name="nature", kind="rss", url=(SNAPSHOT / "nature-2024-07.rss").as_uri(), source="Nature",
                 field="Multidisciplinary"),
        FeedSpec(name="biorxiv-biochemistry", kind="rss", source="biorxiv", field="Biology",
                 url=(SNAPSHOT / "biorxiv-biochemistry-2018-03-23.rdf.xml").as_uri()),
    ]


def build_corpus(folder: Path) -> Path:
    """Ingest and index (local backend) the corpus into ``folder``/radar.duckdb, once; returns the path."""
    path = folder / "radar.duckdb"
    done = folder / "built"
    if done.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    http = HttpSettings(timeout=5.0, retries=0, min_interval=0.0, host_intervals={})
    with open_store(path) as store, HttpFetcher(http, "Radar-tests/0") as fetcher:
        ingest_all(store, corpus_feeds(folder), fetcher)
        index_papers(store, LocalBackend(store), get_embedder(MODEL))
    done.touch()
    return path


def copy_corpus(built: Path, dest_folder: Path) -> Path:
    """A private copy of a built corpus, for tests that write to the store."""
    dest_folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(built, dest_folder / "radar.duckdb"))
