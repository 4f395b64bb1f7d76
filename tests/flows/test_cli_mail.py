"""`radar mail` on the real indexed corpus: a dry run writes an .eml that parses, a send goes through a
real SMTP server once, failures exit 1 with what to fix, and the password is never printed."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from tests.corpus import REPO
from tests.flows.cli_runner import invoke
from tests.smtpserver import PASSWORD, SmtpServer

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")


def parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_help_explains_every_option() -> None:
    result = invoke("mail", "--help")
    assert result.exit_code == 0 and "Usage" in result.output
    for option in ("--date", "--dry-run", "--output", "--resend", "--config", "--json", "-k"):
        assert option in result.output


def test_a_dry_run_writes_an_eml_that_parses_and_sends_nothing(corpus_home: Path, smtp_env: SmtpServer) -> None:
    result = invoke("mail", "quantum-computing", "--config", DEMO_CONFIG, "--date", "2024-11-28", "-k", "5",
                    "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "radar.mail/1" and data["status"] == "dry-run" and data["shown"] == 5
    assert data["attempts"] == [] and smtp_env.received == []
    eml = Path(data["eml"])
    assert eml == corpus_home / "mail" / "2024-11-28" / "quantum-computing.eml"
    message = parse(eml.read_bytes())
    assert message["Subject"] == "Radar：quantum-computing 2024-11-28 的 5 篇论文"  # a zh profile
    assert message["To"] == "qc-reader@example.org" and message["Message-ID"] == data["message_id"]
    text = message.get_body(("plain",))
    assert text is not None and "\n1. " in text.get_content() and "\n5. " in text.get_content()
    html = message.get_body(("html",))
    assert html is not None and "quant-ph" in html.get_content()


def test_a_dry_run_needs_no_mail_server_and_takes_an_output_file(corpus_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.eml"
    result = invoke("mail", "ml-for-biology", "--config", DEMO_CONFIG, "--dry-run", "-o", str(out), "-k", "3")
    assert result.exit_code == 0, result.output
    assert f"written to {out}" in result.stdout
    assert parse(out.read_bytes())["To"] == "Bio Reader <bio-reader@example.org>"


def test_a_send_goes_out_once_and_a_second_run_sends_nothing(corpus_home: Path, smtp_env: SmtpServer) -> None:
    first = invoke("mail", "llm-reasoning", "--config", DEMO_CONFIG, "-k", "5")
    assert first.exit_code == 0, first.output
    assert "mail llm-reasoning 2024-11-28: sent, 5 papers to reader@example.org" in first.stdout
    (got,) = smtp_env.received
    assert got.rcpt_tos == ["reader@example.org"] and got.authenticated
    assert parse(got.data)["Subject"] == "Radar: 5 papers for llm-reasoning, 2024-11-28"

    second = invoke("mail", "llm-reasoning", "--config", DEMO_CONFIG, "-k", "5", "--json")
    assert second.exit_code == 0, second.output
    data = json.loads(second.stdout)
    assert data["status"] == "already-sent" and [a["status"] for a in data["attempts"]] == ["sent"]
    assert len(smtp_env.received) == 1


def test_a_refused_login_exits_1_naming_the_setting_and_hiding_the_password(
        corpus_home: Path, smtp_env: SmtpServer, monkeypatch) -> None:  # noqa: ANN001 - pytest's monkeypatch
    monkeypatch.setenv("RADAR_SMTP__PASSWORD", "not-the-password-8123")
    result = invoke("mail", "llm-reasoning", "--config", DEMO_CONFIG, "-k", "3")
    assert result.exit_code == 1
    assert "RADAR_SMTP__PASSWORD" in result.stderr and "refused the login" in result.stderr
    assert "not-the-password-8123" not in result.output and PASSWORD not in result.output
    assert smtp_env.received == []


def test_without_a_mail_server_setting_it_exits_2_and_says_what_to_set(corpus_home: Path) -> None:
    result = invoke("mail", "llm-reasoning", "--config", DEMO_CONFIG)
    assert result.exit_code == 2 and "RADAR_SMTP__HOST is not set" in result.stderr and "--dry-run" in result.stderr


def test_an_unknown_profile_exits_2(corpus_home: Path) -> None:
    result = invoke("mail", "astrology", "--config", DEMO_CONFIG, "--dry-run")
    assert result.exit_code == 2 and "No profile named 'astrology'" in result.stderr
