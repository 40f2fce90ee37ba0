"""What an exec probe's ExecSync waits for (issue 12's 1 ms): its result comes from the worker
as soon as the guest has ended, not from the zygote after it has reaped the worker."""
import json
import os
import re
import signal
import threading
import time

import pytest

import runtime_images
from rt_helpers import (create, ctr_config, exec_sync, pod_config, run_pod, running, start,
                        wait_state)
from test_module_cache import asan_build
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("exec-path", tmp_path_factory.mktemp("logs")))


def zygote_children(rt, comm):
    z = rt.zygote_pid()
    found = set()
    for c in open(f"/proc/{z}/task/{z}/children").read().split():
        try:
            if open(f"/proc/{c}/comm").read().strip() == comm:
                found.add(int(c))
        except OSError:  # it ended between the two reads
            pass
    return found


def worker_pid(rt, cid):
    info = rt.runtime().ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
    return json.loads(info.info["info"])["pid"]


def test_execsync_result_waited_for_the_zygote_to_reap_the_worker(rt, pod):
    """The exit code came only as the zygote's exit event, after the worker's address space was
    torn down and the zygote had reaped it: with the zygote busy (here: stopped) an ExecSync
    whose guest had ended did not answer. Now the worker writes its result to the daemon's
    status pipe as soon as the guest has ended."""
    cid = running(rt, pod, "result")
    before = zygote_children(rt, "wasmcri-worker") | {worker_pid(rt, cid)}
    got = {}

    def call():
        got["res"] = rt.runtime().ExecSync(pb.ExecSyncRequest(
            container_id=cid, cmd=["sh", "-c", "sleep 1; echo done; exit 3"], timeout=20),
            timeout=20)

    t = threading.Thread(target=call)
    t.start()
    deadline = time.monotonic() + 10
    while not zygote_children(rt, "wasmcri-worker") - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert zygote_children(rt, "wasmcri-worker") - before, "the exec's worker did not start"
    time.sleep(0.3)  # the zygote is done with the hand-over; the guest sleeps
    zygote = rt.zygote_pid()
    os.kill(zygote, signal.SIGSTOP)
    try:
        t.join(8)
        assert not t.is_alive(), "ExecSync waited for the stopped zygote"
    finally:
        os.kill(zygote, signal.SIGCONT)
        t.join(30)
    res = got["res"]
    assert (res.exit_code, res.stdout, res.stderr) == (3, b"done\n", b"")


def test_execsync_output_bigger_than_a_pipe_comes_whole_with_its_exit_code(rt, pod):
    """ExecSync polls the output pipes and the status pipe together and answers once the status
    and both outputs' EOF are in: output over a pipe's 64 KiB on both streams, read while the
    guest writes it, is whole, with the exit code; the first exec forks its worker, the second
    runs in the one kept ready."""
    cid = running(rt, pod, "big-output")
    want_out = "".join(f"{i}\n" for i in range(1, 100001)).encode()
    want_err = "".join(f"{i}\n" for i in range(1, 30001)).encode()
    for _ in range(2):
        res = exec_sync(rt, cid, ["sh", "-c", "seq 1 100000; seq 1 30000 >&2; exit 7"], 20)
        assert res.exit_code == 7
        assert (len(res.stdout), len(res.stderr)) == (len(want_out), len(want_err))
        assert (res.stdout, res.stderr) == (want_out, want_err)


def ready_workers(rt):
    return zygote_children(rt, "wasmcri-ready")


def ready_of(rt, ctr):
    """The workers kept ready in the groups of the container whose worker is ctr (one with
    a memory limit: a group of its own)."""
    return {p for p in ready_workers(rt) if cgroups_of(p) == cgroups_of(ctr)}


def cgroups_of(pid):
    """{controller: path} from /proc/PID/cgroup ("unified" for the v2 line)."""
    out = {}
    for line in open(f"/proc/{pid}/cgroup"):
        _, controllers, path = line.rstrip("\n").split(":", 2)
        for c in controllers.split(","):
            out[c or "unified"] = path
    return out


def uid_of(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid in /proc/{pid}/status")


def wait_for(cond, timeout=10):
    deadline = time.monotonic() + timeout
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.02)
    return cond()


