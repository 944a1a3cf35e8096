"""The Telemetry API's delivery side: an environment's event record (platform, function and
extension events with Lambda's 2022-12-13 schema) and, per subscription, a buffer that is
POSTed as a JSON array to the subscriber's HTTP listener when maxItems, maxBytes or
timeoutMs is reached (and when the environment shuts down)."""
import collections
import http.client
import json
import threading
import time
import urllib.parse

from .logs import Log
from .util import mono

TYPES = ("platform", "function", "extension")
SCHEMA_VERSIONS = ("2022-07-01", "2022-12-13", "2025-01-29")
# (default, minimum, maximum) of each buffering setting
BUFFERING = {"maxItems": (1000, 1000, 10000), "maxBytes": (262144, 262144, 1048576),
             "timeoutMs": (1000, 25, 30000)}
DESTINATION_HOSTS = ("sandbox.localdomain", "sandbox", "localhost", "127.0.0.1")
BACKLOG = 10000          # events kept from the environment's start for late subscribers
POST_TIMEOUT_S = 2.0


def iso_time(epoch=None):
    now = time.time() if epoch is None else epoch
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % int(now % 1 * 1000)


class InvalidSubscription(ValueError):
    pass


def parse_subscription(body):
    """Validates a PUT /2022-07-01/telemetry body; returns (types, buffering, (host, port,
    path)) or raises InvalidSubscription with the reason."""
    try:
        doc = json.loads(body or b"")
    except ValueError:
        raise InvalidSubscription("the body is not JSON")
    if not isinstance(doc, dict):
        raise InvalidSubscription("the body is not a JSON object")
    if doc.get("schemaVersion") not in SCHEMA_VERSIONS:
        raise InvalidSubscription("schemaVersion must be one of %s" % ", ".join(SCHEMA_VERSIONS))
    types = doc.get("types")
    if not isinstance(types, list) or not types or any(t not in TYPES for t in types):
        raise InvalidSubscription("types must be a non-empty array of platform, function, extension")
    buffering = {}
    given = doc.get("buffering") or {}
    if not isinstance(given, dict):
        raise InvalidSubscription("buffering must be an object")
    for key, (default, low, high) in BUFFERING.items():
        value = given.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidSubscription("buffering.%s must be an integer from %d to %d" % (key, low, high))
        buffering[key] = value
    dest = doc.get("destination")
    if not isinstance(dest, dict) or dest.get("protocol") != "HTTP":
        raise InvalidSubscription("destination.protocol must be HTTP (TCP is not supported here)")
    uri = urllib.parse.urlsplit(str(dest.get("URI") or ""))
    if uri.scheme != "http" or uri.hostname not in DESTINATION_HOSTS or not uri.port:
        raise InvalidSubscription("destination.URI must be http://sandbox.localdomain:PORT[/path]")
    return sorted(set(types), key=TYPES.index), buffering, ("127.0.0.1", uri.port, uri.path or "/")


