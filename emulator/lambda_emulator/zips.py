"""Unpacking function and layer zips (and merging layer folders) into /var/task and /opt
stand-ins, so that nothing is written outside the folder and no link leads out of it.

Every write goes to a path whose parent folders are real directories (a link or file in a
parent position is replaced by a directory, never followed) and is opened with O_NOFOLLOW.
Links are kept as on Lambda; an absolute link into the folder's Lambda path (/opt for
layers, /var/task for functions) is rewritten to point into the stand-in, and once the
folder is complete every link is resolved (chains included): one that leads out of it is
refused, as is more than Lambda's unzipped size for the function and its layers."""
import os
import re
import shutil
import stat
import zipfile

from .limits import MAX_UNZIPPED


class UnsafeArchive(Exception):
    """A zip or layer folder that cannot be unpacked safely; the message says why."""


class Budget:
    """Bytes still allowed for the function and its layers (Lambda: 262,144,000 unzipped)."""

    def __init__(self, total=MAX_UNZIPPED):
        self.left = total

    def take(self, n):
        self.left -= n
        if self.left < 0:
            raise UnsafeArchive("Unzipped size must be smaller than %d bytes" % MAX_UNZIPPED)


def _member_parts(name):
    """The path components of an archive member, or None when it is absolute or climbs out."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = []
    for comp in name.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(comp)
    return parts or None


def _remove_path(path):
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _real_dir(dest, parts):
    """dest/parts[0]/.../parts[-1] as real directories: links and files in the way are
    removed (never followed), missing folders created. Returns the path."""
    cur = dest
    for comp in parts:
        cur = os.path.join(cur, comp)
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            os.mkdir(cur, 0o755)
            continue
        if not stat.S_ISDIR(st.st_mode):   # a symlink (even to a folder) or a file
            os.unlink(cur)
            os.mkdir(cur, 0o755)
    return cur


def _clear(path):
    if os.path.lexists(path):
        _remove_path(path)


def _write_file(path, src, mode, budget):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as out:
        for _ in range(1 << 40):
            block = src.read(1 << 20)
            if not block:
                break
            budget.take(len(block))
            out.write(block)
        os.fchmod(out.fileno(), mode if mode else 0o644)


def _link_target(target, lambda_root, dest, link_path):
    """An absolute target under the folder's Lambda path (/opt, /var/task) points into the
    stand-in instead; anything else is kept as written (checked by audit_links)."""
    if lambda_root and (target == lambda_root or target.startswith(lambda_root + "/")):
        inside = os.path.join(dest, target[len(lambda_root):].lstrip("/"))
        return os.path.relpath(inside, os.path.dirname(link_path))
    return target


def unzip_into(zip_path, dest, budget=None, lambda_root=None):
    """Unpack a zip like Lambda: Unix modes and symlinks kept, later files overwrite.
    Raises UnsafeArchive (or zipfile.BadZipFile, OSError)."""
    budget = budget or Budget()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            parts = _member_parts(info.filename)
            if parts is None:
                continue
            mode = (info.external_attr >> 16) & 0xFFFF
            if info.is_dir() or stat.S_ISDIR(mode):
                _real_dir(dest, parts)
                continue
            target = os.path.join(_real_dir(dest, parts[:-1]), parts[-1])
            _clear(target)
            if stat.S_ISLNK(mode):
                if info.file_size > 4096:
                    raise UnsafeArchive("symlink %s: target too long" % info.filename)
                link = zf.read(info).decode("utf-8", "replace")
                os.symlink(_link_target(link, lambda_root, dest, target), target)
                continue
            with zf.open(info) as src:
                _write_file(target, src, stat.S_IMODE(mode), budget)
    audit_links(dest, zip_path)


def merge_dir_into(src, dest, budget=None, lambda_root=None):
    """Copy a directory tree over dest (symlinks kept, later files overwrite), with the
    same rules as unzip_into."""
    budget = budget or Budget()
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        parts = [] if rel == "." else rel.split(os.sep)
        troot = _real_dir(dest, parts)
        for name in sorted(dirs) + sorted(files):
            s = os.path.join(root, name)
            t = os.path.join(troot, name)
            st = os.lstat(s)
            if stat.S_ISLNK(st.st_mode):
                if name in dirs:
                    dirs.remove(name)
                _clear(t)
                os.symlink(_link_target(os.readlink(s), lambda_root, dest, t), t)
            elif stat.S_ISDIR(st.st_mode):
                _real_dir(troot, [name])
            elif stat.S_ISREG(st.st_mode):
                _clear(t)
                with open(s, "rb") as f:
                    _write_file(t, f, stat.S_IMODE(st.st_mode), budget)
    audit_links(dest, src)


def audit_links(dest, origin):
    """Raise UnsafeArchive when a link under dest resolves (through any chain) outside it."""
    top = os.path.realpath(dest)
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                continue
            resolved = os.path.realpath(path)
            if resolved != top and not resolved.startswith(top + os.sep):
                rel = os.path.relpath(path, dest)
                raise UnsafeArchive("%s: symlink %s -> %s leaves the folder"
                                    % (origin, rel, os.readlink(path)))
