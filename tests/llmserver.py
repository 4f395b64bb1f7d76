"""A real OpenAI-compatible HTTP server on 127.0.0.1 that tests start and script.

It serves ``POST /v1/chat/completions`` (and ``/chat/completions``) in the OpenAI
response shape and ``GET /v1/models``. Each call takes the next queued response
(:meth:`LlmServer.script`); when the queue is empty the default responder answers
(:meth:`LlmServer.respond_with`). Every parsed request body is kept in ``requests``
so tests can check prompts, model names and retry counts.

    server = LlmServer().start()
    server.script(Status(500), Reply("fine now"))
    model = LanguageModel(llm_settings_for(server))
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from radar.settings import LlmSettings

TEST_MODEL = "openai/radar-test"
TEST_KEY = "sk-test-key"
DEFAULT_TEXT = "A fixed answer from the Radar test model."
COMPLETION_PATHS = frozenset({"/v1/chat/completions", "/chat/completions"})


@dataclass(frozen=True, slots=True)
class Reply:
    """A well-formed completion whose message content is ``text``."""

    text: str = DEFAULT_TEXT
    model: str | None = None
    """The model named in the answer; the request's model when None."""
    finish_reason: str = "stop"


@dataclass(frozen=True, slots=True)
class Status:
    """An HTTP error status with an OpenAI-style error body (or ``body`` as given)."""

    code: int
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Delay:
    """Wait ``seconds`` (a stopped server wakes up at once), then answer ``then``."""

    seconds: float
    then: Response = field(default_factory=Reply)


@dataclass(frozen=True, slots=True)
class Malformed:
    """A 200 whose body is these raw bytes: not JSON, or JSON of the wrong shape."""

    raw: bytes = b"this is not json"
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Empty:
    """A well-formed completion whose content is the empty string."""


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection without sending anything."""


Response = Reply | Status | Delay | Malformed | Empty | Drop
Responder = Callable[[dict[str, Any]], Response]


@dataclass(frozen=True, slots=True)
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    """time.monotonic() when the request arrived."""


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (a timeout test) is expected, not a traceback on stderr."""

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LlmServer:
    """A threaded OpenAI-compatible server on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        """Parsed JSON bodies of the completion requests, in arrival order."""
        self.hits: list[Hit] = []
        """Every request (any path) with its headers and arrival time."""
        self._queue: list[Response] = []
        self._responder: Responder = lambda _request: Reply()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give as api_base (ends in /v1)."""
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def start(self) -> LlmServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *responses: Response) -> None:
        """Queue responses for the next calls, in order."""
        with self._lock:
            self._queue.extend(responses)

    def respond_with(self, responder: Responder) -> None:
        """Answer calls with ``responder(request_body)`` once the script is used up."""
        self._responder = responder

    def _next(self, request: dict[str, Any]) -> Response:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.pop(0)
        return self._responder(request)

    def _serve_completion(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        try:
            request = json.loads(handler.rfile.read(length) or b"{}")
        except ValueError:
            _send_json(handler, 400, _error("request body is not JSON", "invalid_request_error"))
            return
        self._answer(handler, request, self._next(request))

    def _answer(self, handler: BaseHTTPRequestHandler, request: dict[str, Any], response: Response) -> None:
        match response:
            case Delay(seconds=seconds, then=then):
                if self._stopping.wait(seconds):
                    handler.close_connection = True
                    return
                self._answer(handler, request, then)
            case Reply() | Empty():
                _send_json(handler, 200, _completion(request, response))
            case Status(code=code, body=body, headers=headers):
                raw = body if body is not None else json.dumps(_error(f"scripted status {code}", "server_error")).encode()
                _send(handler, code, raw, "application/json", headers)
            case Malformed(raw=raw, content_type=content_type):
                _send(handler, 200, raw, content_type, {})
            case Drop():
                handler.close_connection = True

    def _serve_get(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path.rstrip("/") in ("/v1/models", "/models"):
            model = {"id": TEST_MODEL.split("/", 1)[1], "object": "model", "created": 0, "owned_by": "radar-tests"}
            _send_json(handler, 200, {"object": "list", "data": [model]})
        else:
            _send_json(handler, 404, _error(f"no route {handler.path}", "not_found"))

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        self.hits.append(Hit(handler.path, dict(handler.headers), time.monotonic()))


def _handler_for(server: LlmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body as two writes wait ~40 ms for a delayed ACK

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            server._record(self)
            if self.path.split("?")[0] in COMPLETION_PATHS:
                server._serve_completion(self)
            else:
                _send_json(self, 404, _error(f"no route {self.path}", "not_found"))

        def do_GET(self) -> None:  # noqa: N802
            server._record(self)
            server._serve_get(self)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _completion(request: dict[str, Any], response: Reply | Empty) -> dict[str, Any]:
    text = response.text if isinstance(response, Reply) else ""
    model = (response.model if isinstance(response, Reply) else None) or request.get("model", "radar-test")
    prompt_words = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
    return {
        "id": f"chatcmpl-radar-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": response.finish_reason if isinstance(response, Reply) else "stop",
        }],
        "usage": {"prompt_tokens": prompt_words, "completion_tokens": len(text.split()),
                  "total_tokens": prompt_words + len(text.split())},
    }


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _send_json(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    _send(handler, status, json.dumps(body).encode(), "application/json", {})


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
          headers: dict[str, str]) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def llm_settings_for(server: LlmServer, **overrides: Any) -> LlmSettings:
    """Settings that point litellm at ``server``: short timeout, one retry, a marker key."""
    values: dict[str, Any] = {"model": TEST_MODEL, "api_base": server.url, "api_key": TEST_KEY,
                              "timeout": 2.0, "retries": 1}
    return LlmSettings(**(values | overrides))
