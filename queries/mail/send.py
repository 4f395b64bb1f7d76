"""One mail per profile per day, idempotently: the digest drafted as a message, then sent once.

Every attempt is a row of the mail log, written before the mail server is contacted and closed
after (indexing/store/mail.py). Before an attempt, the log of the profile's day decides:
- a ``sent`` attempt: nothing is sent again (``already-sent``);
- an ``uncertain`` one (the message went out and no answer came): nothing is sent on its own,
  since it may have been delivered; ``resend`` sends it all the same;
- an attempt still open in a live process: another run is sending it (``in-progress``);
- only ``failed`` attempts, or none: a new attempt.
Every attempt of a profile's day carries the same Message-ID.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage

from indexing.embeddings import Embedder
from indexing.search.base import SearchBackend
from indexing.store import Store, utc_now
from indexing.store.papers import latest_published_day
from indexing.store.mail import (MailAttempt, begin_attempt, close_dead_attempts, day_attempts, finish_attempt,
                                 mark_handing_over)
from queries.brief.store import latest_for_profile
from queries.digest import DEFAULT_K, Digest
from queries.feedback import profile_digest
from queries.mail.message import BriefTeaser, brief_teaser, digest_message, message_id
from queries.mail.smtp import deliver
from queries.profiles import Profile
from radar.config import ProfileSpec, mail_address
from radar.errors import ConfigError, MailError, MailUncertainError
from radar.settings import Settings, SmtpSettings

JSON_SCHEMA = "radar.mail/1"
OK_STATUSES = ("sent", "already-sent", "empty", "dry-run")
"""Outcomes that are no failure (exit code 0); failed, uncertain and in-progress are."""


@dataclass(slots=True)
class MailDraft:
    """A profile's digest of a day, written as the message to send."""

    profile: ProfileSpec
    digest: Digest
    message: EmailMessage
    sender: str
    brief: BriefTeaser | None

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


@dataclass(slots=True)
class MailOutcome:
    """What mailing a profile's digest of a day did."""

    profile: str
    day: date | None
    status: str
    """sent | already-sent | empty | dry-run | failed | uncertain | in-progress"""
    recipients: list[str]
    message_id: str
    subject: str | None
    """None when the log settled it before the message was drafted (sent or uncertain already)."""
    shown: int | None
    total: int | None
    brief_id: str | None = None
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)
    """Recipients the server refused for good while it took the message for the others."""
    transient: bool = False
    """A failure the next run may not meet (the server unreachable, 4xx): it tries again."""
    attempts: list[MailAttempt] = field(default_factory=list)
    """Every attempt at this profile's day so far, this one included."""
    eml: str | None = None
    """Where the message was written (--dry-run, -o)."""

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def sender_of(settings: Settings) -> str:
    """The From address: RADAR_SMTP__SENDER, else Radar at RADAR_HTTP__CONTACT; one address or a ConfigError."""
    sender = settings.smtp.sender or f"Radar <{settings.http.contact}>"
    if mail_address(sender) is None:
        variable = "RADAR_SMTP__SENDER" if settings.smtp.sender else "RADAR_HTTP__CONTACT"
        raise ConfigError(f"The sender {sender!r} is not one e-mail address: set {variable}, e.g. "
                          "RADAR_SMTP__SENDER='Radar <radar@example.org>'.")
    return sender


def draft_mail(store: Store, backend: SearchBackend, embedder: Embedder, found: Profile, settings: Settings, *,
               day: date | None = None, k: int = DEFAULT_K, now: datetime | None = None) -> MailDraft:
    """The message of an effective profile's digest of ``day`` (default: the latest day with papers; its
    stars and dismissals count, as in `radar digest`), with the opening of its latest brief if any."""
    profile = found.spec
    d = profile_digest(store, backend, embedder, found, day=day, k=k)
    latest = latest_for_profile(store, profile.name)
    teaser = brief_teaser(latest, settings.smtp.web_url) if latest else None
    sender = sender_of(settings)
    day_text = d.day.isoformat() if d.day else "none"
    message = digest_message(d, sender=sender, recipients=profile.recipients,
                             msg_id=message_id(profile.name, day_text, sender), now=now or datetime.now(UTC),
                             language=profile.language, brief=teaser, web_url=settings.smtp.web_url)
    return MailDraft(profile=profile, digest=d, message=message, sender=sender, brief=teaser)


