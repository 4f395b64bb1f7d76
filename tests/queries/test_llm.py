"""The model call through litellm, over real HTTP to a local OpenAI-compatible server."""

from __future__ import annotations

import logging
import socket
import traceback

import pytest

from queries.llm import Completion, LanguageModel, build_model
from radar.errors import ConfigError, LlmAuthError, LlmError, LlmResponseError, LlmUnavailableError
from radar.settings import LlmSettings, load_settings
from tests.llmserver import (TEST_KEY, Delay, Drop, Empty, LlmServer, Malformed, Reply, Status,
                             llm_settings_for)

MESSAGES = [{"role": "system", "content": "You write briefs."}, {"role": "user", "content": "Brief me on MRI."}]
MARKER_KEY = "sk-radar-MARKER-4f1c9e"


def complete(server: LlmServer, **overrides: object) -> Completion:
    return LanguageModel(llm_settings_for(server, **overrides)).complete(MESSAGES)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_good_answer_carries_text_model_time_and_usage(llm_server: LlmServer) -> None:
    llm_server.script(Reply("MRI segmentation moved to diffusion models [1]."))
    completion = complete(llm_server, temperature=0.3, max_tokens=500)
    assert completion.text == "MRI segmentation moved to diffusion models [1]."
    assert completion.model == "openai/radar-test"
    assert completion.elapsed_ms > 0
    assert completion.completion_tokens == 7
    assert completion.prompt_tokens == 7  # the server counts words: 3 + 4
    [request] = llm_server.requests
    assert request["model"] == "radar-test"
    assert request["messages"] == MESSAGES
    assert request["temperature"] == 0.3
    assert request["max_tokens"] == 500
    assert llm_server.hits[0].headers["Authorization"] == f"Bearer {TEST_KEY}"


def test_max_tokens_of_one_call_overrides_the_setting(llm_server: LlmServer) -> None:
    model = LanguageModel(llm_settings_for(llm_server, max_tokens=1800))
    model.complete(MESSAGES, max_tokens=120)
    assert llm_server.requests[0]["max_tokens"] == 120


def test_a_500_is_retried_and_the_retry_answers(llm_server: LlmServer) -> None:
    llm_server.script(Status(500), Reply("second time lucky"))
    assert complete(llm_server, retries=1).text == "second time lucky"
    assert len(llm_server.requests) == 2


def test_a_server_that_keeps_failing_is_unavailable_after_the_retries(llm_server: LlmServer) -> None:
    llm_server.respond_with(lambda _request: Status(503))
    with pytest.raises(LlmUnavailableError, match=r"openai/radar-test at http://127\.0\.0\.1:\d+/v1 is unavailable "
                                                  r"\(HTTP 503") as caught:
        complete(llm_server, retries=2)
    assert caught.value.transient
    assert len(llm_server.requests) == 3


def test_a_429_is_retried_after_the_pause_retry_after_asks_for(llm_server: LlmServer) -> None:
    llm_server.script(Status(429, headers={"Retry-After": "1"}), Reply("thanks for waiting"))
    assert complete(llm_server, retries=1).text == "thanks for waiting"
    first, second = llm_server.hits
    assert second.at - first.at >= 0.95


def test_a_429_asking_for_a_long_pause_fails_at_once(llm_server: LlmServer) -> None:
    llm_server.script(Status(429, headers={"Retry-After": "600"}))
    with pytest.raises(LlmUnavailableError, match="HTTP 429"):
        complete(llm_server, retries=3)
    assert len(llm_server.requests) == 1


def test_a_model_that_does_not_answer_in_time_is_unavailable(llm_server: LlmServer) -> None:
    llm_server.script(Delay(10), Delay(10))
    with pytest.raises(LlmUnavailableError, match="did not answer within 0.5 s; .*RADAR_LLM__TIMEOUT"):
        complete(llm_server, timeout=0.5, retries=1)
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_key_is_an_auth_error_tried_once_without_fallbacks(llm_server: LlmServer, code: int) -> None:
    llm_server.respond_with(lambda _request: Status(code))
    with pytest.raises(LlmAuthError, match=f"refused the API key \\(HTTP {code}.*RADAR_LLM__API_KEY") as caught:
        complete(llm_server, retries=3, fallbacks=["openai/radar-fallback"])
    assert not caught.value.transient
    assert len(llm_server.requests) == 1


@pytest.mark.parametrize("code", [400, 404])
def test_a_rejected_request_says_what_to_check_and_is_not_retried(llm_server: LlmServer, code: int) -> None:
    llm_server.respond_with(lambda _request: Status(code))
    with pytest.raises(LlmError, match="RADAR_LLM__MODEL .*RADAR_LLM__API_BASE") as caught:
        complete(llm_server, retries=3)
    assert type(caught.value) is LlmError
    assert len(llm_server.requests) == 1


def test_a_model_name_without_provider_says_how_to_name_it(llm_server: LlmServer) -> None:
    with pytest.raises(LlmError, match="openai/<name>"):
        complete(llm_server, model="radar-test")
    assert llm_server.requests == []


@pytest.mark.parametrize("response", [
    Empty(),
    Reply("  \n "),
    Malformed(b'{"id": "x", "object": "chat.completion", "model": "radar-test", "choices": []}'),
], ids=["empty", "blank", "no-choices"])
def test_an_empty_answer_is_a_response_error_not_retried(llm_server: LlmServer, response: object) -> None:
    llm_server.respond_with(lambda _request: response)  # type: ignore[arg-type, return-value]
    with pytest.raises(LlmResponseError, match="answered with (empty content|no choices)"):
        complete(llm_server, retries=2)
    assert len(llm_server.requests) == 1


