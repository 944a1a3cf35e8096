"""Every failure mode, with the exact answer the caller sees."""
import re

import pytest

from conftest import spec

UNHANDLED = "Unhandled"


def error_of(answer):
    assert answer.status == 200, answer
    assert answer.function_error == UNHANDLED, answer
    body = answer.json()
    assert set(body) >= {"errorMessage", "errorType"}, body
    return body


def test_bad_handler_string(emulator):
    emu = emulator([spec("hello", handler="hello")])
    body = error_of(emu.invoke("hello", {}))
    assert body == {
        "errorMessage": "Bad handler 'hello': expected FILE.SYMBOL, e.g. hello.handler",
        "errorType": "Runtime.MalformedHandlerName",
        "stackTrace": [],
    }


@pytest.mark.parametrize("handler,why", [
    ("hello.", "expected FILE.SYMBOL, e.g. hello.handler"),
    ("hello.not-a-symbol", "'not-a-symbol' is not a C identifier"),
    ("../hello.handler", "the file part must be a path inside the task root"),
])
def test_other_malformed_handlers(emulator, handler, why):
    emu = emulator([spec("hello", handler=handler)])
    body = error_of(emu.invoke("hello", {}))
    assert body["errorType"] == "Runtime.MalformedHandlerName"
    assert body["errorMessage"] == f"Bad handler '{handler}': {why}"


def test_missing_shared_object(emulator):
    emu = emulator([spec("hello", handler="nosuch.handler")])
    body = error_of(emu.invoke("hello", {}))
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert re.fullmatch(r"Unable to load handler file (\S+)/nosuch\.so: \1/nosuch\.so: cannot open "
                        r"shared object file: No such file or directory", body["errorMessage"]), body


def test_missing_symbol(emulator):
    emu = emulator([spec("hello", handler="hello.nosuch")])
    body = error_of(emu.invoke("hello", {}))
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert re.fullmatch(r"Handler 'hello\.nosuch' missing: no symbol 'nosuch' in \S+/hello\.so",
                        body["errorMessage"]), body


def test_init_entry_point_fails(emulator):
    emu = emulator([spec("initfail")])
    body = error_of(emu.invoke("initfail", {}))
    assert body["errorType"] == "Runtime.InitError"
    assert re.fullmatch(r"lambda_function_init in \S+/initfail\.so failed with status 3",
                        body["errorMessage"]), body
    assert "cannot reach the database" in emu.logs()


def test_init_error_is_returned_again_by_a_fresh_init(emulator):
    emu = emulator([spec("hello", handler="hello.nosuch")])
    first = error_of(emu.invoke("hello", {}))
    second = error_of(emu.invoke("hello", {}))
    assert first["errorType"] == second["errorType"] == "Runtime.HandlerNotFound"


def test_handler_built_for_a_newer_abi_is_refused(emulator):
    emu = emulator([spec("futureabi")])
    body = error_of(emu.invoke("futureabi", {}))
    assert body["errorType"] == "Runtime.IncompatibleABI"
    assert re.fullmatch(r"\S+/futureabi\.so was built against lambda-c ABI 1\.99, but this layer's "
                        r"runtime \(lambda-c \d+\.\d+\.\d+\) provides ABI 1\.\d+; attach a layer "
                        r"version with lambda-c ABI 1\.99 or newer of the same major",
                        body["errorMessage"]), body


def test_handler_segfault(emulator):
    emu = emulator([spec("crash"), spec("hello")])
    answer = emu.invoke("crash", {})
    body = error_of(answer)
    request_id = answer.header("x-amzn-RequestId")
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: segmentation fault",
    }
    assert (f"lambda-c: the handler crashed with SIGSEGV while serving request {request_id}"
            in emu.logs())
    # The environment is replaced: the function keeps working.
    again = error_of(emu.invoke("crash", {}))
    assert again["errorType"] == "Runtime.ExitError"
    assert emu.invoke("hello", {"name": "still"}).json() == {"message": "Hello, still!"}


