"""template.yaml, and the Makefile targets `sam build` runs for it (BuildMethod: makefile).

Each build-<LogicalId> runs as sam build runs it (build_helpers.sam_build): in a fresh scratch
copy of the resource's CodeUri/ContentUri folder, with a fresh ARTIFACTS_DIR; the artifacts
are then checked file by file and run, layer and functions together, through the emulator.
"""
import os
import shutil
import subprocess

import pytest

from build_helpers import code_uri, elf_machine, makefile_resources, sam_build, template
from conftest import BUILD, ROOT, Emulator, require_tool

pytestmark = pytest.mark.packaging

RESOURCES = dict(makefile_resources())
FUNCTIONS = {name: res for name, res in RESOURCES.items() if res["Type"] == "AWS::Serverless::Function"}
LAYERS = {name: res for name, res in RESOURCES.items() if res["Type"] == "AWS::Serverless::LayerVersion"}


def user_env(sdk=BUILD / "sdk"):
    """A user's shell for sam build: the SDK on PKG_CONFIG_PATH, nothing of this test run."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("BUILD_DIR", "LAMBDA_C_ARCH", "LAMBDA_C_BUILD_DIR", "LAMBDA_C_ARM64_BUILD_DIR", "CC")}
    env["PKG_CONFIG_PATH"] = str(sdk / "lib" / "pkgconfig")
    return env


def test_cfn_lint_passes_with_no_error_and_no_warning():
    require_tool("cfn-lint", "cfn-lint (with the SAM translator) is not installed: pipx install cfn-lint")
    cfn_lint = shutil.which("cfn-lint")
    run = subprocess.run([cfn_lint, "--format", "parseable", "--", "template.yaml"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_the_template_publishes_the_layer_and_attaches_it():
    t = template()
    assert t["Transform"] == "AWS::Serverless-2016-10-31"
    params = t["Parameters"]
    assert params["Architecture"]["AllowedValues"] == ["x86_64", "arm64"]
    assert params["LayerVersionArn"]["Default"] == ""
    assert t["Conditions"]["PublishLayer"] == {"Equals": [{"Ref": "LayerVersionArn"}, ""]}

    (layer_id, layer), = LAYERS.items()
    props = layer["Properties"]
    assert layer["Condition"] == "PublishLayer"
    assert props["ContentUri"] == "."
    assert props["CompatibleRuntimes"] == ["provided.al2023"]
    assert props["CompatibleArchitectures"] == [{"Ref": "Architecture"}]
    assert props["RetentionPolicy"] == "Retain"

    chosen_layer = {"If": ["PublishLayer", {"Ref": layer_id}, {"Ref": "LayerVersionArn"}]}
    # Rolling back by ARN keeps the SSM parameter other stacks read, pointing at that version.
    param = t["Resources"]["LayerVersionArnParameter"]
    assert "Condition" not in param and param["DeletionPolicy"] == "Retain"
    assert param["Properties"]["Value"] == chosen_layer
    globals_fn = t["Globals"]["Function"]
    assert globals_fn["Runtime"] == "provided.al2023"
    assert globals_fn["Architectures"] == [{"Ref": "Architecture"}]
    assert globals_fn["Layers"] == [chosen_layer]
    assert t["Outputs"]["LayerVersionArn"]["Value"] == chosen_layer

    assert len(FUNCTIONS) >= 3
    for name, res in FUNCTIONS.items():
        assert res["Properties"]["Handler"], name
        assert (code_uri(res) / "Makefile").is_file(), name


@pytest.fixture(scope="module")
def sam_artifacts(tmp_path_factory):
    """Every build-<LogicalId> of the template, run as sam build runs it: {id: artifacts}."""
    out = {}
    for name, res in RESOURCES.items():
        work = tmp_path_factory.mktemp(name)
        run = sam_build(name, res, work / "scratch", work / "artifacts", env=user_env())
        assert run.returncode == 0, f"make build-{name} failed:\n{run.stdout}\n{run.stderr}"
        out[name] = work / "artifacts"
    return out


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_target_writes_the_function_root(sam_artifacts, name):
    art = sam_artifacts[name]
    handler = FUNCTIONS[name]["Properties"]["Handler"]
    expected = "bootstrap" if handler == "bootstrap" else handler.rsplit(".", 1)[0] + ".so"
    assert files_in(art) == [expected], f"{name}: /var/task would hold {files_in(art)}"
    path = art / expected
    assert elf_machine(path) == "x86_64"
    assert os.access(path, os.X_OK)
    if expected == "bootstrap":
        # Executable mode: its own main, the SDK's loop from the layer's liblambda-c.so.1.
        syms = subprocess.run(["nm", "-D", "--undefined-only", str(path)], capture_output=True,
                              text=True, check=True).stdout
        assert "lambda_run" in syms, syms
    else:
        syms = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True,
                              text=True, check=True).stdout
        assert " " + handler.rsplit(".", 1)[1] in syms and "lambda_handler_abi_version" in syms, syms


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_target_writes_the_opt_tree(sam_artifacts, name):
    art = sam_artifacts[name]
    files = files_in(art)
    assert {"bootstrap", "VERSION", "bin/lambda-c-runtime", "lib/liblambda-c.so.1",
            "lib/libjson-c.so.5"} <= set(files), files
    assert all(f in ("bootstrap", "VERSION") or f.startswith(("bin/", "lib/", "share/doc/lambda-c/licenses/"))
               for f in files), files
    assert {f"share/doc/lambda-c/licenses/{n}.copyright" for n in ("curl", "json-c", "openssl")} <= set(files)
    assert os.access(art / "bootstrap", os.X_OK) and os.access(art / "bin" / "lambda-c-runtime", os.X_OK)
    version_h = (ROOT / "sdk" / "include" / "lambda-c" / "version.h").read_text()
    assert f'#define LAMBDA_C_VERSION_STRING "{(art / "VERSION").read_text().strip()}"' in version_h
    assert elf_machine(art / "bin" / "lambda-c-runtime") == "x86_64"


def test_sam_built_functions_answer_on_the_sam_built_layer(sam_artifacts):
    (layer_id,) = LAYERS
    specs = []
    for name, res in FUNCTIONS.items():
        specs.append(f"{name}={sam_artifacts[name]},handler={res['Properties']['Handler']}")
    emu = Emulator(specs, layer=sam_artifacts[layer_id])
    try:
        assert emu.invoke("HelloFunction", {"name": "SAM"}).json() == {"message": "Hello, SAM!"}
        assert emu.invoke("HelloExecFunction", {"name": "SAM"}).json() == \
            {"message": "Hello, SAM, from my own bootstrap!"}
        echo = emu.invoke("EchoFunction", b"\x00\x01bytes", headers={"Content-Type": "application/octet-stream"})
        assert echo.body == b"\x00\x01bytes" and echo.function_error is None
        fail = emu.invoke("FailFunction", {"reason": "sam"})
        assert fail.function_error == "Unhandled" and fail.json()["errorType"] == "OrderRejected"
    finally:
        emu.stop()


def test_a_function_target_without_the_sdk_says_what_to_do(tmp_path):
    env = user_env()
    env["PKG_CONFIG_PATH"] = str(tmp_path / "nowhere")
    run = sam_build("HelloFunction", FUNCTIONS["HelloFunction"], tmp_path / "scratch", tmp_path / "art", env=env)
    assert run.returncode != 0
    assert "lambda-c SDK is not found by pkg-config" in run.stderr and "PKG_CONFIG_PATH" in run.stderr
