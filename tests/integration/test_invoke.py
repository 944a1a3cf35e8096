"""The examples, invoked through the emulator exactly as Lambda would invoke them."""
import base64
import json
import re
import os
import threading

from conftest import BUILD, ROOT, spec, tail_log


def test_hello_greets(emulator):
    emu = emulator([spec("hello")])
    answer = emu.invoke("hello", {"name": "Ada"})
    assert answer.status == 200, answer
    assert answer.function_error is None
    assert answer.json() == {"message": "Hello, Ada!"}
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("X-Amz-Executed-Version") == "$LATEST"


def test_hello_keeps_non_ascii_verbatim(emulator):
    emu = emulator([spec("hello")])
    answer = emu.invoke("hello", '{"name":"Ada Lovelace \u00e9\u00e8 \u65e5\u672c \U0001F600"}'.encode())
    assert answer.status == 200 and answer.function_error is None, answer
    # Valid UTF-8 bytes, not \\u escapes: what aws-lambda-cpp gets wrong.
    assert "Ada Lovelace \u00e9\u00e8 \u65e5\u672c \U0001F600".encode() in answer.body
    assert answer.json()["message"] == "Hello, Ada Lovelace \u00e9\u00e8 \u65e5\u672c \U0001F600!"


def test_malformed_event_is_an_error_answer_not_a_crash(emulator):
    emu = emulator([spec("hello")])
    answer = emu.invoke("hello", b'{"name": "Ada"')
    assert answer.status == 200
    assert answer.function_error == "Unhandled"
    body = answer.json()
    assert body["errorType"] == "InvalidEvent"
    assert body["errorMessage"].startswith("the event is not JSON: ")
    assert body["stackTrace"] == []
    # The same runtime process serves the next invocation.
    pid = emu.debug("hello")["environments"][0]["pid"]
    assert emu.invoke("hello", {"name": "Bob"}).json() == {"message": "Hello, Bob!"}
    assert emu.debug("hello")["environments"][0]["pid"] == pid


def test_echo_returns_bytes_and_content_type_unchanged(emulator):
    emu = emulator([spec("echo")])
    payload = bytes(range(256)) * 64 + b"\x00tail"
    answer = emu.invoke("echo", payload, headers={"Content-Type": "application/octet-stream"})
    assert answer.status == 200 and answer.function_error is None, answer
    assert answer.body == payload
    assert answer.header("Content-Type") == "application/octet-stream"


def test_echo_six_megabytes(emulator):
    emu = emulator([spec("echo")])
    payload = b"y" * (6 * 1024 * 1024)
    answer = emu.invoke("echo", payload, headers={"Content-Type": "text/plain"})
    assert answer.status == 200 and answer.function_error is None
    assert answer.body == payload


def test_fail_is_a_handled_error(emulator):
    emu = emulator([spec("fail")])
    answer = emu.invoke("fail", {"reason": "out of stock"})
    assert answer.status == 200
    assert answer.function_error == "Unhandled"
    assert answer.json() == {
        "errorMessage": "order rejected: out of stock",
        "errorType": "OrderRejected",
        "stackTrace": ["fail.c: handler"],
    }


def test_executable_mode_bootstrap(emulator):
    emu = emulator([spec("hello-exec", handler="unused")])
    answer = emu.invoke("hello-exec", {"name": "Ada"})
    assert answer.status == 200 and answer.function_error is None, answer
    assert answer.json() == {"message": "Hello, Ada, from my own bootstrap!"}
    malformed = emu.invoke("hello-exec", b"[1,")
    assert malformed.function_error == "Unhandled"
    assert malformed.json()["errorType"] == "InvalidEvent"


