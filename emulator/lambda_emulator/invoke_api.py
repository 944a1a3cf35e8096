"""The Invoke API (2015-03-31), InvokeWithResponseStream (2021-11-15) on the main port, and
the debug endpoint the tests read."""
import base64
import binascii
import json
import urllib.parse
import uuid

from .httpio import BaseHandler, BodyError, QuietServer, read_body
from .invocation import Invocation
from .limits import (CLIENT_CONTEXT_MAX, INVOKE_API, MAX_ASYNC_REQUEST, MAX_RESPONSE, MAX_STREAM,
                     MAX_SYNC_REQUEST, STREAM_INVOKE_API)
from .sinks import BufferSink, EventStreamSink

INVOKE_TYPES = ("RequestResponse", "Event", "DryRun")
STREAM_INVOKE_TYPES = ("RequestResponse", "DryRun")


class InvokeServer(QuietServer):
    emu = None


class Refused(Exception):
    """An invoke answered with an error before it runs: (status, error type, message)."""

    def __init__(self, status, etype, message, extra=None, close=False):
        super().__init__(message)
        self.status, self.etype, self.message, self.extra = status, etype, message, extra or {}
        self.close = close     # the connection cannot be used any more


def client_context(header):
    """The decoded client context of a synchronous invoke, byte for byte as the caller sent
    it (as a latin-1 str, so that it goes out unchanged in a header), or None. Raises Refused."""
    if header is None:
        return None
    text = header.strip()
    if len(text) > CLIENT_CONTEXT_MAX:
        raise Refused(400, "InvalidRequestContentException",
                      "Client context must be at most %d bytes of base64-encoded data." % CLIENT_CONTEXT_MAX)
    try:
        raw = base64.b64decode(text, validate=True)
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict) or b"\r" in raw or b"\n" in raw:
            raise ValueError
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Refused(400, "InvalidRequestContentException",
                      "Client context must be a valid Base64-encoded JSON object.")
    return raw.decode("latin-1")


