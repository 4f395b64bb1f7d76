"""Digests made by hand for the mail tests: hostile feed text included."""

from __future__ import annotations

from datetime import UTC, date, datetime

from queries.brief.records import Brief, BriefRequest, Sentence
from queries.digest import Digest, DigestEntry
from queries.mail.message import digest_message, message_id
from queries.mail.send import MailDraft
from radar.config import ProfileSpec

DAY = date(2024, 11, 28)
SENDER = "Radar <radar@example.org>"


def entry(number: int, **changes: object) -> DigestEntry:
    values: dict[str, object] = dict(
        paper_id=f"arxiv:2411.1{number:04d}", title=f"Paper number {number} on protein design",
        authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Emmy Noether"], field="Computer Science",
        categories=["cs.LG", "q-bio.BM"], source="arXiv", published=DAY.isoformat(),
        url=f"https://arxiv.org/abs/2411.1{number:04d}", doi=None, announce="new", article_type=None,
        number=number, abstract=f"We design proteins with model {number}. It works well. More text follows.",
        score=0.5, similarity=0.45, relevance=0.5, matched_categories=["cs.LG"], related_fields=["Biology"])
    values.update(changes)
    return DigestEntry(**values)  # type: ignore[arg-type]


def hostile_digest() -> Digest:
    entries = [
        entry(1),
        entry(2, title="<script>alert('x')</script> & \"quotes\" $\\alpha$-helices 蛋白质",
              abstract="<img src=\"http://evil.example/pixel.png\"> tracks you. Second sentence.",
              url="javascript:alert(1)", doi="10.1101/2024.11.28.612345", announce="cross-list",
              authors=[]),
        entry(3, announce="revised", source="Nature", categories=[], field="Multidisciplinary",
              article_type="research", doi="10.1038/s41586-024-0001-1",
              url="https://www.nature.com/articles/s41586-024-0001-1"),
    ]
    return Digest(profile="bio", description="Machine learning for proteins", day=DAY, total=120,
                  left_out={"revised": 4}, entries=entries)


def brief(profile: str = "bio") -> Brief:
    return Brief(brief_id="b-20241130-abc", created_at=datetime(2024, 11, 30, 9, 0),
                 request=BriefRequest(topic="Machine learning for proteins", profile=profile), kind="extractive",
                 model=None, prompt_hash=None, title="Machine learning for proteins: the week",
                 overview=[Sentence("Diffusion models now design binders [1].", [1]),
                           Sentence("This claim failed its check [2].", [2], status="dropped"),
                           Sentence("Language models <b>predict</b> structure [2, 3].", [2, 3]),
                           Sentence("A third verified sentence [1].", [1]),
                           Sentence("A fourth, not shown [3].", [3])])


def draft(recipients: list[str] | None = None, digest_day_papers: bool = True) -> MailDraft:
    recipients = ["ada@example.org", "Alan Turing <alan@example.org>"] if recipients is None else recipients
    profile = ProfileSpec(name="bio", description="Machine learning for proteins", recipients=recipients)
    d = hostile_digest()
    if not digest_day_papers:
        d.entries = []
    message = digest_message(d, sender=SENDER, recipients=recipients, now=datetime.now(UTC),
                             msg_id=message_id("bio", DAY.isoformat(), SENDER))
    return MailDraft(profile=profile, digest=d, message=message, sender=SENDER, brief=None)
