"""The worker CreateContainer makes (runc's create, issue 14: a cached start in 1 ms): after the
create a process waits in the container's cgroup, its set-up done; StartContainer wakes it. A
container stopped before its start leaves no process, new limits given between the two are the
start's, and a daemon restarted between the two takes the made worker over from the zygote, and a start whose
worker is gone (a zygote killed) makes it as before."""
import os

import pytest

from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from test_exec_path import wait_for, worker_pid, zygote_children
from test_stop_races_start import cgroups_of, d  # noqa: F401 (d: the fixture)
from test_zygote_resilience import wait_ready
from wasmcri_harness import pb


def made(d):
    """The zygote's workers made at create, waiting for their start."""
    return zygote_children(d, "wasmcri-ready")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def memory_limit(cid):
    """The container's own memory cgroup's limit (cgroup v1 or v2)."""
    for path in (f"/sys/fs/cgroup/memory/wasmcri/{cid}/memory.limit_in_bytes",
                 f"/sys/fs/cgroup/wasmcri/{cid}/memory.max"):
        if os.path.exists(path):
            return int(open(path).read())
    raise AssertionError(f"container {cid} has no memory cgroup")


def log_lines(path):
    return [line.split(" ", 3)[3] for line in path.read_text().splitlines()] if path.exists() else []


def test_create_makes_the_worker_and_start_wakes_it(d, tmp_path):
    """Before: the start forked nothing (a spare waited) but did all of a worker's set-up on
    its path. Now the created container's process is there after CreateContainer, in its cgroup
    (a memory limit gives it one of its own), and it is the one StartContainer runs."""
    rt = d.runtime()
    pod = run_pod(rt, pod_config("made", tmp_path / "logs"))
    cid = create(rt, pod, ctr_config("made", d.probe, args=["args", "from the made worker"],
                                     memory=64 << 20))
    assert wait_for(lambda: len(made(d)) == 1), "no worker made at create"
    (pid,) = made(d)
    assert rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status.state == \
        pb.CONTAINER_CREATED
    groups = open(f"/proc/{pid}/cgroup").read()
    assert f"/wasmcri/{cid}" in groups, groups
    assert log_lines(tmp_path / "logs" / "made.log") == []  # no guest ran yet
    start(rt, cid)
    assert worker_pid(d, cid) == pid
    assert wait_state(rt, cid, pb.CONTAINER_EXITED).exit_code == 0
    assert log_lines(tmp_path / "logs" / "made.log") == ["/bin/probe.wasm", "args", "from the made worker"]


@pytest.mark.parametrize("how", ["StopContainer", "RemoveContainer", "RemovePodSandbox"])
def test_a_container_never_started_leaves_no_worker(d, tmp_path, how):
    """A created container that is stopped or removed, alone or with its pod, before any start
    takes its worker with it, and its cgroup goes (a process in it would keep it)."""
    rt = d.runtime()
    pod = run_pod(rt, pod_config("never", tmp_path / "logs"))
    cid = create(rt, pod, ctr_config("never", d.probe, args=["sleep", "60"], memory=64 << 20))
    assert wait_for(lambda: len(made(d)) == 1), "no worker made at create"
    (pid,) = made(d)
    if how == "StopContainer":
        rt.StopContainer(pb.StopContainerRequest(container_id=cid))
    elif how == "RemoveContainer":
        rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    else:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
    assert wait_for(lambda: not alive(pid)), "the created worker outlived its container's stop"
    if how != "StopContainer":
        assert cgroups_of(cid) == []


def test_limits_given_between_create_and_start_are_the_starts(d, tmp_path):
    """The worker made at create joined the cgroup of the limits then; new ones given before the
    start make the start do every step (the old worker killed), with the new limits."""
    rt = d.runtime()
    pod = run_pod(rt, pod_config("limits", tmp_path / "logs"))
    cid = create(rt, pod, ctr_config("limits", d.probe, args=["sleep", "60"], memory=64 << 20))
    assert wait_for(lambda: len(made(d)) == 1), "no worker made at create"
    (old,) = made(d)
    rt.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(memory_limit_in_bytes=96 << 20)))
    start(rt, cid)
    assert wait_state(rt, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    assert worker_pid(d, cid) != old
    assert wait_for(lambda: not alive(old)), "the worker made with the old limits still runs"
    assert memory_limit(cid) == (96 << 20) + (16 << 20)  # the worker's overhead: resources.c


def test_a_daemon_restarted_between_create_and_start_keeps_the_made_worker(d, tmp_path):
    """The zygote lists the workers it made at create to a daemon that attaches (kind
    "created"): the restarted daemon's start takes the one of its created container. (A running
    container keeps the zygote: with none, it ends with the daemon, and its made workers.)"""
    rt = d.runtime()
    pod = run_pod(rt, pod_config("kept", tmp_path / "logs"))
    start(rt, create(rt, pod, ctr_config("runs", d.probe, args=["sleep", "60"])))
    cid = create(rt, pod, ctr_config("kept", d.probe, args=["args", "after a restart"]))
    assert wait_for(lambda: len(made(d)) == 1), "no worker made at create"
    (pid,) = made(d)
    d.stop()
    d.start()
    rt = d.runtime()
    start(rt, cid)
    assert worker_pid(d, cid) == pid
    assert wait_state(rt, cid, pb.CONTAINER_EXITED).exit_code == 0
    assert log_lines(tmp_path / "logs" / "kept.log") == ["/bin/probe.wasm", "args",
                                                         "after a restart"]


def test_a_start_after_the_zygote_died_makes_its_worker(d, tmp_path):
    """A zygote killed took its made workers with it (they die with it): the start finds none
    and does every step, as a start did before workers were made at create."""
    rt = d.runtime()
    pod = run_pod(rt, pod_config("gone", tmp_path / "logs"))
    cid = create(rt, pod, ctr_config("gone", d.probe, args=["args", "started anyway"]))
    assert wait_for(lambda: len(made(d)) == 1), "no worker made at create"
    zygote = d.zygote_pid()
    d.kill_zygote()
    assert wait_for(lambda: d.zygote_pid() not in (None, zygote), timeout=20)
    assert wait_ready(d, True).status, "no zygote after the kill"
    start(rt, cid)
    assert wait_state(rt, cid, pb.CONTAINER_EXITED).exit_code == 0
    assert log_lines(tmp_path / "logs" / "gone.log") == ["/bin/probe.wasm", "args",
                                                         "started anyway"]
