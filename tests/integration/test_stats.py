"""Container and pod stats: CPU of a busy worker grows, memory and the writable layer are
reported, pods sum their containers."""
import time

from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import pb


def test_stats_of_a_busy_container_grow(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("stats", tmp_path))
    busy = create(r, pid, ctr_config("busy", rt.refs["probe"],
                                     args=["write", "/data/blob.txt", "x" * 5000, "--", "burn", "4000"]))
    idle = create(r, pid, ctr_config("idle", rt.refs["probe"], args=["sleep", "30"]))
    start(r, busy)
    start(r, idle)
    wait_state(r, busy, pb.CONTAINER_RUNNING)
    time.sleep(0.3)
    s1 = r.ContainerStats(pb.ContainerStatsRequest(container_id=busy)).stats
    cpu1 = s1.cpu.usage_core_nano_seconds.value
    deadline, s2 = time.monotonic() + 30, s1  # on a loaded machine the burn gets a slice of a core
    while (s2.cpu.usage_core_nano_seconds.value <= cpu1 + 100_000_000
           and time.monotonic() < deadline):
        time.sleep(0.2)
        s2 = r.ContainerStats(pb.ContainerStatsRequest(container_id=busy)).stats
    assert s1.attributes.id == busy and s1.attributes.metadata.name == "busy"
    assert s2.cpu.usage_core_nano_seconds.value > cpu1 + 100_000_000
    assert s2.cpu.timestamp > s1.cpu.timestamp
    assert s2.memory.working_set_bytes.value > 0 and s2.memory.rss_bytes.value > 0
    assert s2.writable_layer.used_bytes.value >= 4096
    assert s2.writable_layer.inodes_used.value >= 2
    listed = r.ListContainerStats(pb.ListContainerStatsRequest(
        filter=pb.ContainerStatsFilter(pod_sandbox_id=pid))).stats
    assert {s.attributes.id for s in listed} == {busy, idle}
    ps = r.PodSandboxStats(pb.PodSandboxStatsRequest(pod_sandbox_id=pid)).stats
    assert ps.attributes.id == pid and ps.attributes.metadata.name == "stats"
    assert {c.attributes.id for c in ps.linux.containers} == {busy, idle}
    assert ps.linux.cpu.usage_core_nano_seconds.value >= s2.cpu.usage_core_nano_seconds.value
    assert ps.linux.process.process_count.value == 2
    all_pods = r.ListPodSandboxStats(pb.ListPodSandboxStatsRequest()).stats
    assert pid in {p.attributes.id for p in all_pods}
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def sampled(r, cid):
    """ListContainerStats' item for cid once the stats sampler has sampled it."""
    deadline = time.monotonic() + 30
    while True:
        s = r.ListContainerStats(pb.ListContainerStatsRequest(
            filter=pb.ContainerStatsFilter(id=cid))).stats[0]
        if s.cpu.timestamp or time.monotonic() > deadline:
            return s
        time.sleep(0.1)


def test_list_stats_come_from_samples_that_advance_with_a_cpu_rate(rt, tmp_path):
    """The list stats rpcs answer from the sampler's last sample (issue 18): two calls a
    sample period (1 s) apart see a newer sample, fresh, with the busy container's CPU
    grown and its rate since the sample before (usage_nano_cores, which kubelet takes
    as it is); the pod's figures advance with it."""
    r = rt.runtime()
    pid = run_pod(r, pod_config("sampled", tmp_path))
    busy = create(r, pid, ctr_config("busy", rt.refs["probe"], args=["burn", "60000"]))
    start(r, busy)
    wait_state(r, busy, pb.CONTAINER_RUNNING)
    s1 = sampled(r, busy)
    p1 = r.ListPodSandboxStats(pb.ListPodSandboxStatsRequest(
        filter=pb.PodSandboxStatsFilter(id=pid))).stats[0]
    time.sleep(1.5)
    deadline, s2 = time.monotonic() + 30, s1
    while s2.cpu.timestamp == s1.cpu.timestamp and time.monotonic() < deadline:
        time.sleep(0.1)
        s2 = sampled(r, busy)
    p2 = r.ListPodSandboxStats(pb.ListPodSandboxStatsRequest(
        filter=pb.PodSandboxStatsFilter(id=pid))).stats[0]
    assert s1.cpu.timestamp > 0
    assert s2.cpu.timestamp > s1.cpu.timestamp
    assert s2.memory.timestamp == s2.cpu.timestamp
    assert abs(time.time_ns() - s2.cpu.timestamp) < 10 * 10**9  # fresh: within a few periods
    assert s2.cpu.usage_core_nano_seconds.value > s1.cpu.usage_core_nano_seconds.value
    assert s2.cpu.usage_nano_cores.value > 0  # it burns
    assert s2.memory.rss_bytes.value > 0 and s2.memory.working_set_bytes.value > 0
    assert p2.linux.cpu.timestamp > p1.linux.cpu.timestamp
    assert p2.linux.cpu.usage_core_nano_seconds.value > p1.linux.cpu.usage_core_nano_seconds.value
    assert [c.attributes.id for c in p2.linux.containers] == [busy]
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
