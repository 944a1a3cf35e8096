"""Helpers for the emulator's self-tests: start the emulator (from the source tree) with a stand-in runtime."""
import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest


HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EMULATOR = os.path.join(REPO, "emulator", "lambda_emulator")  # the package, run as a folder
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

BOOTSTRAP = '#!/bin/sh\nexec %s "$LAMBDA_TASK_ROOT/fake_runtime.py"\n' % PYTHON


def make_function_dir(path, with_bootstrap=True):
    os.makedirs(path, exist_ok=True)
    shutil.copy(os.path.join(HERE, "fake_runtime.py"), path)
    if with_bootstrap:
        bs = os.path.join(path, "bootstrap")
        with open(bs, "w") as f:
            f.write(BOOTSTRAP)
        os.chmod(bs, 0o755)
    return path


class Emu:
    def __init__(self, tmp_path, args, env=None, program=EMULATOR):
        self.tmp = tmp_path
        self.port_file = str(tmp_path / "port")
        self.stderr_path = str(tmp_path / "emulator.stderr")
        self.stderr = open(self.stderr_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen([PYTHON, program, "--port", "0", "--port-file", self.port_file] + args,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=full_env)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("emulator did not start:\n" + self.log())
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read().strip())

    def log(self):
        if not self.stderr.closed:
            self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def invoke(self, name, event=b"{}", headers=None, timeout=30):
        if isinstance(event, (dict, list)):
            event = json.dumps(event).encode()
        return self.request("POST", "/2015-03-31/functions/%s/invocations" % name, event, headers, timeout)

    def debug(self, name):
        status, _h, data = self.request("GET", "/2015-03-31/functions/%s/lambda-c/debug" % name)
        assert status == 200, data
        return json.loads(data)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        return self.proc.returncode


def tail_log(headers):
    return base64.b64decode(headers["x-amz-log-result"]).decode("utf-8", "replace")


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


# ---- fixtures (imported by the test modules; this folder has no conftest.py so that
# it never shadows tests/integration/conftest.py)

@pytest.fixture
def fn_dir(tmp_path):
    return make_function_dir(str(tmp_path / "fn"))


@pytest.fixture
def layer_dir(tmp_path):
    d = tmp_path / "layer"
    d.mkdir()
    return str(d)


@pytest.fixture
def emu_start(tmp_path):
    started = []

    def start(*functions, args=(), env=None):
        argv = []
        for spec in functions:
            argv += ["--function", spec]
        e = Emu(tmp_path, list(args) + argv, env)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()
