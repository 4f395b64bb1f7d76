"""The scripted OpenAI-compatible test server itself: its routes, its queue, a quick stop."""

from __future__ import annotations

import threading

import httpx

from tests.llmserver import Delay, LlmServer, Reply, Status


def post(server: LlmServer, path: str = "/chat/completions", model: str = "radar-test") -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hello there"}]}
    return httpx.post(server.url + path, json=body, timeout=5)


def test_answers_in_the_openai_shape_and_lists_models(llm_server: LlmServer) -> None:
    answer = post(llm_server).json()
    assert answer["object"] == "chat.completion" and answer["model"] == "radar-test"
    assert answer["choices"][0]["message"] == {"role": "assistant", "content": Reply().text}
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"]["prompt_tokens"] == 2
    models = httpx.get(llm_server.url + "/models", timeout=5).json()
    assert models["data"][0]["id"] == "radar-test"


def test_the_script_comes_first_then_the_responder(llm_server: LlmServer) -> None:
    llm_server.script(Status(500), Reply("scripted"))
    llm_server.respond_with(lambda request: Reply(f"default for {request['model']}"))
    assert post(llm_server).status_code == 500
    assert post(llm_server).json()["choices"][0]["message"]["content"] == "scripted"
    assert post(llm_server, model="m2").json()["choices"][0]["message"]["content"] == "default for m2"
    assert [r["model"] for r in llm_server.requests] == ["radar-test", "radar-test", "m2"]


def test_the_old_path_without_v1_is_served_too(llm_server: LlmServer) -> None:
    root = llm_server.url.removesuffix("/v1")
    response = httpx.post(root + "/chat/completions", json={"model": "x", "messages": []}, timeout=5)
    assert response.status_code == 200


def test_stop_does_not_wait_for_a_sleeping_handler() -> None:
    server = LlmServer().start()
    server.script(Delay(60))
    caller = threading.Thread(target=lambda: _post_ignoring_errors(server), daemon=True)
    caller.start()
    for _ in range(1000):  # until the handler sleeps (at most ~10 s)
        if server.requests:
            break
        threading.Event().wait(0.01)
    assert server.requests
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=10)
    assert not stopper.is_alive()


def _post_ignoring_errors(server: LlmServer) -> None:
    try:
        post(server)
    except httpx.HTTPError:
        pass
