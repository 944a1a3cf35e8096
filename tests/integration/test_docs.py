"""The documentation holds: every C sample of the README and docs/ compiles as a user's code
does (the SDK's flags, plus strict warnings as errors), the API reference builds with
Doxygen's warnings (undocumented members included) as errors, and the guides' links resolve."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT
from sdk_helpers import PRIVATE, require_tool

pytestmark = pytest.mark.packaging

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
USER_WARNINGS = ["-Wall", "-Wextra", "-Wmissing-prototypes", "-Werror"]


def c_samples():
    for doc in DOCS:
        text = doc.read_text()
        for number, match in enumerate(re.finditer(r"^```c\n(.*?)^```", text, re.S | re.M), 1):
            line = text[:match.start()].count("\n") + 1
            yield pytest.param(match.group(1), id=f"{doc.name}:{line}")


SAMPLES = list(c_samples())


def test_the_docs_have_c_samples():
    assert len(SAMPLES) >= 8


@pytest.mark.parametrize("source", SAMPLES)
def test_the_c_sample_compiles_with_strict_user_warnings(source, tmp_path):
    sdk = BUILD / "sdk"
    env = dict(os.environ, PKG_CONFIG_PATH=str(sdk / "lib" / "pkgconfig"))
    # The SDK library of each lambda-c header family the sample includes (when the SDK splits it out).
    families = {"lambda-c/aws_": "lambda-c-aws", "lambda-c/event_": "lambda-c-events",
                "lambda-c/metrics.h": "lambda-c-metrics"}
    libs = ["lambda-c"] + [lib for prefix, lib in families.items()
                           if f"#include <{prefix}" in source and (sdk / "lib" / "pkgconfig" / f"{lib}.pc").exists()]
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", *libs], env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    src = tmp_path / "sample.c"
    src.write_text(source)
    kind = ["-fPIE", "-pie"] if re.search(r"^int main\(", source, re.M) else ["-fPIC", "-shared", "-Wl,-z,defs"]
    run = subprocess.run(["cc", "-O2", *USER_WARNINGS, *kind, "-o", str(tmp_path / "sample"), str(src), *flags],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_api_reference_builds_with_warnings_as_errors(tmp_path):
    doxygen = require_tool("doxygen")
    config = (ROOT / "docs" / "Doxyfile").read_text()
    assert re.search(r"^WARN_AS_ERROR\s*=\s*(YES|FAIL_ON_WARNINGS)$", config, re.M)
    assert re.search(r"^WARN_IF_UNDOCUMENTED\s*=\s*YES$", config, re.M)
    run = subprocess.run([doxygen, "-"], input=config + f"\nOUTPUT_DIRECTORY = {tmp_path}\n", cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr
    html = tmp_path / "html"
    assert (html / "index.html").is_file()
    # Every public header has its page, and the optional entry points are documented.
    pages = {p.name for p in html.iterdir()}
    for header in (ROOT / "sdk" / "include" / "lambda-c").glob("*.h"):
        assert header.name.replace("_", "__").replace(".", "_8") + ".html" in pages, header.name
    assert "lambda_function_init" in (html / "handler_8h.html").read_text()


def test_the_readmes_five_minute_path_runs_as_written(tmp_path):
    """Steps 1 to 3 of the README's first shell block, verbatim, in a fresh HOME holding the
    SDK archive (step 4 deploys to AWS; apt-get is the machine's business)."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"^## Five minutes.*?^```sh\n(.*?)^```", text, re.S | re.M).group(1)
    steps = block[:block.index("# 4.")]
    commands = [line for line in steps.splitlines() if line.strip() and not line.startswith(("#", "sudo "))]
    archive = re.search(r"tar xzf (lambda-c-sdk-\S+\.tar\.gz)", steps).group(1)
    version = (BUILD / "layer" / "VERSION").read_text().strip()
    assert archive == f"lambda-c-sdk-{version}-x86_64.tar.gz", "the README names another release"
    shutil.copy2(BUILD / archive, tmp_path / archive)
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
    env.update(HOME=str(tmp_path), PATH="/usr/bin:/bin:" + env.get("PATH", ""))
    run = subprocess.run(["bash", "-euc", "\n".join(commands)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    promised = re.search(r"# (\{.*\})$", steps, re.M).group(1)
    assert json.loads(run.stdout.splitlines()[-1]) == json.loads(promised), run.stdout


def test_the_guides_links_resolve():
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text()):
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"
