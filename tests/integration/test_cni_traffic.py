"""Wasm pods as network citizens on a real CNI network (issue 10, sections 1-3): net.wasm
(tests/wasm/net, the WasmEdge socket extension) in pods on a bridge conflist private to this
module (Debian's bridge, host-local, portmap and loopback plugins): an HTTP server pod answers
curl at its pod IP, a preview1-only server answers through a hostPort mapping on the node (on
the listener the runtime pre-opened), two pods talk by IP across the bridge, and a client pod resolves a name from its /etc/hosts and fetches from a server on the
bridge's gateway address."""
import http.server
import os
import subprocess
import threading
import time

import pytest

from cni_net import BridgeNet
from registry import free_port
from rt_helpers import create, ctr_config, start, stdout_text, wait_state
from wasmcri_harness import Daemon, pb

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="CNI plugins need root")


@pytest.fixture(scope="module")
def netrt(runtime_registry, tmp_path_factory):
    """A daemon on a private bridge network with the runtime test images pulled."""
    import runtime_images
    reg, refs = runtime_registry
    base = tmp_path_factory.mktemp("cni-traffic")
    net = BridgeNet(base / "cni")
    d = Daemon(base / "d", config=dict(runtime_images.daemon_config(reg), **net.daemon_config()))
    d.start()
    runtime_images.pull_all(d, {"net": refs["net"]})  # net.wasm and activated.wasm
    d.refs, d.net = refs, net
    yield d
    rt = d.runtime()
    for p in rt.ListPodSandbox(pb.ListPodSandboxRequest()).items:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id), timeout=60)
    held = net.held_ips()
    rc = d.stop()
    d.kill_zygote()
    net.teardown()
    assert rc == 0, f"daemon exited with {rc}:\n{d.log()}"
    assert held == set(), f"addresses still held after every pod was removed: {held}"


def pod_config(name, log_dir, ports=()):
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="cni-traffic"),
        hostname=name, log_directory=str(log_dir),
        port_mappings=[pb.PortMapping(protocol=pb.TCP, container_port=c, host_port=h)
                       for c, h in ports],
        linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
            namespace_options=pb.NamespaceOption(network=pb.POD))))


def pod_with(d, tmp_path, name, args, ports=(), mounts=(), command=()):
    """A networked pod running net.wasm with args (or the image's command):
    (pod id, pod IP, container id, log)."""
    r = d.runtime()
    pid = r.RunPodSandbox(pb.RunPodSandboxRequest(config=pod_config(name, tmp_path, ports)),
                          timeout=60).pod_sandbox_id
    ip = r.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status.network.ip
    assert ip.startswith(d.net.subnet_prefix + "."), ip
    cid = create(r, pid, ctr_config(name, d.refs["net"], args=args, mounts=mounts,
                                    command=command))
    start(r, cid)
    return pid, ip, cid, tmp_path / (name + ".log")


def remove(d, pid):
    d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)


def wait_log(path, text, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(text in line for line in stdout_text(path)):
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never logged {text!r}")


def curl(url):
    out = subprocess.run(["curl", "-sS", "--max-time", "5", url], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_http_server_pod_answers_curl_at_its_pod_ip(netrt, tmp_path):
    pid, ip, _, log = pod_with(netrt, tmp_path, "web", ["http", "8080"])
    try:
        wait_log(log, "listening on 8080")
        assert curl(f"http://{ip}:8080/") == "hello from web\n"
    finally:
        remove(netrt, pid)
    assert ip not in netrt.net.held_ips()


def test_host_port_mapping_reaches_a_preview1_server_on_its_preopened_listener(netrt, tmp_path):
    """activated.wasm knows no socket call but accept: it serves on the listener the runtime
    opened in the pod's namespace for the port mapping, reached through the pod IP and
    through portmap's hostPort on the node."""
    host_port = free_port()
    pid, ip, _, log = pod_with(netrt, tmp_path, "mapped", [], ports=[(8080, host_port)],
                               command=["/bin/activated.wasm"])
    try:
        wait_log(log, "activated: 1 tcp-8080")
        want = "served by tcp-8080: greetings from the image\n"
        assert curl(f"http://{ip}:8080/") == want
        assert curl(f"http://{netrt.net.gateway}:{host_port}/") == want
    finally:
        remove(netrt, pid)


def test_two_pods_talk_by_ip(netrt, tmp_path):
    server, server_ip, _, slog = pod_with(netrt, tmp_path, "pod-a", ["http", "8080"])
    try:
        wait_log(slog, "listening on 8080")
        client, client_ip, cid, clog = pod_with(netrt, tmp_path, "pod-b",
                                                ["fetch", server_ip, "8080", "/"])
        assert client_ip != server_ip
        st = wait_state(netrt.runtime(), cid, pb.CONTAINER_EXITED)
        assert st.exit_code == 0, clog.read_text()
        assert stdout_text(clog) == ["hello from pod-a"]
        remove(netrt, client)
    finally:
        remove(netrt, server)


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"served {self.path} to {self.client_address[0]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_client_pod_resolves_its_hosts_file_and_fetches_from_the_gateway(netrt, tmp_path):
    srv = http.server.ThreadingHTTPServer((netrt.net.gateway, 0), _Hello)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    hosts = tmp_path / "hosts"  # what kubelet mounts at /etc/hosts
    hosts.write_text(f"127.0.0.1 localhost\n{netrt.net.gateway} api.node.test api\n")
    try:
        pid, ip, cid, log = pod_with(netrt, tmp_path, "client",
                                     ["fetch", "api.node.test", str(srv.server_port), "/items"],
                                     mounts=[("/etc/hosts", str(hosts), True)])
        st = wait_state(netrt.runtime(), cid, pb.CONTAINER_EXITED)
        assert st.exit_code == 0, log.read_text()
        assert stdout_text(log) == [f"served /items to {ip}"]  # it came from the pod's address
        remove(netrt, pid)
    finally:
        srv.shutdown()
