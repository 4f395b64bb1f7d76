"""`radar profile ...`: list, show, add, edit and delete interest profiles kept in the store, star
or dismiss papers for them, and resolve conflicts with the config file. Registered by flows/cli.py
(imported at its end, so the CLI's shared options and printers exist)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flows.cli import ConfigOption, JsonOption, _dump, _fail, _usage, err, out
from radar.errors import RadarError

profile_app = typer.Typer(
    name="profile", no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
    help="Interest profiles: the config file's (imported into the store, never lost or silently overridden) and "
         "those created here. Stars become seed papers; dismissals push similar papers down the digest.")

NameArg = Annotated[str, typer.Argument(help="The profile's name, e.g. llm-reasoning.", show_default=False)]
PaperArg = Annotated[str, typer.Argument(help="A paper id in any form `radar search` shows, e.g. arxiv:2411.17766.",
                                         show_default=False)]
DescriptionOption = Annotated[str | None, typer.Option("--description", "-d", help="The interest in plain words (it is embedded and searched for).", show_default=False)]
CategoryOption = Annotated[list[str] | None, typer.Option("--category", help="A category to favour, e.g. cs.LG; comma-separated or repeated.", show_default=False)]
SeedOption = Annotated[list[str] | None, typer.Option("--seed", help="A paper id that exemplifies the interest; comma-separated or repeated.", show_default=False)]
LanguageOption = Annotated[str | None, typer.Option("--language", "-l", help="Language of the profile's briefs: en or zh.", show_default=False)]
RevisedOption = Annotated[bool | None, typer.Option("--include-revised/--no-include-revised", help="List revised papers (later versions) in digests too.", show_default=False)]
TypesOption = Annotated[list[str] | None, typer.Option("--article-type", help="Journal article types the digest lists (research, review, news, ...); comma-separated or repeated.", show_default=False)]


def _settings():  # noqa: ANN202 - radar.settings.Settings, imported late (fast --help)
    from radar.settings import load_settings

    return load_settings()


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _changes(description: str | None, categories: list[str] | None, seeds: list[str] | None, language: str | None,
             include_revised: bool | None, article_types: list[str] | None) -> dict:
    given = {"description": description, "categories": _split(categories), "seeds": _split(seeds),
             "language": language, "include_revised": include_revised, "article_types": _split(article_types)}
    return {k: v for k, v in given.items() if v is not None}


def _state(profile, conflict) -> str:  # noqa: ANN001 - queries.profiles.Profile, Conflict
    if conflict is not None:
        return "[red]conflict[/]"
    if profile.source == "store":
        return "created here"
    if not profile.in_config:
        return "from the config (removed from it since)"
    return "config, edited here" if profile.edited else "config"


def _show(profile, conflict) -> None:  # noqa: ANN001 - queries.profiles.Profile, Conflict
    s = profile.spec
    table = Table(show_header=False, box=None, title=f"[bold]{escape(s.name)}[/]", title_justify="left")
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    rows = [("description", s.description), ("categories", ", ".join(s.categories) or "none"),
            ("seeds", ", ".join(s.seeds) or "none"), ("language", s.language),
            ("include revised", "yes" if s.include_revised else "no"),
            ("article types", ", ".join(s.article_types) if s.article_types is not None else "default"),
            ("starred", ", ".join(profile.starred) or "none"), ("dismissed", ", ".join(profile.dismissed) or "none")]
    for key, value in rows:
        table.add_row(key, escape(value))
    table.add_row("source", _state(profile, conflict))
    out.print(table)
    if conflict is not None:
        err.print(f"[yellow]conflict:[/] {escape(conflict.message)}", highlight=False, soft_wrap=True)


@profile_app.command("list")
def list_profiles(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Every profile (the config file's and those created here), with its feedback and any conflict."""
    from flows.profiling import current_profiles
    from queries.profiles import profiles_json

    try:
        profiles = current_profiles(_settings(), config)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(profiles_json(profiles))
        return
    table = Table("profile", "description", "categories", "seeds", "starred", "dismissed", "source")
    for p in profiles.profiles:
        table.add_row(escape(p.name), escape(p.spec.description), escape(", ".join(p.spec.categories)),
                      str(len(p.spec.seeds)), str(len(p.starred)), str(len(p.dismissed)),
                      _state(p, profiles.conflict(p.name)))
    out.print(table)
    for conflict in profiles.conflicts:
        err.print(f"[yellow]conflict:[/] {escape(conflict.message)}", highlight=False, soft_wrap=True)


