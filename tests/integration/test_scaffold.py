"""./build.sh new NAME [DIR]: a function folder that builds and answers at once."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from build_helpers import SAM_EXCLUDED, elf_machine, sam_build
from conftest import BUILD, ROOT

pytestmark = pytest.mark.packaging


def build_sh(*args, cwd=ROOT, root=ROOT):
    env = dict(os.environ, BUILD_DIR=str(BUILD))
    env.pop("LAMBDA_C_ARCH", None)
    return subprocess.run([str(root / "build.sh"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory):
    where = tmp_path_factory.mktemp("scaffold")
    run = build_sh("new", "order-total", "order-total", cwd=where)
    assert run.returncode == 0, run.stderr
    return where / "order-total"


def test_new_writes_handler_makefile_event_and_test(scaffold):
    assert sorted(p.name for p in scaffold.iterdir()) == ["Makefile", "event.json", "order-total.c",
                                                          "test_order_total.py"]
    makefile = (scaffold / "Makefile").read_text()
    assert "\nbuild-OrderTotalFunction: lambda-c-function\n" in makefile
    assert "\nFUNCTION := order-total\n" in makefile
    assert json.loads((scaffold / "event.json").read_text()) == {"name": "Ada"}
    assert "lambda_handler_fn handler;" in (scaffold / "order-total.c").read_text()


def test_the_new_function_answers_through_the_emulator(scaffold):
    run = build_sh("invoke", str(scaffold), "@event.json", cwd=scaffold)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"message": "Hello, Ada, from order-total!"}


def test_the_new_functions_own_test_passes(scaffold):
    env = dict(os.environ, BUILD_DIR=str(BUILD))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(scaffold)],
                         cwd=scaffold, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0 and "2 passed" in run.stdout, run.stdout + run.stderr


def test_the_new_function_builds_as_sam_build_does(scaffold, tmp_path):
    resource = {"Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": str(scaffold), "Handler": "order-total.handler"}}
    env = dict(os.environ, PKG_CONFIG_PATH=str(BUILD / "sdk" / "lib" / "pkgconfig"))
    run = sam_build("OrderTotalFunction", resource, tmp_path / "scratch", tmp_path / "art", env=env)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in (tmp_path / "art").iterdir()] == ["order-total.so"]
    assert elf_machine(tmp_path / "art" / "order-total.so") == "x86_64"


def test_new_defaults_to_examples_and_the_top_level_build_picks_it_up(tmp_path):
    # In a copy of the checkout: the test must not add an example to the real one.
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(*SAM_EXCLUDED, "build", "build-*"))
    run = build_sh("new", "greeter", root=copy, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (copy / "examples" / "greeter" / "greeter.c").is_file()
    dry = subprocess.run(["make", "-n", "BUILD_DIR=build", "build/functions/greeter.zip"], cwd=copy,
                         capture_output=True, text=True)
    assert dry.returncode == 0 and "examples/greeter/greeter.c" in dry.stdout, dry.stdout + dry.stderr


@pytest.mark.parametrize("args,why", [
    (["new", "Bad_Name"], "bad name 'Bad_Name'"),
    (["new", "ok", "examples/hello"], "exists already"),
    (["new"], "usage: ./build.sh new NAME [DIR]"),
])
def test_new_refuses_bad_names_and_existing_folders(args, why):
    run = build_sh(*args)
    assert run.returncode != 0 and why in run.stderr, run.stderr
