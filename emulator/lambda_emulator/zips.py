"""Unpacking function and layer zips (and merging layer folders) into /var/task and /opt
stand-ins."""
import os
import re
import shutil
import stat
import zipfile


def _safe_member(dest, name):
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    norm = os.path.normpath(name)
    if norm == "." or norm.startswith(".." + os.sep) or norm == "..":
        return None
    return os.path.join(dest, norm)


def _remove_path(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def unzip_into(zip_path, dest):
    """Unpack a zip like Lambda: Unix modes and symlinks kept, later files overwrite."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = _safe_member(dest, info.filename)
            if target is None:
                continue
            mode = (info.external_attr >> 16) & 0xFFFF
            if info.is_dir() or stat.S_ISDIR(mode):
                if os.path.lexists(target) and not os.path.isdir(target):
                    _remove_path(target)
                os.makedirs(target, exist_ok=True)
                continue
            parent = os.path.dirname(target)
            if os.path.lexists(parent) and not os.path.isdir(parent):
                _remove_path(parent)
            os.makedirs(parent, exist_ok=True)
            if os.path.lexists(target):
                _remove_path(target)
            if stat.S_ISLNK(mode):
                os.symlink(zf.read(info).decode("utf-8"), target)
                continue
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            perm = stat.S_IMODE(mode)
            os.chmod(target, perm if perm else 0o644)


def merge_dir_into(src, dest):
    """Copy a directory tree over dest (symlinks kept, later files overwrite)."""
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        troot = dest if rel == "." else os.path.join(dest, rel)
        if os.path.lexists(troot) and not os.path.isdir(troot):
            _remove_path(troot)
        os.makedirs(troot, exist_ok=True)
        for name in list(dirs):
            s = os.path.join(root, name)
            if os.path.islink(s):
                dirs.remove(name)
                t = os.path.join(troot, name)
                if os.path.lexists(t):
                    _remove_path(t)
                os.symlink(os.readlink(s), t)
        for name in files:
            s = os.path.join(root, name)
            t = os.path.join(troot, name)
            if os.path.lexists(t):
                _remove_path(t)
            if os.path.islink(s):
                os.symlink(os.readlink(s), t)
            else:
                shutil.copy2(s, t)