@profile_app.command("show")
def show(name: NameArg, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """One profile: its keys, starred and dismissed papers, and where it comes from."""
    from flows.profiling import current_profiles
    from queries.profiles import profile_json

    try:
        profiles = current_profiles(_settings(), config)
        profile = profiles.get(name)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(profile_json(profile, profiles.conflict(name)))
    else:
        _show(profile, profiles.conflict(name))


def _write(action, config: Path | None, json_output: bool) -> None:  # noqa: ANN001 - (store, config, now) -> Profile
    from flows.profiling import changing_profiles, current_profiles
    from indexing.store import utc_now
    from queries.profiles import profile_json

    settings = _settings()
    try:
        with changing_profiles(settings, config) as (store, loaded):
            profile, message = action(store, loaded, utc_now())
            conflict = current_profiles(settings, config, store).conflict(profile.name) if profile else None
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump({**(profile_json(profile, conflict) if profile else {"schema": "radar.profile/1"}), "message": message})
        return
    err.print(escape(message), highlight=False, soft_wrap=True)
    if profile is not None:
        _show(profile, conflict)


@profile_app.command("add")
def add(name: NameArg, description: DescriptionOption = None, category: CategoryOption = None,
        seed: SeedOption = None, language: LanguageOption = None, include_revised: RevisedOption = None,
        article_type: TypesOption = None, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Create a profile in the store (the config file is left as it is)."""
    from queries.profiles import add as add_profile
    from radar.config import profile_spec

    if not description:
        _usage("a profile needs --description, the interest in plain words. Example: radar profile add "
               "protein-ml --description \"machine learning for protein design\" --category q-bio.BM")

    def action(store, loaded, now):  # noqa: ANN001, ANN202
        spec = profile_spec({"name": name, **_changes(description, category, seed, language, include_revised,
                                                         article_type)}, origin=f"profile {name!r}")
        return add_profile(store, loaded, spec, now), f"Profile {name!r} added."

    _write(action, config, json_output)


@profile_app.command("edit")
def edit(name: NameArg, description: DescriptionOption = None, category: CategoryOption = None,
         seed: SeedOption = None, language: LanguageOption = None, include_revised: RevisedOption = None,
         article_type: TypesOption = None, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Change a profile's keys (the options given replace those keys; the others stay). A config file's
    profile is edited in the store: the file is left as it is."""
    from queries.profiles import edit as edit_profile

    changes = _changes(description, category, seed, language, include_revised, article_type)
    if not changes:
        _usage("nothing to change: give --description, --category, --seed, --language, --include-revised "
               "or --article-type.")
    _write(lambda store, loaded, now: (edit_profile(store, loaded, name, changes, now), f"Profile {name!r} edited."),
           config, json_output)


@profile_app.command("delete")
def delete(name: NameArg, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Delete a profile and its stars and dismissals. A config file's profile stays deleted while the file
    keeps it as it is (remove it there too)."""
    from queries.profiles import delete as delete_profile

    def action(store, loaded, now):  # noqa: ANN001, ANN202
        gone = delete_profile(store, loaded, name, now)
        note = " It is still in the config file: remove it there too." if gone.in_config else ""
        return None, f"Profile {name!r} deleted.{note}"

    _write(action, config, json_output)


def _verdict(name: str, paper: str, verdict: str | None, config: Path | None, json_output: bool) -> None:
    from queries.profiles import feedback

    done = {"star": "starred", "dismiss": "dismissed", None: "cleared the star or dismissal of"}[verdict]

    def action(store, loaded, now):  # noqa: ANN001, ANN202
        profile, paper_id = feedback(store, loaded, name, paper, verdict, now)  # type: ignore[arg-type]
        return profile, f"Profile {name!r}: {done} {paper_id}; the next digest ranks with it."

    _write(action, config, json_output)


@profile_app.command("star")
def star(name: NameArg, paper: PaperArg, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Star a paper for a profile: it becomes one of its seed papers."""
    _verdict(name, paper, "star", config, json_output)


@profile_app.command("dismiss")
def dismiss(name: NameArg, paper: PaperArg, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Dismiss a paper for a profile: papers like it rank lower in its digest."""
    _verdict(name, paper, "dismiss", config, json_output)


@profile_app.command("unstar")
def unstar(name: NameArg, paper: PaperArg, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Forget a star (or a dismissal) of a paper for a profile."""
    _verdict(name, paper, None, config, json_output)


@profile_app.command("resolve")
def resolve(name: NameArg,
            keep: Annotated[str, typer.Option("--keep", help="store: keep the version edited here; config: take the config file's.", show_default=False)],
            config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """End a conflict: a profile edited here and changed in the config file since."""
    from queries.profiles import resolve as resolve_conflict

    if keep not in ("store", "config"):
        _usage(f"--keep must be store or config, not {keep!r}")
    _write(lambda store, loaded, now: (resolve_conflict(store, loaded, name, keep, now),  # type: ignore[arg-type]
                                       f"Profile {name!r}: kept the {'store' if keep == 'store' else 'config file'}'s "
                                       "version."), config, json_output)


@profile_app.command("import")
def import_profiles(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Import the config file's profiles into the store now (every profile command that writes does it too)."""
    from flows.profiling import changing_profiles
    from indexing.store import utc_now
    from queries.profiles import import_config

    try:
        with changing_profiles(_settings(), config) as (store, loaded), store.transaction() as con:
            names = import_config(con, loaded, utc_now())
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump({"schema": "radar.profile-import/1", "imported": names})
    else:
        out.print(f"{len(names)} profiles imported or updated from the config" + (f": {', '.join(names)}" if names else "."),
                  highlight=False)


@profile_app.command("seed")
def seed(name: NameArg,
         library: Annotated[Path, typer.Argument(help="A Zotero (or JabRef, Mendeley) export as BibTeX, RIS or CSL-JSON, or a list of DOIs and arXiv ids, one or more a line.", show_default=False)],
         replace: Annotated[bool, typer.Option("--replace", help="Replace the profile's seeds and seed texts instead of adding to them.")] = False,
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Resolve and report; change nothing.")] = False,
         config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Seed a profile from your library: entries found in the store (by arXiv id, DOI or a close title) become seed
    papers; the others with a title and abstract seed it by their text; the rest are listed with the reason."""
    from flows.profiling import changing_profiles
    from indexing.store import utc_now
    from queries.library.seed import seed_json, seed_profile

    try:
        data = library.read_bytes()
    except OSError as exc:
        _usage(f"cannot read {library}: {exc.strerror or exc}")
    try:
        with changing_profiles(_settings(), config) as (store, loaded):
            _, report = seed_profile(store, loaded, name, data, utc_now(), replace=replace, dry_run=dry_run)
    except RadarError as exc:
        raise _fail(exc) from None
    result = seed_json(report)
    if json_output:
        _dump(result)
    else:
        _seed_view(result)
    if not report.library.entries:
        raise typer.Exit(1)  # nothing in the file could be read as an entry


def _seed_view(result: dict) -> None:
    for note in result["notes"]:
        err.print(f"[yellow]note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    verb = "would add" if result["dry_run"] else "added"
    out.print(f"{result['entries']} entries read ({result['format']}): {result['resolved']} found in the store, "
              f"{result['unresolved']} not. Profile {result['profile']!r}: {verb} {len(result['seeds_added'])} seed "
              f"papers and {result['seed_texts_added']} seed texts.", highlight=False)
    if result["seed_texts_left_out"]:
        out.print(f"{result['seed_texts_left_out']} more entries could seed by text: a profile keeps at most "
                  "100 seed texts.", highlight=False)
    if result["not_resolved"]:
        table = Table("entry", "why not found", "seeds by text", title="Not found in the store")
        for row in result["not_resolved"]:
            table.add_row(escape(row["entry"]), escape(row["reason"]), "yes" if row["seeds_by_text"] else "no")
        out.print(table)
    for problem in result["problems"]:
        err.print(f"[yellow]skipped[/] {escape(problem['where'])}: {escape(problem['reason'])}", highlight=False,
                  soft_wrap=True)
