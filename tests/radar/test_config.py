"""The TOML feed configuration: validation messages, path resolution, the bundled default, selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from radar.config import DEFAULT_URLS, FeedSpec, RadarConfig, bundled_config_text, load_config, parse_config
from radar.errors import ConfigError

RSS = '[[feeds]]\nname = "nature"\nkind = "rss"\nurl = "https://www.nature.com/nature.rss"\n'


def parse(text: str, base_dir: Path = Path("/configs")) -> RadarConfig:
    return parse_config(text, origin="radar.toml", base_dir=base_dir)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "radar.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- unknown and invalid keys ------------------------------------------------------------------

def test_an_unknown_feed_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, RSS + 'colour = "red"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "feeds[0].colour" in message and "Extra inputs are not permitted" in message
    assert str(path) in message


def test_an_unknown_top_level_key_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"^radar\.toml: feed: Extra inputs"):
        parse('[[feed]]\nname = "typo"\nkind = "rss"\nurl = "https://example.org/rss"\n')


def test_an_unknown_kind_names_the_key_and_the_kinds() -> None:
    with pytest.raises(ConfigError) as info:
        parse(RSS.replace('kind = "rss"', 'kind = "atom"'))
    message = str(info.value)
    assert "feeds[0].kind" in message
    assert all(kind in message for kind in ("'arxiv-rss'", "'arxiv-api'", "'biorxiv'", "'medrxiv'", "'rss'"))


def test_the_failing_feed_is_located_by_its_index() -> None:
    text = RSS + '[[feeds]]\nname = "second"\nkind = "rss"\nurl = "https://example.org/rss"\nday = 3\n'
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.day"):
        parse(text)


@pytest.mark.parametrize(("text", "expected"), [
    ('[[feeds]]\nname = "api"\nkind = "arxiv-api"\n', "feed 'api' of kind arxiv-api needs a query"),
    ('[[feeds]]\nname = "journal"\nkind = "rss"\n', "feed 'journal' of kind rss needs a url"),
    ('[[feeds]]\nname = "arxiv"\nkind = "arxiv-rss"\n', "needs a url"),
    ('[[feeds]]\nname = "j"\nkind = "rss"\nurl = ""\n', "needs a url"),
    ('[[feeds]]\nkind = "rss"\nurl = "https://example.org"\n', r"feeds[0].name: Field required"),
    ('[[feeds]]\nname = "bad name"\nkind = "rss"\nurl = "https://example.org"\n', "feeds[0].name"),
    ('[[feeds]]\nname = "api"\nkind = "arxiv-api"\nquery = "cat:cs.AI"\npage_size = 5000\n', "feeds[0].page_size"),
    ('[[feeds]]\nname = "b"\nkind = "biorxiv"\ndays = 0\n', "feeds[0].days"),
    ('[[feeds]]\nname = "b"\nkind = "biorxiv"\nsince = 2026-07-18\nuntil = 2026-07-15\n', "is after until"),
    ("feeds = 3\n", "feeds: Input should be a valid list"),
    ("feeds = [ = \n", "not valid TOML"),
])
def test_invalid_configs_are_clear_errors(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert expected in str(info.value)


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ConfigError, match="two feeds are named 'nature'"):
        parse(RSS + RSS.replace("nature.rss", "other.rss"))


def test_arxiv_api_with_a_query_is_valid() -> None:
    feed = parse('[[feeds]]\nname = "api"\nkind = "arxiv-api"\nquery = "cat:cs.RO AND (neural)"\n').feeds[0]
    assert (feed.query, feed.resolved_url, feed.days, feed.page_size) == (
        "cat:cs.RO AND (neural)", "https://export.arxiv.org/api/query", 2, 1000)


def test_an_empty_url_on_an_api_kind_means_the_default(tmp_path: Path) -> None:
    feed = load_config(write(tmp_path, '[[feeds]]\nname = "m"\nkind = "medrxiv"\nurl = ""\n')).feeds[0]
    assert feed.resolved_url == DEFAULT_URLS["medrxiv"] == "https://api.biorxiv.org/details/medrxiv"


# --- paths -------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["snapshot/nature.rss", "./snapshot/nature.rss", "file:snapshot/nature.rss"])
def test_relative_paths_are_resolved_against_the_configs_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(tmp_path / "conf", f'[[feeds]]\nname = "n"\nkind = "rss"\nurl = "{written}"\n')
    feed = load_config(path).feeds[0]
    assert feed.url == (tmp_path / "conf" / "snapshot" / "nature.rss").as_uri()
    assert feed.resolved_url == feed.url


def test_a_path_leaving_the_folder_is_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "conf", '[[feeds]]\nname = "n"\nkind = "rss"\nurl = "../data/feed.xml"\n')
    assert load_config(path).feeds[0].url == (tmp_path / "data" / "feed.xml").as_uri()


def test_a_path_with_a_space_becomes_a_valid_file_url(tmp_path: Path) -> None:
    path = write(tmp_path / "my conf", '[[feeds]]\nname = "n"\nkind = "rss"\nurl = "feeds/a b.xml"\n')
    url = load_config(path).feeds[0].url
    assert url == (tmp_path / "my conf" / "feeds" / "a b.xml").as_uri() and " " not in url


@pytest.mark.parametrize("url", [
    "https://www.nature.com/nature.rss",
    "http://rss.arxiv.org/rss/cs.AI",
])
def test_web_urls_are_left_alone(url: str) -> None:
    assert parse(RSS.replace("https://www.nature.com/nature.rss", url)).feeds[0].url == url


@pytest.mark.parametrize("written", ["file:///srv/feeds/nature.rss", "file://localhost/srv/feeds/nature.rss",
                                     "/srv/feeds/nature.rss"])
def test_absolute_paths_stay_absolute(written: str) -> None:
    feed = parse(f'[[feeds]]\nname = "n"\nkind = "rss"\nurl = "{written}"\n', base_dir=Path("/configs"))
    assert feed.feeds[0].url == "file:///srv/feeds/nature.rss"


# --- files and the bundled default -------------------------------------------------------------

def test_a_missing_file_is_an_error_unless_the_bundled_default_is_allowed(tmp_path: Path) -> None:
    missing = tmp_path / "radar.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(missing)
    assert len(load_config(missing, fallback_to_bundled=True).feeds) == 9


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "radar.toml"
    path.write_bytes(b"\xff\xfe\x00not utf-8")
    with pytest.raises(ConfigError, match="Cannot read config"):
        load_config(path)


def test_the_bundled_default_holds_the_nine_feeds_of_the_design() -> None:
    config = parse_config(bundled_config_text(), origin="bundled", base_dir=Path("/nowhere"))
    by_name = {f.name: f for f in config.feeds}
    assert len(config.feeds) == 9 == len(by_name)
    arxiv = {f.url.rsplit("/", 1)[-1] for f in config.feeds if f.kind == "arxiv-rss"}
    assert arxiv == {"cs.AI", "cs.CL", "cs.CV", "cs.LG", "quant-ph", "math.PR"}
    assert all(f.url.startswith("https://rss.arxiv.org/rss/") for f in config.feeds if f.kind == "arxiv-rss")
    bio = [f for f in config.feeds if f.kind == "biorxiv"]
    assert [(f.category, f.resolved_url) for f in bio] == [("bioinformatics", "https://api.biorxiv.org/details/biorxiv")]
    assert [f.resolved_url for f in config.feeds if f.kind == "medrxiv"] == ["https://api.biorxiv.org/details/medrxiv"]
    nature = [f for f in config.feeds if f.kind == "rss"]
    assert [(f.source, f.field) for f in nature] == [("Nature", "Multidisciplinary")]
    assert all(f.enabled for f in config.feeds)
    assert config.select() == config.feeds


# --- selection ---------------------------------------------------------------------------------

SELECTABLE = RSS + (
    '[[feeds]]\nname = "arxiv-cs-ai"\nkind = "arxiv-rss"\nurl = "https://rss.arxiv.org/rss/cs.AI"\n'
    '[[feeds]]\nname = "old"\nkind = "rss"\nurl = "https://example.org/rss"\nenabled = false\n'
)


def test_select_without_names_gives_the_enabled_feeds() -> None:
    assert [f.name for f in parse(SELECTABLE).select()] == ["nature", "arxiv-cs-ai"]


def test_select_by_name_keeps_the_order_and_allows_disabled_feeds() -> None:
    assert [f.name for f in parse(SELECTABLE).select(["old", "nature"])] == ["old", "nature"]


def test_select_an_unknown_name_is_an_error_listing_the_feeds() -> None:
    with pytest.raises(ConfigError) as info:
        parse(SELECTABLE).select(["nature", "natrue"])
    message = str(info.value)
    assert "natrue" in message
    assert "nature, arxiv-cs-ai, old" in message


def test_feed_specs_are_frozen() -> None:
    feed = FeedSpec(name="n", kind="rss", url="https://example.org")
    with pytest.raises(ValidationError):
        feed.url = "https://elsewhere.org"  # type: ignore[misc]


def test_configured_falls_back_to_the_bundled_default_only_for_the_default_path(
        radar_env, tmp_path, monkeypatch) -> None:
    from radar.config import configured
    from radar.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no ./radar.toml here
    assert len(configured(load_settings()).feeds) == 9
    monkeypatch.setenv("RADAR_CONFIG", str(tmp_path / "mine.toml"))
    with pytest.raises(ConfigError, match="mine.toml does not exist"):
        configured(load_settings())
    with pytest.raises(ConfigError, match="other.toml does not exist"):
        configured(load_settings(), tmp_path / "other.toml")


def test_profiles_are_read_and_looked_up_by_name(tmp_path: Path) -> None:
    config = parse_config("""
