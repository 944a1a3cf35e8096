"""A tiny stand-in runtime for the emulator's self-tests (not the real lambda-c runtime).

_HANDLER picks the behaviour for the whole process; the event (JSON) may carry an
"action" that picks the behaviour of one invocation. Standard library only.
"""
import base64
import http.client
import json
import os
import signal
import socket
import sys
import threading
import time

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.rsplit(":", 1)
PORT = int(PORT)
BASE = "/2018-06-01/runtime"
HANDLER = os.environ.get("_HANDLER", "")
MARK_DIR = os.environ.get("FAKE_MARK_DIR")


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def mark(name, text=""):
    if MARK_DIR:
        tmp = os.path.join(MARK_DIR, ".%s.%d" % (name, os.getpid()))
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, os.path.join(MARK_DIR, name))


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=None)

    def call(self, method, path, body=None, headers=None):
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
            return resp.status, dict(resp.getheaders()), data
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            log("fake-runtime: connection failure: %r" % (e,))
            os._exit(42)

    def next(self):
        status, headers, body = self.call("GET", BASE + "/invocation/next")
        if status != 200:
            log("fake-runtime: /next answered %d, exiting" % status)
            os._exit(43)
        return headers, body

    def answer(self, rid, kind, body, iid=None, extra=None):
        headers = {"Content-Type": "application/json"}
        if iid:
            headers["Lambda-Runtime-Invocation-Id"] = iid
        headers.update(extra or {})
        status, _h, data = self.call("POST", "%s/invocation/%s/%s" % (BASE, rid, kind), body, headers)
        if status == 500:
            log("fake-runtime: %s answered 500, exiting" % kind)
            os._exit(44)
        return status, data


def stream(rid, iid, chunks, delay=0.0, trailers=None, ctype="text/plain", mode="streaming"):
    s = socket.create_connection((HOST, PORT))
    head = ("POST %s/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
            "Lambda-Runtime-Function-Response-Mode: %s\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: %s\r\nLambda-Runtime-Invocation-Id: %s\r\n"
            "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n"
            % (BASE, rid, API, mode, ctype, iid))
    s.sendall(head.encode())
    try:
        for c in chunks:
            s.sendall(b"%x\r\n" % len(c) + c + b"\r\n")
            if delay:
                time.sleep(delay)
        end = b"0\r\n"
        for k, v in (trailers or {}).items():
            end += ("%s: %s\r\n" % (k, v)).encode()
        s.sendall(end + b"\r\n")
        data = s.recv(65536)
    except OSError as e:
        data = repr(e).encode()
    s.close()
    return data.split(b" ", 2)[1] if data.startswith(b"HTTP/") else data