def exec_pid_from_ps(res):
    """The pid of the exec that ran `ps` (its own line)."""
    mine = [line.split() for line in res.stdout.decode().splitlines()[1:]
            if line.split()[-1:] == ["ps"]]
    assert len(mine) == 1, res.stdout
    return int(mine[0][0])


def test_every_exec_forked_and_set_up_a_worker_on_its_path(rt, pod):
    """Each exec probe took the zygote's spare and did its whole set-up (cgroups, netns, view,
    ids, capabilities, seccomp) while the probe waited, then the zygote forked the next spare.
    Now an exec's end leaves a worker ready for the container's next exec, set up as its
    container's (its cgroups, its user); the next exec runs in it. A container never exec'ed
    has none."""
    r = rt.runtime()
    cid = running(rt, pod, "ready", image="probe-user", memory=64 << 20)
    ctr = worker_pid(rt, cid)
    assert "/wasmcri" in cgroups_of(ctr)["memory"]
    time.sleep(0.3)
    assert ready_of(rt, ctr) == set()  # nothing for a container no exec has reached
    assert r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["true"]), timeout=30).exit_code == 0
    assert wait_for(lambda: len(ready_of(rt, ctr)) == 1), "no worker kept ready"
    (ready,) = ready_of(rt, ctr)
    assert wait_for(lambda: uid_of(ready) == 1001)  # the image's user, before the exec comes
    res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["ps"]), timeout=30)
    assert res.exit_code == 0 and exec_pid_from_ps(res) == ready, res.stdout
    assert wait_for(lambda: len(ready_of(rt, ctr)) == 1 and ready not in ready_of(rt, ctr))


def test_a_ready_worker_ends_with_its_container(rt, pod):
    r = rt.runtime()
    cid = running(rt, pod, "ready-ends", memory=64 << 20)
    ctr = worker_pid(rt, cid)
    group = cgroups_of(ctr)["memory"]
    assert r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["true"]), timeout=30).exit_code == 0
    assert wait_for(lambda: len(ready_of(rt, ctr)) == 1)
    (ready,) = ready_of(rt, ctr)
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=1))
    assert wait_for(lambda: ready not in ready_workers(rt)), "it outlived its container"
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    assert not os.path.exists("/sys/fs/cgroup/memory" + group)  # its group could go


def test_an_exec_after_new_limits_runs_in_the_containers_new_group(rt, pod):
    """A worker readied before UpdateContainerResources gave the container a group of its own
    is not used: the exec runs in the new group."""
    r = rt.runtime()
    cid = running(rt, pod, "ready-limits")
    ctr = worker_pid(rt, cid)
    others = ready_workers(rt)
    assert r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["true"]), timeout=30).exit_code == 0
    assert wait_for(lambda: len(ready_workers(rt) - others) == 1)
    (old,) = ready_workers(rt) - others
    r.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(memory_limit_in_bytes=64 << 20)))
    group = cgroups_of(ctr)["memory"]
    assert group.endswith(cid), group
    before = zygote_children(rt, "wasmcri-worker") | {ctr}
    t = threading.Thread(target=lambda: r.ExecSync(pb.ExecSyncRequest(
        container_id=cid, cmd=["sleep", "2"]), timeout=30))
    t.start()
    try:
        assert wait_for(lambda: zygote_children(rt, "wasmcri-worker") - before)
        (pid,) = zygote_children(rt, "wasmcri-worker") - before
        assert pid != old and cgroups_of(pid)["memory"] == group
    finally:
        t.join(30)


def test_exec_ready_ms_bounds_how_long_a_worker_is_kept(runtime_registry, new_daemon, tmp_path):
    reg, refs = runtime_registry
    for ms, kept in ((400, True), (0, False)):
        d = new_daemon(config={**runtime_images.daemon_config(reg), "exec_ready_ms": ms}).start()
        runtime_images.pull_all(d, {"probe": refs["probe"]})
        r = d.runtime()
        pod_id = run_pod(r, pod_config(f"keep-{ms}", tmp_path / str(ms)))
        cid = create(r, pod_id, ctr_config("c", refs["probe"], args=["sleep", "60"]))
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
        res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["true"]), timeout=30)
        assert res.exit_code == 0
        assert wait_for(lambda: len(ready_workers(d)) == 1, timeout=2) == kept, ms
        assert wait_for(lambda: ready_workers(d) == set(), timeout=10)
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod_id))


