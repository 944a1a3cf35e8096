"""lambda-c new NAME: a function project from share/lambda-c/templates/.

A template folder holds the handler (handler.c, written as NAME.c, or bootstrap.c for
executable mode), event.json, meta.json ({"description", "libraries"}) and optionally
sam-properties.yaml / sam-resources.yaml (merged into the SAM template). common/ holds the
files every project gets. @@KEY@@ placeholders are replaced; nothing else is touched.
"""
import json
import pathlib
import re

from .sdk import Failure

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
COMMON_FILES = {"Makefile": "Makefile", "CMakeLists.txt": "CMakeLists.txt", "template.yaml": "template.yaml",
                "gitignore": ".gitignore"}


def templates(sdk):
    """{name: folder} of the installed templates."""
    return {p.name: p for p in sorted(sdk.templates.iterdir()) if (p / "meta.json").is_file()}


def logical_id(name):
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part) + "Function"


def enclosing_checkout(folder):
    """The lambda-c source checkout `folder` is in, if any."""
    for parent in [folder, *folder.parents]:
        if (parent / "build.sh").is_file() and (parent / "sdk" / "include" / "lambda-c.h").is_file():
            return parent
    return None


def indent(text, spaces):
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def cmd_new(sdk, args):
    if not NAME_RE.match(args.name):
        raise Failure(f"bad name {args.name!r}: a lowercase letter, then lowercase letters, digits, - or _ "
                      "(at most 64)")
    available = templates(sdk)
    if args.template not in available:
        raise Failure(f"unknown template {args.template!r}; one of: {', '.join(available)}")
    parent = pathlib.Path(args.dir or ".").resolve()
    if not parent.is_dir():
        raise Failure(f"{parent} is not a folder")
    dest = parent / args.name
    if dest.exists():
        raise Failure(f"{dest} exists already")
    checkout = enclosing_checkout(parent)
    if checkout and not args.inside_checkout:
        raise Failure(f"{parent} is inside the lambda-c source checkout {checkout}; create functions in your own "
                      "project (or pass --inside-checkout)")
    if sdk.prefix in [parent, *parent.parents]:
        raise Failure(f"{parent} is inside the lambda-c SDK {sdk.prefix}; create functions in your own project")

    folder = available[args.template]
    meta = json.loads((folder / "meta.json").read_text())
    # Libraries this SDK has (older SDKs keep some families in the core library).
    libraries = [lib for lib in meta.get("libraries", []) if lib in sdk.libraries]
    executable = (folder / "bootstrap.c").is_file()
    source = "bootstrap.c" if executable else f"{args.name}.c"
    optional = {k: (folder / f).read_text() if (folder / f).is_file() else ""
                for k, f in (("props", "sam-properties.yaml"), ("resources", "sam-resources.yaml"))}
    values = {
        "NAME": args.name,
        "ID": logical_id(args.name),
        "SOURCE": source,
        "HANDLER": "bootstrap" if executable else f"{args.name}.handler",
        "LIBS": " ".join(libraries),
        "CMAKE_LIBS": " ".join(sdk.libraries[lib]["target"].split("::")[1] for lib in libraries),
        "DESCRIPTION": meta["description"],
        "TEMPLATE": args.template,
        "VERSION": sdk.version,
        "ARCH": sdk.arch,
        "SAM_PROPERTIES": indent(optional["props"], 6).rstrip("\n"),
        "SAM_RESOURCES": indent(optional["resources"], 2).rstrip("\n"),
    }

    def fill(text):
        return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], text)

    files = {out: sdk.templates / "common" / src for src, out in COMMON_FILES.items()}
    files[source] = folder / ("bootstrap.c" if executable else "handler.c")
    files["event.json"] = folder / "event.json"
    dest.mkdir()
    for out, src in files.items():
        (dest / out).write_text(fill(src.read_text()))
    print(f"lambda-c: created {dest} ({args.template}: {meta['description']})")
    print(f"  cd {args.name} && lambda-c invoke        # build, then run event.json through the emulator")
    print("  sam build && sam deploy --guided         # deploy (the layer first: lambda-c layer)")
    return 0
