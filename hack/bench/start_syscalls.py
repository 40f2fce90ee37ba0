#!/usr/bin/python3
"""What one start costs the daemon in system calls and context switches (issue 18): a
load-independent count, where startup.py's CPU figures move with the machine's load.

The daemon of startup.py (root on the disk, state on a tmpfs, the probe image pulled) starts
--starts idle containers (RunPodSandbox -> CreateContainer -> StartContainer, one client
thread) and counts its context switches, then as many again under `strace -f`; prints the
context switches per start, the system calls per start by name and the files opened per start
(ids folded). The stats sampler's thread is left out (its sweeps cost per second and per
container, not per start).

Usage: hack/bench/start_syscalls.py [BUILD_DIR] [--starts 300]
"""
import argparse
import collections
import contextlib
import os
import re
import subprocess
import sys

import startup


def threads(pid):
    """{tid: comm} of pid's threads."""
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            out[int(t)] = open(f"/proc/{pid}/task/{t}/comm").read().strip()
    return out


def switches(pid, skip):
    """The voluntary context switches (waits) of pid's threads but those in skip."""
    n = 0
    for tid in threads(pid):
        with contextlib.suppress(OSError):
            for line in open(f"/proc/{pid}/task/{tid}/status"):
                if tid not in skip and line.startswith("voluntary_ctxt_switches"):
                    n += int(line.split()[1])
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(startup.TOP / "build"))
    ap.add_argument("--starts", type=int, default=300)
    a = ap.parse_args()
    build, base, client = startup.prepare(a.build)
    with startup.bench_daemon(build, base, "wasmcri-bench") as (d, refs):
        pid = d.proc.pid
        startup.run_client(client, d, refs["probe"], base / "logs-warm", "idle", 20, "1")
        sampler = {t for t, comm in threads(pid).items() if comm == "stats-sampler"}
        before = switches(pid, sampler)
        startup.run_client(client, d, refs["probe"], base / "logs-untraced", "idle", a.starts, "1")
        per_start = (switches(pid, sampler) - before) / a.starts
        trace = base / "strace.out"
        st = subprocess.Popen(["strace", "-f", "-qq", "-s", "256", "-o", str(trace), "-p", str(pid)],
                              stderr=subprocess.DEVNULL)
        startup.time.sleep(1)  # attached to every thread
        startup.run_client(client, d, refs["probe"], base / "logs", "idle", a.starts, "1")
        st.terminate()
        st.wait()
        calls, files = collections.Counter(), collections.Counter()
        for line in open(trace):
            tid, _, rest = line.partition(" ")
            m = re.match(r"\s*(?:<\.\.\. )?(\w+)", rest)
            if not tid.isdigit() or int(tid) in sampler or m is None or "resumed>" in rest:
                continue
            calls[m.group(1)] += 1
            f = re.match(r'\s*open(?:at2?)?\((?:AT_FDCWD|\d+), "([^"]*)"', rest)
            if f:
                files[re.sub(r"[0-9a-f]{64}", "<id>", re.sub(r"/tmp/wasmcri-bench-\w+", "", f.group(1)))] += 1
        n = a.starts
        print(f"== the daemon's system calls per start ({n} starts, one client thread, "
              f"{n + 20} containers running before; the sampler thread left out)")
        for name, k in calls.most_common():
            if k / n >= 0.05:
                print(f"{k / n:8.2f}  {name}")
        print(f"{sum(calls.values()) / n:8.2f}  all")
        print("== files opened per start")
        for path, k in files.most_common(12):
            print(f"{k / n:8.2f}  {path}")
        print(f"== voluntary context switches per start (the same number of starts before, not traced): "
              f"{per_start:.1f}")
        startup.remove_all(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
