"""The live preview's HTTP server: the page, its updates, the deck's images; nothing else.

The standard library's :class:`~http.server.ThreadingHTTPServer`: one author's browser
on their own machine asks for one page, a stream of updates (server-sent events: plain
HTTP that the page's ``EventSource`` reconnects by itself, so no WebSocket library) and
a few images. A thread per connection is ample for that, and it adds no dependency and
nothing to start-up.

What it serves is looked up, never derived from the request's path: ``/`` (the page),
``/events`` (the updates), ``/frame.html`` (a card's empty frame) and the deck's media
files by their names (content hashes), as the cards name them. Any other path —
``/../``, an absolute path, a file of the content folder by its own name — is 404. A
request whose ``Host`` is not the address served (DNS rebinding: another site's page
talking to this server) is refused.
"""

from __future__ import annotations

import errno
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from deckbuilder.authoring.serve.state import FRAME_PATH

if TYPE_CHECKING:
    from deckbuilder.authoring.serve.state import LiveDeck

KEEPALIVE_S = 10.0  # a comment on the event stream this often: a closed page is noticed
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_MEDIA_TYPES = {
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


class LiveServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds the process at exit
    block_on_close = False

    def __init__(self, host: str, port: int, live: LiveDeck) -> None:
        self.live = live
        super().__init__((host, port), _Handler)
        self.port = int(self.server_address[1])
        # Bound to this machine only: the page's own names for it, nothing else.
        names = {host, "localhost", "127.0.0.1", "[::1]"}
        self.hosts: set[str] | None = (
            {f"{name}:{self.port}" for name in names} | names if host in _LOOPBACK else None
        )


def open_server(host: str, port: int, live: LiveDeck) -> LiveServer:
    """The server, bound; raises :class:`~deckbuilder.errors.OutputError` when the port
    is taken or the address cannot be used."""
    from deckbuilder.errors import OutputError

    try:
        return LiveServer(host, port, live)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise OutputError(
                f"port {port} on {host} is already in use (another 'deckbuilder serve'?); "
                "stop it, or choose another port with --port"
            ) from None
        raise OutputError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


class _Handler(BaseHTTPRequestHandler):
    server: LiveServer
    server_version = "deckbuilder"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the command prints what the author needs."""

    def do_GET(self) -> None:
        hosts = self.server.hosts
        if hosts is not None and self.headers.get("Host", "") not in hosts:
            self._send(HTTPStatus.FORBIDDEN, b"unknown host\n", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        if url.path == "/":
            page = self.server.live.page().encode("utf-8")
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
        elif url.path == FRAME_PATH:
            frame = self.server.live.frame_document.encode("utf-8")
            self._send(HTTPStatus.OK, frame, "text/html; charset=utf-8")
        elif url.path == "/events":
            since = self.headers.get("Last-Event-ID") or parse_qs(url.query).get("since", [""])[0]
            self._events(int(since) if since.isdigit() else -1)
        else:
            self._media(url.path)

    def _media(self, path: str) -> None:
        from deckbuilder.errors import ContentError

        name = path[1:]
        media = self.server.live.media.get(name) if "/" not in name else None
        if media is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
            return
        try:
            data = media.deck_bytes()
        except ContentError:  # changed since it was rendered: the next update names it
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
            return
        kind = _MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
        self._send(HTTPStatus.OK, data, kind)

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _events(self, version: int) -> None:
        """The page's updates after ``version``, as server-sent events, until the page
        goes or the server stops."""
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while not live.stopping:
                updates = live.updates_after(version, KEEPALIVE_S)
                if updates is None:  # too far behind: the page loads again
                    self.wfile.write(f"id: {live.version}\nevent: reload\ndata: {{}}\n\n".encode())
                    version = live.version
                elif not updates:
                    self.wfile.write(b": still here\n\n")
                for update in updates or ():
                    self.wfile.write(f"id: {update.version}\ndata: {update.json()}\n\n".encode())
                    version = update.version
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve_in_thread(server: LiveServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    thread.start()
    return thread
