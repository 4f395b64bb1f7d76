"""The command line with hostile configs: credentials in URLs, unknown URL schemes, nothing to ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Response
from tests.flows.cli_runner import invoke

SECRETS = ("s3cretURL", "sk-l1ve")


def shown(result) -> str:  # noqa: ANN001 - a click Result
    return result.stdout + result.stderr


def test_settings_mask_credentials_in_urls(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_ELASTICSEARCH_URL", "http://elastic:s3cretURL@127.0.0.1:9200")
    monkeypatch.setenv("RADAR_LLM__API_BASE", "http://u:sk-l1ve@127.0.0.1:8000/v1")
    table, as_json = invoke("settings"), invoke("settings", "--json")
    assert table.exit_code == as_json.exit_code == 0
    assert not any(secret in shown(table) + shown(as_json) for secret in SECRETS)
    rows = {row["variable"]: row["value"] for row in json.loads(as_json.stdout)}
    assert rows["RADAR_ELASTICSEARCH_URL"] == "http://***@127.0.0.1:9200"
    assert rows["RADAR_LLM__API_BASE"] == "http://***@127.0.0.1:8000/v1"


def test_a_feed_url_with_credentials_is_masked_in_every_output(
        radar_env: Path, tmp_path: Path, feed_server: FeedServer, feed_bytes) -> None:
    feed_server.route("/nature.rss", Response(feed_bytes("nature.rss")))
    feed_server.route("/gone.rss", Response(b"no", status=404))
    private = feed_server.url("/nature.rss").replace("http://", "http://reader:s3cretURL@")
    gone = feed_server.url("/gone.rss").replace("http://", "http://reader:s3cretURL@")
    config = tmp_path / "radar.toml"
    config.write_text(f'[[feeds]]\nname = "nature"\nkind = "rss"\nurl = "{private}"\n\n'
                      f'[[feeds]]\nname = "gone"\nkind = "rss"\nurl = "{gone}"\n')
    outputs = [invoke("ingest", "--config", str(config), "--json"), invoke("ingest", "--config", str(config)),
               invoke("status"), invoke("status", "--json"),
               invoke("feeds", "--config", str(config)), invoke("feeds", "--config", str(config), "--json")]
    assert [r.exit_code for r in outputs] == [0] * 6
    assert json.loads(outputs[0].stdout)["feeds"][0]["new"] == 75
    assert "***@127.0.0.1" in outputs[5].stdout
    assert not any("s3cretURL" in shown(r) for r in outputs)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed.xml", "javascript:alert(1)", "gopher://u:s3cretURL@h/x"])
def test_a_feed_url_scheme_other_than_http_https_or_file_is_a_config_error(
        radar_env: Path, tmp_path: Path, url: str) -> None:
    config = tmp_path / "radar.toml"
    config.write_text(f'[[feeds]]\nname = "x"\nkind = "rss"\nurl = "{url}"\n')
    result = invoke("ingest", "--config", str(config))
    assert result.exit_code == 2
    assert "http, https or file" in result.stderr and "no such file" not in result.stderr
    assert "s3cretURL" not in result.stderr


@pytest.mark.parametrize("text", ["", "feeds = []\n", '[[feeds]]\nname = "x"\nkind = "rss"\nurl = "f.xml"\nenabled = false\n'],
                         ids=["empty-config", "empty-list", "all-disabled"])
def test_nothing_to_ingest_exits_2_and_says_what_to_do(radar_env: Path, tmp_path: Path, text: str) -> None:
    config = tmp_path / "radar.toml"
    config.write_text(text)
    result = invoke("ingest", "--config", str(config))
    assert result.exit_code == 2
    assert "Nothing to ingest" in result.stderr and "[[feeds]]" in result.stderr
