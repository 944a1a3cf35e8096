"""The function registry: each function's configuration (from --function), its
environments, its queue of invocations and their dispatch to environments."""
import collections
import queue
import re
import threading

from .environment import Environment, SpawnError
from .faults import FAULTS
from .invocation import State
from .limits import ACCOUNT_ID, LATEST
from .logs import Log, telemetry_record
from .util import error_json, mono

FUNCTION_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
VERSION_RE = re.compile(r"^[1-9][0-9]{0,9}$")
ALIAS_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class Function:
    """One version of a function ($LATEST or a declared number): its settings, environments
    and queue. The $LATEST object also holds the declared versions and aliases."""

    def __init__(self, emu, cfg, version=LATEST):
        self.emu = emu
        self.cfg = cfg
        self.version = version
        self.name = cfg["name"]
        self.code_dir = cfg["code_dir"]
        self.handler = cfg["handler"]
        self.timeout = cfg["timeout"]
        self.memory = cfg["memory"]
        self.concurrency = cfg["concurrency"]
        self.max_concurrency = cfg["max_concurrency"]
        self.env_extra = cfg["env"]
        self.fault = cfg["fault"]
        self.throttle = cfg["overflow"] == "throttle"
        self.arn = "arn:aws:lambda:%s:%s:function:%s" % (emu.region, ACCOUNT_ID, self.name)
        self.versions = {}
        self.aliases = dict(cfg["aliases"])
        if version == LATEST:
            self.versions = {v: Function(emu, cfg, v) for v in cfg["versions"]}
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.envs = []            # environments that may take invocations (init/ready)
        self.live_envs = set()    # every environment whose process has not been reaped
        self.queue = collections.deque()
        self.cold_starts = 0
        self.env_seq = 0

    def retire_environments(self, why):
        """Newer code or layers: no new invocation goes to the current environments; idle
        ones are shut down now, busy ones after their invocation (complete())."""
        idle = []
        with self.cond:
            for env in list(self.envs):
                self.remove_env(env)
                env.retired = True
                if not env.active and not env.pending:
                    idle.append(env)
            self.cond.notify_all()
        if idle or self.live_envs:
            Log.info("%s: %s: the next invocation starts a new environment" % (self.name, why))
        for env in idle:
            threading.Thread(target=env.destroy, args=("spindown",), daemon=True).start()

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

    def would_wait(self):
        """True when a new invocation would have to wait for an environment (lock held)."""
        if self.queue:
            return True
        return self._pick_env() is None and (self.emu.stopping or len(self.envs) >= self.concurrency)

    def dispatch(self):
        """Assign queued invocations, FIFO (lock held)."""
        for _ in range(1 << 20):
            if not self.queue:
                break
            inv = self.queue[0]
            if inv.state != State.QUEUED:
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
                    inv.move_to(State.DONE)
                    continue
                self.envs.append(env)
                self.live_envs.add(env)
                self.cold_starts += 1
                inv.cold = True
            else:
                self.queue.popleft()
            inv.move_to(State.PENDING)
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
        inv.move_to(State.FINISHING)
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
            if inv.started_at is not None:
                produced = inv.stream_bytes if inv.streaming else len(body or b"")
                env.telemetry.platform("runtimeDone", telemetry_record(inv, {
                    "durationMs": round((inv.finished_at - inv.started_at) * 1000.0, 3),
                    "producedBytes": produced}))
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
        retire = False
        with self.cond:
            if inv.state == State.FINISHING:
                inv.move_to(State.DONE)
                if env is not None and inv.status in ("success", "function_error", "too_large",
                                                      "stream_error", "runtime_error"):
                    env.completed += 1
            if env is not None and env.retired and not env.active and not env.pending and \
                    env.state in ("init", "ready"):
                retire = True
            self.cond.notify_all()
        if retire:
            threading.Thread(target=env.destroy, args=("spindown",), daemon=True).start()

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
                "version": self.version,
                "cold_starts": self.cold_starts,
                "queued": sum(1 for i in self.queue if i.state == State.QUEUED),
                "config": {"handler": self.handler, "timeout": self.timeout, "memory": self.memory,
                           "concurrency": self.concurrency, "max_concurrency": self.max_concurrency,
                           "fault": self.fault, "code_dir": self.code_dir,
                           "overflow": self.cfg["overflow"], "retries": self.cfg["retries"],
                           "retry_delay": self.cfg["retry_delay"],
                           "max_event_age": self.cfg["max_event_age"]},
                "environments": [e.debug_state() for e in sorted(self.live_envs, key=lambda e: e.seq)
                                 if e.state != "dead"],
            }


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


def _number(value, kind, low, high):
    n = kind(value)
    if not low <= n <= high:
        raise ValueError
    return n


# option -> (config key, converter); the converters raise ValueError on a bad value
NUMERIC_OPTIONS = {
    "timeout": lambda v: _number(v, float, 0.001, 86400),
    "memory": lambda v: _number(v, int, 1, 1 << 20),
    "concurrency": lambda v: _number(v, int, 1, 1024),
    "max_concurrency": lambda v: _number(v, int, 1, 1024),
    "retries": lambda v: _number(v, int, 0, 2),
    "retry_delay": lambda v: _number(v, float, 0, 3600),
    "max_event_age": lambda v: _number(v, float, 0.001, 21600),
}


