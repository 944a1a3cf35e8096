#!/usr/bin/env python3
"""devloop.py ARCHIVE [RUNS]: the local development loop, timed.

Unpacks the SDK archive into a fresh folder, creates `lambda-c new web --template http` there
and runs `lambda-c watch --port 0` on it. Then:
  - save-to-new-answer: RUNS times, the handler's message is changed on disk and
    GET /hello?name=Ada is polled (every 5 ms) until the new message answers; the time from the
    write to that answer, and from the write to watch printing "rebuilding" (rebuild start);
  - per-request overhead of the HTTP front: REQUESTS requests of the same event through the
    template's route (HTTP front -> Invoke API -> function) and straight to the Invoke API, each
    on one keep-alive connection; the medians and their difference.
Wall-clock figures: the machine's load shows in them; compare runs made together only.

    python3 bench/devloop.py build/lambda-c-sdk-1.2.0-x86_64.tar.gz 10
"""
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

REQUESTS = 300


def main():
    archive = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    root = tempfile.mkdtemp(prefix="lambda-c-devloop-")
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(root)  # noqa: S202 - our own archive
        prefix = next(os.path.join(root, p) for p in os.listdir(root) if p.startswith("lambda-c-sdk-"))
        env = dict(os.environ, PATH=f"{prefix}/bin:/usr/bin:/bin:{os.environ.get('PATH', '')}")
        subprocess.run(["lambda-c", "new", "web", "--template", "http"], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        project = os.path.join(root, "web")
        watch = Watch(env, project)
        try:
            save_to_answer(watch, project, runs)
            overhead(watch, project)
        finally:
            watch.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


class Watch:
    def __init__(self, env, project):
        self.proc = subprocess.Popen(["lambda-c", "watch", "--port", "0"], cwd=project, env=env, text=True,
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)
        self.lines = []  # (monotonic time, line)
        self.ready = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()
        if not self.ready.wait(300):
            raise SystemExit("lambda-c watch did not start:\n" + "\n".join(l for _t, l in self.lines))
        text = "\n".join(l for _t, l in self.lines)
        self.front = int(re.search(r"http://127\.0\.0\.1:(\d+)/hello", text).group(1))
        self.invoke = int(re.search(r"Invoke API: http://127\.0\.0\.1:(\d+)", text).group(1))

    def read(self):
        for line in self.proc.stderr:
            self.lines.append((time.monotonic(), line.rstrip("\n")))
            if "watching" in line:
                self.ready.set()

    def first_after(self, text, since):
        for t, line in list(self.lines):
            if t >= since and text in line:
                return t
        return None

    def stop(self):
        os.killpg(self.proc.pid, 15)
        self.proc.wait(timeout=30)


def get(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def save_to_answer(watch, project, runs):
    source = os.path.join(project, "web.c")
    text = open(source).read()
    conn = http.client.HTTPConnection("127.0.0.1", watch.front, timeout=60)
    totals, starts, builds = [], [], []
    for i in range(runs):
        word = f"Hello v{i}"
        time.sleep(0.5)  # a pause between saves, as when typing
        saved = time.monotonic()
        with open(source, "w") as f:
            f.write(text.replace('"Hello, %s!"', f'"{word}, %s!"'))
        deadline = saved + 120
        while True:
            status, body = get(conn, "GET", "/hello?name=Ada")
            if word.encode() in body:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"no new answer within 120 s: {status} {body!r}")
            time.sleep(0.005)
        totals.append(time.monotonic() - saved)
        started = watch.first_after("rebuilding", saved)
        starts.append((started - saved) if started else float("nan"))
        # The new code can answer before watch logs the end of the rebuild: wait for that line.
        done = None
        for _ in range(200):
            done = watch.first_after("rebuilt in", saved)
            if done:
                break
            time.sleep(0.05)
        builds.append((done - started) if done and started else float("nan"))
        print(f"save {i + 1}: new answer after {totals[-1] * 1000:.0f} ms (rebuild started after "
              f"{starts[-1] * 1000:.0f} ms, took {builds[-1] * 1000:.0f} ms)")
    print(f"save-to-new-answer: median {statistics.median(totals) * 1000:.0f} ms over {runs} saves "
          f"(min {min(totals) * 1000:.0f}, max {max(totals) * 1000:.0f}); rebuild start: median "
          f"{median(starts) * 1000:.0f} ms, max {max(starts) * 1000:.0f} ms; rebuild (the build, from the change "
          f"seen to watch's \"rebuilt\" line): median {median(builds) * 1000:.0f} ms")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def median(values):
    """The median of the values measured (a missing log line is NaN, left out)."""
    known = [v for v in values if v == v]
    return statistics.median(known) if known else float("nan")


def timed(conn, method, path, body):
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        status, _answer = get(conn, method, path, body)
        times.append(time.perf_counter() - started)
        assert status == 200, status
    return statistics.median(times) * 1e3, sorted(times)[int(REQUESTS * 0.9)] * 1e3


def overhead(watch, project):
    event = open(os.path.join(project, "event.json"), "rb").read()
    front = http.client.HTTPConnection("127.0.0.1", watch.front, timeout=60)
    direct = http.client.HTTPConnection("127.0.0.1", watch.invoke, timeout=60)
    for conn, method, path, body in ((front, "GET", "/hello?name=Ada", None),
                                     (direct, "POST", "/2015-03-31/functions/WebFunction/invocations", event)):
        for _ in range(20):  # warm
            get(conn, method, path, body)
    f_med, f_p90 = timed(front, "GET", "/hello?name=Ada", None)
    d_med, d_p90 = timed(direct, "POST", "/2015-03-31/functions/WebFunction/invocations", event)
    print(f"HTTP front:  median {f_med:.2f} ms, p90 {f_p90:.2f} ms ({REQUESTS} requests)")
    print(f"Invoke API:  median {d_med:.2f} ms, p90 {d_p90:.2f} ms ({REQUESTS} requests)")
    print(f"per-request overhead of the HTTP front: {f_med - d_med:.2f} ms (median difference)")


if __name__ == "__main__":
    main()
