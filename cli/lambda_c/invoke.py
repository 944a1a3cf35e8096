"""lambda-c invoke [DIR]: build the project, then run one event through the SDK's emulator
with the SDK's layer, as Lambda would (answer on stdout, logs on stderr)."""
import json
import pathlib
import platform
import shlex
import re
import sys
import zipfile

from .build import build, project_dir
from .sdk import Failure, EXIT_ENVIRONMENT, need_tool, python3, run

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
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


def parse_env_file(path):
    """KEY=VALUE lines (# comments, `export `, quotes), or SAM's --env-vars JSON."""
    try:
        text = pathlib.Path(path).read_text()
    except OSError as e:
        raise Failure(f"cannot read the env file {path}: {e.strerror}")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as e:
            raise Failure(f"{path}: not valid JSON: {e}")
        # SAM: {"Parameters": {...}} for every function, or {"<LogicalId>": {...}}.
        if all(isinstance(v, dict) for v in data.values()):
            merged = {}
            for values in data.values():
                merged.update(values)
            data = merged
        return {str(k): str(v) for k, v in data.items()}
    pairs = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        if not sep:
            raise Failure(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs[key.strip()] = value
    return pairs


def environment(args):
    env = {}
    if args.env_file:
        env.update(parse_env_file(args.env_file))
    for item in args.env or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise Failure(f"--env needs KEY=VALUE, got {item!r}")
        env[key] = value
    for key in env:
        if not ENV_NAME.match(key):
            raise Failure(f"bad environment variable name {key!r}")
    if len("".join(k + v for k, v in env.items())) > 4096:
        raise Failure("the environment variables exceed Lambda's 4 KB limit")
    return env


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
    env = environment(args)
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
