"""A reader of AWS event-stream messages (application/vnd.amazon.eventstream) for the tests,
written from the format's description, independently of the emulator's encoder: every CRC is
checked, and every message is returned with the time it was complete."""
import json
import struct
import time
import zlib


class Message:
    def __init__(self, headers, payload, at):
        self.headers = headers
        self.payload = payload
        self.at = at

    @property
    def event_type(self):
        return self.headers.get(":event-type")

    def json(self):
        return json.loads(self.payload)

    def __repr__(self):
        return "Message(%r, %r)" % (self.headers, self.payload[:100])


def parse_headers(data):
    headers, i = {}, 0
    while i < len(data):
        n = data[i]
        name = data[i + 1:i + 1 + n].decode()
        i += 1 + n
        kind = data[i]
        assert kind == 7, "only string headers are expected, got type %d" % kind
        (length,) = struct.unpack(">H", data[i + 1:i + 3])
        headers[name] = data[i + 3:i + 3 + length].decode()
        i += 3 + length
    return headers


def read_messages(resp, limit=1 << 20):
    """Messages from an http.client response, as they arrive (a generator)."""
    buf = b""
    for _ in range(limit):
        while len(buf) >= 12:
            total, hlen, pcrc = struct.unpack(">III", buf[:12])
            assert zlib.crc32(buf[:8]) == pcrc, "prelude CRC mismatch"
            if len(buf) < total:
                break
            msg = buf[:total]
            (mcrc,) = struct.unpack(">I", msg[-4:])
            assert zlib.crc32(msg[:-4]) == mcrc, "message CRC mismatch"
            yield Message(parse_headers(msg[12:12 + hlen]), msg[12 + hlen:-4], time.monotonic())
            buf = buf[total:]
        data = resp.read1(1 << 16)
        if not data:
            assert buf == b"", "stream ended inside a message"
            return
        buf += data


def split(messages):
    """(payload bytes, [chunk messages], the InvokeComplete body) of a whole stream; checks
    that InvokeComplete comes exactly once, last."""
    chunks = [m for m in messages if m.event_type == "PayloadChunk"]
    complete = [m for m in messages if m.event_type == "InvokeComplete"]
    assert len(complete) == 1 and messages[-1] is complete[0], messages
    for m in messages:
        assert m.headers[":message-type"] == "event"
    return b"".join(m.payload for m in chunks), chunks, complete[0].json()
