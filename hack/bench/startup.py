#!/usr/bin/python3
"""Start-up benchmark (issue 6), with a direct gRPC C-core client (startup_client.c):
  1. 200 x (RunPodSandbox host-network -> CreateContainer -> StartContainer) of a small
     wasm image already pulled: p50/p90 of each rpc and of the sum, and the time from
     RunPodSandbox to the container's first log line;
  2. the density curve (issue 18): 1,000 running idle containers (probe.wasm sleeping in
     poll_oneoff), started in steps of --step; after each step: the step's start p50/p90 and
     starts per second, the p50 and p99 of each of the three rpcs (a stall shows in the p99),
     the CPU time a start cost the daemon, the zygote, its forker (spare.h) and the worker (us:
     a load-independent figure on a shared machine; the daemon's without its stats sampler,
     whose sweeps cost per second and per container, not per start: its own column is its CPU
     ms per second over the step), the benchmark client, and the whole machine (every CPU's busy time over the
     step: on an idle machine, what is not in the other columns is kernel work done for them),
     PSS per container (the daemon's, the zygote's and the workers' PSS
     from /proc/PID/smaps_rollup, summed, over the containers), the daemon's growth per
     container, and the p50 of what kubelet polls (ListPodSandbox, ListContainers,
     ListContainerStats, PodSandboxStatus); then the last step's start p50 over the first's and
     the time all the starts took; then it removes every pod and prints the removal rate and
     the CPU time a removal cost the daemon and the zygote (issue 18's stop path). --parallel N: N client threads start the pods at once on
     one connection (kubelet starts each pod on a goroutine of its own).
The image is tests/wasm/runtime/probe.wasm packed and pushed to a local docker-registry
(tests/integration/runtime_images.py) and pulled over CRI. The daemon's root is on the
disk and its state dir on a tmpfs, as an installed daemon's are (/var/lib/wasmcri and
/run/wasmcri); the client makes each pod's log directory first, as kubelet does.

Usage: hack/bench/startup.py [BUILD_DIR] [--pods 200] [--idle 1000] [--step 1000] [--parallel 1]
"""
import argparse
import contextlib
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))


def kib(pid, key, path="status"):
    try:
        for line in open(f"/proc/{pid}/{path}"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def compile_client(build, out):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc", "libprotobuf-c"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-o", str(out),
                    str(TOP / "hack/bench/startup_client.c"), f"-I{build}/api/gen",
                    str(build / "api/libwasmcri_api.a"), *flags], check=True)


@contextlib.contextmanager
def bench_daemon(build, base, tmpfs_name, config=None):
    """A daemon of build with the runtime images' registry (config: more daemon config
    keys), its root on the disk and its state dir on a tmpfs (as an installed daemon's
    are), the probe image pulled; yields (daemon, the images' refs) and stops it all."""
    import runtime_images
    from wasmcri_harness import Daemon
    reg, refs = runtime_images.start(base / "images")
    d = Daemon(base / "d", config=dict(runtime_images.daemon_config(reg), **(config or {})))
    d.args = lambda: [str(build / "wasmcri"), "--socket", str(d.socket), "--root", str(d.root),
                      "--state", str(d.state), "--log-level", "warn", "--config", str(d.config_path)]
    d.state.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0711", tmpfs_name, str(d.state)],
                   check=True)
    try:
        d.start()
        runtime_images.pull_all(d, {"probe": refs["probe"]})
        yield d, refs
    finally:
        d.stop()
        d.kill_zygote()
        subprocess.run(["umount", "-l", str(d.state)])
        reg.stop()


def remove_all(d, report=False):
    """Removes every pod (stopping its containers); report: prints how fast, and the
    CPU time each removal cost the daemon and the zygote (reaping the worker)."""
    from wasmcri_harness import pb
    rt = d.runtime()
    pods = rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=120).items
    zygote = d.zygote_pid()
    before, t0 = (cpu_us(d.proc.pid), cpu_us(zygote)), time.monotonic()
    for p in pods:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id), timeout=120)
    took = time.monotonic() - t0
    if report and pods:
        n = len(pods)
        print(f"removed {n} pods in {took:.1f} s ({n / took:.0f}/s, one client thread); CPU/removal "
              f"daemon {(cpu_us(d.proc.pid) - before[0]) / n:.0f} us, zygote "
              f"{(cpu_us(zygote) - before[1]) / n:.0f} us", flush=True)


