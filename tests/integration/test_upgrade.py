"""The upgrade story: a function keeps its zip while the layer under it moves on, or back.

- a handler built against the frozen 1.0 headers (tests/fixtures/abi-1.0) runs on this layer;
- a handler claiming an ABI this runtime does not provide is refused at init, naming both;
- the same function zips run on this layer, on the previous release's layer and on this one
  again (rollback, then upgrade), the runtime logging the version it is; a layer older than a
  handler's ABI refuses that handler with the versions to attach.
"""
import json
import os
import re
import shutil
import subprocess
import zipfile

import pytest

from build_helpers import compile_handler, runtime_start_lines, zip_dir
from conftest import BUILD, ROOT, function_zip, spec

FIXTURE = ROOT / "tests" / "fixtures" / "abi-1.0"
FIXTURE_1_1 = ROOT / "tests" / "fixtures" / "abi-1.1"


def version_of(header_text):
    """(release version, ABI major, ABI minor) from a version.h."""
    def define(name):
        return re.search(rf"#define {name} (\S+)", header_text).group(1)
    return (define("LAMBDA_C_VERSION_STRING").strip('"'), int(define("LAMBDA_C_ABI_MAJOR")),
            int(define("LAMBDA_C_ABI_MINOR")))


VERSION_H = ROOT / "sdk" / "include" / "lambda-c" / "version.h"
VERSION, ABI_MAJOR, ABI_MINOR = version_of(VERSION_H.read_text())


def error_of(answer):
    assert answer.status == 200 and answer.function_error == "Unhandled", answer
    return answer.json()


@pytest.fixture(scope="module")
def v1_handler(tmp_path_factory):
    """tests/fixtures/abi-1.0/handler.c built against the 1.0 headers: (v1.so, v1.zip)."""
    folder = tmp_path_factory.mktemp("abi-1.0")
    so = compile_handler([FIXTURE / "handler.c"], folder / "code" / "v1.so", include=FIXTURE / "include")
    return so, zip_dir(folder / "code", folder / "v1.zip")


def test_the_frozen_headers_are_the_1_0_release():
    assert version_of((FIXTURE / "include" / "lambda-c" / "version.h").read_text()) == ("1.0.0", 1, 0)
    assert ABI_MAJOR == 1, "a new major needs its own frozen headers and soname (see the README)"


def test_a_handler_built_against_1_0_runs_on_this_layer(emulator, v1_handler):
    emu = emulator([f"v1={v1_handler[1]},handler=v1.handler,memory=256"])
    answer = emu.invoke("v1", {"name": "old"})
    assert answer.status == 200 and answer.function_error is None, answer
    assert answer.json() == {
        "built_for_abi": 1 << 16,
        "runtime_abi": (ABI_MAJOR << 16) | ABI_MINOR,
        "runtime_version": VERSION,
        "initialised": True,
        "calls": 1,
        "function_name": "v1",
        "memory_mb": 256,
        "remaining_ms_positive": True,
    }
    assert emu.invoke("v1", {}).json()["calls"] == 2
    assert error_of(emu.invoke("v1", {"fail": "on purpose"})) == {
        "errorMessage": "failed as asked: on purpose",
        "errorType": "V1Error",
        "stackTrace": ["handler.c: handler"],
    }
    assert "1.0 handler serving request" in emu.logs()


def test_a_1_0_handler_binds_only_the_1_0_symbol_versions(v1_handler):
    syms = subprocess.run(["readelf", "-W", "--dyn-syms", str(v1_handler[0])], capture_output=True,
                          text=True, check=True).stdout
    versions = set(re.findall(r"@(LAMBDA_C_[0-9.]+)", syms))
    assert versions == {"LAMBDA_C_1.0"}, syms


CLAIM = """#define LAMBDA_C_NO_ABI_MARKER
#include <lambda-c.h>

__attribute__((visibility("default"))) const unsigned lambda_handler_abi_version =
    LAMBDA_C_ABI_PACK({major}, {minor});

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{{
    (void)event;
    (void)ctx;
    return lambda_response_set_body(response, "\\"ran\\"", 5, NULL);
}}
"""


