"""LiveServer: the live page on 127.0.0.1 while training runs (standard-library http.server, server-sent events).

It serves three things and nothing else: the page (``/``), the run so far as
JSON (``/timeline.json``) and the stream of new steps (``/events``, server-sent
events, a message per batch of new steps, at most ~20 a second).  Every
request needs the random token of the printed URL (403 without it) and a Host
header naming the local address (403 otherwise, which stops DNS rebinding);
request paths are never read as files.  A browser that goes away ends its
stream quietly; ``stop()`` ends every stream and closes the socket.
"""

from __future__ import annotations

import argparse
import hmac
import json
import secrets
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from micrograd_nn import errors
from micrograd_nn.errors import whole_number_argument
from micrograd_nn.live.page import default_title, page_html, timeline_json
from micrograd_nn.live.recorder import Recorder

HOST = "127.0.0.1"
SEND_INTERVAL = 0.05
"""Seconds between two messages of one event stream: steps that arrive meanwhile go out together."""
KEEPALIVE = 10.0
"""Seconds of silence after which a stream sends a comment line (so a dead connection is noticed)."""
REQUEST_TIMEOUT = 30.0
"""Seconds a client may take to send its request, or to accept what we write."""
BACKLOG = 512
"""Connections the listening socket holds before they are accepted (socketserver's default, 5, resets a crowd)."""
MAX_SINCE = 10**12 - 1
"""The largest step count (``since``, ``Last-Event-ID``) a request may give: more is a bad request."""
_since_count = whole_number_argument(0, MAX_SINCE)


def read_since(header: str | None, query: dict[str, list[str]]) -> int:
    """The steps a browser already has: Last-Event-ID, else ?since=, else 0; ValueError (one line) if not a count."""
    name, text = ("Last-Event-ID", header) if header else ("since", (query.get("since") or ["0"])[0])
    try:
        if not (text.isascii() and text.isdigit()):  # int() would also take " 12", "1_000" and other scripts' digits
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}")
        return _since_count(text)
    except argparse.ArgumentTypeError as err:
        raise ValueError(f"bad request: {name}: {err}") from None


class LiveServerError(RuntimeError):
    """The live server cannot start (e.g. its port is in use); the message is one line."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port another process listens on must be refused, not shared
    request_queue_size = BACKLOG
    live: LiveServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closed or reset its connection is normal: say nothing; anything else is reported."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = REQUEST_TIMEOUT
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL and the training, not every request."""

    def _refuse(self, status: HTTPStatus, text: str) -> None:
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # the page's scripts are inline; it talks only to this server and embeds nothing
        self.send_header("Content-Security-Policy", "connect-src 'self'; object-src 'none'; base-uri 'none'; "
                         "form-action 'none'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        """As GET, without the body."""
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        """Check the Host header and the token, then serve the page, the timeline or the event stream."""
        live = self.server.live
        try:
            if self.headers.get("Host", "") not in live.allowed_hosts:
                self._refuse(HTTPStatus.FORBIDDEN, "forbidden: this server answers only http://127.0.0.1:PORT/")
                return
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            token = (query.get("token") or [""])[0]
            if not hmac.compare_digest(token.encode("utf-8", "replace"), live.token.encode("ascii")):
                self._refuse(HTTPStatus.FORBIDDEN, "forbidden: open the URL with the token that micrograd-nn printed")
                return
            if parts.path == "/":
                page = page_html(live.recorder.timeline(), title=live.title, live=True,
                                 events=f"/events?token={live.token}")
                self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            elif parts.path == "/timeline.json":
                self._send(timeline_json(live.recorder.timeline()).encode("utf-8"), "application/json")
            elif parts.path == "/events":
                try:
                    known = read_since(self.headers.get("Last-Event-ID"), query)
                except ValueError as err:
                    self._refuse(HTTPStatus.BAD_REQUEST, str(err))
                    return
                self._stream(known)
            else:
                self._refuse(HTTPStatus.NOT_FOUND, "not found: this server has only its page")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the browser went away: nothing to say to it

    def _stream(self, known: int) -> None:
        """Server-sent events: the steps after the first `known`, as they are recorded, then {"finished": true}."""
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return  # headers only
        self.wfile.write(b"retry: 1000\n\n")  # a browser retries a lost stream after 1 s
        self.wfile.flush()
        quiet_since = time.monotonic()
        while not live.stopping:
            steps, finished = live.recorder.wait_for_steps(known, timeout=1.0)
            if live.stopping:
                return
            if steps or finished:
                known += len(steps)
                message = {"steps": steps, "finished": finished}
                payload = json.dumps(message, separators=(",", ":"), allow_nan=False)
                self.wfile.write(f"id: {known}\ndata: {payload}\n\n".encode())
                self.wfile.flush()
                quiet_since = time.monotonic()
                if finished:
                    return
                time.sleep(SEND_INTERVAL)
            elif time.monotonic() - quiet_since > KEEPALIVE:
                self.wfile.write(b": still training\n\n")
                self.wfile.flush()
                quiet_since = time.monotonic()


class LiveServer:
    """Serves a Recorder's live page on http://127.0.0.1:PORT/?token=...; start() it, train, stop() it.

    ``port=0`` takes a free port.  Usable as a context manager.
    """

    def __init__(self, recorder: Recorder, *, port: int = 0, title: str | None = None) -> None:
        """Bind 127.0.0.1:port now, so a port in use is a LiveServerError before any training."""
        if not isinstance(recorder, Recorder):
            raise TypeError(f"LiveServer: give a micrograd_nn.live.Recorder, got {type(recorder).__name__}")
        port = errors.whole_number(port, "LiveServer: port", 0, 65535)
        self.recorder = recorder
        self.title = title or default_title(recorder)
        self.token = secrets.token_urlsafe(18)
        self.stopping = False
        try:
            self._server = _Server((HOST, port), _Handler)
        except OSError as err:
            if err.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise LiveServerError(
                    f"port {port} on {HOST} is already in use; choose another port, or 0 for a free one"
                ) from None
            raise LiveServerError(f"cannot listen on {HOST}:{port}: {err.strerror or err}") from None
        self._server.live = self
        self.port = int(self._server.server_address[1])
        self.allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The page's address, token included."""
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def start(self) -> LiveServer:
        """Serve in a background thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                            name="micrograd-nn live server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """End every event stream, stop serving and close the socket (waits at most a few seconds)."""
        self.stopping = True
        self.recorder.wake()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5.0)
        self._server.server_close()

    def __enter__(self) -> LiveServer:
        """Start serving; the with block trains."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop serving, whatever ended the with block."""
        self.stop()
