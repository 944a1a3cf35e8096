"""lambda-c serve: a local HTTP API from template.yaml, like `sam local start-api`.

Plain HTTP requests are matched against the template's HttpApi, Api and FunctionUrlConfig
routes (most specific first), turned into the event that trigger sends, invoked through the
emulator's Invoke API, and the answer mapped back as the service does. Function URLs with
InvokeMode RESPONSE_STREAM are invoked with InvokeWithResponseStream and relayed as produced.
"""
import http.client
import http.server
import json
import signal
import socket
import sys
import threading
import time
import urllib.parse

from . import answers, envvars, events, localemu, sam
from .build import build
from .sdk import EXIT_USAGE, Failure

MAX_REQUEST_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
INVOKE_PATH = "/2015-03-31/functions/{}/invocations"
STREAM_PATH = "/2021-11-15/functions/{}/response-streaming-invocations"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"}


def log(message):
    print(f"lambda-c: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- configuration

def function_env(fn, env_file, env_args):
    """The template's Environment, then --env-file (KEY=VALUE, or SAM's JSON: "Parameters" for
    every function, "<LogicalId>" for one), then --env."""
    return envvars.function_environment(fn.env, env_file, env_args, fn.name)


def code_of(sdk, fn, built, no_build):
    """The zip (built once per folder) or folder the emulator runs for `fn`."""
    folder = fn.code_dir
    if not folder.exists():
        raise Failure(f"{fn.name}: CodeUri {folder} does not exist")
    if folder.is_file() or not (folder / "Makefile").is_file():
        return folder
    if folder not in built:
        if no_build:
            zips = sorted((folder / "build").glob("*.zip"))
            if not zips:
                raise Failure(f"{folder} has no build/*.zip; build it (lambda-c build) or drop --no-build")
            built[folder] = zips[0]
        else:
            built[folder] = build(sdk, folder)
    return built[folder]


def emulator_specs(sdk, functions, args, no_build=False):
    built = {}
    return [localemu.function_spec(fn.name, code_of(sdk, fn, built, no_build), fn.handler, fn.timeout, fn.memory,
                                   function_env(fn, args.env_file, args.env))
            for fn in functions.values()]


def route_groups(functions):
    """[[routes of the main port], [routes of each further Function URL port]...]: API routes
    share the main port; each Function URL has its own (the first takes the main port when the
    template has no API routes)."""
    api = [r for fn in functions.values() for r in fn.routes if r.kind != "url"]
    urls = [[r] for fn in functions.values() for r in fn.routes if r.kind == "url"]
    groups = [api] + urls if api else urls
    for group in groups:
        group.sort(key=lambda r: r.specificity())
    return groups


# ---------------------------------------------------------------- the HTTP front

class FrontServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, routes, invoke_port):
        super().__init__(address, FrontHandler)
        self.routes = routes
        self.invoke_port = invoke_port  # a callable: the emulator's current port
        self.local = threading.local()  # each request thread's connection to the Invoke API


class FrontHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lambda-c"

    def log_message(self, fmt, *args):  # one line per request from handle_any instead
        pass

    def setup(self):
        super().setup()
        # Streamed chunks go out as written; a buffered answer is one write (respond).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > MAX_REQUEST_BODY:
                    raise ValueError("too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_REQUEST_BODY:
            raise ValueError("too large")
        return self.rfile.read(length) if length else b""

    def respond(self, status, headers, body):
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(body)))
        if self.command != "HEAD":  # head and body in one write
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
        else:
            self.end_headers()

    def handle_any(self):
        started = time.monotonic()
        path, _sep, raw_query = self.path.partition("?")
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            self.respond(413, [("Content-Type", "application/json")], b'{"message":"Request Entity Too Large"}')
            return self.finish_log(started, 413)
        route, params = self.pick(urllib.parse.unquote(path))
        if route is None:
            rest_only = all(r.kind == "rest" for r in self.server.routes)
            status, text = (403, b'{"message":"Missing Authentication Token"}') if rest_only else \
                (404, b'{"message":"Not Found"}')
            self.respond(status, [("Content-Type", "application/json")], body=text)
            return self.finish_log(started, status)
        req = events.HttpRequest(self.command, path, raw_query, self.headers.items(), body,
                                 source_ip=self.client_address[0])
        event = self.event_for(route, req, params)
        if route.kind == "url" and route.function.url_stream:
            status = self.invoke_streaming(route, event)
        else:
            status = self.invoke_buffered(route, event)
        self.finish_log(started, status, route)

    def finish_log(self, started, status, route=None):
        target = f" -> {route.function.name} [{route.key if route.kind != 'url' else 'Function URL'}]" if route else ""
        log(f"{self.command} {self.path}{target} {status} ({(time.monotonic() - started) * 1000:.0f} ms)")

    def pick(self, path):
        for route in self.server.routes:  # sorted most specific first
            params = route.match(self.command, path)
            if params is not None:
                return route, params
        return None, None

    @staticmethod
    def event_for(route, req, params):
        if route.kind == "url":
            return events.function_url(req)
        if route.kind == "http" and route.payload == "2.0":
            return events.http_api_v2(req, route.key, params)
        binary = not req.body_is_text() if route.kind == "http" else matches_binary(req, route.binary_types)
        return events.rest_api_v1(req, route.path or "/{proxy+}", params, route.stage, binary=binary)

    def invoke(self, route, event, path):
        """(connection, response) of the Invoke API call. Buffered calls reuse this thread's
        keep-alive connection (once more on a fresh one when the emulator closed it meanwhile,
        e.g. after a restart); streamed calls get their own."""
        data = json.dumps(event).encode()
        url = path.format(urllib.parse.quote(route.function.name))
        pooled = path == INVOKE_PATH
        local = self.server.local
        for attempt in (0, 1):
            conn = getattr(local, "conn", None) if pooled and attempt == 0 else None
            reused = conn is not None
            if conn is None or conn.port != self.server.invoke_port():
                conn = http.client.HTTPConnection("127.0.0.1", self.server.invoke_port(), timeout=None)
                reused = False
            conn.timeout = route.function.timeout + 60
            if pooled:
                local.conn = conn
            try:
                conn.request("POST", url, body=data, headers={"Content-Type": "application/json"})
                return conn, conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                local.conn = None
                if not reused:
                    raise

    def invoke_buffered(self, route, event):
        try:
            _conn, resp = self.invoke(route, event, INVOKE_PATH)
            payload = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.server.local.conn = None
            log(f"{route.function.name}: the emulator did not answer ({e})")
            return self.send_error_response(route, 500)
        if resp.status != 200:
            log(f"{route.function.name}: the Invoke API answered {resp.status}: {payload[:300]!r}")
            return self.send_error_response(route, 500)
        if resp.getheader("X-Amz-Function-Error"):
            log(f"{route.function.name}: function error: {payload[:500].decode('utf-8', 'replace')}")
            return self.send_error_response(route, 502)
        try:
            status, headers, body = answers.map_answer(route, payload)
        except answers.Malformed as e:
            log(f"{route.function.name}: malformed answer for {route.describe()}: {e}")
            return self.send_error_response(route, 502)
        self.respond(status, headers, body)
        return status

    def send_error_response(self, route, status):
        self.respond(*answers.error_response(route.kind, status))
        return status

    def invoke_streaming(self, route, event):
        """InvokeWithResponseStream, relayed to the client as the function produces it."""
        try:
            conn, resp = self.invoke(route, event, STREAM_PATH)
        except (OSError, http.client.HTTPException) as e:
            log(f"{route.function.name}: the emulator did not answer ({e})")
            return self.send_error_response(route, 500)
        relay = StreamRelay(self, route, resp)
        try:
            return relay.run()
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_any


