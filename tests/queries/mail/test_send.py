"""Sending digests through a real SMTP server on 127.0.0.1 (aiosmtpd: STARTTLS or TLS, AUTH) with a real
DuckDB mail log: delivery parsed back with `email`, one message per profile and day, failures retried
on the next run, nothing sent twice, every attempt recorded, and the password shown nowhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
import os
import subprocess
import sys
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from indexing.store import Store
from indexing.store.mail import day_attempts
from queries.mail.send import mail_json, send_draft
from radar.errors import ConfigError
from radar.settings import SmtpSettings
from tests.queries.mail.digests import DAY, draft
from tests.smtpserver import PASSWORD, USER, SmtpServer, free_port

@pytest.fixture(params=["starttls"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SmtpServer]:
    smtp = SmtpServer(tmp_path, security=request.param).start()
    yield smtp
    smtp.stop()


def settings_for(server: SmtpServer, **changes: object) -> SmtpSettings:
    values: dict[str, object] = dict(host="127.0.0.1", port=server.port, security=server.security, user=USER,
                                     password=PASSWORD, timeout=5, ca_file=server.cert_path)
    values.update(changes)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def statuses(store: Store) -> list[str]:
    return [a.status for a in day_attempts(store.cursor(), "bio", DAY)]


@pytest.mark.parametrize("server", ["starttls", "ssl"], indirect=True)
def test_a_digest_is_delivered_once_and_a_second_run_sends_nothing(server: SmtpServer, store: Store) -> None:
    outcome = send_draft(store, draft(), settings_for(server))
    assert outcome.status == "sent" and outcome.ok, outcome.error
    (got,) = server.received
    assert got.authenticated and got.mail_from == "radar@example.org"
    assert got.rcpt_tos == ["ada@example.org", "alan@example.org"]
    message = parsed(got.data)
    assert message["Subject"] == "Radar: 3 papers for bio, 2024-11-28"
    assert message["Message-ID"] == outcome.message_id
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",))
    assert text is not None and "1. Paper number 1 on protein design" in text.get_content()
    markup = message.get_body(("html",))
    assert markup is not None and "&lt;script&gt;" in markup.get_content()
    assert statuses(store) == ["sent"]

    again = send_draft(store, draft(), settings_for(server))
    assert again.status == "already-sent" and again.ok and "nothing was sent again" in (again.error or "")
    assert len(server.received) == 1 and statuses(store) == ["sent"]


def test_a_refused_login_names_the_settings_and_never_the_password(server: SmtpServer, store: Store) -> None:
    wrong = "wrong-horse-4711-secret"
    outcome = send_draft(store, draft(), settings_for(server, password=wrong))
    assert outcome.status == "failed" and not outcome.transient
    assert "refused the login of 'radar'" in (outcome.error or "")
    assert "RADAR_SMTP__USER" in (outcome.error or "") and "RADAR_SMTP__PASSWORD" in (outcome.error or "")
    assert server.received == [] and server.logins and set(server.logins) == {("radar", False)}
    (attempt,) = day_attempts(store.cursor(), "bio", DAY)
    assert attempt.status == "failed" and attempt.error == outcome.error
    everything = json.dumps(mail_json(outcome)) + repr(store.cursor().execute("SELECT * FROM mail_log").fetchall())
    assert wrong not in everything and PASSWORD not in everything

    fixed = send_draft(store, draft(), settings_for(server))  # the setting fixed: the next run sends it
    assert fixed.status == "sent" and len(server.received) == 1 and statuses(store) == ["failed", "sent"]


@pytest.mark.parametrize(("command", "fault", "said"), [
    ("rcpt", "drop", "dropped the connection at the RCPT TO step"),
    ("data", "drop", "took the message and then gave no answer"),
    ("data", "451 4.3.0 Mail server busy, try later", "put off the message (451"),
])
def test_a_failed_send_is_tried_again_on_the_next_run_and_never_sent_twice(
        server: SmtpServer, store: Store, command: str, fault: str, said: str) -> None:
    server.fail(command, fault)
    first = send_draft(store, draft(), settings_for(server))
    assert not first.ok and said in (first.error or "")
    assert server.received == []
    if fault == "drop" and command == "data":
        # The connection died after the whole message went out: the server dropped it, but Radar
        # cannot know that, so it does not send it again on its own.
        assert first.status == "uncertain"
        assert send_draft(store, draft(), settings_for(server)).status == "uncertain"
        assert server.received == [] and statuses(store) == ["uncertain"]
        resent = send_draft(store, draft(), settings_for(server), resend=True)
        assert resent.status == "sent" and statuses(store) == ["uncertain", "sent"]
    else:
        assert first.status == "failed" and first.transient
        second = send_draft(store, draft(), settings_for(server))
        assert second.status == "sent" and statuses(store) == ["failed", "sent"]
    assert len(server.received) == 1
    assert {a.message_id for a in day_attempts(store.cursor(), "bio", DAY)} == {first.message_id}
    assert send_draft(store, draft(), settings_for(server)).status == "already-sent"
    assert len(server.received) == 1


def test_a_message_taken_without_an_answer_is_never_sent_again_on_its_own(server: SmtpServer, store: Store) -> None:
    server.fail("data", "drop-after")  # the server keeps the message, then hangs up before saying so
    first = send_draft(store, draft(), settings_for(server))
    assert first.status == "uncertain" and "--resend" in (first.error or "")
    for _ in range(2):
        later = send_draft(store, draft(), settings_for(server))
        assert later.status == "uncertain" and "may have been delivered" in (later.error or "")
    assert len(server.received) == 1 and statuses(store) == ["uncertain"]


def test_an_unreachable_host_fails_and_the_next_run_sends(server: SmtpServer, store: Store) -> None:
    closed = free_port()
    outcome = send_draft(store, draft(), settings_for(server, port=closed))
    assert outcome.status == "failed" and outcome.transient
    assert f"Cannot reach the mail server 127.0.0.1:{closed}" in (outcome.error or "")
    assert "RADAR_SMTP__HOST" in (outcome.error or "") and "RADAR_SMTP__PORT" in (outcome.error or "")
    assert send_draft(store, draft(), settings_for(server)).status == "sent"
    assert len(server.received) == 1 and statuses(store) == ["failed", "sent"]


def test_an_untrusted_certificate_names_the_ca_setting(server: SmtpServer, store: Store) -> None:
    outcome = send_draft(store, draft(), settings_for(server, ca_file=None))
    assert outcome.status == "failed" and "RADAR_SMTP__CA_FILE" in (outcome.error or "")
    assert server.received == []


def test_a_recipient_refused_for_good_is_reported_and_the_others_get_it(server: SmtpServer, store: Store) -> None:
    outcome = send_draft(store, draft(["ada@example.org", "gone@refused.example.org"]), settings_for(server))
    assert outcome.status == "sent" and list(outcome.refused) == ["gone@refused.example.org"]
    assert "550" in outcome.refused["gone@refused.example.org"]
    (got,) = server.received
    assert got.rcpt_tos == ["ada@example.org"]
    (attempt,) = day_attempts(store.cursor(), "bio", DAY)
    assert attempt.status == "sent" and "refused gone@refused.example.org" in (attempt.error or "")


def test_every_recipient_refused_is_a_failure(server: SmtpServer, store: Store) -> None:
    outcome = send_draft(store, draft(["gone@refused.example.org"]), settings_for(server))
    assert outcome.status == "failed" and not outcome.transient and "refused every recipient" in (outcome.error or "")


def test_nothing_is_sent_or_recorded_without_papers_host_or_recipients(server: SmtpServer, store: Store) -> None:
    assert send_draft(store, draft(digest_day_papers=False), settings_for(server)).status == "empty"
    with pytest.raises(ConfigError, match="RADAR_SMTP__HOST is not set"):
        send_draft(store, draft(), SmtpSettings())
    with pytest.raises(ConfigError, match="no recipients.*recipients = "):
        send_draft(store, draft([]), settings_for(server))
    assert server.received == [] and statuses(store) == []


def test_the_latest_brief_of_a_profile_is_read_back_from_the_store(store: Store) -> None:
    from queries.brief.store import latest_for_profile, save
    from tests.queries.mail.digests import brief

    assert latest_for_profile(store, "bio") is None
    older, newer = brief(), brief()
    newer.brief_id, newer.created_at = "b-newer", newer.created_at.replace(day=30, hour=10)
    other = brief("chem")
    other.brief_id, other.created_at = "b-chem", newer.created_at.replace(hour=11)
    empty = brief()
    empty.brief_id, empty.kind, empty.created_at = "b-empty", "empty", newer.created_at.replace(hour=12)
    for b in (older, newer, other, empty):
        save(store, b)
    found = latest_for_profile(store, "bio")
    assert found is not None and found.brief_id == "b-newer" and found.title == older.title


def test_a_day_sent_or_uncertain_is_settled_before_anything_is_drafted(server: SmtpServer, store: Store) -> None:
    from queries.mail.send import settled

    profile = draft().profile
    assert settled(store, profile, DAY) is None  # nothing yet
    server.fail("rcpt", "drop")
    send_draft(store, draft(), settings_for(server))
    assert settled(store, profile, DAY) is None  # only a failed attempt: draft and try again
    send_draft(store, draft(), settings_for(server))
    done = settled(store, profile, DAY)
    assert done is not None and done.status == "already-sent" and done.subject is None
    assert [a.status for a in done.attempts] == ["failed", "sent"] and done.message_id == done.attempts[-1].message_id
    assert settled(store, profile, DAY.replace(day=29)) is None


@pytest.mark.parametrize("sender", ["Radar <radar@example.org>\r\nBcc: eve@example.org", "not an address"])
def test_a_sender_that_is_not_one_address_is_a_config_error(radar_env: Path, sender: str) -> None:
    from queries.mail.send import sender_of
    from radar.settings import Settings

    assert sender_of(Settings()) == "Radar <radar@example.org>"
    with pytest.raises(ConfigError, match="not one e-mail address: set RADAR_SMTP__SENDER"):
        sender_of(Settings(smtp=SmtpSettings(sender=sender)))


_SEND_IN_A_PROCESS = """
import sys
from pathlib import Path
from indexing.store import open_store
from queries.mail.send import send_draft
from radar.settings import SmtpSettings
from tests.queries.mail.digests import draft
from tests.smtpserver import PASSWORD, USER

