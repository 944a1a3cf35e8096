"""Asynchronous (Event) invokes after an attempt failed: retries with back-off, as Lambda
does (MaximumRetryAttempts 0-2, default 2; MaximumEventAgeInSeconds), then the on-failure
destination: a JSON line appended to a file, or a log line."""
import json
import threading
import time

from .invocation import Invocation
from .logs import Log


def iso_now():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % int(now % 1 * 1000)


def failure_record(inv, condition):
    """Lambda's invocation record for an on-failure destination."""
    try:
        payload = json.loads(inv.payload)
    except (TypeError, ValueError):
        payload = (inv.payload or b"").decode("utf-8", "replace")
    try:
        response = json.loads(inv.body)
    except ValueError:
        response = inv.body.decode("utf-8", "replace")
    return {
        "version": "1.0",
        "timestamp": iso_now(),
        "requestContext": {"requestId": inv.request_id, "functionArn": inv.fn.arn + ":" + inv.version,
                           "condition": condition, "approximateInvokeCount": inv.attempt},
        "requestPayload": payload,
        "responseContext": {"statusCode": 200, "executedVersion": inv.version,
                            "functionError": "Unhandled"},
        "responsePayload": response,
    }


class AsyncInvoker:
    def __init__(self, emu):
        self.emu = emu
        self.lock = threading.Lock()
        self.timers = set()
        self.file_lock = threading.Lock()

    def after_attempt(self, inv):
        """Called when an Event invocation's attempt has ended (logged)."""
        if inv.ok():
            return
        cfg = inv.fn.cfg
        Log.info("%s: async invocation %s failed (attempt %d): %s"
                 % (inv.fn.name, inv.request_id, inv.attempt, inv.body.decode("utf-8", "replace")))
        if inv.attempt > cfg["retries"]:
            return self.give_up(inv, "RetriesExhausted")
        # Lambda waits about 1 minute before the first retry and 2 before the second
        delay = cfg["retry_delay"] * (2 ** (inv.attempt - 1))
        if time.time() + delay - inv.first_created > cfg["max_event_age"]:
            return self.give_up(inv, "EventAgeExceeded")
        timer = threading.Timer(delay, self._retry, args=(inv,))
        timer.daemon = True
        with self.lock:
            if self.emu.stopping:
                return None
            self.timers.add(timer)
        timer.start()
        return None

    def _retry(self, inv):
        with self.lock:
            self.timers = {t for t in self.timers if t.is_alive() and t is not threading.current_thread()}
            if self.emu.stopping:
                return
        retry = Invocation(inv.fn, inv.payload, inv.content_type, None, "Event", inv.qualifier,
                           retry_of=inv)
        if not self.emu.start_background(retry):
            Log.info("%s: async invocation %s: retry %d dropped, the function's event queue is full"
                     % (inv.fn.name, inv.request_id, inv.attempt))

    def give_up(self, inv, condition):
        record = failure_record(inv, condition)
        line = json.dumps(record, separators=(",", ":"))
        path = inv.fn.cfg["on_failure"]
        if path:
            try:
                with self.file_lock, open(path, "a", encoding="utf-8") as f:
                    f.write(line + "\n")
                return
            except OSError as e:
                Log.always("lambda-c-emulator: %s: cannot write the on-failure record to %s: %s"
                           % (inv.fn.name, path, e))
        Log.always("lambda-c-emulator: %s: async invocation %s failed for good (%s): %s"
                   % (inv.fn.name, inv.request_id, condition, line))

    def cancel_all(self):
        with self.lock:
            timers, self.timers = self.timers, set()
        for t in timers:
            t.cancel()
