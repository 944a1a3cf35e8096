"""The artifacts themselves: what Lambda unpacks to /opt and /var/task."""
import os
import pathlib
import re
import subprocess
import zipfile

from conftest import BUILD

HELLO_ZIP_LIMIT = 16 * 1024
LAYER_ZIP_LIMIT = 4 * 1024 * 1024  # issue 6: runtime, SDK, libcurl, OpenSSL, json-c and their closure
ROOT = pathlib.Path(__file__).resolve().parents[2]


def dlopen_libraries():
    """layer/dlopen-libraries: what the layer's code loads with dlopen() by soname."""
    text = (ROOT / "layer" / "dlopen-libraries").read_text()
    return [name for line in text.splitlines() for name in line.split("#")[0].split()]


def needed(path):
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_layer_zip_layout():
    with zipfile.ZipFile(BUILD / "layer.zip") as z:
        names = set(z.namelist())
        assert {"bootstrap", "VERSION", "bin/lambda-c-runtime", "lib/liblambda-c.so.1",
                "lib/libjson-c.so.5"} <= names, names
        bootstrap = z.read("bootstrap")
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    # /opt/bootstrap is the runtime ELF itself: no sh, no second exec at cold start.
    assert bootstrap.startswith(b"\x7fELF"), bootstrap[:64]
    assert modes["bootstrap"] & 0o111 and modes["bin/lambda-c-runtime"] & 0o111
    version = (BUILD / "layer" / "VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    header = open(os.path.join(os.path.dirname(__file__), "../../sdk/include/lambda-c/version.h")).read()
    assert f'#define LAMBDA_C_VERSION_STRING "{version}"' in header


def test_layer_libraries_are_the_closure_minus_glibc():
    layer = BUILD / "layer"
    libs = {p.name for p in (layer / "lib").iterdir()}
    glibc = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-x86-64.so.2",
             "ld-linux-aarch64.so.1"}
    # Roots: the runtime and the SDK's libraries (a handler may link any of them), and what
    # liblambda-c-aws dlopen()s (no DT_NEEDED names them: layer/dlopen-libraries does).
    sdk_libs = {name for name in libs if name.startswith("liblambda-c")}
    dlopened = set(dlopen_libraries()) if "liblambda-c-aws.so.1" in sdk_libs else set()
    assert dlopened >= {"libcurl.so.4", "libcrypto.so.3"} or not dlopened, dlopened
    for name in dlopened:
        assert name in libs, f"{name} is dlopen()ed but not in the layer"
    # libjson-c.so.5: json-c is inside liblambda-c now, but handlers built before 1.2 name it in
    # their DT_NEEDED; the layer keeps it for them (their json_* calls bind to the core's copy).
    closure = sdk_libs | dlopened | {"libjson-c.so.5"}
    todo = [layer / "bootstrap", layer / "bin" / "lambda-c-runtime"] + [layer / "lib" / name for name in closure]
    while todo:
        for lib in needed(todo.pop()):
            if lib in glibc or lib.startswith("libasan") or lib.startswith("libubsan"):
                continue
            assert lib in libs, f"{lib} is needed but not in the layer"
            if lib not in closure:
                closure.add(lib)
                todo.append(layer / "lib" / lib)
    assert closure == libs, f"layer has extra libraries: {libs - closure}"


def test_layer_bundles_a_lean_libcurl_and_openssl_and_fits_4_mib():
    lib = BUILD / "layer" / "lib"
    for name in ("libcurl.so.4", "libssl.so.3", "libcrypto.so.3"):
        assert (lib / name).is_file() and not (lib / name).is_symlink(), name
    dyn = subprocess.run(["readelf", "-d", str(lib / "libcurl.so.4")], capture_output=True, text=True,
                         check=True).stdout
    assert "Library soname: [libcurl.so.4]" in dyn
    # Lean: OpenSSL and glibc only (no nghttp2, LDAP, SSH, RTMP, Kerberos, GnuTLS, IDN, PSL, zstd...).
    others = {n for n in needed(lib / "libcurl.so.4") if not re.fullmatch(r"libc\.so\.6|ld-linux.*", n)}
    assert others <= {"libssl.so.3", "libcrypto.so.3"}, others
    assert "Library runpath: [$ORIGIN]" in dyn  # libssl/libcrypto from beside it
    # ABI of Debian's libcurl4 (OpenSSL flavour): versioned symbols CURL_OPENSSL_4.
    syms = subprocess.run(["objdump", "-T", str(lib / "libcurl.so.4")], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"CURL_OPENSSL_4\s+curl_easy_init$", syms, re.M), syms[:2000]
    # No CA bundle or path built in: liblambda-c-aws sets CURLOPT_CAINFO itself.
    text = (lib / "libcurl.so.4").read_bytes()
    assert b"/etc/ssl/certs" not in text and b"ca-certificates.crt" not in text
    size = (BUILD / "layer.zip").stat().st_size
    print(f"layer.zip: {size} bytes ({size / 1048576:.2f} MiB)")
    assert size <= LAYER_ZIP_LIMIT, f"layer.zip is {size} bytes, over the 4 MiB target"


