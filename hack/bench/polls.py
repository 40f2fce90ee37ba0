#!/usr/bin/python3
"""What kubelet polls, at density (issue 18): idle containers (one per pod, probe.wasm
sleeping in poll_oneoff) are started in steps of --step up to --idle; after each step,
for every rpc kubelet polls (ListPodSandbox, ListContainers, ListContainerStats,
ListPodSandboxStats, PodSandboxStatus and ContainerStatus of one pod/container in the
middle), --calls sequential calls from the direct gRPC C-core client (startup_client.c
`poll`) give:
  - the wall p50 and p90 of a call until the client decoded the reply (us), the p50 until
    the reply was received ("answered"), and the p50 of the client's decode alone (a plain
    protobuf-c unpack of the reply's bytes: what any client of that many bytes pays; a
    10,000-item reply takes milliseconds), and the reply's size (KiB);
  - the same --calls again from a client that keeps its heap ("kept p50", "kept dec"): glibc's
    malloc as it comes gives the freed top of the heap back to the kernel after each call, so
    every decode of megabytes faults its pages in again (~1,600 faults for ListContainers at
    10,000, ~20 us each on a paravirtualised guest), where kubelet, a long-lived Go process,
    reuses its heap from poll to poll. Both are printed: the first is what a client that
    trims pays, the second what a client like kubelet pays;
  - the daemon's CPU time per call (us; the run time of its threads over the run, from
    /proc/PID/task/*/schedstat, in ns; the stats sampler's thread apart: its cost is
    the step's own column, in ms of CPU per second);
  - the daemon's instructions per call (perf stat -e instructions -p PID over the run;
    "-" when perf cannot count them here).
CPU time and instructions say what a call costs on a machine others load too; the wall
p50 is what kubelet waits. Each step also prints the daemon's RSS growth per container
since before the first step (KiB), and from the daemon's metrics endpoint the longest time a
handler held the completion-queue thread so far, for each rpc that ran there (every other rpc
waits that long; the lists run on handler threads). The rpcs no longer start threads; a thread
that ends during a run would take its CPU time out of the figure.

Usage: hack/bench/polls.py [BUILD_DIR] [--idle 2000] [--step 500] [--calls 50]
"""
import argparse
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import startup  # noqa: E402  (its daemon, client and /proc helpers)

RPCS = ["ListPodSandbox", "ListContainers", "ListContainerStats", "ListPodSandboxStats",
        "PodSandboxStatus", "ContainerStatus"]


def thread_cpu_ns(pid, sampler):
    """Run time (ns) of the daemon's threads: the stats sampler's if sampler, else the rest."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            is_sampler = open(f"/proc/{pid}/task/{task}/comm").read().strip() == "stats-sampler"
            if is_sampler == sampler:
                total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except OSError:
            pass  # it ended
    return total


def sampler_ms_per_s(pid, secs=5):
    """The stats sampler's CPU time per second of wall time, over secs."""
    t0, c0 = time.monotonic(), thread_cpu_ns(pid, True)
    time.sleep(secs)
    return (thread_cpu_ns(pid, True) - c0) / 1e6 / (time.monotonic() - t0)


def perf_start(pid):
    try:
        p = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "instructions", "-p", str(pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except OSError:
        return None
    return p


def perf_stop(p):
    """The instructions perf counted, or None."""
    if p is None:
        return None
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        return None
    for line in err.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2].startswith("instructions") and parts[0].isdigit():
            return int(parts[0])
    return None


