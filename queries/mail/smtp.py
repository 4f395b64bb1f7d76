"""Handing a message to the mail server: the one owner of SMTP (smtplib).

The conversation is driven step by step so that a failure can be told apart by where it
happened. Until the message's bytes go out, any failure means nothing was delivered (a retry
is safe). Once they went out, only the server's answer says what happened: 250 delivered, 4xx or
5xx refused, and no answer at all (a dropped connection, a timeout) leaves it uncertain:
``MailUncertainError``, never retried on its own.

Errors name the setting to fix and carry the server's answer with the password scrubbed out
(a server may echo what it was sent); smtplib's debug output is never turned on.
"""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from radar.config import mail_address
from radar.errors import (ConfigError, MailAuthError, MailError, MailRejectedError, MailUncertainError,
                          MailUnavailableError)
from radar.settings import SmtpSettings


@dataclass(slots=True)
class Delivery:
    """What the server said to a message it took."""

    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)
    """Recipients the server refused for good (5xx), with its answer; the others got the message."""
    reply: str = ""


def deliver(message: EmailMessage, recipients: list[str], sender: str, settings: SmtpSettings, *,
            handing_over: Callable[[], None] = lambda: None) -> Delivery:
    """Send ``message`` to ``recipients`` (envelope addresses) from ``sender``.

    ``handing_over`` is called once the server accepted the recipients, right before the DATA
    command: the caller records that from there a crash would leave the message uncertain."""
    if not settings.host:
        raise ConfigError("RADAR_SMTP__HOST is not set: set it (and RADAR_SMTP__USER and RADAR_SMTP__PASSWORD "
                          "if the server wants a login) to send mail, or preview with --dry-run.")
    envelope_from = mail_address(sender)
    if envelope_from is None:
        raise ConfigError(f"The sender {sender!r} is not an e-mail address: set RADAR_SMTP__SENDER, "
                          "e.g. 'Radar <radar@example.org>'.")
    scrub = _scrubber(settings)
    where = f"{settings.host}:{settings.effective_port}"
    context = _tls_context(settings)
    stage = "connecting"
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.effective_port, timeout=settings.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.effective_port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise _unreachable(exc, where, settings, scrub) from None
    try:
        stage = "greeting"
        smtp.ehlo()
        if settings.security == "starttls":
            stage = "STARTTLS"
            if not smtp.has_extn("starttls"):
                raise MailError(f"The mail server {where} does not offer STARTTLS, and RADAR_SMTP__SECURITY is "
                                "starttls: set RADAR_SMTP__SECURITY=ssl (usually port 465) if it speaks TLS from "
                                "the first byte, or check RADAR_SMTP__HOST and RADAR_SMTP__PORT.")
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            stage = "login"
            _login(smtp, settings, where, scrub)
        stage = "MAIL FROM"
        _expect(smtp.mail(envelope_from), (250,), where, stage, scrub)
        stage = "RCPT TO"
        accepted, refused = _recipients(smtp, recipients, where, scrub)
        stage = "DATA"
        handing_over()
        _expect(smtp.docmd("DATA"), (354,), where, stage, scrub)
    except MailError:
        _close(smtp)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        raise _failed_before_handing_over(exc, where, stage, settings, scrub) from None
    except BaseException:  # the caller's handing_over failed (the store busy, say): nothing went out
        _close(smtp)
        raise
    try:
        smtp.send(_data_bytes(message))
        code, reply = smtp.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        raise MailUncertainError(scrub(
            f"The mail server {where} took the message and then gave no answer ({_reason(exc)}): it may have "
            "been delivered, so it is not sent again on its own. Check the recipients' inboxes; "
            "`radar mail PROFILE --date DAY --resend` sends it again.")) from None
    text = _text(reply)
    _close(smtp, quit_first=True)
    if code != 250:
        raise _answer_error(code, text, where, "the message", scrub)
    return Delivery(accepted=accepted, refused=refused, reply=scrub(f"{code} {text}"))


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"Cannot read RADAR_SMTP__CA_FILE {settings.ca_file}: {_reason(exc)}") from None


def _login(smtp: smtplib.SMTP, settings: SmtpSettings, where: str, scrub: Callable[[str], str]) -> None:
    password = settings.password.get_secret_value() if settings.password else ""
    try:
        smtp.login(settings.user or "", password)
    except smtplib.SMTPAuthenticationError as exc:
        if 400 <= exc.smtp_code < 500:
            raise MailUnavailableError(scrub(
                f"The mail server {where} could not check the login just now ({exc.smtp_code} "
                f"{_text(exc.smtp_error)}); the next run tries again.")) from None
        raise MailAuthError(scrub(
            f"The mail server {where} refused the login of {settings.user!r} ({exc.smtp_code} "
            f"{_text(exc.smtp_error)}). Check RADAR_SMTP__USER and RADAR_SMTP__PASSWORD.")) from None
    except smtplib.SMTPNotSupportedError:
        tls = "" if settings.security != "none" else " without encryption"
        raise MailAuthError(
            f"The mail server {where} offers no login (AUTH){tls}, and RADAR_SMTP__USER is set: unset "
            "RADAR_SMTP__USER if it needs none, or check RADAR_SMTP__SECURITY and RADAR_SMTP__PORT.") from None
    except smtplib.SMTPException as exc:
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            raise
        raise MailAuthError(scrub(f"The mail server {where} did not accept a login method Radar speaks "
                                  f"({_reason(exc)}). Check RADAR_SMTP__USER and RADAR_SMTP__PASSWORD.")) from None


