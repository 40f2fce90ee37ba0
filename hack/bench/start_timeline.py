#!/usr/bin/python3
"""The per-step timeline of a cached start (issue 14 item 3), taken with `perf trace record`
and no build change: start_big.py's cached kind (the generated module, --mib MiB, compiled by
the zygote at create, module_cache_mib 1024), each container created by this Python client and
started by startup_client's startid mode (hack/bench/start_big.py says what it times), while
perf records the system calls and scheduler events (wake-ups, switches) of the client, the
daemon's threads, the zygote, its forker and its children (the worker made at the container's
create, `wasmcri-ready`, is the one the start wakes: wasm/zygote/README.md). Recorded, not printed live: a live `perf trace` woke up for each event and took the
worker's CPU (up to 30 preemptions of the worker between its spec and its first write).
A first start is not traced (it warms the module and the client's channel); then --starts
starts, each with a recording of its own (attached to the processes there are at the time: a
recording follows no process forked after it attached). Prints, per start, the client's own
three times (rpc, seen, written) beside the trace's, then the median time of each step of
STEPS (below: each found by its system call) from the client's watch of the log's directory
(its last system call before it reads the clocks and calls StartContainer). The traces are left
in OUT/traceN.txt (ms of perf's clock). Tracing costs each system call a few us: the steps come
out longer than untraced; the order and the gaps are what to read.

Usage: hack/bench/start_timeline.py [BUILD_DIR] [--mib 20] [--starts 5] [--out DIR]
"""
import argparse
import os
import pathlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
sys.path.insert(0, str(TOP / "hack" / "bench"))


def followed(d, client):
    """The pids perf trace follows: the client, the daemon, the zygote and its children."""
    zygote = d.zygote_pid()
    kids = open(f"/proc/{zygote}/task/{zygote}/children").read().split()
    return [str(client.pid), str(d.proc.pid), str(zygote), *kids]


# The steps of a start, each the first event of its pattern (a system call's begin or end,
# or a scheduler event: its time) after the step it follows, in trace order.
#   (key, what, follows, pattern, "begin" or "end"); a pattern matches "COMM/PID CALL(...", and
#   "{handler}" and "{spare}" in it stand for the pid of the thread the queue thread woke and of
#   the made worker the zygote woke (a trace also has the next spare, at times two handlers).
STEPS = (
    ("watch", "the client's watch of the log's directory", None,
     r"startup_client/\d+ inotify_add_watch\(", "end"),
    ("call", "the client's StartContainer sent", "watch", r"startup_client/\d+ sendmsg\(",
     "begin"),
    ("queue", "the daemon's queue thread has it", "call", r"cri-queue-\d+/\d+ recvmsg\(", "end"),
    ("handed", "a handler thread woken", "queue",
     r"cri-queue-\d+/\d+ sched:sched_wakeup comm=cri-handler pid=(?P<handler>\d+)", "begin"),
    ("handler", "the handler runs", "handed", r"cri-handler/{handler} \w+\(", "end"),
    ("to_zygote", "start sent to the zygote", "handler", r"cri-handler/{handler} sendmsg\(",
     "begin"),
    ("zygote", "received there", "to_zygote", r"wasmcri-zygote/\d+ recvmsg\(", "end"),
    ("reply", "the zygote's reply to the daemon", "zygote", r"wasmcri-zygote/\d+ sendmsg\(",
     "begin"),
    ("spec", "the start sent to the made worker", "reply", r"wasmcri-zygote/\d+ sendmsg\(",
     "begin"),
    ("spare", "the made worker has it (runs)", "spec", r"wasmcri-ready/(?P<spare>\d+) recvmsg\(",
     "end"),
    ("write", "the first log write", "spare", r"wasmcri-worker/{spare} write\(", "begin"),
    ("answer", "the daemon has the zygote's reply", "reply", r"cri-handler/{handler} recvmsg\(",
     "end"),
    ("to_client", "the reply sent to the client", "answer",
     r"(cri-handler/{handler}|cri-queue-\d+/\d+) sendmsg\(", "begin"),
    ("back", "the rpc back in the client", "to_client", r"startup_client/\d+ recvmsg\(", "end"),
    ("seen", "the log line seen by the client (a stat)", "write",
     r"startup_client/\d+ newfstatat\(.*= 0$", "end"),
)
LINE = re.compile(r"^\s*(-?[\d.]+) \(\s*([\d.]*)(?: ms)?\s*\): (\S+ .*)$")
CONTINUED = re.compile(r"^(\S+) +\.\.\. \[continued\]: (\w+)\(\)\)\s+= (.*)$")


def events(trace):
    """(begin ms, end ms or None, text, the call's return or None) of each line of a `perf
    trace`; a call split around others ("... [continued]") is one event at its end line, with
    the arguments of its begin line."""
    opened, out = {}, []
    for line in trace.splitlines():
        m = LINE.match(line)
        if m is None:
            continue
        t, dur, text = float(m[1]), m[2], m[3]
        c = CONTINUED.match(text)
        if c is not None:
            text = opened.pop((c[1], c[2]), f"{c[1]} {c[2]}()") + f" = {c[3]}"
        elif text.endswith(" ..."):
            opened[(text.split()[0], text.split()[1].split("(")[0])] = text[:-4]
            continue
        ret = text.rsplit(" = ", 1)[1] if " = " in text else None
        out.append((t, t + float(dur) if dur else None, text, ret))
    return sorted(out, key=lambda e: e[0])


