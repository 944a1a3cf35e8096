"""The arm64 (Graviton) build: cross-compiled by `./build.sh --arch arm64` into build-arm64/,
run under qemu-aarch64-static through the emulator (tools/run-arm64 starts the bootstraps)."""
import os
import pathlib
import re
import shutil
import subprocess
import zipfile

import pytest

from build_helpers import elf_machine, makefile_resources, sam_build
from conftest import ROOT, Emulator

pytestmark = pytest.mark.arm64

ARM64 = pathlib.Path(os.environ.get("LAMBDA_C_ARM64_BUILD_DIR") or ROOT / "build-arm64").resolve()
WRAPPER = str(ROOT / "tools" / "run-arm64")
GLIBC = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-aarch64.so.1"}


def require(condition, why):
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why + " (CI runs the arm64 tests: ./build.sh test builds build-arm64)")
        pytest.skip(why)


@pytest.fixture(scope="module", autouse=True)
def arm64_build():
    require((ARM64 / "layer.zip").exists(), f"no arm64 build in {ARM64}: ./build.sh --arch arm64")
    require(shutil.which("qemu-aarch64-static"), "qemu-aarch64-static is not installed (qemu-user-static)")


def arm64_spec(name, handler=None, zip_name=None):
    zip_path = ARM64 / "functions" / f"{zip_name or name}.zip"
    if not zip_path.exists():
        zip_path = ARM64 / "test-functions" / f"{zip_name or name}.zip"
    return f"{name}={zip_path},handler={handler or (zip_name or name) + '.handler'}"


@pytest.fixture(scope="module")
def arm64_emulator():
    emu = Emulator([arm64_spec("hello"), arm64_spec("fail"), arm64_spec("echo"),
                    arm64_spec("hello-exec", handler="bootstrap"),
                    arm64_spec("nosymbol", handler="hello.nosuch", zip_name="hello"),
                    arm64_spec("crash")],
                   layer=ARM64 / "layer.zip", extra_args=["--runtime-wrapper", WRAPPER])
    yield emu
    emu.stop()


def test_every_elf_file_of_the_arm64_layer_is_arm64():
    with zipfile.ZipFile(ARM64 / "layer.zip") as z:
        names = z.namelist()
    assert {"bootstrap", "VERSION", "bin/lambda-c-runtime", "lib/liblambda-c.so.1", "lib/libjson-c.so.5"} <= set(names)
    layer = ARM64 / "layer"
    elves = [p for p in layer.rglob("*") if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"]
    assert {elf_machine(p) for p in elves} == {"arm64"}, elves
    for zip_path in (ARM64 / "functions").glob("*.zip"):
        folder = ARM64 / "functions" / zip_path.stem
        for p in folder.iterdir():
            assert elf_machine(p) == "arm64", p


def test_the_arm64_layer_bundles_its_closure_minus_glibc():
    layer = ARM64 / "layer"
    libs = {p.name for p in (layer / "lib").iterdir()}
    todo = [layer / "bootstrap", layer / "bin" / "lambda-c-runtime", layer / "lib" / "liblambda-c.so.1"]
    seen = set()
    while todo:
        dyn = subprocess.run(["readelf", "-d", str(todo.pop())], capture_output=True, text=True, check=True).stdout
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
            if lib in GLIBC or lib in seen:
                continue
            assert lib in libs, f"{lib} is needed but not in the arm64 layer"
            seen.add(lib)
            todo.append(layer / "lib" / lib)
    # json-c is inside liblambda-c; the layer keeps libjson-c.so.5 for handlers that link it.
    assert "libjson-c.so.5" not in seen and "libjson-c.so.5" in libs


def test_hello_answers_under_qemu(arm64_emulator):
    answer = arm64_emulator.invoke("hello", {"name": "Graviton"})
    assert answer.status == 200 and answer.function_error is None, answer
    assert answer.json() == {"message": "Hello, Graviton!"}
    version = (ARM64 / "layer" / "VERSION").read_text().strip()
    assert f"lambda-c runtime {version} (ABI" in arm64_emulator.logs()


def test_fail_answers_its_error_under_qemu(arm64_emulator):
    answer = arm64_emulator.invoke("fail", {"reason": "out of stock"})
    assert answer.function_error == "Unhandled"
    assert answer.json() == {"errorMessage": "order rejected: out of stock", "errorType": "OrderRejected",
                             "stackTrace": ["fail.c: handler"]}


def test_echo_and_executable_mode_under_qemu(arm64_emulator):
    payload = bytes(range(256)) * 16
    echo = arm64_emulator.invoke("echo", payload, headers={"Content-Type": "application/octet-stream"})
    assert echo.body == payload and echo.function_error is None
    own = arm64_emulator.invoke("hello-exec", {"name": "Graviton"})
    assert own.json() == {"message": "Hello, Graviton, from my own bootstrap!"}, own


def test_init_error_under_qemu(arm64_emulator):
    answer = arm64_emulator.invoke("nosymbol", {})
    assert answer.function_error == "Unhandled"
    body = answer.json()
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert re.fullmatch(r"Handler 'hello\.nosuch' missing: no symbol 'nosuch' in \S+/hello\.so",
                        body["errorMessage"]), body


def test_crash_under_qemu_is_reported_and_replaced(arm64_emulator):
    answer = arm64_emulator.invoke("crash", {})
    assert answer.function_error == "Unhandled"
    assert answer.json()["errorType"] == "Runtime.ExitError"
    assert arm64_emulator.invoke("hello", {"name": "again"}).json() == {"message": "Hello, again!"}


@pytest.mark.packaging
def test_sam_build_for_arm64_follows_the_sdk_on_pkg_config_path(tmp_path):
    """PKG_CONFIG_PATH on build-arm64/sdk: the function targets cross-compile, and the layer
    target (./build.sh layer) builds the arm64 layer; together they answer under QEMU."""
    resources = dict(makefile_resources())
    env = {k: v for k, v in os.environ.items() if k not in ("BUILD_DIR", "LAMBDA_C_ARCH", "CC")}
    env["PKG_CONFIG_PATH"] = str(ARM64 / "sdk" / "lib" / "pkgconfig")
    built = {}
    for name in ("HelloFunction", "RuntimeLayer"):
        run = sam_build(name, resources[name], tmp_path / name / "scratch", tmp_path / name / "art", env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        built[name] = tmp_path / name / "art"
    assert elf_machine(built["HelloFunction"] / "hello.so") == "arm64"
    assert elf_machine(built["RuntimeLayer"] / "bin" / "lambda-c-runtime") == "arm64"
    emu = Emulator([f"hello={built['HelloFunction']},handler=hello.handler"], layer=built["RuntimeLayer"],
                   extra_args=["--runtime-wrapper", WRAPPER])
    try:
        assert emu.invoke("hello", {"name": "sam"}).json() == {"message": "Hello, sam!"}
    finally:
        emu.stop()
