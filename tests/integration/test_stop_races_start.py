"""Stops and removals racing a start (checked in whatever order the two meet), and a
host-network pod's removal held mid-way at a gate the test opens (open_gate.py). A kubelet must
never find a container it stopped still running, nor wait for a removal to answer its other
rpcs."""
import glob

import grpc
import pytest

import runtime_images
from open_gate import OpenGate
from rt_helpers import create, ctr_config, pod_config, run_pod
from wasmcri_harness import mounts_under, pb

ROUNDS = 40


@pytest.fixture
def d(new_daemon, runtime_registry):
    reg, refs = runtime_registry
    daemon = new_daemon(config=runtime_images.daemon_config(reg)).start()
    runtime_images.pull_all(daemon, {"probe": refs["probe"]})
    daemon.probe = refs["probe"]
    return daemon


def workers(d):
    """The zygote's children that run a guest (not its spare, named once it is forked)."""
    zygote = d.zygote_pid()
    names = [open(f"/proc/{p}/comm").read().strip()
             for p in open(f"/proc/{zygote}/task/{zygote}/children").read().split()]
    return [n for n in names if n == "wasmcri-worker"]


def cgroups_of(cid):
    """The container's own cgroups (cgroup v1 hierarchies or v2)."""
    return glob.glob(f"/sys/fs/cgroup/*/wasmcri/{cid}") + glob.glob(f"/sys/fs/cgroup/wasmcri/{cid}")


REFUSED = ("was stopped before it started", "is being stopped or removed", "not found")


@pytest.mark.parametrize("how", ["StopContainer", "RemovePodSandbox"])
def test_a_stop_racing_a_start_leaves_nothing_running(d, tmp_path, how):
    """Before: a stop that came while the container's start was in flight asked the zygote to
    kill a worker it did not have yet, then waited 10 s for an exit that never came while the
    start ran the worker ("did not stop within 10000 ms"); and a stop handled before the start
    it overtook (the kubelet sent the start first) found nothing to stop, then the start ran
    the container. Either way it kept running. Now a stop waits for a start in flight and ends
    what it started, and a container stopped before it started never starts. The stop goes
    first (it runs on a handler thread, the start on the queue thread), so the two meet in
    every order the machine gives; whatever the order, each stop succeeds and nothing of the
    container runs after it."""
    rt = d.runtime()
    outcomes = set()
    for i in range(ROUNDS):
        pid = run_pod(rt, pod_config(f"race{i}", tmp_path / "logs"))
        cid = create(rt, pid, ctr_config(f"race{i}", d.probe, args=["sleep", "600"],
                                         memory=64 << 20))  # its own cgroup, to see it go
        if how == "StopContainer":
            stop = rt.StopContainer.future(pb.StopContainerRequest(container_id=cid, timeout=0),
                                           timeout=120)
        else:
            stop = rt.RemovePodSandbox.future(pb.RemovePodSandboxRequest(pod_sandbox_id=pid),
                                              timeout=120)
        start = rt.StartContainer.future(pb.StartContainerRequest(container_id=cid), timeout=120)
        try:
            stop.result()
        except grpc.RpcError as e:
            pytest.fail(f"round {i}: {how} failed: {e.code()} {e.details()}")
        try:
            start.result()
            outcomes.add("started")
        except grpc.RpcError as e:
            assert any(r in e.details() for r in REFUSED), e.details()
            outcomes.add("refused")
        if how == "StopContainer":
            st = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status
            assert st.state != pb.CONTAINER_RUNNING, f"round {i}: running after its stop"
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert list(rt.ListContainers(pb.ListContainersRequest()).containers) == []
        assert workers(d) == [], f"round {i}"
        assert cgroups_of(cid) == [], f"round {i}"
    assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert mounts_under(d.base) == []
    print(f"{how}: {ROUNDS} rounds, the start {' and '.join(sorted(outcomes))}")


def test_other_rpcs_are_answered_while_a_host_network_pod_is_removed(d, tmp_path):
    """Before: a host-network pod's RemovePodSandbox ran on the completion-queue thread, and
    every other rpc waited for it (its containers' stops, up to 10 s each). Held at the gate on
    its pod directory, it must not hold Version or the image service."""
    rt = d.runtime()
    pid = run_pod(rt, pod_config("held-removal", tmp_path / "logs"))
    with OpenGate(d.state / "pods" / pid, d.proc.pid) as gate:
        removed = rt.RemovePodSandbox.future(pb.RemovePodSandboxRequest(pod_sandbox_id=pid),
                                             timeout=120)
        assert gate.wait_for_open(timeout=60), "the removal never deleted the pod directory"
        try:
            rt.Version(pb.VersionRequest(), timeout=30)
            d.image().ListImages(pb.ListImagesRequest(), timeout=30)
        except grpc.RpcError as e:
            pytest.fail(f"an rpc waited for the held removal: {e.code()} {e.details()}")
        assert not removed.done()  # still held: nothing above waited for it
    removed.result()
    assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert not (d.state / "pods" / pid).exists()
