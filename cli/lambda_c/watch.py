"""lambda-c watch [DIR]: rebuild on every source change and keep serving.

Changes are found by polling modification times (no inotify tool to install): C and C++
sources and headers, Makefiles, CMake files, the template and the env file. A failed build
prints the compiler's errors and leaves the last good build serving; a good one serves from
the next request on. The Invoke API and the template's HTTP routes (as `lambda-c serve`) stay
on the same ports throughout."""
import os
import pathlib
import time

from . import sam, serve
from .build import project_dir
from .sdk import Failure

SOURCE_SUFFIXES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".inc", ".mk", ".cmake", ".yaml", ".yml")
SOURCE_NAMES = ("Makefile", "makefile", "GNUmakefile", "CMakeLists.txt")
SKIPPED_DIRS = ("build", "node_modules", "__pycache__")
SETTLE_S = 0.05  # a save often touches files in several steps: wait until they stop changing
MAX_FILES = 20000


def watched(name):
    return name in SOURCE_NAMES or name.endswith(SOURCE_SUFFIXES)


def snapshot(folder, extra=()):
    """{path: (mtime_ns, size)} of the files whose change triggers a rebuild."""
    out = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        for name in files:
            if watched(name):
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                out[path] = (st.st_mtime_ns, st.st_size)
        if len(out) > MAX_FILES:
            raise Failure(f"{folder} holds more than {MAX_FILES} source files: watch a project folder")
    for path in extra:
        try:
            st = os.stat(path)
            out[str(path)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[str(path)] = None
    return out


def changes(old, new):
    return sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))


class Watcher:
    def __init__(self, sdk, args):
        self.sdk = sdk
        self.args = args
        self.folder = project_dir(args.dir)
        self.template = sam.template_file(self.folder, args.template, required=False)
        if self.template is None:
            raise Failure(f"{self.folder} has no template.yaml (--template FILE): watch serves the template's "
                          "functions and routes")
        self.extra = [pathlib.Path(args.env_file).resolve()] if args.env_file else []
        self.api = None
        self.state = snapshot(self.folder, self.extra)

    def wait_for_change(self, interval):
        """The changed paths, once they stopped changing."""
        while True:
            time.sleep(interval)
            if self.api and self.api.emulator.proc.poll() is not None:
                raise Failure(f"the emulator exited ({self.api.emulator.proc.returncode})")
            now = snapshot(self.folder, self.extra)
            if now != self.state:
                break
        while True:
            time.sleep(SETTLE_S)
            settled = snapshot(self.folder, self.extra)
            if settled == now:
                break
            now = settled
        changed, self.state = changes(self.state, now), now
        return changed

    def first_start(self):
        """Builds and starts serving; on a failed build, waits for a change and tries again."""
        while True:
            try:
                functions = sam.load_functions(self.template, self.args.region)
                self.api = serve.start(self.sdk, self.args, functions)
                return
            except Failure as e:
                serve.log(f"{e}; waiting for a change to try again")
            self.wait_for_change(self.args.interval)

    def rebuild(self, changed):
        started = time.monotonic()
        names = ", ".join(os.path.relpath(p, self.folder) for p in changed[:5]) + (" ..." if len(changed) > 5 else "")
        serve.log(f"changed: {names}; rebuilding")
        try:
            functions = sam.load_functions(self.template, self.args.region)
            specs = serve.emulator_specs(self.sdk, functions, self.args)
        except Failure as e:
            serve.log(f"{e}; the last good build keeps serving")
            return
        emulator = self.api.emulator
        # The emulator starts fresh environments for code that changed on disk by itself; it is
        # restarted only when the functions, handlers or environment changed.
        if specs != emulator.specs:
            emulator.restart(specs)
        if str(pathlib.Path(self.template).resolve()) in changed:
            self.api.update(functions)
        serve.log(f"rebuilt in {(time.monotonic() - started) * 1000:.0f} ms: the next request runs the new build")

    def run(self):
        self.first_start()
        serve.log(f"watching {self.folder} (every {self.args.interval:g} s; Ctrl-C stops)")
        try:
            while True:
                self.rebuild(self.wait_for_change(self.args.interval))
        finally:
            self.api.close()


def cmd_watch(sdk, args):
    if not 0.01 <= args.interval <= 10:
        raise Failure("--interval must be between 0.01 and 10 seconds")
    serve.stop_on_sigterm()
    return Watcher(sdk, args).run()


def add_arguments(p):
    p.add_argument("dir", metavar="DIR", nargs="?", help="the project folder (default: the current folder)")
    p.add_argument("--template", "-t", metavar="FILE", help="the SAM template (default: DIR/template.yaml)")
    p.add_argument("--interval", type=float, default=0.2, metavar="SECONDS",
                   help="how often to look for changes (default 0.2)")
    serve.add_arguments(p, with_template=False)
