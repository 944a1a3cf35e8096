#!/usr/bin/env python3
"""Writes the JUnit XML report of tests/fuzz/run.sh: one testcase per target, failed with the
reproducer's path and libFuzzer's (or the sanitizer's) message when the target found something.

usage: junit_report.py REPORT.xml RESULTS

RESULTS has one line per target, tab-separated: name, status, seconds, log file. Status:
passed; check (an input of the corpus or regressions failed: the reproducer is the last
input libFuzzer ran); fuzz (fuzzing found an input: the reproducer is the file libFuzzer
wrote); missing (the target is not built)."""
import re
import sys
import xml.etree.ElementTree as ET

TAIL_LINES = 40
MESSAGE_RE = re.compile(r"^(==\d+==\s*ERROR: .*|ERROR: libFuzzer: .*|SUMMARY: .*|.*runtime error: .*)$")


def read_log(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def reproducer_of(lines, status):
    """The input that failed: in the check, the last input libFuzzer ran; when fuzzing, the
    file it wrote."""
    pattern = r"^Running: (.+)$" if status == "check" else r"Test unit written to (\S+)"
    for line in reversed(lines):
        m = re.search(pattern, line)
        if m:
            return m.group(1).strip()
    return ""


def message_of(lines):
    found = [line.strip() for line in lines if MESSAGE_RE.match(line.strip())]
    # the first error line says what happened, the SUMMARY where
    first = found[:1] + [line for line in found[1:] if line.startswith("SUMMARY:")][:1]
    return " | ".join(first) or (lines[-1].strip() if lines else "no log")


def main(out, results):
    suite = ET.Element("testsuite", name="fuzz")
    counts = {"tests": 0, "failures": 0}
    with open(results, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for row in rows:
        name, status, seconds, log = (row + ["", "", ""])[:4]
        case = ET.SubElement(suite, "testcase", classname="fuzz", name=name, time=seconds or "0")
        counts["tests"] += 1
        if status == "passed":
            continue
        counts["failures"] += 1
        lines = read_log(log)
        if status == "missing":
            ET.SubElement(case, "failure", message="the target is not built (make fuzz-targets)")
            continue
        reproducer = reproducer_of(lines, status)
        failure = ET.SubElement(case, "failure", message="reproducer: %s; %s" % (reproducer or "unknown",
                                                                                 message_of(lines)))
        failure.text = "reproducer: %s\nlog: %s\n%s\n" % (reproducer or "unknown", log,
                                                          "\n".join(lines[-TAIL_LINES:]))
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    ET.ElementTree(suite).write(out, encoding="utf-8", xml_declaration=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