def handle(client, headers, body):
    rid = headers["Lambda-Runtime-Aws-Request-Id"]
    iid = headers.get("Lambda-Runtime-Invocation-Id")
    try:
        event = json.loads(body) if body else {}
    except ValueError:
        event = {}
    action = event.get("action") if isinstance(event, dict) else None
    action = action or HANDLER
    log("fake-runtime: handling %s action=%s" % (rid, action))
    if action == "echo":
        return client.answer(rid, "response", body, iid)
    if action == "noecho":
        return client.answer(rid, "response", body)
    if action == "env":
        return client.answer(rid, "response", json.dumps(dict(os.environ)), iid)
    if action == "headers":
        return client.answer(rid, "response", json.dumps(headers), iid)
    if action == "markheaders":
        mark("headers", json.dumps(dict(headers, delivered=time.time())))
        return client.answer(rid, "response", body, iid)
    if action == "print":
        for i in range(int(event.get("lines", 10))):
            sys.stdout.write("line %d\n" % i)
        sys.stdout.flush()
        return client.answer(rid, "response", body, iid)
    if action == "file":   # a file of the function (task) or of the layers (opt)
        root = os.environ["LAMBDA_TASK_ROOT" if event.get("where", "task") == "task" else "LAMBDA_RUNTIME_DIR"]
        with open(os.path.join(root, event.get("name", "answer.txt")), "rb") as f:
            return client.answer(rid, "response", json.dumps(f.read().decode()), iid)
    if action == "ctype":
        return client.answer(rid, "response", b"hello", iid, {"Content-Type": "text/plain"})
    if action == "error":
        err = json.dumps({"errorMessage": "boom", "errorType": "Function.Boom", "stackTrace": ["a"]})
        return client.answer(rid, "error", err, iid, {"Lambda-Runtime-Function-Error-Type": "Function.Boom"})
    if action == "sleep":
        time.sleep(float(event.get("seconds", 1)))
        return client.answer(rid, "response", body, iid)
    if action == "waitfile":   # answer once the file event["path"] exists (30 s at most)
        for _ in range(3000):
            if os.path.exists(event["path"]):
                break
            time.sleep(0.01)
        return client.answer(rid, "response", body, iid)
    if action == "hang":
        time.sleep(3600)
    if action == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(5)
    if action == "abort":
        os.kill(os.getpid(), signal.SIGABRT)
        time.sleep(5)
    if action == "exit":
        sys.stderr.flush()
        os._exit(int(event.get("code", 3)))
    if action == "big":
        status, data = client.answer(rid, "response", b"x" * (6291556 + 1), iid)
        log("fake-runtime: big response got %d %s" % (status, data.decode()))
        mark("big", "%d %s" % (status, data.decode()))
        return status, data
    if action == "exact":
        s = json.dumps("x" * (6291556 - 2))
        return client.answer(rid, "response", s, iid)
    if action == "probe":
        # misbehave on purpose and report the status codes the Runtime API gave
        codes = {}
        codes["unknown_id"] = client.answer("no-such-id", "response", b"{}", iid)[0]
        codes["wrong_iid"] = client.answer(rid, "response", b"{}", "not-the-invocation-id")[0]
        codes["first"] = client.answer(rid, "response", json.dumps({"ok": 1}), iid)[0]
        codes["second"] = client.answer(rid, "response", b"{}", iid)[0]
        codes["error_after"] = client.answer(rid, "error", b"{}", iid)[0]
        mark("probe", json.dumps(codes))
        return None
    if action == "stream":
        chunks = [("part%d;" % i).encode() for i in range(int(event.get("n", 3)))]
        code = stream(rid, iid, chunks, float(event.get("delay", 0.3)), ctype=event.get("ctype", "text/plain"))
        mark("stream", code.decode())
        return None
    if action == "streamerr":
        eb = base64.b64encode(json.dumps({"errorMessage": "mid", "errorType": "Function.Mid"}).encode()).decode()
        code = stream(rid, iid, [b"first;"], 0.0, {"Lambda-Runtime-Function-Error-Type": "Function.Mid",
                                                   "Lambda-Runtime-Function-Error-Body": eb})
        mark("streamerr", code.decode())
        return None
    if action == "streamhuge":
        piece = b"y" * (1 << 20)
        code = stream(rid, iid, [piece] * 201, 0.0)
        mark("streamhuge", code.decode())
        return None
    if action == "streamsize":
        size = int(event.get("bytes", int(event.get("mb", 1)) << 20))
        chunks = [b"y" * min(1 << 20, size - off) for off in range(0, size, 1 << 20)]
        code = stream(rid, iid, chunks, 0.0, ctype="application/octet-stream")
        mark("streamsize", code.decode())
        return None
    if action == "badmode":
        code = stream(rid, iid, [b"z"], 0.0, mode="buffered")
        mark("badmode", code.decode())
        return None
    if action == "late":
        time.sleep(float(event.get("seconds", 1.5)))
        status, data = client.answer(rid, "response", b"{}", iid)
        mark("late", str(status))
        return status, data
    return client.answer(rid, "response", body, iid)


def worker():
    client = Client()
    for _ in range(1000000):
        headers, body = client.next()
        handle(client, headers, body)


def main():
    log("fake-runtime: init pid=%d handler=%s" % (os.getpid(), HANDLER))
    mark("runtime-init", str(time.time()))
    if HANDLER == "initerror":
        c = Client()
        err = json.dumps({"errorMessage": "cannot load handler", "errorType": "Runtime.HandlerNotFound"})
        c.call("POST", BASE + "/init/error", err, {"Lambda-Runtime-Function-Error-Type": "Runtime.HandlerNotFound"})
        os._exit(1)
    if HANDLER == "initexit":
        os._exit(7)
    if HANDLER == "inithang":
        time.sleep(3600)
    if HANDLER == "ext":
        c = Client()
        status, headers, data = c.call("POST", "/2020-01-01/extension/register", json.dumps({"events": []}),
                                       {"Lambda-Extension-Name": "fake-internal"})
        log("fake-runtime: extension register %d %s id=%s" % (status, data.decode(),
                                                                headers.get("Lambda-Extension-Identifier")))

        def on_term(signum, frame):
            mark("sigterm", "got SIGTERM")
            log("fake-runtime: SIGTERM, flushing")
            os._exit(0)
        signal.signal(signal.SIGTERM, on_term)
    n = int(os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "1"))
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
