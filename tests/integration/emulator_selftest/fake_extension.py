"""A stand-in external extension for the emulator's self-tests (standard library only).

Its behaviour comes from the function's environment (extensions see it too):
FAKE_MARK_DIR       where it records: ext-<name>.jsonl (one JSON line per thing that happens)
FAKE_EXT_EVENTS     events to register for (default INVOKE,SHUTDOWN)
FAKE_EXT_MODE       normal, initerror, crash (exit 3 before registering), crash-after-register,
                    crash-on-invoke, ignore-shutdown
FAKE_EXT_TARGET     the one extension FAKE_EXT_MODE applies to (default: every one)
FAKE_EXT_FAIL_DELAY seconds before a failing mode fails
FAKE_EXT_READY_DELAY  seconds between registering and the first event/next
FAKE_EXT_INVOKE_DELAY seconds spent on each INVOKE
FAKE_EXT_TELEMETRY_DELAY seconds the telemetry listener takes before recording a batch
FAKE_EXT_SUBSCRIBE  JSON list of Telemetry API subscription bodies to PUT ("PORT" in a URI is
                    replaced by the port of this extension's telemetry listener)
"""
import http.client
import http.server
import json
import os
import sys
import threading
import time

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.rsplit(":", 1)
NAME = os.path.basename(sys.argv[0])
MARK_DIR = os.environ.get("FAKE_MARK_DIR")
MODE = os.environ.get("FAKE_EXT_MODE", "normal")
if os.environ.get("FAKE_EXT_TARGET", NAME) != NAME:   # the mode is for another extension
    MODE = "normal"
lock = threading.Lock()


def record(**what):
    what["t"] = time.time()
    if MARK_DIR:
        with lock, open(os.path.join(MARK_DIR, "ext-%s.jsonl" % NAME), "a") as f:
            f.write(json.dumps(what) + "\n")


def call(method, path, body=b"", headers=None):
    conn = http.client.HTTPConnection(HOST, int(PORT), timeout=None)
    conn.request(method, path, body, headers or {})
    resp = conn.getresponse()
    data = resp.read()
    result = resp.status, dict(resp.getheaders()), data
    conn.close()
    return result


class Telemetry(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(float(os.environ.get("FAKE_EXT_TELEMETRY_DELAY", "0")))
        record(telemetry=json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    record(started=True, env=sorted(os.environ))
    fail_delay = float(os.environ.get("FAKE_EXT_FAIL_DELAY", "0"))   # lets the others register first
    if MODE == "crash":
        time.sleep(fail_delay)
        sys.exit(3)
    events = [e for e in os.environ.get("FAKE_EXT_EVENTS", "INVOKE,SHUTDOWN").split(",") if e]
    status, headers, data = call("POST", "/2020-01-01/extension/register", json.dumps({"events": events}).encode(),
                                 {"Lambda-Extension-Name": NAME})
    record(registered=status, body=json.loads(data))
    if status != 200:
        sys.exit(4)
    ident = {"Lambda-Extension-Identifier": headers["Lambda-Extension-Identifier"]}
    print("fake-ext %s: registered" % NAME, flush=True)
    if MODE == "crash-after-register":
        time.sleep(fail_delay)
        sys.exit(5)
    if MODE == "initerror":
        time.sleep(fail_delay)
        status, _h, _d = call("POST", "/2020-01-01/extension/init/error",
                              json.dumps({"errorMessage": "bad config", "errorType": "Extension.ConfigInvalid"}).encode(),
                              dict(ident, **{"Lambda-Extension-Function-Error-Type": "Extension.ConfigInvalid"}))
        record(init_error=status)
        sys.exit(6)
    subscriptions = json.loads(os.environ.get("FAKE_EXT_SUBSCRIBE", "[]"))
    if subscriptions:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Telemetry)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        for sub in subscriptions:
            body = json.dumps(sub).replace("PORT", str(server.server_address[1])).encode()
            status, _h, data = call("PUT", "/2022-07-01/telemetry", body, ident)
            record(subscribe=status, answer=data.decode())
    time.sleep(float(os.environ.get("FAKE_EXT_READY_DELAY", "0")))
    record(ready=True)
    for _ in range(1000000):
        status, _h, data = call("GET", "/2020-01-01/extension/event/next", b"", ident)
        if status != 200:
            record(next_status=status)
            sys.exit(7)
        event = json.loads(data)
        record(event=event)
        if event["eventType"] == "INVOKE":
            if MODE == "crash-on-invoke":
                sys.exit(8)
            time.sleep(float(os.environ.get("FAKE_EXT_INVOKE_DELAY", "0")))
            record(done=event["requestId"])
        if event["eventType"] == "SHUTDOWN":
            if MODE == "ignore-shutdown":
                time.sleep(3600)
            record(exiting=True)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
