#!/usr/bin/python3
"""Idle footprint benchmark (issue 15): the memory of the daemon and of its zygote
  1. fresh: started, serving, nothing asked yet (after 1 s of rest);
  2. polled: after 10,000 rpcs of the kinds kubelet polls (Version, Status, ListPodSandbox,
     PodSandboxStatus, ListContainers, ListContainerStats, ListPodSandboxStats, ImageFsInfo,
     ListImages), with one host-network pod to report, and 1 s of rest;
  3. pulled (--pull): after pulling the probe image from a local docker-registry and 1 s
     of rest: what a pull leaves mapped.
Each figure is RSS and PSS, each split into file-backed (library and program pages) and
anonymous (heap, stacks, relocated data) from /proc/PID/status and smaps_rollup, in KiB.
A cross build (build-arm64/, build-armhf/ of hack/cross.sh) runs under qemu-user: the process is
qemu, whose RSS includes the translator (qemu's program, its heap, the translated code). For it
the rows "daemon" and "zygote" count the guest's pages only, and "daemon+qemu", "zygote+qemu" the
whole process. The guest's pages are the mappings qemu made for the guest: qemu 7.2 places them
from the guest program's load address upwards, below its own heap, which is mapped after the
guest's; so a mapping below qemu's [heap] that is not qemu's own program is the guest's.
Builds given together are measured in interleaved rounds (build A, build B, A, B, ...) and
each figure is the median over the rounds: the machine is shared and noisy.

Usage: hack/bench/footprint.py [BUILD_DIR...] [--rounds 5] [--rpcs 10000] [--pull] [--maps]
  --maps  also prints the fresh daemon's resident KiB per mapped file (last round)
"""
import argparse
import collections
import pathlib
import statistics
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))

FIELDS = [("RssFile", "status"), ("RssAnon", "status"), ("Pss_File", "smaps_rollup"),
          ("Pss_Anon", "smaps_rollup")]


def read_kib(pid, path):
    out = {}
    for line in open(f"/proc/{pid}/{path}"):
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0].rstrip(":")] = int(parts[1])
    return out


def memory(pid):
    """{RssFile, RssAnon, Pss_File, Pss_Anon} in KiB."""
    got = {path: read_kib(pid, path) for path in ("status", "smaps_rollup")}
    return {key: got[path].get(key, 0) for key, path in FIELDS}


def qemu_program(pid):
    """The path of qemu-user's program if pid is a qemu-user process, else None."""
    exe = pathlib.Path(f"/proc/{pid}/exe").resolve()
    return str(exe) if exe.name.startswith("qemu-") else None


def guest_memory(pid, qemu):
    """memory()'s fields over the guest's mappings of qemu-user process pid (see the top)."""
    maps, cur = [], None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if not parts[0].endswith(":"):
            cur = {"start": int(parts[0].split("-")[0], 16),
                   "name": parts[5] if len(parts) > 5 else ""}
            maps.append(cur)
        elif parts[0] in ("Rss:", "Pss:", "Anonymous:"):
            cur[parts[0].rstrip(":")] = int(parts[1])
    heap = min(m["start"] for m in maps if m["name"] == "[heap]")
    guest = [m for m in maps if m["start"] < heap and m["name"] != qemu and m.get("Rss")]
    rss = sum(m["Rss"] for m in guest)
    anon = sum(m["Anonymous"] for m in guest)
    # smaps has no Pss_Anon per mapping: a mapping's PSS is split as its RSS is
    pss_anon = sum(m["Pss"] * m["Anonymous"] / m["Rss"] for m in guest)
    return {"RssFile": rss - anon, "RssAnon": anon,
            "Pss_File": sum(m["Pss"] for m in guest) - pss_anon, "Pss_Anon": pss_anon}


def process_memory(name, pid):
    """{name: memory}, or for a qemu-user process {name: the guest's, name+qemu: the whole}."""
    qemu = qemu_program(pid)
    if not qemu:
        return {name: memory(pid)}
    return {name: guest_memory(pid, qemu), name + "+qemu": memory(pid)}


def per_mapping(pid):
    """Resident KiB per mapped file (or [heap], [anon], ...), largest first."""
    rss, name = collections.Counter(), None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if not parts[0].endswith(":"):
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif parts[0] == "Rss:":
            rss[name] += int(parts[1])
    return rss.most_common()