def cpu_us(pid):
    """The CPU time (user + system) of a process and its ended threads, us."""
    try:
        f = open(f"/proc/{pid}/stat").read()
    except OSError:
        return 0.0
    utime, stime = f[f.rindex(")") + 2:].split()[11:13]
    return (int(utime) + int(stime)) * 1e6 / os.sysconf("SC_CLK_TCK")


def machine_busy_us():
    """The CPU time all CPUs spent busy (user, nice, system, irq, softirq, steal), us: with
    the client's own, what a start cost outside the daemon, the zygote and the workers shows
    (kernel threads, cgroup and memory work done on their behalf)."""
    ticks = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    busy = sum(ticks[i] for i in (0, 1, 2, 5, 6, 7))
    return busy * 1e6 / os.sysconf("SC_CLK_TCK")


def children_cpu_us():
    """The CPU time of this script's ended children (the benchmark client), us."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1e6


def thread_run_us(pid, comm):
    """The time the process's thread named comm has run (schedstat), us; 0 without one."""
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            if open(f"/proc/{pid}/task/{task}/comm").read().strip() == comm:
                return int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0]) / 1e3
        except OSError:
            pass  # it ended
    return 0.0


def run_us(pid):
    """The time a single-threaded process has run on a CPU (schedstat, ns precision), us."""
    try:
        return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e3
    except OSError:
        return 0.0


def children(zygote, comm):
    return [c for c in open(f"/proc/{zygote}/task/{zygote}/children").read().split()
            if open(f"/proc/{c}/comm").read().strip() == comm]


def workers(zygote):
    return [c for c in open(f"/proc/{zygote}/task/{zygote}/children").read().split()
            if open(f"/proc/{c}/comm").read().strip() not in ("wasmcri-spare", "wasmcri-forker")]


def forker_cpu_us(zygote):
    """The CPU time of the zygote's forker (spare.h: it forks the spares), us; 0 without one."""
    return sum(cpu_us(f) for f in children(zygote, "wasmcri-forker"))


def idle_memory(d, n, daemon_before):
    """PSS per container (daemon, zygote and workers included), KiB; the daemon's
    RSS growth since before the curve, per container; the number of workers."""
    zygote = d.zygote_pid()
    kids = workers(zygote)
    pss = sum(kib(p, "Pss", "smaps_rollup") for p in [d.proc.pid, zygote, *kids])
    grown = kib(d.proc.pid, "VmRSS") - daemon_before
    return pss / n, grown / n, len(kids)


def run_client(client, d, image, logdir, mode, n, *more):
    p = subprocess.run([str(client), str(d.socket), image, str(logdir), mode, str(n), *more],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"startup_client {mode} {n}: {p.stderr.strip()}")
    return [line.split() for line in p.stdout.splitlines()]


