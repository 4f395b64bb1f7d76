"""Terminal output: progress bars per feed and summary tables (rich), printed by the CLI through
:class:`flows.printer.SafeConsole`, which removes control characters from everything it prints."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from rich.markup import escape
from rich.text import Text

from queries.citation import kind_label

if TYPE_CHECKING:  # types only: `radar status` and `--help` import none of the ingest or query code
    from indexing.ingest import RunReport
    from indexing.store.runs import FeedResult
    from queries.status import StoreStatus

STATUS_STYLE = {"ok": "green", "not-modified": "cyan", "partial": "yellow", "failed": "red"}


class ProgressListener:
    """One bar per feed: a spinner while fetching, then papers stored out of papers parsed."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[state]}"), TimeElapsedColumn(), console=console, transient=False,
        )
        self._tasks: dict[str, int] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressListener:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def _task(self, feed: str) -> int:
        with self._lock:
            if feed not in self._tasks:
                self._tasks[feed] = self.progress.add_task(feed, total=None, state="fetching")
            return self._tasks[feed]

    def feed_started(self, feed: str) -> None:
        self._task(feed)

    def feed_progress(self, feed: str, done: int, total: int) -> None:
        self.progress.update(self._task(feed), completed=done, total=total, state="storing")

    def feed_finished(self, result: FeedResult) -> None:
        style = STATUS_STYLE.get(result.status, "white")
        total = max(result.fetched, 1)
        self.progress.update(self._task(result.feed), completed=total, total=total,
                             state=f"[{style}]{result.status}[/]")


RUN_COLUMNS = (("items", "fetched"), ("new", "new"), ("updated", "updated"), ("unchanged", "unchanged"),
               ("rejected", "rejected"))


# Shown only when some feed has them: items stored with replaced bytes, stored text kept against worse.
RARE_COLUMNS = (("repaired", "repaired"), ("kept stored text", "kept"))


def run_table(report: RunReport) -> Table:
    """One row per feed; the error column (and the rare counts) only when some feed has one."""
    table = Table(title=f"Ingest run {report.run_id}: {report.status}", title_justify="left")
    table.add_column("feed", no_wrap=True)
    table.add_column("status", no_wrap=True)
    columns = RUN_COLUMNS + tuple(c for c in RARE_COLUMNS if any(getattr(r, c[1]) for r in report.feeds))
    for header, _ in columns:
        table.add_column(header, justify="right", no_wrap=True)
    with_errors = any(r.error for r in report.feeds)
    if with_errors:
        table.add_column("error", overflow="fold")
    for r in report.feeds:
        style = STATUS_STYLE.get(r.status, "white")
        cells = [r.feed, f"[{style}]{r.status}[/]", *(str(getattr(r, name)) for _, name in columns)]
        table.add_row(*cells, *([r.error or ""] if with_errors else []))
    table.add_section()
    totals = [str(sum(getattr(r, name) for r in report.feeds)) for _, name in columns]
    table.add_row("total", "", *totals, *([""] if with_errors else []))
    return table


def status_tables(status: StoreStatus) -> list[Table]:
    overview = Table(title=f"Store {status.store}", title_justify="left", show_header=False)
    for label, value in (("papers", status.papers), ("sightings", status.sightings),
                         ("versions", status.versions), ("rejects", status.rejects)):
        overview.add_row(label, str(value))
    if status.last_run:
        run = status.last_run
        died = " - its process ended before it finished; run `radar ingest` again" if run["status"] == "died" else ""
        overview.add_row("last run", f"{run['run_id']} ({run['status']}{died})")
    tables = [overview]
    for title, counts in (("by source", status.by_source), ("by field", status.by_field),
                          ("by day (published, UTC)", {str(k): v for k, v in status.by_day.items()})):
        t = Table(title=title, title_justify="left")
        t.add_column("")
        t.add_column("papers", justify="right")
        for key, value in counts.items():
            t.add_row(str(key), str(value))
        tables.append(t)
    feeds = Table(title="feeds (last run, UTC)", title_justify="left")
    for name in ("feed", "status", "new", "upd", "rej", "last ok", "error"):
        feeds.add_column(name, no_wrap=name != "error", overflow="fold",
                         justify="right" if name in ("new", "upd", "rej") else "left")
    for f in status.feeds:
        style = STATUS_STYLE.get(f.status, "white")
        feeds.add_row(f.feed, f"[{style}]{f.status}[/]", str(f.new), str(f.updated),
                      str(f.rejected), f"{f.last_success:%m-%d %H:%M}" if f.last_success else "never", f.error or "")
    tables.append(feeds)
    return tables


