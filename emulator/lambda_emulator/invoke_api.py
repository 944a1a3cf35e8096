"""The Invoke API (2015-03-31, and 2021-11-15 for response streaming) on the main port, and
the debug endpoint the tests read."""
import base64
import binascii
import json
import urllib.parse
import uuid

from .httpio import BaseHandler, BodyError, QuietServer, read_body
from .invocation import Invocation
from .limits import ACCOUNT_ID, INVOKE_API, LATEST, MAX_ASYNC_REQUEST, MAX_SYNC_REQUEST, STREAM_INVOKE_API
from .registry import split_ident
from .sinks import HttpStreamSink


class InvokeServer(QuietServer):
    emu = None


class InvokeHandler(BaseHandler):
    def _error(self, status, etype, message, error_kind="User"):
        self.send_json(status, {"Type": error_kind, "message": message},
                       headers=[("X-Amzn-ErrorType", etype), ("x-amzn-RequestId", str(uuid.uuid4()))])

    def refuse(self, status, error_type, message):
        self.close_connection = True
        self.send_json(status, {"Type": "User", "message": message},
                       headers=[("X-Amzn-ErrorType", error_type), ("x-amzn-RequestId", str(uuid.uuid4()))],
                       close=True)

    def do_POST(self):
        parts = self.path_only().split("/")
        if len(parts) == 5 and parts[2] == "functions":
            if parts[1] == INVOKE_API[1:] and parts[4] == "invocations":
                return self.invoke(urllib.parse.unquote(parts[3]), streaming_api=False)
            if parts[1] == STREAM_INVOKE_API[1:] and parts[4] == "response-streaming-invocations":
                return self.invoke(urllib.parse.unquote(parts[3]), streaming_api=True)
        self.discard_body()
        self._error(404, "UnknownOperationException", "Unknown operation %s %s" % (self.command, self.path))

    def do_GET(self):
        parts = self.path_only().split("/")
        if len(parts) == 6 and parts[1] == INVOKE_API[1:] and parts[2] == "functions" \
                and parts[4] == "lambda-c" and parts[5] == "debug":
            fn, _q = self.server.emu.resolve(urllib.parse.unquote(parts[3]))
            if fn is None:
                return self._not_found(urllib.parse.unquote(parts[3]))
            return self.send_json(200, fn.debug_state())
        self._error(404, "UnknownOperationException", "Unknown operation %s %s" % (self.command, self.path))

    do_PUT = do_POST
    do_DELETE = do_GET

    def _not_found(self, ident):
        emu = self.server.emu
        name, qual = split_ident(ident)
        arn = "arn:aws:lambda:%s:%s:function:%s" % (emu.region, ACCOUNT_ID, name)
        if qual:
            arn += ":" + qual
        self._error(404, "ResourceNotFoundException", "Function not found: " + arn)

    def invoke(self, ident, streaming_api):
        emu = self.server.emu
        fn, _qual = emu.resolve(ident)
        if fn is None:
            self.discard_body()
            return self._not_found(ident)
        itype = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        allowed = ("RequestResponse", "DryRun") if streaming_api else ("RequestResponse", "Event", "DryRun")
        if itype not in allowed:
            self.discard_body()
            return self._error(400, "InvalidParameterValueException",
                               "Invalid invocation type: %s" % itype)
        limit = MAX_ASYNC_REQUEST if itype == "Event" else MAX_SYNC_REQUEST
        kind, length = self.framing()
        try:
            if kind == "length" and length > limit and length > (1 << 26):
                self.close_connection = True
                return self._too_large(itype, limit)
            data, _total, _tr = read_body(self, limit)
        except (BodyError, OSError, ValueError):
            return self.refuse(400, "InvalidRequestContentException", "Could not read request body")
        if data is None:
            return self._too_large(itype, limit)
        client_context = None
        cc = self.headers.get("X-Amz-Client-Context")
        if cc:
            try:
                decoded = base64.b64decode(cc.strip(), validate=True)
                client_context = json.dumps(json.loads(decoded.decode("utf-8")), separators=(",", ":"))
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return self._error(400, "InvalidRequestContentException",
                                   "Client context must be a valid Base64-encoded JSON object.")
        if emu.stopping:
            return self._error(503, "ServiceException", "The emulator is shutting down", "Service")
        if itype == "DryRun":
            return self.send_bytes(204, b"", None, [("X-Amz-Executed-Version", LATEST),
                                                    ("x-amzn-RequestId", str(uuid.uuid4()))])
        ctype = self.headers.get("Content-Type")
        if not ctype or ctype.lower().startswith(("application/x-www-form-urlencoded",
                                                  "application/x-amz-json")):
            ctype = "application/json"
        inv = Invocation(fn, data, ctype, client_context, itype)
        if emu.args.invoke:
            emu.remember(inv)
        if itype == "Event":
            if not emu.start_background(inv):   # counted in flight before the caller sees the 202
                return self.send_json(429, {"Reason": "ConcurrentInvocationLimitExceeded", "Type": "User",
                                            "message": "Rate Exceeded."},
                                      headers=[("X-Amzn-ErrorType", "TooManyRequestsException"),
                                               ("Retry-After", "1"), ("x-amzn-RequestId", inv.request_id)])
            self.send_bytes(202, b"", None, [("X-Amz-Executed-Version", LATEST),
                                             ("x-amzn-RequestId", inv.request_id)])
            return
        self.clear_deadline()
        sink = HttpStreamSink(self)
        emu.execute(inv, sink)
        if sink.started:
            return
        headers = [("X-Amz-Executed-Version", LATEST), ("x-amzn-RequestId", inv.request_id)]
        if inv.function_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if (self.headers.get("X-Amz-Log-Type") or "").lower() == "tail":
            headers.append(("X-Amz-Log-Result", inv.tail_b64()))
        try:
            self.send_bytes(200, inv.body, inv.result_ct or "application/json", headers)
        except OSError:
            self.close_connection = True
        inv.body = b""

    def _too_large(self, itype, limit):
        op = "InvokeAsync" if itype == "Event" else "Invoke"
        self._error(413, "RequestEntityTooLargeException",
                    "Request must be smaller than %d bytes for the %s operation" % (limit, op))


# --------------------------------------------------------------------------- the emulator
