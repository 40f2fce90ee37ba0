"""The configuration file and command line as an operator meets them."""
import json
import subprocess

import pytest

from wasmcri_harness import BINARY, pb


def run(*args):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=10)


def test_config_default_prints_every_key():
    out = run("config", "default")
    assert out.returncode == 0
    cfg = json.loads(out.stdout)
    assert cfg["socket"] == "/run/wasmcri/wasmcri.sock"
    assert cfg["root"] == "/var/lib/wasmcri"
    assert cfg["state"] == "/run/wasmcri"
    assert cfg["log_level"] == "info"
    assert cfg["cgroup_driver"] == "cgroupfs"
    assert set(cfg["cni"]) == {"conf_dir", "bin_dirs", "plugin_timeout_s"}
    assert cfg["cni"]["plugin_timeout_s"] == 30
    assert cfg["registries"] == []
    assert (cfg["stream_address"], cfg["stream_port"], cfg["stream_idle_timeout"]) == \
        ("127.0.0.1", 0, 4 * 3600)
    assert (cfg["stream_tls"], cfg["stream_tls_cert_file"], cfg["stream_tls_key_file"]) == \
        (False, "", "")


def test_default_file_is_accepted_and_flags_override_it(new_daemon, tmp_path):
    cfg = json.loads(run("config", "default").stdout)
    cfg["cgroup_driver"] = "systemd"
    d = new_daemon(config=cfg).start()  # --socket/--root/--state flags override the file
    assert d.runtime().RuntimeConfig(pb.RuntimeConfigRequest()).linux.cgroup_driver == pb.SYSTEMD
    info = json.loads(d.runtime().Status(pb.StatusRequest(verbose=True)).info["config"])
    assert info["socket"] == str(d.socket)


@pytest.mark.parametrize("content,needle", [
    ({"sokcet": "/x"}, '"sokcet"'),
    ({"cni": {"conf_dir": "/x", "bindirs": []}}, '"cni.bindirs"'),
    ({"registries": [{"host": "r", "mirror": []}]}, '"registries[0].mirror"'),
    ({"log_level": 3}, '"log_level"'),
    ({"cgroup_driver": "cgroupv3"}, '"cgroup_driver"'),
    ({"registries": [{"host": "r", "insecure": "yes"}]}, '"registries[0].insecure"'),
    ({"cni": {"bin_dirs": "/opt/cni/bin"}}, '"cni.bin_dirs"'),
    ({"stream_port": 70000}, '"stream_port"'),
    ({"stream_idle_timeout": "4h"}, '"stream_idle_timeout"'),
    ({"stream_address": 127}, '"stream_address"'),
    ({"stream_address": "localhost"}, '"stream_address"'),
    ({"stream_tls": "yes"}, '"stream_tls"'),
    ({"stream_tls": True, "stream_tls_cert_file": "/c.pem"}, '"stream_tls_key_file"'),
    ({"stream_tls_cert_file": "/c.pem", "stream_tls_key_file": "/k.pem"}, '"stream_tls"'),
])
def test_bad_config_stops_startup_naming_the_key(tmp_path, content, needle):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(content))
    out = run("--config", str(path), "--socket", str(tmp_path / "s.sock"),
              "--root", str(tmp_path / "root"), "--state", str(tmp_path / "state"))
    assert out.returncode != 0
    assert needle in out.stderr and str(path) in out.stderr
    assert not (tmp_path / "s.sock").exists()


def test_invalid_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{\n  "socket": "/x",\n  oops\n}')
    out = run("--config", str(path), "--socket", str(tmp_path / "s.sock"))
    assert out.returncode != 0
    assert str(path) in out.stderr and "line 3" in out.stderr


def test_unreadable_config_file_names_it(tmp_path):
    missing = tmp_path / "missing.json"
    out = run("--config", str(missing), "--socket", str(tmp_path / "s.sock"))
    assert out.returncode != 0
    assert str(missing) in out.stderr


def test_unknown_flag_is_a_usage_error():
    out = run("--no-such-flag")
    assert out.returncode == 2
    assert "usage" in out.stderr


def test_bad_log_level_flag(tmp_path):
    out = run("--log-level", "loud", "--socket", str(tmp_path / "s.sock"))
    assert out.returncode != 0 and "loud" in out.stderr