@pytest.mark.parametrize("major,minor", [(ABI_MAJOR, ABI_MINOR + 1), (ABI_MAJOR + 1, 0),
                                         (ABI_MAJOR - 1, 9)], ids=["newer-minor", "next-major", "older-major"])
def test_a_handler_claiming_another_abi_is_refused(emulator, tmp_path, major, minor):
    source = tmp_path / "claim.c"
    source.write_text(CLAIM.format(major=major, minor=minor))
    compile_handler([source], tmp_path / "code" / "claim.so")
    emu = emulator([f"claim={tmp_path / 'code'},handler=claim.handler"])
    body = error_of(emu.invoke("claim", {}))
    assert body["errorType"] == "Runtime.IncompatibleABI"
    assert re.fullmatch(
        rf"\S+/claim\.so was built against lambda-c ABI {major}\.{minor}, but this layer's runtime "
        rf"\(lambda-c {re.escape(VERSION)}\) provides ABI {ABI_MAJOR}\.{ABI_MINOR}; attach a layer "
        rf"version with lambda-c ABI {major}\.{minor} or newer of the same major", body["errorMessage"]), body


FUTURE_CALL = CLAIM.replace('return lambda_response_set_body(response, "\\"ran\\"", 5, NULL);',
                            "return lambda_response_set_hologram(response);").replace(
    "lambda_handler_fn handler;", "lambda_code lambda_response_set_hologram(lambda_response *r);\n\n"
    "lambda_handler_fn handler;")


def test_a_newer_handler_calling_what_this_layer_lacks_is_refused_before_binding(emulator, tmp_path):
    """The ABI marker is read from the file before dlopen binds anything: a handler built for
    ABI x.(y+1) that calls a function of x.(y+1) gets IncompatibleABI, not 'undefined symbol'."""
    source = tmp_path / "future.c"
    source.write_text(FUTURE_CALL.format(major=ABI_MAJOR, minor=ABI_MINOR + 1))
    compile_handler([source], tmp_path / "code" / "future.so")
    syms = subprocess.run(["nm", "-D", "--undefined-only", str(tmp_path / "code" / "future.so")],
                          capture_output=True, text=True, check=True).stdout
    assert "lambda_response_set_hologram" in syms
    emu = emulator([f"future={tmp_path / 'code'},handler=future.handler"])
    body = error_of(emu.invoke("future", {}))
    assert body["errorType"] == "Runtime.IncompatibleABI", body
    assert (f"was built against lambda-c ABI {ABI_MAJOR}.{ABI_MINOR + 1}, but this layer's runtime "
            f"(lambda-c {VERSION}) provides ABI {ABI_MAJOR}.{ABI_MINOR}") in body["errorMessage"], body
    assert "undefined symbol" not in body["errorMessage"]


# ---------------------------------------------------------------- a 1.1 handler (one library)

def v1_1_stub(folder):
    """A link-time stand-in for 1.1's liblambda-c.so.1: every symbol 1.1 exported (the core's
    1.0 and 1.1 nodes, the event bindings, the metrics), with 1.1's own version script."""
    names = set()
    for lib in ("liblambda-c", "liblambda-c-events", "liblambda-c-metrics"):
        out = subprocess.run(["nm", "-D", "--defined-only", str(BUILD / "lib" / f"{lib}.so.1")],
                             capture_output=True, text=True, check=True).stdout
        names |= {m.group(1) for m in re.finditer(r" T (lambda_\w+)@+LAMBDA_C_1\.[01]\b", out)}
    assert len(names) > 200, names
    source = folder / "stub.c"
    source.write_text("".join(f"void {n}(void);\nvoid {n}(void) {{}}\n" for n in sorted(names)))
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(folder / "liblambda-c.so"), str(source),
                    "-Wl,-soname,liblambda-c.so.1", f"-Wl,--version-script={FIXTURE_1_1 / 'liblambda-c.map'}"],
                   check=True)
    return folder


