"""The arm64 SDK (build-arm64/lambda-c-sdk-VERSION-arm64.tar.gz) used from outside the checkout
on this machine: it cross-compiles with the compiler it was built with and runs its layer under
QEMU. For every template: lambda-c new -> build -> invoke; CMake and pkg-config cross builds;
the sam build target; a forgotten library fails the link by name."""
import json
import os
import pathlib
import re
import shutil

import pytest

from build_helpers import elf_machine
from conftest import ROOT
from sdk_helpers import EXPECTED, TEMPLATES, InstalledSdk, MotoS3, require_tool, sdk_archive, zip_names

pytestmark = [pytest.mark.arm64, pytest.mark.packaging]

ARM64 = pathlib.Path(os.environ.get("LAMBDA_C_ARM64_BUILD_DIR") or ROOT / "build-arm64").resolve()


def require(condition, why):
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why + " (CI builds build-arm64: ./build.sh test)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def sdk():
    archive = sdk_archive(ARM64, "arm64")
    require(archive, f"no arm64 SDK archive in {ARM64}: ./build.sh --arch arm64")
    require(shutil.which("qemu-aarch64-static"), "qemu-aarch64-static is not installed (qemu-user-static)")
    installed = InstalledSdk(archive)
    yield installed
    installed.cleanup()


@pytest.fixture(scope="module")
def projects(sdk):
    out = {}
    for template in TEMPLATES:
        name = f"arm-{template}"
        assert sdk.lambda_c("new", name, "--template", template).returncode == 0
        out[template] = sdk.work / name
    return out


@pytest.fixture(scope="module")
def moto():
    require_tool("moto_server", " (pip install 'moto[server]')")
    server = MotoS3("arm-events")
    yield server
    server.stop()


def test_the_arm64_sdk_is_for_arm64(sdk):
    assert sdk.lambda_c("config", "arch").stdout.strip() == "arm64"
    assert sdk.lambda_c("config", "cc").stdout.strip().startswith("aarch64-")
    layer = sdk.prefix / "share" / "lambda-c" / "layers" / "lambda-c-layer-arm64.zip"
    assert "lib/liblambda-c.so.1" in zip_names(layer)
    assert elf_machine(sdk.prefix / "lib" / "liblambda-c.so.1") == "arm64"


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_build_invoke_answers_under_qemu(sdk, projects, request, template):
    project = projects[template]
    env = []
    if template == "aws":
        server = request.getfixturevalue("moto")
        env = ["--env", "BUCKET=arm-events", "--env", f"AWS_ENDPOINT_URL={server.endpoint}"]
    run = sdk.lambda_c("invoke", *env, cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    built = project / "build" / project.name / ("bootstrap" if template == "exec" else f"{project.name}.so")
    assert elf_machine(built) == "arm64"
    if template == "aws":
        key = json.loads(run.stdout)["stored"].rsplit("/", 1)[1]
        assert key in server.object_sizes("arm-events")
    elif template == "stream":
        assert run.stdout == EXPECTED[template](project.name)
    else:
        assert json.loads(run.stdout) == EXPECTED[template](project.name)


def test_cmake_cross_builds_with_find_package(sdk, projects):
    require_tool("cmake")
    project = projects["http"]
    run = sdk.lambda_c("build", "--cmake", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    zip_path = project / "build" / "cmake" / f"{project.name}.zip"
    assert elf_machine(project / "build" / "cmake" / "lambda-c" / project.name / f"{project.name}.so") == "arm64"
    invoked = sdk.lambda_c("invoke", "--zip", zip_path, cwd=project)
    assert invoked.returncode == 0 and json.loads(invoked.stdout)["statusCode"] == 200, invoked.stderr


def test_plain_pkg_config_cross_builds(sdk, projects, tmp_path):
    project = projects["sqs"]
    libs = re.search(r"^LAMBDA_C_LIBS := ?(.*)$", (project / "Makefile").read_text(), re.M).group(1).split()
    env = {"PKG_CONFIG_PATH": f"{sdk.prefix / 'lib' / 'pkgconfig'}:/usr/lib/aarch64-linux-gnu/pkgconfig"}
    flags = sdk.run("pkg-config", "--cflags", "--libs", "lambda-c", *libs, env=env)
    assert flags.returncode == 0, flags.stderr
    out = tmp_path / "fn.so"
    run = sdk.run(sdk.lambda_c("config", "cc").stdout.strip(), "-O2", "-Wall", "-Wextra", "-Wmissing-prototypes",
                  "-Werror", "-fPIC", "-shared", "-Wl,-z,defs", "-o", out, *project.glob("*.c"), *flags.stdout.split())
    assert run.returncode == 0, run.stderr
    assert elf_machine(out) == "arm64"


@pytest.mark.parametrize("template", ["hello", "exec"])
def test_the_sam_build_target_cross_compiles(sdk, projects, template, tmp_path):
    project = projects[template]
    scratch, artifacts = tmp_path / "scratch", tmp_path / "artifacts"
    shutil.copytree(project, scratch, ignore=shutil.ignore_patterns("build"))
    artifacts.mkdir()
    target = re.search(r"^(build-\w+): lambda-c-function$", (project / "Makefile").read_text(), re.M).group(1)
    run = sdk.run("make", "--makefile", project / "Makefile", target, cwd=scratch,
                  env={"ARTIFACTS_DIR": str(artifacts)})
    assert run.returncode == 0, run.stdout + run.stderr
    (built,) = list(artifacts.iterdir())
    assert elf_machine(built) == "arm64"


def test_a_forgotten_library_fails_the_cross_link_naming_it(sdk, projects, tmp_path):
    project = tmp_path / "forgot"
    shutil.copytree(projects["aws"], project, ignore=shutil.ignore_patterns("build"))
    makefile = project / "Makefile"
    makefile.write_text(re.sub(r"^LAMBDA_C_LIBS := .*$", "LAMBDA_C_LIBS :=", makefile.read_text(), flags=re.M))
    run = sdk.lambda_c("build", cwd=project)
    assert run.returncode == 1
    assert "lambda_aws_s3_put_object" in run.stderr and "in liblambda-c-aws" in run.stderr, run.stderr
