"""Supervision of execution environments, as Lambda's sandbox does it:

- membership: an environment's processes are its roots (the bootstrap, and any process the
  emulator starts for it), their descendants, and orphans they left: with the emulator as
  child subreaper an orphan becomes the emulator's child, and is attributed to the
  environment it was seen in, or by the environment marker it inherited;
- the Runtime API of an environment answers only connections whose other end is held by
  one of its processes (any other local process is refused before a byte is read);
- memory: the function's memory size is enforced as on Lambda: when the runtime's peak
  resident size (VmHWM), or the resident size of all the environment's processes together,
  passes it, the environment is killed and its invocation answers Runtime.OutOfMemory.
  The peak is polled every POLL_S, all the processes every FULL_SCAN_EVERY polls (the peak
  is also checked when the runtime answers, so a short burst between two polls is caught); not enforced under --runtime-wrapper or a sanitizer,
  whose own memory would count;
- cleanup: when an environment ends, every member is killed (a handler's child that called
  setsid included), and reaped when it is the emulator's child.

All of it reads /proc: unprivileged, no cgroups needed (cgroups are often read-only in
containers), and the same as root."""
import os
import signal
import threading
import time

from . import procs
from .logs import Log

POLL_S = 0.1
FULL_SCAN_EVERY = 20             # the whole process table every 20 polls (2 s)
SANITIZER_VSIZE_KB = 1 << 30     # 1 TiB of address space: sanitizer shadow memory
REFUSAL_LOG_MAX = 3

_subreaper = None


def start(emu):
    """Make the emulator a subreaper and start the polling thread (once)."""
    global _subreaper
    if _subreaper is None:
        _subreaper = procs.become_subreaper()
    t = threading.Thread(target=_loop, args=(emu,), name="supervisor", daemon=True)
    t.start()
    return t


def roots(env):
    out = set(env.extra_roots) | set(env.extension_pids)
    if env.pid is not None:
        out.add(env.pid)
    return out


def members(env, table):
    """The pids of env's processes in table (a procs.snapshot()); remembers them so that
    they stay attributed once orphaned."""
    own = roots(env)
    me = os.getpid()
    orphans = set()
    for p in table.values():
        if p.ppid != me or p.pid in own:
            continue
        seen = env.known.get(p.pid)
        if (seen is not None and seen == p.start) or (seen is None and p.state != "Z" and
                                                      procs.has_marker(p.pid, env.marker)):
            orphans.add(p.pid)
    found = (own | orphans | procs.descendants(table, own | orphans)) - {me}
    found = {pid for pid in found if pid in table}
    for pid in found:
        env.known[pid] = table[pid].start
    for pid, start in list(env.known.items()):    # (several threads call this)
        if pid not in table or table[pid].start != start:
            env.known.pop(pid, None)
    return found


def owns_connection(env, sock):
    """True when the other end of sock (an accepted loopback connection) is held by a
    process of env."""
    try:
        if not procs.loopback(sock.getpeername()[0]):
            return False
    except OSError:
        return False
    env.pid_known.wait(5.0)    # the bootstrap may connect before Popen() has returned its pid
    inode = procs.peer_socket_inode(sock)
    if inode is not None:
        for pid in roots(env):
            if procs.holds_socket(pid, inode):
                return True
        for pid in members(env, procs.snapshot()) - roots(env):
            if procs.holds_socket(pid, inode):
                return True
    env.refused_connections += 1
    if env.refused_connections <= REFUSAL_LOG_MAX:
        Log.info("%s: refused a Runtime API connection from a process outside the environment"
                 % env.fn.name)
    return False


def kill_all(env, spare=()):
    """SIGKILL every process of env except the trees of spare (external extensions, which
    are shut down after the runtime); reap the orphans among them that are the emulator's
    children (the caller reaps the bootstrap, and extensions, through their Popen). Bounded."""
    own = roots(env)
    spare = set(spare)

    def find(table):
        found = members(env, table)
        if spare:
            found -= spare | procs.descendants(table, spare)
        return found, own
    return _kill_until_gone(find)


def kill_leftovers():
    """At exit: every remaining child of the emulator is an orphan left by an environment
    (the environments are gone): kill and reap them, and what they started."""
    def find(table):
        mine = {pid for pid, p in table.items() if p.ppid == os.getpid()}
        return mine | procs.descendants(table, mine), set()
    return _kill_until_gone(find)


def _kill_until_gone(find):
    """find(table) -> (pids to kill, pids not to reap); repeated until none is alive."""
    me = os.getpid()
    for _ in range(50):
        table = procs.snapshot()
        found, keep = find(table)
        live = [pid for pid in found if table[pid].state != "Z"]
        for pid in found - keep:
            if table[pid].ppid == me and table[pid].state == "Z":
                _reap(pid)
        if not live:
            return True
        for pid in live:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    return False


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _enforced(env, vsize_kb):
    if env.emu.wrapper:
        reason = "the runtime runs under --runtime-wrapper"
    elif vsize_kb is not None and vsize_kb >= SANITIZER_VSIZE_KB:
        reason = "the runtime runs under a sanitizer (shadow memory)"
    else:
        return True
    if not env.memory_note:
        env.memory_note = reason
        Log.info("%s: memory size %d MB not enforced: %s" % (env.fn.name, env.fn.memory, reason))
    return False


def over_memory(env, pids=None):
    """True when env has used more than its function's memory size: the bootstrap's peak,
    or the resident memory of pids (its members) together."""
    if env.pid is None or env.proc_exited.is_set():
        return False
    hwm, _rss, vsize = procs.memory_kb(env.pid)
    if not _enforced(env, vsize):
        return False
    used = hwm or 0
    if pids:
        used = max(used, sum(procs.memory_kb(pid)[1] or 0 for pid in pids))
    env.last_hwm_kb = max(env.last_hwm_kb or 0, used)
    return used > env.fn.memory * 1024


def kill_for_memory(env):
    fn = env.fn
    with fn.cond:
        if env.state == "dead" or env.kill_reason == "oom":
            return
        env.kill_reason = "oom"
        env.kill_locked("oom")


def _loop(emu):
    tick = 0
    for _ in range(1 << 62):
        if emu.stopping:
            return
        time.sleep(POLL_S)
        tick += 1
        envs = []
        for fn in list(emu.functions.values()):
            with fn.cond:
                envs.extend(e for e in fn.live_envs if e.state != "dead" and e.pid is not None)
        if not envs:
            continue
        table = procs.snapshot() if tick % FULL_SCAN_EVERY == 0 else None
        me = os.getpid()
        for env in envs:
            try:
                pids = members(env, table) if table is not None else None
                if over_memory(env, pids):
                    kill_for_memory(env)
                    continue
                for pid in (pids or set()) - roots(env):
                    if table[pid].ppid == me and table[pid].state == "Z":
                        _reap(pid)   # an orphan of this environment that ended
            except Exception:   # never let supervision kill the emulator
                continue
