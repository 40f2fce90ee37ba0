#!/usr/bin/python3
"""Start and compile of a big module (issue 14, part 3). The module is written by
tests/wasm/bench/gen_module.c (--mib MiB of varied functions; `_start` calls two of them, then
writes "ready" to stdout), nothing of it is kept.
  1. compile speed, MB/s of module per second of CPU time (compile_speed; and of the calling
     thread's CPU time, the wall time with two free cores: validation runs on two threads; the
     wall time as measured too): compiled at load,
     validated only (lazy_compile: each function compiled on its first call), and neither
     (prevalidated: a worker's load of a module the zygote validated at create); validation
     alone (the validated-only load's time less the decode's) and compile alone (the compiled
     load's less the decode's, validation included: they are one pass); and what a
     cached start costs a worker forked from a process holding the compiled module
     (instance_cost: the fork, CPU time of instantiate and of `_start`, page faults); a worker's
     load in a fresh process (compile_speed --fresh: CPU, wall, page faults);
  2. StartContainer -> the container's first log line, on two daemons side by side, in
     interleaved rounds, medians:
       cached  module_cache_mib 1024: the zygote compiled the module at CreateContainer (in
               the background of its loop), the start compiles nothing;
       first   module_cache_mib 32, too small to compile it there: the zygote validated it at
               create and holds it so (decoded, not compiled); the worker forked with it
               compiles each function it runs on its first call (before: the worker loaded it
               itself, a decode of the 21 MB, as any start of a module not held);
       small   the probe image's own module (tests/wasm/runtime/probe.wasm) on the cached
               daemon: what a start costs here with a module of a few KiB (the floor);
       pulled  the same module as an image's /bin/app.wasm, pulled once by the first daemon (the
               pull validates it and the zygote holds it validated, its function bodies read
               from the store's file: mapped, not copied), started from the image: the worker
               compiles the functions it runs; what a start of a 20 MB image module costs with
               the default budget (32 MiB compiles no module over 2 MiB);
       cold    a module never seen (a fresh copy of the file each round, on the first daemon):
               CreateContainer (which has the zygote validate it, in the background of its
               loop, and hold it: the first's is evicted, and decoded again at its next create)
               + StartContainer -> first log line, the create's share printed too;
     and each daemon's wasmcri_module_start_compiles_total at the end.
     Each of these starts is timed by this Python client (grpcio): from its StartContainer call
     to its first look at the log file that finds the line, busy polling it with stat (the
     column kept since session 10, for comparisons across sessions). That includes the grpcio
     client's own cost (session 13: ~450 us before the daemon's handler ran, ~300 us from the
     rpc's return to its look at the log) and, on a 2-vCPU machine, its poll takes a CPU from
     the daemon, the zygote and the worker. A kubelet is a Go client and does not poll the log,
     so first, cached, small and pulled also get, in the same rounds, a start of another
     container of the same kind by the C gRPC client (startup_client.c's startid mode, on a
     channel connected before: grpc core + protobuf-c; the create is still this client's),
     three times from its call:
       C rpc      until StartContainer returned (what a kubelet waits for);
       C seen     until it saw the first log line (woken by inotify on the log's directory,
                  taking no CPU while it waits);
       C written  until the time stamp the worker wrote on that line (CRI log format, the
                  worker's CLOCK_REALTIME at its write; the client's at its call): the time to
                  the guest's first output, with no client-side wait in it: the start itself.
     (cold is timed by this client only: its figure is the create's, tens of ms.) In each round
     the Python and the C start of a kind alternate which goes first.
The module lies in a host directory mounted into the probe image's container (a CRI mount).

Usage: hack/bench/start_big.py [BUILD_DIR] [--mib 20] [--rounds 7]
"""
import argparse
import contextlib
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
sys.path.insert(0, str(TOP / "hack" / "bench"))

LOG_WAIT_S = 120


def build_tools(build, out):
    bench = TOP / "tests/wasm/bench"
    subprocess.run(["cc", "-O2", "-o", str(out / "gen_module"), str(bench / "gen_module.c")],
                   check=True)
    subprocess.run(["cc", "-O2", f"-I{TOP}/wasm/engine", f"-I{TOP}/common", "-o",
                    str(out / "compile_speed"), str(bench / "compile_speed.c"),
                    str(build / "wasm/engine/libwasmcri_engine.a"),
                    str(build / "common/libwasmcri_common.a"), "-lm", "-pthread"], check=True)
    subprocess.run(["cc", "-O2", f"-I{TOP}/wasm/engine", f"-I{TOP}/common", "-o",
                    str(out / "instance_cost"), str(bench / "instance_cost.c"),
                    str(build / "wasm/engine/libwasmcri_engine.a"),
                    str(build / "common/libwasmcri_common.a"), "-lm", "-pthread"], check=True)


