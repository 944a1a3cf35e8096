"""Helpers of the packaging tests: compile handlers with the SDK's own flags, build the way
`sam build` does, read the template."""
import os
import re
import shutil
import subprocess
import zipfile

import yaml

from conftest import BUILD, ROOT

# What sam build's makefile workflow leaves out of its scratch copy (aws-lambda-builders,
# CustomMakeWorkflow.EXCLUDED_FILES).
SAM_EXCLUDED = (".aws-sam", ".git")


def pkg_config(sdk_dir, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=str(sdk_dir / "lib" / "pkgconfig"))
    return subprocess.run(["pkg-config", *args], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def sdk_var(name, build=BUILD):
    return pkg_config(build / "sdk", f"--variable={name}", "lambda-c")


def compile_handler(sources, out, include=None, build=BUILD, executable=False, libdir=None):
    """Compiles a handler (or an executable-mode bootstrap) as lambda-c's build does.

    include: the header folder to compile against instead of the build's SDK headers;
    libdir: the folder whose liblambda-c.so it links instead of the SDK's (with include)."""
    sdk = build / "sdk"
    cflags = sdk_var("handler_cflags", build).split()
    ldflags = sdk_var("handler_ldflags", build).split()
    if include:
        cflags += [f"-I{include}"] + pkg_config(sdk, "--cflags", "json-c").split()
        libs = [f"-L{libdir or sdk / 'lib'}", "-llambda-c"] + pkg_config(sdk, "--libs", "json-c").split()
    else:
        cflags += pkg_config(sdk, "--cflags", "lambda-c").split()
        libs = pkg_config(sdk, "--libs", "lambda-c").split()
    kind = ["-pie"] if executable else ["-fPIC", "-shared"]
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sdk_var("cc", build), *cflags, *kind, "-o", str(out), *map(str, sources),
                    *ldflags, *libs], check=True)
    return out


def zip_dir(folder, zip_path):
    with zipfile.ZipFile(zip_path, "w") as z:
        for path in sorted(folder.rglob("*")):
            info = zipfile.ZipInfo(str(path.relative_to(folder)))
            info.external_attr = (path.stat().st_mode & 0xFFFF) << 16
            z.writestr(info, path.read_bytes())
    return zip_path


def template():
    """template.yaml, with CloudFormation's short tags (!Ref, !If, ...) read as plain data."""
    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tag)
    with open(ROOT / "template.yaml") as f:
        return yaml.load(f, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


def makefile_resources():
    """(logical id, resource) of every resource sam build builds with its makefile workflow."""
    return [(name, res) for name, res in template()["Resources"].items()
            if (res.get("Metadata") or {}).get("BuildMethod") == "makefile"]


def code_uri(resource):
    props = resource["Properties"]
    return ROOT / (props.get("CodeUri") or props.get("ContentUri"))


def sam_build(logical_id, resource, scratch, artifacts, env=None):
    """Runs a resource's build target as sam build does: copy the CodeUri/ContentUri folder
    to a fresh scratch folder (without .git and .aws-sam), then, there,
    `make --makefile <folder>/Makefile build-<LogicalId>` with ARTIFACTS_DIR in the environment."""
    source = code_uri(resource)
    shutil.copytree(source, scratch, symlinks=True, ignore=shutil.ignore_patterns(*SAM_EXCLUDED))
    artifacts.mkdir(parents=True)
    run_env = dict(env if env is not None else os.environ, ARTIFACTS_DIR=str(artifacts))
    return subprocess.run(["make", "--makefile", str(source / "Makefile"), f"build-{logical_id}"],
                          cwd=scratch, env=run_env, capture_output=True, text=True, timeout=900)


def elf_machine(path):
    """'x86_64' or 'arm64' from an ELF header's e_machine."""
    data = path.read_bytes()[:20]
    assert data[:4] == b"\x7fELF", f"{path} is not an ELF file"
    machine = int.from_bytes(data[18:20], "little")
    return {62: "x86_64", 183: "arm64"}.get(machine, str(machine))


def runtime_start_lines(logs):
    return re.findall(r"lambda-c runtime (\S+) \(ABI (\d+\.\d+)\) starting", logs)
