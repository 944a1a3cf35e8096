"""The emulator answers as Lambda does where it used to differ (issue 12's fidelity gaps)."""
import base64
import concurrent.futures
import json
import os
import re
import shutil
import subprocess

import pytest

from emu_selftest_helpers import HERE, PYTHON, REPO, tail_log, wait_for, emu_start, fn_dir, layer_dir  # noqa: F401

pytestmark = pytest.mark.emulator_selftest

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def project_version():
    with open(os.path.join(REPO, "sdk", "include", "lambda-c", "version.h")) as f:
        return re.search(r'#define LAMBDA_C_VERSION_STRING "([^"]+)"', f.read()).group(1)



# ---- 2: LD_LIBRARY_PATH holds the function folder itself

def test_bootstrap_beside_its_own_library(emu_start, tmp_path, layer_dir):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        assert not os.environ.get("CI"), "a C compiler is needed for this test"
        pytest.skip("no C compiler")
    fn = tmp_path / "fn"
    fn.mkdir()
    shutil.copy(os.path.join(HERE, "fake_runtime.py"), fn)
    (tmp_path / "foo.c").write_text("int foo(void) { return 42; }\n")
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nint foo(void);\n'
        'int main(void) {\n    char path[4096];\n    fprintf(stderr, "libfoo says %%d\\n", foo());\n'
        '    snprintf(path, sizeof path, "%%s/fake_runtime.py", getenv("LAMBDA_TASK_ROOT"));\n'
        '    execl("%s", "python3", path, (char *)0);\n    return 126;\n}\n' % PYTHON)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(fn / "libfoo.so"), str(tmp_path / "foo.c")], check=True)
    # linked against ./libfoo.so without an rpath: found only through LD_LIBRARY_PATH
    subprocess.run([cc, "-o", str(fn / "bootstrap"), str(tmp_path / "main.c"), "-L" + str(fn), "-lfoo"],
                   check=True)
    emu = emu_start("f=%s,handler=echo" % fn, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", b'"hi"', {"X-Amz-Log-Type": "Tail"})
    assert (status, body) == (200, b'"hi"'), emu.log()
    assert "libfoo says 42" in tail_log(headers)


# ---- 3 and 9: methods other than POST, the Server header

@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "GET", "OPTIONS"])
def test_only_post_invokes(emu_start, fn_dir, layer_dir, method):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    path = "/2015-03-31/functions/f/invocations"
    status, headers, body = emu.request(method, path, b'{"a":1}')
    assert status == 404 and headers["x-amzn-errortype"] == "UnknownOperationException"
    assert json.loads(body) == {"Type": "User", "message": "Unknown operation %s %s" % (method, path)}
    assert headers["content-type"] == "application/json"
    assert emu.debug("f")["cold_starts"] == 0   # nothing ran