def compile_speed(out, module, options):
    """(MB/s of CPU time, CPU s, wall s, the calling thread's CPU s, page faults) per load."""
    args = [str(out / "compile_speed")] + list(options) + [str(module)]
    size, secs, mbs, wall, caller, faults = subprocess.run(args, check=True, capture_output=True,
                                                           text=True).stdout.split()
    return float(mbs), float(secs), float(wall), float(caller), float(faults)


def c_start(client, cid, log):
    """client (a startup_client in startid mode) starts container cid: its three times, s."""
    client.stdin.write(f"{cid} {log}\n")
    client.stdin.flush()
    line = client.stdout.readline()
    if not line:
        raise SystemExit(f"startup_client startid exited with status {client.wait()} (its "
                         f"error is above)")
    return [float(us) / 1e6 for us in line.split()]


def start_to_log(d, probe, mods, logdir, name, command=("/mods/big.wasm",), created=None,
                 client=None):
    """Seconds from StartContainer to the first line of the container's log (from
    CreateContainer's call on with created, a list that gets the create's seconds); with
    client, the container is started by it instead (c_start's three times)."""
    from rt_helpers import create, ctr_config, pod_config, run_pod, start
    from wasmcri_harness import pb
    r = d.runtime()
    pod = run_pod(r, pod_config(name, logdir))
    try:
        tc = time.perf_counter()
        cid = create(r, pod, ctr_config(name, probe, command=list(command),
                                        mounts=[("/mods", str(mods), True)]))
        log = logdir / (name + ".log")
        if client is not None:
            return c_start(client, cid, log)
        t0 = time.perf_counter()
        if created is not None:
            created.append(t0 - tc)
            t0 = tc
        start(r, cid)
        while not (log.exists() and log.stat().st_size > 0):
            if time.perf_counter() - t0 > LOG_WAIT_S:
                raise SystemExit(f"{name}: no log line in {LOG_WAIT_S} s")
        return time.perf_counter() - t0
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=120)


