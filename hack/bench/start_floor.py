#!/usr/bin/python3
"""What a pod start cannot cost less than on this machine (issue 18's 10,000 starts in 10 s):
the two parts every design with a process per container and a kubelet's three calls pays,
measured with nothing of wasmcri's own work in them:
  1. a bare process: fork_floor.c (static) forks a child that only reads its CPU time and
     exits: the parent's CPU in fork(), the child's until its exit call, its exit's;
  2. an empty rpc: Version, sent N times by the C gRPC-core client (rpc_client.c) to a daemon
     on its unix socket: the client's CPU and the daemon's per call.
The floor of a start is 1's parent + child and three times 2 (RunPodSandbox, CreateContainer,
StartContainer), and from it the least time 10,000 starts can take on this machine's CPUs.
Each part is measured ROUNDS times, alternating; medians are printed.

Usage: hack/bench/start_floor.py [BUILD_DIR] [--rounds R]   (default build/; builds its two
clients in a temporary directory, nothing else)
"""
import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
FORKS = 300
CALLS = 3000


def task_run_ns(pid):
    """The time every thread of pid has run so far (schedstat), ns."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def children_cpu_ns():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1e9


def build_clients(tmp):
    fork_floor = pathlib.Path(tmp) / "fork_floor"
    subprocess.run(["cc", "-O2", "-static", "-o", str(fork_floor),
                    str(TOP / "hack/bench/fork_floor.c")], check=True)
    rpc_client = pathlib.Path(tmp) / "rpc_client"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", str(rpc_client), str(TOP / "hack/bench/rpc_client.c"),
                    *flags], check=True)
    return fork_floor, rpc_client


def fork_round(fork_floor):
    out = subprocess.run([str(fork_floor), str(FORKS)], check=True, capture_output=True,
                         text=True).stdout.split()
    return {out[i]: float(out[i + 1]) for i in range(0, len(out), 2)}


def rpc_round(rpc_client, sock, daemon_pid):
    """(client us, daemon us) of CPU per empty call."""
    d0, c0 = task_run_ns(daemon_pid), children_cpu_ns()
    subprocess.run([str(rpc_client), str(sock), "/runtime.v1.RuntimeService/Version",
                    str(CALLS)], check=True, capture_output=True)
    return (children_cpu_ns() - c0) / CALLS / 1000, (task_run_ns(daemon_pid) - d0) / CALLS / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        fork_floor, rpc_client = build_clients(tmp)
        sock = pathlib.Path(tmp) / "wasmcri.sock"
        daemon = subprocess.Popen([str(build / "wasmcri"), "--socket", str(sock), "--root",
                                   f"{tmp}/root", "--state", f"{tmp}/state", "--log-level",
                                   "warn"])
        try:
            deadline = time.monotonic() + 30
            while not sock.exists():
                if daemon.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("start_floor: the daemon did not open its socket")
                time.sleep(0.01)
            rpc_round(rpc_client, sock, daemon.pid)  # warm-up: the daemon's first calls
            forks, rpcs = [], []
            for _ in range(a.rounds):
                forks.append(fork_round(fork_floor))
                rpcs.append(rpc_round(rpc_client, sock, daemon.pid))
        finally:
            daemon.terminate()
            daemon.wait()
    parent = statistics.median(f["parent"] for f in forks)
    child = statistics.median(f["child"] for f in forks)
    teardown = statistics.median(f["exit"] for f in forks)
    client = statistics.median(r[0] for r in rpcs)
    server = statistics.median(r[1] for r in rpcs)
    floor = parent + child + 3 * (client + server)
    cpus = os.cpu_count()
    print(f"bare process ({FORKS} forks, median of {a.rounds} rounds): parent {parent:.0f} us, "
          f"child {child:.0f} us, its exit {teardown:.0f} us")
    print(f"empty rpc ({CALLS} Version calls, C client): client {client:.0f} us, "
          f"daemon {server:.0f} us of CPU per call")
    print(f"floor of a pod start (process + three rpcs): {floor:.0f} us of CPU; 10,000 starts "
          f"need at least {10000 * floor / 1e6 / cpus:.1f} s of this machine's {cpus} CPUs")


if __name__ == "__main__":
    main()
