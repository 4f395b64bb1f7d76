"""The ``digest-mail`` flow: each profile's digest of the latest day, mailed to its recipients once
(deployed as ``digest-mail-daily``, after ``digest-daily``). A profile whose mail failed is tried
again by the next run; one already sent is not sent again. The body is :func:`flows.mailing.mail_profile`."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.mailing import MailOrder, mail_line, mail_outcome, mail_profile, mailed_profiles
from flows.outcome import as_state, log
from queries.mail.send import MailOutcome
from radar.errors import ConfigError
from radar.settings import load_settings


@task(name="mail-digest", cache_policy=NO_CACHE)
def mail_task(profile: str, day: date | None, config: str | None) -> MailOutcome:
    outcome = mail_profile(MailOrder(profile=profile, day=day, config=Path(config) if config else None))
    log([(logging.INFO if outcome.ok else logging.ERROR, mail_line(outcome))])
    return outcome


@flow(name="digest-mail")
def digest_mail(profile: str | None = None, day: str | None = None, config: str | None = None) -> list[MailOutcome]:
    """Mail the digest of ``profile`` (default: every profile with recipients) for ``day`` (YYYY-MM-DD,
    UTC; default: the latest day with papers). Failed when a mail failed or may not have arrived."""
    try:
        wanted = date.fromisoformat(day) if day else None
    except ValueError:
        raise ConfigError(f"day must be a date as YYYY-MM-DD, not {day!r}") from None
    names = mailed_profiles(load_settings(), Path(config) if config else None, profile)
    outcomes = [mail_task(name, wanted, config) for name in names]
    return as_state(mail_outcome(outcomes), outcomes)