@pytest.mark.parametrize("workers", [1, 4], ids=["main-thread", "worker-threads"])
def test_a_stack_overflow_is_reported_on_every_thread(emulator, workers):
    """The crash line comes from an alternate signal stack, on the main thread and on the
    worker threads of AWS_LAMBDA_MAX_CONCURRENCY alike."""
    options = {"max_concurrency": workers} if workers > 1 else {}
    emu = emulator([spec("crash", **options)])
    answer = emu.invoke("crash", {"mode": "overflow"})
    request_id = answer.header("x-amzn-RequestId")
    assert error_of(answer)["errorType"] == "Runtime.ExitError"
    assert (f"lambda-c: the handler crashed with SIGSEGV while serving request {request_id}"
            in emu.logs()), emu.logs()


def test_handler_exits(emulator):
    emu = emulator([spec("quit")])
    answer = emu.invoke("quit", {})
    body = error_of(answer)
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"] == (f"RequestId: {answer.header('x-amzn-RequestId')} Error: "
                                    "Runtime exited with error: exit status 7")


def test_handler_timeout(emulator):
    emu = emulator([spec("sleepy", timeout=1)])
    answer = emu.invoke("sleepy", {"seconds": 30})
    body = error_of(answer)
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {answer.header('x-amzn-RequestId')} Error: Task timed out after 1.00 seconds",
    }
    # A fresh environment serves the next invocation.
    ok = emu.invoke("sleepy", {"seconds": 0})
    assert ok.status == 200 and ok.function_error is None and ok.json() == "awake", ok


def test_response_over_six_megabytes(emulator):
    emu = emulator([spec("oversize")])
    body = error_of(emu.invoke("oversize", {"bytes": 6291557}))
    assert body == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    logs = emu.logs()
    assert "is larger than Lambda accepts (413)" in logs
    # The 413 counts as the answer: the same runtime process goes on serving.
    pid = emu.debug("oversize")["environments"][0]["pid"]
    exact = emu.invoke("oversize", {"bytes": 6291556})
    assert exact.function_error is None and len(exact.body) == 6291556
    assert emu.debug("oversize")["environments"][0]["pid"] == pid


def test_runtime_api_answering_500_makes_the_runtime_exit(emulator):
    emu = emulator([spec("hello", fault="response-500")])
    answer = emu.invoke("hello", {"name": "x"})
    body = error_of(answer)
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 1")
    assert re.search(r"FATAL\tthe Runtime API failed \(500\) on the response for request \S+: "
                     r".*; exiting", emu.logs()), emu.logs()


def test_runtime_api_500_on_next_makes_the_runtime_exit(emulator):
    emu = emulator([spec("hello", fault="next-500")])
    assert emu.invoke("hello", {"name": "a"}).json() == {"message": "Hello, a!"}
    # The runtime's second /next got a 500: it exits; the next invoke gets a fresh environment.
    assert emu.invoke("hello", {"name": "b"}).json() == {"message": "Hello, b!"}
    assert "the Runtime API answered 500 to /next" in emu.logs()
    assert emu.debug("hello")["cold_starts"] == 2


def test_connection_dropped_mid_invoke(emulator):
    emu = emulator([spec("hello", fault="drop-response")])
    body = error_of(emu.invoke("hello", {"name": "x"}))
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 1")
    assert re.search(r"lost the Runtime API connection while sending the response for request "
                     r"\S+ \(connection closed by peer\); exiting", emu.logs()), emu.logs()


def test_connection_dropped_while_waiting_for_next(emulator):
    emu = emulator([spec("hello", fault="drop-next")])
    assert emu.invoke("hello", {"name": "a"}).json() == {"message": "Hello, a!"}
    assert emu.invoke("hello", {"name": "b"}).json() == {"message": "Hello, b!"}
    assert "lost the Runtime API connection while waiting for the next invocation" in emu.logs()
