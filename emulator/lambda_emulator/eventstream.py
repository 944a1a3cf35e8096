"""AWS event-stream framing (application/vnd.amazon.eventstream), as InvokeWithResponseStream
answers: each message is

    prelude:  total length (u32 BE) | headers length (u32 BE) | CRC32 of those 8 bytes
    headers:  name length (u8) | name | type 7 = string | value length (u16 BE) | value, ...
    payload
    CRC32 of everything before it (prelude included)
"""
import json
import struct
import zlib

STRING = 7
MAX_HEADER_VALUE = 0xFFFF


def encode_headers(headers):
    out = []
    for name, value in headers:
        n = name.encode("utf-8")
        v = value.encode("utf-8")
        if len(n) > 255 or len(v) > MAX_HEADER_VALUE:
            raise ValueError("event-stream header too long: %s" % name)
        out.append(struct.pack(">B", len(n)) + n + struct.pack(">BH", STRING, len(v)) + v)
    return b"".join(out)


def message(headers, payload):
    """One event-stream message."""
    hb = encode_headers(headers)
    prelude = struct.pack(">II", 12 + len(hb) + len(payload) + 4, len(hb))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hb + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event(event_type, payload, content_type):
    return message([(":event-type", event_type), (":content-type", content_type),
                    (":message-type", "event")], payload)


def payload_chunk(data):
    """A PayloadChunk event: the raw bytes of the function's response."""
    return event("PayloadChunk", data, "application/octet-stream")


def invoke_complete(error_code=None, error_details=None, log_result=None):
    """The InvokeComplete event that ends every stream: ErrorCode and ErrorDetails when the
    invocation failed, LogResult (base64 log tail) when the caller asked for it."""
    body = {}
    if error_code:
        body["ErrorCode"] = error_code
    if error_details:
        body["ErrorDetails"] = error_details
    if log_result:
        body["LogResult"] = log_result
    return event("InvokeComplete", json.dumps(body, separators=(",", ":")).encode(), "application/json")
