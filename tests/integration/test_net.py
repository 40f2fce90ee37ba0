"""Sockets inside the guest (issue 10, part 2), through the daemon: pods run net.wasm
(tests/wasm/net, the WasmEdge socket extension) and real clients talk to them. hostNetwork pods
listen on 127.0.0.1/[::1] and free ports; a pod with its own network namespace reaches a server
and a DNS server the test runs inside that namespace (so the socket provably lives there)."""
import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from registry import free_port
from rt_helpers import (create, ctr_config, http_server, pod_config, run_pod,
                        start, stdout_text, wait_state)
from wasmcri_harness import TOP, pb

FAKE_DNS = TOP / "tests/wasm/wasi/fake_dns.py"


def wait_log(path, text, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(text in line for line in stdout_text(path)):
            return
        time.sleep(0.02)
    raise AssertionError("%s never logged %r: %s" % (path, text, path.read_text() if path.exists() else "-"))


def serve(rt, tmp_path, name, args, host_network=True, mounts=(), dns=None):
    """A pod `name` with one net.wasm container running args; (pod id, container id, log)."""
    r = rt.runtime()
    pid = run_pod(r, pod_config(name, tmp_path, host_network=host_network, dns=dns))
    cid = create(r, pid, ctr_config(name, rt.refs["net"], args=args, mounts=mounts))
    start(r, cid)
    return pid, cid, tmp_path / (name + ".log")


def remove(rt, pid):
    r = rt.runtime()
    r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_http_server_pod_answers_curl_on_ipv4_and_ipv6(rt, tmp_path):
    p4, p6 = free_port(), free_port()
    pod4, _, log4 = serve(rt, tmp_path, "web4", ["http", str(p4), "127.0.0.1"])
    pod6, _, log6 = serve(rt, tmp_path, "web6", ["http", str(p6), "::1"])
    try:
        wait_log(log4, "listening on %d" % p4)
        wait_log(log6, "listening on %d" % p6)
        out = subprocess.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d/" % p4],
                             capture_output=True, text=True)
        assert out.stdout == "hello from web4\n", out.stderr
        out = subprocess.run(["curl", "-sS", "-g", "--max-time", "5", "http://[::1]:%d/a" % p6],
                             capture_output=True, text=True)
        assert out.stdout == "hello from web6\n", out.stderr
        # keep-alive: three requests on one connection, then a second client at once
        conn = socket.create_connection(("127.0.0.1", p4), timeout=5)
        other = socket.create_connection(("127.0.0.1", p4), timeout=5)
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        other.sendall(b"GET / HTTP/1.0\r\n\r\n")
        got = b""
        while got.count(b"hello from web4") < 3:
            got += conn.recv(4096)
        assert got.count(b"HTTP/1.1 200 OK") == 3
        assert b"hello from web4" in other.recv(4096)
        conn.close()
        other.close()
    finally:
        remove(rt, pod4)
        remove(rt, pod6)
    # the pods are gone, and so are their listening sockets
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", p4), timeout=2)


