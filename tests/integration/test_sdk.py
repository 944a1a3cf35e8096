"""The installed SDK, used as a user does from their own project: the archive
(build/lambda-c-sdk-VERSION-x86_64.tar.gz) unpacked into a folder outside the checkout, its
bin/ on PATH. For every template: lambda-c new -> lambda-c build (make) -> lambda-c invoke;
the same function with CMake (find_package) and plain pkg-config; its sam build target; a
forgotten SDK library fails the link with the library named."""
import json
import os
import re
import shutil
import subprocess

import pytest

from build_helpers import elf_machine
from conftest import BUILD, ROOT
from sdk_helpers import EXPECTED, TEMPLATES, InstalledSdk, MotoS3, require_tool, sdk_archive, zip_names

pytestmark = pytest.mark.packaging

USER_WARNINGS = ["-Wall", "-Wextra", "-Wmissing-prototypes", "-Werror"]


@pytest.fixture(scope="module")
def sdk():
    archive = sdk_archive(BUILD, "x86_64")
    assert archive, f"no SDK archive in {BUILD} (./build.sh makes build/lambda-c-sdk-VERSION-x86_64.tar.gz)"
    installed = InstalledSdk(archive)
    assert ROOT not in installed.root.parents
    yield installed
    installed.cleanup()


@pytest.fixture(scope="module")
def projects(sdk):
    """{template: project folder}, each created by lambda-c new and built by lambda-c build."""
    out = {}
    for template in TEMPLATES:
        name = f"fn-{template}"
        run = sdk.lambda_c("new", name, "--template", template)
        assert run.returncode == 0, run.stderr
        build = sdk.lambda_c("build", cwd=sdk.work / name)
        assert build.returncode == 0, build.stdout + build.stderr
        out[template] = sdk.work / name
    return out


@pytest.fixture(scope="module")
def moto():
    require_tool("moto_server", " (pip install 'moto[server]')")
    server = MotoS3("user-events")
    yield server
    server.stop()


def handler_file(project):
    return "bootstrap" if (project / "bootstrap.c").exists() else project.name + ".so"