def search_table(result) -> Table | str:  # noqa: ANN001 - a queries.search.SearchResult
    """Ranked hits with their relevance: title and snippet with the query words in bold, then who,
    where, when. A line saying so when nothing clears the relevance floor."""
    from rich.markup import escape

    if result.nothing_relevant:
        return (f"Nothing relevant to {escape(repr(result.query))} ({result.mode}, {result.backend}): "
                f"{result.below_floor} papers match a little, none with relevance {result.floor:.2f} or more. "
                "Try other words, or add --all to see them anyway.")
    hidden = f", {result.below_floor} under relevance {result.floor:.2f} left out (--all shows them)" \
        if result.below_floor else ""
    title = f"{len(result.hits)} results for {result.query!r} ({result.mode}, {result.backend}, " \
            f"{result.took_ms:.0f} ms{hidden})"
    table = Table(title=escape(title), title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("relevance", justify="right")
    table.add_column("paper", overflow="fold")
    for hit in result.hits:
        snippet, cursor, parts = hit.snippet, 0, []
        for start, end in hit.highlights:
            parts.append(escape(snippet[cursor:start]) + f"[bold yellow]{escape(snippet[start:end])}[/]")
            cursor = end
        parts.append(escape(snippet[cursor:]))
        authors = few_authors(hit.authors)
        meta = " · ".join(x for x in (hit.paper_id, hit.field, ", ".join(hit.categories[:3]), hit.published or "",
                                      kind_label(hit)) if x)
        shade = "green" if hit.relevance >= 0.5 else "yellow" if hit.relevance >= result.floor else "dim"
        table.add_row(str(hit.rank), f"[{shade}]{hit.relevance:.2f}[/]",
                      f"[bold]{escape(hit.title)}[/]\n[dim]{escape(authors)}[/]\n"
                      f"{''.join(parts)}\n[cyan]{escape(meta)}[/]  {escape(hit.url or '')}")
    return table


def few_authors(authors: list[str], shown: int = 3) -> str:
    """The first ``shown`` authors, with "et al." when there are more."""
    return ", ".join(authors[:shown]) + (" et al." if len(authors) > shown else "")


def related_table(result) -> Table:  # noqa: ANN001 - a queries.related.RelatedResult
    """Related papers, one section per field (own field first), each with its reason."""
    title = (f"{len(result.hits)} papers related to {result.paper_id} ({result.field}): {result.title}\n"
             f"[dim]{result.candidates} candidates, {result.backend}, {result.took_ms:.0f} ms[/]")
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("field", no_wrap=True, style="bold magenta")
    table.add_column("paper", overflow="fold")
    for group in result.groups:
        for n, hit in enumerate(group.hits):
            authors = few_authors(hit.authors)
            meta = " · ".join(x for x in (hit.paper_id, ", ".join(hit.categories[:3]), hit.published or "",
                                          kind_label(hit)) if x)
            table.add_row(group.field if n == 0 else "",
                          f"[bold]{escape(hit.title)}[/]\n[dim]{escape(authors)}[/]\n"
                          f"[green]{escape(hit.reason)}[/]\n[cyan]{escape(meta)}[/]  {escape(hit.url or '')}")
    return table


def digest_view(d) -> list:  # noqa: ANN001 - a queries.digest.Digest
    """A daily list: numbered papers with source and category, date, title, authors, abstract,
    link and related fields; a one-line message when the day has none."""
    day = d.day.isoformat() if d.day else "no day"
    head = [Text.from_markup(f"[bold]Radar digest: {escape(d.profile)}, {day}[/]  [dim]{escape(d.description)}[/]")]
    from queries.digest import empty_message, left_out_message, short_authors, shown_message

    if not d.entries:
        return [*head, Text(empty_message(d))]
    head.append(Text(f"{shown_message(d)} Best first."))
    if d.left_out:
        head.append(Text(left_out_message(d), style="dim"))
    if d.seeds_missing:
        head.append(Text(f"Seed papers not in the store (ignored): {', '.join(d.seeds_missing)}.", style="yellow"))
    table = Table(show_header=False, show_lines=True, box=None, padding=(0, 1, 1, 0))
    table.add_column("#", justify="right", style="bold")
    table.add_column("paper", overflow="fold")
    for e in d.entries:
        where = " · ".join(x for x in (e.source, ", ".join(e.categories[:3]) or e.field, e.published or "",
                                       kind_label(e)) if x)
        related = ", ".join(e.related_fields) or "none nearby"
        table.add_row(f"{e.number}.", f"[cyan]{escape(where)}[/]  [dim]relevance {e.relevance:.2f}[/]\n"
                      f"[bold]{escape(e.title)}[/]\n[dim]{escape(short_authors(e.authors))}[/]\n"
                      f"{escape(e.abstract)}\n{escape(e.url or e.paper_id)}  [magenta]related fields: {escape(related)}[/]")
    return [*head, table]


def briefs_table(rows: list[dict]) -> Table:
    """Stored briefs, newest first, with what their checks did."""
    table = Table(Column("brief", no_wrap=True), Column("created (UTC)", no_wrap=True), "topic", "kind",
                  "kept", "flagged", "dropped")
    for row in rows:
        topic = f"{row['profile']}: {row['topic']}" if row["profile"] else row["topic"]
        kind = row["model"] if row["kind"] == "llm" else row["kind"]
        table.add_row(row["brief_id"], f"{row['created_at']:%Y-%m-%d %H:%M}", topic, kind,
                      str(row["sentences_kept"]), str(row["sentences_flagged"]), str(row["sentences_dropped"]))
    return table
