#!/usr/bin/python3
"""CRI metrics benchmark (issue 17): what one ListPodSandboxMetrics costs with 100 pods
(kubelet with PodAndContainerStatsFromCRI calls it at every /metrics/cadvisor scrape).

100 pods, each with its own network namespace (loopback only: no CNI config, so the
namespace is entered and its counters read as for a CNI pod) and one running container
(probe.wasm sleeping in poll_oneoff), the image pushed to a loopback docker-registry and
pulled over CRI (tests/integration/runtime_images.py). Then ROUNDS rounds, each timing
CALLS ListPodSandboxMetrics calls and CALLS ListPodSandboxStats calls (interleaved, the
machine is shared) from a Python grpcio client; prints the median over the rounds of each
round's median, and the daemon's CPU time per call.

Usage: hack/bench/metrics.py [BUILD_DIR] [--pods 100] [--rounds 5] [--calls 20]
"""
import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))


def cpu_ns(pid):
    """User + system CPU of a process (all threads), in ns."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def timed(pid, calls, fn):
    samples, cpu0 = [], cpu_ns(pid)
    for _ in range(calls):
        t = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t)
    return statistics.median(samples) / 1e6, (cpu_ns(pid) - cpu0) / calls / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=20)
    a = ap.parse_args()
    os.environ["WASMCRI_BUILD"] = str(pathlib.Path(a.build).resolve())
    import runtime_images
    from rt_helpers import create, ctr_config, pod_config, run_pod, start
    from wasmcri_harness import Daemon, pb

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        reg, refs = runtime_images.start(tmp / "reg")
        (tmp / "net.d").mkdir()
        config = runtime_images.daemon_config(reg)
        config["cni"] = {"conf_dir": str(tmp / "net.d"), "bin_dirs": ["/usr/lib/cni"]}
        d = Daemon(tmp / "d", config=config).start()
        try:
            runtime_images.pull_all(d, {"probe": refs["probe"]})
            rt = d.runtime()
            for i in range(a.pods):
                pid = run_pod(rt, pod_config(f"m{i}", tmp / "logs", host_network=False))
                start(rt, create(rt, pid, ctr_config(f"c{i}", refs["probe"],
                                                     args=["sleep", "3600"])))
            got = rt.ListPodSandboxMetrics(pb.ListPodSandboxMetricsRequest())
            assert len(got.pod_metrics) == a.pods
            assert all(len(p.container_metrics) == 1 for p in got.pod_metrics)
            per_pod = sum(len(p.metrics) + len(p.container_metrics[0].metrics)
                          for p in got.pod_metrics) / a.pods
            daemon_pid = d.proc.pid
            metrics, stats = [], []
            for _ in range(a.rounds):
                metrics.append(timed(daemon_pid, a.calls, lambda: rt.ListPodSandboxMetrics(
                    pb.ListPodSandboxMetricsRequest())))
                stats.append(timed(daemon_pid, a.calls, lambda: rt.ListPodSandboxStats(
                    pb.ListPodSandboxStatsRequest())))
            for name, rows in (("ListPodSandboxMetrics", metrics), ("ListPodSandboxStats", stats)):
                print(f"{name:22s} {a.pods} pods: median {statistics.median(r[0] for r in rows):6.2f} ms"
                      f" (rounds {min(r[0] for r in rows):.2f}-{max(r[0] for r in rows):.2f} ms),"
                      f" daemon CPU {statistics.median(r[1] for r in rows):6.2f} ms per call")
            print(f"{per_pod:.0f} metrics per pod, load average {os.getloadavg()[0]:.1f}")
        finally:  # pods first: their namespaces are mounts under tmp
            for p in d.runtime().ListPodSandbox(pb.ListPodSandboxRequest()).items:
                d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
            d.stop()
            d.kill_zygote()
            reg.stop()


if __name__ == "__main__":
    main()
