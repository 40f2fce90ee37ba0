"""Density (issue 18): a node with thousands of idle containers. The zygote's list of its
workers, which a daemon asks for at every (re)connection, is over one zygote packet past
~2,000 workers; it comes in parts, so a daemon restarted (kill -9) under 2,100 running
containers finds every one of them still RUNNING and its zygote still serving."""
import signal
import time

import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start
from wasmcri_harness import Daemon, pb

PODS, PER_POD = 21, 100  # 2,100 workers: their list is ~210 KB, one packet holds 192 KiB


@pytest.fixture
def dense(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg)).start()
    runtime_images.pull_all(d, {"probe": refs["probe"]})
    d.refs = refs
    yield d
    if d.proc and d.proc.poll() is None:
        rt = d.runtime()
        for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=60).items:
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id), timeout=120)
    d.stop()
    d.kill_zygote()


def zygote_workers(d):
    z = d.zygote_pid()
    kids = open(f"/proc/{z}/task/{z}/children").read().split()
    names = []
    for k in kids:
        try:
            names.append(open(f"/proc/{k}/comm").read().strip())
        except OSError:
            pass
    return sum(1 for n in names if n != "wasmcri-spare")


def test_restart_with_2100_running_containers_keeps_them(dense, tmp_path):
    r = dense.runtime()
    t = time.monotonic()
    ids = []
    for p in range(PODS):
        pod = run_pod(r, pod_config(f"dense-{p}", tmp_path / "logs" / str(p)))
        for c in range(PER_POD):
            cid = create(r, pod, ctr_config(f"c{c}", dense.refs["probe"],
                                            args=["sleep", "1000000"]))
            start(r, cid)
            ids.append(cid)
    print(f"{len(ids)} containers started in {time.monotonic() - t:.1f} s")
    assert zygote_workers(dense) == len(ids)
    zygote = dense.zygote_pid()
    dense.stop(sig=signal.SIGKILL)
    dense.start(timeout=60)  # 2,100 records and workers to take up (slow under ASan)
    r = dense.runtime()
    assert dense.zygote_pid() == zygote
    conds = {c.type: c.status for c in r.Status(pb.StatusRequest(), timeout=30).status.conditions}
    assert conds["RuntimeReady"], "the restarted daemon has no zygote"
    listed = r.ListContainers(pb.ListContainersRequest(), timeout=60).containers
    states = {c.id: c.state for c in listed}
    assert len(states) == len(ids)
    lost = [i for i in ids if states.get(i) != pb.CONTAINER_RUNNING]
    assert not lost, f"{len(lost)} containers not RUNNING after the restart, e.g. {lost[0]}"
    assert zygote_workers(dense) == len(ids)
