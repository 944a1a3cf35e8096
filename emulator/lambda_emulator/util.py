"""Small helpers shared by every module: clocks, JSON, error bodies, trace ids, polling."""
import json
import os
import select
import signal
import socket
import time


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