def _recipients(smtp: smtplib.SMTP, recipients: list[str], where: str,
                scrub: Callable[[str], str]) -> tuple[list[str], dict[str, str]]:
    """RCPT TO for each; a recipient refused for now (4xx) stops everything (a retry sends it to all),
    one refused for good (5xx) is left out; nobody left is a refusal of the whole message."""
    accepted, refused = [], {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code in (250, 251):
            accepted.append(recipient)
        elif 400 <= code < 500:
            raise MailUnavailableError(scrub(f"The mail server {where} put off the recipient {recipient} "
                                             f"({code} {_text(reply)}); nothing was sent, the next run tries again."))
        else:
            refused[recipient] = scrub(f"{code} {_text(reply)}")
    if not accepted:
        listed = "; ".join(f"{r}: {why}" for r, why in refused.items())
        raise MailRejectedError(f"The mail server {where} refused every recipient ({listed}). Check the profile's "
                                "recipients in the config, and that RADAR_SMTP__USER may send to them.")
    return accepted, refused


def _expect(answer: tuple[int, bytes], codes: tuple[int, ...], where: str, stage: str,
            scrub: Callable[[str], str]) -> None:
    code, reply = answer
    if code not in codes:
        raise _answer_error(code, _text(reply), where, stage, scrub)


def _answer_error(code: int, text: str, where: str, what: str, scrub: Callable[[str], str]) -> MailError:
    if 400 <= code < 500 or code == -1:
        return MailUnavailableError(scrub(f"The mail server {where} put off {what} ({code} {text}); nothing was "
                                          "delivered, the next run tries again."))
    return MailRejectedError(scrub(f"The mail server {where} refused {what} ({code} {text}). Check RADAR_SMTP__SENDER "
                                   "and the profile's recipients; the server's answer says what it wants."))


def _unreachable(exc: BaseException, where: str, settings: SmtpSettings, scrub: Callable[[str], str]) -> MailError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(scrub(f"The mail server {where} showed a TLS certificate that is not trusted "
                               f"({exc.verify_message}): set RADAR_SMTP__CA_FILE to its certificate authority's "
                               "PEM, or RADAR_SMTP__HOST to the name on its certificate."))
    if isinstance(exc, ssl.SSLError):
        return MailError(scrub(f"TLS with the mail server {where} failed ({_reason(exc)}): check RADAR_SMTP__SECURITY "
                               "(ssl speaks TLS from the first byte, usually on port 465; starttls upgrades a plain "
                               "connection, usually on 587) and RADAR_SMTP__PORT."))
    if isinstance(exc, socket.gaierror):
        return MailUnavailableError(f"Cannot find the mail server {settings.host} ({_reason(exc)}). Check "
                                    "RADAR_SMTP__HOST; the next run tries again.")
    return MailUnavailableError(scrub(f"Cannot reach the mail server {where} ({_reason(exc)}). Check RADAR_SMTP__HOST "
                                      "and RADAR_SMTP__PORT, and that the server is up; the next run tries again."))


def _failed_before_handing_over(exc: BaseException, where: str, stage: str, settings: SmtpSettings,
                                scrub: Callable[[str], str]) -> MailError:
    if isinstance(exc, ssl.SSLError):
        return _unreachable(exc, where, settings, scrub)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer_error(exc.smtp_code, _text(exc.smtp_error), where, f"the {stage} step", scrub)
    return MailUnavailableError(scrub(f"The mail server {where} dropped the connection at the {stage} step "
                                      f"({_reason(exc)}); nothing was delivered, the next run tries again."))


def _data_bytes(message: EmailMessage) -> bytes:
    """The message as DATA sends it: CRLF lines, leading dots doubled, ended by a lone dot."""
    data = message.as_bytes(policy=SMTP_POLICY)
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _close(smtp: smtplib.SMTP, *, quit_first: bool = False) -> None:
    try:
        if quit_first:
            smtp.quit()
            return
    except (OSError, smtplib.SMTPException):
        pass
    try:
        smtp.close()
    except OSError:
        pass


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return _text(text)


def _scrubber(settings: SmtpSettings) -> Callable[[str], str]:
    """Removes the password, and the encodings a login sends it in, from a text."""
    if not settings.password or not settings.password.get_secret_value():
        return lambda text: text
    password = settings.password.get_secret_value()
    user = settings.user or ""
    secrets = {password, base64.b64encode(password.encode()).decode(),
               base64.b64encode(f"\0{user}\0{password}".encode()).decode(),
               base64.b64encode(f"{user}\0{user}\0{password}".encode()).decode()}

    def scrub(text: str) -> str:
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text
    return scrub
