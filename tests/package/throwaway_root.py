"""A throw-away root for installing packages: this machine's own / as the read-only lower layer
of an overlay whose upper layer is a tmpfs, in a private mount namespace held by one `sleep`
process. dpkg, its maintainer scripts, systemctl and systemd-analyze run in it by chroot (with
/proc, /dev and empty /run and /tmp) and change nothing outside: ending the holder drops the
namespace with the tmpfs and everything installed.

A policy-rc.d that answers 101 keeps maintainer scripts from starting services, as in any
chroot. Files of the root are read from the test process through /proc/HOLDER/root, which
resolves paths in the holder's mount namespace.
"""
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

HOLD_SECONDS = 1800  # the holder outlives no test run by more than this, even if pytest is killed


class ThrowawayRoot:
    def __init__(self):
        # A short base: the daemon's socket in it must be reachable through a unix socket path
        # of at most 107 bytes from outside the namespace (/proc/HOLDER/root/...).
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="wcroot.", dir="/tmp"))
        self.merged = self.base / "merged"
        self.layers = self.base / "layers"
        self.merged.mkdir(parents=True)
        self.layers.mkdir()
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sleep", str(HOLD_SECONDS)])
        try:
            self._mount()
        except BaseException:
            self.close()
            raise

    def _mount(self):
        m, t = self.merged, self.layers
        script = f"""set -e
mount -t tmpfs -o mode=0755 wasmcri-test-layers {t}
mkdir {t}/upper {t}/work
mount -t overlay wasmcri-test-root -o lowerdir=/,upperdir={t}/upper,workdir={t}/work {m}
mount -t proc proc {m}/proc
mount --rbind /dev {m}/dev
mount -t tmpfs -o mode=0755 run {m}/run
mount -t tmpfs -o mode=1777 tmp {m}/tmp
printf '#!/bin/sh\\nexit 101\\n' > {m}/usr/sbin/policy-rc.d
chmod 755 {m}/usr/sbin/policy-rc.d
"""
        # The holder has to be in its namespace before nsenter can join it.
        for _ in range(500):
            if os.readlink(f"/proc/{self.holder.pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt"):
                break
            if self.holder.poll() is not None:
                raise RuntimeError("unshare --mount failed")
            time.sleep(0.01)
        subprocess.run(self._nsenter() + ["sh", "-c", script], check=True, timeout=60)

    def _nsenter(self):
        return ["nsenter", "-t", str(self.holder.pid), "-m", "--"]

    def command(self, argv):
        """argv run as root in the throw-away root (for Popen)."""
        return self._nsenter() + ["chroot", str(self.merged)] + list(argv)

    def run(self, argv, check=True, timeout=120, **kw):
        """Runs argv in the root; its output as text. check: a non-zero exit fails with both."""
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
               "LC_ALL": "C.UTF-8"}
        r = subprocess.run(self.command(argv), capture_output=True, text=True, timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL, **kw)
        if check and r.returncode != 0:
            raise AssertionError(f"{argv} exited with {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def path(self, inside):
        """The test process's path to `inside`, a path of the root."""
        return pathlib.Path(f"/proc/{self.holder.pid}/root{self.merged}{inside}")

    def put(self, host_file, inside):
        """Copies a file of this machine into the root; returns its path there."""
        subprocess.run(self._nsenter() + ["cp", str(host_file), f"{self.merged}{inside}"],
                       check=True, timeout=60)
        return inside

    def close(self):
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()
        # The mounts were the namespace's: here both are empty directories again.
        shutil.rmtree(self.base)