def test_udp_echo_pod(rt, tmp_path):
    port = free_port()
    pid, _, log = serve(rt, tmp_path, "echo", ["udp-echo", str(port), "127.0.0.1"])
    try:
        wait_log(log, "echoing on %d" % port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.bind(("127.0.0.1", 0))
            for msg in (b"ping", b"second datagram"):
                s.sendto(msg, ("127.0.0.1", port))
                data, peer = s.recvfrom(2048)
                assert (data, peer) == (b"echo: " + msg, ("127.0.0.1", port))
    finally:
        remove(rt, pid)


def test_client_pod_resolves_a_name_from_its_hosts_file_and_fetches(rt, tmp_path):
    srv = http_server("127.0.0.1", "served %s to a pod")
    hosts = tmp_path / "hosts"  # what kubelet mounts at /etc/hosts
    hosts.write_text("127.0.0.1 localhost\n127.0.0.1 api.pod.test api\n")
    try:
        pid, cid, log = serve(rt, tmp_path, "client",
                              ["fetch", "api.pod.test", str(srv.server_port), "/items"],
                              mounts=[("/etc/hosts", str(hosts), True)])
        st = wait_state(rt.runtime(), cid, pb.CONTAINER_EXITED)
        assert st.exit_code == 0, log.read_text()
        assert stdout_text(log) == ["served /items to a pod"]
        remove(rt, pid)
        # a name the hosts file does not have is not found (no DNS server answers in the
        # pod's resolv.conf, which points at a closed port)
        pid, cid, log = serve(rt, tmp_path, "client2", ["fetch", "nope.pod.test", "1", "/"],
                              mounts=[("/etc/hosts", str(hosts), True)],
                              dns=pb.DNSConfig(servers=["127.0.0.9"], options=["timeout:1",
                                                                              "attempts:1"]))
        st = wait_state(rt.runtime(), cid, pb.CONTAINER_EXITED, timeout=15)
        assert st.exit_code == 1
        assert stdout_text(log)[0].startswith("fetch: cannot resolve nope.pod.test")
        remove(rt, pid)
    finally:
        srv.shutdown()


def test_two_pods_talk(rt, tmp_path):
    port = free_port()
    server, _, slog = serve(rt, tmp_path, "pod-a", ["http", str(port), "127.0.0.1"])
    try:
        wait_log(slog, "listening on %d" % port)
        client, cid, clog = serve(rt, tmp_path, "pod-b", ["fetch", "127.0.0.1", str(port), "/"])
        st = wait_state(rt.runtime(), cid, pb.CONTAINER_EXITED)
        assert st.exit_code == 0, clog.read_text()
        assert stdout_text(clog) == ["hello from pod-a"]
        remove(rt, client)
    finally:
        remove(rt, server)


def test_sockets_live_in_the_pods_network_namespace(rt, tmp_path):
    """A pod with its own network namespace: a DNS server and an HTTP server run inside that
    namespace on 127.0.0.1 (on a port nothing holds on the node's 127.0.0.1), and the guest
    resolves loopback.test through its resolv.conf and fetches from that server."""
    r = rt.runtime()
    pid = run_pod(r, pod_config("nsclient", tmp_path, host_network=False,
                                dns=pb.DNSConfig(servers=["127.0.0.1"],
                                                 options=["timeout:2", "attempts:1"])))
    netns = json.loads(r.PodSandboxStatus(pb.PodSandboxStatusRequest(
        pod_sandbox_id=pid, verbose=True)).info["info"])["netns"]
    assert netns, "a pod without hostNetwork has a network namespace"
    port = free_port()
    (tmp_path / "hello.txt").write_text("inside the pod's namespace\n")
    web = subprocess.Popen(["nsenter", "--net=" + netns, sys.executable, "-m", "http.server",
                            "--bind", "127.0.0.1", str(port)], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = ("import socket, time\nfor _ in range(500):\n    try:\n"
             "        socket.create_connection(('127.0.0.1', %d), timeout=1).close()\n        break\n"
             "    except OSError:\n        time.sleep(0.02)\n" % port)
    try:
        subprocess.run(["nsenter", "--net=" + netns, sys.executable, "-c", ready], check=True)
        with pytest.raises(ConnectionRefusedError):  # the node's 127.0.0.1 is another one
            socket.create_connection(("127.0.0.1", port), timeout=1)
        # fake_dns.py answers loopback.test with 127.0.0.1, then runs the pod's container
        cid = create(r, pid, ctr_config("nsclient", rt.refs["net"],
                                        args=["fetch", "loopback.test", str(port), "/hello.txt"]))
        res = subprocess.run(["nsenter", "--net=" + netns, sys.executable, str(FAKE_DNS), "--",
                              sys.executable, "-c", _START_AND_WAIT, str(rt.socket), cid],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
        log = tmp_path / "nsclient.log"
        assert stdout_text(log) == ["inside the pod's namespace"], log.read_text()
        assert "loopback.test/1" in res.stderr
    finally:
        web.kill()
        web.wait()
        remove(rt, pid)


# Run inside fake_dns.py (the DNS server lives as long as this): starts the container over CRI
# and waits for it to exit; exit code 0 when the guest exited 0.
_START_AND_WAIT = """
import sys, time
sys.path.insert(0, %r)
from wasmcri_harness import pb, api_pb2_grpc
import grpc
ch = grpc.insecure_channel('unix://' + sys.argv[1])
rt = api_pb2_grpc.RuntimeServiceStub(ch)
rt.StartContainer(pb.StartContainerRequest(container_id=sys.argv[2]))
for _ in range(500):
    st = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=sys.argv[2])).status
    if st.state == pb.CONTAINER_EXITED:
        sys.exit(st.exit_code)
    time.sleep(0.02)
sys.exit(99)
""" % str(TOP / "tests/integration")


def test_preview1_program_serves_on_preopened_listeners(rt, tmp_path):
    """A plain preview1 program (activated.wasm: no socket extension) serves HTTP on the
    listening sockets the runtime opened for the pod's TCP port mappings, found through
    LISTEN_FDS/LISTEN_FDNAMES at fd 3 upwards; its image files are still there after them. A UDP
    mapping gets no listener; a second container of the pod finds the ports taken and gets none."""
    r = rt.runtime()
    p1, p2, pu = free_port(), free_port(), free_port()
    cfg = pod_config("activated", tmp_path)
    for proto, port in ((pb.TCP, p1), (pb.TCP, p2), (pb.UDP, pu), (pb.TCP, p1)):
        cfg.port_mappings.add(protocol=proto, container_port=port, host_port=port)
    pid = run_pod(r, cfg)
    try:
        cid = create(r, pid, ctr_config("first", rt.refs["net"], command=["/bin/activated.wasm"]))
        start(r, cid)
        log = tmp_path / "first.log"
        wait_log(log, "activated: 2 tcp-%d:tcp-%d" % (p1, p2))
        for port in (p1, p2):
            out = subprocess.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d/" % port],
                                 capture_output=True, text=True)
            assert out.stdout == "served by tcp-%d: greetings from the image\n" % port, out.stderr
        second = create(r, pid, ctr_config("second", rt.refs["net"],
                                           command=["/bin/activated.wasm"]))
        start(r, second)
        st = wait_state(r, second, pb.CONTAINER_EXITED)
        assert st.exit_code == 1
        assert stdout_text(tmp_path / "second.log") == ["activated: no LISTEN_FDS"]
    finally:
        remove(rt, pid)
    with pytest.raises(OSError):  # the listeners went with the pod
        socket.create_connection(("127.0.0.1", p1), timeout=2)


def test_extension_server_binds_its_own_mapped_port(rt, tmp_path):
    """Kubelet turns every containerPort into a port mapping. A program that opens its own
    sockets (the extension's sock_open) gets no pre-opened listeners, so its bind of that port
    is not refused with EADDRINUSE."""
    r = rt.runtime()
    port = free_port()
    cfg = pod_config("ownport", tmp_path)
    cfg.port_mappings.add(protocol=pb.TCP, container_port=port, host_port=port)
    pid = run_pod(r, cfg)
    try:
        cid = create(r, pid, ctr_config("ownport", rt.refs["net"],
                                        args=["http", str(port), "127.0.0.1"]))
        start(r, cid)
        wait_log(tmp_path / "ownport.log", "listening on %d" % port)
        out = subprocess.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d/" % port],
                             capture_output=True, text=True)
        assert out.stdout == "hello from ownport\n", out.stderr
    finally:
        remove(rt, pid)


def test_rust_std_serves_on_fd_3(rt, tmp_path):
    """The issue's words: a Rust program using TcpListener::from_raw_fd(3) serves with no
    extension at all (listenfd.wasm, Rust std built by Debian's rustc)."""
    r = rt.runtime()
    port = free_port()
    cfg = pod_config("listenfd", tmp_path)
    cfg.port_mappings.add(protocol=pb.TCP, container_port=port, host_port=port)
    pid = run_pod(r, cfg)
    try:
        start(r, create(r, pid, ctr_config("listenfd", rt.refs["net"],
                                           command=["/bin/listenfd.wasm"])))
        wait_log(tmp_path / "listenfd.log", "listenfd: LISTEN_FDS=1")
        out = subprocess.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d/" % port],
                             capture_output=True, text=True)
        assert out.stdout == "hello from Rust std on fd 3\n", out.stderr
    finally:
        remove(rt, pid)
