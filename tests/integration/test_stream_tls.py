"""The streaming server over TLS (stream_tls): the rpcs answer https:// URLs, and the clients
(stream_client.py over Python's ssl, verifying the server's certificate) exec and attach over
WebSocket and SPDY as over plain HTTP. The certificate is the configured pair, or one the
daemon makes at start and writes to <state>/stream-tls.crt for clients to trust."""
import ssl
import subprocess

import pytest

import runtime_images
import stream_client as sc
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import pb


@pytest.fixture
def made(new_daemon):
    """The daemons a test made: their pods go at its end (the containers' mounts with them)."""
    daemons = []
    yield daemons
    for d in daemons:
        r = d.runtime()
        for p in r.ListPodSandbox(pb.ListPodSandboxRequest()).items:
            r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))


def tls_daemon(new_daemon, runtime_registry, made, **tls):
    reg, refs = runtime_registry
    d = new_daemon(config=dict(runtime_images.daemon_config(reg), stream_tls=True, **tls)).start()
    made.append(d)
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])), timeout=60)
    r = d.runtime()
    pod = run_pod(r, pod_config("tls", d.base))
    cid = create(r, pod, ctr_config("sleeper", refs["probe"], args=["sleep", "600"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return d, cid


def exec_over(d, cid, proto, ctx):
    url = d.runtime().Exec(pb.ExecRequest(container_id=cid, cmd=["/bin/probe.wasm", "hello"],
                                          stdout=True, stderr=True), timeout=10).url
    assert url.startswith("https://127.0.0.1:"), url
    if proto == "spdy":
        return sc.collect(sc.SpdyChannels(url, tls=ctx))
    return sc.collect(sc.WebSocket(url, tls=ctx))


@pytest.mark.parametrize("proto", ["websocket", "spdy"])
def test_exec_over_tls_with_a_self_signed_certificate(new_daemon, runtime_registry, made, proto):
    d, cid = tls_daemon(new_daemon, runtime_registry, made)
    ctx = ssl.create_default_context(cafile=str(d.state / "stream-tls.crt"))  # it verifies
    got = exec_over(d, cid, proto, ctx)
    assert got[sc.STDOUT] == b"hello from wasm\n" and sc.exit_code(got[sc.ERROR]) == 0
    url = d.runtime().Exec(pb.ExecRequest(container_id=cid, cmd=["/bin/probe.wasm"],
                                          stdout=True), timeout=10).url
    with pytest.raises(ssl.SSLError):  # a client that does not trust it gets nothing
        sc.WebSocket(url, tls=ssl.create_default_context())


def test_a_configured_pair_is_served_and_a_wrong_one_is_refused(new_daemon, runtime_registry,
                                                                made, tmp_path):
    def pair(name):
        cert, key = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        return cert, key
    (cert, key), (_, other_key) = pair("mine"), pair("other")
    d, cid = tls_daemon(new_daemon, runtime_registry, made, stream_tls_cert_file=str(cert),
                        stream_tls_key_file=str(key))
    got = exec_over(d, cid, "websocket", ssl.create_default_context(cafile=str(cert)))
    assert got[sc.STDOUT] == b"hello from wasm\n"
    bad = new_daemon(config={"stream_tls": True, "stream_tls_cert_file": str(cert),
                             "stream_tls_key_file": str(other_key)})
    with pytest.raises(RuntimeError) as e:
        bad.start()
    assert "is not the one of the certificate" in str(e.value) and str(other_key) in str(e.value)
