"""CRI metrics (issue 17, item 2): ListMetricDescriptors names what ListPodSandboxMetrics and
StreamPodSandboxMetrics return, with cAdvisor's names and label keys (kubelet adds namespace,
pod and container itself); values move: CPU grows while a busy wasm program runs, network
bytes grow with real traffic to a pod on a CNI bridge, and PodSandboxStats carries the pod
interface's counters."""
import time

import pytest

from cni_net import daemon_on_bridge
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from test_net_cni import curl, pod as cni_pod
from wasmcri_harness import pb

BASE = ["id", "image", "name"]
NET = ["container_network_%s_total" % n for n in (
    "receive_bytes", "receive_packets", "receive_errors", "receive_packets_dropped",
    "transmit_bytes", "transmit_packets", "transmit_errors", "transmit_packets_dropped")]


def descriptors(rt):
    return {d.name: d for d in rt.ListMetricDescriptors(pb.ListMetricDescriptorsRequest()).descriptors}


def test_descriptors_have_cadvisor_names_and_label_keys(daemon):
    ds = descriptors(daemon.runtime())
    assert list(ds["container_cpu_usage_seconds_total"].label_keys) == BASE + ["cpu"]
    for name in ("container_memory_working_set_bytes", "container_memory_rss",
                 "container_memory_usage_bytes", "container_processes",
                 "container_start_time_seconds", "container_spec_memory_limit_bytes"):
        assert list(ds[name].label_keys) == BASE, name
        assert ds[name].help
    assert list(ds["container_fs_usage_bytes"].label_keys) == BASE + ["device"]
    for name in NET:
        assert list(ds[name].label_keys) == BASE + ["interface"], name
    for d in ds.values():  # kubelet appends these itself: a runtime that sent them breaks it
        assert not {"namespace", "pod", "container"} & set(d.label_keys)


def metrics_of(rt, stream=False):
    """{pod id: (pod metrics, {container id: metrics})}, each metrics {(name, labels): value},
    checking every metric against its descriptor."""
    ds = descriptors(rt)
    if stream:
        pods = [p for batch in rt.StreamPodSandboxMetrics(pb.StreamPodSandboxMetricsRequest())
                for p in batch.pod_sandbox_metrics]
    else:
        pods = rt.ListPodSandboxMetrics(pb.ListPodSandboxMetricsRequest()).pod_metrics

    def table(ms):
        out = {}
        for m in ms:
            assert m.name in ds, m.name
            assert len(m.label_values) == len(ds[m.name].label_keys), m
            want = pb.COUNTER if m.name.endswith("_total") else pb.GAUGE
            assert m.metric_type == want, m.name
            out[(m.name, tuple(m.label_values))] = m.value.value
        return out
    return {p.pod_sandbox_id: (table(p.metrics),
                               {c.container_id: table(c.metrics) for c in p.container_metrics})
            for p in pods}


def test_container_cpu_grows_while_a_busy_program_runs(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("busy", tmp_path))
    cfg = ctr_config("busy", rt.refs["probe"], args=["spin"],
                     memory=64 << 20)
    cid = create(r, pid, cfg)
    t0 = time.time()
    start(r, cid)
    image = rt.refs["probe"]
    key = lambda name, *extra: (name, (cid, image, "busy") + extra)  # noqa: E731
    first = metrics_of(r)[pid][1][cid]
    assert first[key("container_processes")] == 1
    assert abs(first[key("container_start_time_seconds")] - t0) <= 2
    assert first[key("container_memory_working_set_bytes")] > 0
    assert first[key("container_memory_rss")] >= first[key("container_memory_working_set_bytes")]
    assert first[key("container_spec_memory_limit_bytes")] == 64 << 20
    cpu = key("container_cpu_usage_seconds_total", "total")
    deadline, last = time.monotonic() + 60, first[cpu]
    while last < first[cpu] + 2 and time.monotonic() < deadline:  # whole seconds: the CRI's
        time.sleep(0.5)                                             # values are integers
        last = metrics_of(r)[pid][1][cid][cpu]
    assert last >= first[cpu] + 2, (first[cpu], last)
    streamed = metrics_of(r, stream=True)[pid][1][cid]
    assert streamed[cpu] >= last
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0))
    assert cid not in metrics_of(r)[pid][1]  # only running containers have metrics
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    assert pid not in metrics_of(r)


@pytest.fixture
def cluster(runtime_registry, tmp_path):
    """A daemon on a private CNI bridge with the net image pulled: (daemon, net, image)."""
    with daemon_on_bridge(runtime_registry, tmp_path) as c:
        yield c


def test_pod_network_counters_grow_with_real_traffic(cluster, tmp_path):
    d, _, image = cluster
    rt = d.runtime()
    pid, ip = cni_pod(rt, tmp_path, "web")
    cid = create(rt, pid, ctr_config("web", image, args=["http", "8080"]))
    start(rt, cid)
    assert wait_state(rt, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    assert curl("http://%s:8080/" % ip).stdout == "hello from web\n"
    labels = (pid, "", "web", "eth0")
    before = metrics_of(rt)[pid][0]
    assert set(NET) <= {name for name, _ in before}
    stats_before = rt.PodSandboxStats(pb.PodSandboxStatsRequest(pod_sandbox_id=pid)).stats
    for _ in range(20):
        assert curl("http://%s:8080/" % ip).stdout == "hello from web\n"
    after = metrics_of(rt)[pid][0]
    for name in ("container_network_receive_bytes_total", "container_network_transmit_bytes_total",
                 "container_network_receive_packets_total",
                 "container_network_transmit_packets_total"):
        assert after[(name, labels)] > before[(name, labels)], name
    # 20 requests of ~80 bytes of HTTP each, plus TCP: at least 20 packets each way
    assert after[("container_network_receive_packets_total", labels)] - \
        before[("container_network_receive_packets_total", labels)] >= 20 * 3
    assert after[("container_network_transmit_bytes_total", labels)] - \
        before[("container_network_transmit_bytes_total", labels)] >= 20 * len("hello from web\n")
    assert not any(lab[3] == "lo" for _, lab in after)
    # PodSandboxStats answers from the stats sampler's last sample: wait for one taken
    # after the metrics were read (its timestamp says when)
    read_after, deadline = time.time_ns(), time.monotonic() + 30
    stats = rt.PodSandboxStats(pb.PodSandboxStatsRequest(pod_sandbox_id=pid)).stats
    while stats.linux.network.timestamp <= read_after and time.monotonic() < deadline:
        time.sleep(0.2)
        stats = rt.PodSandboxStats(pb.PodSandboxStatsRequest(pod_sandbox_id=pid)).stats
    net = stats.linux.network
    assert net.default_interface.name == "eth0" and [i.name for i in net.interfaces] == ["eth0"]
    assert net.default_interface.rx_bytes.value > \
        stats_before.linux.network.default_interface.rx_bytes.value
    assert net.default_interface.tx_bytes.value >= \
        after[("container_network_transmit_bytes_total", labels)]
