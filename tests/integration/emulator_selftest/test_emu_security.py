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
    # malformed header lines: Python's parser would end the head there and read the rest
    # (Content-Length included) as body or as the next request
    (["Content-Length : 15"], b'{"a":"0123456"}'),
    (["X-A: b", " folded: x", "Content-Length: 15"], b'{"a":"0123456"}'),
    (["X-A: b\rContent-Length: 15"], b'{"a":"0123456"}'),
    (["X-A: b\0c", "Content-Length: 15"], b'{"a":"0123456"}'),
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


# ---------------------------------------------------------------- finding 11: safe extraction

def _zip_with(path, entries):
    """entries: (name, kind, data) with kind "file", "dir" or "link" (data = the target)."""
    import stat
    import zipfile
    with zipfile.ZipFile(path, "w") as zf:
        for name, kind, data in entries:
            info = zipfile.ZipInfo(name)
            if kind == "link":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, data)
            elif kind == "dir":
                info.external_attr = (stat.S_IFDIR | 0o755) << 16
                zf.writestr(info, b"")
            else:
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                zf.writestr(info, data)
    return str(path)


def _start_and_stop(tmp_path, args):
    import subprocess
    from emu_selftest_helpers import EMULATOR, PYTHON
    proc = subprocess.run([PYTHON, EMULATOR, "--port", "0", "--invoke", "f"] + args,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


def _function_zip(tmp_path, fn_dir, extra):
    entries = []
    for name in ("bootstrap", "fake_runtime.py"):
        with open(os.path.join(fn_dir, name), "rb") as f:
            entries.append((name, "file", f.read()))
    return _zip_with(tmp_path / "fn.zip", entries + extra)


@pytest.mark.parametrize("link_target", ["{outside}", "../../../../../../../../..{outside}"])
@pytest.mark.parametrize("where", ["function", "layer"])
def test_zip_symlink_cannot_write_outside(tmp_path, fn_dir, layer_dir, link_target, where):
    outside = tmp_path / "outside"
    outside.mkdir()
    evil = [("evil", "link", link_target.format(outside=str(outside))), ("evil/pwned", "file", b"x"),
            ("evil/", "dir", b""), ("evil/pwned2", "file", b"x")]
    if where == "function":
        args = ["--function", "f=%s,handler=echo" % _function_zip(tmp_path, fn_dir, evil), "--layer", layer_dir]
    else:
        layer = _zip_with(tmp_path / "layer.zip", evil)
        args = ["--function", "f=%s,handler=echo" % fn_dir, "--layer", layer]
    rc, err = _start_and_stop(tmp_path, args)
    assert os.listdir(str(outside)) == [], err
    assert rc == 0, err    # the later entries replaced the link by a folder, as a later file would


@pytest.mark.parametrize("link_target", ["{outside}", "../../../../../../../../..{outside}", "../.."])
def test_zip_symlink_leading_out_is_refused(tmp_path, fn_dir, layer_dir, link_target):
    outside = tmp_path / "outside"
    outside.mkdir()
    zip_fn = _function_zip(tmp_path, fn_dir, [("lib/evil", "link", link_target.format(outside=str(outside)))])
    rc, err = _start_and_stop(tmp_path, ["--function", "f=%s,handler=echo" % zip_fn, "--layer", layer_dir])
    assert rc == 2 and "symlink lib/evil" in err and "leaves the folder" in err, err


def test_zip_symlink_chain_cannot_point_outside(tmp_path, fn_dir, layer_dir):
    # each link alone stays inside when read lexically; together they lead out of the folder
    chain = [("d", "link", "."), ("c", "link", "d/../x")]
    args = ["--function", "f=%s,handler=echo" % _function_zip(tmp_path, fn_dir, chain), "--layer", layer_dir]
    rc, err = _start_and_stop(tmp_path, args)
    assert rc == 2 and "leaves" in err, err


def test_layer_folders_merge_without_following_links(tmp_path, fn_dir):
    outside = tmp_path / "outside"
    outside.mkdir()
    one = tmp_path / "one"
    (one / "real").mkdir(parents=True)
    os.symlink(str(outside), str(one / "lib"))
    two = tmp_path / "two"
    (two / "lib").mkdir(parents=True)
    (two / "lib" / "pwned").write_text("x")
    rc, err = _start_and_stop(tmp_path, ["--function", "f=%s,handler=echo" % fn_dir,
                                         "--layer", str(one), "--layer", str(two)])
    assert os.listdir(str(outside)) == [], err
    assert rc == 2 and "leaves" in err, err


def test_safe_links_and_lambda_paths_are_kept(tmp_path, fn_dir):
    # a relative link inside the layer, and an absolute one into /opt: both work as on Lambda
    layer = _zip_with(tmp_path / "layer.zip", [
        ("lib/libx.so.1", "file", b"ELF"), ("lib/libx.so", "link", "libx.so.1"),
        ("bin/tool", "link", "/opt/lib/libx.so.1"), ("lib/", "dir", b"")])
    zip_fn = _function_zip(tmp_path, fn_dir, [("data/a.txt", "file", b"A"), ("b.txt", "link", "/var/task/data/a.txt")])
    rc, err = _start_and_stop(tmp_path, ["--function", "f=%s,handler=echo" % zip_fn, "--layer", layer,
                                         "--event", '{"x":1}'])
    assert rc == 0, err


def test_unzipped_size_is_bounded(tmp_path, fn_dir, layer_dir):
    import zipfile
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(str(bomb), "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zeros", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(251):
                f.write(block)
    rc, err = _start_and_stop(tmp_path, ["--function", "f=%s,handler=echo" % fn_dir, "--layer", str(bomb)])
    assert rc == 2 and "262144000" in err, err


# ---------------------------------------------------------------- finding 14: connection and queue bounds

def _threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def _half_open(port, n, head=b"POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(head)
        socks.append(s)
    return socks


def test_half_open_connections_hold_a_bounded_number_of_threads(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    base = _threads(emu.proc.pid)
    socks = _half_open(emu.port, 200)
    try:
        time.sleep(1.0)
        held = _threads(emu.proc.pid)
        assert held - base <= 128, (base, held)
        # over the cap a connection is answered at once (503) instead of waiting for a slot
        status, answer = raw(emu.port, post_head(emu.port, "f", ["Content-Length: 2"]) + b"{}", timeout=5)
        assert status == 503 and b"ServiceException" in answer, answer
    finally:
        for s in socks:
            s.close()
    # the attacker left: the Invoke API answers again at once
    assert _wait_status(emu, 200, 10.0)


def _wait_status(emu, want, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status, _answer = raw(emu.port, post_head(emu.port, "f", ["Content-Length: 2"]) + b"{}", timeout=5)
        if status == want:
            return True
        time.sleep(0.1)
    return False


def test_idle_and_slow_connections_are_closed(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir, "--idle-timeout", "1"])
    idle = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    slow = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
    t0 = time.monotonic()
    try:
        # one header byte every 0.2 s: each read is quick, the head never completes
        closed_at = None
        for i in range(40):
            try:
                slow.sendall(b"X" if i else b"POST / HTTP/1.1\r\nX-Slow: ")
            except OSError:
                closed_at = time.monotonic()
                break
            slow.settimeout(0.2)
            try:
                if slow.recv(4096) == b"":
                    closed_at = time.monotonic()
                    break
            except socket.timeout:
                pass
            except OSError:
                closed_at = time.monotonic()
                break
        assert closed_at is not None and closed_at - t0 < 4.0
        idle.settimeout(5)
        try:
            gone = idle.recv(4096) == b""
        except ConnectionResetError:
            gone = True
        assert gone and time.monotonic() - t0 < 6.0
    finally:
        idle.close()
        slow.close()
    status, _h, _b = emu.invoke("f")
    assert status == 200


def test_event_invokes_queue_is_bounded(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=hang,concurrency=1,timeout=30" % fn_dir, args=["--layer", layer_dir])
    base = _threads(emu.proc.pid)
    statuses = []
    throttled = None
    for _ in range(160):
        status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Invocation-Type": "Event"})
        statuses.append(status)
        if status == 429:
            throttled = (headers, body)
    assert statuses.count(202) >= 1 and throttled is not None, statuses
    headers, body = throttled
    assert headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert int(headers["retry-after"]) >= 1
    assert json.loads(body)["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert _threads(emu.proc.pid) - base <= 110
    # synchronous invokes of another kind still get their answer
    status, _h, _b = emu.invoke("f", b"{}", {"X-Amz-Invocation-Type": "DryRun"})
    assert status == 204


# ---------------------------------------------------------------- finding 13: Runtime API ports

def _runtime_api_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        for item in f.read().split(b"\0"):
            if item.startswith(b"AWS_LAMBDA_RUNTIME_API="):
                return item.split(b"=", 1)[1].decode()
    raise AssertionError("no AWS_LAMBDA_RUNTIME_API in the runtime's environment")


def test_runtime_api_refuses_other_local_processes(emu_start, fn_dir, layer_dir):
    import threading
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f", b'"one"')[0] == 200
    env = emu.debug("f")["environments"][0]
    host, port = _runtime_api_of(env["pid"]).rsplit(":", 1)
    # another local process (this test) tries to take the next invocation
    thief = socket.create_connection((host, int(port)), timeout=10)
    got = b""
    try:
        thief.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s:%s\r\n\r\n"
                      % (host.encode(), port.encode()))
        answers = []
        t = threading.Thread(target=lambda: answers.append(emu.invoke("f", b'{"secret":"payload"}')))
        t.start()
        thief.settimeout(3.0)
        try:
            for _ in range(100):
                piece = thief.recv(65536)
                if not piece:
                    break
                got += piece
        except (socket.timeout, ConnectionResetError):
            pass
        t.join(30)
    finally:
        thief.close()
    assert b"payload" not in got and b"Lambda-Runtime-Aws-Request-Id" not in got, got
    status, _h, body = answers[0]
    assert status == 200 and body == b'{"secret":"payload"}'   # the real runtime took it
    # nor can it forge an answer for a request id it learned
    status, answer = raw(int(port), b"POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\n"
                                    b"Host: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}", timeout=3)
    assert status is None, answer
    assert "refused a Runtime API connection from a process outside the environment" in emu.log()
    assert "port" not in emu.debug("f")["environments"][0]    # the debug endpoint does not list it


# ---------------------------------------------------------------- finding 16: cleanup and memory size

RUNTIME = r'''
import http.client, json, os, subprocess, sys, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
hold = []
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    if "mb" in event:
        block = bytearray(event["mb"] << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        if not event.get("free"):
            hold.append(block)
        del block
        if event.get("sleep"):
            time.sleep(event["sleep"])
    if "daemon" in event:
        # a child that leaves the session and the process group, and outlives its parent
        code = ("import os, sys, time\n"
                "if os.fork(): os._exit(0)\n"
                "os.setsid()\n"
                "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\n"
                "os.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
                "time.sleep(600)\n")
        subprocess.Popen([sys.executable, "-c", code, event["daemon"]]).wait()
        for _ in range(500):   # answer once the daemon runs on its own
            if os.path.exists(event["daemon"]) and open(event["daemon"]).read():
                break
            time.sleep(0.01)
    conn.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, body=b'"ok"')
    conn.getresponse().read()
    if event.get("exit"):
        os._exit(0)
'''


@pytest.fixture
def mem_fn(tmp_path):
    from emu_selftest_helpers import PYTHON
    d = tmp_path / "memfn"
    d.mkdir()
    (d / "runtime.py").write_text(RUNTIME)
    (d / "bootstrap").write_text('#!/bin/sh\nexec %s "$LAMBDA_TASK_ROOT/runtime.py"\n' % PYTHON)
    os.chmod(str(d / "bootstrap"), 0o755)
    return str(d)


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_pid_file(path, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read())
        time.sleep(0.05)
    raise AssertionError("no pid written to %s" % path)


@pytest.mark.parametrize("ending", ["runtime_exit", "emulator_exit", "timeout"])
def test_setsid_child_does_not_outlive_the_environment(emu_start, mem_fn, layer_dir, tmp_path, ending):
    emu = emu_start("f=%s,timeout=2" % mem_fn, args=["--layer", layer_dir])
    pid_file = str(tmp_path / "daemon.pid")
    event = {"daemon": pid_file}
    if ending == "runtime_exit":
        event["exit"] = True
    status, _h, body = emu.invoke("f", event)
    assert status == 200 and body == b'"ok"'
    daemon = _wait_pid_file(pid_file)
    try:
        if ending == "emulator_exit":
            emu.stop()
        elif ending == "timeout":
            status, headers, _b = emu.invoke("f", {"mb": 1, "sleep": 10})
            assert headers.get("x-amz-function-error") == "Unhandled"
        end = time.monotonic() + 10
        while _alive(daemon) and time.monotonic() < end:
            time.sleep(0.05)
        assert not _alive(daemon), "pid %d outlived its environment" % daemon
    finally:
        if _alive(daemon):
            os.kill(daemon, 9)


def test_memory_size_is_enforced(emu_start, mem_fn, layer_dir):
    emu = emu_start("f=%s,memory=128" % mem_fn, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", {"mb": 8}, {"X-Amz-Log-Type": "Tail"})
    assert status == 200 and "x-amz-function-error" not in headers, body
    pid = emu.debug("f")["environments"][0]["pid"]
    status, headers, body = emu.invoke("f", {"mb": 300, "sleep": 5}, {"X-Amz-Log-Type": "Tail"})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled", body
    err = json.loads(body)
    assert err["errorType"] == "Runtime.OutOfMemory", err
    assert err["errorMessage"].endswith("Error: Runtime exited with error: signal: killed"), err
    assert not _alive(pid)
    # a burst freed before answering is still caught (the peak counts, as in Lambda's cgroup)
    status, headers, body = emu.invoke("f", {"mb": 300, "free": True})
    assert json.loads(body)["errorType"] == "Runtime.OutOfMemory", body
    # the next invocation gets a fresh environment
    status, headers, body = emu.invoke("f", {"mb": 8})
    assert status == 200 and body == b'"ok"'
