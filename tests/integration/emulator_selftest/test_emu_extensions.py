"""External extensions and the Telemetry API in the emulator, with a stand-in extension
(fake_extension.py) and runtime (fake_runtime.py): Lambda's order, limits and schemas."""
import json
import os
import re

import pytest

from emu_selftest_helpers import HERE, PYTHON, Emu, tail_log, wait_for, emu_start, fn_dir, layer_dir  # noqa: F401

pytestmark = pytest.mark.emulator_selftest


def add_extensions(layer_dir, *names):
    folder = os.path.join(layer_dir, "extensions")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(HERE, "fake_extension.py")) as f:
        code = f.read()
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write("#!%s\n%s" % (PYTHON, code))
        os.chmod(path, 0o755)


def records(marks, name):
    path = marks / ("ext-%s.jsonl" % name)
    if not path.exists():
        return []
    # Complete lines only: the extension may be half-way through writing the last one.
    return [json.loads(x) for x in path.read_text().split("\n")[:-1] if x.strip()]


def first(recs, key):
    return next((r for r in recs if key in r), None)


@pytest.fixture
def marks(tmp_path):
    d = tmp_path / "marks"
    d.mkdir()
    return d


def spec(fn_dir, marks, handler="echo", **env):
    text = "f=%s,handler=%s,env.FAKE_MARK_DIR=%s" % (fn_dir, handler, marks)
    for k, v in env.items():
        text += ",env.%s=%s" % (k, str(v).replace(",", "\\,"))
    return text


def test_extensions_start_first_and_init_waits_for_them(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "b-ext", "a-ext")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_READY_DELAY=1.0), args=["--layer", layer_dir])
    status, headers, _b = emu.invoke("f", b'"x"', {"X-Amz-Log-Type": "Tail"})
    assert status == 200
    a, b = records(marks, "a-ext"), records(marks, "b-ext")
    runtime_init = float((marks / "runtime-init").read_text())
    # both registered before the runtime was started
    assert first(a, "registered")["t"] < runtime_init and first(b, "registered")["t"] < runtime_init
    assert first(a, "registered")["body"] == {"functionName": "f", "functionVersion": "$LATEST",
                                              "handler": "echo", "accountId": "123456789012"}
    # extensions do not see the runtime-only variables
    env = first(a, "started")["env"]
    for hidden in ("_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_LOG_GROUP_NAME",
                   "AWS_LAMBDA_LOG_STREAM_NAME"):
        assert hidden not in env
    assert "AWS_LAMBDA_RUNTIME_API" in env and "AWS_LAMBDA_FUNCTION_NAME" in env
    # init ended only when both extensions asked for their next event (1 s after registering)
    init = float(re.search(r"Init Duration: ([\d.]+) ms", tail_log(headers)).group(1))
    assert init >= 1000.0
    rid = headers["x-amzn-requestid"]
    for recs in (a, b):
        assert wait_for(lambda: any(r.get("done") == rid for r in recs + records(marks, "a-ext")
                                    + records(marks, "b-ext")))
    dbg = emu.debug("f")["environments"][0]
    assert sorted(dbg["extensions"]) == ["a-ext", "b-ext"]


def test_next_invocation_waits_for_the_extensions(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "slow-ext")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_INVOKE_DELAY=0.8), args=["--layer", layer_dir])
    first_answer = emu.invoke("f", {"action": "markheaders"})
    second = emu.invoke("f", {"action": "markheaders"})
    assert first_answer[0] == 200 and second[0] == 200
    # (the extension may record the second INVOKE a moment after the caller's answer)
    assert wait_for(lambda: sum(1 for r in records(marks, "slow-ext") if "event" in r) >= 2)
    recs = records(marks, "slow-ext")
    done_first = next(r["t"] for r in recs if r.get("done") == first_answer[1]["x-amzn-requestid"])
    delivered_second = json.loads((marks / "headers").read_text())["delivered"]
    assert delivered_second > done_first
    invokes = [r["event"] for r in recs if "event" in r and r["event"]["eventType"] == "INVOKE"]
    assert [e["requestId"] for e in invokes] == [first_answer[1]["x-amzn-requestid"], second[1]["x-amzn-requestid"]]
    assert set(invokes[0]) == {"eventType", "deadlineMs", "requestId", "invokedFunctionArn", "tracing"}


def test_shutdown_order_runtime_then_extensions(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "watcher")
    # handler "ext": the runtime registers an internal extension and marks its SIGTERM
    emu = emu_start(spec(fn_dir, marks, handler="ext"), args=["--layer", layer_dir])
    assert emu.invoke("f", b'"x"')[0] == 200
    pid = emu.debug("f")["environments"][0]["external_extensions"][0]["pid"]
    assert emu.stop() == 0
    sigterm = (marks / "sigterm").stat().st_mtime
    watcher = records(marks, "watcher")
    shutdown = [r for r in watcher if "event" in r and r["event"]["eventType"] == "SHUTDOWN"][0]
    assert shutdown["event"]["shutdownReason"] == "spindown"
    assert shutdown["event"]["deadlineMs"] > shutdown["t"] * 1000
    assert shutdown["t"] >= sigterm - 0.01       # the runtime's SIGTERM came first
    assert first(watcher, "exiting")
    assert not os.path.exists("/proc/%d" % pid) or "zombie" in open("/proc/%d/status" % pid).read().lower()


