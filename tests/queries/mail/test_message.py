"""The digest mail as built, parsed back with the standard `email` package: parts, headers, content,
escaping, and nothing that a mail client would load or run."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser

from queries.digest import Digest
from queries.mail.message import brief_teaser, digest_message, message_id
from tests.queries.mail.digests import DAY, brief, hostile_digest

NOW = datetime(2024, 11, 28, 12, 0, tzinfo=UTC)


def build(d: Digest | None = None, **kwargs: object) -> EmailMessage:
    message = digest_message(d or hostile_digest(), sender="Radar <radar@example.org>",
                             recipients=["ada@example.org", "Alan <alan@example.org>"],
                             msg_id=message_id("bio", DAY.isoformat(), "Radar <radar@example.org>"), now=NOW,
                             **kwargs)  # type: ignore[arg-type]
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    markup = message.get_body(("html",))
    assert text is not None and markup is not None
    return text.get_content(), markup.get_content()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(markup)
    return parser.tags


def test_the_message_is_multipart_alternative_with_text_then_html() -> None:
    message = build()
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Radar: 3 papers for bio, 2024-11-28"
    assert message["To"] == "ada@example.org, Alan <alan@example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<radar\.2024-11-28\.[0-9a-f]{16}@example\.org>", message["Message-ID"])


def test_every_entry_is_numbered_with_source_category_badge_title_authors_summary_and_links() -> None:
    text, markup = parts(build())
    assert "1. Paper number 1 on protein design" in text
    assert "   arXiv · cs.LG, q-bio.BM · new" in text
    assert "   Ada Lovelace, Alan Turing, Grace Hopper and 1 more" in text
    assert "   We design proteins with model 1." in text and "It works well" not in text  # one line
    assert "   https://arxiv.org/abs/2411.10001" in text
    assert "3. Paper number 3 on protein design" in text and "Nature · Multidisciplinary · revised · research" in text
    assert "   https://doi.org/10.1038/s41586-024-0001-1" in text
    assert "authors not given" in text
    assert "120 papers published 2024-11-28" in text and "Left out: 4 revised" in text
    assert "<b>1.</b> arXiv · cs.LG, q-bio.BM" in markup and ">new</span>" in markup
    assert ">cross-list</span>" in markup and ">revised · research</span>" in markup
    assert '<a href="https://arxiv.org/abs/2411.10001"' in markup
    assert "Ada Lovelace, Alan Turing, Grace Hopper and 1 more" in markup


def test_feed_text_is_escaped_and_nothing_is_loaded_or_run() -> None:
    _, markup = parts(build())
    tags = tags_of(markup)
    names = {t for t, _ in tags}
    assert not names & {"script", "img", "link", "style", "iframe", "object", "embed", "form", "base"}
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in markup
    assert "&lt;img src=&quot;http://evil.example/pixel.png&quot;&gt;" in markup
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs and all(h and h.startswith("https://") for h in hrefs)  # the javascript: url is never a link
    assert "javascript:" not in markup
    assert all("url(" not in (a.get("style") or "") for _, a in tags)  # no background images
    assert "蛋白质" in markup and "$\\alpha$-helices" in markup
    # a DOI-only entry links its DOI
    assert '<a href="https://doi.org/10.1101/2024.11.28.612345"' in markup


def test_css_is_inline_only() -> None:
    _, markup = parts(build())
    assert "<style" not in markup and 'rel="stylesheet"' not in markup
    assert all("class" not in attrs for _, attrs in tags_of(markup))
    assert sum(1 for _, attrs in tags_of(markup) if attrs.get("style")) > 20


def test_the_latest_brief_opens_the_mail_with_its_first_verified_sentences() -> None:
    teaser = brief_teaser(brief(), "https://radar.example.org/")
    assert teaser is not None
    assert teaser.lines == ["Diffusion models now design binders.", "Language models <b>predict</b> structure.",
                            "A third verified sentence."]
    assert teaser.link == "https://radar.example.org/briefs/b-20241130-abc"
    assert teaser.title == "Machine learning for proteins: the week"
    b = brief()
    b.title = "Brief: Machine learning for proteins"  # an extractive brief's title: the mail's label says it
    assert brief_teaser(b).title == "Machine learning for proteins"  # type: ignore[union-attr]
    text, markup = parts(build(brief=teaser, web_url="https://radar.example.org"))
    assert "Latest brief: Machine learning for proteins: the week (2024-11-30)" in text
    assert "  Diffusion models now design binders." in text and "failed its check" not in text
    assert "Read the whole brief: https://radar.example.org/briefs/b-20241130-abc" in text
    assert "Language models &lt;b&gt;predict&lt;/b&gt; structure." in markup
    assert '<a href="https://radar.example.org/briefs/b-20241130-abc"' in markup
    assert '<a href="https://radar.example.org/paper/arxiv:2411.10001"' in markup


def test_without_a_web_address_the_brief_is_named_by_its_command() -> None:
    teaser = brief_teaser(brief(), None)
    assert teaser is not None and teaser.link is None
    text, markup = parts(build(brief=teaser))
    assert "Read the whole brief: radar briefs b-20241130-abc" in text
    assert "/paper/" not in markup


def test_a_brief_with_no_verified_sentence_is_not_shown() -> None:
    b = brief()
    b.overview = [s for s in b.overview if s.status == "dropped"]
    assert brief_teaser(b) is None


def test_an_empty_day_says_so() -> None:
    d = hostile_digest()
    d.entries, d.total, d.left_out = [], 0, {}
    text, _ = parts(build(d))
    assert "No papers were published on 2024-11-28" in text
    assert build(d)["Subject"] == "Radar: nothing new for bio, 2024-11-28"


def test_a_chinese_profile_gets_chinese_labels() -> None:
    message = build(language="zh")
    text, markup = parts(message)
    assert message["Subject"] == "Radar：bio 2024-11-28 的 3 篇论文"
    assert "Radar 每日摘要：bio" in text and 'lang="zh"' in markup


def test_the_message_id_is_stable_per_profile_and_day() -> None:
    a = message_id("bio", "2024-11-28", "radar@example.org")
    assert a == message_id("bio", "2024-11-28", "radar@example.org")
    assert a != message_id("bio", "2024-11-29", "radar@example.org") != message_id("chem", "2024-11-28", "radar@example.org")
    assert message_id("bio", "2024-11-28", "not an address").endswith("@radar.invalid>")