store_path, port, cert = sys.argv[1:4]
with open_store(Path(store_path)) as store:
    send_draft(store, draft(), SmtpSettings(host="127.0.0.1", port=int(port), user=USER, password=PASSWORD,
                                            timeout=120, ca_file=cert))
"""


@pytest.mark.parametrize(("command", "after"), [
    ("rcpt", ["failed", "sent"]),  # killed before the message went out: the next run sends it
    ("data", ["uncertain"]),       # killed once it went out: maybe delivered, never sent again on its own
])
def test_a_process_killed_mid_send_is_settled_by_the_next_run(server: SmtpServer, tmp_path: Path, command: str,
                                                              after: list[str]) -> None:
    from indexing.store import open_store

    path = tmp_path / "killed.duckdb"
    open_store(path).close()
    server.fail(command, "hang")
    repo = Path(__file__).resolve().parents[3]
    process = subprocess.Popen([sys.executable, "-c", _SEND_IN_A_PROCESS, str(path), str(server.port),
                                str(server.cert_path)], cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)})
    try:
        deadline = time.monotonic() + 120
        while command.upper() not in server.commands:
            assert process.poll() is None and time.monotonic() < deadline, "the sender never reached the server"
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    with open_store(path) as store:
        outcome = send_draft(store, draft(), settings_for(server))
        assert [a.status for a in outcome.attempts] == after
    assert len(server.received) == (1 if after[-1] == "sent" else 0)
