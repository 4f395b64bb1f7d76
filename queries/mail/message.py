"""A profile's daily digest as an e-mail: pure functions, digest in, ``EmailMessage`` out.

The message is multipart/alternative: plain text first, then HTML that renders in common mail
clients (tables for layout, CSS only in ``style`` attributes, no script, no images, no
stylesheets, nothing loaded from anywhere). Every text that came from a feed or a model is
escaped in the HTML, and only http(s) links are made. Each entry shows its number, source and
categories, a badge (new, cross-list, revised, the article type), the title linked to the paper,
shortened authors, a one-line summary (the abstract's first sentence) and links. When the
profile has a stored brief, its opening sentences and a pointer to it come first.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from queries.brief.records import Brief
from queries.citation import kind_label
from queries.digest import Digest, DigestEntry, empty_message, left_out_message, short_authors
from queries.today import lead_sentence
from radar.config import mail_address

AUTHORS_SHOWN = 3
BRIEF_SENTENCES = 3
_CITATION = re.compile(r"\s*\[\d+(?:,\s*\d+)*\]")
_BRIEF_PREFIX = re.compile(r"^\s*(?:Brief|简报)\s*[:：]\s*")

LABELS = {
    "en": {"subject": "Radar: {shown} papers for {profile}, {day}",
           "heading": "Radar digest: {profile}",
           "counts": "{shown} of {total} papers published {day} (UTC), best first.",
           "brief": "Latest brief", "read_brief": "Read the whole brief", "brief_command": "radar briefs {id}",
           "paper": "Paper", "doi": "DOI", "in_radar": "In Radar", "empty_subject": "Radar: nothing new for {profile}, {day}",
           "why": "You get this mail because you are a recipient of the profile '{profile}' in Radar's config "
                  "(recipients = [...] under its [[profiles]] table)."},
    "zh": {"subject": "Radar：{profile} {day} 的 {shown} 篇论文",
           "heading": "Radar 每日摘要：{profile}",
           "counts": "{day}（UTC）发表的 {total} 篇论文中的 {shown} 篇，按相关度排序。",
           "brief": "最新简报", "read_brief": "阅读完整简报", "brief_command": "radar briefs {id}",
           "paper": "论文", "doi": "DOI", "in_radar": "在 Radar 中查看", "empty_subject": "Radar：{profile} {day} 没有新论文",
           "why": "您收到此邮件，是因为您是 Radar 配置中 '{profile}' 档案的收件人（其 [[profiles]] 表中的 recipients）。"},
}

# Inline styles, one place: mail clients drop <style> blocks and external stylesheets.
_FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif"
STYLE = {
    "body": "margin:0;padding:0;background:#f4f5f7;",
    "outer": "width:100%;background:#f4f5f7;border-collapse:collapse;",
    "card": f"width:100%;max-width:680px;background:#ffffff;border:1px solid #e1e4e8;border-collapse:collapse;{_FONT};color:#1f2328;",
    "head": "padding:20px 24px 8px 24px;",
    "h1": "margin:0 0 4px 0;font-size:20px;line-height:1.3;font-weight:600;",
    "muted": "margin:0 0 6px 0;font-size:13px;line-height:1.5;color:#57606a;",
    "brief": "padding:12px 24px;background:#eef5ff;border-top:1px solid #d6e4f5;border-bottom:1px solid #d6e4f5;font-size:14px;line-height:1.5;",
    "entry": "padding:14px 24px;border-top:1px solid #eaecef;",
    "meta": "margin:0 0 4px 0;font-size:12px;line-height:1.4;color:#57606a;",
    "badge": "display:inline-block;padding:0 6px;border-radius:8px;background:#ddf4e4;color:#116329;font-size:11px;",
    "badge_cross": "display:inline-block;padding:0 6px;border-radius:8px;background:#ddeeff;color:#0a4a8c;font-size:11px;",
    "badge_revised": "display:inline-block;padding:0 6px;border-radius:8px;background:#fff1c2;color:#6b4b00;font-size:11px;",
    "title": "margin:0 0 4px 0;font-size:16px;line-height:1.35;font-weight:600;",
    "link": "color:#0a58ca;text-decoration:none;",
    "authors": "margin:0 0 6px 0;font-size:13px;line-height:1.4;color:#57606a;",
    "summary": "margin:0 0 6px 0;font-size:14px;line-height:1.5;",
    "links": "margin:0;font-size:13px;line-height:1.4;",
    "foot": "padding:14px 24px 20px 24px;border-top:1px solid #eaecef;font-size:12px;line-height:1.5;color:#57606a;",
}


@dataclass(frozen=True, slots=True)
class BriefTeaser:
    """The opening of a profile's latest brief, as the mail shows it."""

    brief_id: str
    title: str
    created_at: datetime
    lines: list[str]
    """Its first verified sentences, citation markers removed (the sources are not in the mail)."""
    link: str | None
    """The brief's page in the web app, when RADAR_SMTP__WEB_URL says where that is."""


