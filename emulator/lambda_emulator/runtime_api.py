"""The Runtime API (2018-06-01) of one execution environment: /next, /response, /error,
/init/error; routing of the Extensions and Telemetry API calls that share its port."""
import base64
import binascii
import json
import queue
import time
import urllib.parse

from . import extensions_api, faults, supervisor
from .httpio import BaseHandler, BodyError, QuietServer, StreamTooLarge, client_alive, read_body, read_body_chunks
from .invocation import State
from .limits import EXTENSION_API, MAX_RESPONSE, RUNTIME_API, TELEMETRY_API, XRAY_CAUSE_MAX
from .logs import Log
from .util import error_json, mono


class RuntimeApiServer(QuietServer):
    env = None

    def verify_request(self, request, client_address):
        """Only the environment's own processes may use its Runtime API."""
        return self.env is not None and supervisor.owns_connection(self.env, request)


class RuntimeApiHandler(BaseHandler):
    def do_GET(self):
        env = self.server.env
        path = self.path_only()
        if path == RUNTIME_API + "/runtime/invocation/next":
            return handle_next(env, self)
        if path == EXTENSION_API + "/extension/event/next":
            return extensions_api.handle_next(env, self)
        self.send_json(404, {"errorMessage": "Not found: " + path, "errorType": "NotFound"})

    def do_POST(self):
        env = self.server.env
        path = self.path_only()
        prefix = RUNTIME_API + "/runtime/invocation/"
        if path.startswith(prefix):
            rest = path[len(prefix):]
            rid, _, kind = rest.rpartition("/")
            if rid and "/" not in rid and kind in ("response", "error"):
                return handle_answer(env, self, urllib.parse.unquote(rid), kind)
        if path == RUNTIME_API + "/runtime/init/error":
            return handle_init_error(env, self)
        if path == EXTENSION_API + "/extension/register":
            return extensions_api.handle_register(env, self)
        if path in (EXTENSION_API + "/extension/init/error", EXTENSION_API + "/extension/exit/error"):
            return extensions_api.handle_error(env, self, path.rsplit("/", 2)[1])
        self.discard_body()
        self.send_json(404, {"errorMessage": "Not found: " + path, "errorType": "NotFound"})

    def do_PUT(self):
        env = self.server.env
        if self.path_only().rstrip("/") == TELEMETRY_API + "/telemetry":
            return extensions_api.handle_telemetry(env, self)
        self.do_POST()

    do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def do_HEAD(self):
        self.send_bytes(404, b"", "application/json")


