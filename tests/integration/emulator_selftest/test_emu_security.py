"""The emulator treats its callers as untrusted: strict HTTP framing, Host/Origin checks,
safe extraction of zips and layer folders, connection and queue bounds, Runtime API
ports that only the environment's own processes can use, process cleanup and the
function's memory size."""
import json
import os
import socket
import time

import pytest

from emu_selftest_helpers import emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.emulator_selftest

INVOKE = "/2015-03-31/functions/%s/invocations"


def raw(port, data, timeout=10.0):
    """Send raw bytes, read the answer until the server closes (or timeout); returns
    (status or None, whole answer)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                piece = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not piece:
                break
            out += piece
    finally:
        s.close()
    status = None
    if out.startswith(b"HTTP/1."):
        status = int(out.split(b" ", 2)[1])
    return status, out


def post_head(port, name, extra, host=None):
    host = host or "127.0.0.1:%d" % port
    return ("POST %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n"
            % (INVOKE % name, host, "".join(h + "\r\n" for h in extra))).encode()


# ---------------------------------------------------------------- finding 15: strict framing

@pytest.mark.parametrize("headers,body", [
    (["Content-Length: 1_5"], b'{"a":"0123456"}'),
    (["Content-Length: +15"], b'{"a":"0123456"}'),
    (["Content-Length: 15", "Content-Length: 2"], b'{"a":"0123456"}'),
    (["Content-Length: 0x0f"], b'{"a":"0123456"}'),
    (["Content-Length: 15 15"], b'{"a":"0123456"}'),
    (["Transfer-Encoding: xchunked"], b"f\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
    (["Transfer-Encoding: chunked, identity"], b"f\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
    (["Transfer-Encoding: chunked", "Content-Length: 15"], b"f\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
    (["Transfer-Encoding: chunked"], b"+f\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
    (["Transfer-Encoding: chunked"], b"0x0f\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
    (["Transfer-Encoding: chunked"], b"f_\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
])
def test_lenient_framing_is_refused(emu_start, fn_dir, layer_dir, headers, body):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, answer = raw(emu.port, post_head(emu.port, "f", headers) + body)
    assert status in (400, 501), answer
    assert b"Connection: close" in answer
    assert emu.debug("f")["environments"] == []   # nothing was invoked


@pytest.mark.parametrize("headers,body", [
    (["Content-Length: 15"], b'{"a":"0123456"}'),
    (["Content-Length: 15", "Content-Length: 15"], b'{"a":"0123456"}'),   # identical: RFC 9110 allows
    (["Transfer-Encoding: Chunked"], b"F;ext=1\r\n{\"a\":\"0123456\"}\r\n0\r\n\r\n"),
])
def test_strict_framing_still_accepts_valid_requests(emu_start, fn_dir, layer_dir, headers, body):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, answer = raw(emu.port, post_head(emu.port, "f", headers) + body)
    assert status == 200, answer
    assert answer.endswith(b'{"a":"0123456"}')


# ---------------------------------------------------------------- finding 12: Host and Origin

@pytest.mark.parametrize("host,origin", [
    ("attacker.example:%d", None),            # DNS rebinding: a name that resolved to 127.0.0.1
    ("localhost.attacker.example", None),
    ("127.0.0.1:%d", "https://attacker.example"),   # a web page's text/plain POST
    ("127.0.0.1:%d", "null"),
    ("localhost:%d", "http://localhost:1"),
])
def test_cross_origin_invokes_are_refused(emu_start, fn_dir, layer_dir, host, origin):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    host = host % emu.port if "%d" in host else host
    extra = ["Content-Type: text/plain", "Content-Length: 2"]
    if origin:
        extra.append("Origin: " + origin)
    status, answer = raw(emu.port, post_head(emu.port, "f", extra, host=host) + b"{}")
    assert status == 403, answer
    assert b"X-Amzn-ErrorType: AccessDeniedException" in answer
    assert emu.debug("f")["environments"] == []


@pytest.mark.parametrize("host,origin", [
    ("127.0.0.1:%d", None),
    ("localhost:%d", None),
    ("LOCALHOST.:%d", None),
    ("[::1]:%d", None),
    ("127.0.0.1:%d", "http://127.0.0.1:%d"),   # same origin
    (None, None),                               # HTTP/1.0 style, no Host at all
])
def test_local_clients_are_accepted(emu_start, fn_dir, layer_dir, host, origin):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    lines = ["POST %s HTTP/1.1" % (INVOKE % "f"), "Connection: close", "Content-Length: 2"]
    if host:
        lines.append("Host: " + (host % emu.port))
    if origin:
        lines.append("Origin: " + (origin % emu.port))
    status, answer = raw(emu.port, ("\r\n".join(lines) + "\r\n\r\n{}").encode())
    assert status == 200, answer


def test_allow_host_admits_a_named_host(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir, "--allow-host", "devbox.internal"])
    extra = ["Content-Length: 2"]
    status, answer = raw(emu.port, post_head(emu.port, "f", extra, host="devbox.internal:%d" % emu.port) + b"{}")
    assert status == 200, answer
    status, answer = raw(emu.port, post_head(emu.port, "f", extra, host="other.internal:%d" % emu.port) + b"{}")
    assert status == 403, answer
