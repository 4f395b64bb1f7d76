"""The ``radar`` command line.

Exit codes: 0 success (some feeds may have failed: see the summary), 1 every feed
failed or an operation failed, 2 bad usage or configuration, 3 the store is busy.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from flows.printer import consoles
from radar import __version__
from radar.errors import ConfigError, QueryError, RadarError, StoreBusyError

if TYPE_CHECKING:
    from radar.settings import Settings

EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3

app = typer.Typer(
    name="radar",
    help="Radar: pull new papers from arXiv, bioRxiv/medRxiv and journals into one store, search them by meaning, "
         "find related work across fields, and write briefs whose citations are checked.",
    epilog="Exit codes: 0 ok, 1 failed (for ingest: every feed failed), 2 bad usage or config, 3 store busy.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
out, err = consoles()  # every print of the CLI goes through them: control characters removed

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Feeds config (TOML). Default: $RADAR_CONFIG, else ./radar.toml, else the bundled default.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's own logs (when a Prefect API is configured).")]


def _version(value: bool) -> None:
    if value:
        out.print(f"radar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Radar: an academic-literature radar."""
    # Client libraries log every failed connection; Radar reports the failure once, clearly.
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)


def _fail(exc: RadarError) -> typer.Exit:
    from rich.markup import escape  # messages hold brackets ([[feeds]], [cs.AI]) that are not markup

    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    code = (EXIT_USAGE if isinstance(exc, ConfigError | QueryError)
            else EXIT_BUSY if isinstance(exc, StoreBusyError) else EXIT_FAILED)
    return typer.Exit(code)


def _dump(data: object) -> None:
    out.write_json(data)


