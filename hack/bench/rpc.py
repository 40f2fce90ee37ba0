#!/usr/bin/python3
"""RPC benchmark: round-trip latency of Version and ImageFsInfo (5000 sequential calls
each, p50/p99) from a C gRPC-core client (hack/bench/rpc_client.c, compiled here) and from
a Python grpcio client, and the daemon's RSS idle (no call served yet) and after the run.

Usage: hack/bench/rpc.py [BUILD_DIR]   (default build/; builds nothing itself)
"""
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
if len(sys.argv) > 1:
    import os
    os.environ["WASMCRI_BUILD"] = str(pathlib.Path(sys.argv[1]).resolve())

# The harness (and with it grpcio, which maps the same libgrpc.so as the daemon) is
# imported only after the idle measurement: pages the daemon shares with another
# process count in its RSS and cannot be handed back to the kernel.
BUILD = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else TOP / "build").resolve()

CALLS = 5000


def memory_kib(pid):
    """(RSS, PSS) of a process in KiB."""
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if parts[0] in ("Rss:", "Pss:"):
            fields[parts[0]] = int(parts[1])
    return fields["Rss:"], fields["Pss:"]


def bench(name, fn):
    for _ in range(200):  # warm-up
        fn()
    samples = []
    for _ in range(CALLS):
        t = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t)
    samples.sort()
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[int(len(samples) * 0.99)] / 1000
    print(f"{name:12s} {CALLS} calls  p50 {p50:7.1f} us  p99 {p99:7.1f} us  "
          f"mean {statistics.mean(samples) / 1000:7.1f} us")


def build_c_client(tmp):
    exe = pathlib.Path(tmp) / "rpc_client"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", str(exe), str(TOP / "hack/bench/rpc_client.c"), *flags],
                   check=True)
    return exe


def main():
    with tempfile.TemporaryDirectory() as tmp:
        client = build_c_client(tmp)
        sock = pathlib.Path(tmp) / "wasmcri.sock"
        proc = subprocess.Popen([str(BUILD / "wasmcri"), "--socket", str(sock), "--root",
                                 f"{tmp}/root", "--state", f"{tmp}/state", "--log-level", "warn"])
        while not sock.exists():
            time.sleep(0.01)
        time.sleep(0.5)
        idle = memory_kib(proc.pid)
        for method in ["/runtime.v1.RuntimeService/Version", "/runtime.v1.ImageService/ImageFsInfo"]:
            subprocess.run([str(client), str(sock), method, str(CALLS)], check=True)
        from wasmcri_harness import Daemon, pb
        d = Daemon(tmp)
        rt, im = d.runtime(), d.image()
        bench("Version", lambda: rt.Version(pb.VersionRequest()))
        bench("ImageFsInfo", lambda: im.ImageFsInfo(pb.ImageFsInfoRequest()))
        after = memory_kib(proc.pid)
        print(f"daemon idle          RSS {idle[0] / 1024:5.1f} MiB  PSS {idle[1] / 1024:5.1f} MiB")
        print(f"after {4 * CALLS} calls  RSS {after[0] / 1024:5.1f} MiB  PSS {after[1] / 1024:5.1f} MiB"
              "  (RSS counts libgrpc pages shared with the Python client)")
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
