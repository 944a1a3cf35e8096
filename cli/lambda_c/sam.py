"""A SAM template read for local serving: its functions (code folder, handler, timeout,
memory, environment) and the HTTP routes their events declare (HttpApi, Api,
FunctionUrlConfig). YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt...) is read
with PyYAML (Debian: python3-yaml); intrinsic functions are resolved where a local run can
(parameters' defaults, pseudo parameters, !Sub, !Join, !If on known conditions)."""
import json
import pathlib
import re
import sys

from .sdk import EXIT_ENVIRONMENT, Failure

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")


class Unresolved(Exception):
    """An intrinsic function a local run cannot evaluate (e.g. !GetAtt of a deployed resource)."""


def _yaml():
    try:
        import yaml
    except ImportError:
        raise Failure("reading template.yaml needs PyYAML: apt-get install python3-yaml (Debian/Ubuntu), "
                      "or pip install pyyaml", EXIT_ENVIRONMENT)
    return yaml


def have_yaml():
    import importlib.util
    return importlib.util.find_spec("yaml") is not None


def load(path):
    """The template as plain data; short tags become their long form ({"Ref": ...}, {"Fn::Sub": ...})."""
    yaml = _yaml()

    class Loader(yaml.SafeLoader):
        pass

    def intrinsic(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        if suffix == "Condition":
            return {"Condition": value}
        return {"Fn::" + suffix: value}

    Loader.add_multi_constructor("!", intrinsic)
    try:
        text = pathlib.Path(path).read_text()
    except OSError as e:
        raise Failure(f"cannot read the template {path}: {e.strerror}")
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=Loader)
    except (ValueError, yaml.YAMLError) as e:
        raise Failure(f"{path} is not a valid template: {e}")
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise Failure(f"{path} has no Resources: not a SAM template")
    return data


class Resolver:
    """Evaluates intrinsic functions against parameter defaults, overrides and pseudo parameters."""

    def __init__(self, template, region, overrides=None):
        self.params = {"AWS::Region": region, "AWS::AccountId": "123456789012", "AWS::StackName": "local",
                       "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}
        for name, spec in (template.get("Parameters") or {}).items():
            if isinstance(spec, dict) and "Default" in spec:
                self.params[name] = spec["Default"]
        self.params.update(overrides or {})
        self.conditions = template.get("Conditions") or {}
        self.resources = template.get("Resources") or {}

    def condition(self, name):
        if name not in self.conditions:
            raise Unresolved(f"condition {name}")
        return bool(self.value(self.conditions[name]))

    def value(self, node):
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.value(v) for k, v in node.items()}
        (key, arg), = node.items()
        if key == "Ref":
            if arg in self.params:
                return self.params[arg]
            if arg in self.resources:
                return arg  # a resource's name: its logical id stands for it locally
            raise Unresolved(f"!Ref {arg}")
        if key == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))

            def sub(m):
                name = m.group(1)
                if name.startswith("!"):
                    return "${" + name[1:] + "}"
                if name in extra:
                    return str(extra[name])
                return str(self.value({"Ref": name}))
            return re.sub(r"\$\{([^}]+)\}", sub, text)
        if key == "Fn::Join":
            return str(arg[0]).join(str(self.value(v)) for v in arg[1])
        if key == "Fn::If":
            return self.value(arg[1] if self.condition(arg[0]) else arg[2])
        if key == "Fn::Equals":
            return self.value(arg[0]) == self.value(arg[1])
        if key == "Fn::Not":
            return not self.value(arg[0])
        if key == "Fn::And":
            return all(self.value(v) for v in arg)
        if key == "Fn::Or":
            return any(self.value(v) for v in arg)
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Select":
            return self.value(arg[1])[int(self.value(arg[0]))]
        if key.startswith("Fn::"):
            raise Unresolved(f"!{key[4:]}")
        return {key: self.value(arg)}


class Route:
    """One HTTP route of a function: kind is "http" (HTTP API), "rest" (REST API) or "url"."""

    def __init__(self, function, kind, method="ANY", path=None, payload="2.0", stage="$default", binary_types=()):
        self.function = function
        self.kind = kind
        self.method = method.upper()
        self.path = path  # None: $default (HTTP API) or a Function URL (every path)
        self.payload = payload
        self.stage = stage
        self.binary_types = tuple(binary_types)
        self.segments = [] if path is None else [s for s in path.strip("/").split("/") if s]

    @property
    def key(self):
        """API Gateway's routeKey / REST resource."""
        if self.path is None:
            return "$default"
        return f"{self.method} {self.path}" if self.kind == "http" else self.path

    def match(self, method, path):
        """The path parameters when this route takes the request, else None."""
        if self.method != "ANY" and self.method != method:
            return None
        if self.path is None:
            return {}
        from .events import match_route
        return match_route(self.path, path)

    def specificity(self):
        """Sorts the most specific route first: literal segments before {param} before {proxy+},
        longer literal prefixes first, a method before ANY, $default last."""
        if self.path is None:
            return ((3,), 1)
        kinds = tuple(2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in self.segments)
        return (kinds + (-1,), self.method == "ANY")

    def describe(self):
        kind = {"http": "HTTP API", "rest": "REST API", "url": "Function URL"}[self.kind]
        extra = f", payload {self.payload}" if self.kind == "http" and self.payload != "2.0" else ""
        return f"{self.key if self.kind != 'url' else '(any path)'} -> {self.function.name} ({kind}{extra})"


