"""The installed SDK this command belongs to: its prefix, its sdk.json, its tools."""
import json
import os
import pathlib
import shutil
import subprocess
import sys

# Exit codes (documented in `lambda-c --help` and lambda-c(1)).
EXIT_OK = 0
EXIT_FAILED = 1  # the build failed, or the function answered with an error
EXIT_USAGE = 2  # bad arguments, names or files given on the command line
EXIT_ENVIRONMENT = 3  # a tool is missing, or the SDK is incomplete


class Failure(Exception):
    """A clear, expected error: printed as `lambda-c: MESSAGE`, then exit with `code`."""

    def __init__(self, message, code=EXIT_USAGE):
        super().__init__(message)
        self.code = code


def find_prefix():
    """PREFIX of PREFIX/bin/lambda-c (this zip file, symlinks resolved)."""
    here = pathlib.Path(os.path.realpath(__file__))
    for parent in here.parents:
        if parent.is_file():  # the zipapp itself: PREFIX/bin/lambda-c
            return parent.parent.parent
    return here.parents[2]  # run from a source tree: cli/lambda_c/sdk.py


class Sdk:
    def __init__(self, prefix=None):
        self.prefix = pathlib.Path(prefix or find_prefix())
        self.share = self.prefix / "share" / "lambda-c"
        config = self.share / "sdk.json"
        try:
            self.config = json.loads(config.read_text())
        except (OSError, ValueError) as e:
            raise Failure(f"{self.prefix} is not a complete lambda-c SDK ({config}: {e})", EXIT_ENVIRONMENT)
        self.version = self.config["version"]
        self.arch = self.config["arch"]
        self.glibc = self.config["glibc"]
        self.libraries = self.config["libraries"]

    @property
    def command(self):
        return self.prefix / "bin" / "lambda-c"

    @property
    def function_mk(self):
        return self.share / "function.mk"

    @property
    def templates(self):
        return self.share / "templates"

    def layer_zip(self, arch=None):
        return self.share / "layers" / f"lambda-c-layer-{arch or self.arch}.zip"

    def layer_zips(self):
        return sorted((self.share / "layers").glob("lambda-c-layer-*.zip"))

    def pkg_config_path(self):
        parts = [str(self.prefix / "lib" / "pkgconfig")]
        target = pathlib.Path("/usr/lib") / self.config["triple"] / "pkgconfig"
        if target.is_dir():
            parts.append(str(target))
        if os.environ.get("PKG_CONFIG_PATH"):
            parts.append(os.environ["PKG_CONFIG_PATH"])
        return ":".join(parts)

    def library_of(self, symbol):
        """The SDK library (pkg-config name) that exports `symbol`, or None."""
        for name, lib in self.libraries.items():
            if symbol in lib["symbols"]:
                return name
        return None

    def values(self):
        """Everything `lambda-c config` prints."""
        return {
            "prefix": str(self.prefix),
            "version": self.version,
            "arch": self.arch,
            "glibc": self.glibc,
            "cc": self.config["cc"],
            "functionmk": str(self.function_mk),
            "pkgconfigdir": str(self.prefix / "lib" / "pkgconfig"),
            "cmakedir": str(self.prefix / "lib" / "cmake" / "lambda-c"),
            "layer": str(self.layer_zip()),
            "templates": str(self.templates),
            "emulator": str(self.prefix / "bin" / "lambda-c-emulator"),
            "libraries": " ".join(self.libraries),
        }


def need_tool(name, why):
    """The full path of a tool on PATH, or a Failure naming the Debian package."""
    packages = {"make": "make", "cmake": "cmake", "pkg-config": "pkg-config", "qemu-aarch64-static":
                "qemu-user-static", "cc": "gcc", "gcc": "gcc", "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu"}
    found = shutil.which(name)
    if not found:
        package = packages.get(name) or ("binutils" if name.endswith(("strip", "objcopy")) else None)
        hint = f" (Debian: apt-get install {package})" if package else ""
        raise Failure(f"{name} is not installed, and {why} needs it{hint}", EXIT_ENVIRONMENT)
    return found


def python3():
    """The interpreter for the SDK's Python tools: the one running this command."""
    return sys.executable or "python3"


def run(args, **kwargs):
    """subprocess.run with the tool-missing case turned into a Failure."""
    try:
        return subprocess.run(args, **kwargs)
    except FileNotFoundError:
        raise Failure(f"cannot run {args[0]}: not found", EXIT_ENVIRONMENT)