def matches_binary(req, binary_types):
    ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
    for pattern in binary_types:
        pattern = pattern.lower()
        if pattern == "*/*" or pattern == ctype or (pattern.endswith("/*") and ctype.startswith(pattern[:-1])):
            return True
    return False


class StreamRelay:
    """Reads a streamed answer (event-stream frames, or raw chunks from older emulators),
    splits off the HTTP integration prelude, and writes chunks to the client as they come."""

    def __init__(self, handler, route, resp):
        self.h = handler
        self.route = route
        self.resp = resp
        self.integration = (resp.getheader("Content-Type") or "").startswith(answers.HTTP_INTEGRATION_TYPE)
        self.pending = b""  # bytes before the prelude's end
        self.status = None  # sent status, once the head went out
        self.error = None

    def chunks(self):
        """The function's bytes, in the pieces they arrive in."""
        first = b""
        # Emulators before InvokeWithResponseStream's framing relay raw chunks (and announce
        # trailers); the framed ones start with an event-stream prelude.
        raw = self.resp.getheader("Trailer") is not None
        while not raw and len(first) < 12:
            more = self.resp.read1(65536)
            if not more:
                break
            first += more
        if raw or not answers.EventStreamReader.looks_like(first):
            if first:
                yield first
            while True:
                more = self.resp.read1(65536)
                if not more:
                    return
                yield more
        reader = answers.EventStreamReader()
        data = first
        while data:
            for kind, payload in reader.feed(data):
                if kind == "PayloadChunk":
                    yield payload
                elif kind == "InvokeComplete":
                    doc = json.loads(payload or b"{}")
                    if doc.get("ErrorCode"):
                        self.error = f"{doc.get('ErrorCode')}: {doc.get('ErrorDetails', '')}"
                    return
            data = self.resp.read1(65536)

    def head(self, status, headers):
        h = self.h
        h.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                h.send_header(name, value)
        h.send_header("Date", h.date_time_string())
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        self.status = status

    def write(self, data):
        if data and self.h.command != "HEAD":
            self.h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.h.wfile.flush()

    def feed(self, data):
        if self.status is None and self.integration:
            self.pending += data
            end = self.pending.find(answers.PRELUDE_END)
            if end < 0:
                if len(self.pending) > answers.MAX_PRELUDE:
                    raise answers.Malformed("no end of the HTTP integration prelude in the first MB")
                return
            status, headers = answers.prelude_headers(self.pending[:end].decode("utf-8", "replace"))
            rest, self.pending = self.pending[end + len(answers.PRELUDE_END):], b""
            self.head(status, headers)
            return self.write(rest)
        if self.status is None:
            self.head(200, [("Content-Type", self.resp.getheader("Content-Type") or "application/octet-stream")])
        self.write(data)

    def run(self):
        name = self.route.function.name
        if self.resp.status != 200:
            log(f"{name}: the Invoke API answered {self.resp.status}: {self.resp.read()[:300]!r}")
            return self.h.send_error_response(self.route, 500)
        if self.resp.getheader("X-Amz-Function-Error"):
            log(f"{name}: function error: {self.resp.read()[:500].decode('utf-8', 'replace')}")
            return self.h.send_error_response(self.route, 502)
        try:
            for data in self.chunks():
                self.feed(data)
            if self.status is None and self.integration and self.pending:
                raise answers.Malformed("the streamed answer ended inside its prelude")
        except answers.Malformed as e:
            self.error = str(e)
        except OSError:
            self.h.close_connection = True
            return self.status or 499
        if self.error:
            log(f"{name}: streamed answer failed: {self.error}")
            if self.status is None:
                return self.h.send_error_response(self.route, 502)
            self.h.close_connection = True  # cut the stream short, as the service does
            return self.status
        if self.status is None:
            self.head(200, [("Content-Type", self.resp.getheader("Content-Type") or "application/octet-stream")])
        if self.h.command != "HEAD":
            self.h.wfile.write(b"0\r\n\r\n")
        return self.status


