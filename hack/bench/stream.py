#!/usr/bin/python3
"""Streaming server benchmark (issue 13): how soon an exec's first output byte reaches the
client, and how fast a port forward carries bytes next to a plain TCP connection.

Exec: the daemon runs probe.wasm's "sleep 600" in a hostNetwork pod (the runtime test image,
tests/integration/runtime_images.py, pulled over CRI); each sample is one Exec rpc for
`probe.wasm hello` (grpcio), the upgrade (WebSocket v5 or SPDY/3.1 with
tests/integration/stream_client.py) and the wait for the first stdout byte, timed from just
before the rpc. --execs samples per protocol, the protocols interleaved; p50 and p90.

Attach: a container running probe.wasm's "echo" with stdin, one attach session (WebSocket)
with stdin; each sample writes a line and waits for its echo, which comes back through the
container's stdin pipe, the guest, its CRI log and the session following it (inotify): --lines
samples, p50 and p90.

Port forward: a TCP server on 127.0.0.1 of the node (a hostNetwork pod's namespace is the
node's, so the forward dials it as it would a pod's server) sends --megabytes MiB to each
connection. Read once straight over TCP and once through a SPDY port forward (the daemon
dialing localhost:PORT in the pod's namespace and framing every byte), both by the same
Python reader; --rounds interleaved runs each, medians in MiB/s.

Usage: hack/bench/stream.py [BUILD_DIR] [--execs 200] [--lines 200] [--megabytes 256]
                            [--rounds 5]
"""
import argparse
import os
import pathlib
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import threading
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))


def bulk_server(megabytes):
    """A server sending megabytes MiB of zeros to each connection: its port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    chunk = bytes(1 << 20)

    def serve(c):
        with c:
            for _ in range(megabytes):
                c.sendall(chunk)

    def accept():
        while True:
            c, _ = srv.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


def read_tcp(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        buf = bytearray(1 << 20)
        total = 0
        while True:
            n = s.recv_into(buf)
            if n == 0:
                return total
            total += n


def read_forward(sc, url, port):
    """The data stream's payload bytes through a SPDY port forward, until its FIN."""
    pf = sc.SpdyPortForward(url)
    conn = pf.conn
    head = [("port", str(port)), ("requestid", "0")]
    conn.syn_stream([("streamtype", "error")] + head, fin=True)
    data = conn.syn_stream([("streamtype", "data")] + head)
    conn.data(data, b"", fin=True)
    buf, total, at = bytearray(conn.buf), 0, 0
    view = bytearray(4 << 20)
    while True:
        while len(buf) - at >= 8:  # frames are counted where they lie, not copied out
            word, flags_len = struct.unpack_from(">II", buf, at)
            n = flags_len & 0xFFFFFF
            if len(buf) - at < 8 + n:
                break
            if word == data:
                total += n
                if flags_len >> 24 & 1:
                    pf.close()
                    return total
            at += 8 + n
        del buf[:at]
        at = 0
        got = conn.sock.recv_into(view)
        if got == 0:
            raise RuntimeError("the forward ended before its FIN")
        buf += memoryview(view)[:got]


def first_byte_ms(sc, rt, pb, cid, proto):
    """(rpc answered, upgraded, first stdout byte) in ms from just before the rpc."""
    t0 = time.perf_counter()
    url = rt.Exec(pb.ExecRequest(container_id=cid, cmd=["/bin/probe.wasm", "hello"],
                                 stdout=True, stderr=False), timeout=10).url
    t1 = time.perf_counter()
    conn = sc.WebSocket(url) if proto == "websocket" else \
        sc.SpdyChannels(url, stdout=True, stderr=False)
    t2 = time.perf_counter()
    while True:
        m = conn.recv()
        if m is None:
            raise RuntimeError("no output")
        if m[0] == sc.STDOUT:
            t3 = time.perf_counter()
            break
    sc.collect(conn)
    return [(t - t0) * 1000 for t in (t1, t2, t3)]