POLLS = [
    ("Version", "runtime", lambda pb, pod: pb.VersionRequest()),
    ("Status", "runtime", lambda pb, pod: pb.StatusRequest()),
    ("ListPodSandbox", "runtime", lambda pb, pod: pb.ListPodSandboxRequest()),
    ("PodSandboxStatus", "runtime", lambda pb, pod: pb.PodSandboxStatusRequest(pod_sandbox_id=pod)),
    ("ListContainers", "runtime", lambda pb, pod: pb.ListContainersRequest()),
    ("ListContainerStats", "runtime", lambda pb, pod: pb.ListContainerStatsRequest()),
    ("ListPodSandboxStats", "runtime", lambda pb, pod: pb.ListPodSandboxStatsRequest()),
    ("ImageFsInfo", "image", lambda pb, pod: pb.ImageFsInfoRequest()),
    ("ListImages", "image", lambda pb, pod: pb.ListImagesRequest()),
]


def poll(d, n):
    """n rpcs, round-robin over POLLS, with one host-network pod to report."""
    from rt_helpers import pod_config, run_pod
    from wasmcri_harness import pb
    rt, im = d.runtime(), d.image()
    pod = run_pod(rt, pod_config("footprint", d.base / "logs"))
    calls = [(getattr(rt if svc == "runtime" else im, name), make(pb, pod))
             for name, svc, make in POLLS]
    for i in range(n):
        fn, req = calls[i % len(calls)]
        fn(req, timeout=30)


def one_round(build, base, rpcs, pull, registry):
    """{phase: {process: memory}} of one fresh daemon of build; its fresh mappings."""
    import runtime_images
    from wasmcri_harness import Daemon
    config = runtime_images.daemon_config(registry[0]) if pull else None
    d = Daemon(base, config=config)
    d.args = lambda: [str(build / "wasmcri"), "--socket", str(d.socket), "--root", str(d.root),
                      "--state", str(d.state), "--log-level", "warn"] + (
                          ["--config", str(d.config_path)] if d.config_path else [])
    out = {}
    try:
        d.start()

        def measure(phase):
            time.sleep(1)
            out[phase] = {**process_memory("daemon", d.proc.pid),
                          **process_memory("zygote", d.zygote_pid())}

        measure("fresh")
        maps = per_mapping(d.proc.pid)
        poll(d, rpcs)
        measure(f"after {rpcs} polls")
        if pull:
            runtime_images.pull_all(d, {"probe": registry[1]["probe"]})
            measure("after a pull")
    finally:
        d.stop()
        d.kill_zygote()
    return out, maps


def print_table(results, builds):
    print(f"{'build':<24} {'phase':<18} {'process':<11} {'RSS':>7} {'file':>7} {'anon':>7} "
          f"{'PSS':>7} {'file':>7} {'anon':>7}   (KiB, medians)")
    for build in builds:
        rounds = results[build]
        for phase in rounds[0]:
            for proc in rounds[0][phase]:
                med = {k: statistics.median(r[phase][proc][k] for r in rounds) for k, _ in FIELDS}
                print(f"{build.name:<24} {phase:<18} {proc:<11} "
                      f"{med['RssFile'] + med['RssAnon']:7.0f} {med['RssFile']:7.0f} "
                      f"{med['RssAnon']:7.0f} {med['Pss_File'] + med['Pss_Anon']:7.0f} "
                      f"{med['Pss_File']:7.0f} {med['Pss_Anon']:7.0f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="*", default=[str(TOP / "build")])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rpcs", type=int, default=10000)
    ap.add_argument("--pull", action="store_true")
    ap.add_argument("--maps", action="store_true")
    args = ap.parse_args()
    builds = [pathlib.Path(b).resolve() for b in args.builds]
    for b in builds:
        if not (b / "wasmcri").exists():
            raise SystemExit(f"{b}/wasmcri is missing: build it first")
    results = {b: [] for b in builds}
    maps = {}
    with tempfile.TemporaryDirectory(prefix="wasmcri-footprint-") as tmp:
        registry = None
        if args.pull:
            import runtime_images
            registry = runtime_images.start(pathlib.Path(tmp) / "images")
        try:
            for r in range(args.rounds):
                for i, b in enumerate(builds):
                    got, maps[b] = one_round(b, pathlib.Path(tmp) / f"r{r}-b{i}", args.rpcs,
                                             args.pull, registry)
                    results[b].append(got)
        finally:
            if registry:
                registry[0].stop()
    print(f"{args.rounds} rounds, interleaved over {len(builds)} build(s)")
    print_table(results, builds)
    if args.maps:
        for b in builds:
            print(f"\n{b.name}: the fresh daemon's resident KiB per mapping (last round)")
            for name, kib in maps[b]:
                if kib:
                    print(f"{kib:7d}  {name}")


if __name__ == "__main__":
    main()
