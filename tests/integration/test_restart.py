"""Persistence: kill -9 of the daemon with running containers, restart, every pod and
container in its true state, workers still running (the zygote outlives the daemon),
exits that happened meanwhile recorded; a lost zygote; 200 pods with no leak."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

import runtime_images
from rt_helpers import (create, ctr_config, pod_config, run_pod, start, status, stdout_text,
                        wait_state)
from wasmcri_harness import Daemon, pb


@pytest.fixture
def rtd(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg)).start()
    runtime_images.pull_all(d, refs)
    d.refs = refs
    yield d
    if d.proc and d.proc.poll() is None:
        rt = d.runtime()
        for p in rt.ListPodSandbox(pb.ListPodSandboxRequest()).items:
            rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
    d.stop()
    d.kill_zygote()


def alive(pid):
    """Running: a process that ended is gone or a zombie until its new parent reaps it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def gone(pid, seconds=10):
    """Whether pid ends within seconds (the machine may be loaded: CI runs ASan builds)."""
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not alive(pid)


def test_kill_9_restart_keeps_workers_and_records_exits(rtd, tmp_path):
    r = rtd.runtime()
    pid = run_pod(r, pod_config("keep", tmp_path / "logs", host_network=False))
    long = create(r, pid, ctr_config("long", rtd.refs["probe"], args=["sleep", "60"]))
    short = create(r, pid, ctr_config("short", rtd.refs["probe"], args=["sleep", "1", "--", "exit", "5"]))
    done = create(r, pid, ctr_config("done", rtd.refs["probe"], args=["exit", "0"]))
    created = create(r, pid, ctr_config("created", rtd.refs["probe"]))
    for c in (long, short, done):
        start(r, c)
    wait_state(r, done, pb.CONTAINER_EXITED)
    wait_state(r, short, pb.CONTAINER_RUNNING)
    zygote = rtd.zygote_pid()
    rtd.stop(sig=signal.SIGKILL)
    time.sleep(1.5)  # short exits while no daemon is there
    assert alive(zygote)
    rtd.start()
    r = rtd.runtime()
    assert rtd.zygote_pid() == zygote
    states = {c.id: c.state for c in r.ListContainers(pb.ListContainersRequest()).containers}
    assert states == {long: pb.CONTAINER_RUNNING, short: pb.CONTAINER_EXITED,
                      done: pb.CONTAINER_EXITED, created: pb.CONTAINER_CREATED}
    st = status(r, short)
    assert (st.exit_code, st.reason) == (5, "Error")
    assert status(r, done).exit_code == 0
    pods = r.ListPodSandbox(pb.ListPodSandboxRequest()).items
    assert [(p.id, p.state) for p in pods] == [(pid, pb.SANDBOX_READY)]
    # the worker of `long` is still there and still ours
    assert r.ExecSync(pb.ExecSyncRequest(container_id=long, cmd=["/bin/probe.wasm", "exit", "4"]),
                      timeout=20).exit_code == 4
    r.StopContainer(pb.StopContainerRequest(container_id=long, timeout=10))
    st = status(r, long)
    assert (st.state, st.exit_code) == (pb.CONTAINER_EXITED, 143)
    for _ in range(200):  # every exit acknowledged (acks are asynchronous)
        if not list((rtd.state / "exits").iterdir()):
            break
        time.sleep(0.01)
    assert not list((rtd.state / "exits").iterdir())


def test_exec_after_a_kill_9_still_sees_the_containers_user(rtd, tmp_path):
    """The user file a container's start wrote is found by a new daemon's exec (which did not
    write it), and a new start of that user still gets it."""
    r = rtd.runtime()
    pid = run_pod(r, pod_config("user", tmp_path / "logs"))
    before = create(r, pid, ctr_config("before", rtd.refs["probe-user"], args=["sleep", "60"]))
    start(r, before)
    wait_state(r, before, pb.CONTAINER_RUNNING)
    rtd.stop(sig=signal.SIGKILL)
    rtd.start()
    r = rtd.runtime()
    after = create(r, pid, ctr_config("after", rtd.refs["probe-user"], args=["sleep", "60"]))
    start(r, after)
    wait_state(r, after, pb.CONTAINER_RUNNING)
    for cid in (before, after):
        res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["id"]), timeout=20)
        assert res.stdout == b"uid=1001(app) gid=3000(staff) groups=3000(staff)\n", res


def test_graceful_stop_without_workers_ends_the_zygote(rtd):
    zygote = rtd.zygote_pid()
    assert zygote and alive(zygote)
    assert rtd.stop() == 0
    assert gone(zygote)


