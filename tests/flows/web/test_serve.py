"""`radar serve` as a user meets it before there is anything to serve."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flows.web.server import is_loopback
from tests.flows.web.conftest import free_port, server_environment


def test_serve_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flows.cli", "serve", "--port", str(free_port())],
                          env=server_environment(tmp_path / "empty"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "radar ingest" in done.stderr and "Traceback" not in done.stderr


def test_serve_help_names_the_defaults() -> None:
    done = subprocess.run([sys.executable, "-m", "flows.cli", "serve", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "127.0.0.1" in done.stdout and "8000" in done.stdout


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
