"""The digest-mail flow on a real (temporary) Prefect server and a real SMTP server: every profile with
recipients gets one mail; the catch-up run sends nothing twice and retries what failed."""

from __future__ import annotations

from pathlib import Path

from flows.mail import digest_mail
from tests.corpus import REPO
from tests.smtpserver import SmtpServer

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")


def test_each_profile_is_mailed_once_and_a_failed_one_on_the_next_run(corpus_home: Path, smtp_env: SmtpServer) -> None:
    smtp_env.fail("rcpt", "drop")  # the first profile's connection drops: nothing delivered
    state = digest_mail(day="2024-11-28", config=DEMO_CONFIG, return_state=True)
    assert state.is_failed() and "1 of 3 mails not sent" in (state.message or "")
    assert sorted(r.rcpt_tos[0] for r in smtp_env.received) == ["bio-reader@example.org", "qc-reader@example.org"]

    outcomes = digest_mail(day="2024-11-28", config=DEMO_CONFIG)
    assert {o.profile: o.status for o in outcomes} == {"llm-reasoning": "sent", "ml-for-biology": "already-sent",
                                                        "quantum-computing": "already-sent"}
    assert sorted(r.rcpt_tos[0] for r in smtp_env.received) == ["bio-reader@example.org", "qc-reader@example.org",
                                                                "reader@example.org"]
    assert [a.status for a in outcomes[0].attempts] == ["failed", "sent"]