def start_compiles(url):
    from test_metrics_endpoint import scrape, value
    name = "wasmcri_module_start_compiles"
    return int(value(scrape(url), name, name + "_total"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--mib", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-bench-big-"))
    build_tools(build, base)
    mods = base / "mods"
    mods.mkdir()
    module = mods / "big.wasm"
    subprocess.run([str(base / "gen_module"), str(a.mib), str(module)], check=True)
    size = module.stat().st_size
    print(f"module: {size} bytes ({size / 1e6:.1f} MB)")
    load = {}
    for option, what in ((None, "compiled at load"), ("--lazy", "validated only (lazy_compile)"),
                         ("--prevalidated", "neither (prevalidated)")):
        opts = [option] if option else []
        mbs, load[option], wall, caller, _ = compile_speed(base, module, opts)
        print(f"compile speed, {what}: {mbs:.1f} MB/s ({load[option] * 1000:.0f} ms CPU per load; "
              f"wall {wall * 1000:.0f} ms; the calling thread {caller * 1000:.0f} ms CPU, "
              f"{size / caller / 1e6:.1f} MB/s)")
    for option, what in (("--prevalidated", "a worker's load of a module validated at create"),
                         ("--lazy", "a worker's load that validates")):
        _, secs, wall, _, faults = compile_speed(base, module, [option, "--fresh"])
        print(f"{what} (a fresh process, median of 7): {secs * 1000:.1f} ms CPU, wall "
              f"{wall * 1000:.1f} ms, {faults:.0f} page faults")
    for option, what in (("--lazy", "validation alone"), (None, "validation + compile alone")):
        secs = load[option] - load["--prevalidated"]
        print(f"{what} (less the decode): {size / secs / 1e6:.1f} MB/s ({secs * 1000:.0f} ms CPU)")
    fork_us, inst_us, run_us, faults = subprocess.run(
        [str(base / "instance_cost"), "--rounds", "21", str(module)], check=True,
        capture_output=True, text=True).stdout.split()
    print(f"cached start in a forked worker (median of 21): fork {fork_us} us (wall); CPU: "
          f"instantiate {inst_us} us, instantiate + _start {run_us} us; {faults} page faults")
    fork_us, inst_us, run_us, faults = subprocess.run(
        [str(base / "instance_cost"), "--rounds", "21", "--lazy", str(module)], check=True,
        capture_output=True, text=True).stdout.split()
    print(f"the same, the module held validated only (too big to compile; each worker compiles "
          f"the functions it calls): fork {fork_us} us (wall); CPU: instantiate {inst_us} us, "
          f"instantiate + _start {run_us} us; {faults} page faults")

    from startup import bench_daemon, compile_client
    from test_metrics_endpoint import free_port
    times = {"cached": [], "first": [], "small": [], "pulled": [], "cold": []}
    ctimes = {kind: [] for kind in ("cached", "first", "small", "pulled")}
    cold_creates = []
    urls = {}
    compile_client(build, base / "startup_client")
    with contextlib.ExitStack() as stack:
        daemons, clients = {}, {}
        for kind, mib in (("cached", 1024), ("first", 32)):
            addr = f"127.0.0.1:{free_port()}"
            urls[kind] = f"http://{addr}/metrics"
            d, refs = stack.enter_context(bench_daemon(
                build, base / kind, f"wasmcri-bench-big-{os.getpid()}-{kind}",
                {"module_cache_mib": mib, "metrics_address": addr}))
            daemons[kind] = (d, refs["probe"])
            clients[kind] = stack.enter_context(subprocess.Popen(
                [str(base / "startup_client"), str(d.socket), "-", "-", "startid",
                 str(2 * a.rounds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        d, probe = daemons["first"]
        from test_compile_off_start import pull, push_app_image
        registry_host = types.SimpleNamespace(host=probe.split("/")[0])
        app = push_app_image(registry_host, base / "app-layout", module.read_bytes())
        t0 = time.perf_counter()
        pull(d, app)
        print(f"PullImage of the module's image (first daemon, validation included): "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")

        def both(i, kind, daemon, image, **kw):
            """A start of kind on daemon by each client, the Python one first in even rounds."""
            d, client = daemons[daemon][0], clients[daemon]
            for c in ((None, client) if i % 2 == 0 else (client, None)):
                got = start_to_log(d, image, mods, base / f"logs-{kind}",
                                   f"{kind}{i}{'c' if c else ''}", client=c, **kw)
                (times if c is None else ctimes)[kind].append(got)

        for i in range(a.rounds):
            for kind, (_, probe) in daemons.items():
                both(i, kind, kind, probe)
            both(i, "small", "cached", daemons["cached"][1], command=())
            both(i, "pulled", "first", app, command=())
            d, probe = daemons["first"]
            fresh = mods / f"cold{i}.wasm"  # another file: a key the zygote never saw
            shutil.copyfile(module, fresh)
            times["cold"].append(start_to_log(d, probe, mods, base / "logs-cold", f"cold{i}",
                                              command=(f"/mods/{fresh.name}",),
                                              created=cold_creates))
            fresh.unlink()
        counts = {kind: start_compiles(urls[kind]) for kind in daemons}
        for client in clients.values():
            client.stdin.close()
            if client.wait() != 0:
                raise SystemExit(f"startup_client startid exited with status {client.returncode}")
    print(f"StartContainer -> first log line, median of {a.rounds} interleaved rounds (this "
          f"grpcio client polling the log); C: startup_client's rpc/seen/written, median (min), "
          f"ms:")
    for kind in ("first", "cached", "small", "pulled", "cold"):
        t = sorted(times[kind])
        compiled = f"; starts that compiled: {counts[kind]}" if kind in counts else ""
        if kind == "cold":
            compiled = (f"; CreateContainer -> StartContainer -> first log line, of which the "
                        f"create {statistics.median(cold_creates) * 1000:.2f} ms")
        c = ""
        if kind in ctimes:
            cols = [sorted(col) for col in zip(*ctimes[kind])]  # rpc, seen, written
            c = (f"  C {'/'.join(f'{statistics.median(col) * 1000:.2f}' for col in cols)} "
                 f"(min {'/'.join(f'{col[0] * 1000:.2f}' for col in cols)})")
        print(f"  {kind:6s} {statistics.median(t) * 1000:8.2f} ms  (min {t[0] * 1000:.2f}, "
              f"max {t[-1] * 1000:.2f}){c}{compiled}")
    shutil.rmtree(base)  # the daemons are stopped and their tmpfs unmounted: files only
    return 0


if __name__ == "__main__":
    sys.exit(main())
