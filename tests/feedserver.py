"""A real HTTP server on 127.0.0.1 that serves scripted responses (recorded feeds, errors, delays).

Each path gets a sequence of responses; the last one repeats. Requests are recorded so
tests can check headers (User-Agent, conditional GET) and counts (retries).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_to: int | None = None
    """Send a Content-Length for the whole body, then only this many bytes, then hang up."""
    etag: str | None = None
    """Answer 304 when the request's If-None-Match matches."""
    last_modified: str | None = None
    endless: bool = False
    """Send ``body`` over and over, with no Content-Length, until the client hangs up."""
    trickle: float = 0.0
    """Send the body one byte at a time, this many seconds apart (a server that never times out a read)."""


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Response]] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server._serve(self)

            def log_message(self, *args: object) -> None:
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionError:  # the client hung up mid-body (a refused feed): nothing to answer
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def route(self, path: str, *responses: Response) -> str:
        with self._lock:
            self.routes[path] = list(responses)
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path or h.path.split("?")[0] == path]

    def _next(self, path: str) -> Response | None:
        with self._lock:
            queue = self.routes.get(path) or self.routes.get(path.split("?")[0])
            if not queue:
                return None
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        self.hits.append(Hit(handler.path, dict(handler.headers), time.monotonic()))
        response = self._next(handler.path) or Response(b"not found", status=404)
        if response.delay:
            time.sleep(response.delay)
        if response.etag and handler.headers.get("If-None-Match") == response.etag:
            handler.send_response(304)
            handler.send_header("ETag", response.etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(response.status)
        for name, value in response.headers.items():
            handler.send_header(name, value)
        if response.etag:
            handler.send_header("ETag", response.etag)
        if response.last_modified:
            handler.send_header("Last-Modified", response.last_modified)
        if response.endless or response.trickle:
            self._stream(handler, response)
            return
        handler.send_header("Content-Length", str(len(response.body)))
        handler.end_headers()
        if response.truncate_to is not None:
            handler.wfile.write(response.body[: response.truncate_to])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(response.body)

    @staticmethod
    def _stream(handler: BaseHTTPRequestHandler, response: Response) -> None:
        handler.send_header("Connection", "close")
        if not response.endless:
            handler.send_header("Content-Length", str(len(response.body)))
        handler.end_headers()
        handler.close_connection = True
        try:
            if response.endless:
                while True:
                    handler.wfile.write(response.body)
            for i in range(len(response.body)):
                handler.wfile.write(response.body[i:i + 1])
                handler.wfile.flush()
                time.sleep(response.trickle)
        except OSError:  # the client hung up: what the test wanted
            pass
