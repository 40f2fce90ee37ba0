"""The completion-queue thread (issue 18): every rpc is received and answered through one
gRPC completion-queue thread, so a handler run on it holds every other rpc. CreateContainer
and StartContainer wait for the zygote (a compile check, a worker) and ran there: at 10,000
containers a create held it up to 125 ms, and a zygote that stops answering held it for the
zygote's whole request timeout (30 s), during which kubelet's polls got no answer. They now
run on handler threads: with the zygote stopped (SIGSTOP), a create and a start wait for it
while Version, ListContainers and ContainerStatus are answered, and both complete once it
runs again."""
import os
import signal
import time

import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, wait_state
from wasmcri_harness import pb


@pytest.fixture
def d(runtime_registry, new_daemon):
    reg, refs = runtime_registry
    d = new_daemon(config=runtime_images.daemon_config(reg)).start()
    runtime_images.pull_all(d, {"probe": refs["probe"]})
    d.refs = refs
    return d


def listed(rt, name):
    return [c for c in rt.ListContainers(pb.ListContainersRequest(), timeout=20).containers
            if c.metadata.name == name]


def test_create_and_start_waiting_for_the_zygote_do_not_hold_other_rpcs(d, tmp_path):
    rt = d.runtime()
    pod = run_pod(rt, pod_config("held", tmp_path / "logs"))
    ready = create(rt, pod, ctr_config("ready", d.refs["probe"], args=("sleep", "60")))
    zygote = d.zygote_pid()
    os.kill(zygote, signal.SIGSTOP)
    try:
        started = rt.StartContainer.future(pb.StartContainerRequest(container_id=ready),
                                           timeout=120)
        created = rt.CreateContainer.future(
            pb.CreateContainerRequest(pod_sandbox_id=pod,
                                      config=ctr_config("late", d.refs["probe"])), timeout=120)
        # The create's record is there before it asks the zygote to check the module: once
        # it is listed, the create waits for the stopped zygote (and the list was answered).
        for _ in range(2000):
            if listed(rt, "late"):
                break
            time.sleep(0.01)
        assert listed(rt, "late"), "the create never made its record"
        assert rt.Version(pb.VersionRequest(), timeout=20).runtime_name == "wasmcri"
        status = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=ready), timeout=20)
        assert status.status.state == pb.CONTAINER_CREATED
        assert not created.done() and not started.done()  # still with the stopped zygote
    finally:
        os.kill(zygote, signal.SIGCONT)
    started.result()
    late = created.result().container_id
    assert wait_state(rt, ready, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    assert [c.id for c in listed(rt, "late")] == [late]
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=120)
