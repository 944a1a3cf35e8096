"""lambda-c: create, build, run and deploy C functions for AWS Lambda with the lambda-c SDK."""
import argparse
import importlib
import os
import sys

from . import package
from .sdk import EXIT_USAGE, Failure, Sdk

EXIT_CODES = """\
exit status:
  0  success
  1  the build failed, or the invoked function answered with an error
  2  usage error: bad arguments, names or files
  3  a tool is missing or the SDK is incomplete"""

TEMPLATES = ("hello", "http", "sqs", "s3", "stream", "exec", "aws")


class Parser(argparse.ArgumentParser):
    """argparse that exits with EXIT_USAGE and says where to find help."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add(sub, name, help_text, description, func):
    p = sub.add_parser(name, help=help_text, description=description, epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=func)
    return p


def command_module(name):
    """The module of a command that is only imported when it runs: every build runs `lambda-c
    link` (a zipapp's modules are compiled at each start), which should not pay for the others."""
    return importlib.import_module(f".{name}", __package__)


def lazy(module, function):
    return lambda sdk, args: getattr(command_module(module), function)(sdk, args)


def parser(argv=None):
    """The command line. Over 80 lines: one declaration per subcommand, kept in one place so the
    command's whole shape reads top to bottom."""
    # The subcommand asked for: only its own options need its module.
    wanted = next((a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")), None)
    top = Parser(prog="lambda-c", description=__doc__, epilog=EXIT_CODES + "\n\nlambda-c COMMAND --help: "
                 "each command's options. The manual: man lambda-c.",
                 formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="store_true", help="print the SDK's version and exit")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = add(sub, "new", "create a function project", "Creates the folder NAME (in the current folder, or "
            "--dir) with the handler, a Makefile (what sam build runs), CMakeLists.txt, event.json and a SAM "
            "template that attaches the lambda-c layer.", lazy("new", "cmd_new"))
    p.add_argument("name", metavar="NAME", help="the function's name: lowercase letters, digits, - and _")
    p.add_argument("--template", "-t", default="hello", choices=TEMPLATES, help="what the handler does "
                   "(default hello)")
    p.add_argument("--dir", metavar="PARENT", help="create NAME inside PARENT instead of the current folder")
    p.add_argument("--inside-checkout", action="store_true",
                   help="allow creating it inside a lambda-c source checkout")

    p = add(sub, "build", "build a project's deployment package", "Builds the project (make with the SDK's "
            "function.mk, or CMake), checks it against Lambda's glibc, and writes build/NAME.zip (stripped) "
            "and build/NAME.debug (for gdb).", lazy("build", "cmd_build"))
    p.add_argument("dir", metavar="DIR", nargs="?", help="the project folder (default: the current folder)")
    p.add_argument("--cmake", action="store_true", help="build with CMake (build/cmake/) instead of make")

    p = add(sub, "invoke", "build, then run one event locally", "Builds the project, then runs it with the "
            "SDK's layer in the SDK's Lambda emulator: the answer on stdout, Lambda's START/END/REPORT "
            "lines and the function's logs on stderr.", lazy("invoke", "cmd_invoke"))
    p.add_argument("dir", metavar="DIR", nargs="?", help="the project folder (default: the current folder)")
    p.add_argument("--event", "-e", metavar="JSON|@FILE", help="the event: JSON text, @FILE, or @- for stdin "
                   "(default: the project's event.json, else {})")
    p.add_argument("--env", metavar="KEY=VALUE", action="append", help="a function environment variable, over "
                   "--env-file's and the template's (repeatable)")
    p.add_argument("--env-file", metavar="FILE", help="KEY=VALUE lines, or SAM's --env-vars JSON, over the "
                   "template's Environment")
    p.add_argument("--template", "-t", metavar="FILE", help="the SAM template whose Environment (Globals and the "
                   "function's) applies (default: DIR/template.yaml, when there is one)")
    p.add_argument("--function", "-f", metavar="LOGICAL_ID", help="the template's function to take the "
                   "environment of (default: the one whose CodeUri is DIR)")
    p.add_argument("--region", default="us-east-1", help="AWS::Region in the template (default us-east-1)")
    p.add_argument("--arch", choices=("x86_64", "arm64"), help="the layer's architecture (default: the SDK's; "
                   "arm64 runs under QEMU on other machines)")
    p.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="the function timeout "
                   "(default 30)")
    p.add_argument("--handler", help="the Handler setting (default: from the zip: FILE.handler or bootstrap)")
    p.add_argument("--cmake", action="store_true", help="build with CMake instead of make")
    p.add_argument("--zip", metavar="ZIP", help="invoke this function zip instead of building DIR")
    p.add_argument("--gdb", action="store_true", help="run the function under gdb: a crash prints the "
                   "backtrace with your symbols (from the .debug file beside the zip)")

    p = add(sub, "event", "print a sample event of a trigger", "Prints a sample event (JSON) shaped as the "
            "service sends it, with the parts users vary as options: lambda-c invoke --event @FILE takes it.",
            lazy("events", "cmd_event"))
    if wanted == "event":
        command_module("events").add_arguments(p)

    p = add(sub, "serve", "a local HTTP API from template.yaml", "Builds the project, starts the SDK's emulator "
            "with the template's functions, and serves their HttpApi, Api and FunctionUrlConfig routes on "
            "plain HTTP, as each trigger would call them (like sam local start-api). Each request and the "
            "function it went to are logged on stderr. Needs PyYAML (Debian: python3-yaml).",
            lazy("serve", "cmd_serve"))
    if wanted == "serve":
        command_module("serve").add_arguments(p)

    p = add(sub, "watch", "rebuild on every change and keep serving", "Builds the project and serves it as "
            "lambda-c serve does (the Invoke API and the template's HTTP routes); then rebuilds on every change "
            "to its sources, headers, Makefile, CMakeLists.txt or template. A failed build shows the compiler's "
            "errors and the last good build keeps serving; after a good one the next request runs the new code.",
            lazy("watch", "cmd_watch"))
    if wanted == "watch":
        command_module("watch").add_arguments(p)

    p = add(sub, "layer", "where the layer is, and how to publish it", "Prints the path of the SDK's layer "
            "zip and how to publish it.", lazy("layer", "cmd_layer"))
    p.add_argument("--arch", choices=("x86_64", "arm64"), help="default: the SDK's architecture")
    p.add_argument("--path", action="store_true", help="print only the zip's path")
    p.add_argument("--extract", metavar="DIR", help="unpack the layer into DIR (SAM's layer build target)")
    p.add_argument("--sam", metavar="DIR", help="write a layer-only SAM stack into DIR")

    p = add(sub, "config", "print the SDK's settings", "Prints KEY=VALUE for every setting, or the value of "
            "KEY (prefix, version, arch, glibc, cc, functionmk, pkgconfigdir, cmakedir, layer, templates, "
            "emulator, libraries).", cmd_config)
    p.add_argument("key", metavar="KEY", nargs="?")

    p = add(sub, "link", "run a link command, naming missing SDK libraries", "Runs COMMAND; when the link "
            "fails on an undefined lambda-c symbol, names the SDK library that exports it (function.mk and "
            "the CMake helper link through this).", package.cmd_link)
    p.add_argument("--package", metavar="FILE", help="after a good link, package FILE (the linked file) as "
                   "lambda-c package does, with --debug and --zip")
    p.add_argument("--debug", metavar="FILE.debug")
    p.add_argument("--zip", metavar="ZIP")
    p.add_argument("link_command", nargs=argparse.REMAINDER, metavar="-- COMMAND")

    p = add(sub, "package", "check, strip and zip a built function", "Checks FILE against Lambda's glibc, "
            "keeps its debug information in --debug, strips it, and zips it to --zip (function.mk and the "
            "CMake helper run this).", package.cmd_package)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--debug", metavar="FILE.debug")
    p.add_argument("--zip", metavar="ZIP")
    return top


def cmd_config(sdk, args):
    values = sdk.values()
    if args.key:
        if args.key not in values:
            raise Failure(f"unknown key {args.key!r}; one of: {', '.join(values)}")
        print(values[args.key])
    else:
        for key, value in values.items():
            print(f"{key}={value}")
    return 0


def main(argv=None):
    p = parser(argv)
    args = p.parse_args(argv)
    try:
        sdk = Sdk()
        if args.version:
            print(f"lambda-c {sdk.version} ({sdk.arch})")
            return 0
        if not args.command:
            p.print_help(sys.stderr)
            return EXIT_USAGE
        return args.func(sdk, args)
    except Failure as e:
        print(f"lambda-c: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (lambda-c config | head -1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:  # a path given on the command line that cannot be used
        where = f" {e.filename}" if e.filename else ""
        print(f"lambda-c:{where}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE


def run():
    """The zipapp's entry point (bin/lambda-c)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
