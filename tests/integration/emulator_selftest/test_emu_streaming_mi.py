"""Phase 2: response streaming and multi-concurrency (Lambda Managed Instances)."""
import base64
import concurrent.futures
import http.client
import json
import socket
import time

import pytest

from emu_selftest_helpers import wait_for, emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.emulator_selftest


def read_stream(port, path, event, timeout=30):
    """POST and read a chunked answer; returns (status, headers, [(t, chunk)], raw trailers)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    body = json.dumps(event).encode()
    s.sendall(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % (path.encode(), len(body)) + body)
    f = s.makefile("rb")
    status = int(f.readline().split()[1])
    headers = {}
    for _ in range(100):
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        headers[k.strip().lower()] = v.strip()
    chunks, trailers = [], {}
    if headers.get("transfer-encoding") == "chunked":
        for _ in range(100000):
            size = int(f.readline().strip(), 16)
            if size == 0:
                break
            chunks.append((time.monotonic(), f.read(size)))
            f.readline()
        for _ in range(100):
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode().partition(":")
            trailers[k.strip().lower()] = v.strip()
    else:
        n = int(headers.get("content-length", "0"))
        chunks.append((time.monotonic(), f.read(n)))
    s.close()
    return status, headers, chunks, trailers


@pytest.mark.parametrize("path", ["/2015-03-31/functions/s/invocations",
                                  "/2021-11-15/functions/s/response-streaming-invocations"])
def test_stream_relayed_as_it_arrives(emu_start, fn_dir, layer_dir, tmp_path, path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, chunks, trailers = read_stream(
        emu.port, path, {"action": "stream", "n": 3, "delay": 0.4, "ctype": "text/event-stream"})
    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    assert headers["x-amz-executed-version"] == "$LATEST"
    assert b"".join(c for _t, c in chunks) == b"part0;part1;part2;"
    # the first bytes arrived long before the last ones: not buffered
    assert chunks[-1][0] - chunks[0][0] > 0.6
    assert "x-amz-function-error" not in trailers
    assert wait_for(lambda: (marks / "stream").exists())
    assert (marks / "stream").read_text().strip() == "202"
    assert wait_for(lambda: "END RequestId: %s" % headers["x-amzn-requestid"] in emu.log())


def test_stream_error_trailers(emu_start, fn_dir, layer_dir, tmp_path):
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, chunks, trailers = read_stream(emu.port, "/2015-03-31/functions/s/invocations",
                                                    {"action": "streamerr"})
    assert status == 200 and b"".join(c for _t, c in chunks) == b"first;"
    assert trailers["x-amz-function-error"] == "Unhandled"
    assert trailers["lambda-runtime-function-error-type"] == "Function.Mid"
    assert json.loads(base64.b64decode(trailers["lambda-runtime-function-error-body"]))["errorMessage"] == "mid"
    rid = headers["x-amzn-requestid"]
    assert wait_for(lambda: "REPORT RequestId: %s" % rid in emu.log())
    assert "streamed response failed: Function.Mid: mid" in emu.log()
    # the environment keeps serving
    assert emu.invoke("s", b'"x"')[2] == b'"x"'


def test_stream_over_200mb_is_cut(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,timeout=60,env.FAKE_MARK_DIR=%s" % (fn_dir, marks),
                   args=["--layer", layer_dir, "--quiet"])
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=60)
    conn.request("POST", "/2021-11-15/functions/s/response-streaming-invocations",
                 json.dumps({"action": "streamhuge"}))
    resp = conn.getresponse()
    total = 0
    for _ in range(100000):
        data = resp.read1(1 << 20)
        if not data:
            break
        total += len(data)
    conn.close()
    assert 200 * (1 << 20) - (1 << 20) <= total <= 209715200
    assert wait_for(lambda: (marks / "streamhuge").exists())
    assert (marks / "streamhuge").read_text().strip() in ("413", "BrokenPipeError(32, 'Broken pipe')",
                                                          "ConnectionResetError(104, 'Connection reset by peer')")
    assert emu.invoke("s", b'"after"')[2] == b'"after"'


def test_bad_response_mode(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, body = emu.invoke("s", {"action": "badmode"})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    assert wait_for(lambda: (marks / "badmode").exists())
    assert (marks / "badmode").read_text().strip() == "400"


def test_managed_instances_one_env_many_invokes(emu_start, fn_dir, layer_dir):
    emu = emu_start("m=%s,handler=echo,max_concurrency=4,timeout=5" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("m", {"action": "env"})
    env = json.loads(body)
    assert env["AWS_LAMBDA_MAX_CONCURRENCY"] == "4"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "lambda-managed-instances"
    assert wait_for(lambda: emu.debug("m")["environments"][0]["parked_next"] == 4)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futs = [ex.submit(emu.invoke, "m", {"action": "sleep", "seconds": 0.8, "i": i}) for i in range(4)]
        results = [f.result() for f in futs]
    elapsed = time.monotonic() - t0
    assert all(r[0] == 200 and json.loads(r[2])["i"] == i for i, r in enumerate(results))
    assert elapsed < 1.6, elapsed
    dbg = emu.debug("m")
    assert dbg["cold_starts"] == 1 and len(dbg["environments"]) == 1


def test_managed_instances_late_answer_410(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("m=%s,handler=echo,max_concurrency=2,timeout=1,env.FAKE_MARK_DIR=%s" % (fn_dir, marks),
                   args=["--layer", layer_dir])
    status, headers, body = emu.invoke("m", {"action": "late", "seconds": 1.5})
    assert json.loads(body)["errorType"] == "Sandbox.Timedout"
    assert wait_for(lambda: (marks / "late").exists())
    assert (marks / "late").read_text().strip() == "410"
    # the environment survived the timeout and still serves
    assert emu.invoke("m", b'"ok"')[2] == b'"ok"'
    assert emu.debug("m")["cold_starts"] == 1
