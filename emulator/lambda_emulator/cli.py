"""The command line: lambda-c-emulator [options] (see emulator/README.md)."""
import argparse
import base64
import binascii
import http.client
import os
import signal
import sys
import tempfile
import threading
import urllib.parse

from . import VERSION
from .core import Emulator
from .limits import INVOKE_API
from .logs import Log
from .registry import UsageError


def write_port_file(path, port):
    path = os.path.abspath(path)
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_event(arg):
    if arg is None:
        return b"{}"
    if arg == "@-":
        return sys.stdin.buffer.read()
    if arg.startswith("@"):
        with open(arg[1:], "rb") as f:
            return f.read()
    return arg.encode("utf-8")


def invoke_once(emu, args, event):
    fn, _q = emu.resolve(args.invoke)
    itype = args.invocation_type
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": itype}
    if args.log_type:
        headers["X-Amz-Log-Type"] = args.log_type
    budget = (fn.timeout if fn else 3.0) * 2 + 60.0
    conn = http.client.HTTPConnection("127.0.0.1" if emu.host in ("0.0.0.0", "") else emu.host,
                                      emu.port, timeout=budget)
    try:
        conn.request("POST", "%s/functions/%s/invocations"
                     % (INVOKE_API, urllib.parse.quote(args.invoke, safe="")), body=event, headers=headers)
        resp = conn.getresponse()
        out = sys.stdout.buffer
        for _ in range(1 << 40):
            data = resp.read1(65536)
            if not data:
                break
            try:
                out.write(data)
                out.flush()
            except (BrokenPipeError, OSError):
                pass
        failed = resp.status // 100 != 2 or resp.getheader("X-Amz-Function-Error") is not None
        rid = resp.getheader("x-amzn-RequestId")
        tail = resp.getheader("X-Amz-Log-Result")
    finally:
        conn.close()
    if itype == "Event" and fn is not None:
        emu.wait_idle(fn.timeout * 2 + 30.0)
    inv = emu.lookup(rid) if rid else None
    if inv is not None and inv.status is not None and not inv.ok() and itype != "Event":
        failed = True
    if tail:
        try:
            Log.always(base64.b64decode(tail).decode("utf-8", "replace").rstrip("\n"))
        except (binascii.Error, ValueError):
            pass
    return 1 if failed else 0


def build_parser():
    p = argparse.ArgumentParser(
        prog="lambda-c-emulator",
        description="Local AWS Lambda: Runtime API + Invoke API on 127.0.0.1, running real layers.")
    p.add_argument("--layer", action="append", metavar="DIR_OR_ZIP",
                   help="a layer (unpacked in order into one /opt stand-in; repeatable)")
    p.add_argument("--function", action="append", metavar="SPEC",
                   help="NAME=DIR_OR_ZIP[,handler=H][,timeout=S][,memory=MB][,concurrency=N]"
                        "[,overflow=throttle|queue][,max_concurrency=N][,env.KEY=VALUE...][,version=N...]"
                        "[,alias.NAME=VERSION...][,retries=0-2][,retry_delay=S][,max_event_age=S]"
                        "[,on_failure=FILE][,fault=KIND] (repeatable)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--allow-host", action="append", metavar="NAME", default=[],
                   help="also answer requests whose Host is NAME (by default only IP addresses and "
                        "localhost: DNS-rebinding protection; repeatable)")
    p.add_argument("--port", type=int, default=None,
                   help="Invoke API port (default 9001, or a free one with --invoke; 0 = pick a free port)")
    p.add_argument("--max-connections", type=int, default=128, metavar="N",
                   help="Invoke API connections at once; more are answered 503 (default 128)")
    p.add_argument("--idle-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="close an Invoke API connection whose next request head has not arrived "
                        "within SECONDS (default 60; the body gets 120 more)")
    p.add_argument("--port-file", metavar="FILE", help="write the port number here once listening")
    p.add_argument("--runtime-wrapper", metavar="CMD",
                   help="command prefix for the bootstrap, e.g. 'valgrind --error-exitcode=99'")
    p.add_argument("--region", default=os.environ.get("AWS_REGION") or "us-east-1")
    p.add_argument("--quiet", action="store_true",
                   help="no runtime output and no START/END/REPORT lines on stderr")
    p.add_argument("--invoke", metavar="NAME", help="invoke NAME once, print the answer, exit")
    p.add_argument("--event", metavar="JSON_OR_@FILE", help="event for --invoke (default {}; @- = stdin)")
    p.add_argument("--invocation-type", default="RequestResponse",
                   choices=("RequestResponse", "Event", "DryRun"))
    p.add_argument("--log-type", choices=("Tail", "None"), default=None,
                   help="Tail: also print the invocation's log tail (X-Amz-Log-Result) to stderr")
    p.add_argument("--version", action="version", version="lambda-c-emulator " + VERSION)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.log_type == "None":
        args.log_type = None
    Log.quiet = args.quiet
    port = args.port
    if port is None:
        port = 0 if args.invoke else 9001
    emu = Emulator(args)
    stop = threading.Event()
    interrupted = []

    def on_signal(signum, _frame):
        stop.set()
        if args.invoke and not interrupted:
            interrupted.append(signum)
            raise KeyboardInterrupt()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    rc = 0
    try:
        emu.prepare()
        event = None
        if args.invoke:
            if emu.resolve(args.invoke)[0] is None:
                raise UsageError("--invoke: unknown function %s" % args.invoke)
            try:
                event = read_event(args.event)
            except OSError as e:
                raise UsageError("--event: %s" % e)
        emu.start_server(port)
        Log.always("lambda-c-emulator listening on http://%s:%d" % (emu.host, emu.port))
        if args.port_file:
            write_port_file(args.port_file, emu.port)
        if args.invoke:
            rc = invoke_once(emu, args, event)
        else:
            while not stop.wait(1.0):
                pass
    except UsageError as e:
        Log.always("lambda-c-emulator: error: %s" % e)
        rc = 2
    except KeyboardInterrupt:
        rc = 130
    finally:
        try:
            emu.shutdown()
        except KeyboardInterrupt:
            pass
        Log.flush(3.0)
    return rc

