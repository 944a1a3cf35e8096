"""Never stale: a function's code or a layer that changes under a running emulator is what the
very next invoke runs, in a new environment; warm environments with the old code go."""
import json
import os
import shutil
import zipfile

import pytest

from emu_selftest_helpers import BOOTSTRAP, HERE, wait_for, emu_start, fn_dir, layer_dir  # noqa: F401
from test_emu_extensions import add_extensions, records

pytestmark = pytest.mark.emulator_selftest

READ = {"action": "file", "name": "answer.txt"}


def gone(pid):
    return not os.path.exists("/proc/%d" % pid) or "zombie" in open("/proc/%d/status" % pid).read().lower()


def test_changed_folder_runs_fresh_and_old_environment_ends(emu_start, fn_dir, layer_dir, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    add_extensions(layer_dir, "watcher")
    answer = os.path.join(fn_dir, "answer.txt")
    with open(answer, "w") as f:
        f.write("v1")
    emu = emu_start("f=%s,handler=echo,env.FAKE_MARK_DIR=%s" % (fn_dir, marks), args=["--layer", layer_dir])
    assert emu.invoke("f", READ)[2] == b'"v1"'
    assert emu.invoke("f", READ)[2] == b'"v1"'          # warm, same code
    old = emu.debug("f")["environments"][0]
    with open(answer, "w") as f:
        f.write("v2")
    assert emu.invoke("f", READ)[2] == b'"v2"'          # the very next invoke
    dbg = emu.debug("f")
    assert dbg["cold_starts"] == 2
    assert wait_for(lambda: gone(old["pid"]))
    assert [e["pid"] for e in emu.debug("f")["environments"]] != [old["pid"]]
    # the old environment's extension was shut down as Lambda does
    shutdowns = [r["event"] for r in records(marks, "watcher")
                 if "event" in r and r["event"]["eventType"] == "SHUTDOWN"]
    assert shutdowns and shutdowns[0]["shutdownReason"] == "spindown"
    assert "f: code changed: the next invocation starts a new environment" in emu.log()
    assert emu.invoke("f", READ)[2] == b'"v2"' and emu.debug("f")["cold_starts"] == 2   # then warm again


def make_zip(path, files):
    tmp = str(path) + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            z.writestr(info, data)
    os.replace(tmp, path)


def test_changed_zip_and_layer(emu_start, tmp_path, layer_dir):
    code = {"bootstrap": (BOOTSTRAP, 0o755), "fake_runtime.py": (open(os.path.join(HERE, "fake_runtime.py")).read(), 0o644)}
    fzip = tmp_path / "f.zip"
    make_zip(fzip, dict(code, **{"answer.txt": ("zip1", 0o644)}))
    lzip = tmp_path / "layer.zip"
    make_zip(lzip, {"answer.txt": ("layer1", 0o644)})
    emu = emu_start("f=%s,handler=echo" % fzip, "g=%s,handler=echo,version=1" % fzip,
                    args=["--layer", str(lzip), "--layer", layer_dir])
    assert emu.invoke("f", READ)[2] == b'"zip1"'
    assert emu.invoke("g:1", READ)[2] == b'"zip1"'
    make_zip(fzip, dict(code, **{"answer.txt": ("zip2", 0o644)}))
    assert emu.invoke("f", READ)[2] == b'"zip2"'
    assert emu.invoke("g", READ)[2] == b'"zip2"'           # $LATEST follows the code
    assert emu.invoke("g:1", READ)[2] == b'"zip1"'         # a published version does not
    layer_read = dict(READ, where="opt")
    assert emu.invoke("f", layer_read)[2] == b'"layer1"'
    before = emu.debug("f")["cold_starts"]
    make_zip(lzip, {"answer.txt": ("layer2", 0o644)})
    assert emu.invoke("f", layer_read)[2] == b'"layer2"'
    assert emu.debug("f")["cold_starts"] == before + 1


def test_unchanged_code_stays_warm(emu_start, fn_dir, layer_dir):
    shutil.copy(os.path.join(HERE, "fake_runtime.py"), os.path.join(fn_dir, "answer.txt"))
    emu = emu_start("f=%s,handler=echo" % fn_dir, args=["--layer", layer_dir])
    for _ in range(5):
        assert emu.invoke("f", b'"x"')[0] == 200
    assert emu.debug("f")["cold_starts"] == 1
    assert json.loads(emu.invoke("f", READ)[2]).startswith('"""A tiny stand-in runtime')
