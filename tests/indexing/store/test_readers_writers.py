"""Readers and writers in separate processes on one real DuckDB file: readers keep answering
while a writer commits, writers queue, a killed index run resumes. Coordination is by the
processes' output and by files, never by timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from indexing.ingest import ingest_all
from indexing.search.base import Filters
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import open_store
from indexing.store.search_state import documents, pending_ids
from radar.config import FeedSpec
from radar.errors import StoreBusyError
from radar.settings import StoreSettings
from tests.feedmaker import feed, item

REPO = Path(__file__).resolve().parents[3]
ENV = dict(os.environ, PYTHONPATH=str(REPO))
PAPERS = 40

# Index documents with a fixed 3-dimensional vector: these tests are about the store, not the model.
SETUP = """
import sys, pathlib
from dataclasses import replace
from indexing.ingest import RunReport, begin_run, end_run
from indexing.search.base import Filters
from indexing.search.local import LocalBackend
from indexing.store import open_store
from indexing.store.search_state import documents, pending_ids

def docs(store, n=None):
    with store.reading() as con:
        found = documents(con, pending_ids(con, "local", everything=True))
    return [replace(d, vector=(1.0, 0.0, 0.0)) for d in found[:n]]
"""

WRITER = SETUP + """
store, stop = open_store(sys.argv[1]), pathlib.Path(sys.argv[2])
backend, rounds = LocalBackend(store), 0
while rounds < int(sys.argv[3]) or (sys.argv[3] == "0" and not stop.exists()):
    end_run(store, RunReport(begin_run(store)))
    backend.index(docs(store, 5))
    backend.refresh()
    rounds += 1
    if rounds == 1:
        print("writing", flush=True)
print("rounds", rounds, flush=True)
"""

READER = SETUP + """
from queries.status import store_status
answered = 0
for _ in range(int(sys.argv[2])):
    with open_store(sys.argv[1], read_only=True) as store:  # one command: status, then a search
        store_status(store)
        hits = LocalBackend(store).bm25("qubits", Filters(), 5)
    assert len(hits) == 5, hits
    answered += 1
print("answered", answered, flush=True)
"""


def make_store(tmp_path: Path, fetcher: HttpFetcher, *, index: bool = True) -> Path:
    path, feed_path = tmp_path / "radar.duckdb", tmp_path / "feed.xml"
    feed_path.write_bytes(feed(*(item(f"2411.{i:05d}", title=f"Paper {i} on qubits", abstract=f"Qubits number {i}.")
                                 for i in range(PAPERS))))
    with open_store(path) as store:
        ingest_all(store, [FeedSpec(name="f", kind="arxiv-rss", url=feed_path.as_uri())], fetcher)
        if index:
            backend = LocalBackend(store)
            backend.prepare(dims=3, model="fixed")
            with store.reading() as con:
                docs = documents(con, pending_ids(con, "local"))
            backend.index([replace(d, vector=(1.0, 0.0, 0.0)) for d in docs])
            backend.refresh()
    return path


def python(snippet: str, *args: str, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    return subprocess.Popen([sys.executable, "-c", snippet, *map(str, args)], stdout=subprocess.PIPE, text=True,
                            env=ENV, **kwargs)


def finish(process: subprocess.Popen) -> str:
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0, out
    return out


def test_every_read_is_answered_while_a_writer_commits(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher)
    stop = tmp_path / "stop"
    writer = python(WRITER, path, stop, 0)
    try:
        assert writer.stdout.readline().strip() == "writing"
        reader = finish(python(READER, path, 8))  # the writer keeps writing all along
        assert reader.strip() == "answered 8"
    finally:
        stop.touch()
    rounds = int(finish(writer).split()[-1])
    assert rounds >= 1
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == rounds + 1  # + the ingest of make_store
    con.close()


def test_two_writers_queue_and_both_complete(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher)
    with open_store(path, read_only=True) as store:
        before = store.changes()
    writers = [python(WRITER, path, tmp_path / "unused", 8) for _ in range(2)]
    assert [finish(w).split()[-1] for w in writers] == ["8", "8"]
    with open_store(path, read_only=True) as store:
        assert store.cursor().execute("SELECT count(*) FROM runs").fetchone()[0] == 17
        # Each round: begin and end a run, and index (the postings go with the documents: refresh writes nothing).
        assert store.changes() - before == 2 * 8 * 3


INDEX = """
import sys, time
from indexing.embeddings import Embedder
from indexing.index import index_papers
from indexing.search.local import LocalBackend
from indexing.store import open_store