class Function:
    def __init__(self, name, code_dir, handler, timeout, memory, env, url_stream):
        self.name = name
        self.code_dir = code_dir
        self.handler = handler
        self.timeout = timeout
        self.memory = memory
        self.env = env
        self.url_stream = url_stream
        self.routes = []


def _merged(globals_part, props):
    out = dict(globals_part or {})
    for key, value in (props or {}).items():
        if key == "Environment" and isinstance(out.get(key), dict):
            variables = dict((out[key] or {}).get("Variables") or {})
            variables.update((value or {}).get("Variables") or {})
            out[key] = {"Variables": variables}
        else:
            out[key] = value
    return out


def _binary_types(resolver, value):
    """BinaryMediaTypes entries (SAM writes / as ~1)."""
    try:
        return [str(resolver.value(v)).replace("~1", "/") for v in (value or [])]
    except Unresolved:
        return []


def _warn(message):
    print(f"lambda-c: warning: {message}", file=sys.stderr)


def functions(template, template_path, region="us-east-1", overrides=None):
    """{logical id: Function} of the template's AWS::Serverless::Function resources."""
    resolver = Resolver(template, region, overrides)
    base = pathlib.Path(template_path).resolve().parent
    g = template.get("Globals") or {}
    api_globals = g.get("Api") or {}
    out = {}
    for name, res in template["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = _merged(g.get("Function"), res.get("Properties"))
        code = props.get("CodeUri", ".")
        if not isinstance(code, str):
            _warn(f"{name}: CodeUri {code!r} is not a local folder; skipped")
            continue
        env = {}
        for key, value in ((props.get("Environment") or {}).get("Variables") or {}).items():
            try:
                value = resolver.value(value)
            except Unresolved as e:
                _warn(f"{name}: environment variable {key} left out ({e} has no local value; --env {key}=...)")
                continue
            if value is not None:
                env[str(key)] = "true" if value is True else "false" if value is False else str(value)
        url = props.get("FunctionUrlConfig")
        fn = Function(name, (base / code).resolve(), str(props.get("Handler") or "bootstrap"),
                      float(props.get("Timeout") or 3), int(props.get("MemorySize") or 128), env,
                      isinstance(url, dict) and url.get("InvokeMode") == "RESPONSE_STREAM")
        for event_name, event in (props.get("Events") or {}).items():
            if not isinstance(event, dict):
                continue
            eprops = event.get("Properties") or {}
            etype = event.get("Type")
            if etype == "HttpApi":
                path, method = eprops.get("Path"), str(eprops.get("Method") or "ANY")
                if path in (None, "$default"):
                    path = None
                payload = str(eprops.get("PayloadFormatVersion") or "2.0")
                fn.routes.append(Route(fn, "http", "ANY" if path is None else method, path, payload))
            elif etype == "Api":
                api = template["Resources"].get((eprops.get("RestApiId") or {}).get("Ref", ""), {}) \
                    if isinstance(eprops.get("RestApiId"), dict) else {}
                api_props = _merged(api_globals, api.get("Properties"))
                stage = str(resolver.value(api_props.get("StageName") or "Prod")) if api_props.get("StageName") \
                    else "Prod"
                fn.routes.append(Route(fn, "rest", str(eprops.get("Method") or "ANY"), str(eprops.get("Path") or "/"),
                                       "1.0", stage, _binary_types(resolver, api_props.get("BinaryMediaTypes"))))
        for route in fn.routes:
            if route.method not in HTTP_METHODS:
                raise Failure(f"{name}: unknown HTTP method {route.method!r} in its events")
            if route.path is not None and not route.path.startswith("/"):
                raise Failure(f"{name}: route path {route.path!r} must start with /")
        if isinstance(url, dict):
            fn.routes.append(Route(fn, "url", "ANY", None, "2.0"))
        out[name] = fn
    if not out:
        raise Failure(f"{template_path} has no AWS::Serverless::Function")
    return out


def template_file(folder, given=None, required=True):
    """`given` (--template), else FOLDER/template.yaml (or .yml); None when there is none and
    `required` is false."""
    path = pathlib.Path(given) if given else pathlib.Path(folder) / "template.yaml"
    if path.is_file():
        return path
    alternative = path.with_suffix(".yml")
    if not given and alternative.is_file():
        return alternative
    if required or given:
        raise Failure(f"{path}: no such template (--template FILE)")
    return None


def load_functions(path, region="us-east-1"):
    """{logical id: Function} of the template file `path`."""
    return functions(load(path), path, region)
