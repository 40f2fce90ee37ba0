"""PortForward over the streaming server: the rpc answers a one-time URL; a SPDY client
(stream_client.py, as kubectl port-forward opens it) asks for connections to ports of a pod
on a private CNI bridge (cni_net.BridgeNet) where net.wasm serves HTTP; each connection is
made to localhost:PORT inside the pod's network namespace and carries bytes both ways."""
import os
import subprocess

import grpc
import pytest

import runtime_images
import stream_client as sc
from cni_net import CNI_BIN, BridgeNet
from rt_helpers import create, ctr_config, start, wait_state
from wasmcri_harness import Daemon, pb

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="CNI plugins need root")

GET = b"GET / HTTP/1.0\r\n\r\n"


@pytest.fixture(scope="module")
def web(runtime_registry, tmp_path_factory):
    """A daemon on a private bridge with a pod serving HTTP on 8080: (daemon, pod id)."""
    assert os.access(f"{CNI_BIN}/bridge", os.X_OK), "containernetworking-plugins not installed"
    base = tmp_path_factory.mktemp("pf")
    reg, refs = runtime_registry
    net = BridgeNet(base / "cni")
    config = runtime_images.daemon_config(reg)
    config.update(net.daemon_config())
    d = Daemon(base / "d", config=config)
    try:
        d.start()
        runtime_images.pull_all(d, {"net": refs["net"]})
        rt = d.runtime()
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name="web", uid="web-uid", namespace="pf"),
            hostname="web", log_directory=str(base))
        pid = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=60).pod_sandbox_id
        cid = create(rt, pid, ctr_config("web", refs["net"], args=["http", "8080"]))
        start(rt, cid)
        assert wait_state(rt, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
        yield d, pid
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    finally:  # a daemon that died leaves its pod's namespace mounted: it goes here
        d.stop()
        d.kill_zygote()
        for ns in (base / "d" / "state" / "netns").glob("*"):
            subprocess.run(["umount", str(ns)], capture_output=True)
        net.teardown()


def pf_url(d, pid, ports=()):
    return d.runtime().PortForward(pb.PortForwardRequest(pod_sandbox_id=pid, port=list(ports)),
                                   timeout=10).url


def http_get(pf, port, timeout=10):
    """A GET through the forward, retried while the server in the pod comes up."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        body, err = pf.forward(port, GET)
        if not err or time.monotonic() > deadline:
            return body, err
        time.sleep(0.1)


def test_port_forward_reaches_the_pods_localhost(web):
    d, pid = web
    url = pf_url(d, pid, [8080])
    assert url.startswith("http://127.0.0.1:") and "/portforward/" in url
    pf = sc.SpdyPortForward(url)
    body, err = http_get(pf, 8080)
    assert err == "" and body.startswith(b"HTTP/1.") and body.endswith(b"hello from web\n")
    for _ in range(40):  # more requests than the connection has pair slots: they are reused
        body, err = pf.forward(8080, GET)
        assert err == "" and body.endswith(b"hello from web\n")
    pf.close()


def test_port_forward_over_websocket(web):
    """kubelet's WebSocket port forward: the request's ports are channel pairs (data 2i,
    error 2i+1), each first announced by its port in two little-endian bytes."""
    d, pid = web
    http_get(sc.SpdyPortForward(pf_url(d, pid)), 8080)  # the server is up
    ws = sc.WebSocket(pf_url(d, pid, [8080, 8099]), protocols=("v4.channel.k8s.io",))
    ws.sock.settimeout(10)
    first = [ws.recv() for _ in range(4)]
    assert sorted(first) == [(0, b"\x90\x1f"), (1, b"\x90\x1f"), (2, b"\xa3\x1f"),
                             (3, b"\xa3\x1f")]
    ws.send(0, GET)
    got = sc.collect(ws)  # both ports' connections end: so does the WebSocket
    assert got[0].endswith(b"hello from web\n")
    assert "127.0.0.1:8099" in got[3].decode() and "Connection refused" in got[3].decode()


def test_a_closed_port_is_said_on_the_error_stream(web):
    d, pid = web
    pf = sc.SpdyPortForward(pf_url(d, pid))
    http_get(pf, 8080)
    body, err = pf.forward(8099, GET)
    assert body == b""
    assert "127.0.0.1:8099" in err and "Connection refused" in err
    body, err = pf.forward(8080, GET)  # the connection goes on
    assert body.endswith(b"hello from web\n")


def test_a_port_the_request_did_not_name_is_refused(web):
    d, pid = web
    pf = sc.SpdyPortForward(pf_url(d, pid, [9090]))
    body, err = pf.forward(8080, GET)
    assert body == b"" and "port 8080 was not asked for" in err


def test_port_forward_rpc_checks_the_pod(web):
    d, pid = web
    rt = d.runtime()
    with pytest.raises(grpc.RpcError) as e:
        rt.PortForward(pb.PortForwardRequest(pod_sandbox_id="e" * 64, port=[80]), timeout=10)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        rt.PortForward(pb.PortForwardRequest(pod_sandbox_id=pid, port=[70000]), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "70000" in e.value.details()