def test_context_exposes_every_field(emulator):
    emu = emulator([spec("context", memory=256)])
    client_context = {"client": {"app_title": "t\u00e9st"}, "custom": {"k": "v"}}
    answer = emu.invoke("context", {"x": 1}, headers={
        "X-Amz-Client-Context": base64.b64encode(json.dumps(client_context).encode()).decode(),
        "Content-Type": "application/json",
    })
    assert answer.status == 200 and answer.function_error is None, answer
    ctx = answer.json()
    assert re.fullmatch(r"[0-9a-f-]{36}", ctx["request_id"])
    assert ctx["request_id"] == answer.header("x-amzn-RequestId")
    assert 0 < ctx["remaining_ms"] <= 3000
    assert ctx["deadline_ms"] > 1_600_000_000_000
    assert ctx["invoked_function_arn"].endswith(":function:context")
    assert ctx["trace_id"].startswith("Root=1-")
    assert ctx["x_amzn_trace_id"] == ctx["trace_id"]
    assert json.loads(ctx["client_context"]) == client_context
    assert ctx["invocation_id"] and ctx["invocation_id"] != ctx["request_id"]
    assert ctx["function_name"] == "context"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["memory_limit_mb"] == 256
    assert ctx["log_group_name"] == "/aws/lambda/context"
    assert ctx["log_stream_name"]
    assert ctx["content_type"] == "application/json"
    assert ctx["event_size"] == len(b'{"x": 1}')
    assert ctx["sdk_version"] == (BUILD / "layer" / "VERSION").read_text().strip()
    # A new trace id for every invocation, in the context and in _X_AMZN_TRACE_ID.
    second = emu.invoke("context", {}).json()
    assert second["trace_id"] != ctx["trace_id"]
    assert second["x_amzn_trace_id"] == second["trace_id"]
    assert second["client_context"] is None


def test_runtime_echoes_invocation_id(emulator):
    emu = emulator([spec("hello")])
    assert emu.invoke("hello", {}).status == 200
    assert emu.debug("hello")["environments"][0]["invocation_id_echoed"] is True


def test_log_tail_has_lambda_lines_and_handler_log(emulator):
    emu = emulator([spec("hello")])
    answer = emu.invoke("hello", {"name": "Ada"}, headers={"X-Amz-Log-Type": "Tail"})
    log = tail_log(answer)
    request_id = answer.header("x-amzn-RequestId")
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert re.search(rf"\t{request_id}\tINFO\tgreeted Ada \(request {request_id}\)", log), log
    assert f"END RequestId: {request_id}" in log
    assert re.search(rf"REPORT RequestId: {request_id}\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms"
                     rf"\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [0-9.]+ ms", log), log


def test_invocation_types(emulator):
    emu = emulator([spec("hello")])
    event = emu.invoke("hello", {"name": "async"}, headers={"X-Amz-Invocation-Type": "Event"})
    assert event.status == 202 and event.body == b""
    dry = emu.invoke("hello", {}, headers={"X-Amz-Invocation-Type": "DryRun"})
    assert dry.status == 204
    missing = emu.invoke("nosuch", {})
    assert missing.status == 404
    assert missing.header("X-Amzn-ErrorType") == "ResourceNotFoundException"


def mapped_libraries(pid):
    """The file names of the shared objects process pid maps (the vDSO and the program aside)."""
    names = set()
    for line in open(f"/proc/{pid}/maps"):
        path = line.split()[5] if len(line.split()) > 5 else ""
        name = os.path.basename(path)
        if ".so" in name:
            names.add(name)
    return names


def test_hello_maps_the_core_library_only(emulator):
    """Cold start: a function linking only the core maps nothing beside glibc but its own file:
    the layer's runtime is liblambda-c.so.1 itself (the core and json-c are linked into it),
    so neither the layer's lib/liblambda-c.so.1 nor event bindings, metrics, the AWS client,
    libcurl or OpenSSL are loaded."""
    emu = emulator([spec("hello")])
    assert emu.invoke("hello", {"name": "maps"}).status == 200
    pid = emu.debug("hello")["environments"][0]["pid"]
    names = mapped_libraries(pid)
    # Everything else mapped is glibc's (libc, ld.so) or, in sanitizer builds, their runtimes.
    others = {n for n in names if not re.match(r"(libc|ld-linux|libm|libasan|libubsan|libtsan|libstdc\+\+|libgcc_s)[.-]", n)}
    assert others == {"hello.so"}, names


def test_a_function_linking_the_event_bindings_maps_them(emulator):
    emu = emulator([spec("http-api")])
    emu.invoke("http-api", json.loads((ROOT / "tests" / "events" / "apigw-http-v2.json").read_text()))
    pid = emu.debug("http-api")["environments"][0]["pid"]
    names = mapped_libraries(pid)
    assert "liblambda-c-events.so.1" in names and "liblambda-c-metrics.so.1" not in names, names


def test_concurrent_invokes_are_all_answered(emulator):
    emu = emulator([spec("hello", concurrency=3, overflow="queue")])
    answers = {}

    def call(i):
        answers[i] = emu.invoke("hello", {"name": f"n{i}"})

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 12
    for i, answer in answers.items():
        assert answer.status == 200 and answer.json() == {"message": f"Hello, n{i}!"}, answer
    assert 1 <= len(emu.debug("hello")["environments"]) <= 3
