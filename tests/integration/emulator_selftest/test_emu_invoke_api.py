"""Phase 1: Invoke API, Runtime API headers, environment, logs."""
import base64
import json
import os
import re
import time

import pytest

from emu_selftest_helpers import tail_log, wait_for, emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.emulator_selftest


def test_echo_and_headers_and_logs(emu_start, fn_dir, layer_dir):
    emu = emu_start("hello=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("hello", b'{"name":"Ada"}', {"X-Amz-Log-Type": "Tail"})
    assert status == 200
    assert body == b'{"name":"Ada"}'
    assert headers["x-amz-executed-version"] == "$LATEST"
    assert "x-amz-function-error" not in headers
    assert headers["content-type"] == "application/json"
    rid = headers["x-amzn-requestid"]
    log = tail_log(headers)
    assert "START RequestId: %s Version: $LATEST" % rid in log
    assert "fake-runtime: handling %s" % rid in log
    assert "END RequestId: %s" % rid in log
    report = [l for l in log.splitlines() if l.startswith("REPORT")][0]
    assert re.match(r"REPORT RequestId: %s\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 128 MB\tMax Memory Used: [1-9]\d* MB\tInit Duration: \d+\.\d\d ms$" % rid,
                    report), report
    # warm: same environment, no Init Duration
    status, headers, body = emu.invoke("hello", b'[1,2]', {"X-Amz-Log-Type": "Tail"})
    assert status == 200 and body == b"[1,2]"
    assert "Init Duration" not in tail_log(headers)
    dbg = emu.debug("hello")
    assert dbg["cold_starts"] == 1
    assert len(dbg["environments"]) == 1
    env = dbg["environments"][0]
    assert env["invocations"] == 2 and env["invocation_id_echoed"] is True
    assert env["extension_registered"] is False
    assert os.path.exists("/proc/%d/maps" % env["pid"])
    assert wait_for(lambda: "START RequestId: %s" % headers["x-amzn-requestid"] in emu.log())


def test_runtime_environment(emu_start, fn_dir, layer_dir):
    emu = emu_start("envfn=%s,handler=env,memory=256,env.FOO=bar,env.TZ=override" % fn_dir,
                   args=["--layer", layer_dir, "--region", "eu-west-3"],
                   env={"ASAN_OPTIONS": "detect_leaks=1", "SOME_PRIVATE_VAR": "x",
                        "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    status, headers, body = emu.invoke("envfn")
    assert status == 200, body
    env = json.loads(body)
    assert env["_HANDLER"] == "env"
    assert env["LAMBDA_TASK_ROOT"] == os.path.realpath(fn_dir)
    assert env["LAMBDA_RUNTIME_DIR"] == os.path.realpath(layer_dir)
    assert re.match(r"^127\.0\.0\.1:\d+$", env["AWS_LAMBDA_RUNTIME_API"])
    assert env["AWS_LAMBDA_RUNTIME_API"] != "127.0.0.1:%d" % emu.port
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envfn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envfn"
    assert re.match(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-3"
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["TZ"] == "override"
    assert env["LANG"] == "en_US.UTF-8"
    # Lambda's order, with the function and layer folders for /var/task and /opt
    fn_real, layer_real = os.path.realpath(fn_dir), os.path.realpath(layer_dir)
    assert env["LD_LIBRARY_PATH"] == "/lib64:/usr/lib64:%s:%s/lib:%s/lib" % (fn_real, fn_real, layer_real)
    assert env["PATH"] == "/usr/local/bin:/usr/bin:/bin:%s/bin" % os.path.realpath(layer_dir)
    assert env["FOO"] == "bar"
    assert env["ASAN_OPTIONS"] == "detect_leaks=1"
    assert "SOME_PRIVATE_VAR" not in env and "HOME" not in env
    assert "AWS_LAMBDA_MAX_CONCURRENCY" not in env


def test_next_headers_and_client_context(emu_start, fn_dir, layer_dir):
    emu = emu_start("h=%s,handler=headers,timeout=7" % fn_dir, args=["--layer", layer_dir])
    cc = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    before = time.time()
    status, headers, body = emu.invoke("h", b"{}", {"X-Amz-Client-Context": cc, "Content-Type": "application/json"})
    assert status == 200
    got = {k.lower(): v for k, v in json.loads(body).items()}
    assert got["lambda-runtime-aws-request-id"] == headers["x-amzn-requestid"]
    deadline = int(got["lambda-runtime-deadline-ms"])
    assert before * 1000 + 6000 < deadline < time.time() * 1000 + 7500
    assert got["lambda-runtime-invoked-function-arn"] == "arn:aws:lambda:us-east-1:123456789012:function:h"
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$",
                    got["lambda-runtime-trace-id"])
    assert json.loads(got["lambda-runtime-client-context"]) == {"custom": {"k": "v"}}
    iid = got["lambda-runtime-invocation-id"]
    assert re.match(r"^[0-9a-f-]{36}$", iid) and iid != got["lambda-runtime-aws-request-id"]
    assert got["content-type"] == "application/json"
    # without a client context the header is absent
    status, headers, body = emu.invoke("h")
    assert "lambda-runtime-client-context" not in {k.lower() for k in json.loads(body)}


def test_invoke_api_errors(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("nope")
    assert status == 404 and headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert json.loads(body) == {"Type": "User",
                                "message": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}
    status, headers, body = emu.invoke("f", b"x" * (6291456 + 1))
    assert status == 413 and headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    status, headers, body = emu.invoke("f", json.dumps("y" * (6291456 - 2)).encode())
    assert status == 200 and len(body) == 6291456
    status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Client-Context": "%%%not base64"})
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestContentException"
    status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Invocation-Type": "DryRun"})
    assert status == 204 and body == b""
    # names as ARN and with qualifier
    for ident in ("arn:aws:lambda:us-east-1:123456789012:function:f", "f:$LATEST",
                  "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af"):
        status, headers, body = emu.invoke(ident, b'"x"')
        assert status == 200 and body == b'"x"', ident


def test_function_error(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=error" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    assert status == 200
    assert headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(body) == {"errorMessage": "boom", "errorType": "Function.Boom", "stackTrace": ["a"]}
    assert emu.debug("f")["cold_starts"] == 1
    status, headers, body = emu.invoke("f")
    assert emu.debug("f")["cold_starts"] == 1  # a handled error keeps the environment


def test_content_type_from_runtime(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=ctype" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    assert status == 200 and body == b"hello" and headers["content-type"] == "text/plain"


def test_event_invocation_runs_in_background(emu_start, fn_dir, layer_dir, tmp_path):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", {"action": "sleep", "seconds": 0.5},
                                       {"X-Amz-Invocation-Type": "Event"})
    assert status == 202 and body == b""
    rid = headers["x-amzn-requestid"]
    end = time.monotonic() + 10
    while "END RequestId: %s" % rid not in emu.log() and time.monotonic() < end:
        time.sleep(0.05)
    assert "END RequestId: %s" % rid in emu.log()
    status, headers, body = emu.invoke("f", {"action": "x"}, {"X-Amz-Invocation-Type": "Event"},)
    assert status == 202
    status, headers, body = emu.invoke("f", b"x" * (1048576 + 1), {"X-Amz-Invocation-Type": "Event"})
    assert status == 413


def test_oversize_response(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("f=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", {"action": "big"})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(body) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge"}
    assert wait_for(lambda: (marks / "big").exists())
    got = (marks / "big").read_text()
    assert got.startswith("413 ") and "RequestEntityTooLarge" in got
    pid = emu.debug("f")["environments"][0]["pid"]
    status, headers, body = emu.invoke("f", {"action": "exact"})
    assert status == 200 and len(body) == 6291556
    dbg = emu.debug("f")
    assert dbg["cold_starts"] == 1 and dbg["environments"][0]["pid"] == pid


def test_runtime_api_status_codes(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("f=%s,handler=probe,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    assert status == 200 and json.loads(body) == {"ok": 1}
    for _ in range(100):
        if (marks / "probe").exists():
            break
        time.sleep(0.05)
    codes = json.loads((marks / "probe").read_text())
    assert codes == {"unknown_id": 400, "wrong_iid": 410, "first": 202, "second": 403, "error_after": 403}


def test_noecho_is_recorded(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=noecho" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    assert emu.debug("f")["environments"][0]["invocation_id_echoed"] is False


def test_concurrency_pool_and_queue(emu_start, fn_dir, layer_dir):
    import concurrent.futures
    emu = emu_start("f=%s,handler=echo,concurrency=2,overflow=queue" % fn_dir, args=["--layer", layer_dir])
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        futs = [ex.submit(emu.invoke, "f", {"action": "sleep", "seconds": 0.4, "i": i}) for i in range(6)]
        results = [f.result() for f in futs]
    elapsed = time.monotonic() - t0
    for i, (status, headers, body) in enumerate(results):
        assert status == 200 and json.loads(body)["i"] == i
    assert elapsed >= 1.2
    dbg = emu.debug("f")
    assert dbg["cold_starts"] == 2 and len(dbg["environments"]) == 2
    assert sum(e["invocations"] for e in dbg["environments"]) == 6


def test_shutdown_exit_code_and_cleanup(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    pid = emu.debug("f")["environments"][0]["pid"]
    assert emu.stop() == 0
    assert not os.path.exists("/proc/%d" % pid) or "zombie" in open("/proc/%d/status" % pid).read().lower()
