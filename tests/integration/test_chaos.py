"""Chaos (issue 11): kill -9 of the daemon and of the zygote at random moments while threads
churn pods and containers and pull and remove images; then the records, the workers, the
overlay mounts, the containers' cgroups and the pods' network namespaces must agree, and
removing every pod must leave none of them behind.

Bounded: WASMCRI_CHAOS_SECONDS (default 30) of chaos per daemon build. The random seed is
printed; WASMCRI_CHAOS_SEED replays a run's choices (the timing is the machine's)."""
import json
import os
import random
import signal
import threading
import time

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start
from wasmcri_harness import Daemon, pb

SECONDS = float(os.environ.get("WASMCRI_CHAOS_SECONDS", "30"))
SEED = int(os.environ.get("WASMCRI_CHAOS_SEED", str(time.time_ns() % 1_000_000)))
CG = "/sys/fs/cgroup"
V1 = os.path.isdir(CG + "/memory")
HIERARCHIES = [h for h in ("memory", "cpu", "cpuacct", "pids") if os.path.isdir(f"{CG}/{h}")] \
    if V1 else ["unified"]
FAILURES = (grpc.RpcError, ValueError)  # a killed daemon; a channel closed by its restart


def cg_dir(hierarchy, group):
    return f"{CG}/{hierarchy}{group}" if V1 else f"{CG}{group}"


class PodGroups:
    """The pods' cgroups, made as kubelet makes them before RunPodSandbox."""

    def __init__(self):
        self.top = "/wasmcri-chaos-%d" % os.getpid()
        self.groups = []
        self.lock = threading.Lock()

    def new(self):
        with self.lock:
            group = "%s/pod%d" % (self.top, len(self.groups))
            self.groups.append(group)
        for h in HIERARCHIES:
            os.makedirs(cg_dir(h, group))
        return group

    def container_groups(self):
        """{container id: [cgroup dirs]} of every wasmcri-<id> group under the pods'."""
        found = {}
        for group in self.groups:
            for h in HIERARCHIES:
                d = cg_dir(h, group)
                for name in os.listdir(d) if os.path.isdir(d) else ():
                    if name.startswith("wasmcri-"):
                        found.setdefault(name[len("wasmcri-"):], []).append(f"{d}/{name}")
        return found

    def remove(self):
        for h in HIERARCHIES:
            top = cg_dir(h, self.top)
            for d, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
                for _ in range(300):  # a killed worker leaves its group when it has exited
                    try:
                        os.rmdir(d)
                        break
                    except FileNotFoundError:
                        break
                    except OSError:
                        time.sleep(0.01)


def procs(d):
    try:
        return {int(p) for p in open(d + "/cgroup.procs").read().split()}
    except OSError:
        return set()


def comm_of(pid):
    try:
        return open(f"/proc/{pid}/comm").read().strip()
    except OSError:  # it ended meanwhile
        return ""


def workers_of(zygote):
    """The zygote's children that run a guest (the spare is named wasmcri-spare)."""
    out = set()
    if zygote is None:
        return out
    try:
        children = open(f"/proc/{zygote}/task/{zygote}/children").read().split()
    except OSError:
        return out
    return {int(c) for c in children if comm_of(c) == "wasmcri-worker"}


def mount_points():
    return [line.split()[4] for line in open("/proc/self/mountinfo")]


def disagreements(d, groups):
    """What does not agree between the records and the node; [] when all does."""
    r = d.runtime()
    pods = r.ListPodSandbox(pb.ListPodSandboxRequest()).items
    ctrs = r.ListContainers(pb.ListContainersRequest()).containers
    ids = {c.id for c in ctrs}
    created = {c.id for c in ctrs if c.state == pb.CONTAINER_CREATED}
    running = {}
    for c in ctrs:
        if c.state == pb.CONTAINER_RUNNING:
            st = r.ContainerStatus(pb.ContainerStatusRequest(container_id=c.id, verbose=True))
            running[c.id] = json.loads(st.info["info"])["pid"]
    pod_netns = set()
    for p in pods:
        st = r.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=p.id)).status
        if st.state == pb.SANDBOX_READY and st.linux.namespaces.options.network == pb.POD:
            pod_netns.add(p.id)
    problems = []
    workers = workers_of(d.zygote_pid())
    if set(running.values()) != workers:
        problems.append("workers %s, running containers %s" % (sorted(workers), running))
    mounts = mount_points()
    layers = {m.split("/")[-2] for m in mounts
              if m.startswith(f"{d.root}/containers/") and m.endswith("/rootfs")}
    if not layers <= ids:
        problems.append("overlays of no container: %s" % sorted(layers - ids))
    netns = {os.path.basename(m) for m in mounts if m.startswith(f"{d.state}/netns/")}
    if netns - pod_netns:
        problems.append("netns mounts of no ready pod: %s" % sorted(netns - pod_netns))
    for pod in pod_netns - netns:
        path = d.state / "netns" / pod
        problems.append("ready pod %s without its netns mount (%s)" % (
            pod, "the file is there" if path.exists() else "no file"))
    for cid, dirs in groups.container_groups().items():
        if cid not in ids:
            problems.append("cgroup of no container: %s" % dirs)
        stray = set().union(*(procs(d_) for d_ in dirs)) - {running.get(cid)}
        made = {p for p in stray if cid in created and comm_of(p) == "wasmcri-ready"}
        if len(made) <= 1:  # the worker made at create, waiting for the container's start
            stray -= made
        if stray:
            problems.append("processes %s in the cgroups of %s (%s)" % (
                sorted(stray), cid, "running" if cid in running else "not running"))
    return problems


