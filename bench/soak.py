#!/usr/bin/env python3
"""bench/soak.py BUILD_DIR [N] - a long run of the hello function, twice:

  direct    N invocations straight to the runtime (bench/driver.c plays the Runtime API)
  emulator  N invocations through lambda-c-emulator's Invoke API (one keep-alive client)

Every N/10 invocations it samples RSS (KiB), open file descriptors and threads of the
runtime and, for the emulator run, of the emulator too, and prints one markdown table. A
leak shows as a column that keeps growing. Not a CI test (minutes of work): run it by hand
or from the bench suite. Exit status 1 when a run fails or an answer is wrong.
"""
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def proc_sample(pid):
    """(rss_kib, fds, threads) of pid, or None when it is gone."""
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), fds, int(fields["Threads"])


def children(pid):
    """Every descendant of pid (the runtime under the emulator)."""
    out = []
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for k in kids:
            out.append(int(k))
            out.extend(children(int(k)))
    return out


def is_runtime(pid):
    try:
        cmd = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "lambda-c-runtime" in cmd or cmd.split("\0")[0].endswith("bootstrap")


def direct(build, n, step):
    """The driver's own samples (it reads /proc of the runtime at the given counts)."""
    out = build / "bench"
    out.mkdir(parents=True, exist_ok=True)
    driver = out / "driver-soak"
    subprocess.run(["cc", "-O2", "-o", str(driver), str(ROOT / "bench" / "driver.c")], check=True)
    event = out / "soak-event.json"
    event.write_text('{"name":"Ada"}')
    expected = out / "soak-expected.json"
    expected.write_text('{"message":"Hello, Ada!"}')
    marks = ",".join(str(i) for i in range(step, n + 1, step))
    run = subprocess.run([str(driver), "-q", "-n", str(n), "-s", marks, "-f", str(event), "-j",
                          "-x", str(expected), "-T", str(build / "functions" / "hello"),
                          "-H", "hello.handler", "-L", str(build / "layer" / "lib"), "-t", "120",
                          "--", str(build / "layer" / "bin" / "lambda-c-runtime")],
                         capture_output=True, text=True, timeout=3600)
    if run.returncode != 0:
        sys.exit(f"soak: the direct run failed:\n{run.stderr[-2000:]}")
    v = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
    rows = []
    for i in range(step, n + 1, step):
        rows.append((i, v.get(f"rss_at_{i}_kb"), v.get(f"fds_at_{i}"), v.get(f"threads_at_{i}")))
    return rows


def emulator(build, n, step):
    tmp = tempfile.TemporaryDirectory(prefix="lambda-c-soak-")
    port_file = pathlib.Path(tmp.name) / "port"
    log = open(pathlib.Path(tmp.name) / "emulator.log", "wb")
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    proc = subprocess.Popen([python, str(build / "bin" / "lambda-c-emulator"), "--port", "0",
                             "--port-file", str(port_file), "--layer", str(build / "layer.zip"),
                             "--function",
                             f"hello={build / 'functions' / 'hello.zip'},handler=hello.handler"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    rows = []
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("soak: the emulator did not start")
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", int(port_file.read_text()), timeout=60)
        for i in range(1, n + 1):
            conn.request("POST", "/2015-03-31/functions/hello/invocations", body=b'{"name":"Ada"}')
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or json.loads(body) != {"message": "Hello, Ada!"}:
                sys.exit(f"soak: invocation {i} answered {resp.status}: {body[:300]!r}")
            if i % step == 0:
                # The runtime: the emulator's descendant started from the layer's bootstrap
                # (an ELF program, or a script that execs lambda-c-runtime).
                runtimes = [p for p in children(proc.pid) if is_runtime(p)]
                rt = proc_sample(runtimes[0]) if runtimes else None
                rows.append((i, proc_sample(proc.pid), rt, len(runtimes)))
                print(f"soak: emulator {i}/{n}", file=sys.stderr)
        conn.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        tmp.cleanup()
    return rows


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    step = max(1, n // 10)
    print("soak: direct run", file=sys.stderr)
    d = direct(build, n, step)
    print("soak: emulator run", file=sys.stderr)
    e = emulator(build, n, step)
    print(f"| invocations | direct: runtime RSS KiB | fds | threads | via emulator: runtime RSS KiB "
          f"| fds | threads | emulator RSS KiB | fds | threads |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (i, rss, fds, thr), (_, emu, rt, _count) in zip(d, e):
        rt = rt or ("?", "?", "?")
        emu = emu or ("?", "?", "?")
        print(f"| {i:,} | {rss} | {fds} | {thr} | {rt[0]} | {rt[1]} | {rt[2]} | {emu[0]} | "
              f"{emu[1]} | {emu[2]} |")


if __name__ == "__main__":
    main()