[[profiles]]
name = "bio-ml"
description = "Machine learning for protein design"
categories = ["q-bio.BM"]
seeds = ["arxiv:2411.17766"]
language = "zh"
""", origin="test", base_dir=tmp_path)
    profile = config.profile("bio-ml")
    assert (profile.categories, profile.seeds, profile.language) == (["q-bio.BM"], ["arxiv:2411.17766"], "zh")
    with pytest.raises(ConfigError, match="No profile named 'nope'. Configured: bio-ml"):
        config.profile("nope")


@pytest.mark.parametrize(("body", "message"), [
    ('name = "p"\ndescription = "x y z"\ncolour = "red"', "colour"),
    ('name = "p"\ndescription = "x y z"\nlanguage = "fr"', "language"),
    ('name = "p"', "description"),
    ('name = "p"\ndescription = "   "', "needs a description"),
])
def test_bad_profiles_are_clear_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(f"[[profiles]]\n{body}\n", origin="test", base_dir=tmp_path)


def test_two_profiles_with_one_name_are_an_error(tmp_path: Path) -> None:
    text = '[[profiles]]\nname = "p"\ndescription = "one"\n[[profiles]]\nname = "p"\ndescription = "two"\n'
    with pytest.raises(ConfigError, match="two profiles are named 'p'"):
        parse_config(text, origin="test", base_dir=tmp_path)


def test_bundled_and_demo_configs_carry_profiles() -> None:
    assert parse_config(bundled_config_text(), origin="bundled", base_dir=Path.cwd()).profiles
    demo = Path(__file__).resolve().parents[2] / "demo" / "radar.toml"
    assert {p.name for p in load_config(demo).profiles} >= {"llm-reasoning", "quantum-computing"}


def test_recipients_are_read_per_profile(tmp_path: Path) -> None:
    config = parse_config("""
[[profiles]]
name = "p"
description = "protein design"
recipients = ["ada@example.org", "Alan Turing <alan@example.org>", '"Doe, Jo" <jo@example.org>']
""", origin="test", base_dir=tmp_path)
    assert config.profile("p").recipients == ["ada@example.org", "Alan Turing <alan@example.org>",
                                              '"Doe, Jo" <jo@example.org>']
    assert parse_config('[[profiles]]\nname = "q"\ndescription = "x y z"\n', origin="t",
                        base_dir=tmp_path).profile("q").recipients == []


@pytest.mark.parametrize("recipient", ["not-an-address", "a@example.org, b@example.org", "ada@", "ada @example.org",
                                       "ada@example.org\\r\\nBcc: eve@example.org"])
def test_a_recipient_that_is_not_one_address_is_an_error(tmp_path: Path, recipient: str) -> None:
    with pytest.raises(ConfigError, match="profiles\\[0\\].*is not an e-mail address"):
        parse_config(f'[[profiles]]\nname = "p"\ndescription = "x y z"\nrecipients = ["{recipient}"]\n',
                     origin="test", base_dir=tmp_path)
