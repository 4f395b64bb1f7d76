"""A real Elasticsearch node for the search tests (never a fake).

``elasticsearch_node`` runs ``scripts/elasticsearch.sh fetch`` and ``start`` once per test
session, with RADAR_HOME in a pytest temporary folder and a free port, so it never
touches a developer's own node; it stops the node at the end. When the node cannot
start, the tests fail; only outside CI, and only when Maven, unzip or a JDK is missing,
they are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "elasticsearch.sh"

# What the script says when a tool is missing (only these may skip, and only outside CI).
_MISSING_TOOL = re.compile(r"mvn not found|unzip not found|no JDK >= ?\d+ found|ES_JAVA_HOME=\S* has no bin/java")


@dataclass
class ElasticsearchNode:
    """A node started by scripts/elasticsearch.sh in a temporary RADAR_HOME."""

    url: str
    username: str
    password: str = field(repr=False)
    home: Path
    port: int
    env: dict[str, str] = field(repr=False)

    def script(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SCRIPT), command], cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self) -> None:
        result = self.script("start")
        if result.returncode != 0:
            raise RuntimeError(f"scripts/elasticsearch.sh start failed (exit {result.returncode}):\n{_tail(result)}")

    def stop(self) -> None:
        result = self.script("stop", timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"scripts/elasticsearch.sh stop failed (exit {result.returncode}):\n{_tail(result)}")

    def running(self) -> bool:
        return self.script("status", timeout=60).returncode == 0


def _tail(result: subprocess.CompletedProcess[str], lines: int = 40) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cannot_start(command: str, result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    missing = _MISSING_TOOL.search(output)
    if missing and not os.environ.get("CI"):
        pytest.skip(f"Elasticsearch tests need Maven, unzip and a JDK 21+ ({missing.group(0)}); "
                    "install them (see scripts/elasticsearch.sh --help). With CI set this is a failure.")
    pytest.fail(f"The test Elasticsearch node did not come up: scripts/elasticsearch.sh {command} "
                f"exited {result.returncode}:\n{_tail(result)}", pytrace=False)


@pytest.fixture(scope="session")
def elasticsearch_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ElasticsearchNode]:
    """A running node (security on) for the whole session, stopped at the end."""
    home = tmp_path_factory.mktemp("elasticsearch-home")
    port = _free_port()
    password = "test-" + secrets.token_urlsafe(18)
    env = {**os.environ, "RADAR_HOME": str(home), "ES_DEV_PORT": str(port), "RADAR_ELASTICSEARCH_PASSWORD": password,
           "ES_DEV_HEAP": os.environ.get("ES_DEV_HEAP", "512m")}
    node = ElasticsearchNode(url=f"http://127.0.0.1:{port}", username="elastic", password=password, home=home,
                             port=port, env=env)
    for command, timeout in (("fetch", 1800), ("start", 400)):
        try:
            result = node.script(command, timeout=timeout)
        except subprocess.TimeoutExpired:
            node.script("stop", timeout=120)
            pytest.fail(f"scripts/elasticsearch.sh {command} did not finish within {timeout}s", pytrace=False)
        if result.returncode != 0:
            if command == "start":
                node.script("stop", timeout=120)
            _cannot_start(command, result)
    try:
        yield node
    finally:
        node.script("stop", timeout=120)


@pytest.fixture(scope="session")
def es_admin(elasticsearch_node: ElasticsearchNode):
    """A plain client for the tests' own checks (mappings, aliases, cleanup)."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_node.url, basic_auth=(elasticsearch_node.username, elasticsearch_node.password),
                           request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def clean_radar_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray RADAR_* variable of the developer's shell reaches Settings."""
    for name in list(os.environ):
        if name.upper().startswith("RADAR_"):
            monkeypatch.delenv(name)


@pytest.fixture
def es_alias() -> str:
    """An alias of this test's own (indices behind it are named <alias>-v1-...)."""
    return f"radar-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings_for(elasticsearch_node: ElasticsearchNode, es_alias: str, clean_radar_env: None) -> Callable[..., object]:
    """Settings pointing at the test node, with overrides (url, password, api key ...)."""
    from radar.settings import Settings

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "search_backend": "elasticsearch",
            "elasticsearch_url": elasticsearch_node.url,
            "elasticsearch_username": elasticsearch_node.username,
            "elasticsearch_password": elasticsearch_node.password,
            "elasticsearch_alias": es_alias,
            "elasticsearch_timeout": 20.0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def es_settings(settings_for: Callable[..., object]):
    """radar Settings for the test node, on this test's own alias."""
    return settings_for()


@pytest.fixture
def es_backend(es_settings, es_admin, es_alias: str):
    """A backend on this test's own alias; its indices are deleted afterwards."""
    from indexing.search.elasticsearch import build_backend

    backend = build_backend(es_settings)
    yield backend
    backend.close()
    es_admin.options(ignore_status=404).indices.delete(index=f"{es_alias}-*", expand_wildcards="all")
    es_admin.options(ignore_status=(400, 404)).indices.delete(index=es_alias)