@app.command()
def ingest(
    config: ConfigOption = None,
    only: Annotated[list[str] | None, typer.Option("--only", "-o", help="Run only this feed (repeatable).")] = None,
    json_output: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Fetch the configured feeds into the store, several feeds at a time (one Prefect task each
    when a Prefect API is configured)."""
    from flows.console import ProgressListener, run_table
    from flows.runtime import listening
    from radar.config import configured
    from radar.settings import load_settings

    try:
        settings = load_settings()
        configured(settings, config).select(only)  # fail fast, before any work starts
        if _through_prefect(verbose, settings):
            from flows.ingest import ingest as ingest_flow
            run_ingest = _unwrapped(ingest_flow)
        else:
            from flows.jobs import ingest_run as run_ingest
        from flows.outcome import ingest_outcome

        with ProgressListener(err) as listener, listening(listener):
            report = run_ingest(config=str(config) if config else None, only=only)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump({"run_id": report.run_id, "status": report.status, "feeds": [asdict(r) for r in report.feeds]})
    else:
        out.print(run_table(report))
    if ingest_outcome(report).failed:
        raise typer.Exit(EXIT_FAILED)


def _through_prefect(verbose: bool, settings: Settings) -> bool:
    """Whether to run a flow through Prefect: only when a Prefect API is configured (and answers);
    otherwise the CLI runs the flow's body as a plain function, without Prefect's temporary server."""
    from flows.prefect_api import configured_api

    api = configured_api(settings.home)
    if api is None:
        return False
    api.check_reachable()
    from flows.runtime import prepare_prefect_environment

    prepare_prefect_environment(settings)
    # Radar prints its own summary and errors; Prefect's task tracebacks only with --verbose.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    return True


def _unwrapped(flow):  # noqa: ANN001, ANN202 - a Prefect flow whose runs end in a state that carries the result
    """Call ``flow`` for its result: a run that ended Failed still hands back its report."""
    from flows.outcome import result_of

    return lambda **kwargs: result_of(flow(**kwargs, return_state=True))


def _run_index(rebuild: bool, json_output: bool, verbose: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.runtime import reporting_index_progress
    from radar.settings import load_settings

    try:
        if _through_prefect(verbose, load_settings()):
            from flows.index import index as index_flow
            run_index = _unwrapped(index_flow)
        else:
            from flows.jobs import index_run as run_index

        with Progress(TextColumn("[bold]embedding + indexing"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err) as bars:
            task = bars.add_task("index", total=None)
            with reporting_index_progress(lambda done, total: bars.update(task, completed=done, total=total)):
                result = run_index(rebuild=rebuild)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(asdict(result))
    else:
        if result.new_index and not rebuild and result.pending:
            out.print(f"The search index {result.index_id} holds nothing from this store (new, another "
                      f"alias or cluster, lost or emptied): indexing all {result.pending} papers.", highlight=False)
        out.print(f"[bold]{result.backend}[/]: {result.indexed} of {result.pending} papers indexed "
                  f"({result.embedded} embedded, {result.reused} from the cache); {result.total} in the index."
                  + (f" {result.already} were already indexed." if result.already else ""))
        for paper_id, reason in list(result.failed.items())[:20]:
            out.print(f"  [red]failed[/] {paper_id}: {reason}", highlight=False)
    if result.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def index(json_output: JsonOption = False,
          verbose: VerboseOption = False) -> None:
    """Embed new and changed papers and add them to the search index (incremental)."""
    _run_index(False, json_output, verbose)


@app.command()
def reindex(json_output: JsonOption = False,
            verbose: VerboseOption = False) -> None:
    """Build a fresh search index of every paper and swap it in (search keeps working)."""
    _run_index(True, json_output, verbose)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.")],
    mode: Annotated[str, typer.Option("--mode", "-m", help="hybrid (BM25 + vectors, fused), bm25 or dense.")] = "hybrid",
    field: Annotated[str | None, typer.Option("--field", help="Only this broad field, e.g. 'Computer Science' (any case).")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category, e.g. cs.LG (any case).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source, e.g. arxiv, biorxiv, Nature (any case).")] = None,
    announce: Annotated[list[str] | None, typer.Option("--announce", help="Only papers announced as new, cross (cross-list) or revised; comma-separated or repeated.")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Published on or after (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Published on or before (UTC).")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=1000, help="How many results.")] = 10,
    show_all: Annotated[bool, typer.Option("--all", help="Also show hits under the relevance floor.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Search the indexed papers by meaning and by words; each hit shows its relevance (0-1), and hits
    under the relevance floor are left out unless --all."""
    from flows.console import search_table
    from flows.runtime import searching
    from indexing.search.base import Filters
    from rich.markup import escape

    from queries.llm import build_model
    from queries.search import search as run_search
    from queries.search import search_json

    _check_choice("--mode", mode, ("hybrid", "bm25", "dense"))
    filters = Filters(field=field, category=category, source=source, announce=tuple(announce or ()),
                      since=since.date() if since else None, until=until.date() if until else None)
    try:
        with searching() as s:
            result = run_search(s.store, s.backend, s.embedder, query, mode=mode, filters=filters, k=k,  # type: ignore[arg-type]
                                include_below_floor=show_all, model=build_model(s.settings))
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(search_json(result))
    else:
        for line in result.notices:  # the query was translated, or searched by words only
            out.print(f"[yellow]Note:[/] {escape(line)}", highlight=False)
        out.print(search_table(result))


@app.command()
def related(
    paper_id: Annotated[str, typer.Argument(help="The paper: arxiv:2411.17766, 2411.17766v2, doi:10.1101/…, or any id `radar search` shows.", show_default=False)],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many related papers.")] = 10,
    json_output: JsonOption = False,
) -> None:
    """Papers related to one paper across fields, grouped by field, each with why (similarity, shared terms)."""
    from flows.console import related_table
    from flows.runtime import searching
    from queries.related import related as find_related
    from queries.related import related_json

    try:
        with searching() as s:
            result = find_related(s.store, s.backend, s.embedder, paper_id, k=k)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(related_json(result))
    else:
        out.print(related_table(result))


@app.command()
def digest(
    profile: Annotated[str, typer.Argument(help="An interest profile (`radar profile list`: the config's and those added with `radar profile add`).", show_default=False)],
    day: Annotated[datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="The day (UTC) whose new papers to rank. Default: the latest day with papers.", show_default=False)] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=500, help="How many papers to show.")] = 25,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """A day's new papers ranked for one interest profile, as a numbered daily list."""
    from flows.console import digest_view
    from flows.runtime import searching
    from flows.profiling import profile_named
    from queries.digest import digest_json
    from queries.feedback import profile_digest
    from radar.settings import load_settings

    try:
        settings = load_settings()
        with searching(settings) as s:
            found = profile_named(settings, profile, config, s.store)
            result = profile_digest(s.store, s.backend, s.embedder, found, day=day.date() if day else None, k=k)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(digest_json(result))
        return
    for part in digest_view(result):
        out.print(part)


@app.command()
def status(json_output: JsonOption = False) -> None:
    """Counts by source, field and day, and the last run of each feed with its errors."""
    from flows.console import status_tables
    from indexing.store import open_store
    from queries.status import store_status
    from radar.settings import load_settings

    try:
        settings = load_settings()
        with open_store(settings.store_path, read_only=True, waits=settings.store) as store:
            report = store_status(store)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(report.to_json())
        return
    for table in status_tables(report):
        out.print(table)


