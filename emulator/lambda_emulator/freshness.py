"""Code and layers are never stale: each invoke first checks whether a function's folder or
zip, or a layer, changed on disk since the environments were started. If so the next
invocation runs in a fresh environment on the new code, and warm environments with the old
code are shut down (their extensions get SHUTDOWN) once their current invocation is done."""
import os
import stat

MAX_ENTRIES = 20000        # files of a folder compared one by one; past that, the folder itself


def fingerprint(path):
    """What changes when a file or a folder tree changes (sizes, times, modes, inodes)."""
    try:
        st = os.stat(path)
    except OSError as e:
        return ("missing", e.errno)
    if not stat.S_ISDIR(st.st_mode):
        return ("file", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    entries = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files) + dirs:
            full = os.path.join(root, name)
            try:
                s = os.lstat(full)
            except OSError:
                continue
            entries.append((os.path.relpath(full, path), s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_mode))
            if len(entries) > MAX_ENTRIES:
                return ("large-dir", st.st_mtime_ns, st.st_ctime_ns)
    return ("dir", tuple(entries))


class Source:
    """A function's code or a layer, as given on the command line."""

    def __init__(self, path):
        self.path = path
        self.is_dir = os.path.isdir(path)
        self.print = fingerprint(path)

    def changed(self):
        now = fingerprint(self.path)
        if now == self.print:
            return False
        self.print = now
        return True
