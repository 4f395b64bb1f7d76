"""The TOML configuration file: which feeds to read, and the readers' interest profiles.

Relative paths and ``file:`` URLs in a feed's ``url`` are resolved against the folder
of the config file, so a config and its snapshot can travel together.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from email.utils import getaddresses
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from radar.kinds import ArticleType
from radar.errors import ConfigError
from radar.redact import mask_url
from radar.settings import Settings

FeedKind = Literal["arxiv-rss", "arxiv-api", "biorxiv", "medrxiv", "rss"]

URL_SCHEMES = ("http", "https", "file")
"""What a feed's url may be: one of these, or a plain path."""

DEFAULT_URLS: dict[str, str] = {
    "arxiv-api": "https://export.arxiv.org/api/query",
    "biorxiv": "https://api.biorxiv.org/details/biorxiv",
    "medrxiv": "https://api.biorxiv.org/details/medrxiv",
}


class FeedSpec(BaseModel):
    """One feed to read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Unique name, used by --only and in run records.")
    kind: FeedKind = Field(description="Which parser and fetch plan to use.")
    url: str = Field("", description="Feed URL, file: URL or path; API kinds have a default.")
    enabled: bool = Field(True, description="Disabled feeds are skipped by scheduled and manual runs.")
    source: str | None = Field(None, description="Display name of the publisher for `rss` feeds (e.g. Nature); defaults to the feed's title.")
    field: str | None = Field(None, description="Broad field for every paper of this feed (journals); arXiv and bioRxiv derive it per paper.")
    query: str | None = Field(None, description="arxiv-api: the search_query, e.g. 'cat:cs.AI'.")
    category: str | None = Field(None, description="biorxiv/medrxiv: subject filter, e.g. 'bioinformatics'.")
    days: int = Field(2, ge=1, le=3650, description="arxiv-api/biorxiv/medrxiv: look back this many days when since is not set.")
    since: date | None = Field(None, description="arxiv-api/biorxiv/medrxiv: first day of the window (UTC).")
    until: date | None = Field(None, description="arxiv-api/biorxiv/medrxiv: last day of the window (UTC), default today.")
    page_size: int = Field(1000, ge=1, le=2000, description="arxiv-api: results per page (arXiv allows at most 2,000).")
    max_results: int | None = Field(None, ge=1, description="arxiv-api: stop after this many results.")

    @model_validator(mode="after")
    def _kind_rules(self) -> FeedSpec:
        scheme = urlparse(self.url).scheme.lower() if self.url else ""
        if scheme and scheme not in URL_SCHEMES:
            raise ValueError(f"feed '{self.name}': the url {mask_url(self.url)!r} has the scheme {scheme!r}; "
                             f"a feed url must be {', '.join(URL_SCHEMES[:-1])} or {URL_SCHEMES[-1]}, or a file path")
        if not self.url and self.kind not in DEFAULT_URLS:
            raise ValueError(f"feed '{self.name}' of kind {self.kind} needs a url")
        if self.kind == "arxiv-api" and not self.query:
            raise ValueError(f"feed '{self.name}' of kind arxiv-api needs a query, e.g. query = \"cat:cs.AI\"")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"feed '{self.name}': since {self.since} is after until {self.until}")
        return self

    @property
    def resolved_url(self) -> str:
        return self.url or DEFAULT_URLS[self.kind]


class ProfileSpec(BaseModel):
    """One reader's standing interest: what their digest ranks by and what their weekly brief is about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Unique name, used by `radar digest NAME` and `radar brief --profile NAME`.")
    description: str = Field(min_length=3, description="The interest in plain words; it is embedded and searched for.")
    categories: list[str] = Field(default_factory=list, description="Categories to favour, e.g. cs.LG or q-bio.GN (optional).")
    seeds: list[str] = Field(default_factory=list, description="Paper ids that exemplify the interest, e.g. arxiv:2411.17766 (optional).")
    seed_texts: list[str] = Field(default_factory=list, description="Texts (title and abstract) of papers not in the store that exemplify the interest; `radar profile seed` adds them from a library file, and the profile's vector blends them in like seed papers (optional).")
    language: Literal["en", "zh"] = Field("en", description="Language of this profile's briefs: en or zh.")
    include_revised: bool = Field(False, description="Digests list revised papers (arXiv replacements, later versions) too; by default only new papers and cross-lists.")
    article_types: list[ArticleType] | None = Field(None, description="Journal article types the digest lists (research, review, news, comment, editorial, correction, retraction); by default all but news, comment, editorial, correction and retraction. Papers without a type (preprints) are always listed.")
    recipients: list[str] = Field(default_factory=list, description="E-mail addresses `radar mail` sends this profile's daily digest to, e.g. [\"ada@example.org\", \"Alan <alan@example.org>\"] (optional).")

    @model_validator(mode="after")
    def _has_words(self) -> ProfileSpec:
        if not self.description.strip():
            raise ValueError(f"profile '{self.name}' needs a description in plain words")
        for recipient in self.recipients:
            if not mail_address(recipient):
                raise ValueError(f"profile '{self.name}': {recipient!r} is not an e-mail address "
                                 "(write name@example.org or Name <name@example.org>)")
        return self


