#!/usr/bin/python3
"""HTTP benchmark of sockets inside the guest (issue 10): requests per second that one wasm
server pod answers, and the same server built natively, side by side.

The server is tests/wasm/net/net.c: net.wasm (the WasmEdge socket extension, one poll loop)
packed into the runtime test image "net" (tests/integration/runtime_images.py), pulled over CRI
and run by the daemon in a hostNetwork pod on 127.0.0.1; net_native is the same source compiled
for the host and started as a plain process. The client is ab (apache2-utils), on the same
machine: a sequential client (-c 1, a new connection per request) and a concurrent one
(-c 16 with keep-alive). Runs alternate wasm/native, --rounds times each; the figures are the
medians (the machine is shared and noisy).

Usage: hack/bench/http_rps.py [BUILD_DIR] [--requests 5000] [--rounds 5]
"""
import argparse
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))

CLIENTS = {"sequential (-c 1)": ["-c", "1"], "concurrent (-c 16 -k)": ["-c", "16", "-k"]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("nothing listens on port %d" % port)


def ab(port, args, requests):
    out = subprocess.run(["ab", "-q", "-n", str(requests), *args, "http://127.0.0.1:%d/" % port],
                         check=True, capture_output=True, text=True).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    if failed:
        raise RuntimeError("ab saw %d failed requests:\n%s" % (failed, out))
    return float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))


def start_wasm_pod(d, image, logs, port):
    from rt_helpers import create, ctr_config, pod_config, run_pod, start
    rt = d.runtime()
    pid = run_pod(rt, pod_config("http-bench", logs))
    start(rt, create(rt, pid, ctr_config("server", image, args=["http", str(port), "127.0.0.1"])))
    return pid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    build = pathlib.Path(a.build).resolve()
    os.environ["WASMCRI_BUILD"] = str(build)
    import runtime_images
    from wasmcri_harness import Daemon, pb
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-http-bench-"))
    reg, refs = runtime_images.start(base / "images")
    d = Daemon(base / "d", config=runtime_images.daemon_config(reg))
    d.start()
    native = None
    try:
        runtime_images.pull_all(d, {"net": refs["net"]})
        wasm_port, native_port = free_port(), free_port()
        (base / "logs").mkdir()
        pid = start_wasm_pod(d, refs["net"], base / "logs", wasm_port)
        native = subprocess.Popen([str(build / "tests/wasm/net/net_native"), "http",
                                   str(native_port), "127.0.0.1"], stdout=subprocess.DEVNULL,
                                  env={"HOSTNAME": "http-bench"})
        wait_listening(wasm_port)
        wait_listening(native_port)
        results = {(c, s): [] for c in CLIENTS for s in ("wasm", "native")}
        for _ in range(a.rounds):
            for name, args in CLIENTS.items():
                results[(name, "wasm")].append(ab(wasm_port, args, a.requests))
                results[(name, "native")].append(ab(native_port, args, a.requests))
        print("== HTTP requests per second, one server, ab on the same machine "
              "(median of %d interleaved runs of %d requests)" % (a.rounds, a.requests))
        print("%-24s %12s %12s %8s" % ("client", "wasm pod", "native", "ratio"))
        for name in CLIENTS:
            w = statistics.median(results[(name, "wasm")])
            n = statistics.median(results[(name, "native")])
            print("%-24s %12.0f %12.0f %7.2fx" % (name, w, n, w / n))
        d.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    finally:
        if native is not None:
            native.kill()
            native.wait()
        d.stop()
        d.kill_zygote()
        reg.stop()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
