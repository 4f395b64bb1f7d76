"""The Elasticsearch backend: the one owner of Elasticsearch in Radar.

Searches go through an alias (``radar-papers``); the index behind it carries the mapping
version, the model and the vector size in its name
(``radar-papers-v1-all-minilm-l6-v2-384-20261123120000123456``) and in its mapping's
``_meta``, so an index built for other vectors is refused (``radar reindex`` fixes it).
``rebuild`` loads a fresh index and flips the alias atomically: search never fails
while it runs.

Every failure leaves this module as a :mod:`radar.errors` exception whose message says
what to do; no message, ``repr`` or chained exception ever holds the password or API key.
When the node goes away in the middle of ``index``/``rebuild``, the SearchUnavailableError
raised carries ``report`` (the IndexReport of what was acknowledged before) and
``unacknowledged`` (ids sent but not confirmed); running the load again is always safe,
as documents are stored under ``_id = paper_id``.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any, NoReturn, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.helpers import streaming_bulk
from elasticsearch.serializer import OrjsonSerializer

from indexing.analysis import terms
from indexing.search.base import BackendHit, Filters, IndexReport, SearchDoc, fold
from radar.errors import (
    IndexMismatchError, QueryError, SearchAuthError, SearchError, SearchUnavailableError,
)
from radar.redact import mask_url
from radar.settings import Settings

log = logging.getLogger(__name__)

MAPPING_VERSION = 3
"""Bump when the mapping below changes: indices of an older version are refused (reindex).
2: title and abstract folded (accents off, see base.fold); the announce kind.
3: where the node has no ``english`` analyzer, title and abstract hold Radar's own terms (RADAR_ANALYSIS)."""

MAX_QUERY_TERMS = 200
"""Words of a BM25 query that are kept (Elasticsearch caps a query at max_clause_count, >= 1024)."""

MAX_K = 10_000
"""Elasticsearch's index.max_result_window and the most a k-NN search may ask for."""

MIN_NUM_CANDIDATES = 100
BULK_CHUNK_DOCS = 500
BULK_CHUNK_BYTES = 10 * 1024 * 1024
BULK_THREADS = 3
"""Bulk requests in flight at once during a rebuild (loads into the live index send one at a time)."""
BULK_MAX_RETRIES = 4
"""Retries of documents Elasticsearch rejected with 429 (queue full), with exponential backoff."""

RADAR_ANALYSIS = "radar"
"""Where the node has no ``english`` analyzer (no analysis-common module, so no stemmer either),
Radar analyses title and abstract itself (indexing/analysis.py: words, stop words, Snowball
stems, as the local backend does) and indexes the terms, space-separated, with the built-in
``whitespace`` analyzer; BM25 queries are analysed the same way. The papers' own text is in the
store: search reads snippets and highlights from there, never from Elasticsearch."""

_CONNECTION_ERRORS = (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout)
_T = TypeVar("_T")


def build_backend(settings: Settings, *, max_retries: int = 3) -> ElasticsearchBackend:
    """A backend for the Elasticsearch the settings point at (the client is built here)."""
    url, url_user, url_password = _split_credentials(settings.elasticsearch_url)
    api_key = settings.elasticsearch_api_key.get_secret_value() if settings.elasticsearch_api_key else None
    password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else None
    username = settings.elasticsearch_username
    if url_user is not None and password is None:  # credentials written into the URL
        username, password = url_user, url_password
    auth: dict[str, Any] = {}
    if api_key:
        auth["api_key"] = api_key
        auth_desc = "api-key"
    elif password is not None:
        auth["basic_auth"] = (username, password)
        auth_desc = f"user {username!r}"
    else:
        auth_desc = "no credentials"
    try:
        client = Elasticsearch(
            url, **auth,
            request_timeout=settings.elasticsearch_timeout,
            max_retries=max_retries,
            retry_on_timeout=True,
            retry_on_status=(429, 502, 503, 504),
            retry_backoff_base=0.25 if max_retries else 0,
            retry_backoff_cap=4.0 if max_retries else 0,
            serializer=OrjsonSerializer(),  # vectors: ~15x faster than the json module
        )
    except ValueError as exc:
        raise SearchError(f"RADAR_ELASTICSEARCH_URL={mask_url(url)!r} is not a usable URL ({_scrub(str(exc), api_key, password)}); "
                          "use e.g. http://127.0.0.1:9200.") from None
    secrets = tuple(s for s in (api_key, password) if s)
    return ElasticsearchBackend(client, url=url, alias=settings.elasticsearch_alias, auth_desc=auth_desc,
                                secrets=secrets, title_boost=settings.search_title_boost)


