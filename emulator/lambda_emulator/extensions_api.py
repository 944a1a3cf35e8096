"""The Extensions API (2020-01-01) and the Telemetry API subscription (2022-07-01) of one
execution environment: register, event/next, init/error, exit/error, PUT telemetry; and the
events handed out (INVOKE, SHUTDOWN)."""
import collections
import json
import uuid

from .httpio import BodyError, client_alive, read_body
from .limits import ACCOUNT_ID
from .logs import Log
from .telemetry import InvalidSubscription, parse_subscription

MAX_REGISTERED = 10
EVENT_TYPES = ("INVOKE", "SHUTDOWN")
ERROR_BODY_MAX = 1 << 20
SUBSCRIPTION_MAX = 65536


def _error(h, status, etype, message):
    return h.send_json(status, {"errorMessage": message, "errorType": etype})


def _events(data):
    """The events of a registration body; raises ValueError."""
    if not data or not data.strip():
        return []
    events = json.loads(data).get("events") or []
    if not isinstance(events, list) or any(e not in EVENT_TYPES for e in events):
        raise ValueError
    return list(dict.fromkeys(events))


def handle_register(env, h):
    fn = env.fn
    name = h.headers.get("Lambda-Extension-Name")
    try:
        data, _t, _tr = read_body(h, 65536)
    except (BodyError, OSError):
        return h.drop()
    if not name:
        return _error(h, 400, "Extension.InvalidExtensionName", "Missing Lambda-Extension-Name header")
    try:
        events = _events(data)
    except (ValueError, AttributeError):
        return _error(h, 400, "InvalidRequest", "Invalid registration body: events must be a list "
                                                "of INVOKE and SHUTDOWN")
    ext_id = str(uuid.uuid4())
    with fn.cond:
        if env.state != "init":
            refusal = (403, "Extension.InvalidStateTransition", "Registration is only possible during init")
        elif len(env.extensions) >= MAX_REGISTERED:
            refusal = (400, "Extension.TooManyExtensions", "At most %d extensions can register" % MAX_REGISTERED)
        elif any(e["name"] == name for e in env.extensions.values()):
            refusal = (409, "Extension.AlreadyRegistered", "Extension %s is already registered" % name)
        else:
            refusal = None
            external = name in env.expected_extensions
            env.extensions[ext_id] = {"name": name, "events": events, "queue": collections.deque(),
                                      "parked": 0, "external": external}
            fn.cond.notify_all()
    if refusal:
        return _error(h, *refusal)
    env.telemetry.platform("extension", {"name": name, "state": "Ready", "events": events})
    h.send_json(200, {"functionName": fn.name, "functionVersion": fn.version, "handler": fn.handler,
                      "accountId": ACCOUNT_ID},
                headers=[("Lambda-Extension-Identifier", ext_id)])


def _extension(env, h):
    return env.extensions.get(h.headers.get("Lambda-Extension-Identifier") or "")


def _refuse_identifier(h):
    return _error(h, 403, "Extension.InvalidExtensionIdentifier", "Invalid extension identifier")


def handle_next(env, h):
    fn = env.fn
    event = None
    with fn.cond:
        ext = _extension(env, h)
        if ext is not None:
            ext["parked"] += 1
            env.maybe_ready_locked()
            fn.cond.notify_all()
            try:
                for _ in range(1 << 40):
                    if ext["queue"]:
                        event = ext["queue"].popleft()
                        break
                    if env.ext_closed or not client_alive(h):
                        break
                    fn.cond.wait(0.25)
            finally:
                ext["parked"] -= 1
    if ext is None:
        return _refuse_identifier(h)
    if event is None:
        return h.drop()
    try:
        h.send_json(200, event, headers=[("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))])
    except OSError:
        pass


def handle_error(env, h, kind):
    """POST /extension/init/error (init fails, with this error) or /extension/exit/error
    (logged). Header Lambda-Extension-Function-Error-Type."""
    fn = env.fn
    try:
        data, _t, _tr = read_body(h, ERROR_BODY_MAX)
    except (BodyError, OSError):
        return h.drop()
    ext = _extension(env, h)
    if ext is None:
        return _refuse_identifier(h)
    etype = h.headers.get("Lambda-Extension-Function-Error-Type") or "Extension.Unknown"
    Log.info("%s: extension %s reported an %s error: %s %s" % (
        fn.name, ext["name"], kind, etype, (data or b"").decode("utf-8", "replace")))
    if kind == "init":
        with fn.cond:
            if env.state != "init":
                return _error(h, 403, "Extension.InvalidStateTransition", "Not in the init phase")
            env.fail_init_locked(etype, data if data and data.strip() else None,
                                 "extension %s failed to initialize" % ext["name"])
    h.send_json(202, {"status": "OK"})


def handle_telemetry(env, h):
    """PUT /2022-07-01/telemetry: subscribe the calling extension."""
    try:
        data, _t, _tr = read_body(h, SUBSCRIPTION_MAX)
    except (BodyError, OSError):
        return h.drop()
    ext_id = h.headers.get("Lambda-Extension-Identifier") or ""
    ext = env.extensions.get(ext_id)
    if ext is None:
        return _refuse_identifier(h)
    if data is None:
        return _error(h, 400, "ValidationError", "The subscription is larger than %d bytes" % SUBSCRIPTION_MAX)
    try:
        types, buffering, target = parse_subscription(data)
    except InvalidSubscription as e:
        return _error(h, 400, "ValidationError", str(e))
    env.telemetry.subscribe(ext_id, ext["name"], types, buffering, target)
    h.send_bytes(200, b"OK", "text/plain")


def queue_invoke(env, inv):
    """An INVOKE event for every extension that registered for it (fn.lock held)."""
    for ext in env.extensions.values():
        if "INVOKE" in ext["events"]:
            ext["queue"].append({
                "eventType": "INVOKE", "deadlineMs": inv.deadline_ms,
                "requestId": inv.request_id, "invokedFunctionArn": inv.invoked_arn,
                "tracing": {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}})
            while len(ext["queue"]) > 1000:
                ext["queue"].popleft()


def queue_shutdown(env, reason, deadline_ms):
    """A SHUTDOWN event for every extension that registered for it (fn.lock held)."""
    for ext in env.extensions.values():
        if "SHUTDOWN" in ext["events"]:
            ext["queue"].append({"eventType": "SHUTDOWN", "shutdownReason": reason,
                                 "deadlineMs": deadline_ms})
