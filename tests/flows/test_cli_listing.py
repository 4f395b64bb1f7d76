"""What the CLI lists: through one sanitising printer, with each paper's announce kind and article
type, and filters that match any case and refuse what the store does not hold."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from rich.table import Table

from flows.printer import SafeConsole, printable
from tests.corpus import REPO
from tests.flows.cli_runner import invoke

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")
# An OSC 8 hyperlink, a screen clear, a C1 CSI colour, a carriage return and a backspace.
HOSTILE = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J\x9b31m\r\x08"
CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\x08")


def test_printable_keeps_text_tabs_and_newlines() -> None:
    assert printable(f"Käser\tet al.\n{HOSTILE}[x]") == "Käser\tet al.\n]8;;https://evil.exampleclick]8;;[2J31m[x]"


def test_the_console_removes_controls_from_everything_it_renders(tmp_path: Path) -> None:
    with (tmp_path / "out.txt").open("w", encoding="utf-8") as file:
        console = SafeConsole(file=file, force_terminal=True, width=100)
        table = Table("title")
        table.add_row(f"A title{HOSTILE}")
        console.print(table)
        console.print(f"[bold]plain[/] {HOSTILE}", highlight=False)
        console.write_text(f"# Brief {HOSTILE}")
        console.write_json({"title": f"A{HOSTILE}"})
    written = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert "\x1b[1m" in written  # Rich's own styling still works on a terminal
    assert "\x1b]" not in written and "\x1b[2J" not in written
    assert not any(c in written for c in ("\x07", "\x9b", "\r", "\x08"))
    assert json.loads(written[written.index("{"):])["title"] == f"A{HOSTILE}"  # JSON loses nothing


@pytest.fixture
def hostile_home(corpus_home: Path) -> Path:
    """The corpus, with control characters in every title and abstract, as stored before normalisation removed them."""
    with duckdb.connect(str(corpus_home / "radar.duckdb")) as con:
        con.execute("UPDATE papers SET title = title || ' ' || ?, abstract = ? || abstract, "
                    "authors = list_prepend(?, authors)", [HOSTILE, HOSTILE, f"Eve{HOSTILE}"])
    return corpus_home


@pytest.mark.parametrize("args", [
    ["search", "neural networks", "--mode", "bm25", "-k", "3"],
    ["search", "neural networks", "-k", "3", "--json"],
    ["related", "arxiv:2411.17766", "-k", "3"],
    ["related", "arxiv:2411.17766", "-k", "3", "--json"],
    ["digest", "ml-for-biology", "--config", DEMO_CONFIG, "--date", "2024-11-28", "-k", "3"],
    ["digest", "ml-for-biology", "--config", DEMO_CONFIG, "--date", "2024-11-28", "-k", "3", "--json"],
    ["brief", "protein structure with deep learning"],
    ["brief", "protein structure with deep learning", "--format", "html"],
    ["summarize", "arxiv:2411.17766"],
])
def test_stored_control_characters_never_reach_the_terminal(hostile_home: Path, args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "click" in result.stdout  # the hostile text was printed, less its controls
    for stream in (result.stdout, result.stderr):
        assert not any(c in stream for c in CONTROLS), [c for c in CONTROLS if c in stream]
    if "--json" in args:  # JSON keeps the stored text exactly, escaped
        assert any(HOSTILE in text for text in strings(json.loads(result.stdout)))


def strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for v in values for s in strings(v)]


def search_json(*args: str) -> dict:
    result = invoke("search", "neural networks", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_filters_match_whatever_the_case(corpus_home: Path) -> None:
    data = search_json("--field", "computer science", "--category", "cs.cv", "--source", "ARXIV")
    assert data["filters"] | {"announce": None} == {"field": "Computer Science", "category": "cs.CV", "source": "arxiv",
                                                    "since": None, "until": None, "announce": None}
    assert data["hits"] and all("cs.CV" in h["categories"] for h in data["hits"])


@pytest.mark.parametrize(("args", "says"), [
    (["--field", "Astrology"], "Known fields, most papers first: Physics, Computer Science"),
    (["--source", "pubmed"], "Known sources"),
    (["--category", "cs.XX"], "Known categories"),
    (["--since", "2024-12-01", "--until", "2024-11-01"], "--since 2024-12-01 is after --until 2024-11-01"),
    (["--announce", "old"], "use new, cross (cross-list) or revised"),
])
def test_an_unknown_filter_value_is_a_usage_error_that_lists_the_known_ones(corpus_home: Path, args: list[str],
                                                                           says: str) -> None:
    result = invoke("search", "neural networks", *args)
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split())


def test_brief_fields_are_checked_the_same_way(corpus_home: Path) -> None:
    result = invoke("brief", "protein structure", "--field", "Astrology")
    assert result.exit_code == 2 and "Known fields" in result.stderr


def test_the_announce_kind_is_shown_and_filtered_on(corpus_home: Path) -> None:
    every = search_json("-k", "30", "--all")  # the filter is what is tested here, not the relevance floor
    assert len({h["announce"] for h in every["hits"]}) >= 2
    crossed = search_json("--announce", "cross", "-k", "10", "--all")
    assert crossed["filters"]["announce"] == ["cross-list"]
    assert crossed["hits"] and {h["announce"] for h in crossed["hits"]} == {"cross-list"}
    table = " ".join(invoke("search", "neural networks", "--announce", "new,revised", "-k", "5", "--all").stdout.split())
    assert "· new" in table or "· revised" in table
    assert "cross-list" not in table


def test_digests_say_what_they_left_out(corpus_home: Path) -> None:
    result = invoke("digest", "ml-for-biology", "--config", DEMO_CONFIG, "--date", "2024-11-28", "-k", "3")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Left out: " in text and " revised (profile keys include_revised, article_types)" in text
