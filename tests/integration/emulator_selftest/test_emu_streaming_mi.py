"""Phase 2: response streaming and multi-concurrency (Lambda Managed Instances)."""
import base64
import concurrent.futures
import http.client
import json
import time

import pytest

from emu_selftest_helpers import wait_for, emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)
from eventstream_reader import read_messages, split

pytestmark = pytest.mark.emulator_selftest


STREAM_PATH = "/2021-11-15/functions/s/response-streaming-invocations"


def stream_messages(port, event, path=STREAM_PATH, headers=None, timeout=60):
    """POST to InvokeWithResponseStream; returns (status, headers, [messages])."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(event).encode(), headers or {})
        resp = conn.getresponse()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, hdrs, list(read_messages(resp)) if resp.status == 200 else resp.read()
    finally:
        conn.close()


def test_stream_relayed_as_it_arrives(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, messages = stream_messages(
        emu.port, {"action": "stream", "n": 3, "delay": 0.4, "ctype": "text/event-stream"})
    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    assert headers["x-amz-executed-version"] == "$LATEST"
    payload, chunks, complete = split(messages)
    assert [m.payload for m in chunks] == [b"part0;", b"part1;", b"part2;"]
    assert [m.headers[":content-type"] for m in chunks] == ["application/octet-stream"] * 3
    # the first chunk arrived long before the last one: not buffered
    assert chunks[-1].at - chunks[0].at > 0.6
    assert complete == {}
    assert wait_for(lambda: (marks / "stream").exists())
    assert (marks / "stream").read_text().strip() == "202"
    assert wait_for(lambda: "END RequestId: %s" % headers["x-amzn-requestid"] in emu.log())


def test_stream_on_the_invoke_api_is_buffered(emu_start, fn_dir, layer_dir):
    """Invoke (not InvokeWithResponseStream) answers once the stream is complete."""
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("s", {"action": "stream", "n": 3, "delay": 0.1, "ctype": "text/csv"})
    assert status == 200 and body == b"part0;part1;part2;"
    assert headers["content-length"] == "18" and "transfer-encoding" not in headers
    assert headers["content-type"] == "text/csv" and "x-amz-function-error" not in headers


def test_stream_error_mid_stream(emu_start, fn_dir, layer_dir, tmp_path):
    emu = emu_start("s=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, messages = stream_messages(emu.port, {"action": "streamerr"},
                                                headers={"X-Amz-Log-Type": "Tail"})
    payload, _chunks, complete = split(messages)
    assert status == 200 and payload == b"first;"
    assert complete["ErrorCode"] == "Function.Mid" and complete["ErrorDetails"] == "mid"
    rid = headers["x-amzn-requestid"]
    tail = base64.b64decode(complete["LogResult"]).decode()
    assert tail.startswith("START RequestId: %s Version: $LATEST\n" % rid) or \
        "\nSTART RequestId: %s Version: $LATEST\n" % rid in tail, tail
    assert "REPORT RequestId: %s\t" % rid in tail and "streamed response failed: Function.Mid: mid" in tail
    # on the buffered Invoke API the same failure is an ordinary function error
    status, headers, body = emu.invoke("s", {"action": "streamerr"})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(body) == {"errorMessage": "mid", "errorType": "Function.Mid"}
    # the environment keeps serving
    assert emu.invoke("s", b'"x"')[2] == b'"x"'


def test_stream_over_6mb_on_the_invoke_api(emu_start, fn_dir, layer_dir, tmp_path):
    """Invoke buffers at most 6 MB of a streamed answer, like Lambda."""
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,timeout=30,env.FAKE_MARK_DIR=%s" % (fn_dir, marks),
                    args=["--layer", layer_dir, "--quiet"])
    status, headers, body = emu.invoke("s", {"action": "streamsize", "mb": 7})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(body) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge"}
    assert wait_for(lambda: (marks / "streamsize").exists())
    assert (marks / "streamsize").read_text().strip() in ("413", "BrokenPipeError(32, 'Broken pipe')",
                                                          "ConnectionResetError(104, 'Connection reset by peer')")
    # the same 7 MB through InvokeWithResponseStream arrive whole
    status, headers, messages = stream_messages(emu.port, {"action": "streamsize", "mb": 7})
    payload, _chunks, complete = split(messages)
    assert status == 200 and payload == b"y" * (7 << 20) and complete == {}
    # and exactly 6 MB + 100 bytes still fit the buffered answer
    status, headers, body = emu.invoke("s", {"action": "streamsize", "bytes": 6291556})
    assert status == 200 and "x-amz-function-error" not in headers and len(body) == 6291556


def test_stream_over_200mb_is_cut(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("s=%s,handler=echo,timeout=60,env.FAKE_MARK_DIR=%s" % (fn_dir, marks),
                   args=["--layer", layer_dir, "--quiet"])
    status, _headers, messages = stream_messages(emu.port, {"action": "streamhuge"})
    payload, _chunks, complete = split(messages)
    assert status == 200
    assert 200 * (1 << 20) - (1 << 20) <= len(payload) <= 209715200
    assert complete == {"ErrorCode": "Function.ResponseSizeTooLarge", "ErrorDetails":
                        "Response payload size exceeded maximum allowed payload size (209715200 bytes)."}
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
