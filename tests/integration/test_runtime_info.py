"""The rpcs kubelet and crictl call when they start: Version, Status, RuntimeConfig,
UpdateRuntimeConfig and ImageFsInfo."""
import json
import os

from wasmcri_harness import pb

CNI_BIN = "/usr/lib/cni"  # Debian's containernetworking-plugins


def test_version_fields(daemon):
    v = daemon.runtime().Version(pb.VersionRequest(version="v1"))
    assert v.runtime_name == "wasmcri"
    assert v.runtime_api_version == "v1"
    assert v.version == "0.1.0"
    assert v.runtime_version.count(".") == 2, v.runtime_version


def conditions(status_response):
    return {c.type: c for c in status_response.status.conditions}


def test_status_without_cni_config_is_network_not_ready(new_daemon, tmp_path):
    empty = tmp_path / "net.d"
    empty.mkdir()
    d = new_daemon(config={"cni": {"conf_dir": str(empty), "bin_dirs": [CNI_BIN]}}).start()
    conds = conditions(d.runtime().Status(pb.StatusRequest()))
    assert conds["RuntimeReady"].status is True
    assert conds["NetworkReady"].status is False
    assert conds["NetworkReady"].reason == "NetworkPluginNotReady"
    assert str(empty) in conds["NetworkReady"].message


def write_conflist(conf_dir, plugin_types):
    conf_dir.mkdir(exist_ok=True)
    plugins = [{"type": t} for t in plugin_types]
    (conf_dir / "10-test.conflist").write_text(
        json.dumps({"cniVersion": "1.0.0", "name": "testnet", "plugins": plugins}))


def test_status_with_cni_config_and_plugins_is_network_ready(new_daemon, tmp_path):
    assert os.access(f"{CNI_BIN}/bridge", os.X_OK), "containernetworking-plugins not installed"
    write_conflist(tmp_path / "net.d", ["bridge", "portmap"])
    d = new_daemon(config={"cni": {"conf_dir": str(tmp_path / "net.d"),
                                   "bin_dirs": ["/nonexistent", CNI_BIN]}}).start()
    conds = conditions(d.runtime().Status(pb.StatusRequest()))
    assert conds["NetworkReady"].status is True
    assert conds["NetworkReady"].reason == ""


def test_status_names_the_missing_cni_plugin(new_daemon, tmp_path):
    write_conflist(tmp_path / "net.d", ["bridge", "no-such-plugin"])
    d = new_daemon(config={"cni": {"conf_dir": str(tmp_path / "net.d"),
                                   "bin_dirs": [CNI_BIN]}}).start()
    ready = conditions(d.runtime().Status(pb.StatusRequest()))["NetworkReady"]
    assert ready.status is False
    assert "no-such-plugin" in ready.message and CNI_BIN in ready.message


def test_status_verbose_info_is_json(daemon):
    r = daemon.runtime().Status(pb.StatusRequest(verbose=True))
    info = {k: json.loads(v) for k, v in r.info.items()}
    assert info["config"]["socket"] == str(daemon.socket)
    assert info["config"]["root"] == str(daemon.root)
    assert info["runtime"]["name"] == "wasmcri"
    assert "ready" in info["network"]
    assert not daemon.runtime().Status(pb.StatusRequest()).info


def test_runtime_config_reports_the_configured_cgroup_driver(daemon, new_daemon):
    r = daemon.runtime().RuntimeConfig(pb.RuntimeConfigRequest())
    assert r.linux.cgroup_driver == pb.CGROUPFS
    d = new_daemon(config={"cgroup_driver": "systemd"}).start()
    assert d.runtime().RuntimeConfig(pb.RuntimeConfigRequest()).linux.cgroup_driver == pb.SYSTEMD


def test_update_runtime_config_stores_the_pod_cidr(daemon):
    req = pb.UpdateRuntimeConfigRequest(runtime_config=pb.RuntimeConfig(
        network_config=pb.NetworkConfig(pod_cidr="10.88.0.0/16")))
    daemon.runtime().UpdateRuntimeConfig(req)
    info = daemon.runtime().Status(pb.StatusRequest(verbose=True)).info
    assert json.loads(info["runtime"])["pod_cidr"] == "10.88.0.0/16"


def test_image_fs_info_counts_what_the_image_store_holds(daemon):
    before = daemon.image().ImageFsInfo(pb.ImageFsInfoRequest()).image_filesystems[0]
    assert before.fs_id.mountpoint == str(daemon.root)
    assert before.inodes_used.value >= 1
    assert before.timestamp > 1_600_000_000 * 10**9
    # The image filesystem is the store's content and snapshot trees under the root.
    blob = daemon.root / "content" / "sha256" / "fsinfo-probe"
    blob.write_bytes(os.urandom(1 << 20))
    try:
        after = daemon.image().ImageFsInfo(pb.ImageFsInfoRequest()).image_filesystems[0]
    finally:
        blob.unlink()
    assert after.used_bytes.value >= before.used_bytes.value + (1 << 20)
    assert after.inodes_used.value == before.inodes_used.value + 1
