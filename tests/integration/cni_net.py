"""A private CNI network for one test run, made of Debian's real plugins
(containernetworking-plugins in /usr/lib/cni): a conf dir holding a bridge conflist
(bridge + host-local + portmap + loopback) with a bridge name, subnet and host-local
data dir unique to this run (other engineers run tests on the machine at the same
time), and the helpers the CNI tests use to look at what the plugins made on the
host: addresses held, veths on the bridge, iptables rules, TCP listeners opened in a
pod's network namespace; daemon_on_bridge runs a daemon on such a network.
"""
import contextlib
import json
import os
import pathlib
import random
import socket
import subprocess
import time

import runtime_images
from wasmcri_harness import Daemon, pb

CNI_BIN = "/usr/lib/cni"
BRIDGE_PREFIX = "wcb"  # every test bridge's name starts so


def on_test_bridge(ip):
    """Returns ip once the kernel routes it to a test bridge (or it is an address of one):
    an address whose bridge is gone would leave by the default route, never a target."""
    out = subprocess.run(["ip", "-o", "route", "get", ip], capture_output=True,
                         text=True).stdout
    if not (out.startswith("local ") or f" dev {BRIDGE_PREFIX}" in out):
        raise AssertionError(f"{ip} is not routed to a test bridge: {out.strip()!r}")
    return ip


class BridgeNet:
    """The bridge conflist of one test, in conf_dir; teardown() deletes the bridge."""

    def __init__(self, base, ipv6=False, extra_plugins=(), bin_dirs=(CNI_BIN,)):
        base = pathlib.Path(base)
        sfx = f"{os.getpid() % 10000:04d}{random.randrange(16 ** 4):04x}"
        self.name = f"wasmcri-test-{sfx}"
        self.bridge = f"{BRIDGE_PREFIX}{sfx}"
        self.subnet_prefix = f"10.{random.randrange(200, 250)}.{random.randrange(256)}"
        self.gateway = f"{self.subnet_prefix}.1"
        self.v6_prefix = f"fd{random.randrange(256):02x}:{random.randrange(65536):x}::"
        self.conf_dir = base / "net.d"
        self.ipam_dir = base / "ipam"
        self.bin_dirs = list(bin_dirs)
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        ranges = [[{"subnet": f"{self.subnet_prefix}.0/24"}]]
        if ipv6:
            ranges.append([{"subnet": f"{self.v6_prefix}/64"}])
        plugins = [
            {"type": "bridge", "bridge": self.bridge, "isGateway": True, "ipMasq": False,
             "ipam": {"type": "host-local", "ranges": ranges, "dataDir": str(self.ipam_dir)}},
            *extra_plugins,
            {"type": "portmap", "capabilities": {"portMappings": True}},
            {"type": "loopback"},
        ]
        self.conflist = {"cniVersion": "1.0.0", "name": self.name, "plugins": plugins}
        self.write()

    def write(self, name="10-bridge.conflist"):
        (self.conf_dir / name).write_text(json.dumps(self.conflist))

    def daemon_config(self, **extra):
        cni = {"conf_dir": str(self.conf_dir), "bin_dirs": self.bin_dirs}
        cni.update(extra)
        return {"cni": cni}

    def held_ips(self):
        """The addresses host-local holds for pods (its data dir has one file per address)."""
        d = self.ipam_dir / self.name
        if not d.exists():
            return set()
        return {f.name for f in d.iterdir()
                if not f.name.startswith("last_reserved_ip") and f.name != "lock"}

    def veths(self):
        out = subprocess.run(["ip", "-o", "link", "show", "master", self.bridge],
                             capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.strip()]

    def teardown(self):
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


@contextlib.contextmanager
def daemon_on_bridge(runtime_registry, base):
    """A daemon on a private bridge network with the net image pulled: (daemon, net, image).
    On leaving, its pods are removed, the daemon and its zygote stop and the bridge goes;
    the plugins must have given back every address and iptables rule."""
    assert os.access(f"{CNI_BIN}/bridge", os.X_OK), "containernetworking-plugins not installed"
    reg, refs = runtime_registry
    net = BridgeNet(base / "cni")
    config = runtime_images.daemon_config(reg)
    config.update(net.daemon_config())
    d = Daemon(base / "d", config=config).start()
    runtime_images.pull_all(d, {"net": refs["net"]})
    yield d, net, refs["net"]
    rt = d.runtime()
    pods = [p.id for p in rt.ListPodSandbox(pb.ListPodSandboxRequest()).items]
    for pid in pods:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)
    d.stop()
    d.kill_zygote()
    net.teardown()
    assert net.held_ips() == set() and not any(iptables_rules_naming(p) for p in pods)


def iptables_rules_naming(text):
    """iptables rules (nat and filter) whose text holds `text` (portmap names the pod id)."""
    out = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if text in line]


def netns_mounts(under):
    """The mountinfo lines of pod netns mounts beneath `under` (a state dir or a test's dir)."""
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if f"{under}/" in line.split()[4] and "/netns/" in line]


class NetnsListener:
    """A TCP server in a network namespace (nsenter), answering each connection with
    `reply` and closing it. Stands in for a guest server until wasm sockets exist."""

    SERVER = ("import socket,sys\n"
              "s=socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)\n"
              "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
              "s.bind((sys.argv[1],int(sys.argv[2])));s.listen(8)\n"
              "print('ready',flush=True)\n"
              "while True:\n"
              "    c,_=s.accept();c.sendall(sys.argv[3].encode());c.close()\n")

    def __init__(self, netns_path, port, reply, bind="0.0.0.0"):
        self.proc = subprocess.Popen(
            ["nsenter", f"--net={netns_path}", "python3", "-c", self.SERVER, bind, str(port),
             reply], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", f"listener in {netns_path} did not start"

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def tcp_read(host, port, timeout=5.0):
    """Connects and returns everything the peer sends before closing."""
    on_test_bridge(host)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                data = b""
                while chunk := s.recv(4096):
                    data += chunk
                return data.decode()
        except OSError as e:  # the veth may still be coming up
            last = e
            time.sleep(0.05)
    raise AssertionError(f"no answer from {host}:{port}: {last}")
