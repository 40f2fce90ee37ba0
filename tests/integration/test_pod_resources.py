"""UpdatePodSandboxResources (in-place pod resize, issue 17 item 3): the pod's new total and
overhead reach the pod's cgroup (kubelet's cgroup_parent, made here as kubelet makes it with
the cgroupfs driver), are kept in the record (verbose PodSandboxStatus) across a daemon
restart, and bad requests fail clearly."""
import json
import os
import time

import grpc
import pytest

from rt_helpers import pod_config, run_pod
from wasmcri_harness import pb

V1 = os.path.isdir("/sys/fs/cgroup/memory")


@pytest.fixture
def pod_group():
    """A pod cgroup as kubelet makes it: (cgroup_parent, [its directories])."""
    name = "wasmcri-podres-%d-%d" % (os.getpid(), time.monotonic_ns() % 100000)
    made = [f"/sys/fs/cgroup/{h}/{name}/pod" for h in ("memory", "cpu")] if V1 else \
        [f"/sys/fs/cgroup/{name}/pod"]
    if not V1:
        with open("/sys/fs/cgroup/cgroup.subtree_control") as f:
            assert "memory" in f.read(), "cgroup v2 without the memory controller delegated"
    for d in made:
        os.makedirs(d)
        if not V1:
            with open(os.path.join(os.path.dirname(d), "cgroup.subtree_control"), "w") as f:
                f.write("+memory +cpu")
    yield f"/{name}/pod", made
    for d in made:
        for path in (os.path.join(d, "wasmcri"), d, os.path.dirname(d)):
            try:
                os.rmdir(path)
            except FileNotFoundError:
                pass


def read(group_dirs, v1_file, v2_file):
    if V1:
        hierarchy = "memory" if v1_file.startswith("memory") else "cpu"
        d = next(d for d in group_dirs if f"/{hierarchy}/" in d)
        return open(os.path.join(d, v1_file)).read().strip()
    return open(os.path.join(group_dirs[0], v2_file)).read().strip()


def update(rt, pid, memory, quota, shares, overhead_memory=0):
    rt.UpdatePodSandboxResources(pb.UpdatePodSandboxResourcesRequest(
        pod_sandbox_id=pid,
        resources=pb.LinuxContainerResources(memory_limit_in_bytes=memory, cpu_quota=quota,
                                              cpu_period=100000, cpu_shares=shares),
        overhead=pb.LinuxContainerResources(memory_limit_in_bytes=overhead_memory)))


def pod_info(rt, pid):
    r = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid, verbose=True))
    return json.loads(r.info["info"])


def test_resize_reaches_the_pod_cgroup_and_the_record(new_daemon, tmp_path, pod_group):
    parent, dirs = pod_group
    d = new_daemon().start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("resize", tmp_path, cgroup_parent=parent))
    update(rt, pid, 64 << 20, 50000, 512, overhead_memory=8 << 20)
    assert int(read(dirs, "memory.limit_in_bytes", "memory.max")) == 72 << 20
    if V1:
        assert read(dirs, "cpu.cfs_quota_us", "") == "50000"
        assert read(dirs, "cpu.shares", "") == "512"
    else:
        assert read(dirs, "", "cpu.max") == "50000 100000"
    # growing it again (a resize up) moves the group too
    update(rt, pid, 128 << 20, 100000, 1024)
    assert int(read(dirs, "memory.limit_in_bytes", "memory.max")) == 128 << 20
    info = pod_info(rt, pid)
    assert info["resources"] == {"cpu_period": 100000, "cpu_quota": 100000, "cpu_shares": 1024,
                                 "memory_limit_in_bytes": 128 << 20}
    assert info["overhead"]["memory_limit_in_bytes"] == 0
    d.stop()
    d.start()
    assert pod_info(d.runtime(), pid)["resources"]["memory_limit_in_bytes"] == 128 << 20
    d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_resize_of_a_pod_without_cgroup_parent_is_kept(daemon, tmp_path):
    rt = daemon.runtime()
    pid = run_pod(rt, pod_config("resize-nocg", tmp_path))
    update(rt, pid, 32 << 20, 0, 2)
    assert pod_info(rt, pid)["resources"]["memory_limit_in_bytes"] == 32 << 20
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_resize_of_an_unknown_pod_is_not_found(daemon):
    with pytest.raises(grpc.RpcError) as e:
        update(daemon.runtime(), "f" * 64, 1 << 20, 0, 0)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_resize_with_a_negative_limit_is_invalid(daemon, tmp_path):
    rt = daemon.runtime()
    pid = run_pod(rt, pod_config("resize-neg", tmp_path))
    with pytest.raises(grpc.RpcError) as e:
        update(rt, pid, -5, 0, 0)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "memory_limit_in_bytes -5" in e.value.details()
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
