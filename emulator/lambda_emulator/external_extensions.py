"""External extensions: the executables in /opt/extensions (the layers' extensions/ folders).
As on Lambda they start before the runtime, in name order, each registering through the
Extensions API with its file name; at most 10. Shutdown comes after the runtime's: telemetry
is flushed, SHUTDOWN is sent, and what is still running after 2 s in all gets SIGKILL."""
import os
import signal
import subprocess
import threading
import time

from . import extensions_api
from .logs import Log
from .output import OutputReader
from .util import SIGNAL_TEXT, mono

MAX_EXTENSIONS = 10
RUNTIME_SHUTDOWN_S = 0.5     # SIGTERM to SIGKILL for the runtime when extensions are registered
SHUTDOWN_BUDGET_S = 2.0      # the whole shutdown, runtime and extensions, with external extensions
TELEMETRY_FLUSH_S = 0.5
# Lambda does not give extensions these variables of the runtime's environment.
HIDDEN_ENV = ("AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
              "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS", "LAMBDA_RUNTIME_DIR",
              "LAMBDA_TASK_ROOT", "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT", "_HANDLER")


def discover(layer_dir):
    """The extension executables of the merged layers, in the order Lambda starts them."""
    folder = os.path.join(layer_dir, "extensions")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    paths = [os.path.join(folder, n) for n in names]
    return [p for p in paths if os.path.isfile(p) and os.access(p, os.X_OK)]


def extension_environment(runtime_env):
    return {k: v for k, v in runtime_env.items() if k not in HIDDEN_ENV}


def exit_text(returncode):
    if returncode is None:
        return "exit status unknown"
    if returncode < 0:
        return "signal: " + SIGNAL_TEXT.get(-returncode, "signal %d" % -returncode)
    return "exit status %d" % returncode


class ExtensionProcess:
    def __init__(self, env, path):
        self.env = env
        self.path = path
        self.name = os.path.basename(path)
        self.proc = None
        self.lock = threading.Lock()
        self.exited = threading.Event()
        self.exit_desc = None
        self.readers = []

    def start(self, environ):
        """Raises OSError when the file cannot be executed."""
        self.proc = subprocess.Popen([self.path], cwd=os.path.dirname(self.path), env=environ,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True, close_fds=True)
        self.readers = [OutputReader(self.env, self.proc.stdout, "extension", self.exited),
                        OutputReader(self.env, self.proc.stderr, "extension", self.exited)]
        threading.Thread(target=self._watch, name="extension-%d" % self.proc.pid, daemon=True).start()

    def _watch(self):
        # Wait without reaping first: while the extension is a zombie its pid, and so the id
        # of its process group, cannot be reused, so the killpg below can only reach what the
        # extension started, never a new process that got the same number.
        try:
            os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOWAIT)
        except (ChildProcessError, OSError):
            pass
        with self.lock:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # whatever it started goes too
            except (ProcessLookupError, PermissionError):
                pass
            rc = self.proc.wait()
            self.exit_desc = exit_text(rc)
            self.exited.set()
        self.env.on_extension_exit(self)

    def signal(self, sig):
        with self.lock:
            if self.proc is None or self.exited.is_set():
                return
            try:
                os.killpg(self.proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def state(self):
        return {"name": self.name, "pid": self.proc.pid if self.proc else None,
                "exited": self.exited.is_set(), "exit": self.exit_desc}


def start_all(env, paths, environ):
    """Starts every extension; on a failure stops the ones started and raises OSError."""
    started = []
    for path in paths:
        p = ExtensionProcess(env, path)
        try:
            p.start(environ)
        except OSError:
            for q in started:
                q.signal(signal.SIGKILL)
            raise
        started.append(p)
    return started


def shutdown(env, reason, deadline):
    """After the runtime is gone: flush telemetry, send SHUTDOWN (deadline: monotonic), wait
    for the extensions to exit until the deadline, then SIGKILL what is left."""
    procs = env.ext_procs
    env.telemetry.flush(min(TELEMETRY_FLUSH_S, max(0.0, deadline - mono())))
    deadline_ms = int((time.time() + max(0.0, deadline - mono())) * 1000)
    with env.fn.cond:
        extensions_api.queue_shutdown(env, reason, deadline_ms)
        env.fn.cond.notify_all()
    for p in procs:
        p.exited.wait(max(0.0, deadline - mono()))
    late = [p.name for p in procs if not p.exited.is_set()]
    if late:
        Log.info("%s: extension(s) %s still running at the end of shutdown: SIGKILL"
                 % (env.fn.name, ", ".join(late)))
    for p in procs:
        p.signal(signal.SIGKILL)
    for p in procs:
        p.exited.wait(2.0)
        for r in p.readers:
            r.done.wait(1.0)
