"""A function's environment for local runs (`invoke`, `serve`, `watch`): the template's
Environment, then --env-file, then --env; checked as Lambda checks it."""
import json
import pathlib
import re

from .sdk import Failure

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_BYTES = 4096  # Lambda's limit on all names and values together


def read_env_file(path, function=None):
    """KEY=VALUE lines (# comments, `export `, quotes), or SAM's --env-vars JSON: {"Parameters":
    {...}} for every function and {"<LogicalId>": {...}} for one (`function`; without it, every
    group), or a flat {"KEY": "VALUE"} object."""
    try:
        text = pathlib.Path(path).read_text()
    except OSError as e:
        raise Failure(f"cannot read the env file {path}: {e.strerror}")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as e:
            raise Failure(f"{path}: not valid JSON: {e}")
        if not isinstance(data, dict):
            raise Failure(f"{path}: expected a JSON object")
        if all(isinstance(v, dict) for v in data.values()):
            groups = list(data.values()) if function is None else [data.get("Parameters"), data.get(function)]
        else:
            groups = [data]
        merged = {}
        for group in groups:
            merged.update({str(k): str(v) for k, v in (group or {}).items()})
        return merged
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


def function_environment(template_env=None, env_file=None, env_args=None, function=None):
    """The template's variables, overridden by the env file's, overridden by --env KEY=VALUE."""
    env = dict(template_env or {})
    if env_file:
        env.update(read_env_file(env_file, function))
    for item in env_args or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise Failure(f"--env needs KEY=VALUE, got {item!r}")
        env[key] = value
    for key in env:
        if not ENV_NAME.match(key):
            raise Failure(f"bad environment variable name {key!r}")
    if len("".join(k + v for k, v in env.items())) > MAX_BYTES:
        where = f"{function}: " if function else ""
        raise Failure(f"{where}the environment variables exceed Lambda's 4 KB limit")
    return env
