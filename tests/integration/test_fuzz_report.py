"""tests/fuzz/run.sh writes a JUnit XML report (one testcase per target) that tools/test-summary
counts: shown with small libFuzzer targets built here, one crashing on an input of its
(temporary) corpus, one crashing on what fuzzing feeds it, one that never fails, one not built.
The tree's own corpus is never touched."""
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, require_tool

pytestmark = pytest.mark.packaging

TARGETS = {
    # aborts on the corpus input "BOOM": the check over the corpus fails
    "crashy": "if (size >= 4 && memcmp(data, \"BOOM\", 4) == 0) abort();",
    # aborts on the empty input, which libFuzzer always runs first when it starts fuzzing (and
    # the check over the corpus never does): the fuzzing fails, with a reproducer it writes
    "findable": "if (size == 0) abort();",
    "calm": "(void)data; (void)size;",
}
SOURCE = """#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    %s
    return 0;
}
"""


def fuzz_compiler():
    for name in ("clang-14", "clang"):
        if shutil.which(name):
            return name
    require_tool("clang-14", "clang (libFuzzer) is needed to build the fuzz targets")
    return "clang-14"


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory):
    cc = fuzz_compiler()
    tmp = tmp_path_factory.mktemp("fuzz-report")
    build, inputs = tmp / "build", tmp / "inputs"
    (build / "fuzz").mkdir(parents=True)
    for name, body in TARGETS.items():
        src = tmp / ("fuzz_%s.c" % name)
        src.write_text(SOURCE % body)
        subprocess.run([cc, "-g", "-fsanitize=fuzzer,address", "-o", str(build / "fuzz" / ("fuzz_" + name)),
                        str(src)], check=True)
        corpus = inputs / name / "corpus"
        corpus.mkdir(parents=True)
        (corpus / "seed").write_bytes(b"hello")
    (inputs / "crashy" / "corpus" / "boom").write_bytes(b"BOOM")
    (inputs / "absent" / "corpus").mkdir(parents=True)
    env = {"PATH": "/usr/bin:/bin", "FUZZ_INPUTS": str(inputs), "LANG": "C.UTF-8"}
    proc = subprocess.run(["bash", str(ROOT / "tests" / "fuzz" / "run.sh"), str(build), "check",
                           "calm", "crashy", "findable", "absent"],
                          cwd=str(tmp), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return proc, build, inputs


def cases(report):
    root = ET.parse(str(report)).getroot()
    return {c.get("name"): c for c in root.iter("testcase")}


def test_every_target_is_a_testcase(fuzz_run):
    proc, build, _inputs = fuzz_run
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 1, out
    found = cases(build / "test-reports" / "fuzz.xml")
    assert sorted(found) == ["absent", "calm", "crashy", "findable"], out
    assert [c.tag for c in found["calm"]] == []
    assert found["absent"].find("failure").get("message") == "the target is not built (make fuzz-targets)"


def test_a_crashing_corpus_input_is_a_failed_testcase(fuzz_run):
    _proc, build, inputs = fuzz_run
    failure = cases(build / "test-reports" / "fuzz.xml")["crashy"].find("failure")
    assert failure is not None
    message = failure.get("message")
    assert message.startswith("reproducer: %s;" % (inputs / "crashy" / "corpus" / "boom")), message
    assert "ERROR: libFuzzer: deadly signal" in message, message
    assert "LLVMFuzzerTestOneInput" in failure.text    # the log's tail, with the stack


def test_a_finding_of_the_fuzzing_is_a_failed_testcase_with_its_reproducer(fuzz_run):
    _proc, build, _inputs = fuzz_run
    failure = cases(build / "test-reports" / "fuzz.xml")["findable"].find("failure")
    assert failure is not None
    message = failure.get("message")
    findings = build / "fuzz" / "findings" / "findable"
    assert message.startswith("reproducer: %s/crash-" % findings), message
    reproducer = message[len("reproducer: "):message.index(";")]
    assert open(reproducer, "rb").read() == b""
    assert "ERROR: libFuzzer: deadly signal" in message, message


def test_the_summary_counts_the_report(fuzz_run):
    _proc, build, _inputs = fuzz_run
    summary = subprocess.run([sys.executable, str(ROOT / "tools" / "test-summary"),
                              str(build / "test-reports" / "fuzz.xml")], stdout=subprocess.PIPE, check=True)
    assert summary.stdout.decode().split() == ["1", "3", "0"]
