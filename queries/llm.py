"""The language model behind briefs and summaries: the one module that imports litellm.

Models are named the litellm way. An OpenAI-compatible server (vLLM, llama.cpp,
Ollama's /v1, LM Studio, a gateway) is reached with ``openai/<name>`` plus its base URL::

    RADAR_LLM__MODEL=openai/qwen2.5-7b-instruct
    RADAR_LLM__API_BASE=http://127.0.0.1:8000/v1
    RADAR_LLM__API_KEY=...            # optional; never logged or shown in errors

Hosted providers use their own prefixes and key variables (``anthropic/...`` with
ANTHROPIC_API_KEY, ``gpt-4o-mini`` with OPENAI_API_KEY). ``RADAR_LLM__FALLBACKS`` lists
models tried in order when the main one fails for any reason but a refused key; a
fallback with the main model's provider prefix is sent to the same api_base and key,
any other uses its provider's defaults.

Retries are ours, not litellm's: litellm's ``num_retries`` retries every error (401
included) and needs tenacity, so litellm is called with no retries and this module
retries only timeouts, connection failures, 429 and 5xx, with exponential backoff that
honours ``Retry-After``. litellm is imported on the first call (it takes ~2 s), offline
(the bundled model price map) and quiet (no telemetry, callbacks or console output).
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from radar.errors import ConfigError, LlmAuthError, LlmError, LlmResponseError, LlmUnavailableError
from radar.redact import mask_url
from radar.settings import LlmSettings, Settings

BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 30.0
"""A server that asks for a longer pause than this is not retried: the call fails at once."""
DETAIL_CHARS = 300
NO_KEY = "no-key"
"""Sent to an OpenAI-compatible api_base when no key is configured (servers without keys ignore it)."""
_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")
_TRANSIENT_STATUSES = frozenset({408, 409, 429})
_AUTH_STATUSES = frozenset({401, 403})
_EXCEPTION_PREFIX = re.compile(r"^(?:litellm\.\w+:\s*|\w+(?:Error|Exception):\s*|\w+Exception\s*-\s*)+")

_litellm: ModuleType | None = None
_import_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer of the model."""

    text: str
    model: str
    """The model that answered (the main one or a fallback), as configured."""
    elapsed_ms: float
    """The whole call: retries and fallbacks included."""
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass(frozen=True, slots=True)
class _Failure:
    error: LlmError
    retry_after: float | None = None


class LanguageModel:
    """A configured model (with its fallbacks) that turns chat messages into a Completion."""

    def __init__(self, settings: LlmSettings) -> None:
        if not settings.model:
            raise ConfigError("no language model is configured: set RADAR_LLM__MODEL (e.g. openai/<name> "
                              "with RADAR_LLM__API_BASE for an OpenAI-compatible server)")
        self._settings = settings
        self._model = settings.model
        self._key = settings.api_key.get_secret_value() if settings.api_key else None

    @property
    def name(self) -> str:
        return self._model

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int | None = None) -> Completion:
        """Ask the main model, then each fallback in turn; the first usable answer wins.

        Raises LlmAuthError at once when a key is refused; otherwise, when every model
        failed, the main model's error (its message lists the fallbacks' failures too).
        """
        started = time.perf_counter()
        errors: list[LlmError] = []
        for model in [self._model, *self._settings.fallbacks]:
            try:
                response = self._call_with_retries(model, messages, max_tokens)
                return _completion(response, model, self._endpoint(model), started)
            except LlmAuthError:
                raise
            except LlmError as error:
                errors.append(error)
        raise _combined(errors)

    def _call_with_retries(self, model: str, messages: list[dict[str, str]], max_tokens: int | None) -> Any:
        for attempt in range(self._settings.retries + 1):
            try:
                return self._call(model, messages, max_tokens)
            except Exception as exc:  # litellm raises its own, openai's and plain errors; all are mapped
                failure, cause = self._classify(exc, model), exc
            wait = _wait_before_retry(attempt, failure.retry_after)
            if not failure.error.transient or attempt == self._settings.retries or wait is None:
                raise failure.error from _shown_cause(cause, self._key)
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _call(self, model: str, messages: list[dict[str, str]], max_tokens: int | None) -> Any:
        api_base, api_key = self._credentials(model)
        return _load_litellm().completion(
            model=model, messages=messages, api_base=api_base, api_key=api_key,
            timeout=self._settings.timeout, temperature=self._settings.temperature,
            max_tokens=self._settings.max_tokens if max_tokens is None else max_tokens,
            num_retries=0, max_retries=0,  # retries are ours (see the module docstring)
            drop_params=True,  # a provider that has no temperature still answers
        )

    def _credentials(self, model: str) -> tuple[str | None, str | None]:
        if _provider(model) != _provider(self._model):
            return None, None
        api_base, key = self._settings.api_base, self._key
        if key is None and api_base and _provider(model) == "openai" and not os.environ.get("OPENAI_API_KEY"):
            key = NO_KEY  # the OpenAI client refuses to send a request without some key
        return api_base, key

    def _endpoint(self, model: str) -> str:
        api_base = self._credentials(model)[0]
        return _shown_url(api_base) if api_base else "the provider's default endpoint"

    def _classify(self, exc: Exception, model: str) -> _Failure:
        where = f"model {model} at {self._endpoint(model)}"
        detail = _redact(_detail(exc), self._key)
        status = _status(exc)
        match _kind(exc, status):
            case "timeout":
                return _Failure(LlmUnavailableError(
                    f"{where} did not answer within {self._settings.timeout:g} s; try again later, "
                    "raise RADAR_LLM__TIMEOUT or set RADAR_LLM__FALLBACKS"))
            case "auth":
                return _Failure(LlmAuthError(
                    f"{where} refused the API key (HTTP {status}: {detail}); check RADAR_LLM__API_KEY "
                    "or the provider's own key variable (e.g. OPENAI_API_KEY)"))
            case "unavailable":
                shown = f"HTTP {status}" if _answered(exc) else "no connection"
                return _Failure(LlmUnavailableError(
                    f"{where} is unavailable ({shown}: {detail}); try again later, check that the server "
                    "runs at RADAR_LLM__API_BASE, or set RADAR_LLM__FALLBACKS"), _retry_after(exc))
            case "rejected":
                what = f"rejected the request (HTTP {status}: {detail})" if _answered(exc) else f"cannot be called ({detail})"
                return _Failure(LlmError(
                    f"{where} {what}; check RADAR_LLM__MODEL (an OpenAI-compatible server needs "
                    "openai/<name>) and RADAR_LLM__API_BASE"))
            case _:
                return _Failure(LlmResponseError(
                    f"{where} gave an answer Radar cannot read ({type(exc).__name__}: {detail}); check that "
                    "RADAR_LLM__API_BASE is an OpenAI-compatible endpoint (usually ending in /v1)"))


