"""Pod networking through CNI (issue 10, part 1), with Debian's real plugins on a
bridge conflist private to each test: pod IPs in PodSandboxStatus, traffic from the
host to the pod and through a hostPort, DEL at stop/remove (also after kill -9),
failing, hanging and lying plugins, what ADD hands the plugins, and that nothing is
left behind."""
import glob
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import grpc
import pytest

import rt_helpers
import runtime_images
from cni_net import (CNI_BIN, BridgeNet, NetnsListener, iptables_rules_naming, netns_mounts,
                     tcp_read)
from rt_helpers import wait_for
from wasmcri_harness import mounts_under, pb

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="CNI plugins need root")


@pytest.fixture(autouse=True)
def no_netns_left_mounted(tmp_path):
    """A failing test's pods keep their netns mounts: unmount what is under tmp_path."""
    yield
    for line in netns_mounts(tmp_path):
        subprocess.run(["umount", "-l", line.split()[4]], capture_output=True)


@pytest.fixture
def net(tmp_path):
    assert os.access(f"{CNI_BIN}/bridge", os.X_OK), "containernetworking-plugins not installed"
    n = BridgeNet(tmp_path / "cni")
    yield n
    n.teardown()


def pod_config(name, host_network=False, ports=(), annotations=None, uid=None):
    ns = pb.NamespaceOption(network=pb.NODE if host_network else pb.POD)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=uid or f"{name}-uid", namespace="cni"),
        hostname=name,
        port_mappings=[pb.PortMapping(protocol=pb.TCP, container_port=c, host_port=h)
                       for c, h in ports],
        annotations=annotations or {},
        dns_config=pb.DNSConfig(servers=["10.96.0.10"], searches=["cni.svc.cluster.local"]),
        linux=pb.LinuxPodSandboxConfig(
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)))


def run_pod(rt, cfg, timeout=60):
    return rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=timeout).pod_sandbox_id


def status(rt, pid):
    return rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status


def netns_of(d, pid):
    return d.state / "netns" / pid


def assert_nothing_left(net, d, pod_ids=()):
    assert net.held_ips() == set(), "host-local still holds addresses"
    assert net.veths() == [], "veths left on the bridge"
    assert netns_mounts(d.state) == [], "netns mounts left"
    assert list((d.state / "netns").iterdir()) == [], "netns files left"
    for pid in pod_ids:
        assert iptables_rules_naming(pid) == [], f"iptables rules left for {pid}"


def test_pod_gets_an_ip_reachable_from_the_host_and_freed_at_removal(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("web"))
    st = status(rt, pid)
    ip = st.network.ip
    assert ip.startswith(net.subnet_prefix + ".") and ip != net.gateway
    assert list(st.network.additional_ips) == []
    assert net.held_ips() == {ip}
    assert len(net.veths()) == 1
    listener = NetnsListener(netns_of(d, pid), 8080, "hello from the pod")
    try:
        assert tcp_read(ip, 8080) == "hello from the pod"
    finally:
        listener.stop()
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert net.held_ips() == set() and net.veths() == []
    assert not status(rt, pid).HasField("network"), "a stopped pod shows a released IP"
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid), timeout=60)  # idempotent
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert_nothing_left(net, d, [pid])


def test_remove_without_stop_runs_del(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("rm-only"))
    assert len(net.held_ips()) == 1
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert_nothing_left(net, d, [pid])