_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def mail_address(text: str) -> str | None:
    """The bare address of ``name@host`` or ``Name <name@host>``; None when it is not one address."""
    if any(c in text for c in "\r\n"):
        return None
    found = getaddresses([text])
    if len(found) != 1 or not _ADDRESS.match(found[0][1]) or found[0][1] not in text:
        return None
    return found[0][1]


class RadarConfig(BaseModel):
    """The whole config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: list[FeedSpec] = Field(default_factory=list, description="Feeds to ingest.")
    profiles: list[ProfileSpec] = Field(default_factory=list, description="Interest profiles for digests and briefs.")

    @model_validator(mode="after")
    def _unique_names(self) -> RadarConfig:
        for kind, names in (("feeds", [f.name for f in self.feeds]), ("profiles", [p.name for p in self.profiles])):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"two {kind} are named '{name}'")
                seen.add(name)
        return self

    def profile(self, name: str) -> ProfileSpec:
        """The profile called ``name``; a ConfigError listing the configured ones otherwise."""
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.profiles) or "none (add a [[profiles]] table to the config)"
        raise ConfigError(f"No profile named {name!r}. Configured: {known}.")

    def select(self, only: list[str] | None = None) -> list[FeedSpec]:
        """The feeds to run: the named ones (enabled or not), else every enabled one; none is an error."""
        if not only:
            enabled = [f for f in self.feeds if f.enabled]
            if not enabled:
                what = f"all {len(self.feeds)} feeds are disabled" if self.feeds else "it lists no feeds"
                raise ConfigError(f"Nothing to ingest: {what}. Add a [[feeds]] table to the config (or set "
                                  "enabled = true on one), or name a feed with --only; `radar feeds` lists them.")
            return enabled
        by_name = {f.name: f for f in self.feeds}
        unknown = [n for n in only if n not in by_name]
        if unknown:
            raise ConfigError(f"No feed named {', '.join(unknown)}. Configured: {', '.join(by_name) or 'none'}.")
        return [by_name[n] for n in only]


def bundled_config_text() -> str:
    return resources.files("radar").joinpath("default_config.toml").read_text(encoding="utf-8")


def load_config(path: Path, *, fallback_to_bundled: bool = False) -> RadarConfig:
    """Read and validate a config file; with ``fallback_to_bundled`` a missing file means the bundled default."""
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read config {path}: {exc}") from None
        return parse_config(text, origin=str(path), base_dir=path.resolve().parent)
    if fallback_to_bundled:
        return parse_config(bundled_config_text(), origin="bundled radar.toml", base_dir=Path.cwd())
    raise ConfigError(f"Config file {path} does not exist. Pass --config FILE, or remove it to use the bundled default.")


def parse_config(text: str, *, origin: str, base_dir: Path) -> RadarConfig:
    """Validate TOML text; relative feed paths are taken from ``base_dir``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin} is not valid TOML: {exc}") from None
    for feed in raw.get("feeds", []) if isinstance(raw.get("feeds"), list) else []:
        if isinstance(feed, dict) and isinstance(feed.get("url"), str) and feed["url"].strip():
            feed["url"] = _resolve_local(feed["url"], base_dir)
    try:
        return RadarConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_describe(exc)}") from None


def _resolve_local(url: str, base_dir: Path) -> str:
    parts = urlparse(url)
    if parts.scheme.lower() not in ("", "file"):  # http(s) as written; any other scheme fails validation
        return url
    # file:///abs/path, file://localhost/abs/path and file:relative/path (RFC 8089) all name a path.
    path = Path(unquote(parts.path) if parts.scheme == "file" else url).expanduser()
    return (base_dir / path).resolve().as_uri()


def profile_spec(data: dict, *, origin: str = "profile") -> ProfileSpec:
    """A profile from its keys (as the config file writes them); a ConfigError naming what is wrong otherwise."""
    try:
        return ProfileSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def configured(settings: Settings, explicit: Path | None = None) -> RadarConfig:
    """The config to use: ``--config FILE``, else ``$RADAR_CONFIG``, else ``./radar.toml``.
    Only the last may be missing, which means the bundled default."""
    if explicit is not None:
        return load_config(explicit)
    return load_config(settings.config, fallback_to_bundled="config" not in settings.model_fields_set)
