"""Wiring for e-mailed digests, shared by `radar mail` and the ``digest-mail`` flow: settings, config,
store, search backend and embedder in; a profile's digest drafted, sent once (or written as an .eml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows.outcome import Outcome
from flows.profiling import current_profiles, profile_named
from flows.runtime import searching
from queries.digest import DEFAULT_K
from queries.mail.send import MailDraft, MailOutcome, draft_mail, dry_run, send_draft, settled
from radar.errors import ConfigError
from radar.settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class MailOrder:
    """A mail as asked for on the command line or by a deployment."""

    profile: str
    day: date | None = None
    dry_run: bool = False
    output: Path | None = None
    """Where to write the message as .eml (default for a dry run: $RADAR_HOME/mail/<day>/<profile>.eml)."""
    resend: bool = False
    k: int = DEFAULT_K
    config: Path | None = None


def mail_profile(order: MailOrder, settings: Settings | None = None) -> MailOutcome:
    """Draft ``order.profile``'s digest mail and send it (unless sent already), or only write it."""
    settings = settings or load_settings()
    with searching(settings, read_only=order.dry_run) as s:
        found = profile_named(settings, order.profile, order.config, s.store)
        if not order.dry_run and not order.resend and order.output is None:
            done = settled(s.store, found.spec, order.day)
            if done is not None:
                return done
        draft = draft_mail(s.store, s.backend, s.embedder, found, settings, day=order.day, k=order.k)
        outcome = dry_run(draft) if order.dry_run else send_draft(s.store, draft, settings.smtp, resend=order.resend)
    if order.dry_run or order.output is not None:
        outcome.eml = str(write_eml(draft, order.output or default_eml(settings, draft)))
    return outcome


def mailed_profiles(settings: Settings, config: Path | None, profile: str | None = None) -> list[str]:
    """The named profile, or every effective profile (the config's and the store's) with recipients."""
    known = current_profiles(settings, config)
    if profile:
        return [known.get(profile).name]
    return [p.name for p in known.profiles if p.spec.recipients]


def default_eml(settings: Settings, draft: MailDraft) -> Path:
    day = draft.digest.day.isoformat() if draft.digest.day else "no-day"
    return settings.home / "mail" / day / f"{draft.profile.name}.eml"


def write_eml(draft: MailDraft, path: Path) -> Path:
    """The message as an .eml file, as it would go to the server (CRLF lines)."""
    from email.policy import SMTP

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(draft.message.as_bytes(policy=SMTP))
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror or exc}") from None
    return path


def mail_line(outcome: MailOutcome) -> str:
    """One line saying what mailing a profile did."""
    day = outcome.day.isoformat() if outcome.day else "no day"
    head = f"mail {outcome.profile} {day}: {outcome.status}"
    if outcome.status == "sent":
        refused = f"; refused: {', '.join(outcome.refused)}" if outcome.refused else ""
        return f"{head}, {outcome.shown} papers to {', '.join(outcome.recipients)}{refused}"
    if outcome.status == "dry-run":
        return f"{head}, {outcome.shown} papers written to {outcome.eml}"
    if outcome.status == "empty":
        return f"{head}, no papers to mail"
    return f"{head}: {outcome.error}"


def mail_outcome(outcomes: list[MailOutcome]) -> Outcome:
    """Failed when any profile's mail failed or is uncertain (a transient failure is retried next run)."""
    bad = [o for o in outcomes if not o.ok]
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in dict.fromkeys(o.status for o in outcomes)}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no profile has recipients"
    if bad:
        return Outcome(True, f"{len(bad)} of {len(outcomes)} mails not sent ({summary}): "
                             + "; ".join(f"{o.profile}: {o.error}" for o in bad))
    return Outcome(False, f"{len(outcomes)} profiles: {summary}")
