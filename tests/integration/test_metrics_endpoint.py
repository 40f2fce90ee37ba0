"""The daemon's Prometheus endpoint (issue 17, item 6): off by default; with metrics_address it
serves http://ADDR/metrics in the text exposition format, parsed here by Debian's
python3-prometheus-client, with rpc counts and latency histograms per method, pull bytes and
durations, container starts, zygote restarts, the module cache and pods/containers by state —
each checked to move with what the test does."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_for
from test_module_cache import asan_build
from wasmcri_harness import BINARY, pb


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(runtime_registry, new_daemon):
    """A daemon with the metrics endpoint on a free loopback port: (daemon, url, refs)."""
    reg, refs = runtime_registry
    addr = "127.0.0.1:%d" % free_port()
    config = runtime_images.daemon_config(reg)
    config["metrics_address"] = addr
    d = new_daemon(config=config).start()
    # The daemon answers gRPC a moment before its metrics listener is bound (READY=1 comes
    # after both): a scrape waits for the port as Prometheus's next scrape would.
    wait_for(lambda: port_open(addr), 10, f"nothing listens on {addr}")
    return d, f"http://{addr}/metrics", refs


def port_open(addr):
    host, port = addr.rsplit(":", 1)
    with socket.socket() as s:
        return s.connect_ex((host, int(port))) == 0


def scrape(url):
    """{family name: (type, {(sample name, sorted labels): value})}; asserts the content type."""
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = r.read().decode()
    out = {}
    for fam in text_string_to_metric_families(text):
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for s in fam.samples}
        out[fam.name] = (fam.type, samples)
    return out


def value(m, family, sample=None, **labels):
    return m[family][1].get((sample or family, tuple(sorted(labels.items()))), 0)


RT = dict(grpc_service="runtime.v1.RuntimeService")


def test_off_by_default():
    cfg = json.loads(subprocess.run([str(BINARY), "config", "default"], capture_output=True,
                                    text=True, timeout=10).stdout)
    assert cfg["metrics_address"] == ""


def test_rpc_counts_and_latency_histograms_move(served):
    d, url, _ = served
    before = scrape(url)
    for _ in range(7):
        d.runtime().Version(pb.VersionRequest())
    with pytest.raises(grpc.RpcError):
        d.runtime().ContainerStatus(pb.ContainerStatusRequest(container_id="f" * 64))
    m = scrape(url)
    # the client library names a counter family without _total
    assert m["wasmcri_grpc_server_handled"][0] == "counter"
    handled = "wasmcri_grpc_server_handled_total"
    ok = dict(RT, grpc_method="Version", grpc_code="OK")
    assert value(m, "wasmcri_grpc_server_handled", handled, **ok) == \
        value(before, "wasmcri_grpc_server_handled", handled, **ok) + 7
    assert value(m, "wasmcri_grpc_server_handled", handled, grpc_method="ContainerStatus",
                 grpc_code="NotFound", **RT) == 1
    hist = m["wasmcri_grpc_server_handling_seconds"]
    assert hist[0] == "histogram"
    ver = dict(RT, grpc_method="Version")
    count = value(m, "wasmcri_grpc_server_handling_seconds",
                  "wasmcri_grpc_server_handling_seconds_count", **ver)
    assert count == value(m, "wasmcri_grpc_server_handled", handled, **ok)
    buckets = sorted((float(dict(k[1])["le"]), v) for k, v in hist[1].items()
                     if k[0].endswith("_bucket") and dict(k[1])["grpc_method"] == "Version")
    assert buckets[-1] == (float("inf"), count)
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))  # cumulative
    assert 0 < value(m, "wasmcri_grpc_server_handling_seconds",
                     "wasmcri_grpc_server_handling_seconds_sum", **ver) < count * 1.0


def test_pulls_starts_cache_and_states_move(served, tmp_path):
    d, url, refs = served
    m = scrape(url)
    assert value(m, "wasmcri_image_pulls", "wasmcri_image_pulls_total", result="success") == 0
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])), timeout=60)
    with pytest.raises(grpc.RpcError):
        d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(
            image=refs["probe"].rsplit(":", 1)[0] + ":no-such-tag")), timeout=60)
    m = scrape(url)
    assert value(m, "wasmcri_image_pulls", "wasmcri_image_pulls_total", result="success") == 1
    assert value(m, "wasmcri_image_pulls", "wasmcri_image_pulls_total", result="failure") == 1
    probe_size = os.path.getsize(runtime_images.PROBE)  # the layer holds it, compressed
    assert value(m, "wasmcri_image_pull_bytes", "wasmcri_image_pull_bytes_total") > probe_size / 4
    assert value(m, "wasmcri_image_pull_duration_seconds",
                 "wasmcri_image_pull_duration_seconds_count") == 2
    rt = d.runtime()
    pid = run_pod(rt, pod_config("prom", tmp_path))
    cid = create(rt, pid, ctr_config("prom", refs["probe"], args=["sleep", "30"]))
    m = scrape(url)
    assert value(m, "wasmcri_containers", state="created") == 1
    assert value(m, "wasmcri_pods", state="ready") == 1
    start(rt, cid)
    m = scrape(url)
    assert value(m, "wasmcri_container_starts", "wasmcri_container_starts_total") == 1
    assert value(m, "wasmcri_containers", state="running") == 1
    assert value(m, "wasmcri_containers", state="created") == 0
    assert value(m, "wasmcri_module_cache_modules") == 1
    # the cache sizes entries with mallinfo2(), blind to ASan's allocator (test_module_cache.py)
    assert value(m, "wasmcri_module_cache_bytes") > 0 or asan_build()
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    m = scrape(url)
    assert value(m, "wasmcri_containers", state="exited") == 1
    assert value(m, "wasmcri_pods", state="notready") == 1


def test_zygote_restart_is_counted(served):
    d, url, _ = served
    assert value(scrape(url), "wasmcri_zygote_restarts", "wasmcri_zygote_restarts_total") == 0
    os.kill(d.zygote_pid(), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if value(scrape(url), "wasmcri_zygote_restarts", "wasmcri_zygote_restarts_total") == 1:
            break
        time.sleep(0.1)
    assert value(scrape(url), "wasmcri_zygote_restarts", "wasmcri_zygote_restarts_total") == 1


def test_other_paths_and_methods_are_refused(served):
    d, url, _ = served
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url.replace("/metrics", "/other"), timeout=10)
    assert e.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"), timeout=10)
    assert e.value.code == 405
    assert d.stop() == 0  # SIGTERM: the endpoint stops with the daemon
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


@pytest.mark.parametrize("addr,needle", [
    ("localhost:9464", "not a numeric IPv4 or IPv6 address"),
    ("127.0.0.1", "must be HOST:PORT"),
    ("127.0.0.1:99999", "port must be a number from 1 to 65535"),
    ("::1:9464", "not a numeric"),
])
def test_bad_metrics_address_stops_startup_naming_it(tmp_path, addr, needle):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"metrics_address": addr}))
    out = subprocess.run([str(BINARY), "--config", str(path), "--socket", str(tmp_path / "s.sock"),
                          "--root", str(tmp_path / "root"), "--state", str(tmp_path / "state")],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode != 0
    assert '"metrics_address"' in out.stderr and needle in out.stderr, out.stderr


def test_a_metrics_port_in_use_stops_startup(new_daemon):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        addr = "127.0.0.1:%d" % s.getsockname()[1]
        d = new_daemon(config={"metrics_address": addr})
        with pytest.raises(RuntimeError) as e:
            d.start()
        assert f"metrics_address {addr}: cannot listen" in str(e.value)
