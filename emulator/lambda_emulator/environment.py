"""Execution environments: the bootstrap process, its output, its Runtime API listener, its
lifecycle (init, ready, stopping, dead) and shutdown."""
import collections
import os
import signal
import subprocess
import threading
import time
import uuid

from . import VERSION, external_extensions, procs, runtime_api, supervisor
from .external_extensions import MAX_EXTENSIONS, RUNTIME_SHUTDOWN_S, SHUTDOWN_BUDGET_S
from .invocation import State
from .limits import EXTENSION_GRACE_S, PASSTHROUGH_ENV, RUNTIME_API_MAX_CONNECTIONS, WRAPPER_GRACE_S
from .logs import Log
from .output import OutputReader
from .telemetry import Telemetry
from .util import SIGNAL_TEXT, error_json, mono, read_hwm_kb


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
        self.code_dir = fn.code_dir          # the code and layers it was started with
        self.layer_dir = fn.emu.layer_dir
        self.retired = False                 # newer code exists: ends after its invocation
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
        self.extensions = {}          # registered (internal and external) by identifier
        self.expected_extensions = set()   # names of the external extensions started
        self.ext_procs = []
        self.ext_closed = False       # every extension is gone: parked event/next end
        self.ext_shutdown = None      # threading.Event once their shutdown has begun
        self.boot_thread = None
        self.destroying = False
        self.init_failure = None      # {"type", "body", "message"} once init failed
        self.crash_error = None       # an extension crashed after init
        self.telemetry = Telemetry(self)
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
        # supervision (supervisor.py): other processes the emulator starts for this
        # environment (extension_pids: its external extensions, spared until their shutdown), processes seen in it {pid: start time}, the marker its processes inherit
        self.extra_roots = set()
        self.known = {}
        self.marker = procs.MARKER_VAR + self.log_stream.encode()
        self.refused_connections = 0
        self.pid_known = threading.Event()   # the bootstrap may connect before Popen() returns
        self.memory_note = None
        self.extension_pids = set()

    # ---- platform log lines of the environment (they go to its invocations' logs)
    def platform_line(self, text):
        Log.runtime_line(self, text.encode("utf-8", "replace"))

    def init_record(self, status, error_type=None, **extra):
        record = {"initializationType": self.init_type(), "phase": "init", "status": status}
        if error_type:
            record["errorType"] = error_type
        record.update(extra)
        return record

    def init_type(self):
        return "lambda-managed-instances" if self.fn.max_concurrency else "on-demand"

    def init_report(self, status, error_type=None):
        """INIT_REPORT, logged by Lambda when init fails or times out (and the telemetry of
        the failed init)."""
        if self.init_reported:
            return
        self.init_reported = True
        duration = (mono() - self.spawned_at) * 1000.0
        line = "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s" % (duration, status)
        if error_type:
            line += "\tError Type: %s" % error_type
        self.platform_line(line)
        self.telemetry.platform("initRuntimeDone", self.init_record(status, error_type))
        self.telemetry.platform("initReport", self.init_record(
            status, error_type, metrics={"durationMs": round(duration, 3)}))

    # ---- init: ends when the runtime and every extension wait for their next event
    def extensions_ready(self):
        return all(e["parked"] > 0 and not e["queue"] for e in self.extensions.values() if e["events"])

    def maybe_ready_locked(self):
        if self.state != "init" or self.parked == 0 or self.init_failure or not self.extensions_ready():
            return
        self.state = "ready"
        self.init_duration_ms = (mono() - self.spawned_at) * 1000.0
        for p in self.pending:
            if p.cold:
                p.init_duration_ms = self.init_duration_ms
        self.telemetry.platform("initRuntimeDone", self.init_record("success"))
        self.telemetry.platform("initReport", self.init_record(
            "success", metrics={"durationMs": round(self.init_duration_ms, 3)}))
        self.fn.dispatch()
        self.fn.cond.notify_all()

    def failure_body(self, inv):
        f = self.init_failure or self.crash_error
        if f.get("body") is not None:
            return f["body"]
        return error_json("RequestId: %s Error: %s" % (inv.request_id, f["message"]), f["type"])

    def fail_init_locked(self, etype, body, message):
        """Init failed (fn.lock held): the invocations waiting for this environment get the
        error (the first invoke gets an /init/error body as is) and the environment goes."""
        fn = self.fn
        if self.init_failure is not None or self.state != "init":
            return
        self.init_failure = {"type": etype, "body": body, "message": message}
        self.init_duration_ms = (mono() - self.spawned_at) * 1000.0
        self.init_report("error", etype)
        self.state = "stopping"
        self.kill_reason = "failure"      # the extensions' SHUTDOWN reason
        fn.remove_env(self)
        victims = []
        for inv in list(self.pending):
            if inv.state == State.PENDING:
                if inv.cold:
                    inv.init_duration_ms = self.init_duration_ms
                fn.claim(inv, "init_error", self.failure_body(inv), error_type=etype)
                victims.append(inv)
        self.pending.clear()
        fn.cond.notify_all()

        def finish():
            for inv in victims:
                fn.complete(inv)
            self.destroy("failure")
        threading.Thread(target=finish, daemon=True).start()

    def on_extension_exit(self, ext):
        fn = self.fn
        with fn.cond:
            if self.state == "init":
                self.fail_init_locked("Extension.Crash", None, "extension %s exited: %s" % (ext.name, ext.exit_desc))
            elif self.state == "ready":
                Log.info("%s: extension %s exited (%s): the environment is reset" % (fn.name, ext.name, ext.exit_desc))
                self.crash_error = {"type": "Extension.Crash", "body": None,
                                    "message": "extension %s exited: %s" % (ext.name, ext.exit_desc)}
                self.kill_locked("failure")
            fn.cond.notify_all()

    # ---- process
    def find_bootstrap(self):
        for candidate in (os.path.join(self.code_dir, "bootstrap"),
                          os.path.join(self.layer_dir, "bootstrap")):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None

    def build_env(self):
        fn, emu = self.fn, self.emu
        env = {
            "_HANDLER": fn.handler,
            "LAMBDA_TASK_ROOT": self.code_dir,
            "LAMBDA_RUNTIME_DIR": self.layer_dir,
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
            "LD_LIBRARY_PATH": "/lib64:/usr/lib64:%s:%s/lib:%s/lib" % (self.code_dir, self.code_dir, self.layer_dir),
            "PATH": "/usr/local/bin:/usr/bin:/bin:%s/bin" % self.layer_dir,
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
        """Called with fn.lock held. Raises SpawnError. External extensions start first; the
        runtime follows once each has registered (a boot thread waits for that)."""
        bootstrap = self.find_bootstrap()
        if bootstrap is None:
            raise SpawnError("Runtime.InvalidEntrypoint",
                             "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
        extensions = external_extensions.discover(self.layer_dir)
        if len(extensions) > MAX_EXTENSIONS:
            raise SpawnError("Extension.TooManyExtensions", "%d extensions in /opt/extensions, at most %d"
                             % (len(extensions), MAX_EXTENSIONS))
        self.server = runtime_api.RuntimeApiServer(("127.0.0.1", 0), runtime_api.RuntimeApiHandler)
        self.server.env = self
        self.server.host_policy = self.emu.host_policy
        # each extension holds an event/next and may call the APIs meanwhile
        self.server.max_connections = (RUNTIME_API_MAX_CONNECTIONS + 2 * self.fn.max_concurrency
                                       + 2 * len(extensions))
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                         name="runtime-api-%d" % self.port, daemon=True).start()
        argv = list(self.emu.wrapper) + [bootstrap]
        runtime_version = "provided:al2023.lambda-c-emulator-" + VERSION
        version_arn = "arn:aws:lambda:%s::runtime:lambda-c-emulator-%s" % (self.emu.region, VERSION)
        self.platform_line("INIT_START Runtime Version: %s\tRuntime Version ARN: %s" % (runtime_version, version_arn))
        self.telemetry.platform("initStart", {
            "initializationType": self.init_type(), "phase": "init", "runtimeVersion": runtime_version,
            "runtimeVersionArn": version_arn, "functionName": self.fn.name,
            "functionVersion": self.fn.version})
        if not extensions:
            return self._spawn_runtime(argv)
        self.expected_extensions = {os.path.basename(p) for p in extensions}
        try:
            self.ext_procs = external_extensions.start_all(
                self, extensions, external_extensions.extension_environment(self.build_env()))
        except OSError as e:
            self._close_server()
            raise SpawnError("Extension.LaunchError", "fork/exec extension: %s" % (e.strerror or e))
        self.extension_pids.update(p.proc.pid for p in self.ext_procs)
        self.pid_known.set()     # the extensions' connections are recognised from now on
        self.boot_thread = threading.Thread(target=self._boot, args=(argv,), name="boot", daemon=True)
        self.boot_thread.start()
        return None

    def _boot(self, argv):
        """Waits until every external extension has registered, then starts the runtime."""
        fn = self.fn
        with fn.cond:
            for _ in range(1 << 40):
                registered = {e["name"] for e in self.extensions.values() if e["external"]}
                if self.state != "init" or self.expected_extensions <= registered:
                    break
                fn.cond.wait(0.1)
            go = self.state == "init"
        if go:
            try:
                self._spawn_runtime(argv)
                return
            except SpawnError as e:
                with fn.cond:
                    self.fail_init_locked(e.error_type, None, e.message)
        self._end_without_runtime()

    def _end_without_runtime(self):
        """The environment ends before its runtime ever started."""
        fn = self.fn
        victims = []
        with fn.cond:
            self.state = "dead"
            fn.remove_env(self)
            fn.live_envs.discard(self)
            for inv in list(self.pending):
                if inv.state == State.PENDING:
                    msg = "RequestId: %s Error: the environment stopped during init" % inv.request_id
                    fn.claim(inv, "exit", error_json(msg, "Runtime.Unknown"), error_type="Runtime.Unknown")
                    victims.append(inv)
            self.pending.clear()
            fn.dispatch()
            fn.cond.notify_all()
        for inv in victims:
            fn.complete(inv, drain=0.0)
        self.shutdown_extensions(self.kill_reason or "failure")
        self.pid_known.set()
        self.proc_exited.set()
        self.finished.set()

    def _spawn_runtime(self, argv):
        self.pid_known.clear()   # a connection of the runtime waits until its pid is known
        try:
            self.proc = subprocess.Popen(argv, cwd=self.code_dir, env=self.build_env(),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, start_new_session=True,
                                         close_fds=True)
        except OSError as e:
            self.pid_known.set()
            self._close_server()
            raise SpawnError("Runtime.InvalidEntrypoint", "fork/exec %s: %s"
                             % (argv[0], (e.strerror or str(e)).lower()))
        self.pid = self.proc.pid
        self.pid_known.set()
        self.readers = [OutputReader(self, self.proc.stdout), OutputReader(self, self.proc.stderr)]
        threading.Thread(target=self._watch, name="watch-%d" % self.pid, daemon=True).start()
        with self.fn.cond:
            # Stopped while it was starting (kill_locked found no pid to signal). Not "ready":
            # the runtime may already have reached /next, ended init and taken an invocation
            # before this thread got the lock back (a thread of its own starts it after the
            # external extensions registered).
            if self.state in ("stopping", "dead"):
                self.signal_group(signal.SIGKILL)

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
        """Shut the environment down as Lambda does: without extensions SIGKILL; with an
        internal extension SIGTERM + 500 ms + SIGKILL; with external extensions the runtime's
        SIGTERM + 500 ms, then SHUTDOWN to the extensions, 2 s in all. A --runtime-wrapper
        (valgrind, strace) always gets SIGTERM and WRAPPER_GRACE_S, to write its report."""
        fn = self.fn
        with fn.cond:
            if self.state == "dead" and not self.ext_procs:
                return
            self.destroying = True
            if self.kill_reason is None:
                self.kill_reason = reason
            if self.state in ("init", "ready"):
                self.state = "stopping"
            fn.remove_env(self)
            has_ext = bool(self.extensions) or bool(self.ext_procs)
            fn.cond.notify_all()
        if self.pid is None:             # still booting its extensions: _boot ends it
            self.finished.wait(5.0)
            return
        budget_end = mono() + SHUTDOWN_BUDGET_S
        if has_ext or self.emu.wrapper:
            self.signal_group(signal.SIGTERM)
            grace = EXTENSION_GRACE_S if not self.ext_procs else RUNTIME_SHUTDOWN_S
            self.proc_exited.wait(WRAPPER_GRACE_S if self.emu.wrapper else grace)
        self.signal_group(signal.SIGKILL)
        self.finished.wait(5.0)
        self.shutdown_extensions(self.kill_reason or reason, max(budget_end, mono() + 0.5))

    def shutdown_extensions(self, reason, deadline=None):
        """After the runtime: SHUTDOWN to the extensions and their end (once; a second caller
        waits for the first)."""
        with self.fn.cond:
            started = self.ext_shutdown
            if started is None:
                self.ext_shutdown = threading.Event()
        if started is not None:
            started.wait(SHUTDOWN_BUDGET_S + 3.0)
            return
        try:
            if self.ext_procs or self.extensions:
                external_extensions.shutdown(self, reason, deadline or mono() + SHUTDOWN_BUDGET_S)
            if self.extension_pids:
                self.extension_pids.clear()
                supervisor.kill_all(self)   # what the extensions left behind
        finally:
            with self.fn.cond:
                self.ext_closed = True
                self.fn.cond.notify_all()
            self.telemetry.close()
            self._close_server()
            self.ext_shutdown.set()

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
            # and what left the process group or session (extensions go after their SHUTDOWN)
            supervisor.kill_all(self, spare=self.extension_pids)
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
            oom = self.kill_reason == "oom"
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
                elif oom:
                    msg = "RequestId: %s Error: Runtime exited with error: signal: killed" % inv.request_id
                    fn.claim(inv, "oom", error_json(msg, "Runtime.OutOfMemory"), error_type="Runtime.OutOfMemory")
                elif self.init_failure or self.crash_error:
                    etype = (self.init_failure or self.crash_error)["type"]
                    fn.claim(inv, "exit", self.failure_body(inv), error_type=etype)
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
        with fn.cond:
            fn.cond.notify_all()
        self.finished.set()
        if not self.destroying:   # destroy() does this itself after the runtime's end
            self.shutdown_extensions(self.kill_reason or "failure")

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
            "external_extensions": [p.state() for p in self.ext_procs],
            "telemetry_subscriptions": self.telemetry.stats(),
            "init_duration_ms": None if self.init_duration_ms is None else round(self.init_duration_ms, 2),
            "log_stream_name": self.log_stream,
            "code_dir": self.code_dir,
            "retired": self.retired,
        }


