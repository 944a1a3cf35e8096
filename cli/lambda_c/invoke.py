"""lambda-c invoke [DIR]: build the project, then run one event through the SDK's emulator
with the SDK's layer, as Lambda would (answer on stdout, logs on stderr)."""
import json
import pathlib
import platform
import shlex
import re
import sys
import zipfile

from . import envvars, sam
from .build import build, project_dir
from .sdk import Failure, EXIT_ENVIRONMENT, need_tool, python3, run

HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine())


def read_event(text, folder):
    """--event JSON|@FILE|@- (default: the project's event.json, else {})."""
    if text is None:
        sample = folder / "event.json"
        text = "@" + str(sample) if sample.is_file() else "{}"
    if text == "@-":
        data = sys.stdin.read()
    elif text.startswith("@"):
        try:
            data = pathlib.Path(text[1:]).read_text()
        except OSError as e:
            raise Failure(f"cannot read the event file {text[1:]}: {e.strerror}")
    else:
        data = text
    try:
        json.loads(data)
    except ValueError as e:
        raise Failure(f"the event is not JSON ({e}); Lambda's Invoke API takes a JSON document")
    return data


def template_function(args, folder):
    """The template's function this run stands for (its Environment applies), or None: --function
    names it; else the one function whose CodeUri is the project folder."""
    path = sam.template_file(folder, args.template, required=bool(args.function))
    if path is None:
        return None
    if not (args.template or args.function or sam.have_yaml()):
        print(f"lambda-c: warning: {path.name}'s Environment is not applied: reading it needs PyYAML "
              "(Debian: python3-yaml)", file=sys.stderr)
        return None
    functions = sam.load_functions(path, args.region)
    if args.function:
        if args.function not in functions:
            raise Failure(f"{path} has no function {args.function!r}; its functions: {', '.join(functions)}")
        return functions[args.function]
    mine = [fn for fn in functions.values() if fn.code_dir == folder]
    if len(mine) > 1:
        raise Failure(f"{path} has several functions built from {folder} ({', '.join(f.name for f in mine)}): "
                      "say which with --function NAME")
    return mine[0] if mine else None


def environment(args, fn=None):
    """The template function's Environment, then --env-file, then --env."""
    return envvars.function_environment(fn.env if fn else None, args.env_file, args.env,
                                        fn.name if fn else None)


def handler_of(zip_path):
    """bootstrap (executable mode), or FILE.handler for the one .so at the zip's root."""
    try:
        with zipfile.ZipFile(zip_path) as z:
            names = z.namelist()
    except (OSError, zipfile.BadZipFile) as e:
        raise Failure(f"{zip_path}: not a function zip ({e})")
    if "bootstrap" in names:
        return "bootstrap"
    shared = [n for n in names if n.endswith(".so") and "/" not in n]
    if len(shared) != 1:
        raise Failure(f"{zip_path}: expected one .so or a bootstrap at the root, found {names}; use --handler")
    return shared[0][:-3] + ".handler"


def escape(value):
    return value.replace("\\", "\\\\").replace(",", "\\,")


def starts_as_script(zip_path, name):
    """Whether the file `name` in the zip is a #! script (not an ELF program)."""
    try:
        with zipfile.ZipFile(zip_path) as z, z.open(name) as f:
            return f.read(2) == b"#!"
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def gdb_wrapper(zip_path, handler, layer):
    """Runs the bootstrap under gdb: on a crash, the backtrace with the function's symbols
    (found by build id in the debug files beside the zip)."""
    gdb = need_tool("gdb", "lambda-c invoke --gdb")
    debug_dirs = f"{zip_path.parent}:/usr/lib/debug"
    # A script bootstrap runs in sh, which execs the runtime; gdb follows the exec.
    script = starts_as_script(zip_path, "bootstrap") if handler == "bootstrap" else \
        starts_as_script(layer, "bootstrap")
    return (f"{shlex.quote(gdb)} -q -batch -ex 'set debug-file-directory {debug_dirs}' -ex run "
            f"-ex 'bt full' --args{' sh' if script else ''}")


def cmd_invoke(sdk, args):
    arch = args.arch or sdk.arch
    if arch not in ("x86_64", "arm64"):
        raise Failure(f"unknown architecture {arch!r} (x86_64 or arm64)")
    if arch != sdk.arch:
        raise Failure(f"this SDK ({sdk.prefix}) builds for {sdk.arch}; for {arch} use the {arch} SDK's "
                      f"lambda-c (lambda-c-sdk-{sdk.version}-{arch}.tar.gz)")
    layer = sdk.layer_zip(arch)
    if not layer.is_file():
        raise Failure(f"the SDK has no {arch} layer ({layer} is missing)", EXIT_ENVIRONMENT)
    folder = project_dir(args.dir)
    event = read_event(args.event, folder)
    env = environment(args, template_function(args, folder))
    zip_path = pathlib.Path(args.zip).resolve() if args.zip else build(sdk, folder, args.cmake)
    handler = args.handler or handler_of(zip_path)
    name = re.sub(r"[^A-Za-z0-9_-]", "-", folder.name)[:64] or "function"
    spec = f"{name}={escape(str(zip_path))},handler={escape(handler)},timeout={args.timeout}"
    spec += "".join(f",env.{k}={escape(v)}" for k, v in env.items())
    command = [python3(), str(sdk.prefix / "bin" / "lambda-c-emulator"), "--port", "0", "--layer", str(layer),
               "--function", spec, "--invoke", name, "--event", "@-"]
    if args.gdb:
        if arch != HOST_ARCH:
            raise Failure("--gdb runs the function natively: not with an arm64 SDK on this machine")
        command += ["--runtime-wrapper", gdb_wrapper(zip_path, handler, layer)]
    elif arch != HOST_ARCH:
        need_tool("qemu-aarch64-static", f"running the {arch} layer on this {HOST_ARCH} machine")
        command += ["--runtime-wrapper", str(sdk.prefix / "libexec" / "lambda-c" / "run-arm64")]
    proc = run(command, input=event, text=True)
    return proc.returncode