class ElasticsearchBackend:
    """:class:`indexing.search.base.SearchBackend` on Elasticsearch 8.x/9.x."""

    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, *, url: str, alias: str, auth_desc: str = "",
                 secrets: tuple[str, ...] = (), title_boost: float = 1.0) -> None:
        self._client = client
        self.title_boost = title_boost
        self.url = url
        self.alias = alias
        self._auth_desc = auth_desc
        self._secrets = secrets
        self._analyzer: str | None = None

    def __repr__(self) -> str:
        return f"ElasticsearchBackend(url={self.url!r}, alias={self.alias!r}, auth={self._auth_desc!r})"

    # ------------------------------------------------------------------ index lifecycle

    def prepare(self, *, dims: int, model: str) -> None:
        """Create index and alias if there are none; refuse an index built for other vectors."""
        index_name = self._live_index()
        if index_name is None:
            if self._call("check the alias", lambda: self._client.indices.exists(index=self.alias)).body:
                raise SearchError(
                    f"{self.alias!r} is a concrete Elasticsearch index, not the alias Radar searches through "
                    f"(something wrote to it before Radar created the alias). Delete that index (DELETE /{self.alias}) "
                    "and run `radar reindex`, or set RADAR_ELASTICSEARCH_ALIAS to another name.")
            name = self._create_index(dims, model, loading=False)
            try:
                self._call("create the alias", lambda: self._client.indices.update_aliases(
                    actions=[{"add": {"index": name, "alias": self.alias}}]))
            except SearchError:
                self._delete_indices([name], quiet=True)
                raise
            log.info("created Elasticsearch index %s behind alias %s", name, self.alias)
            return
        meta = self._meta(index_name)
        wanted = {"mapping_version": MAPPING_VERSION, "model": model, "dims": dims}
        found = {key: meta.get(key) for key in wanted}
        if found != wanted:
            raise IndexMismatchError(
                f"The Elasticsearch index {index_name} behind alias {self.alias!r} was built for "
                f"{_describe(found)}, but Radar is configured for {_describe(wanted)}. "
                "Run `radar reindex` to rebuild the index for the configured model (search keeps working meanwhile).")

    def rebuild(self, docs: Iterable[SearchDoc], *, dims: int, model: str) -> IndexReport:
        """Load a fresh index (BULK_THREADS requests in flight, refresh off, the translog synced
        every 5 s rather than per request, no replicas), restore those settings, then flip the
        alias to it in one atomic call and delete the old one. Until the flip, searches see the
        old index."""
        old = self._indices_behind_alias()
        new = self._create_index(dims, model, loading=True)
        try:
            report = self._bulk_index(docs, new, threads=BULK_THREADS)
            if report.failed and not report.indexed:
                first = next(iter(report.failed.items()))
                raise SearchError(
                    f"Rebuilding the Elasticsearch index failed for every document ({len(report.failed)}, e.g. "
                    f"{first[0]}: {first[1]}); the alias {self.alias!r} still points at the old index. "
                    "Fix the cause and run `radar reindex` again.")
            self._call("restore the refresh interval", lambda: self._client.indices.put_settings(
                index=new, settings={"index": {"refresh_interval": None, "translog.durability": None}}))
            self._call("refresh the new index", lambda: self._client.indices.refresh(index=new))
            actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in sorted(old)]
            actions.append({"add": {"index": new, "alias": self.alias}})
            self._call("switch the alias", lambda: self._client.indices.update_aliases(actions=actions))
        except BaseException:
            self._delete_indices([new], quiet=True)
            raise
        log.info("rebuilt Elasticsearch index %s behind alias %s (%d documents, %d failed)",
                 new, self.alias, len(report.indexed), len(report.failed))
        self._delete_indices(sorted(old), quiet=True)
        return report

    def _create_index(self, dims: int, model: str, *, loading: bool) -> str:
        if not isinstance(dims, int) or not 1 <= dims <= 4096:
            raise SearchError(f"Elasticsearch indexes vectors of 1 to 4096 dimensions, not {dims!r}: check the embedding model.")
        analyzer = self.text_analyzer()
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.alias}-v{MAPPING_VERSION}-{_slug(model)}-{dims}-{stamp}"
        index_settings: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
        if loading:  # restored by rebuild once loaded
            index_settings["refresh_interval"] = "-1"
            index_settings["translog"] = {"durability": "async"}  # no fsync per bulk request
        text = {"type": "text", "analyzer": "whitespace" if analyzer == RADAR_ANALYSIS else analyzer}
        mappings = {
            "dynamic": "strict",
            "_meta": {"radar": True, "mapping_version": MAPPING_VERSION, "model": model, "dims": dims,
                      "analyzer": analyzer, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                      "identity": uuid.uuid4().hex},
            "properties": {
                "paper_id": {"type": "keyword"},
                "title": text,
                "abstract": text,
                "authors": {"type": "keyword"},
                "categories": {"type": "keyword"},
                "field": {"type": "keyword"},
                "source": {"type": "keyword"},
                "announce": {"type": "keyword"},
                "published": {"type": "date"},
                "content_hash": {"type": "keyword"},
                "vector": {"type": "dense_vector", "dims": dims, "index": True, "similarity": "cosine",
                           "index_options": {"type": "int8_hnsw"}},
            },
        }
        self._call("create the index", lambda: self._client.indices.create(
            index=name, settings=index_settings, mappings=mappings))
        return name

    def text_analyzer(self) -> str:
        """``english`` where the node has it, else Radar's own analysis (see RADAR_ANALYSIS)."""
        if self._analyzer is None:
            try:
                self._call("check the analyzers", query=True,
                           fn=lambda: self._client.indices.analyze(analyzer="english", text="papers"))
                self._analyzer = "english"
            except QueryError:  # 400 "failed to find global analyzer [english]"
                self._analyzer = RADAR_ANALYSIS
        return self._analyzer

    def identity(self) -> str:
        """``elasticsearch:<index>:<uuid>``: the index behind the alias and the uuid in its ``_meta``
        (generated with the index; given to an index made before identities on first ask)."""
        index_name = self._live_index()
        if index_name is None:
            self._no_index()
        meta = self._meta(index_name)
        if not meta.get("identity"):
            meta["identity"] = uuid.uuid4().hex
            self._call("record the index identity", lambda: self._client.indices.put_mapping(
                index=index_name, meta=meta))
        return f"elasticsearch:{index_name}:{meta['identity']}"

    def model(self) -> str | None:
        index_name = self._live_index()
        return None if index_name is None else self._meta(index_name).get("model")

    def _live_index(self) -> str | None:
        """The one index behind the alias (None when there is none)."""
        current = self._indices_behind_alias()
        if len(current) > 1:
            raise SearchError(
                f"The alias {self.alias!r} points at {len(current)} indices ({', '.join(sorted(current))}); "
                "Radar writes through it and needs exactly one. Run `radar reindex` to rebuild one index behind it.")
        return next(iter(current), None)

    def _indices_behind_alias(self) -> set[str]:
        try:
            response = self._call("read the alias", lambda: self._client.indices.get_alias(name=self.alias),
                                  passthrough=(NotFoundError,))
        except NotFoundError:
            return set()
        return set(response.body)

    def _meta(self, index_name: str) -> dict[str, Any]:
        response = self._call("read the mapping", lambda: self._client.indices.get_mapping(index=index_name))
        return dict(response.body.get(index_name, {}).get("mappings", {}).get("_meta") or {})

    def _delete_indices(self, names: Sequence[str], *, quiet: bool = False) -> None:
        for name in names:
            try:
                self._call("delete an index", lambda n=name: self._client.options(ignore_status=404).indices.delete(index=n))
            except SearchError as exc:
                if not quiet:
                    raise
                log.warning("could not delete Elasticsearch index %s: %s", name, exc)

    def _require_alias(self) -> None:
        if not self._indices_behind_alias():
            raise SearchError(f"There is no Elasticsearch index behind alias {self.alias!r} yet: "
                              "run `radar index` (or `radar reindex`) first.")

    # ------------------------------------------------------------------ documents

    def index(self, docs: Iterable[SearchDoc]) -> IndexReport:
        """Add or replace documents (``_id`` is the paper id, so reloads never duplicate)."""
        self._require_alias()
        return self._bulk_index(docs, self.alias, require_alias=True)

    def _bulk_index(self, docs: Iterable[SearchDoc], target: str, *, require_alias: bool = False,
                    threads: int = 1) -> IndexReport:
        """Chunks of BULK_CHUNK_DOCS documents, 429s retried with backoff. With ``threads`` > 1 (a
        rebuild, whose index is dropped if the load fails) that many requests are in flight, so the
        node indexes one chunk while the next is analysed and serialised; with 1 (loads into the
        live index) each chunk is acknowledged before the next is read."""
        report = IndexReport()
        sent: list[str] = []
        analysed = self.text_analyzer() == RADAR_ANALYSIS

        def actions() -> Iterator[dict[str, Any]]:
            for doc in docs:
                vector = _as_vector(doc.vector)
                if vector is None:
                    report.failed[doc.paper_id] = "the vector holds a value that is not a finite number"
                    continue
                sent.append(doc.paper_id)
                yield {"_op_type": "index", "_index": target, "_id": doc.paper_id,
                       "_source": _source(doc, vector, analysed=analysed)}

        extra = {"require_alias": True} if require_alias else {}

        def send(chunk: Iterable[dict[str, Any]]) -> Iterator[tuple[bool, dict[str, Any]]]:
            return streaming_bulk(
                self._client, chunk, chunk_size=BULK_CHUNK_DOCS, max_chunk_bytes=BULK_CHUNK_BYTES,
                max_retries=BULK_MAX_RETRIES, initial_backoff=1, max_backoff=30,
                raise_on_error=False, raise_on_exception=False, **extra)

        def results() -> Iterator[tuple[bool, dict[str, Any]]]:
            if threads == 1:
                yield from send(actions())
                return
            pool = ThreadPoolExecutor(threads, thread_name_prefix="radar-bulk")
            pending: deque[Future[list[tuple[bool, dict[str, Any]]]]] = deque()
            try:
                for chunk in _chunked(actions(), BULK_CHUNK_DOCS):
                    pending.append(pool.submit(lambda c=chunk: list(send(c))))
                    while len(pending) > threads:
                        yield from pending.popleft().result()
                while pending:
                    yield from pending.popleft().result()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

        try:
            for ok, item in results():
                info = next(iter(item.values()))
                paper_id = str(info.get("_id"))
                if ok:
                    report.indexed.append(paper_id)
                    continue
                status = info.get("status")
                if status in (401, 403):
                    self._raise_auth(int(status), info.get("error"))
                report.failed[paper_id] = self._scrub(_reason(info.get("error"), status))
        except SearchError as exc:
            exc.report = report
            raise
        except (elastic_transport.TransportError, ApiError) as exc:
            # The node went away mid-load: what it acknowledged stays acknowledged; the
            # caller runs the load again (ids are paper ids, so nothing is duplicated).
            done = set(report.indexed) | set(report.failed)
            in_flight = [pid for pid in sent if pid not in done]
            try:
                self._translate(exc, "index documents")
            except SearchError as err:
                err.report = report
                err.unacknowledged = in_flight
                raise err from (None if isinstance(err, SearchAuthError) else exc)
        return report

    def refresh(self) -> None:
        """Make everything indexed so far searchable."""
        self._call("refresh the index", lambda: self._client.indices.refresh(index=self.alias),
                   missing=lambda: None)

    def delete(self, paper_ids: Sequence[str]) -> None:
        """Remove documents; ids that are not in the index are ignored."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids or not self._indices_behind_alias():
            return
        failed: dict[str, str] = {}
        try:
            for ok, item in streaming_bulk(
                    self._client, ({"_op_type": "delete", "_index": self.alias, "_id": pid} for pid in ids),
                    chunk_size=BULK_CHUNK_DOCS, max_retries=BULK_MAX_RETRIES, initial_backoff=1, max_backoff=30,
                    raise_on_error=False, raise_on_exception=False, ignore_status=(404,)):
                info = next(iter(item.values()))
                status = info.get("status")
                if ok or status == 404:
                    continue
                if status in (401, 403):
                    self._raise_auth(int(status), info.get("error"))
                failed[str(info.get("_id"))] = self._scrub(_reason(info.get("error"), status))
        except (elastic_transport.TransportError, ApiError) as exc:
            self._translate(exc, "delete documents")
        if failed:
            first = next(iter(failed.items()))
            raise SearchError(f"Elasticsearch could not delete {len(failed)} of {len(ids)} documents "
                              f"(e.g. {first[0]}: {first[1]}); run the command again.")

    def count(self) -> int:
        """Documents in the live index (0 when there is none yet)."""
        return self._call("count documents", lambda: int(self._client.count(index=self.alias)["count"]),
                          missing=lambda: 0)

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ queries

    def bm25(self, query: str, filters: Filters, k: int) -> list[BackendHit]:
        """Best k by BM25 over title (weighted by ``title_boost`` at query time) and abstract.

        The text goes through a ``multi_match`` query, which never parses Lucene syntax;
        it is cut to MAX_QUERY_TERMS words so that no query exceeds max_clause_count. Under
        RADAR_ANALYSIS the query's terms are sent, analysed as the documents were.
        """
        text = fold(bm25_text(query))
        if text and k > 0 and self.text_analyzer() == RADAR_ANALYSIS:  # no words: no call at all
            text = " ".join(terms(text)[:MAX_QUERY_TERMS])
        if not text or k <= 0:
            return []
        body_query = {"bool": {
            "must": [{"multi_match": {"query": text, "fields": [f"title^{self.title_boost:g}", "abstract"],
                                      "type": "best_fields", "tie_breaker": 0.3}}],
            "filter": filter_clauses(filters),
        }}
        return self._search("rephrase it with fewer or simpler words", query=body_query, size=min(k, MAX_K))

    def knn(self, vector: Sequence[float], filters: Filters, k: int) -> list[BackendHit]:
        """Nearest k by cosine similarity (approximate, HNSW over int8-quantised vectors); the
        score is the cosine, as on the local backend."""
        if k <= 0:
            return []
        values = _as_vector(vector)
        if not values:
            raise QueryError("The query vector is empty or holds a value that is not a finite number; "
                             "embed the query with the model the index was built for.")
        k = min(k, MAX_K)
        knn = {"field": "vector", "query_vector": values, "k": k,
               "num_candidates": min(MAX_K, max(MIN_NUM_CANDIDATES, 2 * k)),
               "filter": filter_clauses(filters)}
        hits = self._search(f"the query vector must have as many dimensions as the index's vectors "
                            f"(embed it with the index's model, or run `radar reindex`)", knn=knn, size=k)
        # Elasticsearch scores cosine similarity as (1 + cos) / 2; the contract's score is the cosine.
        return [BackendHit(h.paper_id, 2.0 * h.score - 1.0) for h in hits]

    def _search(self, hint: str, **body: Any) -> list[BackendHit]:
        def run() -> list[BackendHit]:
            response = self._client.search(index=self.alias, source=False, track_total_hits=False, **body)
            return [BackendHit(hit["_id"], float(hit["_score"])) for hit in response["hits"]["hits"]]

        return self._call("search", run, query=hint, missing=self._no_index)

    def _no_index(self) -> NoReturn:
        raise SearchError(f"There is no Elasticsearch index behind alias {self.alias!r} yet: "
                          "run `radar index` (or `radar reindex`) first.")

    # ------------------------------------------------------------------ errors

    def _call(self, action: str, fn: Callable[[], _T], *, query: bool | str = False,
              missing: Callable[[], Any] | None = None,
              passthrough: tuple[type[BaseException], ...] = ()) -> _T:
        """Run one client call, turning every client exception into a Radar one."""
        try:
            return fn()
        except passthrough:
            raise
        except NotFoundError as exc:
            if missing is not None and _error_type(exc) == "index_not_found_exception":
                return missing()
            self._translate(exc, action, query=query)
        except (elastic_transport.TransportError, ApiError) as exc:
            self._translate(exc, action, query=query)

    def _translate(self, exc: Exception, action: str, *, query: bool | str = False) -> NoReturn:
        if isinstance(exc, _CONNECTION_ERRORS):
            what = "timed out" if isinstance(exc, elastic_transport.ConnectionTimeout) else "failed"
            raise SearchUnavailableError(
                f"Elasticsearch at {self.url} is not reachable (could not {action}: connection {what}: "
                f"{self._scrub(_connection_reason(exc))}). Start it (scripts/elasticsearch.sh start) or set "
                "RADAR_ELASTICSEARCH_URL.") from exc
        if isinstance(exc, ApiError):
            status = exc.status_code
            if status in (401, 403):
                self._raise_auth(status, exc.body if isinstance(exc.body, dict) else None)
            reason = self._scrub(_api_reason(exc))
            if status == 429 or status >= 500:
                raise SearchUnavailableError(
                    f"Elasticsearch at {self.url} is overloaded or failing (could not {action}: HTTP {status}: {reason}); "
                    "try again later.") from exc
            if status == 400 and query:
                hint = query if isinstance(query, str) else "check the request"
                raise QueryError(f"Elasticsearch rejected the query (HTTP 400: {reason}); {hint}.") from exc
            if status == 404:
                raise SearchError(f"Elasticsearch could not {action}: {reason}. Run `radar reindex` to rebuild "
                                  f"the index behind alias {self.alias!r}.") from exc
            raise SearchError(f"Elasticsearch at {self.url} could not {action} (HTTP {status}: {reason}).") from exc
        raise SearchError(f"Elasticsearch at {self.url} could not {action}: "
                          f"{type(exc).__name__}: {self._scrub(_short(exc))}") from exc

    def _raise_auth(self, status: int, error: Any) -> NoReturn:
        if status == 401:
            message = (f"Elasticsearch at {self.url} refused the credentials ({self._auth_desc}, HTTP 401). "
                       "Set RADAR_ELASTICSEARCH_USERNAME and RADAR_ELASTICSEARCH_PASSWORD, or RADAR_ELASTICSEARCH_API_KEY "
                       "(for the dev node: eval \"$(scripts/elasticsearch.sh env)\").")
        else:
            detail = self._scrub(_reason(error.get("error", error) if isinstance(error, dict) else error, status))
            message = (f"Elasticsearch at {self.url} denied {self._auth_desc} (HTTP 403: {detail}). Give that user "
                       f"the privileges to manage and write the indices {self.alias}* (or use another user or API key).")
        raise SearchAuthError(message) from None

    def _scrub(self, text: str) -> str:
        return _scrub(text, *self._secrets)


# ---------------------------------------------------------------------- helpers


def bm25_text(query: str, max_terms: int = MAX_QUERY_TERMS) -> str:
    """The text a BM25 query sends: at most ``max_terms`` words, symbols and Lucene syntax
    turned into spaces, word-internal ``.``, ``'`` and ``-`` kept (``3.14``, ``don't``);
    empty when the query holds no word at all."""
    out: list[str] = []
    words = 0
    in_word = False
    for i, ch in enumerate(query):
        if _word_char(ch):
            if not in_word:
                words += 1
                if words > max_terms:
                    break
                in_word = True
            out.append(ch)
        elif ch in ".'’-" and in_word and i + 1 < len(query) and _word_char(query[i + 1]):
            out.append(ch)
        else:
            if in_word:
                out.append(" ")
            in_word = False
    return "".join(out).strip()


def _word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] in "LMN"


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """The filters as non-scoring clauses; since/until are whole UTC days, both inclusive."""
    clauses: list[dict[str, Any]] = []
    if filters.field:
        clauses.append({"term": {"field": filters.field}})
    if filters.category:
        clauses.append({"term": {"categories": filters.category}})
    if filters.source:
        clauses.append({"term": {"source": {"value": filters.source, "case_insensitive": True}}})
    if filters.since or filters.until:
        bounds: dict[str, str] = {}
        if filters.since:
            bounds["gte"] = f"{_day(filters.since)}||/d"  # rounds down to the day's start
        if filters.until:
            bounds["lte"] = f"{_day(filters.until)}||/d"  # rounds up to the day's last millisecond
        clauses.append({"range": {"published": bounds}})
    if filters.announce:
        clauses.append({"terms": {"announce": list(filters.announce)}})
    return clauses


def _day(value: date) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _source(doc: SearchDoc, vector: list[float], *, analysed: bool = False) -> dict[str, Any]:
    """The document Elasticsearch stores; ``analysed``: title and abstract as Radar's terms (RADAR_ANALYSIS)."""
    if analysed:
        title, abstract = " ".join(terms(doc.title)), " ".join(terms(doc.abstract))
    else:
        title, abstract = fold(doc.title), fold(doc.abstract)
    source: dict[str, Any] = {
        "paper_id": doc.paper_id, "title": title, "abstract": abstract,
        "authors": list(doc.authors), "categories": list(doc.categories), "field": doc.field, "source": doc.source,
        "announce": doc.announce,
        "content_hash": doc.content_hash, "vector": vector,
    }
    if doc.published is not None:
        published = doc.published
        if published.tzinfo is not None:
            published = published.astimezone(UTC).replace(tzinfo=None)
        source["published"] = published.isoformat() + "Z"
    return source