def invoke_env(template, moto_server):
    if template != "aws":
        return []
    return ["--env", "BUCKET=user-events", "--env", f"AWS_ENDPOINT_URL={moto_server.endpoint}"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_build_invoke_answers(sdk, projects, request, template):
    project = projects[template]
    moto_server = request.getfixturevalue("moto") if template == "aws" else None
    run = sdk.lambda_c("invoke", *invoke_env(template, moto_server), cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "REPORT RequestId:" in run.stderr
    if template == "aws":
        answer = json.loads(run.stdout)
        key = re.fullmatch(r"s3://user-events/([0-9a-f-]{36})", answer["stored"]).group(1)
        assert moto_server.object_sizes("user-events")[key] == len((project / "event.json").read_bytes())
    elif template == "stream":
        assert run.stdout == EXPECTED[template](project.name)
    else:
        assert json.loads(run.stdout) == EXPECTED[template](project.name)


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_zip_holds_the_stripped_handler_and_the_debug_file_is_kept(sdk, projects, template):
    project = projects[template]
    zip_path = project / "build" / f"{project.name}.zip"
    assert zip_names(zip_path) == [handler_file(project)]
    built = project / "build" / project.name / handler_file(project)
    sections = subprocess.run(["readelf", "-S", "-W", str(built)], capture_output=True, text=True).stdout
    assert ".debug_info" not in sections and ".gnu_debuglink" in sections, sections
    debug = subprocess.run(["readelf", "-S", "-W", str(project / "build" / f"{project.name}.debug")],
                           capture_output=True, text=True).stdout
    assert ".debug_info" in debug and ".debug_line" in debug
    dyn = subprocess.run(["readelf", "-d", str(built)], capture_output=True, text=True).stdout
    assert "RPATH" not in dyn and "RUNPATH" not in dyn, dyn


def test_invoke_reports_a_function_error_with_status_1(sdk, projects):
    # The aws template refuses to start without BUCKET: an init error, answered as Lambda does.
    # (Its template.yaml sets BUCKET to the stack's bucket; --env empties it.)
    run = sdk.lambda_c("invoke", "--env", "BUCKET=", cwd=projects["aws"])
    assert run.returncode == 1
    assert json.loads(run.stdout)["errorType"] == "Runtime.InitError"
    assert "set BUCKET" in run.stderr


def test_make_in_a_project_builds_with_one_python_start(sdk, projects, tmp_path):
    """The project's Makefile as documented (`make` -> build/NAME.zip and build/NAME.debug):
    function.mk is found without running the command, and one `lambda-c link --package` links
    and packages, so a build starts Python once, however python3 is found."""
    project = projects["hello"]
    shutil.rmtree(project / "build")
    shim = tmp_path / "shim"
    shim.mkdir()
    starts = tmp_path / "python-starts"
    (shim / "python3").write_text(f'#!/bin/sh\necho "$*" >> {starts}\nexec /usr/bin/python3 "$@"\n')
    (shim / "python3").chmod(0o755)
    run = sdk.run("make", cwd=project, env={"PATH": f"{shim}:{sdk.prefix / 'bin'}:/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(starts.read_text().splitlines()) == 1, starts.read_text()
    assert zip_names(project / "build" / "fn-hello.zip") == ["fn-hello.so"]
    sections = subprocess.run(["readelf", "-S", "-W", str(project / "build" / "fn-hello" / "fn-hello.so")],
                              capture_output=True, text=True).stdout
    assert ".gnu_debuglink" in sections and (project / "build" / "fn-hello.debug").is_file()


def test_invoke_takes_events_and_environment_from_files(sdk, projects, moto, tmp_path):
    env_file = tmp_path / "aws.env"
    env_file.write_text(f"# the store\nexport BUCKET=user-events\nAWS_ENDPOINT_URL='{moto.endpoint}'\n")
    event = tmp_path / "order.json"
    event.write_text('{"order": 7}')
    run = sdk.lambda_c("invoke", projects["aws"], "--env-file", env_file, "--event", f"@{event}")
    assert run.returncode == 0, run.stderr
    key = json.loads(run.stdout)["stored"].rsplit("/", 1)[1]
    assert moto.object_sizes("user-events")[key] == len('{"order": 7}')
    sam_env = tmp_path / "env.json"
    sam_env.write_text(json.dumps({"Parameters": {"BUCKET": "user-events", "AWS_ENDPOINT_URL": moto.endpoint}}))
    run = sdk.lambda_c("invoke", "--env-file", sam_env, "--event", '{"order": 8}', cwd=projects["aws"])
    assert run.returncode == 0, run.stderr


CRASHING = """#include <lambda-c.h>
#include <string.h>

lambda_handler_fn handler;

static size_t measure(const char *text)
{
    return strlen(text);
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    const char *missing = NULL;
    size_t n = measure(missing);
    return lambda_response_set_body(response, "x", n, NULL);
}
"""


def test_invoke_gdb_shows_where_a_handler_crashes_from_the_stripped_zip(sdk, tmp_path):
    require_tool("gdb")
    assert sdk.lambda_c("new", "crashy", "--dir", tmp_path).returncode == 0
    (tmp_path / "crashy" / "crashy.c").write_text(CRASHING)
    run = sdk.lambda_c("invoke", "--gdb", cwd=tmp_path / "crashy", timeout=300)
    assert run.returncode == 1 and json.loads(run.stdout)["errorType"] == "Runtime.ExitError", run.stderr
    assert "SIGSEGV" in run.stderr
    assert re.search(r"in measure \(text=0x0\) at crashy\.c:8", run.stderr), run.stderr
    assert re.search(r"handler \(.*\) at crashy\.c:16", run.stderr), run.stderr
    assert zip_names(tmp_path / "crashy" / "build" / "crashy.zip") == ["crashy.so"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_cmake_builds_the_same_function_with_find_package(sdk, projects, template):
    require_tool("cmake")
    project = projects[template]
    run = sdk.lambda_c("build", "--cmake", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    zip_path = project / "build" / "cmake" / f"{project.name}.zip"
    assert zip_path.is_file() and zip_names(zip_path) == [handler_file(project)]
    assert (project / "build" / "cmake" / f"{project.name}.debug").is_file()
    built = project / "build" / "cmake" / "lambda-c" / project.name / handler_file(project)
    dyn = subprocess.run(["readelf", "-d", str(built)], capture_output=True, text=True).stdout
    assert "RUNPATH" not in dyn and "RPATH" not in dyn and str(sdk.prefix) not in dyn, dyn
    if template != "aws":
        invoked = sdk.lambda_c("invoke", "--zip", zip_path, cwd=project)
        assert invoked.returncode == 0, invoked.stderr
        expected = EXPECTED[template](project.name)
        assert (invoked.stdout if template == "stream" else json.loads(invoked.stdout)) == expected


@pytest.mark.parametrize("template", TEMPLATES)
def test_plain_pkg_config_builds_it_with_strict_user_warnings(sdk, projects, template, tmp_path):
    project = projects[template]
    libs = re.search(r"^LAMBDA_C_LIBS := ?(.*)$", (project / "Makefile").read_text(), re.M).group(1).split()
    flags = sdk.pkg_config("--cflags", "--libs", "lambda-c", *libs)
    sources = sorted(str(p) for p in project.glob("*.c"))
    kind = ["-fPIE", "-pie"] if template == "exec" else ["-fPIC", "-shared", "-Wl,-z,defs"]
    out = tmp_path / handler_file(project)
    run = sdk.run("cc", "-O2", *USER_WARNINGS, *kind, "-o", out, *sources, *flags)
    assert run.returncode == 0, run.stderr
    assert elf_machine(out) == "x86_64"
    dyn = subprocess.run(["readelf", "-d", str(out)], capture_output=True, text=True).stdout
    assert "RUNPATH" not in dyn and "RPATH" not in dyn


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_sam_build_target_writes_the_artifact(sdk, projects, template, tmp_path):
    project = projects[template]
    scratch, artifacts = tmp_path / "scratch", tmp_path / "artifacts"
    shutil.copytree(project, scratch, ignore=shutil.ignore_patterns("build", ".aws-sam"))
    artifacts.mkdir()
    logical_id = re.search(r"^build-(\w+): lambda-c-function$", (project / "Makefile").read_text(), re.M).group(1)
    assert f"  {logical_id}:\n    Type: AWS::Serverless::Function" in (project / "template.yaml").read_text()
    run = sdk.run("make", "--makefile", project / "Makefile", f"build-{logical_id}", cwd=scratch,
                  env={"ARTIFACTS_DIR": str(artifacts)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in artifacts.iterdir()) == [handler_file(project)]
    assert (tmp_path / f"{project.name}.debug").is_file()  # beside the artifacts, not deployed


def test_every_project_template_and_the_layer_stack_lint_clean(sdk, projects, tmp_path):
    """cfn-lint (with the SAM translator) once over all of them: it starts slowly."""
    cfn_lint = require_tool("cfn-lint", " (pipx install cfn-lint)")
    assert sdk.lambda_c("layer", "--sam", tmp_path / "stack").returncode == 0
    files = [projects[t] / "template.yaml" for t in TEMPLATES] + [tmp_path / "stack" / "template.yaml"]
    run = sdk.run(cfn_lint, "--format", "parseable", "--", *files)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_a_forgotten_sdk_library_fails_the_make_link_naming_it(sdk, projects, tmp_path):
    project = tmp_path / "forgot"
    shutil.copytree(projects["aws"], project, ignore=shutil.ignore_patterns("build"))
    makefile = project / "Makefile"
    makefile.write_text(re.sub(r"^LAMBDA_C_LIBS := .*$", "LAMBDA_C_LIBS :=", makefile.read_text(), flags=re.M))
    run = sdk.lambda_c("build", cwd=project)
    assert run.returncode == 1
    assert "undefined reference to `lambda_aws_s3_put_object'" in run.stderr
    assert re.search(r"lambda_aws_s3_put_object\b.*in liblambda-c-aws, which the function does not link: add it "
                     r"\(Makefile: LAMBDA_C_LIBS \+= lambda-c-aws", run.stderr), run.stderr
    assert not (project / "build" / "fn-aws.zip").exists()


def test_a_forgotten_sdk_library_fails_the_cmake_link_naming_it(sdk, projects, tmp_path):
    require_tool("cmake")
    project = tmp_path / "forgot"
    shutil.copytree(projects["aws"], project, ignore=shutil.ignore_patterns("build"))
    lists = project / "CMakeLists.txt"
    lists.write_text(lists.read_text().replace("LIBRARIES aws", "LIBRARIES"))
    run = sdk.lambda_c("build", "--cmake", cwd=project)
    assert run.returncode == 1
    assert "lambda_aws_s3_put_object" in run.stderr and "in liblambda-c-aws" in run.stderr, run.stderr
    assert "LIBRARIES aws" in run.stderr


def test_the_archive_is_the_install_layout_and_relocatable(sdk):
    p = sdk.prefix
    version = (BUILD / "layer" / "VERSION").read_text().strip()
    assert p.name == f"lambda-c-sdk-{version}-x86_64"
    for rel in ("bin/lambda-c", "bin/lambda-c-emulator", "bin/lambda-c-check-glibc", "include/lambda-c.h",
                "include/lambda-c/handler.h", "lib/liblambda-c.so.1", "lib/liblambda-c.so",
                "lib/pkgconfig/lambda-c.pc", "lib/cmake/lambda-c/lambda-c-config.cmake",
                "lib/cmake/lambda-c/lambda-c-config-version.cmake", "share/lambda-c/function.mk",
                "share/lambda-c/templates/hello/handler.c", "share/lambda-c/sam/template.yaml",
                "share/lambda-c/layers/lambda-c-layer-x86_64.zip", "share/man/man1/lambda-c.1",
                "share/doc/lambda-c/html/index.html", "libexec/lambda-c/run-arm64"):
        assert (p / rel).exists(), rel
    for rel in ("bin/lambda-c", "bin/lambda-c-emulator", "bin/lambda-c-check-glibc"):
        assert os.access(p / rel, os.X_OK), rel
    # Only this release's libraries (no file of an earlier build of the tree).
    assert {f.name.split(".so.")[1] for f in p.glob("lib/lib*.so.*.*.*")} == {version}
    sdk_json = json.loads((p / "share" / "lambda-c" / "sdk.json").read_text())
    for name in sdk_json["libraries"]:  # one .pc and one imported target per library
        assert (p / "lib" / "pkgconfig" / f"{name}.pc").is_file(), name
        assert (p / "lib" / f"lib{name}.so.1").exists(), name
        assert f"_lambda_c_library({name} " in (p / "lib/cmake/lambda-c/lambda-c-config.cmake").read_text()
    # Nothing of the build machine's paths in what users' builds read.
    for path in [*p.glob("lib/pkgconfig/*.pc"), *p.glob("lib/cmake/lambda-c/*.cmake"),
                 p / "share/lambda-c/function.mk", p / "share/lambda-c/sdk.json"]:
        text = path.read_text()
        assert str(ROOT) not in text and str(BUILD) not in text, path
    for lib in p.glob("lib/liblambda-c*.so.*.*"):
        dyn = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True).stdout
        assert re.findall(r"R(?:UN)?PATH.*\[(.*)\]", dyn) in ([], ["$ORIGIN"]), (lib, dyn)
    assert sdk.lambda_c("config", "prefix").stdout.strip() == str(p)
    assert sdk.pkg_config("--variable=prefix", "lambda-c")[0].startswith(str(p / "lib" / "pkgconfig"))


def test_the_third_party_licenses_are_in_the_sdk_and_in_the_layer(sdk):
    licenses = sdk.prefix / "share" / "doc" / "lambda-c" / "licenses"
    assert sorted(p.name for p in licenses.iterdir()) == ["curl.copyright", "json-c.copyright",
                                                          "openssl.copyright"]
    assert "curl" in (licenses / "curl.copyright").read_text().lower()
    assert "openssl" in (licenses / "openssl.copyright").read_text().lower()
    layer = zip_names(sdk.prefix / "share" / "lambda-c" / "layers" / "lambda-c-layer-x86_64.zip")
    for name in ("curl", "json-c", "openssl"):
        assert f"share/doc/lambda-c/licenses/{name}.copyright" in layer


def test_make_install_copies_the_tree_into_destdir_prefix(tmp_path):
    run = subprocess.run(["make", "-s", f"BUILD_DIR={BUILD}", "install", "PREFIX=/opt/lambda-c",
                          f"DESTDIR={tmp_path}"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    prefix = tmp_path / "opt" / "lambda-c"
    config = subprocess.run([str(prefix / "bin" / "lambda-c"), "config"], capture_output=True, text=True)
    assert config.returncode == 0, config.stderr
    assert f"prefix={prefix}\n" in config.stdout and "arch=x86_64\n" in config.stdout
    assert (prefix / "lib" / "liblambda-c.so.1").exists() and (prefix / "share/man/man1/lambda-c.1").exists()


def test_the_layer_stack_builds_from_any_logical_id_and_keeps_the_parameter(sdk, tmp_path):
    run = sdk.lambda_c("layer", "--sam", tmp_path / "stack")
    assert run.returncode == 0, run.stderr
    template = (tmp_path / "stack" / "template.yaml").read_text()
    assert "RetentionPolicy: Retain" in template and "DeletionPolicy: Retain" in template
    # The SSM parameter has no Condition: rolling back by ARN updates it instead of deleting it.
    param = template[template.index("  LayerVersionArnParameter:"):template.index("\nOutputs:")]
    assert "Condition:" not in param and "!If [Publish, !Ref LambdaCLayer, !Ref LayerVersionArn]" in param
    # Any logical id builds (build-%), as sam build runs it.
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    make = sdk.run("make", "--makefile", tmp_path / "stack" / "layer" / "Makefile", "build-WhateverName",
                   cwd=tmp_path / "stack" / "layer", env={"ARTIFACTS_DIR": str(artifacts)})
    assert make.returncode == 0, make.stderr
    assert os.access(artifacts / "bootstrap", os.X_OK) and (artifacts / "lib" / "liblambda-c.so.1").is_file()


def test_layer_says_where_the_zip_is_and_how_to_publish(sdk):
    run = sdk.lambda_c("layer")
    assert run.returncode == 0
    zip_path = sdk.prefix / "share/lambda-c/layers/lambda-c-layer-x86_64.zip"
    assert str(zip_path) in run.stdout and "publish-layer-version" in run.stdout
    assert sdk.lambda_c("layer", "--path").stdout.strip() == str(zip_path)


@pytest.mark.parametrize("args,code,message", [
    ([], 2, "usage: lambda-c"),
    (["new", "Bad_Name"], 2, "bad name 'Bad_Name'"),
    (["new", "x", "--template", "nope"], 2, "invalid choice: 'nope'"),
    (["new", "fn-hello"], 2, "exists already"),
    (["new", "inside", "--dir", str(ROOT)], 2, "inside the lambda-c source checkout"),
    (["build", "no-such-folder"], 2, "no-such-folder: no such folder"),
    (["invoke", "."], 2, "has no Makefile: not a function project"),
    (["invoke", "fn-hello", "--event", "{not json"], 2, "the event is not JSON"),
    (["invoke", "fn-hello", "--event", "@missing.json"], 2, "cannot read the event file missing.json"),
    (["invoke", "fn-hello", "--env", "NOVALUE"], 2, "--env needs KEY=VALUE"),
    (["invoke", "fn-hello", "--env", "1X=y"], 2, "bad environment variable name '1X'"),
    (["invoke", "fn-hello", "--env-file", "missing.env"], 2, "cannot read the env file missing.env"),
    (["invoke", "fn-hello", "--arch", "arm64"], 2, "for arm64 use the arm64 SDK's lambda-c"),
    (["layer", "--arch", "arm64"], 3, "no arm64 layer in this SDK"),
    (["config", "nokey"], 2, "unknown key 'nokey'"),
    (["link"], 2, "link needs a command"),
])
def test_misuse_gets_a_clear_error_and_a_documented_status(sdk, projects, args, code, message):
    run = sdk.lambda_c(*args)
    assert run.returncode == code, run.stdout + run.stderr
    assert message in run.stderr, run.stderr


@pytest.mark.parametrize("command", ["new", "build", "invoke", "layer", "config", "link", "package"])
def test_every_command_has_help_with_the_exit_codes(sdk, command):
    run = sdk.lambda_c(command, "--help")
    assert run.returncode == 0 and f"usage: lambda-c {command}" in run.stdout
    assert "exit status:" in run.stdout and "3  a tool is missing" in run.stdout


def test_the_man_page_documents_every_command(sdk):
    man = require_tool("man", " (man-db)")
    page = sdk.prefix / "share" / "man" / "man1" / "lambda-c.1"
    run = sdk.run(man, "--warnings", "-l", page, env={"MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0"})
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr
    text = re.sub(r".\x08", "", run.stdout)
    for command in ("new", "build", "invoke", "layer", "config", "link", "package"):
        assert re.search(rf"^\s+lambda-c {command}\b", text, re.M), command
    assert "EXIT STATUS" in text