@pytest.fixture(scope="module")
def v1_1_handler(tmp_path_factory):
    """tests/fixtures/abi-1.1/handler.c as 1.1 built it: (v11.so, v11.zip)."""
    folder = tmp_path_factory.mktemp("abi-1.1")
    stub = v1_1_stub(folder)
    so = compile_handler([FIXTURE_1_1 / "handler.c"], folder / "code" / "v11.so",
                         include=FIXTURE_1_1 / "include", libdir=stub)
    return so, zip_dir(folder / "code", folder / "v11.zip")


@pytest.fixture(scope="module")
def v1_1_program(tmp_path_factory):
    """The same handler as a 1.1 executable-mode program (bootstrap), built as 1.1 built it."""
    folder = tmp_path_factory.mktemp("abi-1.1-exec")
    stub = v1_1_stub(folder)
    compile_handler([FIXTURE_1_1 / "handler.c", FIXTURE_1_1 / "bootstrap.c"], folder / "code" / "bootstrap",
                    include=FIXTURE_1_1 / "include", libdir=stub, executable=True)
    return zip_dir(folder / "code", folder / "v11-exec.zip")


def test_a_1_1_program_in_executable_mode_runs_on_this_layer(emulator, v1_1_program):
    """A 1.1 bootstrap names liblambda-c.so.1 only; the core loads the split libraries for it."""
    emu = emulator([f"v11exec={v1_1_program},handler=bootstrap"])
    event = json.loads((ROOT / "tests" / "events" / "sqs.json").read_text())
    answer = emu.invoke("v11exec", event)
    assert answer.status == 200 and answer.function_error is None, (answer, emu.logs())
    assert answer.json() == {"messages": len(event["Records"]), "first_body": event["Records"][0]["body"]}
    assert '"Namespace":"abi-1.1"' in emu.logs().replace(" ", "")


def test_the_frozen_1_1_headers_are_the_1_1_release():
    assert version_of((FIXTURE_1_1 / "include" / "lambda-c" / "version.h").read_text()) == ("1.1.0", 1, 1)


def test_a_1_1_handler_needs_only_liblambda_c_and_binds_1_1_versions(v1_1_handler):
    dynamic = subprocess.run(["readelf", "-W", "-d", "--dyn-syms", str(v1_1_handler[0])],
                             capture_output=True, text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(liblambda-c[^\]]*)\]", dynamic))
    assert needed == {"liblambda-c.so.1"}, dynamic
    assert "lambda_sqs_event_parse@LAMBDA_C_1.1" in dynamic
    assert "lambda_metrics_put@LAMBDA_C_1.1" in dynamic


def test_a_1_1_handler_using_events_and_metrics_runs_on_this_layer(emulator, v1_1_handler):
    emu = emulator([f"v11={v1_1_handler[1]},handler=v11.handler"])
    event = json.loads((ROOT / "tests" / "events" / "sqs.json").read_text())
    answer = emu.invoke("v11", event)
    assert answer.status == 200 and answer.function_error is None, answer
    assert answer.json() == {"messages": len(event["Records"]),
                             "first_body": event["Records"][0]["body"]}
    logs = emu.logs()
    assert "1.1 handler serving request" in logs
    emf = [json.loads(line[line.index("{"):]) for line in logs.splitlines() if '"_aws"' in line]
    assert emf and emf[0]["Messages"] == len(event["Records"]), logs
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "abi-1.1"


# ---------------------------------------------------------------- other layer versions