def send_draft(store: Store, draft: MailDraft, smtp: SmtpSettings, *, resend: bool = False) -> MailOutcome:
    """Send ``draft`` unless the mail log says its day was sent (or may have been); record the attempt."""
    d, profile = draft.digest, draft.profile
    outcome = _outcome(draft, "empty")
    if d.day is None or not d.entries:
        return outcome  # nothing to tell: no mail, and no attempt to record
    if not profile.recipients:
        raise ConfigError(f"The profile {profile.name!r} has no recipients: add recipients = [\"you@example.org\"] "
                          "to its [[profiles]] table in the config, or preview the mail with --dry-run.")
    if not smtp.host:
        raise ConfigError("RADAR_SMTP__HOST is not set: set it (and RADAR_SMTP__USER and RADAR_SMTP__PASSWORD if "
                          "the server wants a login) to send mail, or preview the mail with --dry-run.")
    envelope = [mail_address(r) or r for r in profile.recipients]
    with store.transaction() as con:
        close_dead_attempts(con, profile.name, d.day, utc_now())
        earlier = day_attempts(con, profile.name, d.day)
        blocked = _blocked(earlier, resend)
        if blocked is None:
            attempt_id = begin_attempt(con, profile.name, d.day, envelope, draft.message_id, utc_now())
    if blocked is not None:
        outcome.status, outcome.error = blocked
        outcome.attempts = earlier
        return outcome

    def handing_over() -> None:
        with store.transaction() as con:
            mark_handing_over(con, attempt_id)

    try:
        delivery = deliver(draft.message, envelope, draft.sender, smtp, handing_over=handing_over)
    except MailError as exc:
        outcome.status = "uncertain" if isinstance(exc, MailUncertainError) else "failed"
        outcome.error, outcome.transient = str(exc), exc.transient
        with store.transaction() as con:
            finish_attempt(con, attempt_id, outcome.status, utc_now(), outcome.error)
    else:
        outcome.status, outcome.refused = "sent", delivery.refused
        refused = "; ".join(f"refused {r}: {why}" for r, why in delivery.refused.items()) or None
        with store.transaction() as con:
            finish_attempt(con, attempt_id, "sent", utc_now(), refused)
    outcome.attempts = day_attempts(store.cursor(), profile.name, d.day)
    return outcome


def settled(store: Store, profile: ProfileSpec, day: date | None = None) -> MailOutcome | None:
    """The outcome when the mail log already settles ``profile``'s day (default: the latest day with
    papers, as the digest takes it) as sent or uncertain: the catch-up run then drafts nothing.
    None when a draft is needed (no attempt yet, only failed ones, or one still open)."""
    day = day or latest_published_day(store.cursor(), not_after=datetime.now(UTC).date())
    if day is None:
        return None
    earlier = day_attempts(store.cursor(), profile.name, day)
    blocked = _blocked([a for a in earlier if a.status in ("sent", "uncertain")], resend=False)
    if blocked is None:
        return None
    return MailOutcome(profile=profile.name, day=day, status=blocked[0], error=blocked[1],
                       recipients=list(profile.recipients), message_id=earlier[-1].message_id, subject=None,
                       shown=None, total=None, attempts=earlier)


def dry_run(draft: MailDraft) -> MailOutcome:
    return _outcome(draft, "dry-run")


def _blocked(earlier: list[MailAttempt], resend: bool) -> tuple[str, str] | None:
    """Why no attempt may start now, as (status, message); None when one may."""
    for attempt in earlier:
        if attempt.status in ("sending", "handing-over"):
            return "in-progress", (f"Another run has been sending this message since {attempt.started_at:%H:%M:%S} "
                                   f"UTC (attempt {attempt.attempt_id}); nothing was sent.")
    if resend:
        return None
    for attempt in earlier:
        if attempt.status == "sent":
            return "already-sent", (f"Already sent at {attempt.finished_at or attempt.started_at:%Y-%m-%d %H:%M} UTC "
                                    f"(attempt {attempt.attempt_id}); nothing was sent again.")
    for attempt in earlier:
        if attempt.status == "uncertain":
            return "uncertain", (f"An earlier attempt ({attempt.attempt_id}, {attempt.started_at:%Y-%m-%d %H:%M} UTC) "
                                 "may have been delivered, so nothing was sent again: check the recipients' inboxes, "
                                 "and use --resend to send it anyway.")
    return None


def _outcome(draft: MailDraft, status: str) -> MailOutcome:
    d = draft.digest
    return MailOutcome(profile=d.profile, day=d.day, status=status, recipients=list(draft.profile.recipients),
                       message_id=draft.message_id, subject=draft.subject, shown=d.shown, total=d.total,
                       brief_id=draft.brief.brief_id if draft.brief else None)


def mail_json(outcome: MailOutcome) -> dict:
    """The documented, stable JSON of `radar mail --json`."""
    data = asdict(outcome)
    data["day"] = outcome.day.isoformat() if outcome.day else None
    data["attempts"] = [{"attempt_id": a.attempt_id, "status": a.status, "error": a.error,
                         "recipients": a.recipients, "message_id": a.message_id,
                         "started_at": a.started_at.isoformat(),
                         "finished_at": a.finished_at.isoformat() if a.finished_at else None}
                        for a in outcome.attempts]
    return {"schema": JSON_SCHEMA, **data}