def _chunked(items: Iterator[_T], size: int) -> Iterator[list[_T]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _as_vector(vector: Sequence[float]) -> list[float] | None:
    try:
        values = [float(x) for x in vector]
    except (TypeError, ValueError):
        return None
    return values if all(math.isfinite(x) for x in values) else None


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "model"


def _describe(meta: dict[str, Any]) -> str:
    return f"model {meta.get('model')!r}, {meta.get('dims')} dimensions, mapping version {meta.get('mapping_version')}"


def _reason(error: Any, status: Any = None) -> str:
    """A one-line reason from a bulk item's error (a dict from Elasticsearch, or a string)."""
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        caused = error.get("caused_by")
        if isinstance(caused, dict) and caused.get("reason") and caused["reason"] not in text:
            text += f" (caused by {caused.get('type', 'error')}: {caused['reason']})"
    else:
        text = str(error) if error else "unknown error"
    if status is not None:
        text = f"HTTP {status}: {text}"
    return text[:500]


def _error_type(exc: ApiError) -> str | None:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return None


def _api_reason(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        root = (error.get("root_cause") or [None])[0]
        text = _reason(error)
        if isinstance(root, dict) and root.get("reason") and root.get("reason") not in text:
            text += f"; root cause {root.get('type')}: {root['reason']}"
        return text[:500]
    return _short(exc)


def _connection_reason(exc: BaseException) -> str:
    """The OS-level cause (``[Errno 111] Connection refused``, ``Read timed out``) of a transport error."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\][^)\]'\"]*|Read timed out|timed out", text)
    return found.group(0).strip() if found else _short(exc)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def _scrub(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return mask_url(text)


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without user:password@ (never shown), and those credentials if it had them."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url, None, None
    if parts.username is None and parts.password is None:
        return url.strip(), None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, unquote(parts.username or ""), unquote(parts.password or "")