@pytest.mark.parametrize("raw,content_type", [
    (b"this is not json", "application/json"),
    (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    (b'{"id": "x", "object": "chat.completion", "model": "radar-test"}', "application/json"),
], ids=["not-json", "html", "json-without-choices"])
def test_a_malformed_body_is_a_response_error_not_retried(llm_server: LlmServer, raw: bytes, content_type: str) -> None:
    llm_server.respond_with(lambda _request: Malformed(raw, content_type))
    with pytest.raises(LlmResponseError, match="cannot read .*OpenAI-compatible endpoint"):
        complete(llm_server, retries=2)
    assert len(llm_server.requests) == 1


def test_a_dropped_connection_is_unavailable_and_retried(llm_server: LlmServer) -> None:
    llm_server.script(Drop(), Reply("reconnected"))
    assert complete(llm_server, retries=1).text == "reconnected"
    llm_server.respond_with(lambda _request: Drop())
    with pytest.raises(LlmUnavailableError, match="no connection"):
        complete(llm_server, retries=1)


def test_nothing_listening_is_unavailable(llm_server: LlmServer) -> None:
    api_base = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LlmUnavailableError, match=f"at {api_base} is unavailable \\(no connection"):
        complete(llm_server, api_base=api_base, retries=0)


def test_a_fallback_answers_when_the_main_model_fails(llm_server: LlmServer) -> None:
    llm_server.respond_with(lambda request: Status(500) if request["model"] == "radar-test" else Reply("from the fallback"))
    completion = complete(llm_server, retries=1, fallbacks=["openai/radar-fallback"])
    assert completion.text == "from the fallback"
    assert completion.model == "openai/radar-fallback"
    assert [r["model"] for r in llm_server.requests] == ["radar-test", "radar-test", "radar-fallback"]
    assert all(h.headers["Authorization"] == f"Bearer {TEST_KEY}" for h in llm_server.hits)


def test_fallbacks_are_tried_after_an_empty_answer(llm_server: LlmServer) -> None:
    llm_server.script(Empty(), Reply("second opinion"))
    assert complete(llm_server, fallbacks=["openai/radar-fallback"]).model == "openai/radar-fallback"


def test_when_every_model_fails_the_error_is_the_main_ones_and_names_each(llm_server: LlmServer) -> None:
    llm_server.respond_with(lambda request: Status(500) if request["model"] == "radar-test" else Status(404))
    with pytest.raises(LlmUnavailableError) as caught:
        complete(llm_server, retries=0, fallbacks=["openai/radar-fallback"])
    message = str(caught.value)
    assert "openai/radar-test" in message and "HTTP 500" in message
    assert "fallbacks failed too: model openai/radar-fallback" in message and "HTTP 404" in message


def test_no_configured_key_still_reaches_a_server_without_keys(llm_server: LlmServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm_server.script(Reply("no key needed"))
    assert complete(llm_server, api_key=None).text == "no key needed"


@pytest.mark.parametrize("response", [
    Status(401, body=f'{{"error": {{"message": "Incorrect API key provided: {MARKER_KEY}"}}}}'.encode()),
    Status(500, body=f'{{"error": {{"message": "upstream said {MARKER_KEY}"}}}}'.encode()),
    Status(404),
    Malformed(f"key={MARKER_KEY}".encode()),
    Delay(10),
], ids=["401-echoing-key", "500-echoing-key", "404", "malformed-echoing-key", "timeout"])
def test_the_api_key_never_appears_in_errors_or_logs(llm_server: LlmServer, response: object,
                                                     caplog: pytest.LogCaptureFixture,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    llm_server.respond_with(lambda _request: response)  # type: ignore[arg-type, return-value]
    with pytest.raises(LlmError) as caught:
        complete(llm_server, api_key=MARKER_KEY, timeout=0.5, retries=0, fallbacks=["openai/radar-fallback"])
    assert llm_server.hits[0].headers["Authorization"] == f"Bearer {MARKER_KEY}"  # the key was really sent
    shown = "".join(traceback.format_exception(caught.value))
    captured = capfd.readouterr()
    assert "radar-test" in shown
    for text in (shown, caplog.text, captured.out, captured.err):
        assert MARKER_KEY not in text


def test_build_model_is_none_without_a_model(radar_env: object) -> None:
    assert build_model(load_settings()) is None


def test_build_model_reads_the_environment(radar_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_LLM__MODEL", "openai/radar-test")
    monkeypatch.setenv("RADAR_LLM__FALLBACKS", '["openai/radar-fallback"]')
    model = build_model(load_settings())
    assert model is not None and model.name == "openai/radar-test"


def test_a_language_model_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="RADAR_LLM__MODEL"):
        LanguageModel(LlmSettings())


def test_credentials_in_the_api_base_never_appear_in_errors(llm_server: LlmServer) -> None:
    api_base = f"http://user:{MARKER_KEY}@127.0.0.1:{free_port()}/v1"
    with pytest.raises(LlmUnavailableError) as caught:
        complete(llm_server, api_base=api_base, retries=0)
    shown = "".join(traceback.format_exception_only(caught.value))
    assert "***@127.0.0.1" in shown and MARKER_KEY not in shown
