"""Phase 1: timeouts, crashes, init failures, injected Runtime API faults, extensions."""
import json
import os
import time

import pytest

from emu_selftest_helpers import make_function_dir, tail_log, wait_for, emu_start, fn_dir, layer_dir  # noqa: F401 (fixtures)

pytestmark = pytest.mark.emulator_selftest


def process_gone(pid):
    """True once pid has exited (a zombie has an empty cmdline; the file may vanish at any time)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read() == b""
    except FileNotFoundError:
        return True


def err(body):
    return json.loads(body)


def test_timeout_kills_and_recycles(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,timeout=1" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    pid = emu.debug("f")["environments"][0]["pid"]
    t0 = time.monotonic()
    status, headers, body = emu.invoke("f", {"action": "hang"}, {"X-Amz-Log-Type": "Tail"})
    elapsed = time.monotonic() - t0
    assert 0.9 < elapsed < 3.0
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    rid = headers["x-amzn-requestid"]
    assert body == ('{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: %s Error: '
                    'Task timed out after 1.00 seconds"}' % rid).encode()
    log = tail_log(headers)
    assert "RequestId: %s Error: Task timed out after 1.00 seconds" % rid in log
    assert "\tStatus: timeout" in log
    assert wait_for(lambda: process_gone(pid))
    status, headers, body = emu.invoke("f", b'"again"')
    assert status == 200 and body == b'"again"'
    assert emu.debug("f")["cold_starts"] == 2


@pytest.mark.parametrize("event,expected", [
    ({"action": "segv"}, "signal: segmentation fault"),
    ({"action": "abort"}, "signal: aborted"),
    ({"action": "exit", "code": 3}, "exit status 3"),
])
def test_runtime_crash_is_exit_error(emu_start, fn_dir, layer_dir, event, expected):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", event)
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    rid = headers["x-amzn-requestid"]
    e = err(body)
    assert e["errorType"] == "Runtime.ExitError"
    assert e["errorMessage"].startswith("RequestId: %s Error: Runtime exited with error: %s" % (rid, expected))
    status, headers, body = emu.invoke("f", b'"ok"')
    assert status == 200 and body == b'"ok"'
    assert emu.debug("f")["cold_starts"] == 2


def test_exit_zero_without_reason(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", {"action": "exit", "code": 0})
    assert err(body)["errorMessage"] == \
        "RequestId: %s Error: Runtime exited without providing a reason" % headers["x-amzn-requestid"]


def test_init_error_posted(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=initerror" % fn_dir, args=["--layer", layer_dir])
    for n in (1, 2):
        status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Log-Type": "Tail"})
        assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
        assert err(body) == {"errorMessage": "cannot load handler", "errorType": "Runtime.HandlerNotFound"}
        assert "fake-runtime: init" in tail_log(headers)
        assert wait_for(lambda: emu.debug("f")["environments"] == [])
        assert emu.debug("f")["cold_starts"] == n


def test_init_exit(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=initexit" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    e = err(body)
    assert e["errorType"] == "Runtime.ExitError"
    assert e["errorMessage"] == "RequestId: %s Error: Runtime exited with error: exit status 7" \
        % headers["x-amzn-requestid"]


def test_init_hang_times_out(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=inithang,timeout=1" % fn_dir, args=["--layer", layer_dir])
    t0 = time.monotonic()
    status, headers, body = emu.invoke("f")
    assert time.monotonic() - t0 < 3.0
    assert err(body)["errorType"] == "Sandbox.Timedout"
    assert wait_for(lambda: emu.debug("f")["environments"] == [])


def test_missing_bootstrap(emu_start, tmp_path, layer_dir):
    fn = make_function_dir(str(tmp_path / "nobs"), with_bootstrap=False)
    emu = emu_start("f=%s" % fn, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    e = err(body)
    assert e["errorType"] == "Runtime.InvalidEntrypoint"
    assert e["errorMessage"].endswith("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")


def test_layer_bootstrap_used(emu_start, tmp_path):
    fn = make_function_dir(str(tmp_path / "fnonly"), with_bootstrap=False)
    layer = tmp_path / "optl"
    layer.mkdir()
    bs = layer / "bootstrap"
    bs.write_text('#!/bin/sh\nexec /usr/bin/python3 "$LAMBDA_TASK_ROOT/fake_runtime.py"\n')
    bs.chmod(0o755)
    emu = emu_start("f=%s,handler=echo" % fn, args=["--layer", str(layer)])
    assert emu.invoke("f", b'"L"')[2] == b'"L"'


def test_zips_and_layer_order(emu_start, tmp_path):
    import zipfile
    src = make_function_dir(str(tmp_path / "src"))
    fzip = tmp_path / "f.zip"
    with zipfile.ZipFile(fzip, "w") as z:
        for name in ("bootstrap", "fake_runtime.py"):
            z.write(os.path.join(src, name), name)
    l1, l2 = tmp_path / "l1.zip", tmp_path / "l2.zip"
    with zipfile.ZipFile(l1, "w") as z:
        z.writestr("lib/a.txt", "one")
        z.writestr("keep.txt", "k")
        info = zipfile.ZipInfo("lib/link")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "a.txt")
    with zipfile.ZipFile(l2, "w") as z:
        z.writestr("lib/a.txt", "two")
    emu = emu_start("f=%s,handler=env" % fzip, args=["--layer", str(l1), "--layer", str(l2)])
    status, headers, body = emu.invoke("f")
    assert status == 200, body
    env = json.loads(body)
    opt = env["LAMBDA_RUNTIME_DIR"]
    assert open(os.path.join(opt, "lib", "a.txt")).read() == "two"
    assert open(os.path.join(opt, "keep.txt")).read() == "k"
    assert os.readlink(os.path.join(opt, "lib", "link")) == "a.txt"
    task = env["LAMBDA_TASK_ROOT"]
    assert os.access(os.path.join(task, "bootstrap"), os.X_OK)
    emu.stop()
    assert not os.path.exists(opt) and not os.path.exists(task)


def test_fault_response_500(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,fault=response-500,timeout=2" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    e = err(body)
    assert headers["x-amz-function-error"] == "Unhandled"
    assert e["errorType"] == "Runtime.ExitError" and "exit status 44" in e["errorMessage"]
    status, headers, body = emu.invoke("f", b'"after"')
    assert e["errorType"] == "Runtime.ExitError"   # each new environment fails its first answer too
    assert emu.debug("f")["cold_starts"] == 2


def test_fault_next_500(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,fault=next-500" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", b'"one"')
    assert status == 200 and body == b'"one"'
    assert wait_for(lambda: emu.debug("f")["environments"] == [])
    status, headers, body = emu.invoke("f", b'"two"')
    assert status == 200 and body == b'"two"'
    assert emu.debug("f")["cold_starts"] == 2


def test_fault_drop_response(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,fault=drop-response,timeout=2" % fn_dir, args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    e = err(body)
    assert e["errorType"] == "Runtime.ExitError" and "exit status 42" in e["errorMessage"]
    assert emu.invoke("f", b'"x"')[0] == 200


def test_fault_drop_next(emu_start, fn_dir, layer_dir):
    emu = emu_start("f=%s,handler=echo,fault=drop-next,timeout=2" % fn_dir, args=["--layer", layer_dir])
    assert emu.invoke("f", b'"one"')[2] == b'"one"'
    status, headers, body = emu.invoke("f", b'"two"')
    # the runtime exits on the dropped /next: the pending invocation moves to a new environment
    assert status == 200 and body == b'"two"', body
    assert emu.debug("f")["cold_starts"] == 2


def test_extension_gets_sigterm_on_shutdown(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("f=%s,handler=ext,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", b'"e"')
    assert status == 200 and body == b'"e"'
    assert emu.debug("f")["environments"][0]["extension_registered"] is True
    assert emu.stop() == 0
    assert (marks / "sigterm").exists()
    assert "SIGTERM, flushing" in emu.log()


def test_no_extension_gets_sigkill(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    emu = emu_start("f=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    assert emu.stop() == 0
    assert not (marks / "sigterm").exists()


def test_emulator_survives_garbage(emu_start, fn_dir, layer_dir):
    import socket
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    for payload in (b"GARBAGE\r\n\r\n", b"POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nContent-Length: 10\r\n\r\nab",
                    b"POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        s = socket.create_connection(("127.0.0.1", emu.port))
        s.sendall(payload)
        s.close()
    assert emu.invoke("f", b'"fine"')[2] == b'"fine"'


def test_invoke_cli_mode(tmp_path, fn_dir, layer_dir):
    import subprocess
    from emu_selftest_helpers import EMULATOR, PYTHON
    r = subprocess.run([PYTHON, EMULATOR, "--layer", layer_dir, "--function", "hello=%s,handler=echo" % fn_dir,
                        "--invoke", "hello", "--event", '{"name":"Ada"}'], capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout == b'{"name":"Ada"}'
    assert b"REPORT RequestId:" in r.stderr
    ev = tmp_path / "ev.json"
    ev.write_text('{"action":"error"}')
    r = subprocess.run([PYTHON, EMULATOR, "--layer", layer_dir, "--function", "hello=%s,handler=echo" % fn_dir,
                        "--invoke", "hello", "--event", "@%s" % ev, "--quiet"], capture_output=True, timeout=60)
    assert r.returncode == 1 and json.loads(r.stdout)["errorType"] == "Function.Boom"
    assert b"REPORT" not in r.stderr
    r = subprocess.run([PYTHON, EMULATOR, "--layer", layer_dir, "--function", "hello=%s,handler=echo" % fn_dir,
                        "--invoke", "hello", "--invocation-type", "Event"], capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout == b""
    assert b"END RequestId:" in r.stderr


def test_aws_cli(emu_start, fn_dir, layer_dir, tmp_path):
    import shutil
    import subprocess
    aws = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else (shutil.which("aws") or "/usr/bin/aws")
    if not os.path.exists(aws):
        pytest.skip("no AWS CLI")
    emu = emu_start("hello=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    out = tmp_path / "out.json"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="", HOME=str(tmp_path))
    r = subprocess.run([aws, "lambda", "invoke", "--endpoint-url", "http://127.0.0.1:%d" % emu.port,
                        "--function-name", "hello", "--payload", '{"name":"Ada"}',
                        "--cli-binary-format", "raw-in-base64-out", "--log-type", "Tail", str(out)],
                       capture_output=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    meta = json.loads(r.stdout)
    assert meta["StatusCode"] == 200 and meta["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in meta and meta["LogResult"]
    assert out.read_bytes() == b'{"name":"Ada"}'
    r = subprocess.run([aws, "lambda", "invoke", "--endpoint-url", "http://127.0.0.1:%d" % emu.port,
                        "--function-name", "hello", "--payload", '{"action":"error"}',
                        "--cli-binary-format", "raw-in-base64-out", str(out)],
                       capture_output=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["FunctionError"] == "Unhandled"
    r = subprocess.run([aws, "lambda", "invoke", "--endpoint-url", "http://127.0.0.1:%d" % emu.port,
                        "--function-name", "missing", str(out)], capture_output=True, timeout=120, env=env)
    assert r.returncode != 0 and b"ResourceNotFoundException" in r.stderr