def runpath(path):
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]+)\]", out)


def test_bootstrap_and_runtime_find_lib_from_where_they_sit():
    # Relocatable: each finds the layer's lib/ from its own folder, never from a fixed /opt.
    layer = BUILD / "layer"
    assert runpath(layer / "bootstrap") == ["$ORIGIN/lib"]
    assert runpath(layer / "bin" / "lambda-c-runtime") == ["$ORIGIN/../lib"]
    assert needed(layer / "bootstrap") == needed(layer / "bin" / "lambda-c-runtime")


def test_runtime_links_no_curl_or_openssl():
    for path in [BUILD / "layer" / "bootstrap", BUILD / "layer" / "bin" / "lambda-c-runtime",
                 BUILD / "layer" / "lib" / "liblambda-c.so.1"]:
        for lib in needed(path):
            assert not re.match(r"lib(curl|ssl|crypto)", lib), f"{path.name} needs {lib}"


def test_sdk_soname_and_exports():
    lib = BUILD / "lib" / "liblambda-c.so.1"
    dyn = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    assert "Library soname: [liblambda-c.so.1]" in dyn
    syms = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True,
                          check=True).stdout
    exported = [l.split()[-1] for l in syms.splitlines() if l.split()[1] in "TDBR"]
    assert exported, syms
    # json-c is inside the core and its API exported exactly as the shared json-c does.
    jsonc = subprocess.run(["nm", "-D", "--defined-only", str(BUILD / "layer" / "lib" / "libjson-c.so.5")],
                           capture_output=True, text=True, check=True).stdout
    jsonc = {l.split()[-1] for l in jsonc.splitlines() if l.split()[1] in "TDBR"}
    assert jsonc and jsonc <= set(exported), jsonc - set(exported)
    for name in set(exported) - jsonc:
        assert name.startswith("lambda_"), f"{name} leaks out of the SDK's ABI"
        assert name.endswith("@@LAMBDA_C_1.0") or "@@LAMBDA_C_1." in name, name


def test_function_zips_hold_only_the_handler():
    with zipfile.ZipFile(BUILD / "functions" / "hello.zip") as z:
        assert z.namelist() == ["hello.so"]
    with zipfile.ZipFile(BUILD / "functions" / "hello-exec.zip") as z:
        assert z.namelist() == ["bootstrap"]
        assert (z.getinfo("bootstrap").external_attr >> 16) & 0o111
    assert (BUILD / "functions" / "hello.zip").stat().st_size < HELLO_ZIP_LIMIT


def test_pkg_config_builds_a_handler(tmp_path):
    sdk = BUILD / "sdk"
    env = dict(os.environ, PKG_CONFIG_PATH=str(sdk / "lib" / "pkgconfig"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "lambda-c"], env=env, capture_output=True,
                           text=True, check=True).stdout.split()
    src = tmp_path / "mine.c"
    src.write_text('#include <lambda-c.h>\nlambda_handler_fn handler;\n'
                   'int handler(lambda_event *e, const lambda_context *c, lambda_response *r)\n'
                   '{ (void)e; (void)c; return lambda_response_set_body(r, "1", 1, NULL); }\n')
    out = tmp_path / "mine.so"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-fPIC", "-shared", "-o", str(out), str(src)] + flags,
                   check=True)
    syms = subprocess.run(["nm", "-D", "--defined-only", str(out)], capture_output=True, text=True).stdout
    assert "lambda_handler_abi_version" in syms and " handler" in syms
