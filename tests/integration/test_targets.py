"""What Lambda's machines need of the artifacts: provided.al2023's glibc, a layer that brings
every library it needs, and the Amazon Linux build image (Dockerfile)."""
import os
import re
import shutil
import subprocess
import zipfile

import pytest

from build_helpers import SAM_EXCLUDED, sam_build, makefile_resources
from conftest import BUILD, ROOT, Emulator, spec

pytestmark = pytest.mark.packaging

CHECK_GLIBC = ROOT / "tools" / "check-glibc"
GLIBC_LIBS = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2",
              "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "linux-vdso.so.1"}

# A symbol of glibc 2.36 (Debian 12), which provided.al2023's glibc 2.34 lacks.
NEWER_GLIBC_C = """#include <stdlib.h>
unsigned newer_glibc_random(void);
unsigned newer_glibc_random(void) { return arc4random(); }
"""


def check_glibc(*args):
    return subprocess.run(["python3", str(CHECK_GLIBC), *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def newer_glibc_so(tmp_path):
    """A shared object that needs arc4random@GLIBC_2.36."""
    src = tmp_path / "newer.c"
    src.write_text(NEWER_GLIBC_C)
    out = tmp_path / "code" / "newer.so"
    out.parent.mkdir()
    build = subprocess.run(["cc", "-shared", "-fPIC", "-o", str(out), str(src)], capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip("this machine's glibc is older than 2.36 (no arc4random): " + build.stderr[-200:])
    return out


# ---------------------------------------------------------------- glibc

def test_every_elf_file_of_the_layer_and_the_functions_fits_provided_al2023():
    zips = [BUILD / "layer.zip", *sorted((BUILD / "functions").glob("*.zip"))]
    run = check_glibc("--target", "provided.al2023", *zips)
    assert run.returncode == 0, run.stderr


def test_the_check_fails_a_binary_needing_a_newer_glibc(newer_glibc_so, tmp_path):
    run = check_glibc(newer_glibc_so)
    assert run.returncode == 1
    assert (f"check-glibc: {newer_glibc_so}: arc4random@GLIBC_2.36 (needs glibc 2.36; provided.al2023 has "
            "glibc 2.34)") in run.stderr, run.stderr
    # The same file inside a function zip, as Lambda would get it.
    zip_path = tmp_path / "fn.zip"
    with zipfile.ZipFile(zip_path, "w") as z:
        z.write(newer_glibc_so, "newer.so")
    run = check_glibc(zip_path)
    assert run.returncode == 1 and f"{zip_path}:newer.so: arc4random@GLIBC_2.36" in run.stderr, run.stderr
    # A target whose glibc has the symbol accepts it.
    assert check_glibc("--glibc", "2.36", newer_glibc_so).returncode == 0


def test_the_check_knows_provided_al2_is_older():
    # Debian 12's gcc links the runtime against __libc_start_main@GLIBC_2.34: not for provided.al2.
    run = check_glibc("--target", "provided.al2", BUILD / "layer")
    assert run.returncode == 1
    assert re.search(r"lambda-c-runtime: \S+@GLIBC_2\.(2[7-9]|3\d) \(needs glibc 2\.\d+; provided\.al2 has "
                     r"glibc 2\.26\)", run.stderr), run.stderr


def test_a_function_folder_needing_a_newer_glibc_fails_its_sam_build(newer_glibc_so, tmp_path):
    hello = dict(makefile_resources())["HelloFunction"]
    folder = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello", folder)
    (folder / "newer.c").write_text(NEWER_GLIBC_C)
    hello = dict(hello, Properties=dict(hello["Properties"], CodeUri=str(folder)))
    env = dict(os.environ, PKG_CONFIG_PATH=str(BUILD / "sdk" / "lib" / "pkgconfig"))
    run = sam_build("HelloFunction", hello, tmp_path / "scratch", tmp_path / "art", env=env)
    assert run.returncode != 0
    assert "hello.so: newer_glibc_random" not in run.stderr
    assert re.search(r"art/hello\.so: arc4random@GLIBC_2\.36 \(needs glibc 2\.36; provided\.al2023 has "
                     r"glibc 2\.34\)", run.stderr), run.stderr


def test_the_top_level_build_refuses_to_zip_a_function_needing_a_newer_glibc(newer_glibc_so, tmp_path):
    # The real Makefile on a copy of the sources with one more example, linked against this
    # build's SDK (-o: the SDK library counts as built).
    src = tmp_path / "src"
    for item in ("Makefile", "mk", "tools", "sdk", "layer", "tests/unit/unit.mk", "tests/fuzz/fuzz.mk",
                 "tests/integration/integration.mk"):
        (src / item).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / item).is_dir() else shutil.copy2)(ROOT / item, src / item)
    (src / "examples" / "newer").mkdir(parents=True)
    shutil.copy2(ROOT / "examples" / "hello" / "hello.c", src / "examples" / "newer" / "newer.c")
    (src / "examples" / "newer" / "random.c").write_text(NEWER_GLIBC_C)
    out = tmp_path / "build"
    (out / "lib").mkdir(parents=True)
    for lib in (BUILD / "lib").glob("liblambda-c.so*"):
        shutil.copy2(lib, out / "lib" / lib.name, follow_symlinks=False)
    # The current release's file name (an older build tree may hold earlier versions too).
    sdk_lib = "liblambda-c.so." + (BUILD / "layer" / "VERSION").read_text().strip()
    assert (out / "lib" / sdk_lib).exists()
    run = subprocess.run(["make", f"BUILD_DIR={out}", "-o", f"{out}/lib/{sdk_lib}", f"{out}/functions/newer.zip"],
                         cwd=src, capture_output=True, text=True)
    assert run.returncode != 0
    assert f"{out}/functions/newer/newer.so: arc4random@GLIBC_2.36" in run.stderr, run.stdout + run.stderr
    assert not (out / "functions" / "newer.zip").exists()


# ---------------------------------------------------------------- the layer brings its libraries

@pytest.fixture
def unpacked_layer(tmp_path):
    """layer.zip unpacked as Lambda unpacks it to /opt (file modes kept)."""
    opt = tmp_path / "opt"
    with zipfile.ZipFile(BUILD / "layer.zip") as z:
        for info in z.infolist():
            z.extract(info, opt)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(opt / info.filename, mode & 0o7777)
    return opt


def loader_resolution(binary):
    """{soname: path} as the dynamic loader resolves them with no cache and an empty environment."""
    loader = next(p for p in ("/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1") if os.path.exists(p))
    out = subprocess.run(["env", "-i", loader, "--inhibit-cache", "--list", str(binary)], capture_output=True,
                         text=True, check=True).stdout
    return dict(re.findall(r"^\s*(\S+) => (\S+)", out, re.M))


def test_the_layer_resolves_every_non_glibc_library_inside_itself(unpacked_layer):
    lib = unpacked_layer / "lib"
    for binary in (unpacked_layer / "bootstrap", unpacked_layer / "bin" / "lambda-c-runtime", lib / "liblambda-c.so.1"):
        for soname, path in loader_resolution(binary).items():
            if soname in GLIBC_LIBS:
                continue
            assert os.path.dirname(os.path.normpath(path)) == str(lib), f"{binary.name}: {soname} is {path}"


def test_the_layer_answers_with_an_empty_library_path(unpacked_layer):
    """LD_LIBRARY_PATH empty: the runtime finds the layer's lib/ by itself, and every library the
    process maps is the layer's, the function's or glibc's."""
    emu = Emulator([spec("hello", **{"env.LD_LIBRARY_PATH": ""})], layer=unpacked_layer)
    try:
        assert emu.invoke("hello", {"name": "opt"}).json() == {"message": "Hello, opt!"}
        pid = emu.debug("hello")["environments"][0]["pid"]
        with open(f"/proc/{pid}/environ", "rb") as f:
            assert b"LD_LIBRARY_PATH=\0" in b"\0" + f.read()
        with open(f"/proc/{pid}/maps") as f:
            mapped = {line.split()[-1] for line in f if ".so" in line.split()[-1]}
        exe = os.readlink(f"/proc/{pid}/exe")
    finally:
        emu.stop()
    outside = {p for p in mapped if not p.startswith(f"{unpacked_layer}/") and "/task-hello/" not in p
               and os.path.basename(p) not in GLIBC_LIBS}
    assert not outside, f"libraries from outside the layer: {outside}"
    # The core is the layer's runtime itself (it carries the soname liblambda-c.so.1): no other
    # copy of it is mapped, from the layer's lib/ or from anywhere else.
    assert exe == str(unpacked_layer / "bootstrap"), exe
    assert not any("liblambda-c.so" in p for p in mapped), mapped
    # json-c is inside liblambda-c: hello maps no second JSON library.
    assert not any("libjson-c" in p for p in mapped), mapped


def system_copies(libs):
    """Where the system has its own copies of the layer's third-party libraries."""
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    found = set()
    for name in libs:
        for path in re.findall(rf"^\s*{re.escape(name)} \(.*\) => (\S+)", cache, re.M):
            found.add(os.path.realpath(path))
    return sorted(found)


def test_the_layer_answers_with_the_systems_copies_hidden(unpacked_layer):
    """Like Lambda, where the OS has no json-c: a private mount namespace puts /dev/null over
    the system's copies of every third-party library the layer bundles."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("user namespaces are not available here (unshare -rm)")
    third_party = [p.name for p in (unpacked_layer / "lib").iterdir() if not p.name.startswith("liblambda-c")]
    hidden = system_copies(third_party)
    if not hidden:
        pytest.skip("the system has no copy of the layer's libraries: nothing to hide")
    mounts = " && ".join(f"mount --bind /dev/null {path}" for path in hidden)
    wrapper = f"unshare -rm sh -c '{mounts} && exec \"$0\" \"$@\"'"
    emu = Emulator([spec("hello"), spec("fail")], layer=unpacked_layer, extra_args=["--runtime-wrapper", wrapper])
    try:
        assert emu.invoke("hello", {"name": "alone"}).json() == {"message": "Hello, alone!"}, emu.logs()
        assert emu.invoke("fail", {"reason": "x"}).json()["errorType"] == "OrderRejected"
    finally:
        emu.stop()


# ---------------------------------------------------------------- Dockerfile

DOCKERFILE_UTILS = "dockerfile-utils@0.16.3"
# build.sh's Debian build packages and their Amazon Linux 2023 names in the Dockerfile.
DNF_NAMES = {"gcc": "gcc", "make": "make", "pkg-config": "pkgconf-pkg-config", "libc6-dev": "glibc-devel",
             "libjson-c-dev": "json-c-devel", "zip": "zip", "unzip": "unzip", "binutils": "binutils",
             "python3": "python3", "libcurl4-openssl-dev": "libcurl-devel", "libssl-dev": "openssl-devel"}


def test_the_dockerfile_lints_clean():
    tools = BUILD / "tools" / "dockerfile-utils"
    exe = tools / "node_modules" / ".bin" / "dockerfile-utils"
    if not exe.exists():
        install = subprocess.run(["npm", "install", "--prefix", str(tools), "--no-save", "--no-audit", "--no-fund",
                                  "--loglevel=error", DOCKERFILE_UTILS], capture_output=True, text=True)
        if install.returncode != 0 or not exe.exists():
            why = f"could not install {DOCKERFILE_UTILS} with npm: {install.stderr[-300:]}"
            if os.environ.get("CI"):
                pytest.fail(why)
            pytest.skip(why)
    run = subprocess.run([str(exe), "lint", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0 and not run.stdout.strip() and not run.stderr.strip(), run.stdout + run.stderr


def test_the_dockerfile_builds_with_what_ci_builds_with():
    docker = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", docker)
    assert re.search(r"^FROM public\.ecr\.aws/amazonlinux/amazonlinux:2023 AS build$", docker, re.M)
    dnf = re.search(r"^RUN dnf install -y (.*?)&&", joined, re.M)
    assert dnf, "the build dependencies come from dnf"
    installed = set(dnf.group(1).split())
    build_sh = (ROOT / "build.sh").read_text()
    debian = re.search(r'^BUILD_PACKAGES="([^"]*)"', build_sh, re.M).group(1).split()
    missing = [p for p in debian if DNF_NAMES.get(p) not in installed]
    assert not missing, f"BUILD_PACKAGES {missing} have no Amazon Linux package in the Dockerfile (DNF_NAMES)"
    # The layer is made by the one build path CI runs (.ci/run -> ./build.sh).
    assert re.search(r'\./build\.sh --arch "\$\{ARCH\}" build', joined)
    assert "./build.sh test" in (ROOT / ".ci" / "run").read_text()
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert set(SAM_EXCLUDED) | {"build", "build-*"} <= set(ignored), ignored
