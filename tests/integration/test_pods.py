"""Pod sandboxes: records, filters, idempotent stop/remove, network namespaces,
resolv.conf/hostname files, and persistence across a daemon restart."""
import os
import pathlib

import grpc
import pytest

from wasmcri_harness import pb


def pod_config(name, tmp_path, uid="uid-1", attempt=0, host_network=True, labels=None, **kw):
    ns = pb.NamespaceOption(network=pb.NODE if host_network else pb.POD)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace="default", attempt=attempt),
        hostname=kw.get("hostname", name),
        log_directory=str(tmp_path / "logs" / name),
        dns_config=kw.get("dns"),
        labels=labels or {"app": name},
        annotations={"note": "kept"},
        linux=pb.LinuxPodSandboxConfig(
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)))


def run_pod(rt, cfg):
    return rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg)).pod_sandbox_id


def test_run_status_list_stop_remove(daemon, tmp_path):
    rt = daemon.runtime()
    pid = run_pod(rt, pod_config("web", tmp_path))
    assert len(pid) == 64 and all(c in "0123456789abcdef" for c in pid)
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    assert st.id == pid and st.metadata.name == "web" and st.metadata.uid == "uid-1"
    assert st.state == pb.SANDBOX_READY
    assert st.labels == {"app": "web"} and st.annotations == {"note": "kept"}
    assert st.created_at > 1_600_000_000 * 10**9
    assert st.linux.namespaces.options.network == pb.NODE
    assert (tmp_path / "logs" / "web").is_dir()
    items = rt.ListPodSandbox(pb.ListPodSandboxRequest()).items
    assert pid in [p.id for p in items]
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))  # idempotent
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    assert st.state == pb.SANDBOX_NOTREADY
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))  # idempotent
    with pytest.raises(grpc.RpcError) as e:
        rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_same_name_and_attempt_already_exists(daemon, tmp_path):
    rt = daemon.runtime()
    pid = run_pod(rt, pod_config("dup", tmp_path))
    with pytest.raises(grpc.RpcError) as e:
        run_pod(rt, pod_config("dup", tmp_path))
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    other = run_pod(rt, pod_config("dup", tmp_path, attempt=1))
    for p in (pid, other):
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p))


def test_unknown_ids(daemon):
    rt = daemon.runtime()
    # stop and remove succeed once nothing is left to reclaim (the CRI contract)
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id="0" * 64))
    with pytest.raises(grpc.RpcError) as e:
        rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id="nope"))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id="0" * 64))


def test_missing_metadata_is_invalid(daemon):
    with pytest.raises(grpc.RpcError) as e:
        daemon.runtime().RunPodSandbox(pb.RunPodSandboxRequest(config=pb.PodSandboxConfig()))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_filters(daemon, tmp_path):
    rt = daemon.runtime()
    a = run_pod(rt, pod_config("fa", tmp_path, labels={"tier": "front", "x": "1"}))
    b = run_pod(rt, pod_config("fb", tmp_path, labels={"tier": "back"}))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=b))

    def ids(**f):
        return {p.id for p in rt.ListPodSandbox(
            pb.ListPodSandboxRequest(filter=pb.PodSandboxFilter(**f))).items}

    assert ids(id=a) == {a}
    assert ids(id=a[:12]) == {a}
    assert ids(label_selector={"tier": "front"}) == {a}
    assert ids(label_selector={"tier": "front", "x": "2"}) == set()
    ready = ids(state=pb.PodSandboxStateValue(state=pb.SANDBOX_READY))
    assert a in ready and b not in ready
    assert b in ids(state=pb.PodSandboxStateValue(state=pb.SANDBOX_NOTREADY))
    # a unique prefix works wherever an id does
    assert rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=a[:10])).status.id == a
    for p in (a, b):
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p))


def test_pod_network_namespace_has_loopback_only(daemon, tmp_path):
    rt = daemon.runtime()
    pid = run_pod(rt, pod_config("netpod", tmp_path, host_network=False))
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    assert st.network.ip == ""
    ns = daemon.state / "netns" / pid
    assert ns.exists()
    out = os.popen(f"nsenter --net={ns} ip -o link").read()
    assert "lo:" in out and "UP" in out.split("lo:")[1].split("\n")[0]
    assert len(out.strip().splitlines()) == 1
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    assert not ns.exists()
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_resolv_conf_and_hostname_files(daemon, tmp_path):
    rt = daemon.runtime()
    dns = pb.DNSConfig(servers=["10.0.0.10"], searches=["default.svc", "svc"], options=["ndots:5"])
    pid = run_pod(rt, pod_config("dnspod", tmp_path, dns=dns, hostname="h1"))
    pod_dir = daemon.state / "pods" / pid
    assert (pod_dir / "resolv.conf").read_text() == (
        "nameserver 10.0.0.10\nsearch default.svc svc\noptions ndots:5\n")
    assert (pod_dir / "hostname").read_text() == "h1\n"
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    assert not pod_dir.exists()


def test_pods_survive_a_restart(new_daemon, tmp_path):
    d = new_daemon().start()
    rt = d.runtime()
    a = run_pod(rt, pod_config("keep", tmp_path, host_network=False))
    b = run_pod(rt, pod_config("stopped", tmp_path))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=b))
    d.stop(sig=9)
    d.start()
    rt = d.runtime()
    pods = {p.id: p for p in rt.ListPodSandbox(pb.ListPodSandboxRequest()).items}
    assert set(pods) == {a, b}
    assert pods[a].state == pb.SANDBOX_READY and pods[b].state == pb.SANDBOX_NOTREADY
    assert pods[a].labels == {"app": "keep"}
    for p in (a, b):
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p))
    assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert d.stop() == 0
