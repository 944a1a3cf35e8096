"""Where a streamed answer goes: nowhere (asynchronous invokes) or the caller's HTTP
connection."""
import base64

from .limits import LATEST


class NullSink:
    started = False
    broken = False

    def start(self, inv):
        pass

    def write(self, data):
        pass

    def finish(self, inv):
        pass


class HttpStreamSink:
    """Relays a streamed runtime response to the caller with chunked encoding."""

    def __init__(self, handler):
        self.h = handler
        self.started = False
        self.broken = False

    def start(self, inv):
        self.started = True
        h = self.h
        try:
            h.send_response(200)
            h.send_header("Content-Type", inv.stream_ct or "application/octet-stream")
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("X-Amz-Executed-Version", LATEST)
            h.send_header("x-amzn-RequestId", inv.request_id)
            h.send_header("Trailer", "X-Amz-Function-Error, Lambda-Runtime-Function-Error-Type, "
                                     "Lambda-Runtime-Function-Error-Body")
            h.end_headers()
        except OSError:
            self.broken = True
            h.close_connection = True

    def write(self, data):
        if self.broken or not data:
            return
        try:
            self.h.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        except OSError:
            self.broken = True
            self.h.close_connection = True

    def finish(self, inv):
        if self.broken:
            return
        tail = b"0\r\n"
        if not inv.ok():
            etype = inv.error_type or "Unhandled"
            tail += b"X-Amz-Function-Error: Unhandled\r\n"
            tail += b"Lambda-Runtime-Function-Error-Type: " + etype.encode("latin-1", "replace") + b"\r\n"
            tail += b"Lambda-Runtime-Function-Error-Body: " + base64.b64encode(inv.body) + b"\r\n"
        tail += b"\r\n"
        try:
            self.h.wfile.write(tail)
        except OSError:
            self.broken = True
            self.h.close_connection = True