@app.command()
def feeds(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """List the configured feeds."""
    from rich.table import Table

    from radar.config import configured
    from radar.redact import mask_url
    from radar.settings import load_settings

    try:
        loaded = configured(load_settings(), config)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump([f.model_dump(mode="json") | {"url": mask_url(f.resolved_url)} for f in loaded.feeds])
        return
    table = Table("name", "kind", "url", "enabled")
    for f in loaded.feeds:
        table.add_row(f.name, f.kind, mask_url(f.resolved_url), "yes" if f.enabled else "no")
    out.print(table)


@app.command("settings")
def show_settings(json_output: JsonOption = False) -> None:
    """List every RADAR_* setting with its current value and what it does."""
    from rich.table import Table

    from radar.settings import describe_settings, load_settings

    try:
        rows = describe_settings(load_settings())
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(rows)
        return
    table = Table("variable", "value", "description")
    for row in rows:
        table.add_row(row["variable"], str(row["value"]), row["description"])
    out.print(table)


Format = Annotated[str, typer.Option("--format", "-f", help="md (Markdown), html or json.")]


@app.command()
def brief(
    topic: Annotated[str | None, typer.Argument(help="What to be briefed on, in plain words.", show_default=False)] = None,
    profile: Annotated[str | None, typer.Option("--profile", "-p", help="Brief on an interest profile (`radar profile list`) instead of a topic.")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Only papers published on or after this day (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Only papers published on or before this day (UTC).")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", help="Only these broad fields (repeatable), e.g. --field Physics --field Biology.")] = None,
    language: Annotated[str | None, typer.Option("--language", "-l", help="en or zh (default: the profile's, else en).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="litellm model for this brief (default: RADAR_LLM__MODEL; none means extractive).")] = None,
    output_format: Format = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the brief to this file instead of stdout.")] = None,
    config: ConfigOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """Write a cited brief on a topic across fields; every shown citation is checked against its source."""
    from flows.briefing import BriefOrder, run_brief

    if (topic is None) == (profile is None):
        _usage("give a TOPIC or --profile NAME (one of them). Example: radar brief \"protein design with diffusion models\"")
    _check_choice("--format", output_format, ("md", "html", "json"))
    output_format = "json" if json_output else output_format
    if language is not None:
        _check_choice("--language", language, ("en", "zh"))
    order = BriefOrder(topic=topic, profile=profile, since=since.date() if since else None,
                       until=until.date() if until else None, fields=tuple(field or ()), language=language,
                       model=model, config=config)
    try:
        with err.status("[bold]retrieving sources, writing and checking the brief…", spinner="dots"):
            result = run_brief(order)
    except RadarError as exc:
        raise _fail(exc) from None
    _emit(result.render(output_format), output_format, output)
    err.print(result.summary_line(), highlight=False, soft_wrap=True)


@app.command()
def briefs(
    brief_id: Annotated[str | None, typer.Argument(help="Show this stored brief (an id from the list).", show_default=False)] = None,
    limit: Annotated[int, typer.Option("-n", min=1, max=1000, help="How many recent briefs to list.")] = 20,
    output_format: Format = "md",
    json_output: JsonOption = False,
) -> None:
    """List the stored briefs, newest first, or show one again in any format."""
    from flows.briefing import stored_brief, stored_briefs
    from flows.console import briefs_table

    _check_choice("--format", output_format, ("md", "html", "json"))
    try:
        if brief_id is None:
            rows = stored_briefs(limit)
        else:
            outcome = stored_brief(brief_id)
    except RadarError as exc:
        raise _fail(exc) from None
    if brief_id is not None:
        _emit(outcome.render("json" if json_output else output_format), output_format, None)
    elif json_output:
        _dump(rows)
    else:
        out.print(briefs_table(rows))


@app.command()
def summarize(
    paper_id: Annotated[str, typer.Argument(help="The paper, e.g. arxiv:2411.17766 (see `radar search`).")],
    language: Annotated[str, typer.Option("--language", "-l", help="en or zh.")] = "en",
    model: Annotated[str | None, typer.Option("--model", help="litellm model (default: RADAR_LLM__MODEL; none means extractive).")] = None,
    json_output: JsonOption = False,
) -> None:
    """One paragraph and three to five takeaways for one paper (cached by paper, model and text)."""
    from flows.briefing import run_summary

    _check_choice("--language", language, ("en", "zh"))
    try:
        result = run_summary(paper_id, language=language, model=model)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        from queries.summary import summary_json

        _dump(summary_json(result))
        return
    out.print(f"[bold]{result.title}[/] ({result.paper_id})", highlight=False)
    out.print(result.summary, highlight=False)
    for takeaway in result.takeaways:
        out.print(f"  • {takeaway}", highlight=False)
    for notice in result.notices:
        err.print(f"[yellow]note:[/] {notice}", highlight=False)
    cached = ", from the cache" if result.cached else ""
    err.print(f"[dim]{result.model}{cached}[/]", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; the default is reachable from this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Open Radar in a browser: today's papers, paper pages and search, in English or Chinese."""
    from flows.web.server import serve as run_server

    err.print(f"Radar at http://{host}:{port}/ (Ctrl+C stops it)", highlight=False)
    try:
        run_server(host, port)
    except RadarError as exc:
        raise _fail(exc) from None


def _usage(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def _check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _usage(f"{option} must be one of {', '.join(choices)}, not {value!r}")


def _emit(text: str, output_format: str, output: Path | None) -> None:
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _usage(f"cannot write {output}: {exc}")
        err.print(f"wrote {output}", highlight=False)
    elif output_format == "md" and out.is_terminal:
        from rich.markdown import Markdown

        out.print(Markdown(text))
    else:
        out.write_text(text)

if __name__ == "__main__":  # `python -m flows.cli`: run the module proper, where the command groups below
    from flows.cli import app as registered  # register (they import it: one module, one app)

    registered()

# Command groups of their own modules, registered last: they use the options and printers above.
from flows.cli_profile import profile_app  # noqa: E402

app.add_typer(profile_app)
import flows.cli_export  # noqa: E402,F401 - registers `radar export`
import flows.cli_mail  # noqa: E402,F401 - registers `radar mail`
