"""The exported ABI of every lambda-c library is exactly what its version script names.

- a version script names each symbol explicitly (a glob would let any new function join an
  old node silently); `local: *;` is the only wildcard;
- every function declared in a public header is exported by exactly one library, in a node;
- every exported symbol is in that library's script, and every scripted name is exported;
- the libraries' dependencies point down: the core needs nothing of ours.
"""
import pathlib
import re
import subprocess

import pytest

from conftest import BUILD, ROOT

MAPS = sorted((ROOT / "sdk").glob("*/liblambda-c*.map"))
HEADERS = sorted((ROOT / "sdk" / "include").rglob("*.h"))


def library_of(map_path):
    return BUILD / "lib" / (map_path.stem + ".so.1")


def script_nodes(map_path):
    """{node: [names]} of a version script, comments removed."""
    text = re.sub(r"/\*.*?\*/", "", map_path.read_text(), flags=re.S)
    nodes = {}
    for node, body in re.findall(r"(\w[\w.]*)\s*\{(.*?)\}", text, flags=re.S):
        body = body.split("local:")[0].replace("global:", "")
        nodes[node] = [n.strip() for n in body.split(";") if n.strip()]
    return nodes


def exported(lib):
    """{name: version} of the functions and objects lib defines for others."""
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\S+ [TDRBV] (\w+)@+(\S+)", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def jsonc_exports():
    """{name: version} of what the layer's libjson-c.so.5 (Debian's) exports."""
    return exported(BUILD / "layer" / "lib" / "libjson-c.so.5")


def declared_functions():
    names = set()
    for header in HEADERS:
        text = re.sub(r"/\*.*?\*/|//[^\n]*", "", header.read_text(), flags=re.S)
        text = re.sub(r"^\s*#.*?(?<!\\)$", "", text, flags=re.M | re.S)  # preprocessor lines
        for statement in text.split(";"):
            statement = re.split(r"[{}]", " ".join(statement.split()))[-1].strip()
            if statement.startswith(("typedef", "static")) or not statement:
                continue
            m = re.search(r"\b(lambda_\w+)\s*\(", statement)
            if m and not re.search(r"\(\s*\*\s*" + m.group(1), statement):
                names.add(m.group(1))
    return names


def test_every_library_has_a_version_script():
    assert {m.stem for m in MAPS} >= {"liblambda-c", "liblambda-c-events", "liblambda-c-metrics",
                                      "liblambda-c-aws"}
    for m in MAPS:
        assert library_of(m).exists(), library_of(m)


@pytest.mark.parametrize("map_path", MAPS, ids=lambda p: p.stem)
def test_the_script_names_every_symbol_and_uses_no_glob(map_path):
    nodes = script_nodes(map_path)
    for node, names in nodes.items():
        for name in names:
            assert re.fullmatch(r"lambda_\w+", name), f"{map_path.name}: {node} has {name!r}"
    lib_exports = exported(library_of(map_path))
    if map_path.stem == "liblambda-c":
        # json-c is inside the core, its API exported as the shared json-c exports it.
        jsonc = {n: v for n, v in lib_exports.items() if v.startswith("JSONC_")}
        assert jsonc == jsonc_exports(), set(jsonc.items()) ^ set(jsonc_exports().items())
        lib_exports = {n: v for n, v in lib_exports.items() if n not in jsonc}
    scripted = {name: node for node, names in nodes.items() for name in names}
    assert set(lib_exports) == set(scripted), (set(lib_exports) ^ set(scripted))
    for name, version in lib_exports.items():
        assert version == scripted[name], (name, version)


def test_every_public_function_is_exported_by_exactly_one_library():
    owners = {}
    for m in MAPS:
        for name, version in exported(library_of(m)).items():
            if not version.startswith("JSONC_"):
                owners.setdefault(name, []).append(m.stem)
    declared = declared_functions()
    assert len(declared) > 250, declared
    missing = sorted(n for n in declared if n not in owners)
    assert not missing, f"declared in a public header but exported by no library: {missing}"
    twice = {n: o for n, o in owners.items() if len(o) > 1}
    assert not twice, twice


def needed(lib):
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def test_dependencies_point_down_to_the_core():
    core = BUILD / "lib" / "liblambda-c.so.1"
    assert not {n for n in needed(core) if n.startswith("liblambda-c")}, needed(core)
    # json-c is inside the core: nothing of ours loads the shared json-c.
    for m in MAPS:
        assert "libjson-c.so.5" not in needed(library_of(m)), m.stem
    for m in MAPS:
        if m.stem == "liblambda-c":
            continue
        ours = {n for n in needed(library_of(m)) if n.startswith("liblambda-c")}
        assert ours <= {"liblambda-c.so.1"}, (m.stem, ours)
