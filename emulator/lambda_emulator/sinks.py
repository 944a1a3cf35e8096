"""Where the answer of an invocation goes while the runtime streams it: nowhere (asynchronous
invokes), into a buffer (the Invoke API: the caller gets the whole answer, at most 6 MB), or
to the caller as AWS event-stream messages (InvokeWithResponseStream)."""
import json

from . import eventstream


class NullSink:
    started = False
    broken = False

    def start(self, inv, ctype=None):
        pass

    def write(self, data):
        pass

    def finish(self, inv):
        pass


class BufferSink(NullSink):
    """Collects a streamed answer for the buffered Invoke API. Its size is bounded by the
    invocation's stream_limit, which the Runtime API enforces."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(data)

    def body(self):
        return b"".join(self.parts)


def error_fields(inv):
    """(ErrorCode, ErrorDetails) of a failed invocation: its error type and message."""
    details = inv.body.decode("utf-8", "replace")
    try:
        doc = json.loads(inv.body)
        if isinstance(doc, dict) and isinstance(doc.get("errorMessage"), str):
            details = doc["errorMessage"]
    except ValueError:
        pass
    return inv.error_type or "Unhandled", details


class EventStreamSink:
    """Relays an answer to an InvokeWithResponseStream caller: PayloadChunk events as the
    runtime's chunks arrive, then InvokeComplete, in a chunked HTTP body."""

    def __init__(self, handler, tail):
        self.h = handler
        self.tail = tail
        self.started = False
        self.broken = False

    def start(self, inv, ctype=None):
        self.started = True
        h = self.h
        try:
            h.send_response(200)
            h.send_header("Content-Type", ctype or inv.stream_ct or "application/octet-stream")
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("X-Amz-Executed-Version", inv.version)
            h.send_header("x-amzn-RequestId", inv.request_id)
            h.end_headers()
        except OSError:
            self._broke()

    def _broke(self):
        self.broken = True
        self.h.close_connection = True

    def _send(self, frame):
        if self.broken:
            return
        try:
            self.h.wfile.write(b"%x\r\n" % len(frame) + frame + b"\r\n")
        except OSError:
            self._broke()

    def write(self, data):
        if data:
            self._send(eventstream.payload_chunk(data))

    def finish(self, inv):
        code = details = None
        if not inv.ok():
            code, details = error_fields(inv)
        self._send(eventstream.invoke_complete(code, details, inv.tail_b64() if self.tail else None))
        if not self.broken:
            try:
                self.h.wfile.write(b"0\r\n\r\n")
            except OSError:
                self._broke()
