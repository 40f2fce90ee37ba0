"""ExecSync against a hostile container (issue 11, escape 2): the module an exec runs is the
file resolved in the container's view, opened once by the daemon and handed to the zygote as a
descriptor; no link leads out of the view, no FIFO blocks the daemon or the zygote, and what an
exec says names the guest's paths, not the host's."""
import os
import shutil
import threading
import time

import grpc
import pytest

from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from runtime_images import HOSTMARK
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("escape", tmp_path_factory.mktemp("logs")))


def running(rt, pod, name, args, **kw):
    r = rt.runtime()
    cid = create(r, pod, ctr_config(name, rt.refs["probe"], args=list(args), **kw))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def exec_sync(rt, cid, cmd, timeout=10):
    return rt.runtime().ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=cmd), timeout=timeout)


def climbing(host_path):
    """A relative link target that climbs out of any container root to host_path."""
    return "../" * 40 + str(host_path).lstrip("/")


def release_fifo(path):
    """Opens the FIFO for writing, which frees a reader stuck in open (the pre-fix zygote or
    daemon), so a failing test does not leave a process hung for the next ones."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


def test_exec_never_runs_a_host_module_through_a_swapped_symlink(rt, pod, tmp_path):
    host = tmp_path / "host.wasm"
    shutil.copy(HOSTMARK, host)
    cid = running(rt, pod, "swapper", ["swap", "/data/x.wasm", climbing(host), "/bin/probe.wasm",
                                       "60"])
    outcomes = {"guest": 0, "refused": 0}
    deadline = time.monotonic() + 20
    runs = 0
    while runs < 1500 and time.monotonic() < deadline:
        res = exec_sync(rt, cid, ["/data/x.wasm", "hello"])
        runs += 1
        assert b"HOST MODULE" not in res.stdout, f"exec {runs} ran the host's module"
        if res.exit_code == 0:
            assert res.stdout == b"hello from wasm\n"
            outcomes["guest"] += 1
        else:
            assert res.exit_code == 126, (res.exit_code, res.stderr)
            outcomes["refused"] += 1
    # the race was really run: both shapes of the file were met
    assert outcomes["guest"] > 0 and outcomes["refused"] > 0, outcomes


def test_exec_through_a_link_to_a_host_fifo_does_not_hang_the_zygote(rt, pod, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    try:
        cid = running(rt, pod, "fifo-swapper", ["swap", "/data/f.wasm", climbing(fifo),
                                                "/bin/probe.wasm", "60"])
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            res = exec_sync(rt, cid, ["/data/f.wasm", "hello"])
            assert res.exit_code in (0, 126), (res.exit_code, res.stderr)
        r = rt.runtime()
        other = create(r, pod, ctr_config("after-fifo", rt.refs["probe"], args=["hello"]))
        r.StartContainer(pb.StartContainerRequest(container_id=other), timeout=10)
        assert wait_state(r, other, pb.CONTAINER_EXITED).exit_code == 0
    finally:
        release_fifo(fifo)


def test_exec_of_a_fifo_in_a_mount_fails_at_once(rt, pod, tmp_path):
    (tmp_path / "m").mkdir()
    fifo = tmp_path / "m" / "pipe.wasm"
    os.mkfifo(fifo)
    try:
        cid = running(rt, pod, "fifo-mount", ["sleep", "60"], mounts=[("/m", str(tmp_path / "m"),
                                                                      True)])
        res = exec_sync(rt, cid, ["/m/pipe.wasm"])  # one held on the fifo fails at its deadline
        assert res.exit_code == 126
        assert b"/m/pipe.wasm is not a regular file" in res.stderr
    finally:
        release_fifo(fifo)


def test_exec_error_names_the_guest_path_not_the_host_rootfs(rt, pod):
    cid = running(rt, pod, "guest-path", ["sleep", "60"])
    res = exec_sync(rt, cid, ["/data/hello.txt"])
    assert res.exit_code == 126
    assert b"/data/hello.txt is not a WebAssembly module" in res.stderr
    assert str(rt.root).encode() not in res.stderr, res.stderr


def test_no_worker_exit_is_lost_when_workers_end_together(rt, pod):
    """The zygote drains its SIGCHLD signalfd before it reaps: a worker that ended between
    the last waitpid and the drain used to stay a zombie, its exit never reported, and its
    ExecSync waited forever. Containers that rewrite files in a loop keep the CPUs and the
    file system busy, so that the zygote is often preempted inside that window."""
    cid = running(rt, pod, "many-execs", ["sleep", "600"])  # outlives 600 execs under ASan
    for i in range(2):
        running(rt, pod, f"busy{i}", ["swap", "/data/busy", "x", "/bin/probe.wasm", "30"])
    failures = []

    def worker():
        for _ in range(100):
            try:
                res = exec_sync(rt, cid, ["/bin/probe.wasm", "exit", "3"], timeout=10)
                if res.exit_code != 3:
                    failures.append(res.exit_code)
            except grpc.RpcError as e:
                failures.append(e.code())
                return

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
