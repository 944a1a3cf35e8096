"""HTTP plumbing shared by the Invoke API and the Runtime API servers: request bodies
(Content-Length or chunked with trailers), the threaded server and the base request handler."""
import http.server
import socket
import sys
import traceback
import urllib.parse

from . import VERSION
from .logs import Log
from .util import jdump, peer_closed


class BodyError(Exception):
    pass


class StreamTooLarge(Exception):
    pass


def _read_line(rfile, limit=65536):
    line = rfile.readline(limit + 1)
    if not line:
        raise BodyError("connection closed")
    if len(line) > limit:
        raise BodyError("line too long")
    return line


def read_body_chunks(handler, on_chunk):
    """Read a request body (Content-Length or chunked with trailers), passing every piece
    to on_chunk as it arrives. Returns the trailers (lower-case names)."""
    rfile = handler.rfile
    trailers = {}
    te = (handler.headers.get("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        for _ in range(1 << 40):
            line = _read_line(rfile)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BodyError("bad chunk size")
            if size < 0:
                raise BodyError("bad chunk size")
            if size == 0:
                break
            remaining = size
            while remaining > 0:
                piece = rfile.read1(min(remaining, 65536))
                if not piece:
                    raise BodyError("truncated chunk")
                remaining -= len(piece)
                on_chunk(piece)
            end = _read_line(rfile, 2)
            if end not in (b"\r\n", b"\n"):
                raise BodyError("bad chunk end")
        for _ in range(256):
            line = _read_line(rfile)
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            trailers[name.strip().lower()] = value.strip()
        else:
            raise BodyError("too many trailers")
        return trailers
    length = handler.headers.get("Content-Length")
    if length is None:
        return trailers
    try:
        remaining = int(length)
    except ValueError:
        raise BodyError("bad Content-Length")
    if remaining < 0:
        raise BodyError("bad Content-Length")
    while remaining > 0:
        piece = rfile.read1(min(remaining, 65536))
        if not piece:
            raise BodyError("truncated body")
        remaining -= len(piece)
        on_chunk(piece)
    return trailers


def read_body(handler, limit):
    """Returns (data or None when over limit, total size, trailers). Oversize bodies are
    read and discarded so the connection stays usable."""
    parts = []
    total = 0

    def take(piece):
        nonlocal total
        total += len(piece)
        if total <= limit:
            parts.append(piece)
        elif parts:
            parts.clear()

    trailers = read_body_chunks(handler, take)
    if total > limit:
        return None, total, trailers
    return b"".join(parts), total, trailers


def client_alive(h):
    """False once the client of a parked request has gone away."""
    return not peer_closed(h.connection)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, BodyError, ValueError, OSError)):
            return
        Log.always("lambda-c-emulator: internal error while serving %s:\n%s"
                   % (client_address, traceback.format_exc()))


class BaseHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lambda-c-emulator/" + VERSION
    sys_version = ""
    disable_nagle_algorithm = True   # TCP_NODELAY: no 40 ms delayed-ACK stalls

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return self.server_version   # http.server would add a space and its own version

    def path_only(self):
        return self.path.split("?", 1)[0]

    def query(self):
        if "?" not in self.path:
            return {}
        return dict(urllib.parse.parse_qsl(self.path.split("?", 1)[1]))

    def send_bytes(self, status, body=b"", ctype="application/json", headers=(), close=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        if body and status != 204 and len(body) <= 65536 and hasattr(self, "_headers_buffer"):
            # headers and a small body in one write
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
            return
        self.end_headers()
        if body and status != 204:
            self.wfile.write(body)

    def send_json(self, status, obj, headers=(), close=False):
        self.send_bytes(status, obj if isinstance(obj, bytes) else jdump(obj), "application/json",
                        headers, close)

    def discard_body(self, limit=1 << 26):
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                if int(length) > limit:
                    self.close_connection = True
                    return False
            except ValueError:
                self.close_connection = True
                return False
        try:
            read_body_chunks(self, lambda piece: None)
            return True
        except (BodyError, OSError):
            self.close_connection = True
            return False

    def drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


