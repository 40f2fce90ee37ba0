#!/usr/bin/python3
"""What a container start's worker does between its spec and its guest's first log line (issue
14): its system calls by name, the host paths it walks, and its page traps by function, per
start. Counts, not times: they hold at any load of the machine, where startup.py's CPU figures
move with it.

The daemon of startup.py starts --starts idle containers of the probe image (after 20 to warm
up) under `strace -f` over the zygote and its forker (the spares are the forker's clones), then
as many again under `perf record -e page-faults` over the forker (each trap a sample; the pages a
`madvise` populates are no trap, though /proc's minflt counts them). A worker is a spare made the
container's at its create (its set-up then, off the start's path: the message `{"prepare"...`):
its calls from the `recvmsg` of its start (`{"spec"...`: a start's fields, or a whole spec when
none was made) to the `write` of the first log line, its traps while named wasmcri-worker (its
guest then sleeps in poll_oneoff).

Usage: hack/bench/worker_path.py [BUILD_DIR] [--starts 20]
"""
import argparse
import collections
import re
import subprocess
import sys
import time

import startup

CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?(\w+)(?:\(| resumed>)")
PATH = re.compile(r'^\d+\s+(?:\S+\s+)?\w+\((?:AT_FDCWD, )?"([^"]*)"')


def traced(pids, trace, what):
    """Runs what() under strace -f over pids, writing trace."""
    st = subprocess.Popen(["strace", "-f", "-qq", "-s", "200", "-o", str(trace),
                           *sum((["-p", str(p)] for p in pids), [])], stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    what()
    time.sleep(1)  # the last guest's first line
    st.terminate()
    st.wait()


def worker_calls(trace):
    """{pid: [(call, line)]} from each spec's recvmsg to the first log write."""
    lines, on, out = collections.defaultdict(list), {}, {}
    for line in open(trace):
        m = CALL.match(line)
        if m is None:
            continue
        pid, call = int(m.group(1)), m.group(2)
        if call == "recvmsg" and '{\\"spec\\"' in line:
            on[pid] = True
        if call == "recvmsg" or "resumed>" in line:  # a call split in two is counted once
            continue
        if on.get(pid):
            lines[pid].append((call, line))
            if call == "write" and " stdout F " in line:
                out[pid] = lines[pid]
                on[pid] = False
    return out


def page_traps(d, forker, client, image, logdir, n, data):
    """{function: traps} of the workers over n starts, and the number of workers seen."""
    pr = subprocess.Popen(["perf", "record", "-q", "-e", "page-faults", "-c", "1", "-o", str(data),
                           "-p", str(forker)], stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    startup.run_client(client, d, image, logdir, "idle", n, "1")
    time.sleep(1)
    pr.send_signal(2)
    pr.wait()
    out = subprocess.run(["perf", "script", "-i", str(data), "-F", "comm,pid,ip,sym"],
                         capture_output=True, text=True).stdout
    syms, pids = collections.Counter(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] == "wasmcri-worker":
            pids.add(f[1])
            syms[f[3] if len(f) > 3 else "?"] += 1
    return syms, len(pids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(startup.TOP / "build"))
    ap.add_argument("--starts", type=int, default=20)
    a = ap.parse_args()
    build, base, client = startup.prepare(a.build)
    with startup.bench_daemon(build, base, "wasmcri-bench") as (d, refs):
        image = refs["probe"]
        startup.run_client(client, d, image, base / "logs-warm", "idle", 20, "1")
        time.sleep(0.5)
        zygote = d.zygote_pid()
        (forker,) = startup.children(zygote, "wasmcri-forker")
        trace = base / "strace.out"
        traced([zygote, forker], trace,
               lambda: startup.run_client(client, d, image, base / "logs", "idle", a.starts, "1"))
        workers = worker_calls(trace)
        n = len(workers)
        if n == 0:
            raise SystemExit("no worker's spec and first log line found in the trace")
        calls, paths = collections.Counter(), collections.Counter()
        for seq in workers.values():
            for call, line in seq:
                calls[call] += 1
                p = PATH.match(line)
                if p:
                    path = re.sub(r"/tmp/wasmcri-bench-\w+", "", p.group(1))
                    paths[re.sub(r"bench-\d+-\d+", "<pod>", re.sub(r"[0-9a-f]{64}", "<id>", path))] += 1
        print(f"== a worker's system calls from its spec to its first log line ({n} starts)")
        for name, k in calls.most_common():
            print(f"{k / n:8.2f}  {name}")
        print(f"{sum(calls.values()) / n:8.2f}  all")
        print("== the paths they name, per start")
        for path, k in paths.most_common():
            print(f"{k / n:8.2f}  {path}")
        syms, seen = page_traps(d, forker, client, image, base / "logs-perf", a.starts,
                                base / "perf.data")
        print(f"== a worker's page traps after its spec, per start ({seen} workers)")
        for sym, k in syms.most_common():
            print(f"{k / max(seen, 1):8.2f}  {sym}")
        print(f"{sum(syms.values()) / max(seen, 1):8.2f}  all")
        startup.remove_all(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
