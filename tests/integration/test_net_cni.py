"""Sockets inside the guest on the node's CNI network (issue 10, parts 2 and 3): pods with IPs
from a bridge conflist of Debian's plugins (cni_net.BridgeNet, private to each test) run
net.wasm and activated.wasm (tests/wasm/net): curl reaches a wasm HTTP server on its pod IP and
through a hostPort, a second pod fetches from it by IP, a UDP echo answers on the pod IP, a pod
resolves a name from its /etc/hosts to the bridge's gateway and fetches from a server there, and
a preview1-only program serves on its pre-opened listener at the pod IP."""
import os
import socket
import subprocess
import time
import urllib.parse

import pytest

from cni_net import daemon_on_bridge, on_test_bridge
from rt_helpers import create, ctr_config, http_server, start, stdout_text, wait_state
from wasmcri_harness import pb

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="CNI plugins need root")


@pytest.fixture
def cluster(runtime_registry, tmp_path):
    """A daemon on a private bridge network with the net image pulled: (daemon, net, image)."""
    with daemon_on_bridge(runtime_registry, tmp_path) as c:
        yield c


def pod(rt, logs, name, ports=(), mounts=()):
    """A networked pod (its own netns, an IP from the bridge) running net.wasm or, with
    command, another program of the image: (pod id, pod IP)."""
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="net"),
        hostname=name, log_directory=str(logs),
        port_mappings=[pb.PortMapping(protocol=pb.TCP, container_port=c, host_port=h)
                       for c, h in ports])
    pid = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=60).pod_sandbox_id
    ip = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status.network.ip
    assert ip, "the pod has no IP"
    return pid, ip


def run(rt, pid, image, name, args=(), command=(), mounts=()):
    cid = create(rt, pid, ctr_config(name, image, args=args, command=command, mounts=mounts))
    start(rt, cid)
    return cid


def curl(url, timeout=10):
    """curl's output, retried while the pod's veth and server come up."""
    on_test_bridge(urllib.parse.urlsplit(url).hostname)
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run(["curl", "-sS", "--max-time", "3", url], capture_output=True,
                             text=True)
        if out.returncode == 0 or time.monotonic() > deadline:
            return out
        time.sleep(0.1)


def test_http_pod_on_its_ip_hostport_and_from_another_pod(cluster, tmp_path):
    d, net, image = cluster
    rt = d.runtime()
    host_port = 20000 + (os.getpid() * 13 + int(time.time())) % 20000
    web, web_ip = pod(rt, tmp_path, "web", ports=[(8080, host_port)])
    run(rt, web, image, "web", args=["http", "8080"])
    out = curl("http://%s:8080/" % web_ip)
    assert out.stdout == "hello from web\n", out.stderr
    out = curl("http://%s:%d/" % (net.gateway, host_port))  # the hostPort, through portmap
    assert out.stdout == "hello from web\n", out.stderr
    client, client_ip = pod(rt, tmp_path, "client")
    assert client_ip != web_ip
    cid = run(rt, client, image, "client", args=["fetch", web_ip, "8080", "/"])
    st = wait_state(rt, cid, pb.CONTAINER_EXITED)
    assert st.exit_code == 0, (tmp_path / "client.log").read_text()
    assert stdout_text(tmp_path / "client.log") == ["hello from web"]


def test_udp_echo_on_the_pod_ip(cluster, tmp_path):
    d, _, image = cluster
    rt = d.runtime()
    pid, ip = pod(rt, tmp_path, "echo")
    run(rt, pid, image, "echo", args=["udp-echo", "9999"])
    on_test_bridge(ip)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        deadline, got = time.monotonic() + 10, None
        while got is None and time.monotonic() < deadline:
            s.sendto(b"over the bridge", (ip, 9999))
            try:
                got = s.recvfrom(2048)
            except socket.timeout:
                pass
    assert got == (b"echo: over the bridge", (ip, 9999))


def test_pod_resolves_from_its_hosts_file_and_fetches_from_the_gateway(cluster, tmp_path):
    d, net, image = cluster
    rt = d.runtime()
    pid, _ = pod(rt, tmp_path, "resolver")  # the bridge (and its gateway address) exists now
    srv = http_server(net.gateway, "the gateway served %s")
    hosts = tmp_path / "hosts"  # what kubelet mounts at /etc/hosts
    hosts.write_text("127.0.0.1 localhost\n%s node-gateway.test\n" % net.gateway)
    try:
        cid = run(rt, pid, image, "resolver",
                  args=["fetch", "node-gateway.test", str(srv.server_port), "/status"],
                  mounts=[("/etc/hosts", str(hosts), True)])
        st = wait_state(rt, cid, pb.CONTAINER_EXITED)
        assert st.exit_code == 0, (tmp_path / "resolver.log").read_text()
        assert stdout_text(tmp_path / "resolver.log") == ["the gateway served /status"]
    finally:
        srv.shutdown()


def test_preview1_program_serves_on_its_preopened_listener_at_the_pod_ip(cluster, tmp_path):
    d, _, image = cluster
    rt = d.runtime()
    pid, ip = pod(rt, tmp_path, "activated", ports=[(8081, 0)])
    run(rt, pid, image, "activated", command=["/bin/activated.wasm"])
    out = curl("http://%s:8081/" % ip)
    assert out.stdout == "served by tcp-8081: greetings from the image\n", out.stderr


def test_toolbox_wget_and_nc_on_the_pods_network(cluster, tmp_path):
    """The toolbox's wget and nc in a CNI pod (the guest sockets, in the pod's netns): an exec
    probe written the usual way (`sh -c 'wget -q --spider ...'`) fails until the pod's wasm
    HTTP server listens and passes from then on; wget fetches its page over the pod's loopback
    and its IP; nc talks HTTP to it both ways and tells an open port from a closed one."""
    d, _, image = cluster
    rt = d.runtime()
    pid, ip = pod(rt, tmp_path, "tbnet")
    side = run(rt, pid, image, "side", command=["sleep", "3600"])  # the toolbox's sleep
    assert wait_state(rt, side, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING

    def ex(*cmd):
        return rt.ExecSync(pb.ExecSyncRequest(container_id=side, cmd=list(cmd), timeout=10),
                           timeout=30)

    probe = ("sh", "-c", "wget -q --spider http://127.0.0.1:8080/")
    res = ex(*probe)
    assert (res.exit_code, res.stderr) == \
        (1, b"wget: can't connect to remote host (127.0.0.1): Connection refused\n")
    run(rt, pid, image, "web", args=["http", "8080"])
    deadline = time.monotonic() + 10
    while ex(*probe).exit_code != 0:
        assert time.monotonic() < deadline, "the probe never passed"
        time.sleep(0.1)
    for url in ("http://127.0.0.1:8080/", f"http://{ip}:8080/", "http://localhost:8080/x"):
        res = ex("wget", "-q", "-O-", url)
        assert (res.exit_code, res.stdout, res.stderr) == (0, b"hello from tbnet\n", b""), url
    res = ex("sh", "-c", "printf 'GET / HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n' | "
                         "nc -w 5 127.0.0.1 8080")
    assert res.exit_code == 0 and res.stdout.startswith(b"HTTP/1.1 200"), res
    assert res.stdout.endswith(b"\r\n\r\nhello from tbnet\n"), res
    assert ex("nc", "-z", "127.0.0.1", "8080").exit_code == 0
    assert ex("nc", "-z", "-w", "2", ip, "8081").exit_code == 1
