"""A function's answer turned into the HTTP response the trigger's service sends: API Gateway
REST (payload 1.0), HTTP API (payload 2.0 with its inference for bare values, or 1.0),
Function URLs (2.0 rules; streamed answers with the HTTP integration prelude), and the
services' errors for function errors and malformed answers. Also reads AWS's event-stream
framing (InvokeWithResponseStream)."""
import base64
import binascii
import json
import struct
import zlib

HTTP_INTEGRATION_TYPE = "application/vnd.awslambda.http-integration-response"
PRELUDE_END = b"\0" * 8
MAX_PRELUDE = 1 << 20


class Malformed(Exception):
    """The function answered, but not in a shape the service accepts."""


def error_response(kind, status=502):
    """What the service answers for a function error or a malformed answer (502), or when the
    function could not be invoked at all (500)."""
    if kind == "rest":
        body = b'{"message": "Internal server error"}'
    else:
        body = b'{"message":"Internal Server Error"}'
    return status, [("Content-Type", "application/json")], body


def _headers(value, multi):
    out = []
    if value is None:
        return out
    if not isinstance(value, dict):
        raise Malformed("headers must be an object")
    for name, item in value.items():
        items = item if multi else [item]
        if not isinstance(items, list):
            raise Malformed(f"multiValueHeaders.{name} must be a list")
        for v in items:
            if isinstance(v, (dict, list)) or v is None:
                raise Malformed(f"header {name} must be a string")
            out.append((str(name), "true" if v is True else "false" if v is False else str(v)))
    return out


def _body(doc):
    body = doc.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise Malformed("body must be a string")
    if doc.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise Malformed("isBase64Encoded, but the body is not base64")
    return body.encode("utf-8")


def _status(doc):
    status = doc.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise Malformed(f"statusCode must be an integer 100-599, got {status!r}")
    return status


REST_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


def rest_answer(payload):
    """REST API (payload 1.0): statusCode required; headers and multiValueHeaders merged; any
    other key makes the answer malformed."""
    try:
        doc = json.loads(payload)
    except ValueError:
        raise Malformed("not JSON")
    if not isinstance(doc, dict):
        raise Malformed("not a JSON object")
    extra = set(doc) - REST_KEYS
    if extra:
        raise Malformed(f"unexpected keys {sorted(extra)}")
    headers = _headers(doc.get("headers"), False)
    multi = _headers(doc.get("multiValueHeaders"), True)
    names = {n.lower() for n, _v in multi}
    headers = [(n, v) for n, v in headers if n.lower() not in names] + multi
    return _status(doc), headers, _body(doc)


def v2_answer(payload):
    """HTTP API payload 2.0 and Function URLs: an object with statusCode is a response; any
    other valid JSON is the body of a 200 application/json response (a JSON string: its text)."""
    try:
        doc = json.loads(payload)
    except ValueError:
        raise Malformed("not JSON")
    if not isinstance(doc, dict) or "statusCode" not in doc:
        body = doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"))
        return 200, [("Content-Type", "application/json")], body.encode("utf-8")
    headers = _headers(doc.get("headers"), False)
    cookies = doc.get("cookies") or []
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise Malformed("cookies must be a list of strings")
    headers += [("Set-Cookie", c) for c in cookies]
    if not any(n.lower() == "content-type" for n, _v in headers):
        headers.append(("Content-Type", "application/json"))
    return _status(doc), headers, _body(doc)


def map_answer(route, payload):
    """(status, headers, body) for a successful invocation's payload on `route`."""
    if route.kind == "rest" or route.payload == "1.0":
        return rest_answer(payload)
    return v2_answer(payload)


def prelude_headers(prelude):
    """(status, headers) from a streamed answer's HTTP integration prelude."""
    try:
        doc = json.loads(prelude) if prelude.strip() else {}
    except ValueError:
        raise Malformed("the streamed answer's prelude is not JSON")
    if not isinstance(doc, dict):
        raise Malformed("the streamed answer's prelude is not an object")
    status = _status(doc) if "statusCode" in doc else 200
    headers = _headers(doc.get("headers"), False)
    headers += [("Set-Cookie", str(c)) for c in doc.get("cookies") or []]
    return status, headers


# ---------------------------------------------------------------- event-stream

class EventStreamReader:
    """Splits AWS event-stream messages out of the bytes fed to it: (event type, payload)."""

    def __init__(self):
        self.buf = b""

    @staticmethod
    def looks_like(data):
        """Whether `data` (12 bytes or more) starts with a valid event-stream prelude."""
        if len(data) < 12:
            return False
        total, hlen, crc = struct.unpack(">III", data[:12])
        return zlib.crc32(data[:8]) == crc and 16 + hlen <= total <= (16 << 20)

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 12:
            total, hlen, crc = struct.unpack(">III", self.buf[:12])
            if zlib.crc32(self.buf[:8]) != crc or total < 16 + hlen or total > (16 << 20):
                raise Malformed("broken event-stream framing")
            if len(self.buf) < total:
                break
            message, self.buf = self.buf[:total], self.buf[total:]
            if zlib.crc32(message[:-4]) != struct.unpack(">I", message[-4:])[0]:
                raise Malformed("event-stream message checksum mismatch")
            headers = self._headers(message[12:12 + hlen])
            out.append((headers.get(":event-type"), message[12 + hlen:-4]))
        return out

    @staticmethod
    def _headers(data):
        headers, i = {}, 0
        while i < len(data):
            n = data[i]
            name = data[i + 1:i + 1 + n].decode("utf-8", "replace")
            i += 1 + n
            kind = data[i]
            i += 1
            if kind != 7:  # only strings are used by InvokeWithResponseStream
                raise Malformed(f"event-stream header type {kind}")
            (length,) = struct.unpack(">H", data[i:i + 2])
            headers[name] = data[i + 2:i + 2 + length].decode("utf-8", "replace")
            i += 2 + length
        return headers
