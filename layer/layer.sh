#!/bin/sh
# Stages the layer tree (what Lambda unpacks to /opt).
# usage: layer.sh BUILD_DIR LAYER_DIR VERSION THIRD_PARTY_LIB...
# STRIP: the strip of the target (aarch64-linux-gnu-strip when cross-building for arm64).
set -eu
strip=${STRIP:-strip}
build=$1 layer=$2 version=$3
shift 3
rm -rf "$layer"
mkdir -p "$layer/bin" "$layer/lib"
# /opt/bootstrap is the runtime ELF itself (RUNPATH $ORIGIN/lib): Lambda execs it directly.
# bin/lambda-c-runtime (RUNPATH $ORIGIN/../lib) is for a bootstrap of one's own that execs it.
cp "$build/bin/bootstrap" "$layer/bootstrap"
cp "$build/bin/lambda-c-runtime" "$layer/bin/"
chmod 755 "$layer/bootstrap" "$layer/bin/lambda-c-runtime"
"$strip" --strip-unneeded "$layer/bootstrap" "$layer/bin/lambda-c-runtime"
# The SDK under its soname only: that is what the runtime and handlers load.
soname=$(ls "$build"/lib/liblambda-c.so.[0-9]* | sed -n 's|.*/\(liblambda-c\.so\.[0-9]*\)$|\1|p' | head -n 1)
cp -L "$build/lib/$soname" "$layer/lib/$soname"
# LAYER_WITHOUT: sonames left out (the core layer leaves out liblambda-c-aws.so.N).
for lib in "$build"/lib/liblambda-c-*.so.[0-9]; do
    case " ${LAYER_WITHOUT:-} " in *" ${lib##*/} "*) continue ;; esac
    [ -e "$lib" ] && cp -L "$lib" "$layer/lib/"
done
for lib in "$@"; do
    cp -L "$lib" "$layer/lib/"
done
"$strip" --strip-unneeded "$layer"/lib/*.so*
printf '%s\n' "$version" > "$layer/VERSION"
