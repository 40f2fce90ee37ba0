#!/usr/bin/python3
"""CNI benchmark (issue 10): what the daemon adds to the CNI plugins' own time.

On a bridge conflist private to this run (bridge + host-local, portmap, loopback: Debian's
containernetworking-plugins, tests/integration/cni_net.py), in interleaved rounds:
  - daemon: ROUNDS x PODS x (RunPodSandbox in a pod network namespace -> CreateContainer ->
    StartContainer of probe.wasm) from the C gRPC client (startup_client.c, mode podnet):
    p50 of RunPodSandbox and of the sum of the three rpcs, per round;
  - plain script: the same plugin calls (ADD of each plugin in order, prevResult chained, the
    same config and environment) made from Python's subprocess into a netns made by
    `ip netns add` beforehand: p50 of the whole ADD chain, per round.
Prints the median over the rounds of each p50 and the ratio RunPodSandbox / plugins alone
(the issue's bar: within 1.2x). The daemon's state dir is a tmpfs, as /run/wasmcri is.

Usage: hack/bench/cni.py [BUILD_DIR] [--rounds 5] [--pods 20]
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
sys.path.insert(0, str(TOP / "hack" / "bench"))


def plugin_chain(net, command, netns, cid, prev=None):
    """Runs every plugin of net's conflist as a runtime would (DEL: in reverse, with the
    ADD result); returns the last ADD result."""
    plugins = net.conflist["plugins"]
    env = {"CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": netns,
           "CNI_IFNAME": "eth0", "CNI_PATH": ":".join(net.bin_dirs),
           "CNI_ARGS": f"IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME={cid}",
           "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}
    result = prev
    for p in (plugins if command == "ADD" else list(reversed(plugins))):
        conf = dict(p, name=net.name, cniVersion=net.conflist["cniVersion"])
        if result is not None:
            conf["prevResult"] = result
        out = subprocess.run([f"{net.bin_dirs[0]}/{p['type']}"], input=json.dumps(conf),
                             env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{p['type']} {command}: {out.stdout} {out.stderr}")
        if command == "ADD":
            result = json.loads(out.stdout)
    return result


def script_round(net, n, tag):
    """n ADD chains, each timed, into fresh netns; then DEL and the netns go (untimed)."""
    times = []
    for i in range(n):
        name = f"wcbench-{os.getpid()}-{tag}-{i}"
        subprocess.run(["ip", "netns", "add", name], check=True)
        netns = f"/run/netns/{name}"
        t = time.perf_counter()
        result = plugin_chain(net, "ADD", netns, name)
        times.append(time.perf_counter() - t)
        plugin_chain(net, "DEL", netns, name, result)
        subprocess.run(["ip", "netns", "del", name], check=True)
    return statistics.median(times) * 1e3


def spawn_cost(n=50):
    """p50 of the script's own way of running a process (/bin/true), in ms."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(["/bin/true"], input="{}", capture_output=True, text=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def client_round(client, d, ref, logdir, n):
    out = subprocess.run([str(client), str(d.socket), ref, str(logdir), "podnet", str(n)],
                         check=True, capture_output=True, text=True).stdout
    p50 = {m.group(1).strip(): float(m.group(2)) / 1e3
           for m in re.finditer(r"^(.+?)\s+p50\s+([\d.]+) us", out, re.M)}
    return p50["RunPodSandbox"], p50["sum of the three"]


def measure(net, client, d, refs, base, a):
    """Interleaved rounds of the daemon and the plain script; prints each and the medians."""
    from startup import remove_all
    print(f"== {a.rounds} interleaved rounds x {a.pods} pods on {net.name} "
          f"(bridge + host-local, portmap, loopback)")
    run, total, plain = [], [], []
    for r in range(a.rounds):
        rp, tot = client_round(client, d, refs["probe"], base / f"logs-{r}", a.pods)
        remove_all(d)
        pl = script_round(net, a.pods, r)
        run.append(rp)
        total.append(tot)
        plain.append(pl)
        print(f"round {r}: RunPodSandbox p50 {rp:6.2f} ms   Run+Create+Start p50 {tot:6.2f} ms"
              f"   plugins' ADD chain from a script p50 {pl:6.2f} ms")
    m_run, m_tot, m_plain = (statistics.median(x) for x in (run, total, plain))
    print(f"RunPodSandbox (networked)              p50 {m_run:6.2f} ms (median of rounds)")
    print(f"the same plugin calls from a script    p50 {m_plain:6.2f} ms")
    print(f"ratio                                  {m_run / m_plain:6.2f}x")
    n = len(net.conflist["plugins"])
    print(f"(the script's own process start, {n} x /bin/true p50: {n * spawn_cost():.2f} ms "
          f"of its time)")
    print(f"RunPodSandbox+CreateContainer+StartContainer (networked) p50 {m_tot:6.2f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pods", type=int, default=20)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    from cni_net import BridgeNet
    from startup import bench_daemon, compile_client
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-cni-bench-"))
    client = base / "startup_client"
    compile_client(build, client)
    net = BridgeNet(base / "cni")
    try:
        with bench_daemon(build, base, "wasmcri-cni-bench", net.daemon_config()) as (d, refs):
            measure(net, client, d, refs, base, a)
    finally:
        net.teardown()
    return 0

if __name__ == "__main__":
    sys.exit(main())