def test_extension_that_ignores_shutdown_is_killed(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "stubborn")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_MODE="ignore-shutdown"), args=["--layer", layer_dir])
    assert emu.invoke("f", b'"x"')[0] == 200
    pid = emu.debug("f")["environments"][0]["external_extensions"][0]["pid"]
    assert emu.stop() == 0
    assert "extension(s) stubborn still running at the end of shutdown: SIGKILL" in emu.log()
    assert not os.path.exists("/proc/%d" % pid) or "zombie" in open("/proc/%d/status" % pid).read().lower()


def test_at_most_ten_extensions(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, *("e%02d" % i for i in range(11)))
    emu = emu_start(spec(fn_dir, marks), args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f")
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(body) == {"errorMessage": "RequestId: %s Error: 11 extensions in /opt/extensions, at most 10"
                                % headers["x-amzn-requestid"], "errorType": "Extension.TooManyExtensions"}
    os.unlink(os.path.join(layer_dir, "extensions", "e10"))
    status, headers, body = emu.invoke("f", b'"ten"')
    assert (status, body) == (200, b'"ten"')
    assert len(emu.debug("f")["environments"][0]["extensions"]) == 10


@pytest.mark.parametrize("mode,etype,message", [
    ("initerror", "Extension.ConfigInvalid", None),
    ("crash", "Extension.Crash", "extension bad-ext exited: exit status 3"),
    ("crash-after-register", "Extension.Crash", "extension bad-ext exited: exit status 5"),
])
def test_extension_init_failures(emu_start, fn_dir, layer_dir, marks, mode, etype, message):
    add_extensions(layer_dir, "bad-ext", "watcher")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_MODE=mode, FAKE_EXT_TARGET="bad-ext", FAKE_EXT_FAIL_DELAY=1),
                    args=["--layer", layer_dir])
    status, headers, body = emu.invoke("f", b"{}", {"X-Amz-Log-Type": "Tail"})
    assert status == 200 and headers["x-amz-function-error"] == "Unhandled"
    if message is None:   # the body the extension posted, as is
        assert json.loads(body) == {"errorMessage": "bad config", "errorType": "Extension.ConfigInvalid"}
    else:
        assert json.loads(body) == {"errorMessage": "RequestId: %s Error: %s" % (headers["x-amzn-requestid"], message),
                                    "errorType": etype}
    assert "\tPhase: init\tStatus: error\tError Type: %s\n" % etype in tail_log(headers)
    if mode == "crash":   # it never registered: the runtime was never started
        assert not (marks / "runtime-init").exists()
    # the healthy extension is shut down with Lambda's reason for a failed environment

    def shutdown_reasons():
        return [r["event"]["shutdownReason"] for r in records(marks, "watcher")
                if "event" in r and r["event"]["eventType"] == "SHUTDOWN"]
    assert wait_for(shutdown_reasons) == ["failure"]


def test_extension_crash_after_init_resets_the_environment(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "fragile")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_MODE="crash-on-invoke"), args=["--layer", layer_dir])
    emu.invoke("f", b'"one"')
    assert wait_for(lambda: emu.debug("f")["environments"] == [] or
                    emu.debug("f")["environments"][0]["state"] in ("stopping", "dead"))
    # The emulator's stderr reaches the test through a pipe: wait for the line, do not race it.
    assert wait_for(lambda: "extension fragile exited (exit status 8): the environment is reset"
                    in emu.log()), emu.log()
    assert emu.debug("f")["cold_starts"] == 1


def test_runtime_that_is_ready_before_its_start_ends_is_not_killed(tmp_path, fn_dir, layer_dir, marks):
    """With external extensions the runtime is started by a thread of its own once they have
    registered; on a loaded machine the runtime can reach /next and take the first invocation
    before that thread has finished starting it. It must not take a ready environment for one
    stopped while it was starting (it SIGKILLed the runtime: Runtime.ExitError "signal:
    killed" at the first invoke). held_boot_emulator.py holds the thread there on purpose."""
    add_extensions(layer_dir, "a-ext")
    done = tmp_path / "boot-done"
    emu = Emu(tmp_path, ["--layer", layer_dir, "--function", spec(fn_dir, marks)],
              env={"HELD_BOOT_DONE": str(done)}, program=os.path.join(HERE, "held_boot_emulator.py"))
    try:
        event = json.dumps({"action": "waitfile", "path": str(done)}).encode()
        status, headers, body = emu.invoke("f", event)
        assert "held-boot: released with the first invocation running" in emu.log(), emu.log()
        assert (status, headers.get("x-amz-function-error"), body) == (200, None, event), emu.log()
        assert emu.invoke("f", b'"again"')[::2] == (200, b'"again"')
        dbg = emu.debug("f")
        assert dbg["cold_starts"] == 1 and len(dbg["environments"]) == 1, dbg
    finally:
        emu.stop()


