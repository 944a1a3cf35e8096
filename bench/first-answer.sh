#!/bin/sh
# first-answer.sh ARCHIVE [RUNS]: the new user's path, timed from the SDK archive to the first
# local answer: unpack it into a fresh folder, `lambda-c new hello`, `lambda-c invoke`
# (build, glibc check, strip, zip, emulator with the real layer). Each run starts from nothing;
# prints one line per run (seconds, wall clock) and the median. The machine's load shows in
# these figures: compare runs made together only.
#
#   sh bench/first-answer.sh build/lambda-c-sdk-1.2.0-x86_64.tar.gz 5
set -eu
archive=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
runs=${2:-3}
python=$(command -v /usr/bin/python3 || command -v python3)
times=""
i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    work=$(mktemp -d)
    answer=$(cd "$work" && "$python" - "$archive" <<'PY'
import os, subprocess, sys, time
start = time.monotonic()
subprocess.run(["tar", "xzf", sys.argv[1]], check=True)
prefix = next(os.path.abspath(p) for p in os.listdir(".") if p.startswith("lambda-c-sdk-"))
env = dict(os.environ, PATH=f"{prefix}/bin:/usr/bin:/bin:{os.environ.get('PATH', '')}")
subprocess.run(["lambda-c", "new", "hello"], env=env, check=True, stdout=subprocess.DEVNULL)
out = subprocess.run(["lambda-c", "invoke", "--event", '{"name":"Ada"}'], cwd="hello", env=env,
                     check=True, capture_output=True, text=True).stdout
print(f"{time.monotonic() - start:.2f} {out}")
PY
)
    rm -rf "$work"
    seconds=${answer%% *}
    printf 'run %d: %s s, answer %s\n' "$i" "$seconds" "${answer#* }"
    times="$times$seconds
"
done
printf '%s' "$times" | sort -n | awk '{ t[NR] = $1 } END { printf "median of %d: %s s\n", NR, t[int((NR + 1) / 2)] }'