def test_a_lost_zygote_is_replaced_and_its_containers_marked_exited(rtd, tmp_path):
    r = rtd.runtime()
    pid = run_pod(r, pod_config("lost", tmp_path / "logs"))
    cid = create(r, pid, ctr_config("l", rtd.refs["probe"], args=["sleep", "60"]))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_RUNNING)
    old = rtd.zygote_pid()
    rtd.kill_zygote()
    st = wait_state(r, cid, pb.CONTAINER_EXITED)
    assert (st.exit_code, st.reason) == (255, "Error") and "zygote" in st.message
    # the daemon started a new zygote: containers start again
    for _ in range(200):
        if rtd.zygote_pid() not in (None, old):
            break
        time.sleep(0.02)
    assert rtd.zygote_pid() not in (None, old)
    cid2 = create(r, pid, ctr_config("l2", rtd.refs["probe"], args=["exit", "6"]))
    start(r, cid2)
    assert wait_state(r, cid2, pb.CONTAINER_EXITED).exit_code == 6


def test_200_pods_leave_nothing_behind(rtd, tmp_path):
    r = rtd.runtime()
    before_fds = len(os.listdir(f"/proc/{rtd.proc.pid}/fd"))
    for i in range(200):
        pid = run_pod(r, pod_config(f"p{i}", tmp_path / "logs", host_network=(i % 2 == 0)))
        cid = create(r, pid, ctr_config("c", rtd.refs["probe"], args=["exit", "0"]))
        start(r, cid)
        r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    assert list(r.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert list(r.ListContainers(pb.ListContainersRequest()).containers) == []
    assert os.listdir(rtd.root / "containers") == [] and os.listdir(rtd.state / "pods") == []
    assert os.listdir(rtd.state / "netns") == []
    time.sleep(0.3)
    assert os.listdir(rtd.state / "exits") == []
    zygote = rtd.zygote_pid()
    children = open(f"/proc/{zygote}/task/{zygote}/children").read().split()
    comms = [open(f"/proc/{c}/comm").read().strip() for c in children]
    # at most the one worker forked ahead of need, and the forker that forked it (spare.h)
    assert sorted(comms) in ([], ["wasmcri-spare"], ["wasmcri-forker", "wasmcri-spare"])
    assert len(os.listdir(f"/proc/{rtd.proc.pid}/fd")) <= before_fds + 2
    assert len(os.listdir(f"/proc/{zygote}/fd")) < 16
    assert not [m for m in open("/proc/self/mountinfo") if str(rtd.base) in m]
    # after a restart the store lists no pod or container either
    assert rtd.stop() == 0
    rtd.start()
    assert list(rtd.runtime().ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert list(rtd.runtime().ListContainers(pb.ListContainersRequest()).containers) == []


def test_removing_the_image_keeps_what_a_container_runs_from(rtd, tmp_path):
    r = rtd.runtime()
    pid = run_pod(r, pod_config("held", tmp_path / "logs"))
    cid = create(r, pid, ctr_config("h", rtd.refs["probe"], args=["sleep", "60"]))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_RUNNING)
    rtd.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=rtd.refs["probe"])))
    res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["/bin/probe.wasm", "cat",
                                                               "/data/hello.txt"]), timeout=20)
    assert (res.exit_code, res.stdout) == (0, b"image file\n")
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_created_container_starts_after_a_reboot(rtd, tmp_path):
    """A reboot empties the state dir (tmpfs) and ends the zygote; a container created
    before it still starts, with its image files, its writable layer and the pod's
    resolv.conf and hostname (written again from the pod record)."""
    r = rtd.runtime()
    pid = run_pod(r, pod_config("reboot", tmp_path / "logs", hostname="rb-host"))
    cid = create(r, pid, ctr_config("rb", rtd.refs["probe"],
                                    args=["cat", "/data/hello.txt", "--", "cat", "/etc/hostname",
                                          "--", "write", "/data/new.txt", "after"]))
    assert rtd.stop() == 0
    rtd.kill_zygote()
    import shutil
    shutil.rmtree(rtd.state)
    rtd.start()
    r = rtd.runtime()
    start(r, cid)
    st = wait_state(r, cid, pb.CONTAINER_EXITED)
    assert st.exit_code == 0, st.message
    assert stdout_text(tmp_path / "logs" / "rb.log") == ["image file", "rb-host",
                                                         "wrote /data/new.txt"]
    assert (rtd.root / "containers" / cid / "upper" / "data" / "new.txt").read_text() == "after"


