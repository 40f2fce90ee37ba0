#!/usr/bin/python3
"""Toolbox benchmark (issue 12): what an exec probe written the usual way costs.

In a hostNetwork pod of the runtime test image (probe.wasm, tests/integration/runtime_images.py,
pulled over CRI from a loopback docker-registry), one running container with a host directory
mounted at /tmp holding /tmp/x. From a C gRPC-core client (hack/bench/rpc_client.c, the request
serialised here), in interleaved rounds:
  - ExecSync ["sh", "-c", "cat /tmp/x"]        (toolbox.wasm: sh, then its cat applet)
  - ExecSync ["/bin/probe.wasm", "cat", "/tmp/x"] (a module of the image, for comparison)
p50 and p99 of each round, with the calls back to back and then paced --gap-ms apart (as a
kubelet's exec probes come, seconds apart: what an exec leaves to do after its reply, such as
readying a worker for the next one, is then done); the medians over the rounds are printed, with
the CPU time one exec
costs the daemon and the zygote with its workers (/proc/PID/stat: utime + stime, and for the
zygote also cutime + cstime of the workers it reaped, over each round; wall time on a shared
machine swings with its load, CPU time much less), and how often the daemon's threads and the
zygote slept and were woken per exec (voluntary context switches: a count, not a time, though
gRPC's threads wake more or less often with the timing). Then toolbox.wasm's size,
and the memory one exec adds: the exec worker of `sh -c "sleep 3"` (its RSS and PSS, from
/proc/PID/smaps_rollup; the zygote's worker that is not the container's) next to the container's
worker.

Usage: hack/bench/toolbox.py [BUILD_DIR] [--calls 500] [--rounds 5] [--gap-ms 10]
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))


def build_c_client(tmp):
    exe = pathlib.Path(tmp) / "rpc_client"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc"], check=True,
                           capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", str(exe), str(TOP / "hack/bench/rpc_client.c"), *flags],
                   check=True)
    return exe


def exec_p50_p99(client, sock, request_file, calls, gap_ms=0):
    out = subprocess.run([str(client), str(sock), "/runtime.v1.RuntimeService/ExecSync",
                          str(calls), str(request_file), str(gap_ms)], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"p50\s+([\d.]+) us\s+p99\s+([\d.]+) us\s+\(C client, (\d+) failed\)", out)
    if m is None or m.group(3) != "0":
        raise RuntimeError("rpc_client: " + out)
    return float(m.group(1)), float(m.group(2))


def cpu_s(pid, children=False):
    """CPU seconds pid used (user + system), with those of its reaped children if asked."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def wakeups(pid):
    """How often pid's threads have slept and been woken (voluntary context switches), in all."""
    total = 0
    for status in pathlib.Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:  # a thread that ended meanwhile
            continue
        total += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", text, re.M).group(1))
    return total


def zygote_children(zygote, comm):
    """The pids of the zygote's children named comm (its workers are "wasmcri-worker")."""
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        if name == comm and int(text[text.rindex(")") + 2:].split()[1]) == zygote:
            found.append(int(stat.parent.name))
    return found


