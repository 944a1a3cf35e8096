"""One style for the tree: .clang-format applied, no unexplained function over 80 lines."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.packaging


def c_sources():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "sdk", "runtime", "examples",
                          "bench"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [p for p in out.split() if p.endswith(".c") and (ROOT / p).exists()]


def test_the_tree_is_clang_formatted():
    if shutil.which("clang-format") is None:
        why = "clang-format is not installed (Debian package clang-format)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    run = subprocess.run(["make", "-s", "format-check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]


def test_no_function_is_over_80_lines_without_a_reason():
    run = subprocess.run(["python3", "tools/long-functions", *c_sources()], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, "functions over 80 lines without a 'Long because' comment:\n" + run.stdout


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "".join(f"    x += {i};\n" for i in range(90))
    source = tmp_path / "long.c"
    source.write_text(f"int f(int x)\n{{\n{body}    return x;\n}}\n")
    run = subprocess.run(["python3", str(ROOT / "tools/long-functions"), str(source)], capture_output=True, text=True)
    assert run.returncode == 1 and "long.c:1: 94 lines" in run.stdout, run.stdout
    source.write_text(f"/* Long because: a table of ninety steps reads best in one place. */\n"
                      f"int f(int x)\n{{\n{body}    return x;\n}}\n")
    run = subprocess.run(["python3", str(ROOT / "tools/long-functions"), str(source)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