def test_host_network_pod_has_no_network_status(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("hostnet", host_network=True))
    assert not status(rt, pid).HasField("network")
    assert net.held_ips() == set() and net.veths() == []
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_no_cni_config_leaves_loopback_only_and_no_empty_ip(new_daemon, tmp_path):
    empty = tmp_path / "empty.d"
    empty.mkdir()
    d = new_daemon(config={"cni": {"conf_dir": str(empty), "bin_dirs": [CNI_BIN]}}).start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("lo-only"))
    assert not status(rt, pid).HasField("network")
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_host_port_mapping_answers_on_the_node(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    host_port = 20000 + (os.getpid() * 7 + int(time.time())) % 20000
    pid = run_pod(rt, pod_config("mapped", ports=[(8080, host_port)]))
    listener = NetnsListener(netns_of(d, pid), 8080, "through the host port")
    try:
        assert tcp_read(net.gateway, host_port) == "through the host port"
    finally:
        listener.stop()
    assert iptables_rules_naming(pid), "portmap made no rule naming the pod"
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert_nothing_left(net, d, [pid])


def test_del_works_after_kill_9_and_restart(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    pid = run_pod(rt, pod_config("survivor"))
    ip = status(rt, pid).network.ip
    d.stop(sig=signal.SIGKILL)
    d.start()
    rt = d.runtime()
    assert status(rt, pid).network.ip == ip
    # the conf dir changes meanwhile: DEL runs from what ADD used, as libcni's cache
    for f in net.conf_dir.iterdir():
        f.unlink()
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert net.held_ips() == set() and net.veths() == []
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    assert_nothing_left(net, d, [pid])


RUN_POD_CLIENT = f"""
import sys
sys.path.insert(0, {str(pathlib.Path(__file__).parent)!r})
import grpc
from wasmcri_harness import api_pb2_grpc, pb
rt = api_pb2_grpc.RuntimeServiceStub(grpc.insecure_channel("unix://" + sys.argv[1]))
cfg = pb.PodSandboxConfig(
    metadata=pb.PodSandboxMetadata(name="cut-short", uid="cut-short-uid", namespace="cni"),
    linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
        namespace_options=pb.NamespaceOption(network=pb.POD))))
try:
    rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=60)
except grpc.RpcError as e:
    print(e.code(), e.details())
    sys.exit(1)
"""


def test_pod_of_a_daemon_killed_during_add_is_kept_and_its_removal_runs_del(new_daemon, tmp_path):
    bin_dir = tmp_path / "bin"
    pidfile = tmp_path / "slow.pid"
    script_plugin(bin_dir, "slowplugin", f"""
if os.environ["CNI_COMMAND"] == "ADD":
    open({str(pidfile)!r}, "w").write(str(os.getpid()))
    time.sleep(30)
""")
    net = BridgeNet(tmp_path / "cni", bin_dirs=[str(bin_dir), CNI_BIN],
                    extra_plugins=[{"type": "slowplugin"}])
    try:
        d = new_daemon(config=net.daemon_config()).start()
        # RunPodSandbox from a client process of its own, so that the test's channel has no
        # call in flight when the daemon dies
        client = subprocess.Popen([sys.executable, "-c", RUN_POD_CLIENT, str(d.socket)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pidfile.exists(), "the slow plugin never ran"
        assert len(net.held_ips()) == 1  # bridge and host-local ran before it
        d.stop(sig=signal.SIGKILL)
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
        out, _ = client.communicate(timeout=30)
        assert client.returncode == 1, out  # its RunPodSandbox failed with the daemon
        d.start()
        rt = d.runtime()
        pods = list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items)
        assert [(p.metadata.name, p.state) for p in pods] == [("cut-short", pb.SANDBOX_NOTREADY)]
        assert not status(rt, pods[0].id).HasField("network")
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pods[0].id), timeout=60)
        assert_nothing_left(net, d, [pods[0].id])
    finally:
        net.teardown()


def test_dual_stack_pod_has_ipv4_first_and_ipv6_additional(new_daemon, tmp_path):
    net = BridgeNet(tmp_path / "cni6", ipv6=True)
    try:
        d = new_daemon(config=net.daemon_config()).start()
        rt = d.runtime()
        pid = run_pod(rt, pod_config("dual"))
        st = status(rt, pid)
        assert st.network.ip.startswith(net.subnet_prefix + ".")
        extra = [x.ip for x in st.network.additional_ips]
        assert len(extra) == 1 and extra[0].startswith(net.v6_prefix.rstrip(":")), extra
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert_nothing_left(net, d, [pid])
    finally:
        net.teardown()


def script_plugin(bin_dir, name, body):
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/usr/bin/python3\nimport json, os, sys, time\n" + body)
    path.chmod(0o755)
    return path


# ADD misbehaves; DEL (and VERSION) succeed, as a real plugin's cleanup would.
BAD_PLUGINS = {
    "refuse": ('print(json.dumps({"cniVersion": "1.0.0", "code": 11,'
               ' "msg": "wasmcri test plugin refuses", "details": "by design"}))\nsys.exit(1)\n',
               "wasmcri test plugin refuses (by design)"),
    "garbage": ('print("this is not json")\n', "printed no JSON object"),
    "flood": ('sys.stdout.write("x" * (3 << 20))\n', "printed more than"),
    "hang": ('time.sleep(60)\n', "did not finish in 2000 ms"),
}


@pytest.mark.parametrize("kind", sorted(BAD_PLUGINS))
def test_failing_plugin_gives_its_error_and_leaves_nothing(new_daemon, tmp_path, kind):
    body, message = BAD_PLUGINS[kind]
    bin_dir = tmp_path / "bin"
    script_plugin(bin_dir, "badplugin",
                  'if os.environ["CNI_COMMAND"] != "ADD":\n    sys.exit(0)\n' + body)
    net = BridgeNet(tmp_path / "cni", extra_plugins=[{"type": "badplugin"}],
                    bin_dirs=[str(bin_dir), CNI_BIN])
    try:
        d = new_daemon(config=net.daemon_config(plugin_timeout_s=2)).start()
        rt = d.runtime()
        t0 = time.monotonic()
        with pytest.raises(grpc.RpcError) as e:
            run_pod(rt, pod_config("doomed"))
        assert time.monotonic() - t0 < 20
        assert message in e.value.details(), e.value.details()
        assert "badplugin" in e.value.details()
        assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
        assert_nothing_left(net, d)
        # the daemon kept serving meanwhile, and a fixed config works at once
        net.conflist["plugins"] = [p for p in net.conflist["plugins"] if p["type"] != "badplugin"]
        net.write()
        pid = run_pod(rt, pod_config("doomed"))
        assert status(rt, pid).network.ip
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert_nothing_left(net, d, [pid])
    finally:
        net.teardown()


def test_plugins_get_cni_args_runtime_config_and_prev_result(new_daemon, tmp_path):
    bin_dir = tmp_path / "bin"
    record = tmp_path / "record.jsonl"
    script_plugin(bin_dir, "recorder", f"""
conf = json.load(sys.stdin)
env = {{k: v for k, v in os.environ.items() if k.startswith("CNI_")}}
with open({str(record)!r}, "a") as f:
    f.write(json.dumps({{"env": env, "conf": conf}}) + "\\n")
if env["CNI_COMMAND"] == "ADD":
    print(json.dumps(conf["prevResult"]))
""")
    net = BridgeNet(tmp_path / "cni", bin_dirs=[str(bin_dir), CNI_BIN], extra_plugins=[
        {"type": "recorder", "capabilities": {"portMappings": True, "bandwidth": True,
                                              "dns": True, "notGiven": True}}])
    try:
        d = new_daemon(config=net.daemon_config()).start()
        rt = d.runtime()
        pid = run_pod(rt, pod_config(
            "recorded", ports=[(80, 0), (8080, 31080)], uid="u-123",
            annotations={"kubernetes.io/ingress-bandwidth": "10M",
                         "kubernetes.io/egress-bandwidth": "1Mi"}))
        ip = status(rt, pid).network.ip
        add = json.loads(record.read_text().splitlines()[0])
        env, conf = add["env"], add["conf"]
        assert env["CNI_COMMAND"] == "ADD" and env["CNI_CONTAINERID"] == pid
        assert env["CNI_IFNAME"] == "eth0" and env["CNI_NETNS"] == str(netns_of(d, pid))
        assert env["CNI_ARGS"] == ("IgnoreUnknown=1;K8S_POD_NAMESPACE=cni;K8S_POD_NAME=recorded;"
                                   f"K8S_POD_INFRA_CONTAINER_ID={pid};K8S_POD_UID=u-123")
        assert env["CNI_PATH"] == f"{bin_dir}:{CNI_BIN}"
        assert conf["name"] == net.name and conf["cniVersion"] == "1.0.0"
        assert conf["prevResult"]["ips"][0]["address"].startswith(ip + "/")
        assert conf["runtimeConfig"] == {
            "portMappings": [{"hostPort": 31080, "containerPort": 8080, "protocol": "tcp",
                              "hostIP": ""}],
            "bandwidth": {"ingressRate": 10_000_000, "ingressBurst": 2147483647,
                          "egressRate": 1048576, "egressBurst": 2147483647},
            "dns": {"servers": ["10.96.0.10"], "searches": ["cni.svc.cluster.local"],
                    "options": []},
        }
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        dels = [json.loads(x) for x in record.read_text().splitlines()[1:]]
        assert [x["env"]["CNI_COMMAND"] for x in dels] == ["DEL"]
        assert dels[0]["conf"]["prevResult"]["ips"][0]["address"].startswith(ip + "/")
        assert dels[0]["conf"]["runtimeConfig"] == conf["runtimeConfig"]
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert len(record.read_text().splitlines()) == 2, "DEL ran again after a stop"
        assert_nothing_left(net, d, [pid])
    finally:
        net.teardown()


def test_bad_bandwidth_annotation_is_an_invalid_argument(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    with pytest.raises(grpc.RpcError) as e:
        run_pod(rt, pod_config("bw", annotations={"kubernetes.io/ingress-bandwidth": "fast"}))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "kubernetes.io/ingress-bandwidth" in e.value.details()
    assert_nothing_left(net, d)


def test_other_rpcs_are_served_while_a_plugin_runs(new_daemon, tmp_path):
    """The plugin's ADD runs until the test opens its gate (a file; the daemon kills it after
    plugin_timeout_s if the test never does): the other rpcs are answered meanwhile, an
    order no loaded machine can change (the rpcs' wall-clock time, checked before, could)."""
    bin_dir, gate, running = tmp_path / "bin", tmp_path / "add-may-end", tmp_path / "add-runs"
    script_plugin(bin_dir, "slowplugin", 'if os.environ["CNI_COMMAND"] == "ADD":\n'
                  f'    open("{running}", "w").close()\n'
                  f'    while not os.path.exists("{gate}"):\n        time.sleep(0.01)\n'
                  '    print(json.dumps(json.load(sys.stdin)["prevResult"]))\n')
    net = BridgeNet(tmp_path / "cni", bin_dirs=[str(bin_dir), CNI_BIN],
                    extra_plugins=[{"type": "slowplugin"}])
    try:
        d = new_daemon(config=net.daemon_config()).start()
        rt = d.runtime()
        fut = rt.RunPodSandbox.future(pb.RunPodSandboxRequest(config=pod_config("slow")),
                                      timeout=60)
        wait_for(running.exists, 30, "the plugin's ADD never ran")
        rt.Version(pb.VersionRequest(), timeout=20)
        rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=20)
        with pytest.raises(grpc.RpcError) as e:  # the name is taken while ADD runs
            run_pod(rt, pod_config("slow"))
        assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
        assert not fut.done()  # ADD is still held: nothing above waited for it
        gate.touch()
        pid = fut.result().pod_sandbox_id
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert_nothing_left(net, d, [pid])
    finally:
        net.teardown()


def test_network_ready_follows_the_config_directory(new_daemon, tmp_path):
    net = BridgeNet(tmp_path / "cni")
    try:
        conf = net.conf_dir / "10-bridge.conflist"
        conf.unlink()
        d = new_daemon(config=net.daemon_config()).start()
        rt = d.runtime()

        def ready():
            conds = rt.Status(pb.StatusRequest()).status.conditions
            return {c.type: c for c in conds}["NetworkReady"]
        assert ready().status is False
        net.write()
        assert ready().status is True
        pid = run_pod(rt, pod_config("follows"))
        assert status(rt, pid).network.ip
        broken = dict(net.conflist, plugins=[{"type": "no-such-plugin"}])
        (net.conf_dir / "00-broken.conflist").write_text(json.dumps(broken))
        r = ready()
        assert r.status is False and "no-such-plugin" in r.message
        with pytest.raises(grpc.RpcError) as e:
            run_pod(rt, pod_config("refused"))
        assert "no-such-plugin" in e.value.details()
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
        assert_nothing_left(net, d, [pid])
    finally:
        net.teardown()


def test_100_networked_pods_leave_nothing_behind(new_daemon, net):
    d = new_daemon(config=net.daemon_config()).start()
    rt = d.runtime()
    base = 20000 + (os.getpid() * 13 + int(time.time())) % 20000
    ids = []
    for i in range(100):
        ids.append(run_pod(rt, pod_config(f"many-{i}", ports=[(80, base + i % 10)])))
        if len(ids) == 10:  # ten at a time hold addresses and host ports together
            assert len(net.held_ips()) == 10 and len(net.veths()) == 10
            for p in ids:
                rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p), timeout=60)
            assert_nothing_left(net, d, ids)
            ids.clear()
    assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert_nothing_left(net, d)