def test_a_non_root_worker_dies_with_its_zygote(rtd, tmp_path):
    """Changing ids clears the parent-death signal: a worker of another user must set it
    again, or it outlives a killed zygote, running and invisible."""
    r = rtd.runtime()
    pid = run_pod(r, pod_config("orphan", tmp_path / "logs"))
    cid = create(r, pid, ctr_config("o", rtd.refs["probe"], args=["sleep", "60"],
                                    user=(1000, 1000)))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_RUNNING)
    worker = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(
        container_id=cid, verbose=True)).info["info"])["pid"]
    os.kill(rtd.zygote_pid(), signal.SIGKILL)  # the zygote alone, not its process group
    assert gone(worker)


def zygote_start_as_the_daemon_would(d, cid, info):
    """What a daemon killed right after the zygote forked a worker for cid leaves: the
    worker runs, the record still says CREATED. Plays that daemon on the zygote's socket."""
    spec = {"id": cid, "module_name": info["args"][0], "module_key": info["module_key"],
            "argv": info["args"], "env": info["env"], "log_path": "", "netns": "",
            "cgroup_procs": [], "max_memory_pages": 0,
            "user": {"uid": 0, "gid": 0, "groups": []}, "layer_dir": "", "layer_lower": "",
            "mounts": [{"guest": "/", "ro": True,  # the snapshot: /bin/probe.wasm is there
                        "host": os.path.dirname(os.path.dirname(info["module"]))}]}
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s, \
            open(info["module"], "rb") as module:  # a start carries the module's descriptor
        s.connect(str(d.state / "zygote.sock"))
        s.settimeout(10)
        socket.send_fds(s, [json.dumps({"op": "start", "seq": 1, "id": cid, "spec": spec}).encode()],
                        [module.fileno()])
        while True:
            msg = json.loads(s.recv(1 << 20))
            if msg.get("op") == "reply":
                assert "error" not in msg, msg
                return msg["pid"]


def test_a_worker_started_before_a_kill_9_is_adopted_or_killed(rtd, tmp_path):
    """issue 11 item 7: kill -9 between the zygote's fork and the record of the start left a
    CREATED record with a live worker, and RemovePodSandbox left that worker running."""
    r = rtd.runtime()
    pod = run_pod(r, pod_config("adopt", tmp_path / "logs"))
    cid = create(r, pod, ctr_config("a", rtd.refs["probe"], args=["sleep", "60"]))
    info = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(
        container_id=cid, verbose=True)).info["info"])
    rtd.stop(sig=signal.SIGKILL)
    worker = zygote_start_as_the_daemon_would(rtd, cid, info)
    assert alive(worker)
    rtd.start()
    r = rtd.runtime()
    st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
    assert st.status.state == pb.CONTAINER_RUNNING, (st.status.message, st.status.exit_code)
    assert json.loads(st.info["info"])["pid"] == worker
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
    assert gone(worker)


def test_a_worker_no_record_claims_is_killed_at_restart(rtd, tmp_path):
    r = rtd.runtime()
    pod = run_pod(r, pod_config("stray", tmp_path / "logs"))
    cid = create(r, pod, ctr_config("s", rtd.refs["probe"], args=["sleep", "60"]))
    info = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(
        container_id=cid, verbose=True)).info["info"])
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    rtd.stop(sig=signal.SIGKILL)
    worker = zygote_start_as_the_daemon_would(rtd, cid, info)
    rtd.start()
    assert gone(worker)


def test_what_a_killed_run_pod_left_is_cleared_at_restart(new_daemon, tmp_path):
    """kill -9 inside RunPodSandbox, after the namespace was mounted and the pod directory
    made but before the record was written, left both behind for good."""
    d = new_daemon().start()
    d.stop(sig=signal.SIGKILL)
    orphan = "ab" * 32
    netns, pod_dir = d.state / "netns" / orphan, d.state / "pods" / orphan
    netns.touch()
    subprocess.run(["unshare", "--net=%s" % netns, "true"], check=True)
    pod_dir.mkdir()
    (pod_dir / "hostname").write_text("orphan\n")
    assert str(netns) in open("/proc/self/mountinfo").read()
    d.start()
    assert str(netns) not in open("/proc/self/mountinfo").read()
    assert not netns.exists() and not pod_dir.exists()