def progress(done, total):
    print("done", done, "of", total, flush=True)
    if "--slow" in sys.argv:
        time.sleep(600)  # the test kills us here, after one committed batch

store = open_store(sys.argv[1])
r = index_papers(store, LocalBackend(store), Embedder("all-MiniLM-L6-v2"), progress=progress, batch_size=8)
print("result", r.already, r.pending, r.indexed, r.embedded, r.total, flush=True)
"""


def test_an_index_run_killed_midway_keeps_its_batches_and_the_rerun_resumes(tmp_path: Path,
                                                                              fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher, index=False)
    victim = python(INDEX, path, "--slow")
    assert victim.stdout.readline().split() == ["done", "8", "of", str(PAPERS)]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM index_marks").fetchone()[0] == 8
    assert con.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 8
    con.close()

    result = finish(python(INDEX, path)).splitlines()[-1].split()
    assert result == ["result", "8", str(PAPERS - 8), str(PAPERS - 8), str(PAPERS - 8), str(PAPERS)]


REBUILD = SETUP + """
store = open_store(sys.argv[1])
backend = LocalBackend(store)
def slowly(found):
    for n, doc in enumerate(found):
        if n == len(found) // 2:
            print("loading", flush=True)
            sys.stdin.readline()  # the test searches meanwhile
        yield replace(doc, title="Rebuilt " + doc.title)
report = backend.rebuild(slowly(docs(store)), dims=3, model="fixed")
print("rebuilt", len(report.indexed), flush=True)
"""


def test_local_reindex_keeps_the_old_index_searchable_until_the_swap(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher)
    rebuild = python(REBUILD, path, stdin=subprocess.PIPE)
    assert rebuild.stdout.readline().strip() == "loading"
    with open_store(path, read_only=True) as store:
        backend = LocalBackend(store)
        assert len(backend.bm25("qubits", Filters(), 5)) == 5
        assert backend.bm25("rebuilt", Filters(), 5) == []  # the old index answers
        assert backend.count() == PAPERS
    rebuild.stdin.write("go\n")
    rebuild.stdin.flush()
    assert finish(rebuild).strip() == f"rebuilt {PAPERS}"
    with open_store(path, read_only=True) as store:
        backend = LocalBackend(store)
        assert len(backend.bm25("rebuilt", Filters(), 50)) == PAPERS
        assert backend.count() == PAPERS
        tables = {t for (t,) in store.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert not tables & {"search_docs", "search_docs_b"}  # the old table is gone


def test_a_reader_gives_up_after_its_wait_naming_the_writer(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher, index=False)
    holder = python(f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); "
                    "time.sleep(600)")
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match=f"in use by process {holder.pid} .*RADAR_STORE__READ_WAIT"):
            open_store(path, read_only=True, waits=StoreSettings(read_wait=0.2))
    finally:
        holder.kill()
        holder.wait()


def test_the_change_counter_moves_with_every_write_only(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = make_store(tmp_path, fetcher, index=False)
    reader, writer = open_store(path, read_only=True), open_store(path)
    seen = reader.changes()
    LocalBackend(reader).count()  # reads change nothing
    assert reader.changes() == seen
    with writer.transaction() as con:
        con.execute("DELETE FROM rejects")
    assert reader.changes() == seen + 1  # a long-running reader notices, without reopening its handle


def test_a_writer_gets_the_file_from_readers_in_its_own_process(tmp_path: Path) -> None:
    """The web server reads in some threads while it writes a profile in another: a read-only
    connection still open in the process (a request not yet torn down) is let go, not a 503."""
    path = tmp_path / "radar.duckdb"
    open_store(path).close()
    reader = open_store(path, read_only=True)
    before = reader.changes()
    reader.cursor().execute("SELECT count(*) FROM papers").fetchone()  # a kept read-only connection
    with open_store(path, waits=StoreSettings(write_wait=5)) as writer, writer.transaction() as con:
        con.execute("SELECT 1")
    assert reader.changes() == before + 1  # the reader opens the file again and sees the commit
    reader.close()
