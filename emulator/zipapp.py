#!/usr/bin/env python3
"""Builds the emulator's single executable file: a zip of the lambda_emulator package with a
`#!/usr/bin/env python3` line, runnable as `lambda-c-emulator` or `python3 lambda-c-emulator`.

    python3 emulator/zipapp.py --version X.Y.Z --output build/bin/lambda-c-emulator emulator/lambda_emulator

The package gets a generated _version.py (the project's version, from version.h). Entries are
sorted and carry a fixed timestamp, so the same sources give the same bytes.
"""
import argparse
import io
import os
import sys
import zipfile

MAIN = b"from lambda_emulator.cli import main\nimport sys\nsys.exit(main())\n"
STAMP = (2020, 1, 1, 0, 0, 0)


def add(zf, name, data):
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--version", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("package")
    args = p.parse_args()
    pkg = os.path.basename(os.path.normpath(args.package))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        add(zf, "__main__.py", MAIN)
        for name in sorted(os.listdir(args.package)):
            if name.endswith(".py") and name != "_version.py":
                with open(os.path.join(args.package, name), "rb") as f:
                    add(zf, "%s/%s" % (pkg, name), f.read())
        add(zf, pkg + "/_version.py", ('VERSION = "%s"\n' % args.version).encode())
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"#!/usr/bin/env python3\n")
        f.write(buf.getvalue())
    os.chmod(tmp, 0o755)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
