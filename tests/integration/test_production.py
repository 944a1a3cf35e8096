"""Production features through the emulator: streaming, structured logs, metrics, shutdown,
multi-concurrency."""
import http.client
import json
import os
import re
import threading
import time

import pytest

from conftest import spec, tail_log
from eventstream_reader import read_messages, split

STREAM_PATH = "/2021-11-15/functions/{}/response-streaming-invocations"
SANITIZED = "ASAN_OPTIONS" in os.environ or "TSAN_OPTIONS" in os.environ


def stream_request(emu, name, event, path=None):
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=60)
    conn.request("POST", path or STREAM_PATH.format(name), body=json.dumps(event).encode())
    return conn, conn.getresponse()


def test_first_chunk_reaches_the_caller_before_the_handler_ends(emulator, tmp_path):
    emu = emulator([spec("streamer", timeout=30)])
    flag = tmp_path / "caller-saw-first-chunk"
    conn, resp = stream_request(emu, "streamer", {"chunks": 3, "chunk": "part\n",
                                                  "wait_for_file": str(flag)})
    try:
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "text/plain"
        messages = read_messages(resp)
        first = next(messages)
        # The handler is now blocked until this file exists: had the emulator or the runtime
        # buffered the body, this message would never have arrived before the handler ended.
        assert first.event_type == "PayloadChunk" and first.payload.startswith(b"part\n"), first
        flag.write_text("seen")
        rest = list(messages)
    finally:
        conn.close()
    payload, _chunks, complete = split([first] + rest)
    assert payload == b"part\n" * 3 and complete == {}


def test_invoke_of_a_streaming_function_is_buffered(emulator):
    emu = emulator([spec("streamer", timeout=30)])
    answer = emu.invoke("streamer", {"chunks": 3, "chunk": "part\n"})
    assert answer.status == 200 and answer.body == b"part\n" * 3 and answer.function_error is None
    assert answer.header("Content-Length") == "15" and answer.header("Content-Type") == "text/plain"


def test_streamed_http_integration_prelude(emulator):
    emu = emulator([spec("streamer")])
    conn, resp = stream_request(emu, "streamer", {"chunks": 2, "chunk": "<p>hi</p>", "http": True})
    body, _chunks, complete = split(list(read_messages(resp)))
    conn.close()
    assert complete == {}
    assert resp.getheader("Content-Type") == "application/vnd.awslambda.http-integration-response"
    prelude, sep, payload = body.partition(b"\x00" * 8)
    assert sep, body
    assert json.loads(prelude) == {"statusCode": 201, "headers": {"x-custom": "yes"},
                                   "cookies": ["a=1; Path=/"]}
    assert payload == b"<p>hi</p>" * 2


def test_stream_error_before_first_byte_is_an_ordinary_error(emulator):
    emu = emulator([spec("streamer")])
    answer = emu.invoke("streamer", {"fail_before": True})
    assert answer.function_error == "Unhandled"
    assert answer.json() == {"errorMessage": "failed before the first byte", "errorType": "EarlyFailure",
                             "stackTrace": []}
    conn, resp = stream_request(emu, "streamer", {"fail_before": True})
    body, chunks, complete = split(list(read_messages(resp)))
    conn.close()
    assert resp.status == 200 and body == b"" and chunks == []
    assert complete == {"ErrorCode": "Function.EarlyFailure", "ErrorDetails": "failed before the first byte"}


def test_mid_stream_error_ends_the_stream_with_invoke_complete(emulator):
    emu = emulator([spec("streamer")])
    conn, resp = stream_request(emu, "streamer", {"chunks": 5, "chunk": "ok\n", "fail_after": 2})
    body, _chunks, complete = split(list(read_messages(resp)))
    conn.close()
    assert body == b"ok\nok\n"
    assert complete["ErrorCode"] == "Function.MidStreamFailure" and "failed after 2 chunks" in complete["ErrorDetails"]
    logs = emu.logs()
    assert "MidStreamFailure" in logs and "failed after 2 chunks" in logs, logs


@pytest.mark.skipif(SANITIZED, reason="measures the production build's memory")
def test_stream_csv_example_runs_in_constant_memory(emulator):
    emu = emulator([spec("stream-csv", timeout=60)])
    conn, resp = stream_request(emu, "stream-csv", {"rows": 1000})
    small, _chunks, _complete = split(list(read_messages(resp)))
    conn.close()
    assert small.count(b"\n") == 1001
    pid = emu.debug("stream-csv")["environments"][0]["pid"]
    before = int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
    conn, resp = stream_request(emu, "stream-csv", {"rows": 100000})
    lines = 0
    size = 0
    for message in read_messages(resp):
        if message.event_type == "PayloadChunk":
            lines += message.payload.count(b"\n")
            size += len(message.payload)
    conn.close()
    assert lines == 100001 and size > 2_000_000
    after = int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
    assert after - before <= 256, f"peak RSS grew {after - before} kB for 100x the rows"