class InvokeHandler(BaseHandler):
    def _error(self, status, etype, message, error_kind="User", extra=None):
        body = {"Type": error_kind, "message": message}
        body.update(extra or {})
        self.send_json(status, body, headers=[("X-Amzn-ErrorType", etype),
                                              ("x-amzn-RequestId", str(uuid.uuid4()))])

    def refuse(self, status, error_type, message):
        self.close_connection = True
        self.send_json(status, {"Type": "User", "message": message},
                       headers=[("X-Amzn-ErrorType", error_type), ("x-amzn-RequestId", str(uuid.uuid4()))],
                       close=True)

    def _route(self):
        """(operation, function name) of the request path, or (None, None)."""
        parts = self.path_only().split("/")
        if len(parts) == 5 and parts[2] == "functions":
            if parts[1] == INVOKE_API[1:] and parts[4] == "invocations":
                return "Invoke", urllib.parse.unquote(parts[3])
            if parts[1] == STREAM_INVOKE_API[1:] and parts[4] == "response-streaming-invocations":
                return "InvokeWithResponseStream", urllib.parse.unquote(parts[3])
        if len(parts) == 6 and parts[1] == INVOKE_API[1:] and parts[2] == "functions" \
                and parts[4] == "lambda-c" and parts[5] == "debug":
            return "Debug", urllib.parse.unquote(parts[3])
        return None, None

    def _unknown(self):
        """Any other method or path: Lambda's answer to an operation it does not have."""
        self.discard_body()
        self._error(404, "UnknownOperationException", "Unknown operation %s %s" % (self.command, self.path))

    def do_POST(self):
        op, name = self._route()
        if op in ("Invoke", "InvokeWithResponseStream"):
            return self.invoke(name, streaming_api=op == "InvokeWithResponseStream")
        self._unknown()

    def do_GET(self):
        op, name = self._route()
        if op != "Debug":
            return self._unknown()
        found = self.server.emu.resolve_invoke(name, self.query().get("Qualifier"))
        if found.error:
            return self._error(*found.error)
        return self.send_json(200, found.fn.debug_state())

    def do_HEAD(self):
        # the same status and headers as any unknown operation, without a body
        self.send_bytes(404, b"", "application/json", [("X-Amzn-ErrorType", "UnknownOperationException"),
                                                       ("x-amzn-RequestId", str(uuid.uuid4()))])

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _unknown

    def _read_request(self, itype):
        limit = MAX_ASYNC_REQUEST if itype == "Event" else MAX_SYNC_REQUEST
        op = "InvokeAsync" if itype == "Event" else "Invoke"
        too_large = Refused(413, "RequestEntityTooLargeException",
                            "Request must be smaller than %d bytes for the %s operation" % (limit, op))
        kind, length = self.framing()
        try:
            if kind == "length" and length > limit and length > (1 << 26):
                self.close_connection = True
                raise too_large
            data, _total, _tr = read_body(self, limit)
        except (BodyError, OSError, ValueError):
            raise Refused(400, "InvalidRequestContentException", "Could not read request body", close=True)
        if data is None:
            raise too_large
        return data

    def _prepare(self, ident, streaming_api):
        """Checks an invoke like Lambda, in Lambda's order; returns (function, qualifier,
        invocation type, body, client context) or raises Refused."""
        emu = self.server.emu
        found = emu.resolve_invoke(ident, self.query().get("Qualifier"))
        if found.error:
            self.discard_body()
            raise Refused(*found.error)
        itype = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if itype not in (STREAM_INVOKE_TYPES if streaming_api else INVOKE_TYPES):
            self.discard_body()
            raise Refused(400, "InvalidParameterValueException", "Invalid invocation type: %s" % itype)
        data = self._read_request(itype)
        # Lambda passes a client context to synchronous invocations only
        context = client_context(self.headers.get("X-Amz-Client-Context")) if itype != "Event" else None
        if emu.stopping:
            raise Refused(503, "ServiceException", "The emulator is shutting down", {"Type": "Service"})
        return found.fn, found.qualifier, itype, data, context

    def invoke(self, ident, streaming_api):
        emu = self.server.emu
        try:
            fn, qualifier, itype, data, context = self._prepare(ident, streaming_api)
        except Refused as e:
            if e.close:
                return self.refuse(e.status, e.etype, e.message)
            return self._error(e.status, e.etype, e.message, e.extra.pop("Type", "User"), e.extra)
        if itype == "DryRun":
            return self.send_bytes(204, b"", None, [("X-Amz-Executed-Version", fn.version),
                                                    ("x-amzn-RequestId", str(uuid.uuid4()))])
        ctype = self.headers.get("Content-Type")
        if not ctype or ctype.lower().startswith(("application/x-www-form-urlencoded",
                                                  "application/x-amz-json")):
            ctype = "application/json"
        inv = Invocation(fn, data, ctype, context, itype, qualifier,
                         MAX_STREAM if streaming_api else MAX_RESPONSE)
        if emu.args.invoke:
            emu.remember(inv)
        if itype == "Event":
            if not emu.start_background(inv):   # counted in flight before the caller sees the 202
                return self.send_json(429, {"Reason": "ConcurrentInvocationLimitExceeded", "Type": "User",
                                            "message": "Rate Exceeded."},
                                      headers=[("X-Amzn-ErrorType", "TooManyRequestsException"),
                                               ("Retry-After", "1"), ("x-amzn-RequestId", inv.request_id)])
            self.send_bytes(202, b"", None, [("X-Amz-Executed-Version", fn.version),
                                             ("x-amzn-RequestId", inv.request_id)])
            return
        self.clear_deadline()
        tail = (self.headers.get("X-Amz-Log-Type") or "").lower() == "tail"
        sink = EventStreamSink(self, tail) if streaming_api else BufferSink()
        if not emu.execute(inv, sink):
            return self._error(429, "TooManyRequestsException", "Rate Exceeded.", "User",
                               {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
        if streaming_api:
            if not sink.started:   # a buffered answer, or a failure before the first byte
                sink.start(inv, inv.result_ct)
                if inv.ok():
                    sink.write(inv.body)
                sink.finish(inv)
            inv.body = b""
            return
        body, ctype = inv.body, inv.result_ct or "application/json"
        if inv.streaming and inv.ok():
            body, ctype = sink.body(), inv.stream_ct
        headers = [("X-Amz-Executed-Version", inv.version), ("x-amzn-RequestId", inv.request_id)]
        if inv.function_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if tail:
            headers.append(("X-Amz-Log-Result", inv.tail_b64()))
        try:
            self.send_bytes(200, body, ctype, headers)
        except OSError:
            self.close_connection = True
        inv.body = b""