def curve(client, d, image, logdir, total, step, parallel):
    """Starts total idle containers in steps, by parallel clients at once; prints a line per
    step."""
    print(f"{'containers':>10} {'start p50':>10} {'p90':>8} {'starts/s':>8} {'Run/Create/Start':>16} "
          f"{'Run/Create/Start':>17} "
          f"{'CPU/start':>38} {'sampler':>7} "
          f"{'PSS/ctr':>8} {'daemon/ctr':>10} {'ListPod':>8} {'ListCtr':>8} {'ListStats':>9} "
          f"{'PodStatus':>9}")
    print(f"{'':>10} {'us':>10} {'us':>8} {'':>8} {'us p50':>16} {'ms p99':>17} {'daemon zygote forker wkr client all':>38} {'ms/s':>7} {'KiB':>8} {'KiB':>10} "
          f"{'us p50':>8} {'us p50':>8} {'us p50':>9} {'us p50':>9}")
    daemon_before = kib(d.proc.pid, "VmRSS")
    n, p50s, t, starting = 0, [], time.monotonic(), 0.0
    while n < total:
        k = min(step, total - n)
        zygote = d.zygote_pid()
        before = cpu_us(d.proc.pid), cpu_us(zygote), set(workers(zygote)), forker_cpu_us(zygote)
        others = children_cpu_us(), machine_busy_us()
        sampler, t0 = thread_run_us(d.proc.pid, "stats-sampler"), time.monotonic()
        start = run_client(client, d, image, logdir, "idle", k, str(parallel))[0]
        starting += float(start[17])
        sampler = thread_run_us(d.proc.pid, "stats-sampler") - sampler
        sampler_ms_s = sampler / 1e3 / (time.monotonic() - t0)
        cpu = ((cpu_us(d.proc.pid) - before[0] - sampler) / k, (cpu_us(zygote) - before[1]) / k,
               (forker_cpu_us(zygote) - before[3]) / k)
        client_us, all_us = (children_cpu_us() - others[0]) / k, (machine_busy_us() - others[1]) / k
        n += k
        p50s.append(float(start[2]))
        time.sleep(1)  # the last workers settle into poll_oneoff
        wkr = sum(run_us(w) for w in workers(zygote) if w not in before[2]) / k
        pss, grown, running = idle_memory(d, n, daemon_before)
        if running != n:
            raise SystemExit(f"{running} idle workers running, {n} started")
        lists = [float(line[2]) for line in run_client(client, d, image, logdir, "lists", 11)]
        print(f"{n:10d} {float(start[2]):10.1f} {float(start[5]):8.1f} {float(start[8]):8.0f} "
              f"{float(start[12]):5.0f} {float(start[13]):5.0f} {float(start[14]):5.0f} "
              f"{float(start[20]) / 1e3:5.1f} {float(start[21]) / 1e3:5.1f} {float(start[22]) / 1e3:5.1f} "
              f"{cpu[0]:6.0f} {cpu[1]:6.0f} {cpu[2]:6.0f} {wkr:5.0f} {client_us:6.0f} {all_us:5.0f} {sampler_ms_s:7.1f} {pss:8.1f} {grown:10.2f} {lists[0]:8.0f} {lists[1]:8.0f} {lists[2]:9.0f} "
              f"{lists[3]:9.0f}", flush=True)
    elapsed = time.monotonic() - t
    print(f"last step's start p50 / first step's: {p50s[-1] / p50s[0]:.2f}; "
          f"{total} starts took {starting:.1f} s ({total / starting:.0f} starts/s, {parallel} "
          f"client thread(s)); {elapsed:.1f} s with the measurements between the steps")


def prepare(build_arg):
    """The build dir (resolved, and WASMCRI_BUILD for the harness), a new temp dir, and the C
    client compiled into it."""
    build = pathlib.Path(build_arg).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-bench-"))
    client = base / "startup_client"
    compile_client(build, client)
    return build, base, client


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--pods", type=int, default=200)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--step", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=1,
                    help="client threads starting pods at once on one connection, as kubelet does")
    a = ap.parse_args()
    build, base, client = prepare(a.build)
    # The state dir on a tmpfs, as /run/wasmcri is under systemd (the pods' resolv.conf
    # and hostname, the zygote's exit files); root stays on the disk.
    with bench_daemon(build, base, "wasmcri-bench") as (d, refs):
        print(f"== {a.pods} x RunPodSandbox + CreateContainer + StartContainer ({refs['probe']})")
        subprocess.run([str(client), str(d.socket), refs["probe"], str(base / "logs"), "start",
                        str(a.pods)], check=True)
        remove_all(d)
        if a.idle == 0:
            return 0
        print(f"== {a.idle} idle containers, in steps of {a.step}, {a.parallel} at once")
        curve(client, d, refs["probe"], base / "logs-idle", a.idle, a.step, a.parallel)
        remove_all(d, report=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
