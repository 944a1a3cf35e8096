"""The SDK's Lambda emulator run as a server for `serve` and `watch`: the template's functions
with the SDK's layer, its Invoke API on a loopback port, logs on our stderr."""
import os
import pathlib
import subprocess
import tempfile
import time

from .invoke import escape
from .sdk import EXIT_ENVIRONMENT, Failure, python3


def function_spec(name, code, handler, timeout, memory, env):
    spec = f"{name}={escape(str(code))},handler={escape(handler)},timeout={timeout:g},memory={memory}"
    return spec + "".join(f",env.{k}={escape(v)}" for k, v in env.items())


class LocalEmulator:
    """Starts, restarts and stops one emulator process. `specs` are --function values."""

    def __init__(self, sdk, layer, specs, host="127.0.0.1", port=0):
        self.command = [python3(), str(sdk.prefix / "bin" / "lambda-c-emulator")]
        self.layer = layer
        self.specs = list(specs)
        self.host = host
        self.port = port
        self.proc = None
        self.tmp = tempfile.TemporaryDirectory(prefix="lambda-c-serve-")

    def start(self):
        port_file = pathlib.Path(self.tmp.name) / "port"
        if port_file.exists():
            port_file.unlink()
        args = self.command + ["--host", self.host, "--port", str(self.port), "--port-file", str(port_file),
                               "--layer", str(self.layer)]
        for spec in self.specs:
            args += ["--function", spec]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            raise Failure(f"cannot start the emulator {self.command[1]}: {e.strerror}", EXIT_ENVIRONMENT)
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None:
                raise Failure(f"the emulator exited ({self.proc.returncode}) before listening", EXIT_ENVIRONMENT)
            if time.monotonic() > deadline:
                self.stop()
                raise Failure("the emulator did not start within 30 s", EXIT_ENVIRONMENT)
            time.sleep(0.02)
        self.port = int(port_file.read_text().strip())  # kept on restarts: callers keep their URL

    def restart(self, specs=None):
        self.stop()
        if specs is not None:
            self.specs = list(specs)
        self.start()

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=10)

    def close(self):
        self.stop()
        self.tmp.cleanup()