def test_head_and_server_header(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.request("HEAD", "/2015-03-31/functions/f/invocations")
    assert status == 404 and body == b"" and headers["x-amzn-errortype"] == "UnknownOperationException"
    assert headers["server"] == "lambda-c-emulator/" + project_version()
    status, headers, _body = emu.invoke("f")
    assert status == 200 and headers["server"] == "lambda-c-emulator/" + project_version()


# ---- 4: qualifiers, versions and aliases, other accounts and regions

def test_versions_aliases_and_foreign_arns(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=headers,version=1,version=2,alias.prod=2,alias.dev=$LATEST" % fn_dir,
                    args=["--layer", layer_dir])

    def call(ident, path_suffix=""):
        return emu.request("POST", "/2015-03-31/functions/%s/invocations%s" % (ident, path_suffix), b"{}",
                           {"X-Amz-Log-Type": "Tail"})

    for ident, suffix, version, arn in [("f", "", "$LATEST", ARN + "f"),
                                        ("f:2", "", "2", ARN + "f:2"),
                                        ("f", "?Qualifier=prod", "2", ARN + "f:prod"),
                                        ("f:1", "?Qualifier=1", "1", ARN + "f:1"),
                                        ("f:dev", "", "$LATEST", ARN + "f:dev"),
                                        (ARN + "f:1", "", "1", ARN + "f:1"),
                                        ("123456789012:function:f:prod", "", "2", ARN + "f:prod")]:
        status, headers, body = call(ident, suffix)
        assert status == 200, (ident, body)
        assert headers["x-amz-executed-version"] == version, ident
        assert json.loads(body)["Lambda-Runtime-Invoked-Function-Arn"] == arn, ident
        assert "START RequestId: %s Version: %s" % (headers["x-amzn-requestid"], version) in tail_log(headers)
    # each version has its own environments, with its own AWS_LAMBDA_FUNCTION_VERSION
    status, headers, body = emu.invoke("f:prod", {"action": "env"})
    env = json.loads(body)
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "2" and "/[2]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert emu.debug("f:2")["version"] == "2" and emu.debug("f")["version"] == "$LATEST"

    for ident, suffix, missing in [("f:7", "", ARN + "f:7"), ("f", "?Qualifier=staging", ARN + "f:staging"),
                                   ("arn:aws:lambda:eu-west-1:123456789012:function:f", "",
                                    "arn:aws:lambda:eu-west-1:123456789012:function:f"),
                                   ("arn:aws:lambda:us-east-1:999999999999:function:f:1", "",
                                    "arn:aws:lambda:us-east-1:999999999999:function:f:1"),
                                   ("999999999999:function:f", "", "arn:aws:lambda:us-east-1:999999999999:function:f")]:
        status, headers, body = call(ident, suffix)
        assert status == 404 and headers["x-amzn-errortype"] == "ResourceNotFoundException", ident
        assert json.loads(body) == {"Type": "User", "message": "Function not found: " + missing}
    status, headers, body = call("f:1", "?Qualifier=2")
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidParameterValueException"
    assert json.loads(body) == {"Type": "User", "message": "The derived qualifier from the function name "
                                                          "does not match the specified qualifier."}


def test_alias_to_an_undeclared_version_is_a_usage_error(tmp_path, fn_dir, layer_dir):
    run = subprocess.run([PYTHON, os.path.join(REPO, "emulator", "lambda_emulator"), "--layer", layer_dir,
                          "--function", "f=%s,alias.prod=3" % fn_dir, "--invoke", "f"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "alias prod of f points to version 3, which is not declared (version=3)" in run.stderr


# ---- 5: client context

def test_client_context_passes_through_unchanged(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("f=%s,handler=headers,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    raw = '{ "custom" : {"who": "Zoë ✓"},  "env": {"n": 1.50} }'.encode()
    status, _h, body = emu.invoke("f", b"{}", {"X-Amz-Client-Context": base64.b64encode(raw).decode()})
    assert status == 200
    # http.client decoded the header as latin-1: encoding it back gives the bytes on the wire
    assert json.loads(body)["Lambda-Runtime-Client-Context"].encode("latin-1") == raw

    refused = {"Type": "User", "message": "Client context must be a valid Base64-encoded JSON object."}
    for bad in (b"[1, 2]", b'"text"', b"{not json", b'{"a":\r\n1}'):
        status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Client-Context": base64.b64encode(bad).decode()})
        assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestContentException", bad
        assert json.loads(body) == refused

    fits = b'{"k":"' + b"a" * (3580 // 4 * 3 - 8) + b'"}'
    assert len(base64.b64encode(fits)) == 3580
    status, _h, body = emu.invoke("f", b"{}", {"X-Amz-Client-Context": base64.b64encode(fits).decode()})
    assert status == 200 and json.loads(body)["Lambda-Runtime-Client-Context"].encode("latin-1") == fits
    too_long = base64.b64encode(b'{"k":"' + b"a" * 2680 + b'"}').decode()
    assert len(too_long) == 3584
    status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Client-Context": too_long})
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert json.loads(body) == {"Type": "User", "message": "Client context must be at most 3583 bytes "
                                                          "of base64-encoded data."}

    # asynchronous invokes: not passed on (Lambda passes it to synchronous invokes only)
    status, _h, _b = emu.invoke("f", {"action": "markheaders"},
                                {"X-Amz-Invocation-Type": "Event",
                                 "X-Amz-Client-Context": base64.b64encode(b'{"a":1}').decode()})
    assert status == 202
    assert wait_for(lambda: (marks / "headers").exists())
    got = json.loads((marks / "headers").read_text())
    assert "Lambda-Runtime-Client-Context" not in got and "Lambda-Runtime-Aws-Request-Id" in got


# ---- 6: reserved concurrency

def invoke_two_at_once(emu):
    """A second invoke while the first one is running."""
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        first = ex.submit(emu.invoke, "f", {"action": "sleep", "seconds": 1.5})
        assert wait_for(lambda: any(e["active"] for e in emu.debug("f")["environments"]))
        second = emu.invoke("f", {"action": "sleep", "seconds": 0})
        return first.result(), second


def test_reserved_concurrency_throttles(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,concurrency=1" % fn_dir, args=["--layer", layer_dir])
    first, second = invoke_two_at_once(emu)
    assert first[0] == 200
    status, headers, body = second
    assert status == 429 and headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert json.loads(body) == {"Type": "User", "message": "Rate Exceeded.",
                                "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
    # one after the other is never throttled
    for _ in range(3):
        assert emu.invoke("f", b'"x"')[0] == 200
    assert emu.debug("f")["cold_starts"] == 1


def test_reserved_concurrency_can_queue(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,concurrency=1,overflow=queue" % fn_dir, args=["--layer", layer_dir])
    first, second = invoke_two_at_once(emu)
    assert first[0] == 200 and second[0] == 200


# ---- 7: asynchronous retries and the on-failure destination

def wait_records(path, n, timeout=20):
    def read():
        if not os.path.exists(path):
            return None
        lines = [json.loads(x) for x in open(path).read().splitlines() if x.strip()]
        return lines if len(lines) >= n else None
    return wait_for(read, timeout)


@pytest.mark.parametrize("retries", [2, 0])
def test_async_retries_then_on_failure_record(emu_start, fn_dir, layer_dir, tmp_path, retries):
    dest = str(tmp_path / "failures.jsonl")
    emu = emu_start("f=%s,handler=error,retries=%d,retry_delay=0.2,on_failure=%s" % (fn_dir, retries, dest),
                    args=["--layer", layer_dir])
    status, headers, _b = emu.invoke("f", {"order": 7}, {"X-Amz-Invocation-Type": "Event"})
    assert status == 202
    rid = headers["x-amzn-requestid"]
    records = wait_records(dest, 1)
    assert records and len(records) == 1, emu.log()
    rec = records[0]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", rec.pop("timestamp"))
    assert rec == {
        "version": "1.0",
        "requestContext": {"requestId": rid, "functionArn": ARN + "f:$LATEST",
                           "condition": "RetriesExhausted", "approximateInvokeCount": retries + 1},
        "requestPayload": {"order": 7},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "boom", "errorType": "Function.Boom", "stackTrace": ["a"]},
    }
    # every attempt kept the request id
    assert emu.log().count("START RequestId: %s Version: $LATEST" % rid) == retries + 1


def test_async_event_too_old_for_a_retry(emu_start, fn_dir, layer_dir, tmp_path):
    dest = str(tmp_path / "failures.jsonl")
    emu = emu_start("f=%s,handler=error,retry_delay=5,max_event_age=1,on_failure=%s" % (fn_dir, dest),
                    args=["--layer", layer_dir])
    status, headers, _b = emu.invoke("f", {}, {"X-Amz-Invocation-Type": "Event"})
    records = wait_records(dest, 1)
    assert records[0]["requestContext"]["condition"] == "EventAgeExceeded"
    assert records[0]["requestContext"]["approximateInvokeCount"] == 1


def test_async_defaults_and_log_destination(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=error,retries=0" % fn_dir, args=["--layer", layer_dir])
    cfg = emu.debug("f")["config"]
    assert (cfg["retry_delay"], cfg["max_event_age"], cfg["overflow"]) == (60.0, 21600.0, "queue")
    status, headers, _b = emu.invoke("f", {}, {"X-Amz-Invocation-Type": "Event"})
    rid = headers["x-amzn-requestid"]
    line = wait_for(lambda: [x for x in emu.log().splitlines()
                             if "async invocation %s failed for good (RetriesExhausted): " % rid in x])
    assert line, emu.log()
    assert json.loads(line[0].split(": ", 3)[3])["requestContext"]["requestId"] == rid


# ---- 9: INIT_START and INIT_REPORT

def test_init_start_line(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    _s, headers, _b = emu.invoke("f", b"{}", {"X-Amz-Log-Type": "Tail"})
    log = tail_log(headers)
    assert log.startswith("INIT_START Runtime Version: provided:al2023.lambda-c-emulator-%s\t"
                          "Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:lambda-c-emulator-%s\n"
                          % (project_version(), project_version())), log
    _s, headers, _b = emu.invoke("f", b"{}", {"X-Amz-Log-Type": "Tail"})
    assert "INIT_START" not in tail_log(headers)   # warm


@pytest.mark.parametrize("handler,timeout,status", [
    ("initerror", 3, "Status: error\tError Type: Runtime.HandlerNotFound"),
    ("initexit", 3, "Status: error\tError Type: Runtime.ExitError"),
    ("inithang", 1, "Status: timeout"),
])
def test_init_report_on_failed_init(emu_start, fn_dir, layer_dir, handler, timeout, status):
    emu = emu_start("f=%s,handler=%s,timeout=%d" % (fn_dir, handler, timeout), args=["--layer", layer_dir])
    _s, headers, _b = emu.invoke("f", b"{}", {"X-Amz-Log-Type": "Tail"})
    log = tail_log(headers)
    assert re.search(r"\nINIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\t%s\n" % re.escape(status), log), log
