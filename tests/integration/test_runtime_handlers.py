"""What Status tells a kubelet about runtime handlers and features (RuntimeClass, recursive
read-only mounts, supplemental groups policy), a RunPodSandbox naming an unknown handler, and
recursive read-only mounts as a container sees them (issue 17, item 5)."""
import subprocess
import uuid

import grpc
import pytest

from rt_helpers import ctr_config, pod_config, run_pod, run_to_exit, status, stdout_text
from wasmcri_harness import pb


def test_status_lists_the_default_and_wasm_handlers_with_their_features(daemon):
    r = daemon.runtime().Status(pb.StatusRequest())
    handlers = {h.name: h.features for h in r.runtime_handlers}
    assert set(handlers) == {"", "wasm"}
    for features in handlers.values():
        assert features.recursive_read_only_mounts is True
        assert features.user_namespaces is False
    assert r.features.supplemental_groups_policy is True
    assert r.features.user_namespaces_host_network is False


def test_run_pod_with_an_unknown_runtime_handler_fails_naming_it(daemon, tmp_path):
    rt = daemon.runtime()
    cfg = pod_config("handler-x", tmp_path)
    with pytest.raises(grpc.RpcError) as e:
        rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg, runtime_handler="runc"))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert 'runtime handler "runc" is not known' in e.value.details()
    assert not rt.ListPodSandbox(pb.ListPodSandboxRequest()).items


def test_run_pod_with_the_wasm_handler_reports_it(daemon, tmp_path):
    rt = daemon.runtime()
    pid = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=pod_config("handler-wasm", tmp_path),
                                                   runtime_handler="wasm")).pod_sandbox_id
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    assert st.runtime_handler == "wasm"
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


@pytest.fixture
def host_dir_with_submount(tmp_path):
    """A directory with a writable tmpfs mounted beneath it, as a hostPath volume may have."""
    top = tmp_path / f"rro-{uuid.uuid4().hex[:8]}"
    sub = top / "sub"
    sub.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "rro-test", str(sub)], check=True)
    (sub / "in-sub.txt").write_text("submount\n")
    yield top
    subprocess.run(["umount", str(sub)], check=True)


def rro_mount(container_path, host_path, readonly=True, rro=True, propagation=pb.PROPAGATION_PRIVATE):
    return pb.Mount(container_path=container_path, host_path=str(host_path), readonly=readonly,
                    recursive_read_only=rro, propagation=propagation)


def test_recursive_read_only_mount_refuses_writes_in_a_submount(rt, tmp_path, host_dir_with_submount):
    r = rt.runtime()
    pid = run_pod(r, pod_config("rro", tmp_path))
    cfg = ctr_config("rro", rt.refs["probe"], args=["cat", "/v/sub/in-sub.txt", "--", "write",
                                                    "/v/sub/new.txt", "x"])
    cfg.mounts.append(rro_mount("/v", host_dir_with_submount))
    cid, st = run_to_exit(r, pid, cfg)
    out = stdout_text(tmp_path / "rro.log")
    assert out[0] == "submount"
    assert out[1].startswith("error: /v/sub/new.txt") and "Read-only file system" in out[1], out
    assert st.exit_code == 1
    assert not (host_dir_with_submount / "sub" / "new.txt").exists()
    m = status(r, cid).mounts[0]
    assert (m.readonly, m.recursive_read_only) == (True, True)
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


@pytest.mark.parametrize("mount,why", [
    (dict(readonly=False), "recursive_read_only needs readonly"),
    (dict(propagation=pb.PROPAGATION_HOST_TO_CONTAINER), "needs propagation PROPAGATION_PRIVATE"),
])
def test_recursive_read_only_without_its_conditions_is_invalid(rt, tmp_path, mount, why):
    r = rt.runtime()
    pid = run_pod(r, pod_config("rro-bad", tmp_path))
    cfg = ctr_config("rro-bad", rt.refs["probe"])
    cfg.mounts.append(rro_mount("/v", tmp_path, **mount))
    with pytest.raises(grpc.RpcError) as e:
        r.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pid, config=cfg))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert why in e.value.details() and "/v" in e.value.details()
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
