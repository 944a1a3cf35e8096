"""Memory: a bounded footprint, no growth per invocation, no leaks or errors under valgrind."""
import os
import re
import shutil

import pytest

from conftest import spec

SANITIZED = "ASAN_OPTIONS" in os.environ  # ASan's quarantine grows by design


def status_kb(pid, field):
    text = open(f"/proc/{pid}/status").read()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


@pytest.mark.skipif(SANITIZED, reason="ASan's allocator quarantine grows on purpose")
def test_no_memory_growth_per_invocation(emulator):
    emu = emulator([spec("hello")])
    for i in range(300):
        assert emu.invoke("hello", {"name": f"warm{i}"}).status == 200
    pid = emu.debug("hello")["environments"][0]["pid"]
    before = status_kb(pid, "VmRSS")
    for i in range(1500):
        answer = emu.invoke("hello", {"name": f"n{i}"})
        assert answer.status == 200 and answer.function_error is None
    after = status_kb(pid, "VmRSS")
    assert emu.debug("hello")["environments"][0]["pid"] == pid
    # 1,500 invocations: a leak of even 16 bytes each would show.
    assert after - before <= 16, f"RSS grew from {before} kB to {after} kB over 1,500 invocations"


@pytest.mark.skipif(SANITIZED, reason="measures the production build")
def test_hello_peak_rss_is_small(emulator):
    emu = emulator([spec("hello")])
    for i in range(50):
        emu.invoke("hello", {"name": "rss"})
    pid = emu.debug("hello")["environments"][0]["pid"]
    peak = status_kb(pid, "VmHWM")
    print(f"hello runtime peak RSS: {peak} kB")
    assert peak <= 4096, f"peak RSS {peak} kB"


@pytest.mark.valgrind
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_valgrind_thousand_invocations(emulator, tmp_path):
    # /opt/bootstrap is the runtime ELF itself: valgrind starts it directly.
    wrapper = (f"valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect "
               f"--errors-for-leak-kinds=definite,indirect --track-fds=no --log-file={tmp_path}/valgrind.%p.log")
    emu = emulator([spec("hello", timeout=60), spec("fail", timeout=60)],
                   extra_args=["--runtime-wrapper", wrapper])
    for i in range(1000):
        name = "fail" if i % 10 == 9 else "hello"
        answer = emu.invoke(name, {"name": f"v{i}", "reason": "r"}, timeout=120)
        assert answer.status == 200
        assert (answer.function_error is None) == (name == "hello"), answer
    assert emu.invoke("hello", b"{malformed").function_error == "Unhandled"
    emu.stop()  # SIGTERM lets valgrind write its summary
    logs = sorted(tmp_path.glob("valgrind.*.log"))
    checked = 0
    for log in logs:
        text = log.read_text()
        assert re.search(r"Command: \S*/bootstrap\b", text), text[:2000]
        checked += 1
        assert "ERROR SUMMARY: 0 errors" in text, text[-4000:]
        assert "LEAK SUMMARY" in text or "All heap blocks were freed" in text, text[-4000:]
        for kind in ("definitely lost", "indirectly lost"):
            m = re.search(rf"{kind}: ([\d,]+) bytes", text)
            assert m is None or m.group(1) == "0", text[-4000:]
    assert checked >= 2, f"expected a valgrind report of each runtime process, got {checked}"