def brief_teaser(brief: Brief, web_url: str | None = None, sentences: int = BRIEF_SENTENCES) -> BriefTeaser | None:
    """The opening lines of ``brief``; None when it has no verified sentence to show."""
    lines = [_CITATION.sub("", s.text).strip() for s in brief.sentences() if s.status == "verified"][:sentences]
    lines = [line for line in lines if line]
    if not lines:
        return None
    link = f"{web_url.rstrip('/')}/briefs/{quote(brief.brief_id, safe='')}" if _web(web_url) else None
    title = _BRIEF_PREFIX.sub("", brief.title).strip() or brief.title  # the mail says "Latest brief:" itself
    return BriefTeaser(brief.brief_id, title, brief.created_at, lines, link)


def message_id(profile: str, day: str, sender: str) -> str:
    """The Message-ID of ``profile``'s mail of ``day``: the same for every attempt, so a client that
    got a message twice (a server that took it but never said so) can tell it is one message."""
    domain = _domain(sender)
    token = hashlib.sha256(f"{sender}\n{profile}\n{day}".encode()).hexdigest()[:16]
    return f"<radar.{day}.{token}@{domain}>"  # short: a header line that is not folded


def digest_message(d: Digest, *, sender: str, recipients: list[str], msg_id: str, now: datetime,
                   language: str = "en", brief: BriefTeaser | None = None, web_url: str | None = None) -> EmailMessage:
    """The mail of digest ``d``: text and HTML alternatives of the same content."""
    labels = LABELS.get(language, LABELS["en"])
    day = d.day.isoformat() if d.day else "-"
    subject = (labels["subject"] if d.entries else labels["empty_subject"]).format(
        shown=d.shown, profile=d.profile, day=day)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    message["X-Radar-Profile"] = d.profile
    message["X-Radar-Day"] = day
    message.set_content(digest_text(d, labels, brief, web_url))
    message.add_alternative(digest_html(d, labels, brief, web_url, language), subtype="html")
    return message


def digest_text(d: Digest, labels: dict[str, str], brief: BriefTeaser | None, web_url: str | None) -> str:
    day = d.day.isoformat() if d.day else "-"
    lines = [labels["heading"].format(profile=d.profile), _one_line(d.description), ""]
    if brief:
        lines += [f"{labels['brief']}: {_one_line(brief.title)} ({brief.created_at:%Y-%m-%d})", ""]
        lines += [f"  {_one_line(line)}" for line in brief.lines]
        lines += ["", f"  {labels['read_brief']}: {brief.link or labels['brief_command'].format(id=brief.brief_id)}", ""]
    if not d.entries:
        return "\n".join(lines + [empty_message(d), "", _one_line(labels["why"].format(profile=d.profile)), ""])
    lines += [labels["counts"].format(shown=d.shown, total=d.total, day=day), ""]
    for e in d.entries:
        lines += [f"{e.number}. {_one_line(e.title)}",
                  f"   {_one_line(_where(e))} · {kind_label(e)}",
                  f"   {_one_line(short_authors(e.authors, AUTHORS_SHOWN))}"]
        summary = lead_sentence(e.abstract)
        if summary:
            lines.append(f"   {_one_line(summary)}")
        lines += [f"   {url}" for _, url in entry_links(e, labels, web_url)] + [""]
    if d.left_out:
        lines += [left_out_message(d), ""]
    lines += ["-- ", _one_line(labels["why"].format(profile=d.profile)), ""]
    return "\n".join(lines)