def test_a_ready_pod_whose_netns_is_not_mounted_is_notready_after_restart(new_daemon, tmp_path):
    """kill -9 inside StopPodSandbox, between the unmount of the namespace and the record:
    the pod said READY with no namespace."""
    d = new_daemon().start()
    r = d.runtime()
    pod = run_pod(r, pod_config("half-stopped", tmp_path / "logs", host_network=False))
    d.stop(sig=signal.SIGKILL)
    netns = d.state / "netns" / pod
    subprocess.run(["umount", str(netns)], check=True)
    d.start()
    st = d.runtime().PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pod)).status
    assert st.state == pb.SANDBOX_NOTREADY
    assert not netns.exists()
    d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_derived_and_shared_fields_read_the_same_after_a_restart(rtd, tmp_path):
    """What the records keep in less memory (issue 18) reads as before, then after a change
    and after a restart: an overlay's rootfs (made from its dir, not kept), argv and env
    (their items one interned copy for all containers), reason and message (empty ones
    share one string until the container exits)."""
    r = rtd.runtime()
    pid = run_pod(r, pod_config("derived", tmp_path / "logs"))
    env = {"MODE": "derived"}
    ids = [create(r, pid, ctr_config(f"c{i}", rtd.refs["probe"], args=["sleep", "60"], env=env))
           for i in range(2)]
    done = create(r, pid, ctr_config("done", rtd.refs["probe"], args=["exit", "5"], env=env))
    for c in ids + [done]:
        start(r, c)
    wait_state(r, done, pb.CONTAINER_EXITED)

    def seen(cid):
        st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
        info = json.loads(st.info["info"])
        return (info["rootfs"], info["args"], info["env"], st.status.reason, st.status.message,
                st.status.exit_code)

    before = {c: seen(c) for c in ids + [done]}
    for c in ids + [done]:
        rootfs, args, env_seen, _, _, _ = before[c]
        assert rootfs == str(rtd.root / "containers" / c / "rootfs")
        assert args[1:] == (["sleep", "60"] if c != done else ["exit", "5"])
        assert "MODE=derived" in env_seen and "FROM_IMAGE=yes" in env_seen
    assert before[ids[0]][3:5] == ("", "") and before[done][3] == "Error"
    assert before[done][5] == 5
    r.StopContainer(pb.StopContainerRequest(container_id=ids[1], timeout=0))
    wait_state(r, ids[1], pb.CONTAINER_EXITED)
    stopped = seen(ids[1])
    assert stopped[:3] == before[ids[1]][:3] and stopped[3] != ""
    before[ids[1]] = stopped
    rtd.stop(sig=signal.SIGKILL)
    rtd.start()
    r = rtd.runtime()
    assert {c: seen(c) for c in ids + [done]} == before


def test_supplemental_groups_read_the_same_after_a_restart(rtd, tmp_path):
    """A container's groups are kept as one shared string, not 32 slots (issue 18): 32
    supplemental groups show in ContainerStatus and in the worker's /proc status, and after
    a kill -9 and a restart the same, for the running container and for one created before
    the restart and started after it; a container without groups has none."""
    r = rtd.runtime()
    pid = run_pod(r, pod_config("groups", tmp_path / "logs"))
    groups = list(range(5000, 5032))
    cfg = {"args": ["sleep", "60"], "user": (1000, 1000)}
    run = create(r, pid, ctr_config("run", rtd.refs["probe"], groups=groups, **cfg))
    later = create(r, pid, ctr_config("later", rtd.refs["probe"], groups=groups, **cfg))
    none = create(r, pid, ctr_config("none", rtd.refs["probe"], **cfg))
    for c in (run, none):
        start(r, c)
        wait_state(r, c, pb.CONTAINER_RUNNING)

    def seen(cid):
        st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
        u = st.status.user.linux
        return u.uid, u.gid, list(u.supplemental_groups)

    def worker_groups(cid):
        """The worker's groups once it runs as the container's user (it drops root's after the
        start answers)."""
        st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
        wpid = json.loads(st.info["info"])["pid"]
        deadline = time.monotonic() + 10
        while True:
            proc = dict(line.split(":", 1) for line in open(f"/proc/{wpid}/status"))
            if proc["Uid"].split()[0] == "1000" or time.monotonic() > deadline:
                return sorted(int(g) for g in proc["Groups"].split())
            time.sleep(0.01)

    want = (1000, 1000, groups)
    assert seen(run) == want and seen(later) == want and seen(none) == (1000, 1000, [])
    assert worker_groups(run) == groups and worker_groups(none) == []
    rtd.stop(sig=signal.SIGKILL)
    rtd.start()
    r = rtd.runtime()
    assert seen(run) == want and seen(later) == want and seen(none) == (1000, 1000, [])
    start(r, later)
    wait_state(r, later, pb.CONTAINER_RUNNING)
    assert worker_groups(run) == groups and worker_groups(later) == groups
    assert worker_groups(none) == []
