"""The AWS client examples (examples/s3-roundtrip, examples/dynamodb-store) run locally against
moto_server with the one command their README documents (and docs/aws.md repeats): run as
written, from a copy of the examples beside the build's SDK, the answer shows the round trip.

Skipped, with the reason, when moto is not installed; under CI=true that is a failure."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

pytestmark = pytest.mark.packaging

EXAMPLES = ["s3-roundtrip", "dynamodb-store"]
PRIVATE = ("BUILD_DIR", "LAMBDA_C_ARCH", "LAMBDA_C_BUILD_DIR", "LAMBDA_C_ARM64_BUILD_DIR", "CC", "PKG_CONFIG_PATH",
           "MAKEFLAGS", "MAKELEVEL")


def documented_command(name):
    """The line of the README's sh blocks that runs `make ... local`."""
    readme = (ROOT / "examples" / name / "README.md").read_text()
    lines = [line for block in re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M)
             for line in block.splitlines() if re.search(r"\bmake\b.*\blocal$", line)]
    assert len(lines) == 1, f"{name}/README.md: expected one `make ... local` command, found {lines}"
    return lines[0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_guide_and_the_readme_give_the_same_command(name):
    assert documented_command(name) in (ROOT / "docs" / "aws.md").read_text()


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_documented_command_runs_the_example_against_moto(name, tmp_path):
    tree = tmp_path / "checkout"
    (tree / "examples").mkdir(parents=True)
    shutil.copytree(ROOT / "examples" / name, tree / "examples" / name, ignore=shutil.ignore_patterns("build"))
    shutil.copy2(ROOT / "examples" / "moto-invoke", tree / "examples" / "moto-invoke")
    (tree / "build").symlink_to(BUILD)
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
    run = subprocess.run(["bash", "-c", documented_command(name)], cwd=tree, env=env, capture_output=True,
                         text=True, timeout=600)
    if "moto is not installed" in run.stderr:
        why = "moto is not installed (pip install 'moto[server]')"
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must run this test")
        pytest.skip(why)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "moto-invoke: moto_server on http://127.0.0.1:" in run.stderr
    answer = json.loads(run.stdout)
    event = (tree / "examples" / name / "event.json").read_text()
    if name == "s3-roundtrip":
        assert answer["bucket"] == "roundtrip-local" and answer["same"] is True, answer
        assert answer["key"].startswith("events/") and answer["bytes"] == len(event.encode()), answer
    else:
        assert answer["table"] == "store-local" and answer["id"] == json.loads(event)["id"], answer
        assert answer["item"]["id"] == {"S": answer["id"]} and answer["item"]["event"] == {"S": event}, answer


def test_moto_invoke_says_when_moto_is_missing(tmp_path):
    """No moto: status 3 and what to install, before anything runs."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
    env["PATH"] = "/usr/bin:/bin"
    env["MOTO_SERVER"] = ""
    python = "/usr/bin/python3"
    if subprocess.run([python, "-c", "import moto.server"], capture_output=True).returncode == 0:
        pytest.skip(f"{python} has moto: nothing is missing")
    run = subprocess.run([python, str(ROOT / "examples" / "moto-invoke"), "--s3-bucket", "B=b", "--", "false"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 3 and "moto is not installed" in run.stderr, run.stderr
