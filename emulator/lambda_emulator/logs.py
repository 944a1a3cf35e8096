"""The emulator's stderr and the logs of invocations (START/END/REPORT lines, Tail)."""
import collections
import json
import math
import sys
import threading

from .util import mono


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
    def runtime_line(cls, env, line, kind=None):
        """A line of an environment: its runtime's output (kind "function"), an extension's
        ("extension") or a platform line (None). It goes to the logs of the environment's
        current invocations, to stderr and to Telemetry API subscribers of that kind."""
        with cls.lock:
            for inv in list(env.log_targets):
                inv.add_log(line)
            if not cls.quiet:
                cls._write(line + b"\n")
        if kind is not None:
            env.telemetry.line(kind, line.decode("utf-8", "replace"))


def log_end(inv):
    """The END and REPORT lines of an invocation (and its error line, and START if the
    runtime never got it)."""
    fn = inv.fn
    rid = inv.request_id
    if not inv.start_logged:
        inv.start_logged = True
        Log.platform(inv, "START RequestId: %s Version: %s" % (rid, inv.version))
    if inv.status == "timeout":
        Log.platform(inv, "RequestId: %s Error: Task timed out after %.2f seconds" % (rid, fn.timeout))
    elif inv.status in ("exit", "oom", "init_error", "spawn_error", "too_large", "runtime_error",
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
    if inv.env is not None:
        metrics = {"durationMs": round(duration, 3), "billedDurationMs": billed, "memorySizeMB": fn.memory,
                   "maxMemoryUsedMB": used}
        if init is not None:
            metrics["initDurationMs"] = round(init, 3)
        inv.env.telemetry.platform("report", telemetry_record(inv, metrics))


def telemetry_status(inv):
    """Lambda's status of an invocation in telemetry: success, error (the function's own),
    timeout or failure (the runtime or the platform)."""
    if inv.status == "success":
        return "success"
    if inv.status in ("function_error", "stream_error"):
        return "error"
    return "timeout" if inv.status == "timeout" else "failure"


def telemetry_record(inv, metrics):
    """The record of platform.runtimeDone and platform.report."""
    record = {"requestId": inv.request_id, "status": telemetry_status(inv), "metrics": metrics,
              "tracing": {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}}
    if record["status"] != "success":
        record["errorType"] = inv.error_type or "Runtime.Unknown"
    return record
