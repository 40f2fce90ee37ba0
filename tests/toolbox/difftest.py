"""Differential testing of toolbox applets: each case runs the applet under `wasmcri run` on a
test-made directory (mapped as the guest's /) and Debian's busybox (or, where the toolbox
follows GNU instead, the GNU tool) on a copy of the same directory, with the same arguments and
stdin, and compares what a user sees: stdout, stderr and the exit status.

Variants: `readonly` runs both on a read-only bind mount of their directory (in a private mount
namespace made by unshare, so nothing leaks if the test dies); `user` runs both as nobody
(65534), so that file modes can refuse access."""
import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile

WASMCRI = os.environ.get("WASMCRI", "wasmcri")
# The built module, run as `wasmcri run toolbox.wasm APPLET ARGS` (its main takes the applet
# from argv[1] when argv[0] names none).
TOOLBOX_WASM = os.environ.get("TOOLBOX_WASM", "toolbox.wasm")
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
TIMEOUT = 60
# Absolute paths: busybox's runs have PATH pointing at busybox's applets.
NOBODY = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def make_tree(root, files):
    """files: {relative path: bytes | str | None (a directory) | ("link", target)}"""
    os.makedirs(root, exist_ok=True)
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if content is None:
            os.makedirs(path, exist_ok=True)
        elif isinstance(content, tuple):
            os.symlink(content[1], path)
        else:
            with open(path, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)


def wrap(cmd, cwd, readonly, user):
    if user:
        cmd = NOBODY + cmd
    if readonly:
        cmd = ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
               '/bin/mount --bind -o ro "$0" "$0" && cd "$0" && exec "$@"', cwd] + cmd
    return cmd


def toolbox_cmd(run_opts, args):
    return [WASMCRI, "run"] + list(run_opts) + [TOOLBOX_WASM] + list(args)


def run_toolbox(root, args, stdin=b"", readonly=False, user=False, timeout=TIMEOUT):
    cmd = toolbox_cmd(["--dir", f"{root}:/"], args)
    return subprocess.run(wrap(cmd, root, readonly, user), cwd=root, input=stdin,
                          capture_output=True, timeout=timeout)


_busybox_bin = None


def busybox_bin():
    """A directory of links to busybox's applets (`busybox --install -s`), made once: the PATH
    under which `busybox sh -c SCRIPT` runs busybox's applets, as toolbox sh runs its own."""
    global _busybox_bin
    if _busybox_bin is None:
        _busybox_bin = tempfile.mkdtemp(prefix="toolbox-busybox-")
        atexit.register(shutil.rmtree, _busybox_bin, True)
        os.chmod(_busybox_bin, 0o755)
        subprocess.run([BUSYBOX, "--install", "-s", _busybox_bin], check=True, timeout=TIMEOUT)
    return _busybox_bin


def run_native(root, args, stdin=b"", readonly=False, user=False, timeout=TIMEOUT, gnu=False):
    """busybox APPLET ARGS, or with GNU the Debian tool of that name (coreutils, sed, grep)."""
    cmd = ([] if gnu else [BUSYBOX]) + list(args)
    path = "/usr/bin:/bin" if gnu else busybox_bin()
    return subprocess.run(wrap(cmd, root, readonly, user), cwd=root, input=stdin,
                          capture_output=True, timeout=timeout,
                          env={"TZ": "UTC", "LC_ALL": "C", "PATH": path})


def tree_of(root):
    """What a directory holds: {relative path: content bytes, "<dir>" or "-> target"}."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = "-> " + os.readlink(p)
            elif os.path.isdir(p):
                out[rel] = "<dir>"
            else:
                with open(p, "rb") as f:
                    out[rel] = f.read()
    return out


def differ(tmp_path, files, args, stdin=b"", compare_stderr=True, readonly=False, user=False,
           chmod=None, gnu=False):
    """Runs both on identical trees; returns (toolbox result, busybox result) after asserting
    they agree, and that the trees they leave agree."""
    with _workdir(tmp_path, user) as base:
        return _differ(base, files, args, stdin, compare_stderr, readonly, user, chmod, gnu)


@contextlib.contextmanager
def _workdir(tmp_path, user):
    """tmp_path, or for `user` a directory nobody can reach (pytest's is root's alone)."""
    if not user:
        yield tmp_path
        return
    base = tempfile.mkdtemp(prefix="toolbox-diff-")
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _differ(base, files, args, stdin, compare_stderr, readonly, user, chmod, gnu):
    a, b = os.path.join(base, "toolbox"), os.path.join(base, "busybox")
    for root in (a, b):
        make_tree(root, files)
        for rel, mode in (chmod or {}).items():
            os.chmod(os.path.join(root, rel), mode)
        if user:
            os.chmod(root, 0o777)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    t = run_toolbox(a, args, stdin, readonly, user)
    n = run_native(b, args, stdin, readonly, user, gnu=gnu)
    what = f"{' '.join(args)}: toolbox {t!r}\n{'GNU' if gnu else 'busybox'} {n!r}"
    assert t.stdout == n.stdout, what
    if compare_stderr:
        assert t.stderr == n.stderr, what
    assert t.returncode == n.returncode, what
    for root in (a, b):
        for rel in (chmod or {}):
            os.chmod(os.path.join(root, rel), 0o755)
    assert tree_of(a) == tree_of(b), what
    return t, n