def steps(trace):
    """Each step's time (us) from the client's watch of the log's directory (its last system
    call before it reads the clocks and calls StartContainer), None for one not found."""
    evs, at, pids = events(trace), {}, {}
    for key, _, follows, pattern, which in STEPS:
        after = at.get(follows) if follows else None
        at[key] = None
        if follows is not None and after is None:
            continue
        try:
            pattern = pattern.format(**pids)
        except KeyError:
            continue  # the pid it needs was not found
        for t, end, text, ret in evs:
            ok = which == "begin" or ret is None or not ret.startswith("-1")  # not EAGAIN
            when = t if which == "begin" else end
            m = re.search(pattern, text) if when is not None and ok else None
            if m is not None and (after is None or when > after):
                at[key] = when
                pids.update(m.groupdict())
                break
    t0 = at["watch"]
    return {k: (v - t0) * 1000 if v is not None and t0 is not None else None
            for k, v in at.items()}


def printed(data):
    """The recorded system calls as `perf trace` prints them, and the scheduler events (which
    it does not print from a recording) as `perf script` does, in the same form."""
    calls = subprocess.run(["perf", "trace", "-i", str(data), "-T", "--comm", "--sort-events"],
                           check=True, capture_output=True, text=True).stderr
    sched = subprocess.run(["perf", "script", "-i", str(data), "-F", "comm,tid,time,event,trace"],
                           check=True, capture_output=True, text=True).stdout
    lines = [calls]
    for line in sched.splitlines():
        m = re.match(r"^\s*(\S+)\s+(\d+)\s+([\d.]+):\s+(sched:\S+):\s+(.*)$", line)
        if m is not None:
            lines.append(f"{float(m[3]) * 1000:.3f} (         ): {m[1]}/{m[2]} {m[4]} {m[5]}")
    return "\n".join(lines) + "\n"


def us(v):
    return "-" if v is None else f"{v:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--mib", type=int, default=20)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--out", help="where the traces are kept (default: a new directory in /tmp)")
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    out = pathlib.Path(a.out or tempfile.mkdtemp(prefix="wasmcri-timeline-traces-")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["WASMCRI_BUILD"] = str(build)
    from start_big import start_to_log
    from startup import bench_daemon, compile_client
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-timeline-"))
    mods = base / "mods"
    mods.mkdir()
    subprocess.run(["cc", "-O2", "-o", str(base / "gen_module"),
                    str(TOP / "tests/wasm/bench/gen_module.c")], check=True)
    subprocess.run([str(base / "gen_module"), str(a.mib), str(mods / "big.wasm")], check=True)
    compile_client(build, base / "startup_client")
    with bench_daemon(build, base / "cached", f"wasmcri-timeline-{os.getpid()}",
                      {"module_cache_mib": 1024}) as (d, refs), subprocess.Popen(
            [str(base / "startup_client"), str(d.socket), "-", "-", "startid",
             str(a.starts + 1)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True) as client:
        probe, logs = refs["probe"], base / "logs"
        start_to_log(d, probe, mods, logs, "warm", client=client)
        time.sleep(0.5)
        found, client_times = [], []
        for i in range(a.starts):
            data, trace = base / f"trace{i}.data", base / f"trace{i}.txt"
            perf = subprocess.Popen(["perf", "trace", "record", "-q", "-o", str(data), "-e",
                                     "sched:sched_wakeup,sched:sched_switch",
                                     "-p", ",".join(followed(d, client))])
            time.sleep(1.5)  # perf trace attaches
            rpc, seen, written = start_to_log(d, probe, mods, logs, f"traced{i}", client=client)
            time.sleep(0.1)
            perf.send_signal(signal.SIGINT)
            if perf.wait() not in (0, -signal.SIGINT):  # perf record raises it again at exit
                raise SystemExit(f"perf trace exited with status {perf.returncode}")
            trace.write_text(printed(data))
            shutil.copyfile(trace, out / trace.name)
            found.append(steps(trace.read_text()))
            client_times.append((rpc * 1e6, seen * 1e6, written * 1e6))
            f = found[-1]
            print(f"start {i}: the client's rpc {rpc * 1e6:.0f} us, seen {seen * 1e6:.0f}, "
                  f"written {written * 1e6:.0f}; in the trace: the rpc back {us(f['back'])}, "
                  f"seen {us(f['seen'])}, the first log write {us(f['write'])}")
        client.stdin.close()
    print(f"A cached start, {a.starts} traced: us from the client's watch of the log, median "
          f"(min-max), and the median time from the step it follows (the traces: "
          f"{out}/trace*.txt):")
    for key, what, follows, _, _ in STEPS:
        got = sorted(f[key] for f in found if f[key] is not None)
        if not got:
            print(f"  {what:46s}  not found")
            continue
        gaps = [f[key] - f[follows] for f in found if follows and f[key] is not None]
        gap = f"{statistics.median(gaps):7.0f}" if gaps else ""
        print(f"  {what:46s} {statistics.median(got):7.0f}  ({got[0]:.0f}-{got[-1]:.0f}) {gap}"
              f"{'' if len(got) == len(found) else f'  in {len(got)} of the {len(found)}'}")
    for k, what in enumerate(("rpc", "seen", "written")):
        got = sorted(t[k] for t in client_times)
        print(f"  the client's own {what:29s} {statistics.median(got):7.0f}  "
              f"({got[0]:.0f}-{got[-1]:.0f})")
    shutil.rmtree(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
