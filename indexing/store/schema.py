"""The DuckDB schema, as numbered migrations applied in order, each in its own transaction.

A migration's step is SQL, or a Python function of the connection when SQL cannot say it
(rewriting stored text with the current normalisation). Times are stored as UTC in plain
TIMESTAMP columns. Add a migration; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from indexing.store.renormalise import renormalise_papers
from indexing.store.vectors import vectors_as_bytes

Step = str | Callable[[duckdb.DuckDBPyConnection], object]

MIGRATIONS: list[tuple[int, str, Step]] = [
    (1, "papers, versions, sightings, aliases, feed state, runs, rejects", """
        CREATE TABLE papers (
            paper_id         VARCHAR PRIMARY KEY,
            source           VARCHAR NOT NULL,
            title            VARCHAR NOT NULL,
            abstract         VARCHAR NOT NULL,
            authors          VARCHAR[] NOT NULL,
            categories       VARCHAR[] NOT NULL,
            primary_category VARCHAR,
            field            VARCHAR NOT NULL,
            doi              VARCHAR,
            journal_ref      VARCHAR,
            url              VARCHAR,
            pdf_url          VARCHAR,
            license          VARCHAR,
            published        TIMESTAMP,
            updated          TIMESTAMP,
            version          INTEGER,
            announce_type    VARCHAR,
            section          VARCHAR,
            venue            VARCHAR,
            first_seen       TIMESTAMP NOT NULL,
            last_changed     TIMESTAMP NOT NULL
        );
        -- Every id a paper is known by (its own, its DOI), pointing at the stored paper_id.
        CREATE TABLE paper_aliases (
            alias    VARCHAR PRIMARY KEY,
            paper_id VARCHAR NOT NULL
        );
        CREATE TABLE versions (
            paper_id   VARCHAR NOT NULL,
            version    INTEGER NOT NULL,
            title      VARCHAR NOT NULL,
            published  TIMESTAMP,
            updated    TIMESTAMP,
            first_seen TIMESTAMP NOT NULL,
            PRIMARY KEY (paper_id, version)
        );
        CREATE TABLE sightings (
            paper_id      VARCHAR NOT NULL,
            feed          VARCHAR NOT NULL,
            announce_type VARCHAR NOT NULL,  -- '' when the feed does not say
            version       INTEGER NOT NULL,  -- 0 when the feed does not say
            run_id        VARCHAR NOT NULL,
            seen_at       TIMESTAMP NOT NULL,
            PRIMARY KEY (paper_id, feed, announce_type, version)
        );
        CREATE TABLE feed_state (
            feed          VARCHAR PRIMARY KEY,
            url           VARCHAR NOT NULL,
            etag          VARCHAR,
            last_modified VARCHAR,
            last_success  TIMESTAMP,
            last_attempt  TIMESTAMP,
            last_error    VARCHAR
        );
        CREATE TABLE runs (
            run_id      VARCHAR PRIMARY KEY,
            started_at  TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            status      VARCHAR NOT NULL   -- running | ok | partial | failed
        );
        CREATE TABLE run_feeds (
            run_id      VARCHAR NOT NULL,
            feed        VARCHAR NOT NULL,
            kind        VARCHAR NOT NULL,
            url         VARCHAR NOT NULL,
            started_at  TIMESTAMP NOT NULL,
            finished_at TIMESTAMP NOT NULL,
            status      VARCHAR NOT NULL,  -- ok | not-modified | partial | failed
            fetched     INTEGER NOT NULL,
            new         INTEGER NOT NULL,
            updated     INTEGER NOT NULL,
            unchanged   INTEGER NOT NULL,
            rejected    INTEGER NOT NULL,
            error       VARCHAR,
            PRIMARY KEY (run_id, feed)
        );
        CREATE TABLE rejects (
            feed         VARCHAR NOT NULL,
            excerpt_hash VARCHAR NOT NULL,
            identifier   VARCHAR,
            reason       VARCHAR NOT NULL,
            excerpt      VARCHAR NOT NULL,
            run_id       VARCHAR NOT NULL,
            seen_at      TIMESTAMP NOT NULL,
            PRIMARY KEY (feed, excerpt_hash)
        );
    """),
    (2, "embeddings cache and per-backend index marks", """
        CREATE TABLE embeddings (
            paper_id  VARCHAR NOT NULL,
            model     VARCHAR NOT NULL,
            text_hash VARCHAR NOT NULL,  -- of the embedded text: a changed paper is embedded again
            vector    FLOAT[] NOT NULL,
            PRIMARY KEY (paper_id, model)
        );
        -- A paper is marked only once its search index acknowledged it.
        CREATE TABLE index_marks (
            backend      VARCHAR NOT NULL,  -- 'local' or 'elasticsearch:<alias>'
            paper_id     VARCHAR NOT NULL,
            content_hash VARCHAR NOT NULL,
            indexed_at   TIMESTAMP NOT NULL,
            PRIMARY KEY (backend, paper_id)
        );
    """),
    (3, "briefs with their sources, and the per-paper summary cache", """
        CREATE TABLE briefs (
            brief_id          VARCHAR PRIMARY KEY,
            created_at        TIMESTAMP NOT NULL,
            topic             VARCHAR NOT NULL,
            profile           VARCHAR,
            language          VARCHAR NOT NULL,
            kind              VARCHAR NOT NULL,  -- llm | extractive | empty
            model             VARCHAR,           -- the model that answered; NULL when extractive
            prompt_hash       VARCHAR,
            since             DATE,
            until             DATE,
            fields            VARCHAR[] NOT NULL, -- --field restrictions asked for
            retrieval_ms      DOUBLE NOT NULL,
            model_ms          DOUBLE NOT NULL,
            verification_ms   DOUBLE NOT NULL,
            sentences_checked INTEGER NOT NULL,
            sentences_kept    INTEGER NOT NULL,
            sentences_flagged INTEGER NOT NULL,
            sentences_dropped INTEGER NOT NULL,
            citations_removed INTEGER NOT NULL,
            links_removed     INTEGER NOT NULL,
            document          JSON NOT NULL      -- the verified brief, as `radar brief --format json` prints it
        );
        CREATE TABLE brief_sources (
            brief_id VARCHAR NOT NULL,
            number   INTEGER NOT NULL,  -- the [n] the brief cites it by
            paper_id VARCHAR NOT NULL,
            field    VARCHAR NOT NULL,
            PRIMARY KEY (brief_id, number)
        );
        CREATE TABLE summaries (
            paper_id   VARCHAR NOT NULL,
            model      VARCHAR NOT NULL,  -- 'extractive' when no model is configured
            text_hash  VARCHAR NOT NULL,  -- of title and abstract: a changed paper is summarised again
            language   VARCHAR NOT NULL,
            summary    VARCHAR NOT NULL,
            takeaways  VARCHAR[] NOT NULL,
            created_at TIMESTAMP NOT NULL,
            PRIMARY KEY (paper_id, model, text_hash, language)
        );
    """),
    (4, "index marks keyed by the identity of the index, not the backend's name", """
        -- index_marks.backend now holds the identity of the index a paper was written to
        -- ('local:<uuid>', 'elasticsearch:<index>:<uuid>', kept in the index's own metadata).
        -- Marks under a bare backend name cannot say which index holds the papers: dropped, so
        -- the next `radar index` sends every paper once (vectors come from the cache).
        DELETE FROM index_marks WHERE backend IN ('local', 'elasticsearch');
    """),
    (5, "repaired and kept counts on feed results; credentials masked in stored URLs and errors", r"""
        ALTER TABLE run_feeds ADD COLUMN repaired INTEGER DEFAULT 0;  -- items with bytes replaced by U+FFFD
        ALTER TABLE run_feeds ADD COLUMN kept INTEGER DEFAULT 0;      -- papers whose better stored text was kept
        -- The pattern of radar.redact.mask_url, frozen here as it was when this migration shipped.
        UPDATE run_feeds SET url = regexp_replace(url, '([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]+@', '\1***@', 'g'),
                             error = regexp_replace(error, '([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]+@', '\1***@', 'g');
        UPDATE feed_state SET url = regexp_replace(url, '([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]+@', '\1***@', 'g'),
                              last_error = regexp_replace(last_error, '([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]+@', '\1***@', 'g');
    """),
    (6, "stored titles, abstracts and authors rewritten: no control characters, LaTeX accents in Unicode, "
        "authors as Given Family", renormalise_papers),
    (7, "the process (pid, host) of each run, so a run that died can be told from one still running", """
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN hostname VARCHAR;
    """),
    (8, "the article type of journal items (research, news, correction...)", """
        ALTER TABLE papers ADD COLUMN article_type VARCHAR;
    """),
    (9, "a change counter, bumped by every write transaction", """
        -- One row. Long-running readers compare it with the value they saw to notice new data.
        CREATE TABLE store_changes (counter BIGINT NOT NULL);
        INSERT INTO store_changes VALUES (0);
    """),
    (10, "the mail log: one row per attempt to mail a profile's digest of a day", """
        CREATE TABLE mail_log (
            attempt_id  VARCHAR PRIMARY KEY,
            profile     VARCHAR NOT NULL,
            day         DATE NOT NULL,        -- the digest's day: one message per profile and day
            recipients  VARCHAR[] NOT NULL,
            status      VARCHAR NOT NULL,     -- sending | handing-over | sent | failed | uncertain
            error       VARCHAR,              -- why it failed, or the recipients the server refused
            message_id  VARCHAR NOT NULL,     -- the same for every attempt of a profile and day
            started_at  TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            pid         INTEGER,              -- the process of an attempt still open, to tell one that died
            hostname    VARCHAR
        );
    """),
    (11, "the raw text of each version as its feed sent it; version 0 for sources without versions", """
        ALTER TABLE versions ADD COLUMN raw_title VARCHAR;
        ALTER TABLE versions ADD COLUMN raw_abstract VARCHAR;
        ALTER TABLE versions ADD COLUMN raw_authors VARCHAR[];
    """),
    (12, "interest profiles kept in the store, and star / dismiss feedback on papers", """
        -- One row per profile Radar knows beyond the config file: created here ('store'), or
        -- imported from the TOML config ('config'). spec is the profile as it is now (NULL once
        -- deleted here); base is the config's version as last imported, so an edit here and a
        -- change in the config can be told apart (both at once is a conflict to resolve).
        CREATE TABLE profiles (
            name       VARCHAR PRIMARY KEY,
            origin     VARCHAR NOT NULL,  -- config | store
            spec       JSON,
            base       JSON,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL
        );
        CREATE TABLE profile_feedback (
            profile  VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL,
            verdict  VARCHAR NOT NULL,  -- star | dismiss
            given_at TIMESTAMP NOT NULL,
            PRIMARY KEY (profile, paper_id)
        );
    """),
    (13, "brief jobs: briefs asked for in the web app, written in the background", """
        CREATE TABLE brief_jobs (
            job_id      VARCHAR PRIMARY KEY,
            state       VARCHAR NOT NULL,     -- running | done | empty | failed (queued ones live in the server)
            stage       VARCHAR,              -- retrieving | writing | checking | saving
            progress    DOUBLE NOT NULL,      -- 0..1
            error       VARCHAR,
            request     VARCHAR NOT NULL,     -- JSON: topic or profile, language, dates, fields
            brief_id    VARCHAR,              -- the brief written, when done
            created_at  TIMESTAMP NOT NULL,   -- when the reader asked
            started_at  TIMESTAMP,
            finished_at TIMESTAMP,
            pid         INTEGER,              -- the process writing it, to tell one that died
            hostname    VARCHAR
        );
    """),
    (14, "translations of queries the embedding model cannot read, by query and language model", """
        CREATE TABLE query_translations (
            query       VARCHAR NOT NULL,   -- as typed, whitespace collapsed
            model       VARCHAR NOT NULL,   -- the language model that translated it
            language    VARCHAR NOT NULL,   -- the query's language as detected (zh, ja, de...)
            translation VARCHAR NOT NULL,   -- in English
            created_at  TIMESTAMP NOT NULL,
            PRIMARY KEY (query, model)
        );
    """),
    (15, "cached vectors as float32 bytes (a few rows read without decoding the whole column)", vectors_as_bytes),
]

LATEST = max(m[0] for m in MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of the store; 0 for an empty file. Works on read-only stores."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'").fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def pending(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The migrations the store lacks, by number (not "above the highest applied": migrations
    written on parallel branches may be merged out of order). Works on read-only stores."""
    if not current_version(con):
        return sorted(m[0] for m in MIGRATIONS)
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return sorted(m[0] for m in MIGRATIONS if m[0] not in done)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations the store lacks; returns the versions applied."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    todo = set(pending(con))
    applied = []
    for version, description, step in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version not in todo:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            if isinstance(step, str):
                con.execute(step)
            else:
                step(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, current_timestamp::TIMESTAMP)",
                        [version, description])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
