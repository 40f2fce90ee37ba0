"""Regression tests for the lifecycle side of issue 11: what a kubelet trips on (stats of a
writable layer not made yet, stop/remove of what is gone, the container's user for every
kernel check), and input refused at the rpc that takes it (newlines in pod files, ".." in
mount paths)."""
import json
import os
import pathlib
import time

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    pid = run_pod(rt.runtime(), pod_config("harden", logs))
    rt.pod_logs = logs
    return pid


def test_stats_name_an_existing_writable_layer_before_the_first_write(rt, pod):
    """kubelet looks the mountpoint up: it must exist even before the layer is made."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config("noupper", rt.refs["probe"], args=["sleep", "30"]))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_RUNNING)
    assert not (rt.root / "containers" / cid / "upper").exists()  # no write yet
    for stats in (r.ContainerStats(pb.ContainerStatsRequest(container_id=cid)).stats,
                  r.ListContainerStats(pb.ListContainerStatsRequest(
                      filter=pb.ContainerStatsFilter(id=cid))).stats[0]):
        mountpoint = stats.writable_layer.fs_id.mountpoint
        assert mountpoint and os.path.isdir(mountpoint), mountpoint
        assert os.stat(mountpoint).st_dev == os.stat(rt.root / "containers").st_dev
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))


def test_stop_and_remove_of_a_removed_pod_or_container_succeed(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("gone", tmp_path))
    cid = create(r, pid, ctr_config("gone", rt.refs["probe"], args=["sleep", "30"]))
    start(r, cid)
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=1))
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    for call, req in [(r.PodSandboxStatus, pb.PodSandboxStatusRequest(pod_sandbox_id=pid)),
                      (r.ContainerStatus, pb.ContainerStatusRequest(container_id=cid))]:
        with pytest.raises(grpc.RpcError) as e:
            call(req)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND


def proc_ids(pid, key):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return [int(v) for v in line.split()[1:]]
    raise AssertionError(f"no {key} in /proc/{pid}/status")


def test_run_as_user_sets_real_effective_saved_and_fs_ids(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("uid1000", rt.refs["probe"], args=["sleep", "30"],
                                    user=(1000, 2000), groups=[3000]))
    start(r, cid)
    st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
    assert st.status.state == pb.CONTAINER_RUNNING
    pid = json.loads(st.info["info"])["pid"]
    for _ in range(500):  # the worker takes its spec after StartContainer answers
        if proc_ids(pid, "Uid")[3] == 1000:  # the file uid: its set-up is done
            break
        time.sleep(0.01)
    assert proc_ids(pid, "Uid") == [1000] * 4
    assert proc_ids(pid, "Gid") == [2000] * 4
    assert 3000 in proc_ids(pid, "Groups")
    assert proc_ids(pid, "CapEff") == [0] and proc_ids(pid, "CapPrm") == [0]
    assert proc_ids(pid, "CapBnd") == [0]  # the zygote read its set once: all of it dropped
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))


@pytest.mark.parametrize("field,dns,hostname", [
    ("hostname", None, "evil\nnameserver 6.6.6.6"),
    ("dns_config.servers", pb.DNSConfig(servers=["1.1.1.1\nsearch evil"]), "h"),
    ("dns_config.searches", pb.DNSConfig(searches=["a.svc\noptions debug"]), "h"),
    ("dns_config.options", pb.DNSConfig(options=["ndots:5\nnameserver 6.6.6.6"]), "h"),
])
def test_newlines_in_pod_files_are_refused(rt, tmp_path, field, dns, hostname):
    r = rt.runtime()
    with pytest.raises(grpc.RpcError) as e:
        run_pod(r, pod_config("nl-" + field.replace(".", "-").replace("_", "-"), tmp_path,
                              dns=dns, hostname=hostname))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in e.value.details()
    assert not r.ListPodSandbox(pb.ListPodSandboxRequest()).items or all(
        not p.metadata.name.startswith("nl-")
        for p in r.ListPodSandbox(pb.ListPodSandboxRequest()).items)


@pytest.mark.parametrize("path", ["/data/../etc", "/..", "/a/..", "/../x"])
def test_dotdot_in_a_container_path_is_refused_at_create(rt, pod, tmp_path, path):
    r = rt.runtime()
    host = tmp_path / "never-made"
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("dotdot%d" % len(path), rt.refs["probe"],
                                  mounts=[(path, str(host), False)]))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert path in e.value.details() and ".." in e.value.details()
    assert not host.exists()


def test_dots_inside_names_are_fine(rt, pod, tmp_path):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("dots", rt.refs["probe"],
                                    mounts=[("/data/..x/a..b/.../", str(tmp_path), True)]))
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))


def test_snapshot_of_a_removed_image_goes_with_its_last_container(runtime_registry, new_daemon,
                                                                   tmp_path):
    reg, refs = runtime_registry
    d = new_daemon(config=runtime_images.daemon_config(reg)).start()
    ref = refs["probe-user"]
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)), timeout=60)
    info = json.loads(d.image().ImageStatus(pb.ImageStatusRequest(
        image=pb.ImageSpec(image=ref), verbose=True)).info["info"])
    snapshot = d.root / "snapshots" / info["chainID"].split(":")[1]
    assert snapshot.is_dir()
    r = d.runtime()
    pod = run_pod(r, pod_config("snap", tmp_path))
    a, b = (create(r, pod, ctr_config(n, ref, args=["exit", "0"])) for n in ("a", "b"))
    d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=ref)))
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=a))
    assert snapshot.is_dir()  # b still runs from it
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=b))
    assert not snapshot.exists()


def test_remove_takes_the_cgroup_a_cut_start_made_without_recording_it(rt, tmp_path):
    """kill -9 inside StartContainer, after the container's own cgroup was made and before
    its record named it: RemoveContainer looked for it elsewhere and left it."""
    v1 = os.path.isdir("/sys/fs/cgroup/memory")
    roots = ["/sys/fs/cgroup/" + h for h in ("memory", "cpu", "cpuacct")] if v1 \
        else ["/sys/fs/cgroup"]
    parent = "/wasmcri-cut-%d" % os.getpid()
    for root in roots:
        os.makedirs(root + parent + "/pod")
    try:
        r = rt.runtime()
        pod = run_pod(r, pod_config("cut", tmp_path, cgroup_parent=parent + "/pod"))
        cid = create(r, pod, ctr_config("cut", rt.refs["probe"], memory=64 << 20))
        own = [f"{root}{parent}/pod/wasmcri-{cid}" for root in roots]
        for d in own:  # what the start made before the kill (the create makes it now)
            os.makedirs(d, exist_ok=True)
        r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
        assert not [d for d in own if os.path.exists(d)]
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
    finally:
        for root in roots:
            for d, _, _ in sorted(os.walk(root + parent), key=lambda w: -len(w[0])):
                os.rmdir(d)  # what the test made, and what the daemon left if it failed