def agree(d, groups, timeout=15):
    """Waits for the node to settle (exits being reaped and recorded) and checks."""
    deadline = time.monotonic() + timeout
    while True:
        problems = disagreements(d, groups)
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(0.2)


def churn(d, groups, logs, stop, rng, name, counts):
    probe = d.refs["probe"]
    i = 0
    while not stop.is_set():
        i += 1
        try:
            r = d.runtime()
            pod = run_pod(r, pod_config("%s-%d" % (name, i), logs, host_network=rng.random() < 0.5,
                                        cgroup_parent=groups.new()))
            counts["pods"] += 1
            for k in range(rng.randint(1, 3)):
                args = rng.choice([["sleep", "30"], ["exit", "0"],
                                   ["write", "/data/x", "y", "--", "sleep", "30"]])
                cid = create(r, pod, ctr_config("c%d" % k, probe, args=args, memory=64 << 20))
                if rng.random() < 0.8:
                    start(r, cid)
                    counts["starts"] += 1
                if rng.random() < 0.3:
                    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
            if rng.random() < 0.3:
                r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod))
            if rng.random() < 0.6:
                r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
        except FAILURES:
            time.sleep(0.05)


def pulls(d, stop, rng):
    refs = [d.refs["linux"], d.refs["artifact"]]
    while not stop.is_set():
        ref = rng.choice(refs)
        try:
            d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)), timeout=30)
            if rng.random() < 0.5:
                d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=ref)))
        except FAILURES:
            time.sleep(0.05)


def kills(d, stop, rng, counts):
    while not stop.wait(rng.uniform(0.3, 1.5)):
        if counts["zygote"] > 0 and rng.random() < 0.65:  # the zygote first, then at random
            d.stop(sig=signal.SIGKILL)
            counts["daemon"] += 1
            d.start(timeout=30)
        else:
            z = d.zygote_pid()
            if z is not None:
                try:
                    os.kill(z, signal.SIGKILL)  # the zygote alone: its workers die with it
                    counts["zygote"] += 1
                except ProcessLookupError:
                    pass


@pytest.fixture
def chaos_daemon(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg)).start()
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])), timeout=60)
    d.refs = refs
    groups = PodGroups()
    yield d, groups
    if d.proc.poll() is None:
        r = d.runtime()
        for p in r.ListPodSandbox(pb.ListPodSandboxRequest()).items:
            r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
    d.stop()
    d.kill_zygote()
    groups.remove()


def test_kill_9_chaos_leaves_records_workers_mounts_cgroups_and_netns_in_agreement(
        chaos_daemon, tmp_path):
    d, groups = chaos_daemon
    print("chaos seed", SEED)
    rng = random.Random(SEED)
    stop = threading.Event()
    counts = {"daemon": 0, "zygote": 0, "pods": 0, "starts": 0}
    threads = [threading.Thread(target=churn, args=(d, groups, tmp_path / "logs", stop,
                                                    random.Random(rng.random()), "t%d" % n, counts))
               for n in range(3)]
    threads.append(threading.Thread(target=pulls, args=(d, stop, random.Random(rng.random()))))
    killer = threading.Thread(target=kills, args=(d, stop, random.Random(rng.random()), counts))
    for t in threads + [killer]:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    killer.join()
    for t in threads:
        t.join()
    print("chaos", counts)
    assert counts["daemon"] >= 3 and counts["zygote"] >= 1, counts
    problems = agree(d, groups)
    assert not problems, "seed %d, %s kills: %s" % (SEED, counts, problems)
    # a clean restart agrees too, and removing every pod leaves nothing behind
    assert d.stop() == 0
    d.start()
    problems = agree(d, groups)
    assert not problems, "seed %d, after a restart: %s" % (SEED, problems)
    r = d.runtime()
    for p in r.ListPodSandbox(pb.ListPodSandboxRequest()).items:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
    assert not r.ListContainers(pb.ListContainersRequest()).containers
    problems = agree(d, groups)
    assert not problems and not groups.container_groups(), (SEED, problems)
    assert not os.listdir(d.state / "netns")
    assert not [m for m in mount_points() if m.startswith(str(d.base))]
