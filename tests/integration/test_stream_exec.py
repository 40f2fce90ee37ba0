"""Exec over the streaming server: the Exec rpc answers a one-time URL, a client
(stream_client.py: WebSocket as kubectl 1.30+, SPDY/3.1 as kubelet and client-go) upgrades
there and talks to a fresh instance of probe.wasm in the container's view through live
stdin/stdout/stderr; the exit code comes as the status."""
import socket
import time

import grpc
import pytest

import stream_client as sc
from rt_helpers import (create, ctr_config, pod_config, run_concurrently, run_pod,
                        settled_counts, stable_counts, start, vm_rss_kib, wait_state)
from test_module_cache import asan_build
from wasmcri_harness import pb

PROBE = "/bin/probe.wasm"


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("stream", tmp_path_factory.mktemp("logs")))


@pytest.fixture(scope="module")
def ctr(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("sleeper", rt.refs["probe"], args=["sleep", "600"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def exec_url(rt, cid, cmd, stdin=False, stdout=True, stderr=True, tty=False):
    return rt.runtime().Exec(pb.ExecRequest(container_id=cid, cmd=cmd, stdin=stdin,
                                            stdout=stdout, stderr=stderr, tty=tty),
                             timeout=10).url


@pytest.fixture(params=["websocket", "spdy"])
def connect(request, rt, ctr):
    """Exec rpc, then the client upgrades with the protocol of the parameter."""
    def go(cmd, stdin=False, stdout=True, stderr=True, tty=False, timeout=10):
        url = exec_url(rt, ctr, cmd, stdin, stdout, stderr, tty)
        if request.param == "spdy":
            return sc.SpdyChannels(url, stdin, stdout, stderr, tty, timeout=timeout)
        return sc.WebSocket(url, timeout=timeout)
    return go


def test_exec_output_and_exit_code(connect):
    got = sc.collect(connect([PROBE, "hello", "--", "exit", "3"]))
    assert got[sc.STDOUT] == b"hello from wasm\n"
    assert got[sc.STDERR] == b"hello on stderr\n"
    assert sc.exit_code(got[sc.ERROR]) == 3
    assert sc.exit_code(sc.collect(connect([PROBE, "hello"]))[sc.ERROR]) == 0


def test_exec_url_and_websocket_versions(rt, ctr):
    url = exec_url(rt, ctr, [PROBE, "hello"])
    assert url.startswith("http://127.0.0.1:") and "/exec/" in url
    assert sc.WebSocket(url).protocol == "v5.channel.k8s.io"
    ws = sc.WebSocket(exec_url(rt, ctr, [PROBE, "hello"]), protocols=("v4.channel.k8s.io",))
    assert ws.protocol == "v4.channel.k8s.io"
    assert sc.collect(ws)[sc.STDOUT] == b"hello from wasm\n"


def test_exec_stdin_is_live_and_closes(connect):
    ws = connect([PROBE, "echo"], stdin=True)
    ws.sock.settimeout(10)
    for word in (b"one", b"two"):
        ws.send(sc.STDIN, word + b"\n")
        assert ws.recv() == (sc.STDOUT, b"echo: " + word + b"\n")  # before stdin ends
    ws.close_channel(sc.STDIN)
    got = sc.collect(ws)
    assert got[sc.STDERR] == b"stdin closed\n"
    assert sc.exit_code(got[sc.ERROR]) == 0


def test_exec_tty_merges_output_and_sets_the_terminal(connect):
    got = sc.collect(connect([PROBE, "env", "TERM", "COLUMNS", "LINES", "--", "hello"],
                             stderr=False, tty=True))
    lines = got[sc.STDOUT].decode().splitlines()  # the guest's stdio buffers set the order
    assert sorted(lines) == sorted(["TERM=xterm", "COLUMNS=80", "LINES=24", "hello from wasm",
                                    "hello on stderr"])
    assert sc.STDERR not in got


def test_exec_tty_takes_the_clients_terminal_size(connect):
    ws = connect([PROBE, "env", "COLUMNS", "LINES"], stderr=False, tty=True)
    ws.resize(132, 43)  # what kubectl sends first, before any input
    assert sc.collect(ws)[sc.STDOUT] == b"COLUMNS=132\r\nLINES=43\r\n"  # a terminal's NL


def test_exec_of_a_file_that_is_not_wasm(connect):
    got = sc.collect(connect(["/data/hello.txt"]))
    assert b"cannot exec /data/hello.txt" in got[sc.STDERR]
    assert sc.exit_code(got[sc.ERROR]) == 126


def test_exec_rpc_checks_the_request(rt, ctr, pod):
    r = rt.runtime()
    for req, code, text in [
        (pb.ExecRequest(container_id=ctr, cmd=[PROBE], tty=True, stdout=True, stderr=True),
         grpc.StatusCode.INVALID_ARGUMENT, "tty and stderr"),
        (pb.ExecRequest(container_id=ctr, cmd=[PROBE]), grpc.StatusCode.INVALID_ARGUMENT,
         "one of stdin, stdout, or stderr"),
        (pb.ExecRequest(container_id=ctr, cmd=[], stdout=True), grpc.StatusCode.INVALID_ARGUMENT,
         "empty"),
        (pb.ExecRequest(container_id="f" * 64, cmd=[PROBE], stdout=True),
         grpc.StatusCode.NOT_FOUND, ""),
    ]:
        with pytest.raises(grpc.RpcError) as e:
            r.Exec(req, timeout=10)
        assert e.value.code() == code and text in e.value.details()
    done = create(r, pod, ctr_config("done", rt.refs["probe"], args=["hello"]))
    start(r, done)
    wait_state(r, done, pb.CONTAINER_EXITED)
    with pytest.raises(grpc.RpcError) as e:
        r.Exec(pb.ExecRequest(container_id=done, cmd=[PROBE], stdout=True), timeout=10)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "not running" in e.value.details()


def test_a_token_is_used_once(rt, ctr):
    url = exec_url(rt, ctr, [PROBE, "hello"])
    sc.collect(sc.WebSocket(url))
    with pytest.raises(sc.HandshakeError) as e:
        sc.WebSocket(url)
    assert e.value.status == 404 and "unknown or expired" in e.value.body


def test_a_request_that_does_not_upgrade_is_refused(rt, ctr):
    url = exec_url(rt, ctr, [PROBE, "hello"])
    sock, u = sc._connect(url, 10)
    sock.sendall(f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode())
    status, headers, rest = sc._read_head(sock)
    assert status == 400
    sock.close()
    with pytest.raises(sc.HandshakeError):  # the token went with it
        sc.WebSocket(url)


def test_a_connection_that_never_sends_its_request_is_closed(rt, ctr):
    url = exec_url(rt, ctr, [PROBE, "hello"])
    sock, _ = sc._connect(url, 30)
    t0 = time.monotonic()
    assert sock.recv(100) == b""  # closed by the server, not by this timeout
    assert time.monotonic() - t0 < 20
    sock.close()


def guest_workers(rt):
    """The zygote's children running a guest (not the spare, nor a worker kept ready)."""
    z = rt.zygote_pid()
    n = 0
    for c in open(f"/proc/{z}/task/{z}/children").read().split():
        try:
            n += open(f"/proc/{c}/comm").read().strip() == "wasmcri-worker"
        except OSError:  # it ended between the two reads
            pass
    return n


def test_a_client_that_disconnects_mid_stream_leaves_nothing(rt, connect):
    sc.collect(connect([PROBE, "hello"]))
    base = stable_counts(rt)
    workers = guest_workers(rt)
    ws = connect([PROBE, "sleep", "600"], stdin=True)
    ws.sock.settimeout(10)
    assert ws.recv() == (sc.STDOUT, b"sleeping\n")
    deadline = time.monotonic() + 10  # the exec's worker runs (the one kept ready, or a spare)
    while guest_workers(rt) != workers + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert guest_workers(rt) == workers + 1
    ws.close()  # no close frame: the TCP connection just goes
    assert settled_counts(rt, base) == base  # the worker was killed, its pipes and thread are gone


def test_100_concurrent_exec_sessions_leave_nothing(rt, connect):
    sc.collect(connect([PROBE, "hello"]))
    base = stable_counts(rt)
    results = {}

    def one(i):
        ws = connect([PROBE, "echo", "--", "exit", str(i % 7)], stdin=True, timeout=60)
        ws.sock.settimeout(60)
        ws.send(sc.STDIN, b"n%d\n" % i)
        ws.close_channel(sc.STDIN)
        got = sc.collect(ws, timeout=120)
        results[i] = (got.get(sc.STDOUT), sc.exit_code(got[sc.ERROR]))

    errors = run_concurrently(one, 100, 180)
    assert not errors, errors[:5]
    assert results == {i: (b"echo: n%d\n" % i, i % 7) for i in range(100)}
    assert settled_counts(rt, base) == base


def test_stream_address_and_port_come_from_the_config(new_daemon):
    with socket.socket() as s:  # a port free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = new_daemon(config={"stream_address": "127.0.0.1", "stream_port": port}).start()
    assert f"streaming server on http://127.0.0.1:{port}" in d.log()



def test_an_interactive_toolbox_sh_with_a_tty(connect):
    """kubectl exec -it POD -- sh: commands typed on stdin run, and `exit 3` is the exit code."""
    ws = connect(["sh"], stdin=True, stderr=False, tty=True)
    ws.sock.settimeout(10)
    ws.send(sc.STDIN, b"echo typed $((6 * 7))\n")
    sc.read_until(ws, b"typed 42")
    ws.send(sc.STDIN, b"echo $COLUMNS; exit 3\n")
    got = sc.collect(ws)
    assert b"80" in got.get(sc.STDOUT, b"")
    assert sc.exit_code(got[sc.ERROR]) == 3


def test_a_resize_after_the_start_is_what_the_guest_reads(connect):
    """The resize channel after the start: `stty size` (the runtime's /run/wasmcri/tty) follows
    the client's terminal, while $COLUMNS keeps the size at the start."""
    ws = connect(["sh"], stdin=True, stderr=False, tty=True)
    ws.sock.settimeout(10)
    ws.resize(132, 43)
    for size, want in (((132, 43), b"43 132"), ((70, 20), b"20 70")):
        ws.resize(*size)
        ws.send(sc.STDIN, b"stty size; cat /run/wasmcri/tty; echo $COLUMNS; echo done\n")
        out = sc.read_until(ws, b"\r\ndone\r\n").decode()
        lines = out[out.index("echo done\r\n") + 11:].split("\r\n")  # after the typing's echo
        assert want.decode() in lines[0] and lines[1] == f"{size[0]} {size[1]}"
        assert lines[2] == "132"
    ws.send(sc.STDIN, b"exit\n")
    assert sc.exit_code(sc.collect(ws)[sc.ERROR]) == 0


def test_a_raw_terminal_types_into_sh_as_into_a_pty(connect):
    """Regression (crictl exec -it, by hand): kubectl and crictl put the local terminal in raw
    mode, so Enter is a CR, nothing is echoed locally, and a NL only moves down. sh got the CR
    as part of the line (nothing ran), the typing was invisible, and output stair-stepped. The
    session now does what a pty's line discipline does: CR is NL, typing is echoed, DEL erases,
    output NL is CR NL, and ^D on an empty line is EOF."""
    ws = connect(["sh"], stdin=True, stderr=False, tty=True)
    ws.sock.settimeout(10)
    ws.send(sc.STDIN, b"echo typed $((6 * 7))\r")
    out = sc.read_until(ws, b"typed 42\r\n")
    assert b"echo typed $((6 * 7))\r\n" in out  # the echo of what was typed
    ws.send(sc.STDIN, b"echo abcX\x7f\x7fd\r")  # two DELs erase "cX"
    out = sc.read_until(ws, b"abd\r\n")
    assert b"\b \b\b \b" in out and b"abcX" not in out.split(b"\n")[-1]
    ws.send(sc.STDIN, b"\x04")  # ^D on an empty line: sh reads EOF and ends
    assert sc.exit_code(sc.collect(ws)[sc.ERROR]) == 0


def test_a_tty_client_that_types_but_never_reads_is_held_back(rt, connect):
    """A tty echoes what is typed: a client that types megabytes into `cat` and reads nothing
    must not grow the daemon's queue of echo and output (the session stops reading a client
    that does not read, and echoes a read's keys in one frame)."""
    ws = connect(["cat"], stdin=True, stderr=False, tty=True)
    ws.resize(80, 24)  # first, as kubectl does: the guest starts now (before, stdin waits)
    before = vm_rss_kib(rt.proc.pid)
    ws.sock.settimeout(5)
    sent = 0
    with pytest.raises(TimeoutError):
        for _ in range(40 * 16):
            ws.send(sc.STDIN, (b"y" * 1023 + b"\r") * 64)
            sent += 65536
    assert sent < 24 << 20, f"{sent} bytes typed before the client was held back"
    assert vm_rss_kib(rt.proc.pid) - before < 8 * 1024 or asan_build()  # ASan: no figure
    ws.close()