def handle_next(env, h):
    fn = env.fn
    inv = None
    with Log.lock:
        finished = [i for i in env.log_targets if i.state == State.FINISHING]
    if finished:
        # the runtime is done with those: what it printed so far is theirs, not the next one's
        env.drain_output(0.1)
        with Log.lock:
            for i in finished:
                env.log_targets.discard(i)
    with fn.cond:
        env.nexts += 1
        fn.cond.notify_all()
        if env.state == "dead":
            action = "close"
        else:
            action = faults.on_next(fn.fault, env) or "park"
        if action == "park":
            env.parked += 1
            env.maybe_ready_locked()   # init ends when the runtime and every extension wait
            fn.dispatch()
            try:
                for _ in range(1 << 40):
                    # while stopping, /next stays unanswered (as on Lambda) until the
                    # process is gone: the runtime must not see a dropped connection
                    # before its SIGTERM
                    if env.state == "dead":
                        break
                    if env.pending and env.state == "ready" and env.extensions_ready():
                        if not client_alive(h):
                            break
                        inv = env.pending.popleft()
                        deliver_locked(env, inv)
                        break
                    if not client_alive(h):
                        break
                    fn.cond.wait(0.25)
            finally:
                env.parked -= 1
    if action == faults.ANSWER_500:
        return faults.send_500(h)
    if inv is None:
        return h.drop()
    # log START before the runtime can print anything for this invocation
    with Log.lock:
        env.log_targets.add(inv)
    inv.start_logged = True
    Log.platform(inv, "START RequestId: %s Version: %s" % (inv.request_id, inv.version))
    env.telemetry.platform("start", {"requestId": inv.request_id, "version": inv.version,
                                     "tracing": {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}})
    headers = [
        ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
        ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
        ("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_arn),
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


def deliver_locked(env, inv):
    now = mono()
    inv.move_to(State.RUNNING)
    inv.started_at = now
    inv.deadline = now + env.fn.timeout
    inv.deadline_ms = int((time.time() + env.fn.timeout) * 1000)
    env.active[inv.request_id] = inv
    env.invocations[inv.request_id] = inv
    while len(env.invocations) > 4096:
        env.invocations.popitem(last=False)
    env.invocation_count += 1
    env.hwm_kb()
    extensions_api.queue_invoke(env, inv)
    env.fn.cond.notify_all()


def handle_answer(env, h, rid, kind):
    fn = env.fn
    if supervisor.over_memory(env):
        # its peak passed the memory size since the last poll: killed as on Lambda
        supervisor.kill_for_memory(env)
        return h.drop()
    mode = h.headers.get("Lambda-Runtime-Function-Response-Mode")
    hdr_iid = h.headers.get("Lambda-Runtime-Invocation-Id")
    with fn.cond:
        env.answers += 1
        first = env.answers == 1
        inv = env.invocations.get(rid)
        action = faults.on_answer(fn.fault, first)
        if action:
            pass
        elif inv is None:
            action = "badid"
        elif hdr_iid is not None and hdr_iid != inv.invocation_id:
            action = "gone"
        elif inv.state != State.RUNNING:
            action = "gone" if inv.status == "timeout" else "state"
        elif kind == "response" and mode is not None and mode.strip().lower() != "streaming":
            action = "badmode"
        else:
            action = "stream" if (kind == "response" and mode is not None) else "buffer"
            if hdr_iid is not None:
                env.echo_yes += 1
                inv.echoed = True
            else:
                env.echo_no += 1
                inv.echoed = False
            if action == "stream":
                inv.move_to(State.STREAMING)
                inv.streaming = True
                inv.stream_q = queue.Queue(maxsize=64)
                inv.stream_ct = h.headers.get("Content-Type") or "application/octet-stream"
                fn.cond.notify_all()
    if action == "stream":
        return receive_stream(env, h, inv)
    try:
        data, _total, _trailers = read_body(h, MAX_RESPONSE)
    except (BodyError, OSError):
        return h.drop()
    if action == faults.ANSWER_500:
        return faults.send_500(h)
    if action == faults.DROP:
        return h.drop()
    if action == "badid":
        return h.send_json(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
    if action == "gone":
        return send_gone(h)
    if action == "state":
        return send_state(h)
    if action == "badmode":
        with fn.cond:
            mine = inv.state == State.RUNNING
            if mine:
                msg = "RequestId: %s Error: Invalid response mode header: %s" % (rid, mode)
                fn.claim(inv, "runtime_error", error_json(msg, "Runtime.InvalidResponseModeHeader"),
                         error_type="Runtime.InvalidResponseModeHeader", await_next=True)
        if mine and inv.next_mark is None:
            fn.complete(inv)
        return h.send_json(400, {"errorMessage": "Invalid function response mode: %s" % mode,
                                 "errorType": "InvalidFunctionResponseMode"})
    return record_answer(env, h, inv, kind, data)


def record_answer(env, h, inv, kind, data):
    """A buffered /response (data None: over MAX_RESPONSE) or /error of a running invocation."""
    fn = env.fn
    too_large = data is None
    with fn.cond:
        if inv.state != State.RUNNING:
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
                    env.last_xray_cause = cause[:XRAY_CAUSE_MAX]
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
        return send_gone(h) if late else send_state(h)
    if inv.next_mark is None:
        fn.complete(inv)
    if too_large:
        return h.send_json(413, {"errorMessage": "Exceeded maximum allowed payload size (%d bytes)." % MAX_RESPONSE,
                                 "errorType": "RequestEntityTooLarge"})
    h.send_json(202, {"status": "OK"})


def send_gone(h):
    h.send_json(410, {"errorMessage": "Invocation is no longer active (timed out)",
                      "errorType": "InvocationGone"})


def send_state(h):
    h.send_json(403, {"errorMessage": "Invalid state transition", "errorType": "InvalidStateTransition"})


def receive_stream(env, h, inv):
    fn = env.fn
    total = 0

    def on_chunk(piece):
        nonlocal total
        total += len(piece)
        if total > inv.stream_limit:
            raise StreamTooLarge()
        for _ in range(1 << 40):
            if inv.state != State.STREAMING:
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
            mine = inv.state == State.STREAMING
            if mine:
                msg = ("Response payload size exceeded maximum allowed payload size (%d bytes)."
                       % inv.stream_limit)
                fn.claim(inv, "too_large", error_json(msg, "Function.ResponseSizeTooLarge"),
                         error_type="Function.ResponseSizeTooLarge", await_next=True)
        if mine and inv.next_mark is None:
            fn.complete(inv)
        return h.send_json(413, {"errorMessage": "Exceeded maximum allowed payload size (%d bytes)."
                                 % inv.stream_limit, "errorType": "RequestEntityTooLarge"}, close=True)
    except (BodyError, OSError):
        # connection dropped mid-stream: the exit watcher or the deadline ends the invoke
        return h.drop()
    etype = trailers.get("lambda-runtime-function-error-type")
    ebody = trailers.get("lambda-runtime-function-error-body")
    with fn.cond:
        if inv.state != State.STREAMING:
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
        return send_gone(h) if late else send_state(h)
    if inv.next_mark is None:
        fn.complete(inv)
    h.send_json(202, {"status": "OK"})


def handle_init_error(env, h):
    fn = env.fn
    try:
        data, _total, _tr = read_body(h, MAX_RESPONSE)
    except (BodyError, OSError):
        return h.drop()
    etype = h.headers.get("Lambda-Runtime-Function-Error-Type") or "Runtime.Unknown"
    with fn.cond:
        ok = env.state == "init"
        if ok:
            env.fail_init_locked(etype, data if data and data.strip() else None, "init error")
    if not ok:
        return send_state(h)
    h.send_json(202, {"status": "OK"})
