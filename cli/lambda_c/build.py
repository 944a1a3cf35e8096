"""lambda-c build [DIR]: a function project's deployment package, with make (function.mk)
or CMake (find_package(lambda-c) + lambda_c_add_function)."""
import os
import pathlib
import re
import sys

from .sdk import EXIT_FAILED, Failure, need_tool, run


def project_dir(path):
    folder = pathlib.Path(path or ".").resolve()
    if not folder.is_dir():
        raise Failure(f"{path}: no such folder")
    return folder


def function_name(folder):
    """FUNCTION from the project's Makefile, else the folder's name."""
    makefile = folder / "Makefile"
    if makefile.is_file():
        m = re.search(r"^FUNCTION\s*:?=\s*(\S+)\s*$", makefile.read_text(errors="replace"), re.M)
        if m:
            return m.group(1)
    return folder.name


def build_make(sdk, folder):
    if not (folder / "Makefile").is_file():
        raise Failure(f"{folder} has no Makefile: not a function project (create one with lambda-c new NAME; "
                      "or build with --cmake)")
    make = need_tool("make", "lambda-c build")
    need_tool("pkg-config", "function.mk")
    out = folder / "build"
    # LAMBDA_C_MK given: the project's Makefile need not ask `lambda-c config` (a Python start).
    args = [make, "-C", str(folder), "--no-print-directory", "lambda-c-zip", f"LAMBDA_C={sdk.command}",
            f"LAMBDA_C_MK={sdk.function_mk}", f"LAMBDA_C_OUT={out}"]
    env = dict(os.environ, PKG_CONFIG_PATH=sdk.pkg_config_path())
    proc = run(args, env=env, stdout=sys.stderr.fileno())
    if proc.returncode != 0:
        raise Failure(f"the build of {folder} failed (make exited {proc.returncode})", EXIT_FAILED)
    name = function_name(folder)
    zip_path = out / f"{name}.zip"
    if not zip_path.is_file():
        raise Failure(f"make succeeded but {zip_path} is missing: does the Makefile include function.mk?",
                      EXIT_FAILED)
    return zip_path


def build_cmake(sdk, folder):
    if not (folder / "CMakeLists.txt").is_file():
        raise Failure(f"{folder} has no CMakeLists.txt")
    cmake = need_tool("cmake", "lambda-c build --cmake")
    binary = folder / "build" / "cmake"
    configure = [cmake, "-S", str(folder), "-B", str(binary), f"-DCMAKE_PREFIX_PATH={sdk.prefix}"]
    if not (binary / "CMakeCache.txt").exists():
        configure += ["-DCMAKE_BUILD_TYPE=RelWithDebInfo", f"-DCMAKE_C_COMPILER={sdk.config['cc']}"]
    for step in (configure, [cmake, "--build", str(binary)]):
        proc = run(step, stdout=sys.stderr.fileno())
        if proc.returncode != 0:
            raise Failure(f"the CMake build of {folder} failed ({' '.join(step[:2])} exited {proc.returncode})",
                          EXIT_FAILED)
    zips = sorted(binary.glob("*.zip"))
    if len(zips) != 1:
        raise Failure(f"expected one function zip in {binary}, found {[z.name for z in zips]}", EXIT_FAILED)
    return zips[0]


def build(sdk, path, use_cmake=False):
    """Builds the project in `path` (tool output on stderr); the zip's path."""
    folder = project_dir(path)
    return (build_cmake if use_cmake else build_make)(sdk, folder)


def cmd_build(sdk, args):
    zip_path = build(sdk, args.dir, args.cmake)
    debug = zip_path.with_suffix(".debug")
    print(f"lambda-c: built {zip_path}" + (f" (debug information: {debug})" if debug.exists() else ""))
    return 0