class Subscription:
    """One extension's subscription: a bounded buffer and a thread that delivers it."""

    def __init__(self, name, types, buffering, target):
        self.name = name
        self.types = types
        self.max_items = buffering["maxItems"]
        self.max_bytes = buffering["maxBytes"]
        self.timeout_s = buffering["timeoutMs"] / 1000.0
        self.host, self.port, self.path = target
        self.cond = threading.Condition()
        self.items = []
        self.size = 0
        self.first_at = None
        self.closed = False
        self.flushing = False
        self.posting = 0           # batches taken and not yet answered by the subscriber
        self.delivered = 0
        self.dropped = 0
        self.thread = threading.Thread(target=self._run, name="telemetry-" + name, daemon=True)
        self.thread.start()

    def add(self, event, size):
        with self.cond:
            if self.closed:
                return
            if len(self.items) >= 4 * self.max_items:   # the subscriber is not keeping up
                self.dropped += 1
                return
            self.items.append(event)
            self.size += size
            if self.first_at is None:
                self.first_at = mono()
            self.cond.notify_all()

    def _due(self):
        return self.items and (self.flushing or len(self.items) >= self.max_items
                               or self.size >= self.max_bytes or mono() - self.first_at >= self.timeout_s)

    def _take(self):
        """The next batch: at most maxItems events and (past the first) maxBytes bytes."""
        batch, size = [], 0
        while self.items and len(batch) < self.max_items:
            item_size = len(json.dumps(self.items[0], separators=(",", ":")))
            if batch and size + item_size > self.max_bytes:
                break
            batch.append(self.items.pop(0))
            size += item_size
        self.size = max(0, self.size - size)
        self.first_at = mono() if self.items else None
        return batch

    def _run(self):
        for _ in range(1 << 40):
            with self.cond:
                while not self._due() and not (self.closed and not self.items):
                    wait = self.timeout_s - (mono() - self.first_at) if self.first_at else 0.5
                    self.cond.wait(max(0.005, min(0.5, wait)))
                if self.closed and not self.items:
                    self.cond.notify_all()
                    return
                batch = self._take()
                self.posting += 1
            try:
                self._post(batch)
            finally:
                with self.cond:
                    self.posting -= 1
                    self.cond.notify_all()

    def _post(self, batch):
        body = json.dumps(batch, separators=(",", ":")).encode()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=POST_TIMEOUT_S)
        try:
            conn.request("POST", self.path, body, {"Content-Type": "application/json"})
            conn.getresponse().read()
            self.delivered += len(batch)
        except (OSError, http.client.HTTPException) as e:
            self.dropped += len(batch)
            Log.info("telemetry for extension %s: delivery to port %d failed: %s" % (self.name, self.port, e))
        finally:
            conn.close()

    def flush(self, timeout):
        """Deliver everything buffered now, and wait until the subscriber has answered each
        batch (bounded by timeout): an extension that stops its listener when SHUTDOWN comes
        must have received them all by then."""
        end = mono() + timeout
        with self.cond:
            self.flushing = True
            self.cond.notify_all()
            while (self.items or self.posting) and mono() < end:
                self.cond.wait(0.02)
            self.flushing = False

    def close(self):
        """No more deliveries: the subscriber is gone (what is still buffered is dropped)."""
        with self.cond:
            self.closed = True
            self.dropped += len(self.items)
            self.items.clear()
            self.size = 0
            self.cond.notify_all()


class Telemetry:
    """The telemetry of one environment."""

    def __init__(self, env):
        self.env = env
        self.lock = threading.Lock()
        self.backlog = collections.deque(maxlen=BACKLOG)
        self.subscriptions = {}

    def emit(self, kind, event_type, record):
        """kind: platform, function or extension; event_type: e.g. platform.start or function."""
        event = {"time": iso_time(), "type": event_type, "record": record}
        size = len(json.dumps(event, separators=(",", ":")))
        with self.lock:
            self.backlog.append((kind, event, size))
            subs = [s for s in self.subscriptions.values() if kind in s.types]
        for s in subs:
            s.add(event, size)

    def platform(self, event_type, record):
        self.emit("platform", "platform." + event_type, record)

    def line(self, kind, text):
        """A log line of the runtime (function) or of an extension (extension)."""
        self.emit(kind, kind, text)

    def subscribe(self, ext_id, name, types, buffering, target):
        sub = Subscription(name, types, buffering, target)
        with self.lock:
            old = self.subscriptions.pop(ext_id, None)
            self.subscriptions[ext_id] = sub
            # events since the environment started reach a subscriber that comes later
            for kind, event, size in self.backlog:
                if kind in types:
                    sub.add(event, size)
        if old is not None:
            old.close()
        self.platform("telemetrySubscription", {"name": name, "state": "Subscribed", "types": types})
        return sub

    def flush(self, timeout):
        with self.lock:
            subs = list(self.subscriptions.values())
        end = mono() + timeout
        for s in subs:
            s.flush(max(0.0, end - mono()))

    def close(self):
        with self.lock:
            subs = list(self.subscriptions.values())
            self.subscriptions.clear()
        for s in subs:
            s.close()

    def stats(self):
        with self.lock:
            return {s.name: {"types": s.types, "delivered": s.delivered, "dropped": s.dropped}
                    for s in self.subscriptions.values()}