def test_only_subscribed_events(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "shutdown-only")
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_EVENTS="SHUTDOWN"), args=["--layer", layer_dir])
    assert emu.invoke("f")[0] == 200
    emu.stop()
    events = [r["event"]["eventType"] for r in records(marks, "shutdown-only") if "event" in r]
    assert events == ["SHUTDOWN"]


SUB = {"schemaVersion": "2022-12-13", "types": ["platform", "function"],
       "buffering": {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25},
       "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:PORT/in"}}


def with_(**changes):
    doc = json.loads(json.dumps(SUB))
    for path, value in changes.items():
        keys = path.split("__")
        target = doc
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value
    return doc


def test_telemetry_subscription_validation(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "tel")
    bad = [with_(schemaVersion="2020-01-01"), with_(types=["platform", "logs"]), with_(types=[]),
           with_(buffering__maxItems=999), with_(buffering__maxBytes=1048577), with_(buffering__timeoutMs=24),
           with_(destination__protocol="TCP"), with_(destination__URI="http://example.com:PORT/"),
           with_(buffering__timeoutMs="25")]
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_SUBSCRIBE=json.dumps(bad + [SUB])), args=["--layer", layer_dir])
    assert emu.invoke("f", {"action": "print", "lines": 3})[0] == 200
    answers = [(r["subscribe"], r["answer"]) for r in records(marks, "tel") if "subscribe" in r]
    reasons = [json.loads(a)["errorMessage"] for s, a in answers[:-1]]
    assert all(s == 400 for s, _a in answers[:-1])
    assert all(json.loads(a)["errorType"] == "ValidationError" for _s, a in answers[:-1])
    assert reasons == [
        "schemaVersion must be one of 2022-07-01, 2022-12-13, 2025-01-29",
        "types must be a non-empty array of platform, function, extension",
        "types must be a non-empty array of platform, function, extension",
        "buffering.maxItems must be an integer from 1000 to 10000",
        "buffering.maxBytes must be an integer from 262144 to 1048576",
        "buffering.timeoutMs must be an integer from 25 to 30000",
        "destination.protocol must be HTTP (TCP is not supported here)",
        "destination.URI must be http://sandbox.localdomain:PORT[/path]",
        "buffering.timeoutMs must be an integer from 25 to 30000",
    ]
    assert answers[-1] == (200, "OK")

    def events():
        return [e for r in records(marks, "tel") if "telemetry" in r for e in r["telemetry"]]
    assert wait_for(lambda: any(e["type"] == "platform.report" for e in events()))
    types = [e["type"] for e in events()]
    assert types[0] == "platform.initStart"   # the init's events reach a subscriber made during init
    assert [e["record"] for e in events() if e["type"] == "function" and e["record"].startswith("line ")] == \
        ["line 0", "line 1", "line 2"]
    assert "extension" not in types       # not subscribed


def test_telemetry_batches_respect_max_items(emu_start, fn_dir, layer_dir, marks):
    add_extensions(layer_dir, "tel")
    sub = with_(types=["function"], buffering__timeoutMs=1000)
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_SUBSCRIBE=json.dumps([sub])), args=["--layer", layer_dir, "--quiet"])
    assert emu.invoke("f", {"action": "print", "lines": 2500})[0] == 200

    def batches():
        return [r["telemetry"] for r in records(marks, "tel") if "telemetry" in r]
    assert wait_for(lambda: sum(len(b) for b in batches()) >= 2500, timeout=20)
    sizes = [len(b) for b in batches()]
    assert max(sizes) <= 1000 and sizes[:2] == [1000, 1000], sizes
    lines = [e["record"] for b in batches() for e in b if e["record"].startswith("line ")]
    assert lines == ["line %d" % i for i in range(2500)]


def test_telemetry_is_delivered_before_shutdown(emu_start, fn_dir, layer_dir, marks):
    """The buffer is flushed before SHUTDOWN, and the flush waits for the subscriber's answer:
    an extension that stops its listener on SHUTDOWN (liblambda-c-extension's telemetry-recorder
    does) has every batch by then, even one its listener is slow to take."""
    add_extensions(layer_dir, "tel")
    sub = with_(types=["platform"], buffering__timeoutMs=30000)   # nothing is sent before the flush
    emu = emu_start(spec(fn_dir, marks, FAKE_EXT_SUBSCRIBE=json.dumps([sub]), FAKE_EXT_TELEMETRY_DELAY=0.2),
                    args=["--layer", layer_dir])
    assert emu.invoke("f", b'"x"')[0] == 200
    assert emu.stop() == 0
    recs = records(marks, "tel")
    kinds = ["telemetry" if "telemetry" in r else r["event"]["eventType"] for r in recs
             if "telemetry" in r or "event" in r]
    assert kinds[-1] == "SHUTDOWN" and "telemetry" in kinds, kinds
    types = [e["type"] for r in recs if "telemetry" in r for e in r["telemetry"]]
    assert types[0] == "platform.initStart" and "platform.report" in types, types
