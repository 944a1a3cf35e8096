"""Reading a process's stdout or stderr line by line: every line goes to stderr, to the log
of the environment's current invocation(s) and to Telemetry API subscribers."""
import os
import threading
import time

from .logs import Log
from .util import mono, poll_fd


class OutputReader:
    """Reads one pipe of a runtime line by line; every line goes to stderr and to the
    log of the environment's current invocation(s)."""

    MAX_LINE = 262144

    def __init__(self, env, pipe, kind="function", exited=None):
        self.env = env
        self.kind = kind
        self.exited = exited if exited is not None else env.proc_exited   # the writer's exit
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
            Log.runtime_line(self.env, line, self.kind)
        if self.buf and (final or len(self.buf) > self.MAX_LINE):
            line, self.buf = self.buf, b""
            Log.runtime_line(self.env, line, self.kind)

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
                    if self.exited.is_set():
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
