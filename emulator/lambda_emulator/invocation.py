"""One invocation and its state machine."""
import base64
import collections
import time
import uuid

from .limits import LOG_KEEP_BYTES, MAX_RESPONSE, TAIL_BYTES
from .logs import Log
from .util import make_trace_id, mono


class State:
    """The states of an invocation. Every change goes through Invocation.move_to(), which
    only allows the transitions in TRANSITIONS."""
    QUEUED = "queued"          # waiting for an environment
    PENDING = "pending"        # assigned to an environment, not yet handed out by /next
    RUNNING = "running"        # delivered to the runtime by /next
    STREAMING = "streaming"    # the runtime is streaming its response
    FINISHING = "finishing"    # the result is known; the runtime's output is settling
    DONE = "done"              # logged and answered (or about to be)

    ALL = (QUEUED, PENDING, RUNNING, STREAMING, FINISHING, DONE)
    ACTIVE = (RUNNING, STREAMING)
    SETTLED = (FINISHING, DONE)


TRANSITIONS = {
    State.QUEUED: (State.PENDING, State.FINISHING, State.DONE),   # dispatched; failed early;
                                                                  # refused (throttled)
    State.PENDING: (State.RUNNING, State.QUEUED, State.FINISHING),  # delivered; moved to another
                                                                  # environment; init failed
    State.RUNNING: (State.STREAMING, State.FINISHING),
    State.STREAMING: (State.FINISHING,),
    State.FINISHING: (State.DONE,),
    State.DONE: (),
}


class InvalidTransition(RuntimeError):
    pass


class Invocation:
    def __init__(self, fn, event, content_type, client_context, invoke_type, qualifier=None,
                 stream_limit=MAX_RESPONSE, retry_of=None):
        self.fn = fn
        # an asynchronous invoke's retries keep its request id (as on Lambda)
        self.request_id = retry_of.request_id if retry_of else str(uuid.uuid4())
        self.attempt = retry_of.attempt + 1 if retry_of else 1
        self.first_created = retry_of.first_created if retry_of else time.time()
        self.invocation_id = str(uuid.uuid4())
        self.version = fn.version
        self.qualifier = qualifier
        self.invoked_arn = fn.arn + (":" + qualifier if qualifier else "")
        self.stream_limit = stream_limit
        self.payload = event if invoke_type == "Event" else None   # kept for retries
        self.event = event
        self.content_type = content_type or "application/json"
        self.client_context = client_context
        self.invoke_type = invoke_type
        self.trace_id = make_trace_id()
        self._state = State.QUEUED
        self.history = [State.QUEUED]
        self.env = None
        self.created = mono()
        self.assigned_at = None
        self.started_at = None
        self.deadline = None
        self.deadline_ms = None
        self.cold = False
        self.init_duration_ms = None
        self.status = None
        self.body = b""
        self.result_ct = "application/json"
        self.function_error = False
        self.error_type = None
        self.finished_at = None
        self.max_mem_kb = None
        self.echoed = None
        self.next_mark = None
        self.log = collections.deque()
        self.log_size = 0
        self.start_logged = False
        self.streaming = False
        self.stream_q = None
        self.stream_ct = None
        self.stream_bytes = 0

    @property
    def state(self):
        return self._state

    def move_to(self, new):
        """Change state along TRANSITIONS (the function's lock is held); raises
        InvalidTransition otherwise: a bug of the emulator, never of the runtime."""
        if new not in TRANSITIONS[self._state]:
            raise InvalidTransition("invocation %s: %s -> %s" % (self.request_id, self._state, new))
        self._state = new
        self.history.append(new)

    def abandon(self):
        """The last resort of a caller that gave up waiting: mark the invocation done."""
        if self._state != State.DONE:
            self._state = State.DONE
            self.history.append(State.DONE)

    def add_log(self, line):  # with Log.lock held
        self.log.append(line)
        self.log_size += len(line) + 1
        while self.log_size > LOG_KEEP_BYTES and len(self.log) > 1:
            old = self.log.popleft()
            self.log_size -= len(old) + 1

    def tail_b64(self):
        with Log.lock:
            data = b"".join(line + b"\n" for line in self.log)
        return base64.b64encode(data[-TAIL_BYTES:]).decode("ascii")

    def ok(self):
        return self.status == "success"

