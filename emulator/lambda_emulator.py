#!/usr/bin/env python3
"""lambda-c-emulator: a local AWS Lambda for lambda-c.

A real HTTP/1.1 server on 127.0.0.1 that starts the layer's bootstrap the way Lambda
does and speaks the Lambda Runtime API (2018-06-01, plus the extension registration API)
to it, and the Lambda Invoke API (2015-03-31, 2021-11-15 streaming) to callers such as
the AWS CLI. Python 3.11 standard library only; one self-contained file.

See emulator/README.md for the command line and the exact behaviour.
"""

import argparse
import base64
import binascii
import collections
import http.client
import http.server
import json
import math
import os
import queue
import re
import select
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid
import zipfile

VERSION = "0.1.0"

RUNTIME_API = "/2018-06-01"
EXTENSION_API = "/2020-01-01"
INVOKE_API = "/2015-03-31"
STREAM_INVOKE_API = "/2021-11-15"

MAX_SYNC_REQUEST = 6291456          # 6 MiB: RequestResponse request payload
MAX_ASYNC_REQUEST = 1048576         # 1 MiB: Event request payload
MAX_RESPONSE = 6291556              # 6 MiB + 100: buffered response from the runtime
XRAY_CAUSE_MAX = 65536              # Lambda-Runtime-Function-XRay-Error-Cause
WRAPPER_GRACE_S = 30.0              # valgrind writes its leak report after SIGTERM
MAX_STREAM = 209715200              # 200 MiB: streamed response
TAIL_BYTES = 4096
LOG_KEEP_BYTES = 65536              # per-invocation log kept in memory (tail only)
ACCOUNT_ID = "123456789012"
EXTENSION_GRACE_S = 0.5
NEXT_GRACE_S = 1.0                  # an answered invocation ends at the runtime's next /next

DUMMY_ACCESS_KEY = "AKIDLAMBDACEMULATOR0"
DUMMY_SECRET_KEY = "lambda-c-emulator/dummy/secret-access-key"
DUMMY_SESSION_TOKEN = "lambda-c-emulator-dummy-session-token"

PASSTHROUGH_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "MSAN_OPTIONS")
FAULTS = ("response-500", "next-500", "drop-response", "drop-next")
FUNCTION_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LATEST = "$LATEST"


def _signal_texts():
    names = {
        "SIGHUP": "hangup", "SIGINT": "interrupt", "SIGQUIT": "quit",
        "SIGILL": "illegal instruction", "SIGTRAP": "trace/breakpoint trap",
        "SIGABRT": "aborted", "SIGBUS": "bus error", "SIGFPE": "floating point exception",
        "SIGKILL": "killed", "SIGUSR1": "user defined signal 1", "SIGSEGV": "segmentation fault",
        "SIGUSR2": "user defined signal 2", "SIGPIPE": "broken pipe", "SIGALRM": "alarm clock",
        "SIGTERM": "terminated", "SIGSTKFLT": "stack fault", "SIGCHLD": "child exited",
        "SIGCONT": "continued", "SIGSTOP": "stopped (signal)", "SIGTSTP": "stopped",
        "SIGTTIN": "stopped (tty input)", "SIGTTOU": "stopped (tty output)",
        "SIGURG": "urgent I/O condition", "SIGXCPU": "CPU time limit exceeded",
        "SIGXFSZ": "file size limit exceeded", "SIGVTALRM": "virtual timer expired",
        "SIGPROF": "profiling timer expired", "SIGWINCH": "window changed",
        "SIGIO": "I/O possible", "SIGPWR": "power failure", "SIGSYS": "bad system call",
    }
    out = {}
    for name, text in names.items():
        num = getattr(signal, name, None)
        if num is not None:
            out[int(num)] = text
    return out


SIGNAL_TEXT = _signal_texts()


def mono():
    return time.monotonic()


def jdump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def error_json(message, error_type, type_first=False):
    if type_first:
        return jdump({"errorType": error_type, "errorMessage": message})
    return jdump({"errorMessage": message, "errorType": error_type})


def make_trace_id():
    return "Root=1-%08x-%s;Parent=%s;Sampled=0" % (int(time.time()), os.urandom(12).hex(), os.urandom(8).hex())


def read_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid, "r", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def poll_fd(fd, timeout_ms):
    """True when fd is readable (data or EOF) within timeout_ms."""
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    try:
        return bool(p.poll(timeout_ms))
    except InterruptedError:
        return False


def peer_closed(sock):
    """True when the peer of an idle socket has closed it (or it is broken)."""
    try:
        if not poll_fd(sock.fileno(), 0):
            return False
        data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        return data == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (OSError, ValueError):
        return True


# --------------------------------------------------------------------------- logging

class Log:
    """stderr goes through a writer thread and a bounded queue, so a slow or stuck reader
    of our stderr never stalls an invocation (past 64 MiB queued, lines are dropped and
    counted)."""
    lock = threading.Lock()
    quiet = False
    MAX_QUEUED = 64 << 20
    _q = collections.deque()
    _q_bytes = 0
    _q_cond = threading.Condition()
    _dropped = 0
    _writing = False
    _writer = None

    @classmethod
    def _write(cls, data):
        with cls._q_cond:
            if cls._q_bytes + len(data) > cls.MAX_QUEUED:
                cls._dropped += 1
                return
            cls._q.append(data)
            cls._q_bytes += len(data)
            if cls._writer is None:
                cls._writer = threading.Thread(target=cls._write_loop, name="stderr", daemon=True)
                cls._writer.start()
            cls._q_cond.notify_all()

    @classmethod
    def _write_loop(cls):
        for _ in range(1 << 62):
            with cls._q_cond:
                while not cls._q:
                    cls._writing = False
                    cls._q_cond.notify_all()
                    cls._q_cond.wait(1.0)
                cls._writing = True
                data = b"".join(cls._q)
                cls._q.clear()
                cls._q_bytes = 0
                dropped, cls._dropped = cls._dropped, 0
            if dropped:
                data = b"lambda-c-emulator: %d log lines dropped (stderr not read)\n" % dropped + data
            try:
                sys.stderr.buffer.write(data)
                sys.stderr.buffer.flush()
            except (OSError, ValueError, AttributeError):
                pass

    @classmethod
    def flush(cls, timeout):
        end = mono() + timeout
        with cls._q_cond:
            while (cls._q or cls._writing) and mono() < end:
                cls._q_cond.wait(0.05)

    @classmethod
    def info(cls, text):
        if cls.quiet:
            return
        with cls.lock:
            cls._write(("lambda-c-emulator: %s\n" % text).encode("utf-8", "replace"))

    @classmethod
    def always(cls, text):
        with cls.lock:
            cls._write((text + "\n").encode("utf-8", "replace"))

    @classmethod
    def platform(cls, inv, text):
        """A Lambda platform line (START/END/REPORT...) of one invocation."""
        line = text.encode("utf-8", "replace")
        with cls.lock:
            inv.add_log(line)
            if not cls.quiet:
                cls._write(line + b"\n")

    @classmethod
    def runtime_line(cls, env, line):
        with cls.lock:
            for inv in list(env.log_targets):
                inv.add_log(line)
            if not cls.quiet:
                cls._write(line + b"\n")


# --------------------------------------------------------------------------- HTTP bodies

class BodyError(Exception):
    pass


class StreamTooLarge(Exception):
    pass


def _read_line(rfile, limit=65536):
    line = rfile.readline(limit + 1)
    if not line:
        raise BodyError("connection closed")
    if len(line) > limit:
        raise BodyError("line too long")
    return line


def read_body_chunks(handler, on_chunk):
    """Read a request body (Content-Length or chunked with trailers), passing every piece
    to on_chunk as it arrives. Returns the trailers (lower-case names)."""
    rfile = handler.rfile
    trailers = {}
    te = (handler.headers.get("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        for _ in range(1 << 40):
            line = _read_line(rfile)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BodyError("bad chunk size")
            if size < 0:
                raise BodyError("bad chunk size")
            if size == 0:
                break
            remaining = size
            while remaining > 0:
                piece = rfile.read1(min(remaining, 65536))
                if not piece:
                    raise BodyError("truncated chunk")
                remaining -= len(piece)
                on_chunk(piece)
            end = _read_line(rfile, 2)
            if end not in (b"\r\n", b"\n"):
                raise BodyError("bad chunk end")
        for _ in range(256):
            line = _read_line(rfile)
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            trailers[name.strip().lower()] = value.strip()
        else:
            raise BodyError("too many trailers")
        return trailers
    length = handler.headers.get("Content-Length")
    if length is None:
        return trailers
    try:
        remaining = int(length)
    except ValueError:
        raise BodyError("bad Content-Length")
    if remaining < 0:
        raise BodyError("bad Content-Length")
    while remaining > 0:
        piece = rfile.read1(min(remaining, 65536))
        if not piece:
            raise BodyError("truncated body")
        remaining -= len(piece)
        on_chunk(piece)
    return trailers


def read_body(handler, limit):
    """Returns (data or None when over limit, total size, trailers). Oversize bodies are
    read and discarded so the connection stays usable."""
    parts = []
    total = 0

    def take(piece):
        nonlocal total
        total += len(piece)
        if total <= limit:
            parts.append(piece)
        elif parts:
            parts.clear()

    trailers = read_body_chunks(handler, take)
    if total > limit:
        return None, total, trailers
    return b"".join(parts), total, trailers


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, BodyError, ValueError, OSError)):
            return
        Log.always("lambda-c-emulator: internal error while serving %s:\n%s"
                   % (client_address, traceback.format_exc()))


class BaseHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lambda-c-emulator/" + VERSION
    sys_version = ""
    disable_nagle_algorithm = True   # TCP_NODELAY: no 40 ms delayed-ACK stalls

    def log_message(self, fmt, *args):
        pass

    def path_only(self):
        return self.path.split("?", 1)[0]

    def query(self):
        if "?" not in self.path:
            return {}
        return dict(urllib.parse.parse_qsl(self.path.split("?", 1)[1]))

    def send_bytes(self, status, body=b"", ctype="application/json", headers=(), close=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        if body and status != 204 and len(body) <= 65536 and hasattr(self, "_headers_buffer"):
            # headers and a small body in one write
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
            return
        self.end_headers()
        if body and status != 204:
            self.wfile.write(body)

    def send_json(self, status, obj, headers=(), close=False):
        self.send_bytes(status, obj if isinstance(obj, bytes) else jdump(obj), "application/json",
                        headers, close)

    def discard_body(self, limit=1 << 26):
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                if int(length) > limit:
                    self.close_connection = True
                    return False
            except ValueError:
                self.close_connection = True
                return False
        try:
            read_body_chunks(self, lambda piece: None)
            return True
        except (BodyError, OSError):
            self.close_connection = True
            return False

    def drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


# --------------------------------------------------------------------------- invocations

class Invocation:
    def __init__(self, fn, event, content_type, client_context, invoke_type):
        self.fn = fn
        self.request_id = str(uuid.uuid4())
        self.invocation_id = str(uuid.uuid4())
        self.event = event
        self.content_type = content_type or "application/json"
        self.client_context = client_context
        self.invoke_type = invoke_type
        self.trace_id = make_trace_id()
        # queued -> pending (assigned to an environment) -> running (delivered by /next)
        # -> [streaming] -> finishing (result known, logs settling) -> done
        self.state = "queued"
        self.env = None
        self.created = mono()
        self.assigned_at = None
        self.started_at = None
        self.deadline = None
        self.deadline_ms = None
        self.cold = False
        self.init_duration_ms = None
        self.status = None
        self.body = b""
        self.result_ct = "application/json"
        self.function_error = False
        self.error_type = None
        self.finished_at = None
        self.max_mem_kb = None
        self.echoed = None
        self.next_mark = None
        self.log = collections.deque()
        self.log_size = 0
        self.start_logged = False
        self.streaming = False
        self.stream_q = None
        self.stream_ct = None
        self.stream_bytes = 0

    def add_log(self, line):  # with Log.lock held
        self.log.append(line)
        self.log_size += len(line) + 1
        while self.log_size > LOG_KEEP_BYTES and len(self.log) > 1:
            old = self.log.popleft()
            self.log_size -= len(old) + 1

    def tail_b64(self):
        with Log.lock:
            data = b"".join(line + b"\n" for line in self.log)
        return base64.b64encode(data[-TAIL_BYTES:]).decode("ascii")

    def ok(self):
        return self.status == "success"


class NullSink:
    started = False
    broken = False

    def start(self, inv):
        pass

    def write(self, data):
        pass

    def finish(self, inv):
        pass


class HttpStreamSink:
    """Relays a streamed runtime response to the caller with chunked encoding."""

    def __init__(self, handler):
        self.h = handler
        self.started = False
        self.broken = False

    def start(self, inv):
        self.started = True
        h = self.h
        try:
            h.send_response(200)
            h.send_header("Content-Type", inv.stream_ct or "application/octet-stream")
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("X-Amz-Executed-Version", LATEST)
            h.send_header("x-amzn-RequestId", inv.request_id)
            h.send_header("Trailer", "X-Amz-Function-Error, Lambda-Runtime-Function-Error-Type, "
                                     "Lambda-Runtime-Function-Error-Body")
            h.end_headers()
        except OSError:
            self.broken = True
            h.close_connection = True

    def write(self, data):
        if self.broken or not data:
            return
        try:
            self.h.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        except OSError:
            self.broken = True
            self.h.close_connection = True

    def finish(self, inv):
        if self.broken:
            return
        tail = b"0\r\n"
        if not inv.ok():
            etype = inv.error_type or "Unhandled"
            tail += b"X-Amz-Function-Error: Unhandled\r\n"
            tail += b"Lambda-Runtime-Function-Error-Type: " + etype.encode("latin-1", "replace") + b"\r\n"
            tail += b"Lambda-Runtime-Function-Error-Body: " + base64.b64encode(inv.body) + b"\r\n"
        tail += b"\r\n"
        try:
            self.h.wfile.write(tail)
        except OSError:
            self.broken = True
            self.h.close_connection = True


# --------------------------------------------------------------------------- runtime output

class OutputReader:
    """Reads one pipe of a runtime line by line; every line goes to stderr and to the
    log of the environment's current invocation(s)."""

    MAX_LINE = 262144

    def __init__(self, env, pipe):
        self.env = env
        self.pipe = pipe
        self.fd = pipe.fileno()
        self.busy = threading.Lock()
        self.buf = b""
        self.eof = False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="output-%d" % self.fd, daemon=True)
        self.thread.start()

    def _emit_lines(self, final=False):
        while True:
            nl = self.buf.find(b"\n")
            if nl < 0:
                break
            line = self.buf[:nl]
            self.buf = self.buf[nl + 1:]
            if line.endswith(b"\r"):
                line = line[:-1]
            Log.runtime_line(self.env, line)
        if self.buf and (final or len(self.buf) > self.MAX_LINE):
            line, self.buf = self.buf, b""
            Log.runtime_line(self.env, line)

    def _close(self):  # with busy held
        self.eof = True
        try:
            self.pipe.close()
        except OSError:
            pass
        self.done.set()

    def _run(self):
        dead_since = None
        try:
            while True:
                if not poll_fd(self.fd, 500):
                    # give up on a pipe kept open by an escaped grandchild
                    if self.env.proc_exited.is_set():
                        dead_since = dead_since or mono()
                        if mono() - dead_since > 5.0:
                            with self.busy:
                                self._emit_lines(final=True)
                                self._close()
                            return
                    continue
                with self.busy:
                    try:
                        data = os.read(self.fd, 65536)
                    except InterruptedError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        self._emit_lines(final=True)
                        self._close()
                        return
                    self.buf += data
                    self._emit_lines()
        except Exception:  # never let a reader kill anything
            with self.busy:
                if not self.eof:
                    self._close()

    def drain(self, timeout):
        """Wait until everything written to the pipe so far has been logged."""
        end = mono() + timeout
        while True:
            with self.busy:
                if self.eof:
                    return True
                if not poll_fd(self.fd, 0):
                    if self.buf:
                        self._emit_lines(final=True)
                    return True
            if mono() >= end:
                return False
            time.sleep(0.001)


# --------------------------------------------------------------------------- environments

class SpawnError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class RuntimeApiServer(QuietServer):
    env = None


class RuntimeApiHandler(BaseHandler):
    def do_GET(self):
        env = self.server.env
        path = self.path_only()
        if path == RUNTIME_API + "/runtime/invocation/next":
            return env.handle_next(self)
        if path == EXTENSION_API + "/extension/event/next":
            return env.handle_extension_next(self)
        self.send_json(404, {"errorMessage": "Not found: " + path, "errorType": "NotFound"})

    def do_POST(self):
        env = self.server.env
        path = self.path_only()
        prefix = RUNTIME_API + "/runtime/invocation/"
        if path.startswith(prefix):
            rest = path[len(prefix):]
            rid, _, kind = rest.rpartition("/")
            if rid and "/" not in rid and kind in ("response", "error"):
                return env.handle_answer(self, urllib.parse.unquote(rid), kind)
        if path == RUNTIME_API + "/runtime/init/error":
            return env.handle_init_error(self)
        if path == EXTENSION_API + "/extension/register":
            return env.handle_extension_register(self)
        if path in (EXTENSION_API + "/extension/init/error", EXTENSION_API + "/extension/exit/error"):
            self.discard_body()
            return self.send_json(202, {"status": "OK"})
        self.discard_body()
        self.send_json(404, {"errorMessage": "Not found: " + path, "errorType": "NotFound"})

    do_PUT = do_POST
    do_DELETE = do_GET


