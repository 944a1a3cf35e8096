"""Shared fixtures: the real build tree, and the local emulator running the real zips."""
import base64
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LAMBDA_C_BUILD_DIR", ROOT / "build")).resolve()
INVOKE_PATH = "/2015-03-31/functions/{}/invocations"


def require_tool(name, why):
    """Skips the test when the command name is not on PATH, with why; under CI=true the test
    fails instead: CI must run every test, never skip one because a tool is missing."""
    import shutil
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must run this test")
        pytest.skip(why)


def pytest_configure(config):
    config.addinivalue_line("markers", "valgrind: runs the runtime under valgrind (slow)")
    config.addinivalue_line("markers", "emulator_selftest: tests of the emulator itself")
    config.addinivalue_line("markers", "arm64: runs the arm64 build (LAMBDA_C_ARM64_BUILD_DIR) under QEMU")
    config.addinivalue_line("markers", "packaging: tests of the build, template and tooling; run once, "
                                       "not again for the sanitizer builds")


def function_zip(name):
    """An example's zip, or a test function's."""
    for folder in ("functions", "test-functions"):
        path = BUILD / folder / f"{name}.zip"
        if path.exists():
            return path
    raise FileNotFoundError(f"no function zip for {name} in {BUILD}")


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self):
        return json.loads(self.body)

    @property
    def function_error(self):
        return self.header("X-Amz-Function-Error")

    def __repr__(self):
        return f"Answer({self.status}, {self.headers!r}, {self.body[:300]!r})"


class Emulator:
    """lambda-c-emulator started on a free port with the real layer zip."""

    def __init__(self, functions, extra_args=(), env=None, layer=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="lambda-c-test-")
        port_file = pathlib.Path(self.tmp.name) / "port"
        self.log_path = pathlib.Path(self.tmp.name) / "emulator.log"
        args = [sys.executable, str(BUILD / "bin" / "lambda-c-emulator"), "--port", "0",
                "--port-file", str(port_file), "--layer", str(layer or BUILD / "layer.zip")]
        for spec in functions:
            args += ["--function", spec]
        args += list(extra_args)
        self.final_logs = None
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env or os.environ.copy(), start_new_session=True)
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start:\n" + self.logs())
            time.sleep(0.02)
        self.port = int(port_file.read_text().strip())

    def invoke(self, name, payload=b"{}", headers=None, timeout=60, path=None):
        if isinstance(payload, (dict, list, str)) and not isinstance(payload, bytes):
            payload = json.dumps(payload).encode() if not isinstance(payload, str) else payload.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", path or INVOKE_PATH.format(name), body=payload,
                         headers=headers or {})
            resp = conn.getresponse()
            return Answer(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def debug(self, name):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", f"/2015-03-31/functions/{name}/lambda-c/debug")
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def logs(self):
        if self.final_logs is not None:
            return self.final_logs
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.final_logs is None:
            self.final_logs = self.logs()  # kept for assertions after the stop
        self.log.close()
        self.tmp.cleanup()


@pytest.fixture
def emulator():
    """Factory: emulator(["hello=...zip,handler=..."]) started now, stopped after the test."""
    started = []

    def start(functions, **kwargs):
        emu = Emulator(functions, **kwargs)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


def spec(name, handler=None, **options):
    """A --function value for a built function zip."""
    text = f"{name}={function_zip(name)}"
    if handler:
        text += f",handler={handler}"
    for key, value in options.items():
        text += f",{key.replace('__', '.')}={value}"
    return text


def tail_log(answer):
    value = answer.header("X-Amz-Log-Result")
    return base64.b64decode(value).decode(errors="replace") if value else ""
