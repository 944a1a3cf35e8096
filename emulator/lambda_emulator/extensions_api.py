"""The Extensions API (2020-01-01) of one execution environment: register, event/next,
init/error, exit/error; and the events it hands out (INVOKE, SHUTDOWN)."""
import collections
import json
import time
import uuid

from .httpio import BodyError, client_alive, read_body
from .limits import ACCOUNT_ID, EXTENSION_GRACE_S


def handle_register(env, h):
    fn = env.fn
    name = h.headers.get("Lambda-Extension-Name")
    try:
        data, _t, _tr = read_body(h, 65536)
    except (BodyError, OSError):
        return h.drop()
    if not name:
        return h.send_json(400, {"errorMessage": "Missing Lambda-Extension-Name header",
                                 "errorType": "Extension.InvalidExtensionName"})
    events = []
    if data and data.strip():
        try:
            events = json.loads(data).get("events") or []
            if not isinstance(events, list):
                raise ValueError
            events = [str(e) for e in events]
        except (ValueError, AttributeError):
            return h.send_json(400, {"errorMessage": "Invalid registration body",
                                     "errorType": "InvalidRequest"})
    ext_id = str(uuid.uuid4())
    with fn.cond:
        env.extensions[ext_id] = {"name": name, "events": events, "queue": collections.deque()}
    h.send_json(200, {"functionName": fn.name, "functionVersion": fn.version, "handler": fn.handler,
                      "accountId": ACCOUNT_ID},
                headers=[("Lambda-Extension-Identifier", ext_id)])


def handle_next(env, h):
    fn = env.fn
    ext_id = h.headers.get("Lambda-Extension-Identifier")
    event = None
    with fn.cond:
        ext = env.extensions.get(ext_id or "")
        if ext is not None:
            for _ in range(1 << 40):
                if ext["queue"]:
                    event = ext["queue"].popleft()
                    break
                if env.state == "dead" or not client_alive(h):
                    break
                fn.cond.wait(0.25)
    if ext is None:
        return h.send_json(403, {"errorMessage": "Invalid extension identifier",
                                 "errorType": "Extension.InvalidExtensionIdentifier"})
    if event is None:
        return h.drop()
    try:
        h.send_json(200, event, headers=[("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))])
    except OSError:
        pass



def handle_error(env, h, kind):
    """POST /extension/init/error or /extension/exit/error: accepted and logged."""
    h.discard_body()
    return h.send_json(202, {"status": "OK"})


def queue_invoke(env, inv):
    """An INVOKE event for every extension that registered for it (fn.lock held)."""
    for ext in env.extensions.values():
        if "INVOKE" in ext["events"]:
            ext["queue"].append({
                "eventType": "INVOKE", "deadlineMs": inv.deadline_ms,
                "requestId": inv.request_id, "invokedFunctionArn": env.fn.arn,
                "tracing": {"type": "X-Amzn-Trace-Id", "value": inv.trace_id}})
            while len(ext["queue"]) > 1000:
                ext["queue"].popleft()


def queue_shutdown(env, reason):
    """A SHUTDOWN event for every extension that registered for it (fn.lock held)."""
    for ext in env.extensions.values():
        if "SHUTDOWN" in ext["events"]:
            ext["queue"].append({"eventType": "SHUTDOWN", "shutdownReason": reason,
                                 "deadlineMs": int((time.time() + EXTENSION_GRACE_S) * 1000)})