class Environment:
    """One execution environment: a bootstrap process and its own Runtime API listener."""

    def __init__(self, fn, seq):
        self.fn = fn
        self.emu = fn.emu
        self.seq = seq
        self.state = "init"          # init -> ready -> stopping -> dead
        self.kill_reason = None
        self.pending = collections.deque()
        self.active = {}
        self.invocations = collections.OrderedDict()
        self.parked = 0
        self.nexts = 0
        self.answers = 0
        self.completed = 0
        self.answered = 0
        self.invocation_count = 0
        self.drop_next_done = False
        self.echo_yes = 0
        self.echo_no = 0
        self.extensions = {}
        self.init_error = None
        self.init_duration_ms = None
        self.log_targets = set()
        self.readers = []
        self.proc = None
        self.pid = None
        self.port = None
        self.server = None
        self.proc_lock = threading.Lock()
        self.reaped = False
        self.proc_exited = threading.Event()
        self.finished = threading.Event()
        self.exit_desc = None
        self.last_hwm_kb = None
        self.spawned_at = mono()
        self.log_stream = "%s/[%s]%s" % (time.strftime("%Y/%m/%d", time.gmtime()), LATEST, uuid.uuid4().hex)

    # ---- process
    def find_bootstrap(self):
        for candidate in (os.path.join(self.fn.code_dir, "bootstrap"),
                          os.path.join(self.emu.layer_dir, "bootstrap")):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None

    def build_env(self):
        fn, emu = self.fn, self.emu
        env = {
            "_HANDLER": fn.handler,
            "LAMBDA_TASK_ROOT": fn.code_dir,
            "LAMBDA_RUNTIME_DIR": emu.layer_dir,
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % self.port,
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": LATEST,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + fn.name,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_REGION": emu.region,
            "AWS_DEFAULT_REGION": emu.region,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "LD_LIBRARY_PATH": "%s/lib:%s/lib" % (fn.code_dir, emu.layer_dir),
            "PATH": "/usr/local/bin:/usr/bin:/bin:%s/bin" % emu.layer_dir,
        }
        env.update(emu.credentials)
        for key in PASSTHROUGH_ENV:
            if key in os.environ:
                env[key] = os.environ[key]
        if fn.max_concurrency:
            env["AWS_LAMBDA_MAX_CONCURRENCY"] = str(fn.max_concurrency)
            env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "lambda-managed-instances"
        env.update(fn.env_extra)
        return env

    def start(self):
        """Called with fn.lock held. Raises SpawnError."""
        bootstrap = self.find_bootstrap()
        if bootstrap is None:
            raise SpawnError("Runtime.InvalidEntrypoint",
                             "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
        self.server = RuntimeApiServer(("127.0.0.1", 0), RuntimeApiHandler)
        self.server.env = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                         name="runtime-api-%d" % self.port, daemon=True).start()
        argv = list(self.emu.wrapper) + [bootstrap]
        try:
            self.proc = subprocess.Popen(argv, cwd=self.fn.code_dir, env=self.build_env(),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, start_new_session=True,
                                         close_fds=True)
        except OSError as e:
            self._close_server()
            raise SpawnError("Runtime.InvalidEntrypoint", "fork/exec %s: %s"
                             % (argv[0], (e.strerror or str(e)).lower()))
        self.pid = self.proc.pid
        self.spawned_at = mono()
        self.readers = [OutputReader(self, self.proc.stdout), OutputReader(self, self.proc.stderr)]
        threading.Thread(target=self._watch, name="watch-%d" % self.pid, daemon=True).start()

    def _close_server(self):
        srv = self.server
        if srv is None:
            return
        try:
            srv.shutdown()
            srv.server_close()
        except Exception:
            pass

    def signal_group(self, sig):
        with self.proc_lock:
            if self.reaped or self.pid is None:
                return
            try:
                os.killpg(self.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def hwm_kb(self):
        if self.pid is not None and not self.proc_exited.is_set():
            kb = read_hwm_kb(self.pid)
            if kb is not None:
                self.last_hwm_kb = kb
        return self.last_hwm_kb

    def drain_output(self, timeout):
        for r in self.readers:
            r.drain(timeout)

    def kill_locked(self, reason):
        """SIGKILL the whole environment now (fn.lock held)."""
        if self.kill_reason is None:
            self.kill_reason = reason
        if self.state in ("init", "ready"):
            self.state = "stopping"
        self.fn.remove_env(self)
        self.signal_group(signal.SIGKILL)
        self.fn.cond.notify_all()

    def destroy(self, reason="spindown"):
        """Shut the environment down as Lambda does: SIGKILL, or SIGTERM + 500 ms + SIGKILL
        when an extension is registered. A --runtime-wrapper (valgrind, strace) always gets
        SIGTERM and WRAPPER_GRACE_S, so that it can write its report."""
        fn = self.fn
        with fn.cond:
            if self.state == "dead":
                return
            if self.kill_reason is None:
                self.kill_reason = reason
            if self.state in ("init", "ready"):
                self.state = "stopping"
            fn.remove_env(self)
            has_ext = bool(self.extensions)
            if has_ext:
                for ext in self.extensions.values():
                    if "SHUTDOWN" in ext["events"]:
                        ext["queue"].append({"eventType": "SHUTDOWN", "shutdownReason": reason,
                                             "deadlineMs": int((time.time() + EXTENSION_GRACE_S) * 1000)})
            fn.cond.notify_all()
        if has_ext or self.emu.wrapper:
            self.signal_group(signal.SIGTERM)
            self.proc_exited.wait(WRAPPER_GRACE_S if self.emu.wrapper else EXTENSION_GRACE_S)
        self.signal_group(signal.SIGKILL)
        self.finished.wait(5.0)

    def _describe_exit(self, info):
        code = None
        if info is not None:
            if info.si_code == os.CLD_EXITED:
                code = info.si_status
            else:
                return "signal: " + SIGNAL_TEXT.get(info.si_status, "signal %d" % info.si_status), False
        else:
            rc = self.proc.returncode
            if rc is None:
                return "exit status unknown", False
            if rc < 0:
                return "signal: " + SIGNAL_TEXT.get(-rc, "signal %d" % -rc), False
            code = rc
        return "exit status %d" % code, code == 0

    def _watch(self):
        info = None
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        except (ChildProcessError, OSError):
            info = None
        self.proc_exited.set()
        with self.proc_lock:
            try:
                os.killpg(self.pid, signal.SIGKILL)   # the rest of the environment goes too
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except Exception:
                pass
            self.reaped = True
        desc, clean = self._describe_exit(info)
        self.exit_desc = desc
        fn = self.fn
        to_finish = []
        with fn.cond:
            expected = self.state == "stopping"
            never_ready = self.init_duration_ms is None
            self.state = "dead"
            fn.remove_env(self)
            fn.live_envs.discard(self)
            timed_out = self.kill_reason == "timeout"
            victims = [inv for inv in self.active.values() if inv.state in ("running", "streaming")]
            if never_ready:
                for inv in self.pending:
                    if inv.state == "pending":
                        if inv.cold:
                            inv.init_duration_ms = (mono() - self.spawned_at) * 1000.0
                        victims.append(inv)
            else:
                for inv in reversed(list(self.pending)):
                    if inv.state == "pending":  # not delivered yet: give it to another environment
                        inv.state = "queued"
                        inv.env = None
                        inv.cold = False
                        fn.queue.appendleft(inv)
            self.pending.clear()
            for inv in victims:
                if timed_out:
                    body = fn.timeout_body(inv)
                    fn.claim(inv, "timeout", body, error_type="Sandbox.Timedout")
                else:
                    if clean:
                        msg = "RequestId: %s Error: Runtime exited without providing a reason" % inv.request_id
                    else:
                        msg = "RequestId: %s Error: Runtime exited with error: %s" % (inv.request_id, desc)
                    fn.claim(inv, "exit", error_json(msg, "Runtime.ExitError"), error_type="Runtime.ExitError")
                to_finish.append(inv)
            self.active.clear()
            fn.dispatch()
            fn.cond.notify_all()
        end = mono() + 2.0
        for r in self.readers:
            r.done.wait(max(0.0, end - mono()))
        for inv in to_finish:
            fn.complete(inv, drain=0.0)
        if not expected:
            Log.info("%s: runtime pid %d exited (%s)" % (fn.name, self.pid, desc))
        self._close_server()
        with fn.cond:
            fn.cond.notify_all()
        self.finished.set()

    # ---- Runtime API
    def _sock_alive(self, h):
        return not peer_closed(h.connection)

    def handle_next(self, h):
        fn = self.fn
        inv = None
        with Log.lock:
            finished = [i for i in self.log_targets if i.state == "finishing"]
        if finished:
            # the runtime is done with those: what it printed so far is theirs, not the next one's
            self.drain_output(0.1)
            with Log.lock:
                for i in finished:
                    self.log_targets.discard(i)
        with fn.cond:
            self.nexts += 1
            fn.cond.notify_all()
            if self.state == "dead":
                action = "close"
            elif fn.fault == "next-500" and self.nexts == 2:
                action = "500"
            elif fn.fault == "drop-next" and self.answered >= 1 and not self.drop_next_done:
                self.drop_next_done = True
                action = "drop"
            else:
                action = "park"
            if action == "park":
                if self.state == "init":
                    self.state = "ready"
                    self.init_duration_ms = (mono() - self.spawned_at) * 1000.0
                    for p in self.pending:
                        if p.cold:
                            p.init_duration_ms = self.init_duration_ms
                self.parked += 1
                fn.dispatch()
                try:
                    for _ in range(1 << 40):
                        # while stopping, /next stays unanswered (as on Lambda) until the
                        # process is gone: the runtime must not see a dropped connection
                        # before its SIGTERM
                        if self.state == "dead":
                            break
                        if self.pending and self.state == "ready":
                            if not self._sock_alive(h):
                                break
                            inv = self.pending.popleft()
                            self._deliver_locked(inv)
                            break
                        if not self._sock_alive(h):
                            break
                        fn.cond.wait(0.25)
                finally:
                    self.parked -= 1
        if action == "500":
            return h.send_json(500, {"errorMessage": "injected", "errorType": "ServiceException"})
        if inv is None:
            return h.drop()
        # log START before the runtime can print anything for this invocation
        with Log.lock:
            self.log_targets.add(inv)
        inv.start_logged = True
        Log.platform(inv, "START RequestId: %s Version: %s" % (inv.request_id, LATEST))
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", fn.arn),
            ("Lambda-Runtime-Trace-Id", inv.trace_id),
        ]
        if inv.client_context:
            headers.append(("Lambda-Runtime-Client-Context", inv.client_context))
        headers.append(("Lambda-Runtime-Invocation-Id", inv.invocation_id))
        try:
            h.send_bytes(200, inv.event, inv.content_type, headers)
        except OSError:
            h.close_connection = True
        inv.event = b""

    def _deliver_locked(self, inv):
        now = mono()
        inv.state = "running"
        inv.started_at = now
        inv.deadline = now + self.fn.timeout
        inv.deadline_ms = int((time.time() + self.fn.timeout) * 1000)
        self.active[inv.request_id] = inv
        self.invocations[inv.request_id] = inv
        while len(self.invocations) > 4096:
            self.invocations.popitem(last=False)
        self.invocation_count += 1
        self.hwm_kb()
        for ext in self.extensions.values():
            if "INVOKE" in ext["events"]:
                ext["queue"].append({
                    "eventType": "INVOKE", "deadlineMs": inv.deadline_ms,
                    "requestId": inv.request_id, "invokedFunctionArn": self.fn.arn,
                    "tracing": {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}})
                while len(ext["queue"]) > 1000:
                    ext["queue"].popleft()
        self.fn.cond.notify_all()

    def handle_answer(self, h, rid, kind):
        fn = self.fn
        mode = h.headers.get("Lambda-Runtime-Function-Response-Mode")
        hdr_iid = h.headers.get("Lambda-Runtime-Invocation-Id")
        with fn.cond:
            self.answers += 1
            first = self.answers == 1
            inv = self.invocations.get(rid)
            if first and fn.fault == "response-500":
                action = "fault500"
            elif first and fn.fault == "drop-response":
                action = "drop"
            elif inv is None:
                action = "badid"
            elif hdr_iid is not None and hdr_iid != inv.invocation_id:
                action = "gone"
            elif inv.state != "running":
                action = "gone" if inv.status == "timeout" else "state"
            elif kind == "response" and mode is not None and mode.strip().lower() != "streaming":
                action = "badmode"
            else:
                action = "stream" if (kind == "response" and mode is not None) else "buffer"
                if hdr_iid is not None:
                    self.echo_yes += 1
                    inv.echoed = True
                else:
                    self.echo_no += 1
                    inv.echoed = False
                if action == "stream":
                    inv.state = "streaming"
                    inv.streaming = True
                    inv.stream_q = queue.Queue(maxsize=64)
                    inv.stream_ct = h.headers.get("Content-Type") or "application/octet-stream"
                    fn.cond.notify_all()
        if action == "stream":
            return self._receive_stream(h, inv)
        try:
            data, _total, _trailers = read_body(h, MAX_RESPONSE)
        except (BodyError, OSError):
            return h.drop()
        if action == "fault500":
            return h.send_json(500, {"errorMessage": "injected", "errorType": "ServiceException"})
        if action == "drop":
            return h.drop()
        if action == "badid":
            return h.send_json(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
        if action == "gone":
            return self._send_gone(h)
        if action == "state":
            return self._send_state(h)
        if action == "badmode":
            with fn.cond:
                mine = inv.state == "running"
                if mine:
                    msg = "RequestId: %s Error: Invalid response mode header: %s" % (rid, mode)
                    fn.claim(inv, "runtime_error", error_json(msg, "Runtime.InvalidResponseModeHeader"),
                             error_type="Runtime.InvalidResponseModeHeader", await_next=True)
            if mine and inv.next_mark is None:
                fn.complete(inv)
            return h.send_json(400, {"errorMessage": "Invalid function response mode: %s" % mode,
                                     "errorType": "InvalidFunctionResponseMode"})
        too_large = data is None
        with fn.cond:
            if inv.state != "running":
                late = inv.status == "timeout"
                mine = False
            else:
                mine = True
                if too_large:
                    msg = "Response payload size exceeded maximum allowed payload size (%d bytes)." % MAX_RESPONSE
                    fn.claim(inv, "too_large", error_json(msg, "Function.ResponseSizeTooLarge"),
                             error_type="Function.ResponseSizeTooLarge", await_next=True)
                elif kind == "response":
                    fn.claim(inv, "success", data, h.headers.get("Content-Type") or "application/json",
                             function_error=False, await_next=True)
                else:
                    etype = h.headers.get("Lambda-Runtime-Function-Error-Type")
                    cause = h.headers.get("Lambda-Runtime-Function-XRay-Error-Cause")
                    if cause is not None:
                        # Lambda hands it to X-Ray; here it is kept for the debug endpoint.
                        self.last_xray_cause = cause[:XRAY_CAUSE_MAX]
                    body = data
                    if not body.strip():
                        body = error_json("", etype or "Runtime.Unknown")
                    if not etype:
                        try:
                            etype = json.loads(body).get("errorType")
                        except (ValueError, AttributeError):
                            etype = None
                    fn.claim(inv, "function_error", body, "application/json",
                             error_type=etype or "Runtime.Unknown", await_next=True)
        if not mine:
            return self._send_gone(h) if late else self._send_state(h)
        if inv.next_mark is None:
            fn.complete(inv)
        if too_large:
            return h.send_json(413, {"errorMessage": "Exceeded maximum allowed payload size (%d bytes)." % MAX_RESPONSE,
                                     "errorType": "RequestEntityTooLarge"})
        h.send_json(202, {"status": "OK"})

    @staticmethod
    def _send_gone(h):
        h.send_json(410, {"errorMessage": "Invocation is no longer active (timed out)",
                          "errorType": "InvocationGone"})

    @staticmethod
    def _send_state(h):
        h.send_json(403, {"errorMessage": "Invalid state transition", "errorType": "InvalidStateTransition"})

    def _receive_stream(self, h, inv):
        fn = self.fn
        total = 0

        def on_chunk(piece):
            nonlocal total
            total += len(piece)
            if total > MAX_STREAM:
                raise StreamTooLarge()
            for _ in range(1 << 40):
                if inv.state != "streaming":
                    return
                try:
                    inv.stream_q.put(piece, timeout=0.2)
                    inv.stream_bytes += len(piece)
                    return
                except queue.Full:
                    continue

        try:
            trailers = read_body_chunks(h, on_chunk)
        except StreamTooLarge:
            with fn.cond:
                mine = inv.state == "streaming"
                if mine:
                    msg = ("Response payload size exceeded maximum allowed payload size (%d bytes)."
                           % MAX_STREAM)
                    fn.claim(inv, "too_large", error_json(msg, "Function.ResponseSizeTooLarge"),
                             error_type="Function.ResponseSizeTooLarge", await_next=True)
            if mine and inv.next_mark is None:
                fn.complete(inv)
            return h.send_json(413, {"errorMessage": "Exceeded maximum allowed payload size (%d bytes)."
                                     % MAX_STREAM, "errorType": "RequestEntityTooLarge"}, close=True)
        except (BodyError, OSError):
            # connection dropped mid-stream: the exit watcher or the deadline ends the invoke
            return h.drop()
        etype = trailers.get("lambda-runtime-function-error-type")
        ebody = trailers.get("lambda-runtime-function-error-body")
        with fn.cond:
            if inv.state != "streaming":
                late = inv.status == "timeout"
                mine = False
            else:
                mine = True
                if etype or ebody:
                    body = b""
                    if ebody:
                        try:
                            body = base64.b64decode(ebody, validate=True)
                        except (binascii.Error, ValueError):
                            body = ebody.encode("utf-8", "replace")
                    if not body.strip():
                        body = error_json("", etype or "Runtime.Unknown")
                    fn.claim(inv, "stream_error", body, error_type=etype or "Runtime.Unknown",
                             await_next=True)
                else:
                    fn.claim(inv, "success", b"", inv.stream_ct, function_error=False, await_next=True)
        if not mine:
            return self._send_gone(h) if late else self._send_state(h)
        if inv.next_mark is None:
            fn.complete(inv)
        h.send_json(202, {"status": "OK"})

    def handle_init_error(self, h):
        fn = self.fn
        try:
            data, _total, _tr = read_body(h, MAX_RESPONSE)
        except (BodyError, OSError):
            return h.drop()
        etype = h.headers.get("Lambda-Runtime-Function-Error-Type") or "Runtime.Unknown"
        if not data or not data.strip():
            data = error_json("", etype)
        victims = []
        with fn.cond:
            if self.state != "init":
                ok = False
            else:
                ok = True
                self.init_error = data
                self.init_duration_ms = self.init_duration_ms or (mono() - self.spawned_at) * 1000.0
                self.state = "stopping"
                self.kill_reason = "init-error"
                fn.remove_env(self)
                for inv in list(self.pending):
                    if inv.state == "pending":
                        if inv.cold:
                            inv.init_duration_ms = self.init_duration_ms
                        fn.claim(inv, "init_error", data, error_type=etype)
                        victims.append(inv)
                self.pending.clear()
        if not ok:
            return self._send_state(h)
        for inv in victims:
            fn.complete(inv)
        h.send_json(202, {"status": "OK"})
        threading.Thread(target=self.destroy, args=("failure",), daemon=True).start()

    def handle_extension_register(self, h):
        fn = self.fn
        name = h.headers.get("Lambda-Extension-Name")
        try:
            data, _t, _tr = read_body(h, 65536)
        except (BodyError, OSError):
            return h.drop()
        if not name:
            return h.send_json(400, {"errorMessage": "Missing Lambda-Extension-Name header",
                                     "errorType": "Extension.InvalidExtensionName"})
        events = []
        if data and data.strip():
            try:
                events = json.loads(data).get("events") or []
                if not isinstance(events, list):
                    raise ValueError
                events = [str(e) for e in events]
            except (ValueError, AttributeError):
                return h.send_json(400, {"errorMessage": "Invalid registration body",
                                         "errorType": "InvalidRequest"})
        ext_id = str(uuid.uuid4())
        with fn.cond:
            self.extensions[ext_id] = {"name": name, "events": events, "queue": collections.deque()}
        h.send_json(200, {"functionName": fn.name, "functionVersion": LATEST, "handler": fn.handler,
                          "accountId": ACCOUNT_ID},
                    headers=[("Lambda-Extension-Identifier", ext_id)])

    def handle_extension_next(self, h):
        fn = self.fn
        ext_id = h.headers.get("Lambda-Extension-Identifier")
        event = None
        with fn.cond:
            ext = self.extensions.get(ext_id or "")
            if ext is not None:
                for _ in range(1 << 40):
                    if ext["queue"]:
                        event = ext["queue"].popleft()
                        break
                    if self.state == "dead" or not self._sock_alive(h):
                        break
                    fn.cond.wait(0.25)
        if ext is None:
            return h.send_json(403, {"errorMessage": "Invalid extension identifier",
                                     "errorType": "Extension.InvalidExtensionIdentifier"})
        if event is None:
            return h.drop()
        try:
            h.send_json(200, event, headers=[("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))])
        except OSError:
            pass

    def debug_state(self):
        if self.state == "init":
            state = "init"
        elif self.state in ("stopping", "dead"):
            state = self.state
        elif self.active:
            state = "busy"
        elif self.parked:
            state = "idle"
        else:
            state = "ready"
        return {
            "id": self.seq,
            "pid": self.pid,
            "port": self.port,
            "state": state,
            "invocations": self.invocation_count,
            "completed": self.completed,
            "active": sorted(self.active.keys()),
            "pending": len(self.pending),
            "parked_next": self.parked,
            "next_requests": self.nexts,
            "invocation_id_echoed": self.echo_yes > 0 and self.echo_no == 0,
            "echoed_answers": self.echo_yes,
            "unechoed_answers": self.echo_no,
            "extension_registered": bool(self.extensions),
            "last_xray_error_cause": getattr(self, "last_xray_cause", None),
            "extensions": [e["name"] for e in self.extensions.values()],
            "init_duration_ms": None if self.init_duration_ms is None else round(self.init_duration_ms, 2),
            "log_stream_name": self.log_stream,
        }


# --------------------------------------------------------------------------- functions

class Function:
    def __init__(self, emu, cfg):
        self.emu = emu
        self.name = cfg["name"]
        self.code_dir = cfg["code_dir"]
        self.handler = cfg["handler"]
        self.timeout = cfg["timeout"]
        self.memory = cfg["memory"]
        self.concurrency = cfg["concurrency"]
        self.max_concurrency = cfg["max_concurrency"]
        self.env_extra = cfg["env"]
        self.fault = cfg["fault"]
        self.arn = "arn:aws:lambda:%s:%s:function:%s" % (emu.region, ACCOUNT_ID, self.name)
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.envs = []            # environments that may take invocations (init/ready)
        self.live_envs = set()    # every environment whose process has not been reaped
        self.queue = collections.deque()
        self.cold_starts = 0
        self.env_seq = 0

    def remove_env(self, env):  # lock held
        if env in self.envs:
            self.envs.remove(env)

    def timeout_body(self, inv):
        msg = "RequestId: %s Error: Task timed out after %.2f seconds" % (inv.request_id, self.timeout)
        return error_json(msg, "Sandbox.Timedout", type_first=True)

    def _pick_env(self):
        for env in self.envs:
            if env.state == "ready" and env.parked > len(env.pending) and \
                    (self.max_concurrency or not env.active):
                return env
        if not self.max_concurrency:
            # between two invocations: answered, not back on /next yet (it takes the
            # invocation on its next /next; if it dies first the invocation is re-queued)
            for env in self.envs:
                if env.state == "ready" and not env.active and not env.pending:
                    return env
        if self.max_concurrency:
            for env in self.envs:
                if env.state in ("init", "ready") and \
                        len(env.pending) + len(env.active) < self.max_concurrency:
                    return env
        return None

    def dispatch(self):
        """Assign queued invocations, FIFO (lock held)."""
        for _ in range(1 << 20):
            if not self.queue:
                break
            inv = self.queue[0]
            if inv.state != "queued":
                self.queue.popleft()
                continue
            env = self._pick_env()
            if env is None:
                if self.emu.stopping or len(self.envs) >= self.concurrency:
                    break
                self.queue.popleft()
                self.env_seq += 1
                env = Environment(self, self.env_seq)
                env.log_targets.add(inv)
                try:
                    env.start()
                except SpawnError as e:
                    msg = "RequestId: %s Error: %s" % (inv.request_id, e.message)
                    self.claim(inv, "spawn_error", error_json(msg, e.error_type), error_type=e.error_type)
                    inv.state = "done"
                    continue
                self.envs.append(env)
                self.live_envs.add(env)
                self.cold_starts += 1
                inv.cold = True
            else:
                self.queue.popleft()
            inv.state = "pending"
            inv.env = env
            inv.assigned_at = mono()
            env.pending.append(inv)
        self.cond.notify_all()

    def claim(self, inv, status, body, ct="application/json", function_error=True, error_type=None,
              await_next=False):
        """Record the result of an invocation (lock held). The claimer then calls complete(),
        unless await_next applies: like Lambda, an invocation answered through the Runtime
        API ends (END/REPORT, the caller's answer) when the runtime is back on /next, so its
        output after /response still belongs to it; the invoking thread completes it then
        (or after NEXT_GRACE_S, or when the environment goes away)."""
        inv.state = "finishing"
        inv.status = status
        inv.body = body
        inv.result_ct = ct
        inv.function_error = function_error
        inv.error_type = error_type
        inv.finished_at = mono()
        env = inv.env
        if env is not None:
            env.active.pop(inv.request_id, None)
            try:
                env.pending.remove(inv)
            except ValueError:
                pass
            inv.max_mem_kb = env.hwm_kb()
            if await_next:
                env.answered += 1
            if await_next and not self.max_concurrency and env.state == "ready":
                inv.next_mark = env.nexts
        try:
            self.queue.remove(inv)
        except ValueError:
            pass
        if inv.stream_q is not None:
            try:
                inv.stream_q.put_nowait(None)
            except queue.Full:
                pass
        self.cond.notify_all()

    def complete(self, inv, drain=0.1):
        """Let the runtime's output settle into the invocation's log, then mark it done."""
        env = inv.env
        if env is not None and drain > 0:
            env.drain_output(drain)
        with Log.lock:
            if env is not None:
                env.log_targets.discard(inv)
        with self.cond:
            if inv.state == "finishing":
                inv.state = "done"
                if env is not None and inv.status in ("success", "function_error", "too_large",
                                                      "stream_error", "runtime_error"):
                    env.completed += 1
            self.cond.notify_all()

    def timeout_locked(self, inv):
        env = inv.env
        self.claim(inv, "timeout", self.timeout_body(inv), error_type="Sandbox.Timedout")
        if env is not None:
            if self.max_concurrency and env.state == "ready":
                pass  # managed instances: the environment lives on; late answers get 410
            else:
                env.kill_locked("timeout")
        self.dispatch()

    def debug_state(self):
        with self.cond:
            return {
                "function": self.name,
                "arn": self.arn,
                "cold_starts": self.cold_starts,
                "queued": sum(1 for i in self.queue if i.state == "queued"),
                "config": {"handler": self.handler, "timeout": self.timeout, "memory": self.memory,
                           "concurrency": self.concurrency, "max_concurrency": self.max_concurrency,
                           "fault": self.fault, "code_dir": self.code_dir},
                "environments": [e.debug_state() for e in sorted(self.live_envs, key=lambda e: e.seq)
                                 if e.state != "dead"],
            }


# --------------------------------------------------------------------------- invoke API

class InvokeServer(QuietServer):
    emu = None


class InvokeHandler(BaseHandler):
    def _error(self, status, etype, message, error_kind="User"):
        self.send_json(status, {"Type": error_kind, "message": message},
                       headers=[("X-Amzn-ErrorType", etype), ("x-amzn-RequestId", str(uuid.uuid4()))])

    def do_POST(self):
        parts = self.path_only().split("/")
        if len(parts) == 5 and parts[2] == "functions":
            if parts[1] == INVOKE_API[1:] and parts[4] == "invocations":
                return self.invoke(urllib.parse.unquote(parts[3]), streaming_api=False)
            if parts[1] == STREAM_INVOKE_API[1:] and parts[4] == "response-streaming-invocations":
                return self.invoke(urllib.parse.unquote(parts[3]), streaming_api=True)
        self.discard_body()
        self._error(404, "UnknownOperationException", "Unknown operation %s %s" % (self.command, self.path))

    def do_GET(self):
        parts = self.path_only().split("/")
        if len(parts) == 6 and parts[1] == INVOKE_API[1:] and parts[2] == "functions" \
                and parts[4] == "lambda-c" and parts[5] == "debug":
            fn, _q = self.server.emu.resolve(urllib.parse.unquote(parts[3]))
            if fn is None:
                return self._not_found(urllib.parse.unquote(parts[3]))
            return self.send_json(200, fn.debug_state())
        self._error(404, "UnknownOperationException", "Unknown operation %s %s" % (self.command, self.path))

    do_PUT = do_POST
    do_DELETE = do_GET

    def _not_found(self, ident):
        emu = self.server.emu
        name, qual = emu.split_ident(ident)
        arn = "arn:aws:lambda:%s:%s:function:%s" % (emu.region, ACCOUNT_ID, name)
        if qual:
            arn += ":" + qual
        self._error(404, "ResourceNotFoundException", "Function not found: " + arn)

    def invoke(self, ident, streaming_api):
        emu = self.server.emu
        fn, _qual = emu.resolve(ident)
        if fn is None:
            self.discard_body()
            return self._not_found(ident)
        itype = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        allowed = ("RequestResponse", "DryRun") if streaming_api else ("RequestResponse", "Event", "DryRun")
        if itype not in allowed:
            self.discard_body()
            return self._error(400, "InvalidParameterValueException",
                               "Invalid invocation type: %s" % itype)
        limit = MAX_ASYNC_REQUEST if itype == "Event" else MAX_SYNC_REQUEST
        length = self.headers.get("Content-Length")
        try:
            if length is not None and int(length) > limit and int(length) > (1 << 26):
                self.close_connection = True
                return self._too_large(itype, limit)
            data, _total, _tr = read_body(self, limit)
        except (BodyError, OSError, ValueError):
            self.close_connection = True
            return self._error(400, "InvalidRequestContentException", "Could not read request body")
        if data is None:
            return self._too_large(itype, limit)
        client_context = None
        cc = self.headers.get("X-Amz-Client-Context")
        if cc:
            try:
                decoded = base64.b64decode(cc.strip(), validate=True)
                client_context = json.dumps(json.loads(decoded.decode("utf-8")), separators=(",", ":"))
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return self._error(400, "InvalidRequestContentException",
                                   "Client context must be a valid Base64-encoded JSON object.")
        if emu.stopping:
            return self._error(503, "ServiceException", "The emulator is shutting down", "Service")
        if itype == "DryRun":
            return self.send_bytes(204, b"", None, [("X-Amz-Executed-Version", LATEST),
                                                    ("x-amzn-RequestId", str(uuid.uuid4()))])
        ctype = self.headers.get("Content-Type")
        if not ctype or ctype.lower().startswith(("application/x-www-form-urlencoded",
                                                  "application/x-amz-json")):
            ctype = "application/json"
        inv = Invocation(fn, data, ctype, client_context, itype)
        if emu.args.invoke:
            emu.remember(inv)
        if itype == "Event":
            emu.start_background(inv)   # counted in flight before the caller sees the 202
            self.send_bytes(202, b"", None, [("X-Amz-Executed-Version", LATEST),
                                             ("x-amzn-RequestId", inv.request_id)])
            return
        sink = HttpStreamSink(self)
        emu.execute(inv, sink)
        if sink.started:
            return
        headers = [("X-Amz-Executed-Version", LATEST), ("x-amzn-RequestId", inv.request_id)]
        if inv.function_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if (self.headers.get("X-Amz-Log-Type") or "").lower() == "tail":
            headers.append(("X-Amz-Log-Result", inv.tail_b64()))
        try:
            self.send_bytes(200, inv.body, inv.result_ct or "application/json", headers)
        except OSError:
            self.close_connection = True
        inv.body = b""

    def _too_large(self, itype, limit):
        op = "InvokeAsync" if itype == "Event" else "Invoke"
        self._error(413, "RequestEntityTooLargeException",
                    "Request must be smaller than %d bytes for the %s operation" % (limit, op))


# --------------------------------------------------------------------------- the emulator

def _safe_member(dest, name):
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    norm = os.path.normpath(name)
    if norm == "." or norm.startswith(".." + os.sep) or norm == "..":
        return None
    return os.path.join(dest, norm)


def _remove_path(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def unzip_into(zip_path, dest):
    """Unpack a zip like Lambda: Unix modes and symlinks kept, later files overwrite."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = _safe_member(dest, info.filename)
            if target is None:
                continue
            mode = (info.external_attr >> 16) & 0xFFFF
            if info.is_dir() or stat.S_ISDIR(mode):
                if os.path.lexists(target) and not os.path.isdir(target):
                    _remove_path(target)
                os.makedirs(target, exist_ok=True)
                continue
            parent = os.path.dirname(target)
            if os.path.lexists(parent) and not os.path.isdir(parent):
                _remove_path(parent)
            os.makedirs(parent, exist_ok=True)
            if os.path.lexists(target):
                _remove_path(target)
            if stat.S_ISLNK(mode):
                os.symlink(zf.read(info).decode("utf-8"), target)
                continue
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            perm = stat.S_IMODE(mode)
            os.chmod(target, perm if perm else 0o644)


def merge_dir_into(src, dest):
    """Copy a directory tree over dest (symlinks kept, later files overwrite)."""
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        troot = dest if rel == "." else os.path.join(dest, rel)
        if os.path.lexists(troot) and not os.path.isdir(troot):
            _remove_path(troot)
        os.makedirs(troot, exist_ok=True)
        for name in list(dirs):
            s = os.path.join(root, name)
            if os.path.islink(s):
                dirs.remove(name)
                t = os.path.join(troot, name)
                if os.path.lexists(t):
                    _remove_path(t)
                os.symlink(os.readlink(s), t)
        for name in files:
            s = os.path.join(root, name)
            t = os.path.join(troot, name)
            if os.path.lexists(t):
                _remove_path(t)
            if os.path.islink(s):
                os.symlink(os.readlink(s), t)
            else:
                shutil.copy2(s, t)


def split_options(text):
    """Split on commas not escaped with a backslash."""
    parts, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            i += 2
            continue
        if c == ",":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


class UsageError(Exception):
    pass


def parse_function_spec(spec):
    parts = split_options(spec)
    name, sep, path = parts[0].partition("=")
    if not sep or not name or not path:
        raise UsageError("--function needs NAME=DIR_OR_ZIP[,option=value...]: %r" % spec)
    if not FUNCTION_NAME_RE.match(name):
        raise UsageError("invalid function name %r (letters, digits, - and _, at most 64)" % name)
    cfg = {"name": name, "path": path, "handler": name + ".handler", "timeout": 3.0, "memory": 128,
           "concurrency": 4, "max_concurrency": 0, "env": {}, "fault": None}
    for opt in parts[1:]:
        if not opt:
            continue
        key, sep, value = opt.partition("=")
        if not sep:
            raise UsageError("function option %r needs KEY=VALUE" % opt)
        try:
            if key == "handler":
                cfg["handler"] = value
            elif key == "timeout":
                cfg["timeout"] = float(value)
                if not 0 < cfg["timeout"] <= 86400:
                    raise ValueError
            elif key == "memory":
                cfg["memory"] = int(value)
                if not 1 <= cfg["memory"] <= 1 << 20:
                    raise ValueError
            elif key == "concurrency":
                cfg["concurrency"] = int(value)
                if not 1 <= cfg["concurrency"] <= 1024:
                    raise ValueError
            elif key == "max_concurrency":
                cfg["max_concurrency"] = int(value)
                if not 1 <= cfg["max_concurrency"] <= 1024:
                    raise ValueError
            elif key.startswith("env."):
                if not key[4:]:
                    raise ValueError
                cfg["env"][key[4:]] = value
            elif key == "fault":
                if value not in FAULTS:
                    raise UsageError("unknown fault %r (one of %s)" % (value, ", ".join(FAULTS)))
                cfg["fault"] = value
            else:
                raise UsageError("unknown function option %r" % key)
        except ValueError:
            raise UsageError("bad value for function option %s: %r" % (key, value))
    return cfg


class Emulator:
    def __init__(self, args):
        self.args = args
        self.region = args.region
        self.host = args.host
        self.wrapper = shlex.split(args.runtime_wrapper) if args.runtime_wrapper else []
        if self.wrapper:
            found = shutil.which(self.wrapper[0])
            if found:
                self.wrapper[0] = found
        self.functions = {}
        self.tmp_root = None
        self.layer_dir = None
        self.stopping = False
        self.server = None
        self.port = None
        self.inflight = 0
        self.inflight_cond = threading.Condition()
        self.recent = collections.OrderedDict()
        self.recent_lock = threading.Lock()
        if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
            self.credentials = {"AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
                                "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"]}
            if os.environ.get("AWS_SESSION_TOKEN"):
                self.credentials["AWS_SESSION_TOKEN"] = os.environ["AWS_SESSION_TOKEN"]
        else:
            self.credentials = {"AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
                                "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
                                "AWS_SESSION_TOKEN": DUMMY_SESSION_TOKEN}

    # ---- setup
    def _tmp(self, sub):
        if self.tmp_root is None:
            self.tmp_root = tempfile.mkdtemp(prefix="lambda-c-emulator-")
        path = os.path.join(self.tmp_root, sub)
        os.makedirs(path, exist_ok=True)
        return path

    def prepare(self):
        layers = [os.path.realpath(p) for p in (self.args.layer or [])]
        for p in layers:
            if not os.path.exists(p):
                raise UsageError("layer not found: %s" % p)
        if len(layers) == 1 and os.path.isdir(layers[0]):
            self.layer_dir = layers[0]
        else:
            self.layer_dir = self._tmp("opt")
            for p in layers:
                if os.path.isdir(p):
                    merge_dir_into(p, self.layer_dir)
                else:
                    try:
                        unzip_into(p, self.layer_dir)
                    except (zipfile.BadZipFile, OSError) as e:
                        raise UsageError("cannot unpack layer %s: %s" % (p, e))
        if not self.args.function:
            raise UsageError("at least one --function NAME=DIR_OR_ZIP is needed")
        for spec in self.args.function:
            cfg = parse_function_spec(spec)
            if cfg["name"] in self.functions:
                raise UsageError("function %s given twice" % cfg["name"])
            path = os.path.realpath(cfg["path"])
            if os.path.isdir(path):
                cfg["code_dir"] = path
            elif os.path.isfile(path):
                dest = self._tmp("task-" + cfg["name"])
                try:
                    unzip_into(path, dest)
                except (zipfile.BadZipFile, OSError) as e:
                    raise UsageError("cannot unpack function %s: %s" % (path, e))
                cfg["code_dir"] = dest
            else:
                raise UsageError("function code not found: %s" % path)
            self.functions[cfg["name"]] = Function(self, cfg)

    def start_server(self, port):
        try:
            self.server = InvokeServer((self.host, port), InvokeHandler)
        except OSError as e:
            raise UsageError("cannot listen on %s:%d: %s" % (self.host, port, e.strerror or e))
        self.server.emu = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                         name="invoke-api", daemon=True).start()

    # ---- lookups
    @staticmethod
    def split_ident(ident):
        parts = ident.split(":")
        if ident.startswith("arn:") and len(parts) >= 7 and parts[5] == "function":
            return parts[6], (parts[7] if len(parts) > 7 else None)
        if len(parts) >= 3 and parts[1] == "function":
            return parts[2], (parts[3] if len(parts) > 3 else None)
        return parts[0], (parts[1] if len(parts) > 1 else None)

    def resolve(self, ident):
        name, qual = self.split_ident(ident)
        return self.functions.get(name), qual

    def remember(self, inv):
        with self.recent_lock:
            self.recent[inv.request_id] = inv
            while len(self.recent) > 256:
                self.recent.popitem(last=False)

    def lookup(self, request_id):
        with self.recent_lock:
            return self.recent.get(request_id)

    # ---- running invocations
    def start_background(self, inv):
        with self.inflight_cond:
            self.inflight += 1      # counted before the thread runs: wait_idle() sees it
        threading.Thread(target=self.execute, args=(inv, NullSink(), True), daemon=True,
                         name="event-" + inv.request_id[:8]).start()

    def execute(self, inv, sink, counted=False):
        if not counted:
            with self.inflight_cond:
                self.inflight += 1
        try:
            self._run(inv, sink)
            self._log_end(inv)
            if not Log.quiet:
                Log.flush(0.25)   # END/REPORT reach stderr before the caller's answer
            if inv.streaming:
                sink.finish(inv)
            if inv.invoke_type == "Event":
                if not inv.ok():
                    Log.info("%s: async invocation %s failed: %s"
                             % (inv.fn.name, inv.request_id, inv.body.decode("utf-8", "replace")))
                inv.body = b""
        except Exception:
            Log.always("lambda-c-emulator: internal error in invocation %s:\n%s"
                       % (inv.request_id, traceback.format_exc()))
            if inv.status is None:
                inv.status = "service_error"
                inv.function_error = True
                inv.body = error_json("internal emulator error", "ServiceException")
        finally:
            with self.inflight_cond:
                self.inflight -= 1
                self.inflight_cond.notify_all()

    def _run(self, inv, sink):
        fn = inv.fn
        mine = False
        with fn.cond:
            fn.queue.append(inv)
            fn.dispatch()
            for _ in range(1 << 40):
                st = inv.state
                if st in ("finishing", "done", "streaming"):
                    break
                now = mono()
                if st == "queued":
                    if self.stopping:
                        fn.claim(inv, "service_error",
                                 error_json("The emulator is shutting down", "ServiceException"),
                                 error_type="ServiceException")
                        inv.state = "done"
                        break
                    fn.cond.wait(0.5)
                    continue
                if st == "pending":
                    env = inv.env
                    start = env.spawned_at if env.init_duration_ms is None else inv.assigned_at
                    limit = start + fn.timeout
                    if now >= limit:
                        fn.timeout_locked(inv)
                        mine = True
                        break
                    fn.cond.wait(min(0.5, limit - now))
                    continue
                if st == "running":
                    if now >= inv.deadline:
                        fn.timeout_locked(inv)
                        mine = True
                        break
                    fn.cond.wait(min(0.5, inv.deadline - now))
                    continue
                fn.cond.wait(0.5)
        if mine:
            fn.complete(inv, drain=0.3)
        if inv.streaming:
            self._relay(inv, sink)
        self._wait_done(inv)

    def _wait_done(self, inv):
        fn = inv.fn
        mine = False
        with fn.cond:
            end = mono() + 15.0
            while inv.state != "done" and mono() < end:
                if inv.state == "finishing" and inv.next_mark is not None:
                    env = inv.env
                    grace_end = inv.finished_at + NEXT_GRACE_S
                    if env.nexts > inv.next_mark or env.state != "ready" or mono() >= grace_end:
                        inv.next_mark = None
                        inv.finished_at = mono()
                        mine = True
                        break
                    fn.cond.wait(min(0.25, max(0.001, grace_end - mono())))
                    continue
                fn.cond.wait(0.25)
        if mine:
            fn.complete(inv, drain=0.1)
        with fn.cond:
            end = mono() + 15.0
            while inv.state != "done" and mono() < end:
                fn.cond.wait(0.25)
            if inv.state != "done":
                inv.state = "done"

    def _relay(self, inv, sink):
        fn = inv.fn
        sink.start(inv)
        mine = False
        for _ in range(1 << 40):
            try:
                item = inv.stream_q.get(timeout=0.2)
            except queue.Empty:
                with fn.cond:
                    if inv.state == "streaming" and mono() >= inv.deadline:
                        fn.timeout_locked(inv)
                        mine = True
                    if inv.state in ("finishing", "done") and inv.stream_q.empty():
                        break
                continue
            if item is not None:
                sink.write(item)
                continue
            with fn.cond:   # end marker: put by claim()
                if inv.state in ("finishing", "done") and inv.stream_q.empty():
                    break
        if mine:
            fn.complete(inv, drain=0.3)

    def _log_end(self, inv):
        fn = inv.fn
        rid = inv.request_id
        if not inv.start_logged:
            inv.start_logged = True
            Log.platform(inv, "START RequestId: %s Version: %s" % (rid, LATEST))
        if inv.status == "timeout":
            Log.platform(inv, "RequestId: %s Error: Task timed out after %.2f seconds" % (rid, fn.timeout))
        elif inv.status in ("exit", "init_error", "spawn_error", "too_large", "runtime_error",
                            "stream_error"):
            try:
                detail = json.loads(inv.body)
                text = "%s: %s" % (detail.get("errorType"), detail.get("errorMessage"))
            except (ValueError, AttributeError):
                text = inv.body.decode("utf-8", "replace")
            if inv.status == "stream_error":
                text = "RequestId: %s Error: streamed response failed: %s" % (rid, text)
            Log.platform(inv, text)
        Log.platform(inv, "END RequestId: %s" % rid)
        end = inv.finished_at or mono()
        begin = inv.started_at or inv.assigned_at or inv.created
        duration = max(0.0, (end - begin) * 1000.0)
        init = inv.init_duration_ms if inv.cold else None
        billed = max(1, int(math.ceil(duration + (init or 0.0))))
        kb = inv.max_mem_kb or (inv.env.last_hwm_kb if inv.env is not None else None) or 0
        used = int(math.ceil(kb / 1024.0))
        line = ("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB"
                "\tMax Memory Used: %d MB" % (rid, duration, billed, fn.memory, used))
        if init is not None:
            line += "\tInit Duration: %.2f ms" % init
        if inv.status == "timeout":
            line += "\tStatus: timeout"
        elif inv.status not in ("success", "function_error"):
            line += "\tStatus: error\tError Type: %s" % (inv.error_type or "Runtime.Unknown")
        Log.platform(inv, line)

    def wait_idle(self, timeout):
        end = mono() + timeout
        with self.inflight_cond:
            while self.inflight > 0 and mono() < end:
                self.inflight_cond.wait(0.25)

    # ---- shutdown
    def shutdown(self):
        self.stopping = True
        envs = []
        for fn in self.functions.values():
            with fn.cond:
                envs.extend(e for e in fn.live_envs if e.state != "dead")
                fn.cond.notify_all()
        threads = [threading.Thread(target=e.destroy, daemon=True) for e in envs]
        for t in threads:
            t.start()
        end = mono() + 8.0
        for t in threads:
            t.join(max(0.0, end - mono()))
        if self.server is not None:
            try:
                self.server.shutdown()
                self.server.server_close()
            except Exception:
                pass
        self.wait_idle(1.0)
        if self.tmp_root is not None:
            shutil.rmtree(self.tmp_root, ignore_errors=True)
            self.tmp_root = None


# --------------------------------------------------------------------------- command line

def write_port_file(path, port):
    path = os.path.abspath(path)
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_event(arg):
    if arg is None:
        return b"{}"
    if arg == "@-":
        return sys.stdin.buffer.read()
    if arg.startswith("@"):
        with open(arg[1:], "rb") as f:
            return f.read()
    return arg.encode("utf-8")


def invoke_once(emu, args, event):
    fn, _q = emu.resolve(args.invoke)
    itype = args.invocation_type
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": itype}
    if args.log_type:
        headers["X-Amz-Log-Type"] = args.log_type
    budget = (fn.timeout if fn else 3.0) * 2 + 60.0
    conn = http.client.HTTPConnection("127.0.0.1" if emu.host in ("0.0.0.0", "") else emu.host,
                                      emu.port, timeout=budget)
    try:
        conn.request("POST", "%s/functions/%s/invocations"
                     % (INVOKE_API, urllib.parse.quote(args.invoke, safe="")), body=event, headers=headers)
        resp = conn.getresponse()
        out = sys.stdout.buffer
        for _ in range(1 << 40):
            data = resp.read1(65536)
            if not data:
                break
            try:
                out.write(data)
                out.flush()
            except (BrokenPipeError, OSError):
                pass
        failed = resp.status // 100 != 2 or resp.getheader("X-Amz-Function-Error") is not None
        rid = resp.getheader("x-amzn-RequestId")
        tail = resp.getheader("X-Amz-Log-Result")
    finally:
        conn.close()
    if itype == "Event" and fn is not None:
        emu.wait_idle(fn.timeout * 2 + 30.0)
    inv = emu.lookup(rid) if rid else None
    if inv is not None and inv.status is not None and not inv.ok() and itype != "Event":
        failed = True
    if tail:
        try:
            Log.always(base64.b64decode(tail).decode("utf-8", "replace").rstrip("\n"))
        except (binascii.Error, ValueError):
            pass
    return 1 if failed else 0


def build_parser():
    p = argparse.ArgumentParser(
        prog="lambda-c-emulator",
        description="Local AWS Lambda: Runtime API + Invoke API on 127.0.0.1, running real layers.")
    p.add_argument("--layer", action="append", metavar="DIR_OR_ZIP",
                   help="a layer (unpacked in order into one /opt stand-in; repeatable)")
    p.add_argument("--function", action="append", metavar="SPEC",
                   help="NAME=DIR_OR_ZIP[,handler=H][,timeout=S][,memory=MB][,concurrency=N]"
                        "[,max_concurrency=N][,env.KEY=VALUE...][,fault=KIND] (repeatable)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None,
                   help="Invoke API port (default 9001, or a free one with --invoke; 0 = pick a free port)")
    p.add_argument("--port-file", metavar="FILE", help="write the port number here once listening")
    p.add_argument("--runtime-wrapper", metavar="CMD",
                   help="command prefix for the bootstrap, e.g. 'valgrind --error-exitcode=99'")
    p.add_argument("--region", default=os.environ.get("AWS_REGION") or "us-east-1")
    p.add_argument("--quiet", action="store_true",
                   help="no runtime output and no START/END/REPORT lines on stderr")
    p.add_argument("--invoke", metavar="NAME", help="invoke NAME once, print the answer, exit")
    p.add_argument("--event", metavar="JSON_OR_@FILE", help="event for --invoke (default {}; @- = stdin)")
    p.add_argument("--invocation-type", default="RequestResponse",
                   choices=("RequestResponse", "Event", "DryRun"))
    p.add_argument("--log-type", choices=("Tail", "None"), default=None,
                   help="Tail: also print the invocation's log tail (X-Amz-Log-Result) to stderr")
    p.add_argument("--version", action="version", version="lambda-c-emulator " + VERSION)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.log_type == "None":
        args.log_type = None
    Log.quiet = args.quiet
    port = args.port
    if port is None:
        port = 0 if args.invoke else 9001
    emu = Emulator(args)
    stop = threading.Event()
    interrupted = []

    def on_signal(signum, _frame):
        stop.set()
        if args.invoke and not interrupted:
            interrupted.append(signum)
            raise KeyboardInterrupt()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    rc = 0
    try:
        emu.prepare()
        event = None
        if args.invoke:
            if emu.resolve(args.invoke)[0] is None:
                raise UsageError("--invoke: unknown function %s" % args.invoke)
            try:
                event = read_event(args.event)
            except OSError as e:
                raise UsageError("--event: %s" % e)
        emu.start_server(port)
        Log.always("lambda-c-emulator listening on http://%s:%d" % (emu.host, emu.port))
        if args.port_file:
            write_port_file(args.port_file, emu.port)
        if args.invoke:
            rc = invoke_once(emu, args, event)
        else:
            while not stop.wait(1.0):
                pass
    except UsageError as e:
        Log.always("lambda-c-emulator: error: %s" % e)
        rc = 2
    except KeyboardInterrupt:
        rc = 130
    finally:
        try:
            emu.shutdown()
        except KeyboardInterrupt:
            pass
        Log.flush(3.0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
