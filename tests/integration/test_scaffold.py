"""./build.sh new and ./build.sh invoke DIR from the checkout: thin pointers to the SDK's
`lambda-c new` / `lambda-c invoke` (build/sdk/bin/lambda-c), which test_sdk.py covers in depth."""
import json
import os
import subprocess

import pytest

from build_helpers import elf_machine, sam_build
from conftest import BUILD, ROOT

pytestmark = pytest.mark.packaging


def build_sh(*args, cwd=ROOT):
    env = dict(os.environ, BUILD_DIR=str(BUILD))
    env.pop("LAMBDA_C_ARCH", None)
    return subprocess.run([str(ROOT / "build.sh"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory):
    where = tmp_path_factory.mktemp("scaffold")
    run = build_sh("new", "order-total", cwd=where)
    assert run.returncode == 0, run.stderr
    return where / "order-total"


def test_new_writes_a_project_in_the_callers_folder(scaffold):
    assert sorted(p.name for p in scaffold.iterdir()) == [".gitignore", "CMakeLists.txt", "Makefile", "event.json",
                                                          "order-total.c", "template.yaml"]
    makefile = (scaffold / "Makefile").read_text()
    assert "\nbuild-OrderTotalFunction: lambda-c-function\n" in makefile
    assert "\nFUNCTION := order-total\n" in makefile
    assert json.loads((scaffold / "event.json").read_text()) == {"name": "Ada"}


def test_the_new_function_answers_through_build_sh_invoke(scaffold):
    run = build_sh("invoke", str(scaffold), "@event.json", cwd=scaffold)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"message": "Hello, Ada, from order-total!"}


def test_the_new_function_builds_as_sam_build_does(scaffold, tmp_path):
    resource = {"Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": str(scaffold), "Handler": "order-total.handler"}}
    env = dict(os.environ, PATH=f"{BUILD / 'sdk' / 'bin'}:{os.environ['PATH']}")
    run = sam_build("OrderTotalFunction", resource, tmp_path / "scratch", tmp_path / "art", env=env)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in (tmp_path / "art").iterdir()] == ["order-total.so"]
    assert elf_machine(tmp_path / "art" / "order-total.so") == "x86_64"


def test_invoke_of_a_folder_that_is_no_project_says_so(tmp_path):
    run = build_sh("invoke", ".", cwd=tmp_path)
    assert run.returncode == 2 and "has no Makefile: not a function project" in run.stderr, run.stderr


@pytest.mark.parametrize("args,why", [
    (["new", "Bad_Name"], "bad name 'Bad_Name'"),
    (["new", "inside"], "inside the lambda-c source checkout"),
])
def test_new_refuses_bad_names_and_the_checkout(args, why):
    run = build_sh(*args)
    assert run.returncode != 0 and why in run.stderr, run.stderr
    assert not (ROOT / "inside").exists()
