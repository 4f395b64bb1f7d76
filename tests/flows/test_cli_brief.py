"""`radar brief` and `radar summarize`: formats, profiles, the model path, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus import REPO
from tests.flows.cli_runner import invoke
from tests.llmserver import TEST_MODEL, LlmServer
from tests.queries.brief.writer import answer, faithful

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")
# Four papers of the corpus (a fifth of the demo day) clear the relevance floor on it, across fields.
TOPIC = "protein structure prediction with deep learning"


@pytest.mark.parametrize("command", ["brief", "summarize"])
def test_help_explains_every_option(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    options = ["--language", "--model"] + (["--profile", "--since", "--field", "--format", "--output"]
                                           if command == "brief" else ["--json"])
    for option in options:
        assert option in result.output


def test_an_extractive_brief_in_markdown_with_a_summary_line(corpus_home: Path) -> None:
    result = invoke("brief", TOPIC)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Brief: protein structure") and "## Key papers" in result.stdout
    assert "Extractive brief" in result.stdout and "## Method" in result.stdout
    assert "saved:" in result.stderr and "fields cited" in result.stderr


def test_json_and_html_formats_and_output_to_a_file(corpus_home: Path, tmp_path: Path) -> None:
    data = json.loads(invoke("brief", TOPIC, "--json").stdout)
    assert data["schema"] == "radar.brief/1" and data["kind"] == "extractive" and data["sources"]
    target = tmp_path / "brief.html"
    result = invoke("brief", TOPIC, "--format", "html", "--output", str(target))
    assert result.exit_code == 0 and target.read_text().startswith("<!doctype html>")
    assert result.stdout == ""


def test_every_brief_is_stored(corpus_home: Path) -> None:
    first = json.loads(invoke("brief", TOPIC, "--format", "json").stdout)
    import duckdb

    con = duckdb.connect(str(corpus_home / "radar.duckdb"), read_only=True)
    stored = con.execute("SELECT topic, kind FROM briefs WHERE brief_id = ?", [first["brief_id"]]).fetchone()
    assert stored == (TOPIC, "extractive")


def test_a_profile_brief_uses_its_description_and_language(corpus_home: Path) -> None:
    result = invoke("brief", "--profile", "quantum-computing", "--config", DEMO_CONFIG, "--format", "json")
    data = json.loads(result.stdout)
    assert data["request"]["profile"] == "quantum-computing" and data["request"]["language"] == "zh"
    assert data["title"].startswith("简报")


def test_the_model_path_through_a_local_openai_compatible_server(corpus_home: Path, llm_server: LlmServer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_LLM__MODEL", TEST_MODEL)
    monkeypatch.setenv("RADAR_LLM__API_BASE", llm_server.url)
    monkeypatch.setenv("RADAR_LLM__API_KEY", "sk-cli-secret")
    llm_server.respond_with(lambda request: answer(faithful(request)))
    result = invoke("brief", TOPIC, "--format", "json")
    data = json.loads(result.stdout)
    assert data["kind"] == "llm" and data["model"] == TEST_MODEL
    assert "sk-cli-secret" not in result.output
    summary = json.loads(invoke("summarize", data["sources"][0]["paper_id"], "--json",
                                "--model", "openai/elsewhere").stdout)
    assert summary["schema"] == "radar.summary/1"


def test_nothing_found_is_a_short_honest_answer(corpus_home: Path) -> None:
    result = invoke("brief", "sourdough bread baking recipes for beginners")
    assert result.exit_code == 0 and "Nothing in the index matches" in result.stdout
    assert "nothing found" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    ([], "give a TOPIC or --profile"),
    (["x", "--profile", "p"], "give a TOPIC or --profile"),
    (["x", "--format", "pdf"], "--format must be one of md, html, json"),
    (["x", "--language", "fr"], "--language must be one of en, zh"),
    (["--profile", "nope", "--config", DEMO_CONFIG], "No profile named 'nope'"),
])
def test_bad_requests_exit_2_with_what_to_do(corpus_home: Path, args: list[str], message: str) -> None:
    result = invoke("brief", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_summarize_an_arxiv_paper_by_any_id_form(corpus_home: Path) -> None:
    result = invoke("summarize", "2411.17766v1")
    assert result.exit_code == 0, result.output
    assert "arxiv:2411.17766" in result.stdout and "•" in result.stdout
    data = json.loads(invoke("summarize", "arxiv:2411.17766", "--json").stdout)
    assert data["cached"] and data["model"] == "extractive" and 2 <= len(data["takeaways"]) <= 5
    assert invoke("summarize", "arxiv:0000.00000").exit_code == 2


def test_stored_briefs_are_listed_and_shown_again(corpus_home: Path) -> None:
    made = json.loads(invoke("brief", TOPIC, "--format", "json").stdout)
    listed = json.loads(invoke("briefs", "--json").stdout)
    assert listed[0]["brief_id"] == made["brief_id"] and listed[0]["kind"] == "extractive"
    assert made["brief_id"] in invoke("briefs").stdout
    shown = invoke("briefs", made["brief_id"], "--format", "md").stdout
    assert shown.startswith("# Brief: protein structure") and made["brief_id"] in shown
    assert json.loads(invoke("briefs", made["brief_id"], "--json").stdout) == made
    missing = invoke("briefs", "nope")
    assert missing.exit_code == 2 and "radar briefs" in missing.stderr
