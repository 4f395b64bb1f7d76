"""A real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS or TLS from the first byte, and AUTH.

Its certificate is self-signed, made at start with `cryptography` for 127.0.0.1 and localhost,
and written to ``cert_path`` for the client to trust (RADAR_SMTP__CA_FILE). Messages it takes
are kept in ``received``. Faults are scripted per command and used once each, in order:
``fail("rcpt", "drop")`` hangs up at the next RCPT, ``fail("data", "451 4.3.0 Try later")``
answers the next message's end with 451, ``fail("data", "drop-after")`` keeps the next message
and hangs up without answering (the client cannot know it was taken), ``fail(..., "hang")`` waits a
minute before answering (a client killed meanwhile).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "radar", "correct horse battery staple"
logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd warns of its own deprecated attribute per login


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated: bool


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """Start with ``start()``; ``security`` is starttls (required before AUTH) or ssl."""

    def __init__(self, folder: Path, security: str = "starttls") -> None:
        self.cert_path, key_path = self_signed(folder)
        self.security = security
        self.received: list[Received] = []
        self.logins: list[tuple[str, bool]] = []
        self.commands: list[str] = []
        self._faults: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, key_path)
        self.port = free_port()
        # aiosmtpd knows TLS only from its own STARTTLS: with TLS from the first byte, AUTH must not
        # wait for it (the whole connection is encrypted already).
        tls = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True} if security == "starttls"
               else {"ssl_context": context, "auth_require_tls": False})
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      authenticator=self._authenticate, **tls)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def fail(self, command: str, how: str) -> None:
        """Script one fault at the next ``command`` (rcpt or data): ``drop``, ``drop-after`` or an SMTP answer."""
        with self._lock:
            self._faults.append((command, how))

    def _fault(self, command: str) -> str | None:
        with self._lock:
            for i, (name, how) in enumerate(self._faults):
                if name == command:
                    del self._faults[i]
                    return how
        return None

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: object) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
              and auth_data.password.decode() == PASSWORD)
        login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
        with self._lock:
            self.logins.append((login, ok))
        return AuthResult(success=ok, handled=False)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        self.server.commands.append("RCPT")
        how = self.server._fault("rcpt")
        if how == "hang":
            await asyncio.sleep(60)
            return "451 4.4.2 Timed out"
        if how == "drop":
            server.transport.abort()
            return "250 OK"
        if how:
            return how
        if address.endswith("@refused.example.org"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.server.commands.append("DATA")
        how = self.server._fault("data")
        if how == "hang":  # the whole message arrived; the answer never comes
            await asyncio.sleep(60)
            return "451 4.4.2 Timed out"
        if how in (None, "drop-after"):
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                                 bool(session.authenticated)))
        if how in ("drop", "drop-after"):
            server.transport.abort()
            return "250 OK"
        return how or "250 2.0.0 Queued"
