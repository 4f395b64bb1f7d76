"""`radar mail PROFILE`: a profile's digest as an e-mail to its recipients, once per day; `--dry-run`
writes the message as an .eml instead. Registered on the `radar` app by one line in flows/cli.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.cli import EXIT_FAILED, ConfigOption, JsonOption, _dump, _fail, app, err, out
from radar.errors import RadarError


@app.command()
def mail(
    profile: Annotated[str, typer.Argument(help="An interest profile of the config (its name); the mail goes to its recipients.", show_default=False)],
    day: Annotated[datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="The day (UTC) whose digest to mail. Default: the latest day with papers.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write the message as an .eml file (see -o) instead of sending it: no mail server needed, nothing recorded.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the message to this .eml file. Default with --dry-run: $RADAR_HOME/mail/DAY/PROFILE.eml.", show_default=False)] = None,
    resend: Annotated[bool, typer.Option("--resend", help="Send even though the mail log says this day's message was sent, or may have been (the recipients may get it twice).")] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=500, help="How many papers the mail lists.")] = 25,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Mail a profile's daily digest to its recipients (RADAR_SMTP__* settings), at most once per day:
    a second run sends nothing, a failed send is tried again by the next run, every attempt is logged."""
    from flows.mailing import MailOrder, mail_line, mail_profile
    from queries.mail.send import mail_json

    order = MailOrder(profile=profile, day=day.date() if day else None, dry_run=dry_run, output=output,
                      resend=resend, k=k, config=config)
    try:
        with err.status("[bold]ranking the day's papers and writing the mail…", spinner="dots"):
            outcome = mail_profile(order)
    except RadarError as exc:
        raise _fail(exc) from None
    if json_output:
        _dump(mail_json(outcome))
    elif outcome.ok:
        out.print(mail_line(outcome), highlight=False, soft_wrap=True)
    else:
        err.print(f"[bold red]error:[/] {_escaped(mail_line(outcome))}", highlight=False, soft_wrap=True)
    if not outcome.ok:
        raise typer.Exit(EXIT_FAILED)


def _escaped(text: str) -> str:
    from rich.markup import escape

    return escape(text)
