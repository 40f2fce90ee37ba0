"""ExecSync (a fresh instance in the container's view), ReopenContainerLog, and
UpdateContainerResources against running wasm containers."""
import os
import time

import grpc
import pytest

from rt_helpers import (create, ctr_config, exec_sync, log_records, pod_config, run_pod, running,
                        start, status, stdout_text, wait_state)
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    rt.pod_logs = logs
    return run_pod(rt.runtime(), pod_config("exec", logs))


def test_exec_output_env_and_mounts(rt, pod, tmp_path):
    (tmp_path / "f.txt").write_text("mounted\n")
    cid = running(rt, pod, "exec1", env={"MINE": "1"}, mounts=[("/m", str(tmp_path), True)])
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "env", "MINE", "FROM_IMAGE", "--", "cat",
                              "/m/f.txt", "--", "hello"])
    assert res.exit_code == 0
    assert res.stdout == b"MINE=1\nFROM_IMAGE=yes\nmounted\nhello from wasm\n"
    assert res.stderr == b"hello on stderr\n"
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "exit", "7"])
    assert res.exit_code == 7
    assert status(rt.runtime(), cid).state == pb.CONTAINER_RUNNING


def test_exec_sees_the_containers_writable_layer(rt, pod):
    cid = running(rt, pod, "exec2", args=["write", "/data/new.txt", "layer", "--", "sleep", "60"])
    time.sleep(0.2)
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "cat", "/data/new.txt"])
    assert res.stdout == b"layer"


def test_exec_right_after_start_sees_the_rootfs(rt, pod):
    """The worker mounts the container's layer after StartContainer has answered; an
    exec sent at once waits for it instead of finding an empty rootfs."""
    r = rt.runtime()
    for i in range(5):
        cid = create(r, pod, ctr_config(f"early{i}", rt.refs["probe"], args=["sleep", "60"]))
        start(r, cid)
        res = exec_sync(rt, cid, ["/bin/probe.wasm", "cat", "/data/hello.txt"])
        assert (res.exit_code, res.stdout) == (0, b"image file\n")


def test_what_an_exec_writes_the_container_reads(rt, pod):
    """The exec makes the layer (the container had written nothing); the container,
    still on its read-only image view, sees the layer from its next file access."""
    cid = running(rt, pod, "exec-w", args=["await", "/data/from-exec", "--", "sleep", "60"])
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "write", "/data/from-exec", "hi"])
    assert (res.exit_code, res.stdout) == (0, b"wrote /data/from-exec\n")
    log = rt.pod_logs / "exec-w.log"
    deadline = time.monotonic() + 10
    while "sleeping" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stdout_text(log)[0].startswith("hi")  # the file's bytes (no newline), then "sleeping"


def test_exec_of_something_not_wasm_is_126(rt, pod):
    cid = running(rt, pod, "exec3")
    for cmd in (["/bin/no-applet", "-c", "id"], ["/data/hello.txt"], ["/no/such.wasm"]):
        res = exec_sync(rt, cid, cmd)
        assert res.exit_code == 126, cmd
        assert cmd[0].encode() in res.stderr and res.stdout == b""


def test_exec_timeout_ends_it(rt, pod):
    cid = running(rt, pod, "exec4")
    with pytest.raises(grpc.RpcError) as e:
        exec_sync(rt, cid, ["/bin/probe.wasm", "spin"], timeout=1)
    # the daemon's timeout ended it (the client's own deadline, 30 s, says "Deadline Exceeded")
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "timed out after 1 s" in e.value.details(), e.value.details()
    assert exec_sync(rt, cid, ["/bin/probe.wasm", "exit", "0"]).exit_code == 0


def test_exec_in_a_container_that_does_not_run(rt, pod):
    cid = create(rt.runtime(), pod, ctr_config("exec5", rt.refs["probe"]))
    with pytest.raises(grpc.RpcError) as e:
        exec_sync(rt, cid, ["/bin/probe.wasm", "hello"])
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize("user", [None, (1000, 1000)], ids=["root", "uid-1000"])
def test_reopen_log_after_rename(rt, pod, user):
    """The log is the node's: a container running as another user reopens it too."""
    r = rt.runtime()
    name = "reopen-%s" % (user[0] if user else "root")
    cid = running(rt, pod, name, args=["lines", "30"], user=user)
    log = rt.pod_logs / (name + ".log")
    time.sleep(0.5)
    os.rename(log, str(log) + ".1")
    r.ReopenContainerLog(pb.ReopenContainerLogRequest(container_id=cid))
    assert log.exists()
    wait_state(r, cid, pb.CONTAINER_EXITED, timeout=10)
    old = [t for _, _, t in log_records(rt.pod_logs / (name + ".log.1"))]
    new = [t for _, _, t in log_records(log)]
    assert old and new
    assert old + new == ["line %d" % i for i in range(1, 31)]


def test_reopen_log_of_an_exited_container_fails(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("reopen2", rt.refs["probe"]))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_EXITED)
    with pytest.raises(grpc.RpcError) as e:
        r.ReopenContainerLog(pb.ReopenContainerLogRequest(container_id=cid))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_update_resources_is_stored_and_caps_later_growth(rt, pod):
    r = rt.runtime()
    cid = running(rt, pod, "update", args=["sleep", "1", "--", "alloc", "200"])
    r.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(memory_limit_in_bytes=32 << 20,
                                                           cpu_shares=512)))
    st = wait_state(r, cid, pb.CONTAINER_EXITED, timeout=20)
    assert st.resources.linux.memory_limit_in_bytes == 32 << 20
    assert st.resources.linux.cpu_shares == 512
    assert (st.exit_code, st.reason) == (137, "OOMKilled")