def test_json_logs_with_request_id_and_level_filter(emulator):
    emu = emulator([spec("hello", env__AWS_LAMBDA_LOG_FORMAT="JSON"),
                    spec("fail", env__AWS_LAMBDA_LOG_FORMAT="JSON"),
                    spec("context", env__AWS_LAMBDA_LOG_FORMAT="JSON", env__AWS_LAMBDA_LOG_LEVEL="WARN")])
    answer = emu.invoke("hello", {"name": "Json"}, headers={"X-Amz-Log-Type": "Tail"})
    request_id = answer.header("x-amzn-RequestId")
    records = [json.loads(l) for l in tail_log(answer).splitlines() if l.startswith("{")]
    greeting = [r for r in records if r.get("message", "").startswith("greeted Json")]
    assert len(greeting) == 1, records
    record = greeting[0]
    assert record["level"] == "INFO" and record["requestId"] == request_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])

    failed = emu.invoke("fail", {"reason": "json"}, headers={"X-Amz-Log-Type": "Tail"})
    errors = [json.loads(l) for l in tail_log(failed).splitlines() if l.startswith("{")]
    unhandled = [r for r in errors if r.get("errorType") == "OrderRejected"]
    assert unhandled and unhandled[0]["level"] == "ERROR", errors
    assert unhandled[0]["errorMessage"] == "order rejected: json"
    assert unhandled[0]["stackTrace"] == ["fail.c: handler"]

    quiet = emu.invoke("context", {}, headers={"X-Amz-Log-Type": "Tail"})
    assert "context requested" not in tail_log(quiet)  # INFO is below WARN


def test_a_handler_thread_attached_to_the_invocation_logs_its_request_id(emulator):
    emu = emulator([spec("threadlog", env__AWS_LAMBDA_LOG_FORMAT="JSON")])
    answer = emu.invoke("threadlog", {}, headers={"X-Amz-Log-Type": "Tail"})
    assert answer.status == 200 and answer.json() == "done", answer
    request_id = answer.header("x-amzn-RequestId")
    records = {r["message"]: r for r in (json.loads(l) for l in tail_log(answer).splitlines()
                                         if l.startswith("{")) if "message" in r}
    assert records["from an attached thread"]["requestId"] == request_id, records
    assert "requestId" not in records["from the same thread, detached"], records
    assert "requestId" not in records["from an unattached thread"], records


def test_metrics_are_emitted_as_emf_in_the_invocation_logs(emulator):
    emu = emulator([spec("metrics")])
    event = json.loads(open(os.path.join(os.path.dirname(__file__), "../../examples/metrics/event.json")).read())
    answer = emu.invoke("metrics", event, headers={"X-Amz-Log-Type": "Tail"})
    assert answer.status == 200 and answer.function_error is None, answer
    lines = [json.loads(l) for l in tail_log(answer).splitlines() if l.startswith('{"_aws"')]
    assert lines, tail_log(answer)
    for line in lines:
        directive = line["_aws"]["CloudWatchMetrics"][0]
        assert isinstance(line["_aws"]["Timestamp"], int)
        for dims in directive["Dimensions"]:
            for d in dims:
                assert isinstance(line[d], str)
        for metric in directive["Metrics"]:
            assert metric["Name"] in line


def test_graceful_shutdown_runs_the_hook(emulator):
    emu = emulator([spec("graceful")])
    assert emu.invoke("graceful", {}).json() == "up"
    assert emu.debug("graceful")["environments"][0]["extension_registered"] is True
    emu.stop()
    assert "graceful: shutdown hook ran" in emu.logs()


def test_without_hook_no_extension_is_registered(emulator):
    emu = emulator([spec("hello")])
    emu.invoke("hello", {})
    assert emu.debug("hello")["environments"][0]["extension_registered"] is False


def test_multi_concurrency_64_invokes_on_8_workers(emulator):
    emu = emulator([spec("slowecho", max_concurrency=8, concurrency=1, overflow="queue", timeout=60)])
    answers = {}

    def call(i):
        answers[i] = emu.invoke("slowecho", {"id": i, "ms": 150}, timeout=120)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(64)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    elapsed = time.monotonic() - started
    assert len(answers) == 64
    request_ids = set()
    for i, answer in answers.items():
        assert answer.status == 200 and answer.function_error is None, answer
        body = answer.json()
        assert body["id"] == i, (i, body)
        assert body["request_id"] == answer.header("x-amzn-RequestId")
        assert body["trace_id"].startswith("Root=")
        assert body["env_trace_id"] is None  # process-wide: not set under multi-concurrency
        request_ids.add(body["request_id"])
    assert len(request_ids) == 64
    debug = emu.debug("slowecho")
    assert len(debug["environments"]) == 1  # one process, eight workers
    # Logs are JSON under multi-concurrency, as Lambda requires.
    json_lines = [l for l in emu.logs().splitlines() if '"message":"slowecho ' in l]
    assert len(json_lines) == 64
    # Served concurrently: 64 x 150 ms one at a time would take 9.6 s.
    assert elapsed < 9.6, elapsed


def test_xray_error_cause_reaches_the_runtime_api(emulator):
    emu = emulator([spec("xray")])
    answer = emu.invoke("xray", {})
    assert answer.function_error == "Unhandled"
    assert answer.json()["errorType"] == "Overdrawn"
    cause = json.loads(emu.debug("xray")["environments"][0]["last_xray_error_cause"])
    assert cause["exceptions"] == [{"type": "Overdrawn", "message": "balance below zero"}]
    assert cause["working_directory"] == "/var/task"
