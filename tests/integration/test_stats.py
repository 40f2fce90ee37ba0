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