def digest_html(d: Digest, labels: dict[str, str], brief: BriefTeaser | None, web_url: str | None,
                language: str = "en") -> str:
    e, s = html.escape, STYLE
    day = d.day.isoformat() if d.day else "-"
    rows = [f'<tr><td style="{s["head"]}"><h1 style="{s["h1"]}">{e(labels["heading"].format(profile=d.profile))}</h1>'
            f'<p style="{s["muted"]}">{e(_one_line(d.description))}</p>'
            + (f'<p style="{s["muted"]}">{e(labels["counts"].format(shown=d.shown, total=d.total, day=day))}</p>'
               if d.entries else "") + "</td></tr>"]
    if brief:
        read = (f'<a href="{e(brief.link, quote=True)}" style="{s["link"]}">{e(labels["read_brief"])}</a>' if brief.link
                else f'{e(labels["read_brief"])}: <code>{e(labels["brief_command"].format(id=brief.brief_id))}</code>')
        rows.append(f'<tr><td style="{s["brief"]}"><p style="margin:0 0 6px 0;font-weight:600;">'
                    f'{e(labels["brief"])}: {e(_one_line(brief.title))} '
                    f'<span style="color:#57606a;font-weight:400;">({brief.created_at:%Y-%m-%d})</span></p>'
                    f'<p style="margin:0 0 6px 0;">{" ".join(e(_one_line(x)) for x in brief.lines)}</p>'
                    f'<p style="margin:0;">{read}</p></td></tr>')
    if not d.entries:
        rows.append(f'<tr><td style="{s["entry"]}"><p style="{s["summary"]}">{e(empty_message(d))}</p></td></tr>')
    for entry in d.entries:
        rows.append(_entry_html(entry, labels, web_url))
    foot = [e(left_out_message(d))] if d.left_out and d.entries else []
    foot.append(e(labels["why"].format(profile=d.profile)))
    rows.append(f'<tr><td style="{s["foot"]}">{"<br>".join(foot)}</td></tr>')
    title = e((labels["subject"] if d.entries else labels["empty_subject"]).format(shown=d.shown, profile=d.profile,
                                                                                    day=day))
    return (f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f'<body style="{s["body"]}"><table role="presentation" style="{s["outer"]}" cellpadding="0" cellspacing="0">'
            f'<tr><td align="center" style="padding:16px 8px;">'
            f'<table role="presentation" style="{s["card"]}" cellpadding="0" cellspacing="0">'
            + "\n".join(rows) + "</table></td></tr></table></body></html>\n")


def _entry_html(entry: DigestEntry, labels: dict[str, str], web_url: str | None) -> str:
    e, s = html.escape, STYLE
    badge_style = s["badge_cross"] if entry.announce == "cross-list" else \
        s["badge_revised"] if entry.announce == "revised" else s["badge"]
    links = entry_links(entry, labels, web_url)
    title = e(_one_line(entry.title))
    if links:
        title = f'<a href="{e(links[0][1], quote=True)}" style="{s["link"]}">{title}</a>'
    summary = lead_sentence(entry.abstract)
    link_row = " · ".join(f'<a href="{e(url, quote=True)}" style="{s["link"]}">{e(name)}</a>' for name, url in links)
    return (f'<tr><td style="{s["entry"]}">'
            f'<p style="{s["meta"]}"><b>{entry.number}.</b> {e(_one_line(_where(entry)))} '
            f'<span style="{badge_style}">{e(kind_label(entry))}</span></p>'
            f'<p style="{s["title"]}">{title}</p>'
            f'<p style="{s["authors"]}">{e(_one_line(short_authors(entry.authors, AUTHORS_SHOWN)))}</p>'
            + (f'<p style="{s["summary"]}">{e(_one_line(summary))}</p>' if summary else "")
            + (f'<p style="{s["links"]}">{link_row}</p>' if link_row else "") + "</td></tr>")


def entry_links(entry: DigestEntry, labels: dict[str, str], web_url: str | None) -> list[tuple[str, str]]:
    """(label, URL) of an entry's links: its own page, its DOI, its page in Radar; http(s) only."""
    links = []
    if entry.url and _web(entry.url):
        links.append((labels["paper"], entry.url))
    if entry.doi:
        doi_url = f"https://doi.org/{quote(entry.doi, safe='/')}"
        if doi_url != entry.url:
            links.append((labels["doi"], doi_url))
    if _web(web_url):
        links.append((labels["in_radar"], f"{web_url.rstrip('/')}/paper/{quote(entry.paper_id, safe=':')}"))
    return links


def _where(entry: DigestEntry) -> str:
    return " · ".join(x for x in (entry.source, ", ".join(entry.categories[:3]) or entry.field) if x)


def _web(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in url)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _domain(sender: str) -> str:
    address = mail_address(sender)
    return address.rpartition("@")[2] if address else "radar.invalid"
