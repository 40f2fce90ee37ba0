"""The daemon under systemd: the notify protocol on a NOTIFY_SOCKET the test binds (READY=1,
STATUS=, STOPPING=1, the watchdog's WATCHDOG=1 at the interval WATCHDOG_USEC asks for), the
pings stopping while the serving loop (the gRPC completion-queue thread) is stuck, the
restart systemd then makes keeping running containers, and hack/systemd/wasmcri.service
passing `systemd-analyze verify`.

The serving loop is stuck for real, with no hook in the daemon: the test ptrace-interrupts
the one thread named cri-queue-0 (PTRACE_SEIZE + PTRACE_INTERRUPT stop that thread alone,
where SIGSTOP would stop the whole process, and with it any timer thread that might ping).
"""
import contextlib
import ctypes
import json
import os
import pathlib
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, status
from wasmcri_harness import BINARY, TOP, Daemon, pb

UNIT = TOP / "hack" / "systemd" / "wasmcri.service"
WATCHDOG_USEC = 1_000_000  # pings every 0.5 s

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


class Notify:
    """A unix datagram socket standing in for systemd's NOTIFY_SOCKET. A thread reads it all
    the time, as systemd does: a sender blocks once 10 datagrams wait (net.unix.max_dgram_qlen)."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages = []  # (arrival time, [lines])
        self.cv = threading.Condition()
        self.closed = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while not self.closed:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cv:
                self.messages.append((time.monotonic(), data.decode().split("\n")))
                self.cv.notify_all()

    def env(self, watchdog_usec=None):
        env = dict(os.environ, NOTIFY_SOCKET=self.path)
        if watchdog_usec:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        return env

    def wait_for(self, line, timeout=15):
        """Waits for a message holding line; returns the messages up to it and drops them."""
        with self.cv:
            found = self.cv.wait_for(
                lambda: any(line in m for _, m in self.messages), timeout=timeout)
            assert found, f"no {line} within {timeout}s: {self.messages}"
            n = next(i for i, (_, m) in enumerate(self.messages) if line in m) + 1
            got, self.messages = self.messages[:n], self.messages[n:]
            return [m for _, m in got]

    def pings(self, seconds):
        """Arrival times of WATCHDOG=1 during the next `seconds` (earlier ones dropped)."""
        with self.cv:
            self.messages.clear()
        time.sleep(seconds)
        with self.cv:
            got, self.messages = self.messages, []
        return [t for t, m in got if "WATCHDOG=1" in m]

    def close(self):
        self.closed = True
        self.reader.join()
        self.sock.close()


@pytest.fixture
def notify(tmp_path):
    n = Notify(tmp_path / "notify.sock")
    yield n
    n.close()


def queue_thread(pid):
    tids = [t.name for t in pathlib.Path(f"/proc/{pid}/task").iterdir()
            if (t / "comm").read_text().strip() == "cri-queue-0"]
    assert len(tids) == 1, f"threads named cri-queue-0 in {pid}: {tids}"
    return int(tids[0])


def thread_state(tid):
    return pathlib.Path(f"/proc/{tid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@contextlib.contextmanager
def stuck(tid):
    """Stops thread tid alone (a ptrace interrupt) until the block ends; if the process was
    killed meanwhile, reaps the dead thread (its tracer must)."""
    if _libc.ptrace(PTRACE_SEIZE, tid, None, None) != 0:
        raise OSError(ctypes.get_errno(), "PTRACE_SEIZE")
    try:
        if _libc.ptrace(PTRACE_INTERRUPT, tid, None, None) != 0:
            raise OSError(ctypes.get_errno(), "PTRACE_INTERRUPT")
        os.waitpid(tid, WALL)  # the thread is in its ptrace stop
        assert thread_state(tid) == "t"
        yield
    finally:
        if _libc.ptrace(PTRACE_DETACH, tid, None, None) != 0:
            os.waitpid(tid, WALL)  # it died stopped (the process was killed): reap it


@contextlib.contextmanager
def no_core_dumps():
    """SIGABRT (systemd's WatchdogSignal) would leave a core file in the daemon's cwd."""
    old = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, old)


def test_ready_status_and_stopping_are_notified(new_daemon, notify):
    d = new_daemon(env=notify.env()).start()
    *steps, ready = notify.wait_for("READY=1")
    assert steps and all(m[0].startswith("STATUS=") for m in steps), steps
    assert f"STATUS=serving on {d.socket}" in ready
    assert d.stop() == 0
    notify.wait_for("STOPPING=1")


def test_watchdog_pings_come_at_half_the_interval_watchdog_usec_asks_for(new_daemon, notify):
    d = new_daemon(env=notify.env(WATCHDOG_USEC)).start()
    notify.wait_for("READY=1")
    times = notify.pings(4.0)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # every 0.5 s: 7 or 8 in 4 s; never a gap that would let systemd's 1 s timer expire
    assert len(times) >= 6, times
    assert max(gaps) < WATCHDOG_USEC / 1e6, gaps
    assert sorted(gaps)[len(gaps) // 2] == pytest.approx(0.5, abs=0.1), gaps
    assert d.stop() == 0


def test_no_watchdog_pings_without_watchdog_usec(new_daemon, notify):
    d = new_daemon(env=notify.env()).start()
    notify.wait_for("READY=1")
    assert notify.pings(1.5) == []
    assert d.stop() == 0


def test_watchdog_pings_stop_while_the_serving_loop_is_stuck(new_daemon, notify):
    d = new_daemon(env=notify.env(WATCHDOG_USEC)).start()
    notify.wait_for("READY=1")
    assert len(notify.pings(1.2)) >= 2
    tid = queue_thread(d.proc.pid)
    with stuck(tid):
        time.sleep(0.2)  # a ping sent just before the stop reaches the reader first
        assert notify.pings(2.5) == [], "pings went on while the queue thread was stopped"
        with pytest.raises(grpc.RpcError) as e:  # nothing is served meanwhile
            d.runtime().Version(pb.VersionRequest(), timeout=0.5)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert d.proc.poll() is None and thread_state(d.proc.pid) != "T"
    assert len(notify.pings(1.5)) >= 2, "pings did not resume once the loop ran again"
    assert d.runtime().Version(pb.VersionRequest(), timeout=5).runtime_name == "wasmcri"
    assert d.stop() == 0


def test_a_watchdog_restart_keeps_running_containers(runtime_registry, notify, tmp_path):
    """What systemd does when the pings stop (WatchdogSignal=SIGABRT to the main process
    only, KillMode=process; then Restart=): the new daemon finds the container running."""
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg),
               env=notify.env(WATCHDOG_USEC))
    try:
        with no_core_dumps():
            d.start()
        runtime_images.pull_all(d, refs)
        r = d.runtime()
        pod = run_pod(r, pod_config("wd", tmp_path / "logs"))
        cid = create(r, pod, ctr_config("long", refs["probe"], args=["sleep", "60"]))
        start(r, cid)
        worker = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(
            container_id=cid, verbose=True)).info["info"])["pid"]
        zygote = d.zygote_pid()
        with stuck(queue_thread(d.proc.pid)):
            time.sleep(0.2)
            assert notify.pings(1.5) == []
            d.proc.send_signal(signal.SIGABRT)
        # (the stopped thread is reaped by stuck() first: a traced thread's exit holds its
        # process's until its tracer waits for it)
        assert d.proc.wait(timeout=10) == -signal.SIGABRT
        os.kill(worker, 0)
        os.kill(zygote, 0)
        d.start()
        r = d.runtime()
        st = status(r, cid)
        assert st.state == pb.CONTAINER_RUNNING
        assert d.zygote_pid() == zygote
        assert r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["/bin/probe.wasm", "exit", "3"]),
                          timeout=20).exit_code == 3
        notify.wait_for("READY=1")
        assert len(notify.pings(1.5)) >= 2
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
    finally:
        d.stop()
        d.kill_zygote()


def unit_settings():
    settings = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            settings.setdefault(k.strip(), v.strip())
    return settings


def test_the_unit_asks_for_notify_watchdog_and_containerd_s_limits():
    s = unit_settings()
    assert s["Type"] == "notify"
    assert s["WatchdogSec"].endswith("s") and int(s["WatchdogSec"][:-1]) >= 60
    assert s["Restart"] == "always"
    assert (s["KillMode"], s["Delegate"]) == ("process", "yes")
    assert (s["LimitNOFILE"], s["LimitNPROC"], s["LimitCORE"], s["TasksMax"]) == (
        "1048576", "infinity", "infinity", "infinity")
    assert s["OOMScoreAdjust"] == "-999"


def test_systemd_analyze_verifies_the_unit(tmp_path):
    """The unit as shipped, in a root where its ExecStart exists (verify checks it does)."""
    root = tmp_path / "root"
    exec_start = pathlib.Path(unit_settings()["ExecStart"].split()[0])
    (root / exec_start.parent.relative_to("/")).mkdir(parents=True)
    shutil.copy(BINARY, root / exec_start.relative_to("/"))
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    shutil.copy(UNIT, units / UNIT.name)
    out = subprocess.run(["systemd-analyze", "verify", f"--root={root}", str(units / UNIT.name)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout + out.stderr == ""