def memory_kib(pid):
    """(RSS, PSS) in KiB from /proc/PID/smaps_rollup."""
    text = pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text()
    return tuple(int(re.search(rf"^{k}:\s+(\d+) kB", text, re.M).group(1)) for k in ("Rss", "Pss"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--gap-ms", type=int, default=10)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    import runtime_images
    from rt_helpers import create, ctr_config, pod_config, run_pod, start, status, wait_state
    from wasmcri_harness import Daemon, pb
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-toolbox-bench-"))
    client = build_c_client(base)
    reg, refs = runtime_images.start(base / "images")
    d = Daemon(base / "d", config=runtime_images.daemon_config(reg))
    d.start()
    pod = None
    try:
        runtime_images.pull_all(d, {"probe": refs["probe"]})
        rt = d.runtime()
        (base / "logs").mkdir()
        tmp = base / "tmp"
        tmp.mkdir()
        (tmp / "x").write_text("ready\n")
        pod = run_pod(rt, pod_config("toolbox-bench", base / "logs"))
        cid = create(rt, pod, ctr_config("c", refs["probe"], args=["sleep", "3600"],
                                         mounts=[("/tmp", str(tmp), False)]))
        start(rt, cid)
        assert wait_state(rt, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
        cmds = {"sh -c \"cat /tmp/x\" (toolbox)": ["sh", "-c", "cat /tmp/x"],
                "/bin/probe.wasm cat /tmp/x": ["/bin/probe.wasm", "cat", "/tmp/x"]}
        files = {}
        for i, (name, cmd) in enumerate(cmds.items()):
            res = rt.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=cmd), timeout=30)
            assert (res.exit_code, res.stdout) == (0, b"ready\n"), res
            files[name] = base / f"req{i}"
            files[name].write_bytes(pb.ExecSyncRequest(container_id=cid, cmd=cmd,
                                                       timeout=10).SerializeToString())
        results = {name: [] for name in cmds}
        paced = {name: [] for name in cmds}
        cpu = {name: [] for name in cmds}  # (daemon, zygote + workers) CPU ms per exec
        wakes = {name: [] for name in cmds}  # (daemon, zygote) wake-ups per exec
        zygote = d.zygote_pid()
        for _ in range(a.rounds):
            for name in cmds:
                before = cpu_s(d.proc.pid), cpu_s(zygote, children=True)
                woken = wakeups(d.proc.pid), wakeups(zygote)
                results[name].append(exec_p50_p99(client, d.socket, files[name], a.calls))
                after = cpu_s(d.proc.pid), cpu_s(zygote, children=True)
                cpu[name].append([(y - x) * 1000 / a.calls for x, y in zip(before, after)])
                wakes[name].append([(y - x) / a.calls for x, y in
                                    zip(woken, (wakeups(d.proc.pid), wakeups(zygote)))])
            for name in cmds:
                paced[name].append(exec_p50_p99(client, d.socket, files[name], a.calls,
                                                a.gap_ms))
        print(f"== ExecSync latency, C gRPC client (median of {a.rounds} interleaved rounds of "
              f"{a.calls} calls)")
        for name in cmds:
            p50 = statistics.median(r[0] for r in results[name])
            p99 = statistics.median(r[1] for r in results[name])
            print(f"{name:36s} p50 {p50 / 1000:6.3f} ms   p99 {p99 / 1000:6.3f} ms")
        print(f"The same, paced {a.gap_ms} ms apart (as probes come)")
        for name in cmds:
            p50 = statistics.median(r[0] for r in paced[name])
            p99 = statistics.median(r[1] for r in paced[name])
            print(f"{name:36s} p50 {p50 / 1000:6.3f} ms   p99 {p99 / 1000:6.3f} ms")
        print("CPU per exec (median of the rounds): daemon, zygote with its workers")
        for name in cmds:
            dcpu = statistics.median(c[0] for c in cpu[name])
            zcpu = statistics.median(c[1] for c in cpu[name])
            print(f"{name:36s} {dcpu:.2f} ms + {zcpu:.2f} ms = {dcpu + zcpu:.2f} ms")
        print("Wake-ups per exec (voluntary context switches, median of the rounds): daemon, zygote")
        for name in cmds:
            dw = statistics.median(w[0] for w in wakes[name])
            zw = statistics.median(w[1] for w in wakes[name])
            print(f"{name:36s} {dw:.2f} + {zw:.2f}")
        size = (build / "wasm/toolbox/toolbox.wasm").stat().st_size
        print(f"toolbox.wasm: {size} bytes ({size / 1024:.0f} KiB)")
        t = threading.Thread(target=lambda: rt.ExecSync(
            pb.ExecSyncRequest(container_id=cid, cmd=["sh", "-c", "sleep 3"]), timeout=30))
        t.start()
        info = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True)).info
        ctr_pid = json.loads(info["info"])["pid"]
        time.sleep(0.5)
        mem = None
        deadline = time.monotonic() + 10
        while mem is None and time.monotonic() < deadline:
            # the exec's worker: not the container's, nor a benchmark exec still exiting
            for pid in zygote_children(d.zygote_pid(), "wasmcri-worker"):
                try:
                    m = memory_kib(pid) if pid != ctr_pid else None
                except (OSError, AttributeError):  # gone, or a zombie: no Rss line
                    m = None
                if m and m[0] > 0:
                    mem = m
                    break
            time.sleep(0.05)
        er, ep = mem or (None, None)
        cr, cp = memory_kib(ctr_pid)
        print(f"exec worker of sh -c \"sleep 3\": RSS {er} KiB, PSS {ep} KiB "
              f"(the container's worker, probe.wasm sleeping: RSS {cr} KiB, PSS {cp} KiB)")
        t.join()
    finally:  # the pod first, so that no container's overlay stays mounted in the temp dir
        if pod is not None:
            d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
        d.stop()
        d.kill_zygote()
        reg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
