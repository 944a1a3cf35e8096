"""HTTP plumbing shared by the Invoke API and the Runtime API servers: request bodies
(Content-Length or chunked with trailers), the threaded server with its connection cap and
deadlines, and the base request handler that applies httprules to every request."""
import http.server
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse

from . import VERSION
from .httprules import FramingError, HostPolicy, LineRecorder, check_header_lines, parse_framing
from .logs import Log
from .util import jdump, peer_closed


class BodyError(Exception):
    pass


class StreamTooLarge(Exception):
    pass


_CHUNK_SIZE_RE = re.compile(rb"[0-9A-Fa-f]{1,15}\Z")


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
    kind, length = handler.framing()
    if kind == "chunked":
        for _ in range(1 << 40):
            line = _read_line(rfile)
            if not line.endswith(b"\n"):
                raise BodyError("bad chunk size line")
            size_text = line.rstrip(b"\r\n").split(b";", 1)[0].strip(b" \t")
            if not _CHUNK_SIZE_RE.match(size_text):
                raise BodyError("bad chunk size")
            size = int(size_text, 16)
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
        handler.clear_deadline()
        return trailers
    remaining = length
    while remaining > 0:
        piece = rfile.read1(min(remaining, 65536))
        if not piece:
            raise BodyError("truncated body")
        remaining -= len(piece)
        on_chunk(piece)
    handler.clear_deadline()
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
    """A thread per connection, at most max_connections at once (one more is answered 503
    at once and closed, without a thread). With idle_timeout, each request's head must
    arrive within it (counted from the connection's start or the previous answer, however
    slowly the bytes trickle) and its body within body_timeout; every socket operation
    times out after idle_timeout. A janitor thread enforces the deadlines."""
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    host_policy = HostPolicy()
    max_connections = 0          # 0: no cap
    idle_timeout = None          # seconds, None: no deadlines
    body_timeout = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._conn_lock = threading.Lock()
        self._conns = {}             # socket -> deadline (monotonic) or None
        self._janitor = None
        self._closing = False

    def process_request(self, request, client_address):
        with self._conn_lock:
            full = bool(self.max_connections) and len(self._conns) >= self.max_connections
            if not full:
                self._conns[request] = None
        if full:
            return self._refuse_connection(request)
        if self.idle_timeout and self._janitor is None:
            self._janitor = threading.Thread(target=self._sweep, name="janitor", daemon=True)
            self._janitor.start()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._forget(request)
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._forget(request)

    def _forget(self, request):
        with self._conn_lock:
            self._conns.pop(request, None)

    def _refuse_connection(self, request):
        body = jdump({"Type": "Service", "message": "Too many connections to the emulator"})
        head = ("HTTP/1.1 503 Service Unavailable\r\nX-Amzn-ErrorType: ServiceException\r\n"
                "Retry-After: 1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % len(body))
        try:
            request.setblocking(False)
            request.send(head.encode("ascii") + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def set_deadline(self, request, seconds):
        with self._conn_lock:
            if request in self._conns:
                self._conns[request] = None if seconds is None else time.monotonic() + seconds

    def _sweep(self):
        while not self._closing:
            time.sleep(0.25)
            now = time.monotonic()
            with self._conn_lock:
                late = [sock for sock, dl in self._conns.items() if dl is not None and now >= dl]
                for sock in late:
                    self._conns[sock] = None
            for sock in late:
                try:
                    sock.shutdown(socket.SHUT_RDWR)   # the handler's read ends; it closes
                except OSError:
                    pass

    def server_close(self):
        self._closing = True
        super().server_close()

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

    def setup(self):
        if self.server.idle_timeout:
            self.timeout = self.server.idle_timeout   # every socket operation
        super().setup()

    def handle_one_request(self):
        self.server.set_deadline(self.connection, self.server.idle_timeout)
        super().handle_one_request()

    def clear_deadline(self):
        """The request has been read: what follows (an invocation) has its own limits."""
        self.server.set_deadline(self.connection, None)

    def parse_request(self):
        """The standard parse plus the checks every request passes before it is routed:
        header lines, framing and Host/Origin (also run before a `100 Continue` is sent)."""
        self._framing = None
        self._vetted = None
        self._head_lines = []
        real = self.rfile
        self.rfile = LineRecorder(real)   # the raw header lines, for check_header_lines
        try:
            if not super().parse_request():
                return False
        finally:
            self._head_lines = self.rfile.lines
            self.rfile = real
        return self._vetted if self._vetted is not None else self._vet()

    def handle_expect_100(self):
        if not self._vet():
            return False
        return super().handle_expect_100()

    def _vet(self):
        try:
            check_header_lines(self.headers, getattr(self.rfile, "lines", None) or self._head_lines)
            self._framing = parse_framing(self.headers)
        except FramingError as e:
            self._vetted = False
            self.refuse(e.status, "InvalidRequestContentException", e.message)
            return False
        reason = self.server.host_policy.refusal(self.headers)
        if reason is not None:
            self._vetted = False
            self.refuse(403, "AccessDeniedException", reason)
            return False
        self._vetted = True
        if self.server.idle_timeout:
            self.server.set_deadline(self.connection, self.server.body_timeout)
        return True

    def refuse(self, status, error_type, message):
        """Answer a request that is not served, and close the connection."""
        self.send_json(status, {"errorMessage": message, "errorType": error_type}, close=True)

    def framing(self):
        """("chunked", None), ("length", N) or ("none", 0): checked by parse_request."""
        if self._framing is None:
            self._framing = parse_framing(self.headers)
        return self._framing

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
        kind, length = self.framing()
        if kind == "length" and length > limit:
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


