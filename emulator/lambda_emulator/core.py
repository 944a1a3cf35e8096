"""The emulator: its functions and layers, the Invoke API server, and the life of an
invocation from the caller's side (queueing, deadlines, streaming relay, END/REPORT)."""
import collections
import os
import queue
import shlex
import shutil
import tempfile
import threading
import traceback
import zipfile

from . import supervisor
from .async_invoke import AsyncInvoker
from .freshness import Source
from .httprules import HostPolicy
from .invocation import State
from .invoke_api import InvokeHandler, InvokeServer
from .limits import BODY_TIMEOUT_S, EVENT_QUEUE_MAX, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, DUMMY_SESSION_TOKEN, NEXT_GRACE_S
from .logs import Log, log_end
from .registry import Function, UsageError, parse_function_spec, resolve
from .sinks import NullSink
from .util import error_json, mono
from .zips import Budget, UnsafeArchive, merge_dir_into, unzip_into


class Emulator:
    def __init__(self, args):
        self.args = args
        self.region = args.region
        self.host = args.host
        self.host_policy = HostPolicy(getattr(args, "allow_host", None) or ())
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
        self.events = collections.Counter()     # Event invocations per function, in flight
        self.recent = collections.OrderedDict()
        self.recent_lock = threading.Lock()
        self.async_invoker = AsyncInvoker(self)
        self.refresh_lock = threading.Lock()
        self.layer_sources = []
        self.layer_generation = 0
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

    def _merge_layers(self):
        """The /opt stand-in: a single layer folder in place, else the layers merged in order
        into a new folder (a fresh one each time the layers change)."""
        layers = [s.path for s in self.layer_sources]
        budget = Budget()
        if len(layers) == 1 and os.path.isdir(layers[0]):
            self.layer_budget_left = budget.left
            return layers[0]
        self.layer_generation += 1
        dest = self._tmp("opt" if self.layer_generation == 1 else "opt-%d" % self.layer_generation)
        for p in layers:
            try:
                if os.path.isdir(p):
                    merge_dir_into(p, dest, budget, lambda_root="/opt")
                else:
                    unzip_into(p, dest, budget, lambda_root="/opt")
            except (zipfile.BadZipFile, OSError, UnsafeArchive) as e:
                raise UsageError("cannot unpack layer %s: %s" % (p, e))
        self.layer_budget_left = budget.left
        return dest

    def _unpack_function(self, cfg, source):
        """The /var/task stand-in: a folder in place, a zip unpacked to a new folder."""
        if source.is_dir:
            return source.path
        cfg["unpacked"] = cfg.get("unpacked", 0) + 1
        n = cfg["unpacked"]
        dest = self._tmp("task-" + cfg["name"] + ("" if n == 1 else "-%d" % n))
        budget = Budget(self.layer_budget_left)   # Lambda: function and layers together
        try:
            unzip_into(source.path, dest, budget, lambda_root="/var/task")
        except (zipfile.BadZipFile, OSError, UnsafeArchive) as e:
            raise UsageError("cannot unpack function %s: %s" % (source.path, e))
        return dest

    def refresh(self, fn):
        """Never stale (before each invoke): changed layers or $LATEST code give new
        environments. Published versions keep the code they started with."""
        with self.refresh_lock:
            changed = [s.path for s in self.layer_sources if s.changed()]
            if changed:
                try:
                    self.layer_dir = self._merge_layers()
                except UsageError as e:
                    Log.always("lambda-c-emulator: error: %s (the previous layers stay in use)" % e)
                    return
                for f in self.all_functions():
                    f.retire_environments("layer %s changed" % os.path.basename(changed[0]))
            base = self.functions[fn.name]
            if base.source.changed():
                try:
                    base.code_dir = self._unpack_function(base.cfg, base.source)
                except UsageError as e:
                    Log.always("lambda-c-emulator: error: %s (the previous code stays in use)" % e)
                    return
                base.retire_environments("code changed")

    def prepare(self):
        layers = [os.path.realpath(p) for p in (self.args.layer or [])]
        for p in layers:
            if not os.path.exists(p):
                raise UsageError("layer not found: %s" % p)
        self.layer_sources = [Source(p) for p in layers]
        self.layer_dir = self._merge_layers()
        if not self.args.function:
            raise UsageError("at least one --function NAME=DIR_OR_ZIP is needed")
        for spec in self.args.function:
            cfg = parse_function_spec(spec)
            if cfg["name"] in self.functions:
                raise UsageError("function %s given twice" % cfg["name"])
            path = os.path.realpath(cfg["path"])
            if not os.path.exists(path):
                raise UsageError("function code not found: %s" % path)
            source = Source(path)
            cfg["code_dir"] = self._unpack_function(cfg, source)
            fn = self.functions[cfg["name"]] = Function(self, cfg)
            fn.source = source

    def start_server(self, port):
        try:
            self.server = InvokeServer((self.host, port), InvokeHandler)
        except OSError as e:
            raise UsageError("cannot listen on %s:%d: %s" % (self.host, port, e.strerror or e))
        self.server.emu = self
        self.server.host_policy = self.host_policy
        self.server.max_connections = max(1, getattr(self.args, "max_connections", 128) or 128)
        idle = getattr(self.args, "idle_timeout", 60.0) or 60.0
        self.server.idle_timeout = idle
        self.server.body_timeout = BODY_TIMEOUT_S
        self.port = self.server.server_address[1]
        supervisor.start(self)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                         name="invoke-api", daemon=True).start()

    # ---- lookups
    def resolve_invoke(self, ident, query_qualifier=None):
        return resolve(self.functions, self.region, ident, query_qualifier)

    def resolve(self, ident):
        found = self.resolve_invoke(ident)
        return found.fn, found.qualifier

    def all_functions(self):
        """Every function version (each has its own environments)."""
        for fn in self.functions.values():
            yield fn
            yield from fn.versions.values()

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
        """Run an Event invocation on its own thread; False (throttled) when its function
        already has EVENT_QUEUE_MAX of them waiting or running."""
        with self.inflight_cond:
            if self.events[inv.fn.name] >= EVENT_QUEUE_MAX:
                return False
            self.events[inv.fn.name] += 1
            self.inflight += 1      # counted before the thread runs: wait_idle() sees it
        threading.Thread(target=self.execute, args=(inv, NullSink(), True), daemon=True,
                         name="event-" + inv.request_id[:8]).start()
        return True

    def execute(self, inv, sink, counted=False):
        """Runs an invocation to its end. False when it was refused: a synchronous invoke
        beyond the function's reserved concurrency (throttled, as on Lambda)."""
        if not counted:
            with self.inflight_cond:
                self.inflight += 1
        try:
            if not self._run(inv, sink):
                return False
            log_end(inv)
            if not Log.quiet:
                Log.flush(0.25)   # END/REPORT reach stderr before the caller's answer
            if inv.streaming:
                sink.finish(inv)
            if inv.invoke_type == "Event":
                self.async_invoker.after_attempt(inv)
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
                if inv.invoke_type == "Event":
                    self.events[inv.fn.name] -= 1
                self.inflight_cond.notify_all()
        return True

    def _run(self, inv, sink):
        fn = inv.fn
        mine = False
        self.refresh(fn)
        with fn.cond:
            if inv.invoke_type != "Event" and fn.throttle and fn.would_wait():
                inv.status = "throttled"
                inv.move_to(State.DONE)
                return False
            fn.queue.append(inv)
            fn.dispatch()
            for _ in range(1 << 40):
                st = inv.state
                if st in (State.FINISHING, State.DONE, State.STREAMING):
                    break
                now = mono()
                if st == State.QUEUED:
                    if self.stopping:
                        fn.claim(inv, "service_error",
                                 error_json("The emulator is shutting down", "ServiceException"),
                                 error_type="ServiceException")
                        inv.move_to(State.DONE)
                        break
                    fn.cond.wait(0.5)
                    continue
                if st == State.PENDING:
                    env = inv.env
                    start = env.spawned_at if env.init_duration_ms is None else inv.assigned_at
                    limit = start + fn.timeout
                    if now >= limit:
                        if env.init_duration_ms is None:
                            env.init_report("timeout")
                        fn.timeout_locked(inv)
                        mine = True
                        break
                    fn.cond.wait(min(0.5, limit - now))
                    continue
                if st == State.RUNNING:
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
        return True

    def _wait_done(self, inv):
        fn = inv.fn
        mine = False
        with fn.cond:
            end = mono() + 15.0
            while inv.state != State.DONE and mono() < end:
                if inv.state == State.FINISHING and inv.next_mark is not None:
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
            while inv.state != State.DONE and mono() < end:
                fn.cond.wait(0.25)
            inv.abandon()

    def _relay(self, inv, sink):
        fn = inv.fn
        sink.start(inv)
        mine = False
        for _ in range(1 << 40):
            try:
                item = inv.stream_q.get(timeout=0.2)
            except queue.Empty:
                with fn.cond:
                    if inv.state == State.STREAMING and mono() >= inv.deadline:
                        fn.timeout_locked(inv)
                        mine = True
                    if inv.state in State.SETTLED and inv.stream_q.empty():
                        break
                continue
            if item is not None:
                sink.write(item)
                continue
            with fn.cond:   # end marker: put by claim()
                if inv.state in State.SETTLED and inv.stream_q.empty():
                    break
        if mine:
            fn.complete(inv, drain=0.3)

    def wait_idle(self, timeout):
        end = mono() + timeout
        with self.inflight_cond:
            while self.inflight > 0 and mono() < end:
                self.inflight_cond.wait(0.25)

    # ---- shutdown
    def shutdown(self):
        self.stopping = True
        self.async_invoker.cancel_all()
        envs = []
        for fn in self.all_functions():
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
        supervisor.kill_leftovers()
        if self.tmp_root is not None:
            shutil.rmtree(self.tmp_root, ignore_errors=True)
            self.tmp_root = None


# --------------------------------------------------------------------------- command line
