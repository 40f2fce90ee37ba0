"""The integration tests' view of wasmcri: CRI stubs generated from api/api.proto at
test time, and a Daemon that runs the real built binary on a private socket and root.

The build to test is $WASMCRI_BUILD (default: build/ at the top of the checkout).
"""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import grpc

TOP = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("WASMCRI_BUILD", TOP / "build")).resolve()
BINARY = BUILD / "wasmcri"
GEN_DIR = BUILD / "pygen"


def daemon_arch():
    """The OCI architecture of the daemon under test, from its ELF header's e_machine: the host's,
    or the emulated one when hack/cross.sh runs an arm64/armhf build under qemu-user."""
    with open(BINARY, "rb") as f:
        machine = int.from_bytes(f.read(20)[18:20], "little")
    return {62: "amd64", 183: "arm64", 40: "arm"}[machine]


def _generate_stubs():
    proto = TOP / "api" / "api.proto"
    GEN_DIR.mkdir(parents=True, exist_ok=True)
    out = GEN_DIR / "api_pb2.py"
    if not out.exists() or out.stat().st_mtime < proto.stat().st_mtime:
        subprocess.run(
            ["protoc", f"-I{proto.parent}", f"--python_out={GEN_DIR}", f"--grpc_out={GEN_DIR}",
             "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", str(proto)],
            check=True)
    if str(GEN_DIR) not in sys.path:
        sys.path.insert(0, str(GEN_DIR))


_generate_stubs()
import api_pb2  # noqa: E402  (generated above)
import api_pb2_grpc  # noqa: E402

pb = api_pb2


def _unescape_mountinfo(field):
    """A path of /proc/self/mountinfo: the kernel writes space, tab, newline and backslash
    as octal escapes (\\040...)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounts_under(path):
    """The mount points at or below path (this process's mount namespace, the daemon's),
    deepest first."""
    top = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        points = [_unescape_mountinfo(line.split()[4]) for line in f]
    below = [p for p in points if p == top or p.startswith(top + "/")]
    return sorted(set(below), key=len, reverse=True)



class Daemon:
    """One wasmcri process with its own socket, root and state under `base`.

    Every Daemon made is remembered until `left_mounts` checks it (conftest.py does, after
    each test and each module): a daemon that has stopped must have left no mount under its
    base, since RemovePodSandbox unmounts what a pod's containers had (their rootfs overlays,
    the pod's network namespace), and a test must remove the pods it made."""

    made = []

    def __init__(self, base, config=None, extra_args=(), env=None):
        self.base = pathlib.Path(base)
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket = self.base / "wasmcri.sock"
        self.root = self.base / "root"
        self.state = self.base / "state"
        self.log_path = self.base / "daemon.log"
        self.config_path = None
        if config is not None:
            self.config_path = self.base / "config.json"
            self.config_path.write_text(json.dumps(config))
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self._channel = None
        Daemon.made.append(self)

    def args(self):
        a = [str(BINARY), "--socket", str(self.socket), "--root", str(self.root),
             "--state", str(self.state), "--log-level", "debug"]
        if self.config_path:
            a += ["--config", str(self.config_path)]
        return a + self.extra_args

    def start(self, timeout=None):
        # WASMCRI_START_TIMEOUT: seconds to wait for the daemon to serve (hack/cross.sh raises
        # it: under qemu-user the daemon starts ~20 times slower). 30 s: an ASan daemon on a
        # loaded CI machine once took over 10.
        timeout = timeout or float(os.environ.get("WASMCRI_START_TIMEOUT", "30"))
        # A channel left from an earlier run of this daemon (killed by a test) sits in
        # gRPC's reconnect backoff; a fresh one (with its own subchannels, see channel())
        # connects at once.
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        env = dict(os.environ if self.env is None else self.env)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self._log, stderr=subprocess.STDOUT,
                                     env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wasmcri exited with {self.proc.returncode}:\n{self.log()}")
            if self.socket.exists():
                try:
                    self.runtime().Version(pb.VersionRequest(), timeout=1)
                    return self
                except grpc.RpcError:
                    pass
            time.sleep(0.02)
        self.stop(sig=signal.SIGKILL)  # not left serving behind the failed test
        self.kill_zygote()
        raise RuntimeError(f"wasmcri did not serve within {timeout}s:\n{self.log()}")

    def channel(self):
        if self._channel is None:
            # A local subchannel pool: gRPC otherwise shares one connection per target
            # across channels, and a connection to a killed daemon's socket stays in
            # reconnect backoff for seconds after a new daemon serves it.
            self._channel = grpc.insecure_channel(
                f"unix://{self.socket}", options=[("grpc.use_local_subchannel_pool", 1)])
        return self._channel

    def runtime(self):
        return api_pb2_grpc.RuntimeServiceStub(self.channel())

    def image(self):
        return api_pb2_grpc.ImageServiceStub(self.channel())

    def raw(self, method):
        """A callable that sends raw bytes to a method path and returns raw bytes."""
        return self.channel().unary_unary(method, request_serializer=lambda b: b,
                                          response_deserializer=lambda b: b)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def zygote_pid(self):
        try:
            return int((self.state / "zygote.pid").read_text())
        except (OSError, ValueError):
            return None

    def kill_zygote(self):
        """Ends the zygote this daemon left (it outlives the daemon by design) and its workers."""
        pid = self.zygote_pid()
        if pid is None:
            return
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        for _ in range(200):
            if not pathlib.Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.01)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signals the daemon and returns its exit status."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._log.close()


def left_mounts():
    """The mounts that stopped daemons left under their bases, as {base: [mount points]};
    they are unmounted (lazily) so the test's temp dir can go, and the daemons forgotten. A
    daemon still running (a module's) is checked after it stops."""
    left = {}
    for d in list(Daemon.made):
        if d.proc is not None and d.proc.poll() is None:
            continue
        Daemon.made.remove(d)
        points = mounts_under(d.base)
        for point in points:
            subprocess.run(["umount", "--lazy", point], check=False)
        if points:
            left[str(d.base)] = points
    return left
