#!/usr/bin/python3
"""Start-up benchmark (issue 6), with a direct gRPC C-core client (startup_client.c):
  1. 200 x (RunPodSandbox host-network -> CreateContainer -> StartContainer) of a small
     wasm image already pulled: p50/p90 of each rpc and of the sum, and the time from
     RunPodSandbox to the container's first log line;
  2. 1,000 running idle containers (probe.wasm sleeping in poll_oneoff): the daemon's RSS,
     the zygote's RSS and the workers' summed PSS (/proc/PID/smaps_rollup), per container.
The image is tests/wasm/runtime/probe.wasm packed and pushed to a local docker-registry
(tests/integration/runtime_images.py) and pulled over CRI. The daemon's root is on the
disk and its state dir on a tmpfs, as an installed daemon's are (/var/lib/wasmcri and
/run/wasmcri); the client makes each pod's log directory first, as kubelet does.

Usage: hack/bench/startup.py [BUILD_DIR] [--pods 200] [--idle 1000]
"""
import argparse
import contextlib
import os
import pathlib
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


def remove_all(d):
    from wasmcri_harness import pb
    rt = d.runtime()
    for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=120).items:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id), timeout=120)


def idle_memory(d, n):
    zygote = d.zygote_pid()
    children = [c for c in open(f"/proc/{zygote}/task/{zygote}/children").read().split()
                if open(f"/proc/{c}/comm").read().strip() != "wasmcri-spare"]
    pss = sum(kib(c, "Pss", "smaps_rollup") for c in children)
    rss = sum(kib(c, "VmRSS") for c in children)
    daemon_rss, zygote_rss = kib(d.proc.pid, "VmRSS"), kib(zygote, "VmRSS")
    print(f"{len(children)} idle workers running")
    print(f"daemon RSS        {daemon_rss / 1024:8.1f} MiB   ({daemon_rss / n:.1f} KiB per container)")
    print(f"zygote RSS        {zygote_rss / 1024:8.1f} MiB")
    print(f"workers PSS sum   {pss / 1024:8.1f} MiB   ({pss / max(len(children), 1):.1f} KiB per container)")
    print(f"workers RSS sum   {rss / 1024:8.1f} MiB   ({rss / max(len(children), 1):.1f} KiB per container)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--pods", type=int, default=200)
    ap.add_argument("--idle", type=int, default=1000)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-bench-"))
    client = base / "startup_client"
    compile_client(build, client)
    # The state dir on a tmpfs, as /run/wasmcri is under systemd (the pods' resolv.conf
    # and hostname, the zygote's exit files); root stays on the disk.
    with bench_daemon(build, base, "wasmcri-bench") as (d, refs):
        print(f"== {a.pods} x RunPodSandbox + CreateContainer + StartContainer ({refs['probe']})")
        subprocess.run([str(client), str(d.socket), refs["probe"], str(base / "logs"), "start",
                        str(a.pods)], check=True)
        remove_all(d)
        if a.idle == 0:
            return 0
        print(f"== {a.idle} idle containers")
        t = time.monotonic()
        subprocess.run([str(client), str(d.socket), refs["probe"], str(base / "logs-idle"), "idle",
                        str(a.idle)], check=True)
        print(f"started in {time.monotonic() - t:.1f} s")
        time.sleep(2)
        idle_memory(d, a.idle)
        remove_all(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