def test_containers_made_while_their_pod_is_removed_do_not_outlive_it(new_daemon, net,
                                                                      runtime_registry,
                                                                      tmp_path):
    """Before: RemovePodSandbox (on a thread of its own, as for every networked pod) listed
    the pod's containers once; containers created and started after that kept running in
    the removed pod, with their records, writable-layer mounts and cgroups (54 of them in
    one run). Now a pod being stopped or removed takes no new container: the creates and
    starts racing the removal are refused (FailedPrecondition) or find it gone (NotFound),
    and nothing of the pod is left."""
    reg, refs = runtime_registry
    d = new_daemon(config=dict(runtime_images.daemon_config(reg), **net.daemon_config())).start()
    runtime_images.pull_all(d, {"probe": refs["probe"]})
    rt = d.runtime()
    cfg = pod_config("removed-while-filled")
    cfg.log_directory = str(tmp_path / "logs")
    pid = run_pod(rt, cfg)

    def container(name):  # a write under "/" mounts its layer; a memory limit makes a cgroup
        return rt_helpers.ctr_config(name, refs["probe"], args=["write", "/x", "x", "--",
                                                                "sleep", "600"], memory=64 << 20)
    for i in range(30):
        rt_helpers.start(rt, rt_helpers.create(rt, pid, container(f"early{i}")))
    made, refused = [], []

    def keep_making():
        for i in range(10000):
            try:
                made.append(rt_helpers.create(rt, pid, container(f"late{i}")))
                rt_helpers.start(rt, made[-1])
            except grpc.RpcError as e:
                refused.append(e.code())
                if e.code() == grpc.StatusCode.NOT_FOUND and "pod sandbox" in e.details():
                    return
                assert e.code() in (grpc.StatusCode.FAILED_PRECONDITION,
                                    grpc.StatusCode.NOT_FOUND), e.details()

    maker = threading.Thread(target=keep_making)
    maker.start()
    wait_for(lambda: len(made) >= 3, 60, "no container was made in the pod")
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=120)
    maker.join(timeout=120)
    assert not maker.is_alive() and refused[-1] == grpc.StatusCode.NOT_FOUND
    left = rt.ListContainers(pb.ListContainersRequest()).containers
    assert [(c.metadata.name, c.state) for c in left] == []
    assert list(rt.ListPodSandbox(pb.ListPodSandboxRequest()).items) == []
    assert mounts_under(d.base) == []
    assert [c for c in made if glob.glob(f"/sys/fs/cgroup/*/wasmcri/{c}")] == []
    zygote = d.zygote_pid()
    workers = [open(f"/proc/{p}/comm").read().strip()
               for p in open(f"/proc/{zygote}/task/{zygote}/children").read().split()]
    # the forker alone: the last create took the spare (its made worker is gone with the pod)
    # and no start came to fork the next one (the next create forks it)
    assert sorted(workers) in ([], ["wasmcri-spare"], ["wasmcri-forker"],
                               ["wasmcri-forker", "wasmcri-spare"])
    assert_nothing_left(net, d, [pid])