def attach_echo_ms(sc, rt, pb, pid, refs, lines):
    """Round trips of a line through an attached container's stdin and its log, in ms."""
    from rt_helpers import create, ctr_config, start, wait_state
    cfg = ctr_config("echoer", refs["probe"], args=["echo"])
    cfg.stdin = True
    cid = create(rt, pid, cfg)
    start(rt, cid)
    wait_state(rt, cid, pb.CONTAINER_RUNNING)
    conn = sc.WebSocket(rt.Attach(pb.AttachRequest(container_id=cid, stdin=True, stdout=True),
                                  timeout=10).url)
    conn.sock.settimeout(10)
    samples = []
    for i in range(lines):
        t0 = time.perf_counter()
        conn.send(sc.STDIN, b"line %d\n" % i)
        sc.read_until(conn, b"echo: line %d\n" % i)
        samples.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=str(TOP / "build"))
    ap.add_argument("--execs", type=int, default=200)
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--megabytes", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    os.environ["WASMCRI_BUILD"] = str(pathlib.Path(a.build).resolve())
    import runtime_images
    import stream_client as sc
    from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
    from wasmcri_harness import Daemon, pb
    base = pathlib.Path(tempfile.mkdtemp(prefix="wasmcri-stream-bench-"))
    reg, refs = runtime_images.start(base / "images")
    d = Daemon(base / "d", config=runtime_images.daemon_config(reg))
    d.start()
    try:
        runtime_images.pull_all(d, {"probe": refs["probe"]})
        rt = d.runtime()
        (base / "logs").mkdir()
        pid = run_pod(rt, pod_config("stream-bench", base / "logs"))
        cid = create(rt, pid, ctr_config("sleeper", refs["probe"], args=["sleep", "600"]))
        start(rt, cid)
        wait_state(rt, cid, pb.CONTAINER_RUNNING)
        samples = {"websocket": [], "spdy": []}
        for _ in range(a.execs):
            for proto in samples:
                samples[proto].append(first_byte_ms(sc, rt, pb, cid, proto))
        print("== Exec rpc -> first stdout byte at the client (probe.wasm hello; %d each, "
              "interleaved)" % a.execs)
        print("%-10s %12s %12s %22s" % ("", "rpc answered", "upgraded", "first byte p50 (p90)"))
        for proto, runs in samples.items():
            phase = [statistics.median(r[i] for r in runs) for i in range(3)]
            p90 = statistics.quantiles([r[2] for r in runs], n=10)[8]
            print("%-10s %9.2f ms %9.2f ms %10.2f ms (%.2f)" % (proto, *phase, p90))
        echo = attach_echo_ms(sc, rt, pb, pid, refs, a.lines)
        print("== Attach: a line on stdin -> its echo from the guest's log at the client "
              "(%d lines)" % a.lines)
        print("p50 %.2f ms (p90 %.2f)" % (statistics.median(echo),
                                         statistics.quantiles(echo, n=10)[8]))
        port = bulk_server(a.megabytes)
        rates = {"plain TCP": [], "port forward (SPDY)": []}
        for _ in range(a.rounds):
            t0 = time.perf_counter()
            n = read_tcp(port)
            rates["plain TCP"].append(n / (1 << 20) / (time.perf_counter() - t0))
            url = rt.PortForward(pb.PortForwardRequest(pod_sandbox_id=pid, port=[port]),
                                 timeout=10).url
            t0 = time.perf_counter()
            n = read_forward(sc, url, port)
            rates["port forward (SPDY)"].append(n / (1 << 20) / (time.perf_counter() - t0))
            assert n == a.megabytes << 20, n
        print("== %d MiB from a TCP server on the node, one Python reader (median of %d "
              "interleaved runs)" % (a.megabytes, a.rounds))
        for name, r in rates.items():
            print("%-22s %8.0f MiB/s" % (name, statistics.median(r)))
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    finally:
        d.stop()
        d.kill_zygote()
        reg.stop()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
