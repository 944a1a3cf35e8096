"""What function.mk and the CMake helper run after compiling: the link check
(`lambda-c link`) and the packaging step (`lambda-c package`: glibc check, debug file, strip, zip).
"""
import importlib.machinery
import os
import pathlib
import re
import subprocess
import sys
import types
import zipfile

from .sdk import EXIT_ENVIRONMENT, EXIT_FAILED, Failure, need_tool, run

# GNU ld: "undefined reference to `name'"; lld and gold: "undefined symbol: name".
UNDEFINED = re.compile(r"undefined (?:reference to [`'\"]|symbol: )([A-Za-z_][A-Za-z0-9_]*)")


def link_hints(sdk, linker_output):
    """Lines naming, per SDK library, the lambda-c symbols the link missed that it exports."""
    by_library, unknown = {}, []
    for symbol in dict.fromkeys(UNDEFINED.findall(linker_output)):
        if symbol.startswith("lambda_"):
            library = sdk.library_of(symbol)
            if library:
                by_library.setdefault(library, []).append(symbol)
            else:
                unknown.append(symbol)
    hints = []
    for library, symbols in by_library.items():
        part = sdk.libraries[library]["target"].split("::")[1]
        hints.append(f"lambda-c: {', '.join(symbols)} {'is' if len(symbols) == 1 else 'are'} in lib{library}, "
                     f"which the function does not link: add it (Makefile: LAMBDA_C_LIBS += {library}; "
                     f"CMake: lambda_c_add_function(... LIBRARIES {part}); pkg-config --libs {library})")
    if unknown:
        hints.append(f"lambda-c: {', '.join(unknown)}: not exported by any library of lambda-c {sdk.version} "
                     f"({', '.join(sdk.libraries)}); a typo, or a function of a newer SDK?")
    return hints


def cmd_link(sdk, args):
    """Runs a link command; when it fails on lambda-c symbols, names the libraries to add. With
    --package FILE, a good link is packaged too (as `lambda-c package`): one command per build."""
    command = args.link_command[1:] if args.link_command[:1] == ["--"] else args.link_command
    if not command:
        raise Failure("link needs a command: lambda-c link -- cc ... -o out.so ...")
    if (args.debug or args.zip) and not args.package:
        raise Failure("link: --debug and --zip package the linked file: give it with --package FILE")
    proc = run(command, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        for line in link_hints(sdk, proc.stderr):
            print(line, file=sys.stderr)
        return proc.returncode
    if args.package:
        return package_command(sdk, args.package, args.debug, args.zip)
    return 0


def glibc_checker(sdk):
    """The SDK's lambda-c-check-glibc, loaded as a module: no second interpreter per build."""
    script = sdk.prefix / "bin" / "lambda-c-check-glibc"
    loader = importlib.machinery.SourceFileLoader("lambda_c_check_glibc", str(script))
    module = types.ModuleType(loader.name)
    module.__file__ = str(script)
    try:
        loader.exec_module(module)
    except OSError as e:
        raise Failure(f"the SDK's glibc check {script} cannot be read: {e.strerror}", EXIT_ENVIRONMENT)
    return module


def check_glibc(sdk, path):
    if glibc_checker(sdk).main(["--glibc", sdk.glibc, str(path)]) != 0:
        raise Failure(f"{path} needs a newer glibc than Lambda's provided.al2023 has ({sdk.glibc}); "
                      "see the debugging guide, 'GLIBC_2.xx not found'", EXIT_FAILED)


def write_zip(files, zip_path):
    """A deployment package: the files at the zip's root, with their modes, reproducible."""
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for path in files:
            info = zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (path.stat().st_mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    os.replace(tmp, zip_path)


def build_id(path):
    """The GNU build id of an ELF file (hex), or None."""
    notes = run(["readelf", "-n", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]{4,})", notes)
    return m.group(1) if m else None


def link_build_id(path, debug):
    ident = build_id(path)
    if not ident:
        return
    link = debug.parent / ".build-id" / ident[:2] / f"{ident[2:]}.debug"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(debug, link.parent))


def package(sdk, path, debug=None, zip_path=None):
    """Checks `path` against Lambda's glibc, keeps its debug information in `debug`, strips it,
    and zips it (alone, at the root) to `zip_path`."""
    if not pathlib.Path(path).is_file():
        raise Failure(f"{path}: no such file")
    path = pathlib.Path(path).absolute()  # objcopy runs in the debug file's folder below
    check_glibc(sdk, path)
    objcopy = need_tool(sdk.config["objcopy"], "keeping the debug information")
    strip = need_tool(sdk.config["strip"], "stripping the deployed file")
    if debug:
        debug = pathlib.Path(debug).absolute()
        debug.parent.mkdir(parents=True, exist_ok=True)
        run([objcopy, "--only-keep-debug", str(path), str(debug)], check=True)
    run([strip, "--strip-unneeded", str(path)], check=True)
    if debug:
        # gdb finds the debug file by this link (same folder), or by build id under a
        # debug-file-directory: DEBUG_DIR/.build-id/xx/yyyy.debug (lambda-c invoke --gdb).
        run([objcopy, f"--add-gnu-debuglink={debug}", str(path)], check=True, cwd=str(debug.parent))
        link_build_id(path, debug)
    if zip_path:
        zip_path = pathlib.Path(zip_path)
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        write_zip([path], zip_path)


def package_command(sdk, path, debug, zip_path):
    try:
        package(sdk, path, debug, zip_path)
    except subprocess.CalledProcessError as e:
        raise Failure(f"{e.cmd[0]} failed with status {e.returncode}", EXIT_FAILED)
    return 0


def cmd_package(sdk, args):
    return package_command(sdk, args.file, args.debug, args.zip)
