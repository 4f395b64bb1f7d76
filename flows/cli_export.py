"""`radar export`: a paper, a search, a profile's digest of a day or a stored brief's sources as
BibTeX, RIS or CSL-JSON, for Zotero, Mendeley, JabRef or a .bib file. Registered by flows/cli.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli import ConfigOption, _check_choice, _dump, _fail, _usage, app, err, out
from radar.errors import RadarError

if TYPE_CHECKING:
    from indexing.records import Paper
    from indexing.store import Store

FORMATS = ("bibtex", "ris", "csljson")
export_app = typer.Typer(
    help="Export papers for a reference manager (Zotero, Mendeley, JabRef, a .bib file) as BibTeX, RIS or CSL-JSON.",
    epilog="Examples: radar export paper arxiv:2411.17766 --format bibtex;  "
           "radar export digest ml-for-biology --date 2024-11-28 --format ris -o today.ris",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
FormatOption = Annotated[str, typer.Option("--format", "-f", help="bibtex, ris or csljson.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.", show_default=False)]
ExportJson = Annotated[bool, typer.Option("--json", help="With -o: print what was written (format, papers, cite keys) as JSON.")]


@export_app.command("paper")
def export_paper(
    paper_id: Annotated[str, typer.Argument(help="The paper: arxiv:2411.17766, 2411.17766v2, doi:10.1101/…", show_default=False)],
    output_format: FormatOption = "bibtex",
    output: OutputOption = None,
    json_output: ExportJson = False,
) -> None:
    """One paper."""
    from queries.exports.collect import paper_papers

    _check(output_format, output, json_output)
    _write(_from_store(lambda store: paper_papers(store, paper_id)), output_format, output, json_output, "paper")


@export_app.command("search")
def export_search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words (as `radar search`).", show_default=False)],
    mode: Annotated[str, typer.Option("--mode", "-m", help="hybrid, bm25 or dense.")] = "hybrid",
    field: Annotated[str | None, typer.Option("--field", help="Only this broad field.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category, e.g. cs.LG.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source, e.g. arxiv.")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Published on or after (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Published on or before (UTC).")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=1000, help="How many results.")] = 10,
    output_format: FormatOption = "bibtex",
    output: OutputOption = None,
    json_output: ExportJson = False,
) -> None:
    """The hits of a search, in rank order."""
    from flows.runtime import searching
    from indexing.search.base import Filters
    from queries.exports.collect import search_papers
    from queries.llm import build_model

    _check(output_format, output, json_output)
    _check_choice("--mode", mode, ("hybrid", "bm25", "dense"))
    filters = Filters(field=field, category=category, source=source,
                      since=since.date() if since else None, until=until.date() if until else None)
    try:
        with searching() as s:
            papers = search_papers(s.store, s.backend, s.embedder, query, mode=mode, filters=filters, k=k,  # type: ignore[arg-type]
                                   model=build_model(s.settings))
    except RadarError as exc:
        raise _fail(exc) from None
    _write(papers, output_format, output, json_output, "search")


@export_app.command("digest")
def export_digest(
    profile: Annotated[str, typer.Argument(help="An interest profile (`radar profile list`).", show_default=False)],
    day: Annotated[datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="The day (UTC). Default: the latest day with papers.", show_default=False)] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=500, help="How many papers (as `radar digest`).")] = 25,
    config: ConfigOption = None,
    output_format: FormatOption = "bibtex",
    output: OutputOption = None,
    json_output: ExportJson = False,
) -> None:
    """A profile's digest of a day, in digest order."""
    from flows.profiling import profile_named
    from flows.runtime import searching
    from queries.exports.collect import digest_papers
    from radar.settings import load_settings

    _check(output_format, output, json_output)
    try:
        settings = load_settings()
        with searching(settings) as s:
            found = profile_named(settings, profile, config, s.store)
            papers = digest_papers(s.store, s.backend, s.embedder, found, day=day.date() if day else None, k=k)
    except RadarError as exc:
        raise _fail(exc) from None
    _write(papers, output_format, output, json_output, "digest")


@export_app.command("brief")
def export_brief(
    brief_id: Annotated[str, typer.Argument(help="A stored brief (`radar briefs` lists them).", show_default=False)],
    output_format: FormatOption = "bibtex",
    output: OutputOption = None,
    json_output: ExportJson = False,
) -> None:
    """A stored brief's numbered sources, in their order."""
    from queries.exports.collect import brief_papers

    _check(output_format, output, json_output)
    _write(_from_store(lambda store: brief_papers(store, brief_id)), output_format, output, json_output, "brief")


def _from_store(collect: Callable[[Store], list[Paper]]) -> list[Paper]:
    """The papers ``collect`` reads from the store, opened read-only; a RadarError exits as the CLI's errors do."""
    from indexing.store import open_store
    from radar.settings import load_settings

    try:
        settings = load_settings()
        with open_store(settings.store_path, read_only=True, waits=settings.store) as store:
            return collect(store)
    except RadarError as exc:
        raise _fail(exc) from None


def _check(output_format: str, output: Path | None, json_output: bool) -> None:
    _check_choice("--format", output_format, FORMATS)
    if json_output and output is None:
        _usage("--json reports what was written to a file: give -o FILE too (without -o the export itself goes to stdout)")


def _write(papers: list[Paper], output_format: str, output: Path | None, json_output: bool, kind: str) -> None:
    from queries.exports import export
    from queries.exports.keys import cite_keys

    text = export(papers, output_format)
    if not papers:
        err.print(f"[yellow]note:[/] the {kind} holds no papers: the export is empty", highlight=False)
    if output is None:
        if text:
            out.write_text(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _usage(f"cannot write {output}: {exc.strerror or exc}")
    if json_output:
        keys = cite_keys(papers)
        _dump({"schema": "radar.export/1", "kind": kind, "format": output_format, "output": str(output),
               "papers": [{"paper_id": p.paper_id, "key": keys[p.paper_id]} for p in papers]})
    else:
        err.print(f"wrote {len(papers)} paper{'s' if len(papers) != 1 else ''} to {output}", highlight=False)


app.add_typer(export_app, name="export")