# ---------------------------------------------------------------- the running API

class LocalApi:
    """The emulator plus one HTTP front per route group; routes can be swapped while serving."""

    def __init__(self, emulator, host, port):
        self.emulator = emulator
        self.host = host
        self.port = port
        self.servers = []

    def serve(self, functions):
        groups = route_groups(functions)
        if not groups:
            log("the template declares no HTTP routes (HttpApi, Api or FunctionUrlConfig events): "
                f"only the Invoke API on 127.0.0.1:{self.emulator.port}")
        for i, routes in enumerate(groups):
            port = self.port if i == 0 else 0
            try:
                server = FrontServer((self.host, port), routes, lambda: self.emulator.port)
            except OSError as e:
                raise Failure(f"cannot listen on {self.host}:{port}: {e.strerror}", EXIT_USAGE)
            self.servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.describe()

    def update(self, functions):
        """New routes for the running servers (the template changed)."""
        groups = route_groups(functions)
        for server, routes in zip(self.servers, groups):
            server.routes = routes
        for routes in groups[len(self.servers):]:
            server = FrontServer((self.host, 0), routes, lambda: self.emulator.port)
            self.servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        for server in self.servers[len(groups):]:
            server.routes = []
        self.describe()

    def describe(self):
        for server in self.servers:
            host, port = server.server_address[:2]
            for route in server.routes:
                log(f"  http://{host}:{port}{route.path or '/'}  {route.describe()}")
        log(f"Invoke API: http://127.0.0.1:{self.emulator.port}/2015-03-31/functions/FUNCTION/invocations")

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.emulator.close()


def template_path(args):
    return sam.template_file(getattr(args, "dir", None) or ".", args.template)


def start(sdk, args, functions, no_build=False):
    layer = sdk.layer_zip()
    if not layer.is_file():
        raise Failure(f"the SDK has no layer ({layer} is missing)")
    specs = emulator_specs(sdk, functions, args, no_build)
    emulator = localemu.LocalEmulator(sdk, layer, specs, port=args.invoke_port)
    emulator.start()
    api = LocalApi(emulator, args.host, args.port)
    try:
        api.serve(functions)
    except BaseException:
        emulator.close()
        raise
    return api


def stop_on_sigterm():
    """SIGTERM ends the command like Ctrl-C does: the emulator and its functions are stopped."""
    def on_term(_signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)


def wait_forever(api):
    try:
        while api.emulator.proc.poll() is None:
            time.sleep(0.5)
        log(f"the emulator exited ({api.emulator.proc.returncode})")
        return 1
    finally:
        api.close()


def cmd_serve(sdk, args):
    path = template_path(args)
    functions = sam.load_functions(path, args.region)
    stop_on_sigterm()
    api = start(sdk, args, functions, args.no_build)
    log(f"serving {path} (Ctrl-C stops)")
    return wait_forever(api)


def add_arguments(p, with_template=True):
    if with_template:
        p.add_argument("dir", metavar="DIR", nargs="?", help="the project folder (default: the current folder)")
        p.add_argument("--template", "-t", metavar="FILE", help="the SAM template (default: DIR/template.yaml)")
        p.add_argument("--no-build", action="store_true", help="use the last build (build/*.zip) instead of building")
    p.add_argument("--port", "-p", type=int, default=3000, help="the HTTP port (default 3000; 0 = any free port)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    p.add_argument("--invoke-port", type=int, default=0, help="the emulator's Invoke API port (default: any free "
                   "port, printed)")
    p.add_argument("--env", metavar="KEY=VALUE", action="append", help="a function environment variable, over the "
                   "template's (repeatable)")
    p.add_argument("--env-file", metavar="FILE", help="KEY=VALUE lines, or SAM's --env-vars JSON ({\"Parameters\": "
                   "{...}} for every function, {\"LogicalId\": {...}} for one)")
    p.add_argument("--region", default="us-east-1", help="AWS::Region in the template (default us-east-1)")

