"""Execution environments: the bootstrap process, its output, its Runtime API listener, its
lifecycle (init, ready, stopping, dead) and shutdown."""
import collections
import os
import signal
import subprocess
import threading
import time
import uuid

from . import VERSION, extensions_api, runtime_api
from .invocation import State
from .limits import EXTENSION_GRACE_S, PASSTHROUGH_ENV, WRAPPER_GRACE_S
from .logs import Log
from .util import SIGNAL_TEXT, error_json, mono, poll_fd, read_hwm_kb


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


class SpawnError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


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
        self.init_reported = False
        self.log_stream = "%s/[%s]%s" % (time.strftime("%Y/%m/%d", time.gmtime()), fn.version, uuid.uuid4().hex)

    # ---- platform log lines of the environment (they go to its invocations' logs)
    def platform_line(self, text):
        Log.runtime_line(self, text.encode("utf-8", "replace"))

    def init_report(self, status, error_type=None):
        """INIT_REPORT, logged by Lambda when init fails or times out."""
        if self.init_reported:
            return
        self.init_reported = True
        line = "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s" % (
            (mono() - self.spawned_at) * 1000.0, status)
        if error_type:
            line += "\tError Type: %s" % error_type
        self.platform_line(line)

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
            "AWS_LAMBDA_FUNCTION_VERSION": fn.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + fn.name,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_REGION": emu.region,
            "AWS_DEFAULT_REGION": emu.region,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            # Lambda's: /var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:
            # /var/task/lib:/opt/lib, with the function and layer folders in place of /var/task
            # and /opt (the /var/lang and /var/runtime folders of Amazon Linux do not exist here)
            "LD_LIBRARY_PATH": "/lib64:/usr/lib64:%s:%s/lib:%s/lib" % (fn.code_dir, fn.code_dir, emu.layer_dir),
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
        self.server = runtime_api.RuntimeApiServer(("127.0.0.1", 0), runtime_api.RuntimeApiHandler)
        self.server.env = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                         name="runtime-api-%d" % self.port, daemon=True).start()
        argv = list(self.emu.wrapper) + [bootstrap]
        self.platform_line("INIT_START Runtime Version: provided:al2023.lambda-c-emulator-%s\t"
                           "Runtime Version ARN: arn:aws:lambda:%s::runtime:lambda-c-emulator-%s"
                           % (VERSION, self.emu.region, VERSION))
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
                extensions_api.queue_shutdown(self, reason)
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
            victims = [inv for inv in self.active.values() if inv.state in State.ACTIVE]
            if never_ready and self.pending and not timed_out:
                self.init_report("error", "Runtime.ExitError")
            if never_ready:
                for inv in self.pending:
                    if inv.state == State.PENDING:
                        if inv.cold:
                            inv.init_duration_ms = (mono() - self.spawned_at) * 1000.0
                        victims.append(inv)
            else:
                for inv in reversed(list(self.pending)):
                    if inv.state == State.PENDING:  # not delivered yet: give it to another environment
                        inv.move_to(State.QUEUED)
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