def poll(client, d, rpc, ident, calls):
    """(p50 us, p90 us, received p50 us, decode p50 us, reply bytes, kept-heap p50 us,
    kept-heap decode p50 us, daemon CPU us per call, instructions per call or None)."""
    pid = d.proc.pid
    perf = perf_start(pid)
    cpu0 = thread_cpu_ns(pid, False)
    out = subprocess.run([str(client), str(d.socket), ident, rpc, "poll", str(calls)],
                         capture_output=True, text=True, timeout=600)
    cpu1 = thread_cpu_ns(pid, False)
    instructions = perf_stop(perf)
    if out.returncode != 0:
        raise SystemExit(f"startup_client poll {rpc}: {out.stderr.strip()}")
    p50, p90, recv, dec, size, kept, kept_dec = (float(x) for x in out.stdout.split())
    per_call = 2 * (calls + 1)  # each round's untimed first call is in the CPU and perf figures
    return (p50, p90, recv, dec, size, kept, kept_dec, (cpu1 - cpu0) / 1e3 / per_call,
            instructions / per_call if instructions is not None else None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queue_holds(metrics):
    """{rpc: the longest its handler held the queue thread, ms} from the metrics endpoint."""
    text = urllib.request.urlopen(f"http://{metrics}/metrics", timeout=30).read().decode()
    holds = {}
    for line in text.splitlines():
        if line.startswith("wasmcri_grpc_server_queue_hold_max_seconds{"):
            rpc = line.split('grpc_method="')[1].split('"')[0]
            holds[rpc] = float(line.rsplit(" ", 1)[1]) * 1e3
    return holds


def middle_ids(d):
    from wasmcri_harness import pb
    rt = d.runtime()
    pods = rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=120).items
    ctrs = rt.ListContainers(pb.ListContainersRequest(), timeout=120).containers
    return pods[len(pods) // 2].id, ctrs[len(ctrs) // 2].id


def step_report(client, d, n, grown, calls, metrics):
    pod, ctr = middle_ids(d)
    print(f"-- {n} containers, daemon {grown:.2f} KiB per container, stats sampler "
          f"{sampler_ms_per_s(d.proc.pid):.1f} ms CPU per s")
    print(f"{'rpc':<20} {'p50 us':>9} {'p90 us':>9} {'recv p50':>9} {'decode p50':>10} "
          f"{'KiB':>7} {'kept p50':>9} {'kept dec':>9} {'CPU us/call':>11} {'Minstr/call':>11}")
    for rpc in RPCS:
        ident = pod if rpc == "PodSandboxStatus" else ctr
        p50, p90, recv, dec, size, kept, kept_dec, cpu, ins = poll(client, d, rpc, ident, calls)
        ins_s = f"{ins / 1e6:11.2f}" if ins is not None else f"{'-':>11}"
        print(f"{rpc:<20} {p50:9.0f} {p90:9.0f} {recv:9.0f} {dec:10.0f} {size / 1024:7.0f} "
              f"{kept:9.0f} {kept_dec:9.0f} {cpu:11.0f} {ins_s}", flush=True)
    holds = sorted(queue_holds(metrics).items(), key=lambda kv: -kv[1])
    print("queue thread's longest hold so far (ms): " +
          ", ".join(f"{rpc} {ms:.2f}" for rpc, ms in holds[:6]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(startup.TOP / "build"))
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--step", type=int, default=500)
    ap.add_argument("--calls", type=int, default=50)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-polls-"))
    client = base / "startup_client"
    startup.compile_client(build, client)
    try:
        run(a, build, base, client)
    finally:  # the temp dir goes unless a failed run left something mounted in it
        if not any(f" {base}/" in line for line in open("/proc/mounts")):
            shutil.rmtree(base, ignore_errors=True)
    return 0


def run(a, build, base, client):
    metrics = f"127.0.0.1:{free_port()}"
    with startup.bench_daemon(build, base, f"wasmcri-polls-{os.getpid()}",
                              {"metrics_address": metrics}) as (d, refs):
        before = startup.kib(d.proc.pid, "VmRSS")
        n = 0
        while n < a.idle:
            k = min(a.step, a.idle - n)
            startup.run_client(client, d, refs["probe"], base / "logs", "idle", k)
            n += k
            grown = (startup.kib(d.proc.pid, "VmRSS") - before) / n
            step_report(client, d, n, grown, a.calls, metrics)
        startup.remove_all(d)


if __name__ == "__main__":
    sys.exit(main())