def build_layer_release(tmp_path_factory, name, version, abi_minor):
    """This checkout's runtime and SDK rebuilt as another release: its layer.zip."""
    src = tmp_path_factory.mktemp(name)
    for item in ("Makefile", "runtime", "layer", "tools", "sdk", "third_party", "tests/unit/unit.mk"):
        if (ROOT / item).is_dir():
            shutil.copytree(ROOT / item, src / item)
        else:
            (src / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / item, src / item)
    header = src / "sdk" / "include" / "lambda-c" / "version.h"
    major, minor, patch = version.split(".")
    text = header.read_text()
    for macro, value in (("VERSION_MAJOR", major), ("VERSION_MINOR", minor), ("VERSION_PATCH", patch),
                         ("VERSION_STRING", f'"{version}"'), ("ABI_MINOR", abi_minor)):
        text, count = re.subn(rf"(#define LAMBDA_C_{macro}) \S+", rf"\g<1> {value}", text)
        assert count == 1, macro
    header.write_text(text)
    jobs = str(os.cpu_count() or 2)
    # THIRD_PARTY_DIR: the checkout's cache of the lean libcurl, built once per target.
    subprocess.run(["make", "-s", "-j", jobs, "BUILD_DIR=build", f"THIRD_PARTY_DIR={ROOT / 'build' / 'third-party'}",
                    "build/layer.zip"], cwd=src, check=True,
                   stdout=subprocess.DEVNULL)
    return src / "build" / "layer.zip"


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory):
    """A stand-in for the last release of the previous minor (e.g. 1.0.9 when this is 1.1.0),
    or, right after a major, of the previous patch: its layer.zip, version and ABI minor."""
    major, minor, patch = (int(n) for n in VERSION.split("."))
    if ABI_MINOR > 0:
        version, abi_minor = f"{major}.{minor - 1}.9", ABI_MINOR - 1
    elif patch > 0:
        version, abi_minor = f"{major}.{minor}.{patch - 1}", ABI_MINOR
    else:
        pytest.skip("the first release of a major has no previous release of the same major")
    return build_layer_release(tmp_path_factory, "previous-release", version, abi_minor), version, abi_minor


def layer_version(layer_zip):
    with zipfile.ZipFile(layer_zip) as z:
        return z.read("VERSION").decode().strip()


@pytest.mark.packaging
def test_layers_swapped_under_unchanged_function_zips(emulator, previous_release, v1_handler):
    previous_zip, previous_version, previous_minor = previous_release
    hello = function_zip("hello")  # built against this checkout's headers (ABI x.y)
    hello_bytes, v1_bytes = hello.read_bytes(), v1_handler[1].read_bytes()
    functions = [spec("hello"), f"v1={v1_handler[1]},handler=v1.handler"]
    # This release; rollback to the previous one; upgrade again: the zips never change.
    for layer, version, minor in ((BUILD / "layer.zip", VERSION, ABI_MINOR),
                                  (previous_zip, previous_version, previous_minor),
                                  (BUILD / "layer.zip", VERSION, ABI_MINOR)):
        assert layer_version(layer) == version
        emu = emulator(functions, layer=layer)
        assert emu.invoke("v1", {}).json()["runtime_version"] == version
        answer = emu.invoke("hello", {"name": "Ada"})
        if minor >= ABI_MINOR:
            assert answer.json() == {"message": "Hello, Ada!"}, answer
        else:
            # A layer older than the handler's ABI refuses it, saying what to attach.
            body = error_of(answer)
            assert body["errorType"] == "Runtime.IncompatibleABI"
            assert (f"was built against lambda-c ABI {ABI_MAJOR}.{ABI_MINOR}, but this layer's runtime "
                    f"(lambda-c {version}) provides ABI {ABI_MAJOR}.{minor}; attach a layer version with "
                    f"lambda-c ABI {ABI_MAJOR}.{ABI_MINOR} or newer of the same major") in body["errorMessage"]
        assert set(runtime_start_lines(emu.logs())) == {(version, f"{ABI_MAJOR}.{minor}")}, emu.logs()
        emu.stop()
    assert hello.read_bytes() == hello_bytes and v1_handler[1].read_bytes() == v1_bytes
