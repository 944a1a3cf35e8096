"""The installed SDK as a user has it: the archive unpacked outside the checkout, its bin/ on
PATH, nothing of this test run in the environment."""
import os
import pathlib
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import zipfile

import pytest

# Variables of the test run or of the checkout that a user's shell does not have.
PRIVATE = ("BUILD_DIR", "LAMBDA_C_ARCH", "LAMBDA_C_BUILD_DIR", "LAMBDA_C_ARM64_BUILD_DIR", "CC", "CFLAGS",
           "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS")

# What each template's sample event (event.json) answers.
EXPECTED = {
    "hello": lambda name: {"message": f"Hello, Ada, from {name}!"},
    "exec": lambda name: {"message": f"Hello, Ada, from {name}'s own main!"},
    "http": lambda name: {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                          "body": '{"message":"Hello, Ada!"}', "isBase64Encoded": False},
    "sqs": lambda name: {"batchItemFailures": [{"itemIdentifier": "2e1424d4-f796-459a-8184-9c92662be6da"}]},
    "s3": lambda name: {"objects": [{"event": "ObjectCreated:Put", "bucket": "my-uploads",
                                     "key": "photos/my holiday(1).jpg", "size": 1024}]},
    "stream": lambda name: "n,square\n0,0\n1,1\n2,4\n3,9\n4,16\n",
    "aws": None,  # answers {"stored": "s3://BUCKET/<request id>"}: checked against moto
}
TEMPLATES = sorted(EXPECTED)


def require_tool(name, why=""):
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed{why}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI installs it: ./build.sh test)")
        pytest.skip(message)
    return path


class InstalledSdk:
    """An SDK archive unpacked into a fresh folder outside the checkout."""

    def __init__(self, archive):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="lambda-c-user-"))
        started = time.monotonic()
        with tarfile.open(archive) as tar:
            tar.extractall(self.root)  # noqa: S202 - our own archive
        self.unpack_seconds = time.monotonic() - started
        (self.prefix,) = [p for p in self.root.iterdir() if p.is_dir()]
        self.work = self.root / "work"
        self.work.mkdir()
        self.env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
        # The system's python3 first, as on a user's Debian: the command is `#!/usr/bin/env python3`
        # (a version manager's shim earlier on PATH would only add start-up time).
        self.env["PATH"] = f"{self.prefix / 'bin'}:/usr/bin:/bin:{self.env.get('PATH', '')}"

    def run(self, *args, cwd=None, env=None, timeout=600, **kwargs):
        run_env = dict(self.env, **(env or {}))
        return subprocess.run([str(a) for a in args], cwd=cwd or self.work, env=run_env, capture_output=True,
                              text=True, timeout=timeout, **kwargs)

    def lambda_c(self, *args, **kwargs):
        return self.run(self.prefix / "bin" / "lambda-c", *args, **kwargs)

    def pkg_config(self, *args):
        env = {"PKG_CONFIG_PATH": str(self.prefix / "lib" / "pkgconfig")}
        run = self.run("pkg-config", *args, env=env)
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def installed_sdk(build, arch="x86_64"):
    """A module fixture's body: the build's SDK archive unpacked for the module, removed after."""
    archive = sdk_archive(build, arch)
    assert archive, f"no SDK archive in {build}"
    installed = InstalledSdk(archive)
    try:
        yield installed
    finally:
        installed.cleanup()


def sdk_archive(build, arch):
    archives = sorted(build.glob(f"lambda-c-sdk-*-{arch}.tar.gz"))
    version = (build / "layer" / "VERSION").read_text().strip() if (build / "layer" / "VERSION").exists() else None
    wanted = build / f"lambda-c-sdk-{version}-{arch}.tar.gz"
    if version and wanted.exists():
        return wanted
    return archives[-1] if archives else None


def zip_names(path):
    with zipfile.ZipFile(path) as z:
        return sorted(z.namelist())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoS3:
    """moto_server on loopback with one bucket (no authentication: the template's client signs
    anyway; test_aws_moto.py covers signature checking)."""

    def __init__(self, bucket):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([shutil.which("moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.1)
        self.request("PUT", f"/{bucket}")

    def request(self, method, path):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def object_sizes(self, bucket):
        """{key: size} of the bucket's objects (ListObjectsV2, which moto answers unsigned)."""
        import re
        status, body = self.request("GET", f"/{bucket}?list-type=2")
        assert status == 200, body
        return {key: int(size) for key, size in
                re.findall(r"<Key>([^<]*)</Key>.*?<Size>(\d+)</Size>", body.decode(), re.S)}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


class LambdaCServer:
    """A long-running `lambda-c serve`/`watch` of an installed SDK: its stderr collected line by
    line, the URLs it prints parsed."""

    def __init__(self, sdk, *args, cwd=None, ready="serving", timeout=180):
        import re
        import threading
        env = dict(sdk.env)
        self.proc = subprocess.Popen([str(sdk.prefix / "bin" / "lambda-c"), *map(str, args)], cwd=cwd or sdk.work,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines = []
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.wait_for(ready, timeout=timeout)
        except AssertionError:
            self.stop()
            raise
        self.urls = {}  # route description -> base URL
        for line in list(self.lines):
            m = re.search(r"(http://127\.0\.0\.1:\d+)\S*\s+(.*)$", line)
            if m and "Invoke API" not in line:
                self.urls[m.group(2).strip()] = m.group(1)
            m = re.search(r"Invoke API: (http://127\.0\.0\.1:\d+)", line)
            if m:
                self.invoke_url = m.group(1)

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append(line.rstrip("\n"))
                self.lock.notify_all()
        with self.lock:
            self.lines.append(None)
            self.lock.notify_all()

    def wait_for(self, text, start=0, timeout=120):
        """Index of the first line from `start` on containing `text`."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i] is None:
                        raise AssertionError(f"exited before printing {text!r}:\n" + self.log())
                    if text in self.lines[i]:
                        return i
                left = deadline - time.monotonic()
                assert left > 0, f"no {text!r} within {timeout} s:\n" + self.log()
                self.lock.wait(left)

    def url_of(self, needle):
        for description, url in self.urls.items():
            if needle in description:
                return url
        raise KeyError(f"{needle} not among {self.urls}")

    def log(self):
        return "\n".join(line for line in self.lines if line is not None)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
