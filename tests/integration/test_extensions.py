"""An external extension written in C (examples/extensions/telemetry-recorder, built on
liblambda-c-extension) attached as a layer next to the runtime layer: it receives INVOKE,
SHUTDOWN and the Telemetry API's events for functions run through the emulator."""
import json
import re

from conftest import BUILD, spec

RECORDER = BUILD / "extension-layers" / "telemetry-recorder.zip"


def read_records(path):
    # Complete lines only: the extension may be half-way through writing the last one.
    return [json.loads(line) for line in path.read_text().split("\n")[:-1] if line.strip()]


def telemetry_events(records):
    return [e for r in records if "telemetry" in r for e in r["telemetry"]]


def test_extension_layer_zip():
    import zipfile
    with zipfile.ZipFile(RECORDER) as z:
        names = set(z.namelist())
        mode = z.getinfo("extensions/telemetry-recorder").external_attr >> 16
    assert {"extensions/telemetry-recorder", "lib/liblambda-c-extension.so.1"} <= names, names
    assert mode & 0o111, "the extension is not executable"


def test_extension_receives_invoke_shutdown_and_telemetry(emulator, tmp_path):
    ok_file, fail_file = tmp_path / "hello.jsonl", tmp_path / "fail.jsonl"
    emu = emulator([spec("hello", env__TELEMETRY_RECORDER_FILE=str(ok_file)),
                    spec("fail", env__TELEMETRY_RECORDER_FILE=str(fail_file))],
                   extra_args=["--layer", str(RECORDER)])
    answers = [emu.invoke("hello", {"name": "Ext%d" % i}) for i in range(2)]
    for i, a in enumerate(answers):
        assert a.status == 200 and a.json() == {"message": "Hello, Ext%d!" % i}, a
    failed = emu.invoke("fail", {"reason": "ext"})
    assert failed.function_error == "Unhandled"
    dbg = emu.debug("hello")
    assert dbg["cold_starts"] == 1, emu.logs()   # one environment: one init in the telemetry below
    env = dbg["environments"][0]
    assert env["extensions"] == ["telemetry-recorder"]
    assert env["external_extensions"][0]["name"] == "telemetry-recorder"
    assert not env["external_extensions"][0]["exited"]
    emu.stop()   # spindown: SIGTERM to the runtime, then SHUTDOWN to the extension

    records = read_records(ok_file)
    ids = [a.header("x-amzn-RequestId") for a in answers]
    # INVOKE for each invocation, in order, then SHUTDOWN last
    invokes = [r for r in records if r.get("event") == "INVOKE"]
    assert [r["requestId"] for r in invokes] == ids
    for r in invokes:
        assert r["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:hello"
        assert r["traceId"].startswith("Root=1-") and r["deadlineMs"] > 0
    assert records[-1]["event"] == "SHUTDOWN" and records[-1]["reason"] == "spindown"
    assert "INVOKE" not in [r.get("event") for r in records[records.index(invokes[-1]) + 1:-1]]

    events = telemetry_events(records)
    types = [e["type"] for e in events]
    for e in events:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["time"]), e
    # init, in Lambda's order
    init = [t for t in types if t in ("platform.initStart", "platform.extension", "platform.telemetrySubscription",
                                      "platform.initRuntimeDone", "platform.initReport")]
    assert init == ["platform.initStart", "platform.extension", "platform.telemetrySubscription",
                    "platform.initRuntimeDone", "platform.initReport"], types
    by_type = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e["record"])
    assert by_type["platform.initStart"][0]["functionName"] == "hello"
    assert by_type["platform.extension"][0] == {"name": "telemetry-recorder", "state": "Ready",
                                                "events": ["INVOKE", "SHUTDOWN"]}
    assert by_type["platform.telemetrySubscription"][0] == {
        "name": "telemetry-recorder", "state": "Subscribed", "types": ["platform", "function", "extension"]}
    assert by_type["platform.initRuntimeDone"][0]["status"] == "success"
    assert by_type["platform.initReport"][0]["metrics"]["durationMs"] > 0
    # each invocation: start, runtimeDone, report, with its request id
    for kind in ("platform.start", "platform.runtimeDone", "platform.report"):
        assert [r["requestId"] for r in by_type[kind]] == ids, kind
    for r in by_type["platform.runtimeDone"]:
        assert r["status"] == "success" and r["metrics"]["producedBytes"] > 0
    report = by_type["platform.report"][0]
    assert report["status"] == "success"
    assert set(report["metrics"]) == {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB",
                                      "initDurationMs"}
    assert "initDurationMs" not in by_type["platform.report"][1]["metrics"]   # warm
    # the function's own log lines and the extension's output
    assert any("greeted Ext1" in r for r in by_type["function"]), by_type.get("function")
    assert any("telemetry-recorder: registered for hello" in r for r in by_type["extension"])

    records = read_records(fail_file)
    done = [e["record"] for e in telemetry_events(records) if e["type"] == "platform.runtimeDone"]
    assert done[0]["status"] == "error" and done[0]["errorType"] == "Function.OrderRejected", done
    assert records[-1] == {"event": "SHUTDOWN", "reason": "spindown", "deadlineMs": records[-1]["deadlineMs"]}


def test_extension_sees_the_environment_end_after_a_timeout(emulator, tmp_path):
    out = tmp_path / "sleepy.jsonl"
    emu = emulator([spec("sleepy", timeout=1, env__TELEMETRY_RECORDER_FILE=str(out))],
                   extra_args=["--layer", str(RECORDER)])
    answer = emu.invoke("sleepy", {"seconds": 5})
    assert answer.json()["errorType"] == "Sandbox.Timedout"
    records = []
    for _ in range(100):
        records = read_records(out) if out.exists() else []
        if records and records[-1].get("event") == "SHUTDOWN":
            break
        __import__("time").sleep(0.05)
    assert records[-1]["event"] == "SHUTDOWN" and records[-1]["reason"] == "timeout", records
    done = [e["record"] for e in telemetry_events(records) if e["type"] == "platform.runtimeDone"]
    assert done and done[0]["status"] == "timeout"
