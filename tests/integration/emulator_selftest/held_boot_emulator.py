"""The emulator, run from the source tree with one step held on purpose, for a regression
test of the start of a runtime that follows external extensions.

The thread that starts the runtime once every extension has registered ("boot") is held
after the runtime's process exists and before it takes the function's lock again, until the
runtime has taken its first invocation: what a loaded machine can do by scheduling alone.
When that thread has finished starting the runtime, the file named by HELD_BOOT_DONE is
created; the stand-in runtime's "waitfile" action answers only once it exists, so the
invocation is still running whatever the thread then does.

Usage: python3 held_boot_emulator.py EMULATOR_ARGS... (environment: HELD_BOOT_DONE)"""
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "emulator"))

from lambda_emulator import cli, environment  # noqa: E402

DONE = os.environ["HELD_BOOT_DONE"]
HOLD_S = 30.0
real_reader = environment.OutputReader
real_spawn = environment.Environment._spawn_runtime


def held_reader(env, stream, *rest, **kwargs):
    reader = real_reader(env, stream, *rest, **kwargs)
    # the runtime's stderr reader is the last step before the boot thread locks again
    if threading.current_thread().name == "boot" and env.proc is not None and stream is env.proc.stderr:
        end = time.monotonic() + HOLD_S
        while not env.active and time.monotonic() < end:
            time.sleep(0.01)
        sys.stderr.write("held-boot: %s\n" % ("released with the first invocation running" if env.active
                                              else "gave up waiting for the first invocation"))
        sys.stderr.flush()
    return reader


def spawn(self, argv):
    try:
        return real_spawn(self, argv)
    finally:
        if threading.current_thread().name == "boot":
            with open(DONE, "w"):
                pass


environment.OutputReader = held_reader
environment.Environment._spawn_runtime = spawn

if __name__ == "__main__":
    sys.exit(cli.main())