def build_model(settings: Settings) -> LanguageModel | None:
    """The configured model, or None when RADAR_LLM__MODEL is unset (briefs become extractive)."""
    return LanguageModel(settings.llm) if settings.llm.model else None


def _load_litellm() -> ModuleType:
    global _litellm
    with _import_lock:
        if _litellm is None:
            _litellm = _import_quietly()
    return _litellm


def _import_quietly() -> ModuleType:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else litellm fetches it from GitHub
    quiet = "LITELLM_LOG" not in os.environ  # LITELLM_LOG=DEBUG still turns litellm's logs on
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    litellm.turn_off_message_logging = True
    litellm.callbacks = []
    litellm.success_callback = []
    litellm.failure_callback = []
    if quiet:
        for name in _LITELLM_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    return litellm


def _completion(response: Any, model: str, endpoint: str, started: float) -> Completion:
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    text = getattr(message, "content", None)
    if not isinstance(text, str) or not text.strip():
        what = "empty content" if choices else "no choices"
        raise LlmResponseError(f"model {model} at {endpoint} answered with {what}; try again, "
                               "or set RADAR_LLM__FALLBACKS to another model")
    usage = getattr(response, "usage", None)
    return Completion(
        text=text, model=model, elapsed_ms=(time.perf_counter() - started) * 1000,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
    )


def _combined(errors: list[LlmError]) -> LlmError:
    """The main model's error; its message also tells what each fallback said."""
    first = errors[0]
    if len(errors) == 1:
        return first
    combined = type(first)(f"{first}; the fallbacks failed too: " + "; ".join(str(e) for e in errors[1:]))
    combined.__cause__ = first
    return combined


def _wait_before_retry(attempt: int, retry_after: float | None) -> float | None:
    """Seconds to sleep before the next try; None when the server asked for too long a pause."""
    if retry_after is not None:
        return retry_after if retry_after <= MAX_RETRY_AFTER_S else None
    backoff = min(BACKOFF_S * 2**attempt, MAX_BACKOFF_S)
    return backoff * random.uniform(0.5, 1.0)


def _kind(exc: Exception, status: int | None) -> Literal["timeout", "auth", "unavailable", "rejected", "unreadable"]:
    if _is_timeout(exc):
        return "timeout"
    if status in _AUTH_STATUSES:
        return "auth"
    if _is_unavailable(exc, status):
        return "unavailable"
    if status is not None and 400 <= status < 500:
        return "rejected"
    return "unreadable"


def _status(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None)
    try:
        return int(status) if status is not None else None
    except (TypeError, ValueError):
        return None


def _is_timeout(exc: Exception) -> bool:
    import openai  # loaded with litellm, which raises subclasses of its errors

    return any(isinstance(e, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)) for e in _chain(exc))


def _is_unavailable(exc: Exception, status: int | None) -> bool:
    if status is not None and (status in _TRANSIENT_STATUSES or status >= 500):
        # litellm also reports an unreadable body as a 500: only a real status or a
        # broken connection is worth a retry.
        return _answered(exc) or _connection_failed(exc)
    return _connection_failed(exc)


def _answered(exc: Exception) -> bool:
    """Whether the server really sent this HTTP status (litellm invents 500s for other failures)."""
    import openai

    if getattr(exc, "litellm_response_headers", None) is not None:
        return True
    return any(isinstance(e, (openai.APIStatusError, httpx.HTTPStatusError)) for e in _chain(exc)[1:])


def _connection_failed(exc: Exception) -> bool:
    import openai

    return any(isinstance(e, (openai.APIConnectionError, httpx.TransportError, ConnectionError)) for e in _chain(exc))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        return _seconds(ms, scale=1000)
    value = headers.get("retry-after")
    return _seconds(value) if value is not None else None


def _seconds(value: str, scale: float = 1.0) -> float | None:
    try:
        return max(0.0, float(value) / scale)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _detail(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    text = " ".join(_EXCEPTION_PREFIX.sub("", text).split())
    if not text:
        return type(exc).__name__
    return text[:DETAIL_CHARS] + ("…" if len(text) > DETAIL_CHARS else "")


def _shown_cause(exc: Exception, secret: str | None) -> Exception | None:
    """litellm's exception to chain, or None when a message in its chain repeats the key."""
    if secret and any(secret in str(e) or secret in str(getattr(e, "body", "")) for e in _chain(exc)):
        return None
    return exc


def _redact(text: str, secret: str | None) -> str:
    return mask_url(text.replace(secret, "***") if secret else text)


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else ""


def _shown_url(url: str) -> str:
    """The URL with its user-info masked and without its query string (either may carry a credential)."""
    parts = urlsplit(mask_url(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