def _set_option(cfg, key, value):
    if key in NUMERIC_OPTIONS:
        cfg[key] = NUMERIC_OPTIONS[key](value)
        if key == "concurrency":
            cfg["concurrency_declared"] = True
    elif key in ("handler", "on_failure"):
        cfg[key] = value
    elif key == "overflow":
        if value not in ("throttle", "queue"):
            raise UsageError("overflow is throttle or queue, not %r" % value)
        cfg["overflow"] = value
    elif key.startswith("env.") and key[4:]:
        cfg["env"][key[4:]] = value
    elif key == "version":
        if not VERSION_RE.match(value):
            raise UsageError("a version is a number from 1: %r" % value)
        cfg["versions"].append(str(int(value)))
    elif key.startswith("alias."):
        if not ALIAS_RE.match(key[6:]) or VERSION_RE.match(key[6:]):
            raise UsageError("invalid alias name %r" % key[6:])
        cfg["aliases"][key[6:]] = value
    elif key == "fault":
        if value not in FAULTS:
            raise UsageError("unknown fault %r (one of %s)" % (value, ", ".join(FAULTS)))
        cfg["fault"] = value
    else:
        raise UsageError("unknown function option %r" % key)


def parse_function_spec(spec):
    parts = split_options(spec)
    name, sep, path = parts[0].partition("=")
    if not sep or not name or not path:
        raise UsageError("--function needs NAME=DIR_OR_ZIP[,option=value...]: %r" % spec)
    if not FUNCTION_NAME_RE.match(name):
        raise UsageError("invalid function name %r (letters, digits, - and _, at most 64)" % name)
    cfg = {"name": name, "path": path, "handler": name + ".handler", "timeout": 3.0, "memory": 128,
           "concurrency": 4, "concurrency_declared": False, "overflow": None, "max_concurrency": 0,
           "env": {}, "fault": None, "versions": [], "aliases": {}, "retries": 2,
           "retry_delay": 60.0, "max_event_age": 21600.0, "on_failure": None}
    for opt in parts[1:]:
        if not opt:
            continue
        key, sep, value = opt.partition("=")
        if not sep:
            raise UsageError("function option %r needs KEY=VALUE" % opt)
        try:
            _set_option(cfg, key, value)
        except ValueError:
            raise UsageError("bad value for function option %s: %r" % (key, value))
    for alias, target in cfg["aliases"].items():
        if target != LATEST and target not in cfg["versions"]:
            raise UsageError("alias %s of %s points to version %s, which is not declared (version=%s)"
                             % (alias, name, target, target))
    if cfg["overflow"] is None:
        # Lambda throttles beyond a declared (reserved) concurrency; without one, the
        # emulator's own limit of environments only makes invokes wait.
        cfg["overflow"] = "throttle" if cfg["concurrency_declared"] else "queue"
    return cfg


class Ident:
    """What the caller named: NAME, NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER] or
    arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]."""

    def __init__(self, text):
        self.text = text
        self.region = self.account = self.qualifier = None
        parts = text.split(":")
        if text.startswith("arn:") and len(parts) in (7, 8) and parts[2] == "lambda" \
                and parts[5] == "function":
            self.region, self.account = parts[3], parts[4]
            rest = parts[6:]
        elif len(parts) in (3, 4) and parts[1] == "function":
            self.account = parts[0]
            rest = parts[2:]
        elif len(parts) in (1, 2):
            rest = parts
        else:
            rest = [text]
        self.name = rest[0]
        if len(rest) > 1:
            self.qualifier = rest[1]

    def arn(self, region, qualifier):
        text = "arn:aws:lambda:%s:%s:function:%s" % (self.region or region, self.account or ACCOUNT_ID,
                                                      self.name)
        return text + (":" + qualifier if qualifier else "")


class Resolved:
    """The function version an invoke runs, or the error answer (status, type, message)."""

    def __init__(self, fn=None, qualifier=None, error=None):
        self.fn = fn
        self.qualifier = qualifier
        self.error = error


def resolve(functions, region, text, query_qualifier=None):
    """Resolve a FunctionName (and ?Qualifier=) like Lambda: $LATEST, a declared version or
    alias; a function of another account or region does not exist here."""
    ident = Ident(text)
    qual = ident.qualifier
    if query_qualifier is not None:
        if qual is not None and qual != query_qualifier:
            return Resolved(error=(400, "InvalidParameterValueException",
                                   "The derived qualifier from the function name does not match "
                                   "the specified qualifier."))
        qual = query_qualifier
    base = functions.get(ident.name)
    missing = Resolved(error=(404, "ResourceNotFoundException", "Function not found: " + ident.arn(region, qual)))
    if base is None or (ident.region not in (None, region)) or (ident.account not in (None, ACCOUNT_ID)):
        return missing
    if qual is None or qual == LATEST:
        return Resolved(base, qual)
    version = base.aliases.get(qual, qual)
    if version == LATEST:
        return Resolved(base, qual)
    fn = base.versions.get(version)
    return Resolved(fn, qual) if fn is not None else missing