def minflt_of(pid):
    """The page faults pid has taken (/proc/PID/stat: minflt)."""
    text = open(f"/proc/{pid}/stat").read()
    return int(text[text.rindex(")") + 2:].split()[7])


@pytest.mark.skipif(asan_build(), reason="ASan's allocator and shadow memory are not the worker's")
def test_an_exec_in_a_ready_worker_faults_in_little(rt, pod):
    """A ready worker had made its instance ahead but not what its first call makes: the exec of
    a probe's sh -c then mapped the value stack and the frame array and took some 25 page faults
    on the probe's path (the stack, the frames, the linear memory the guest writes, the compiled
    code it runs, the native stack below the set-up's). Now the ready worker has taken them
    while it waited: the exec, from its spec to its guest's sleep, takes a few."""
    cid = running(rt, pod, "ready-faults")
    others = ready_workers(rt)
    assert exec_sync(rt, cid, ["sh", "-c", "echo warm"]).stdout == b"warm\n"
    assert wait_for(lambda: len(ready_workers(rt) - others) == 1), "no worker kept ready"
    (ready,) = ready_workers(rt) - others
    time.sleep(0.3)  # its set-up is done: it waits for its exec's spec
    before = minflt_of(ready)
    got = {}
    t = threading.Thread(target=lambda: got.update(res=exec_sync(
        rt, cid, ["sh", "-c", "echo probe; sleep 2"])))
    t.start()
    try:
        assert wait_for(lambda: open(f"/proc/{ready}/comm").read().strip() == "wasmcri-worker")
        time.sleep(0.8)  # its guest sleeps
        faults = minflt_of(ready) - before
    finally:
        t.join(30)
    assert got["res"].exit_code == 0 and got["res"].stdout == b"probe\n"
    assert faults <= 8, f"the exec took {faults} page faults in its ready worker"


def test_a_ready_workers_exec_is_its_own_under_the_containers_limit(rt, pod):
    """A ready worker gets only the exec's own fields (argv, module) and lays them over the
    set-up it was prepared with: each exec runs its own command, a module of the image as well as
    the toolbox, and the container's memory limit still caps the guest's memory."""
    cid = running(rt, pod, "ready-own", memory=4 << 20)
    ctr = worker_pid(rt, cid)
    assert exec_sync(rt, cid, ["sh", "-c", "echo first"]).stdout == b"first\n"
    runs = [(["sh", "-c", "echo second; exit 7"], 7, b"second\n"),
            (["/bin/probe.wasm", "args", "third"], 0, b"/bin/probe.wasm\nargs\nthird\n"),
            (["echo", "fourth"], 0, b"fourth\n")]
    for cmd, code, out in runs:
        assert wait_for(lambda: len(ready_of(rt, ctr)) == 1), "no worker kept ready"
        res = exec_sync(rt, cid, cmd)
        assert (res.exit_code, res.stdout) == (code, out), (cmd, res)
    assert wait_for(lambda: len(ready_of(rt, ctr)) == 1), "no worker kept ready"
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "alloc", "64"])
    assert b"alloc failed" in res.stdout, res


@pytest.mark.skipif(asan_build(), reason="ASan's allocator and shadow memory are not the worker's")
def test_a_ready_worker_stays_small(rt, pod):
    """What a ready worker makes ahead for its exec (the instance, its stacks, a small linear
    memory faulted in) is bounded: its own memory stays under 1 MiB (its private pages: its PSS
    also takes a share of the pages it still shares with the zygote, which grows as the other
    processes sharing them end). A memory limit gives the container a group of its own, by which
    its ready worker is told from those an earlier test's exec may still leave for its own."""
    cid = running(rt, pod, "ready-small", memory=64 << 20)
    ctr = worker_pid(rt, cid)
    assert exec_sync(rt, cid, ["true"]).exit_code == 0
    assert wait_for(lambda: len(ready_of(rt, ctr)) == 1), "no worker kept ready"
    (ready,) = ready_of(rt, ctr)
    time.sleep(0.3)
    rollup = open(f"/proc/{ready}/smaps_rollup").read()
    own = int(re.search(r"^Private_Dirty:\s+(\d+) kB", rollup, re.M).group(1))
    assert own < 1024, rollup
