"""Attach over the streaming server: the rpc answers a one-time URL; a client (WebSocket or
SPDY, stream_client.py) sees the running container's stdout and stderr lines as the guest
writes them, while the CRI log still gets every line; the session ends with the container.
A container created with stdin has a pipe the runtime keeps open: attach writes to it, and
with stdin_once the first session's end of stdin is the guest's EOF."""
import os
import signal
import time

import grpc
import pytest

import stream_client as sc
from rt_helpers import (create, ctr_config, pod_config, run_concurrently, run_pod, settled_counts,
                        stable_counts, start, stdout_text, vm_rss_kib, wait_for, wait_state)
from test_module_cache import asan_build
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    return run_pod(rt.runtime(), pod_config("attach", logs)), logs


def running(rt, pod, name, args, stdin=False, stdin_once=False, tty=False, command=(), mounts=()):
    r = rt.runtime()
    cfg = ctr_config(name, rt.refs["probe"], args=args, command=command, mounts=mounts)
    cfg.stdin, cfg.stdin_once, cfg.tty = stdin, stdin_once, tty
    cid = create(r, pod[0], cfg)
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def attach(rt, cid, proto, stdin=False, stdout=True, stderr=True, tty=False):
    url = rt.runtime().Attach(pb.AttachRequest(container_id=cid, stdin=stdin, stdout=stdout,
                                               stderr=stderr, tty=tty), timeout=10).url
    if proto == "spdy":
        conn = sc.SpdyChannels(url, stdin, stdout, stderr, tty)
    else:
        conn = sc.WebSocket(url)
    conn.sock.settimeout(10)
    return conn


def log_has(path, text):
    return path.exists() and text in stdout_text(path)


@pytest.mark.parametrize("proto", ["websocket", "spdy"])
def test_attach_sees_live_output_and_the_log_keeps_every_line(rt, pod, proto, tmp_path):
    """The attach joins mid-way, in an order the test makes: two lines are written before it,
    the rest (after the test's "go", then a line every 100 ms) after it connected."""
    name = "talker-" + proto
    cid = running(rt, pod, name, ["lines", "2", "--", "await", "/gate/go", "--", "lines", "30",
                                  "--", "hello"], mounts=[("/gate", str(tmp_path), True)])
    log = pod[1] / f"{name}.log"
    wait_for(lambda: log_has(log, "line 2"), 60, "the first lines never came")
    url = rt.runtime().Attach(pb.AttachRequest(container_id=cid, stdout=True, stderr=True),
                              timeout=10).url
    assert "/attach/" in url
    conn = sc.WebSocket(url) if proto == "websocket" else sc.SpdyChannels(url)
    (tmp_path / "go").write_text("go\n")
    got = sc.collect(conn, timeout=60)  # until the container exits
    after = ["go"] + [f"line {i}" for i in range(1, 31)] + ["hello from wasm"]
    lines = got[sc.STDOUT].decode().splitlines()
    # live from where it joined (the session opens the log's end just after the handshake):
    # none of the lines written before it, and the end of those written after
    assert lines[-2:] == ["line 30", "hello from wasm"] and lines == after[-len(lines):], lines
    assert got[sc.STDERR] == b"hello on stderr\n"
    assert sc.exit_code(got[sc.ERROR]) == 0
    assert stdout_text(log) == ["line 1", "line 2"] + after


def test_attach_while_the_log_is_rotated_away_waits_for_the_new_file(rt, pod, tmp_path):
    """Regression: an attach whose log file was not there (kubelet renamed it and had not yet
    called ReopenContainerLog; or the worker had not made it yet, right after the start) ended
    at once with "No such file or directory" and no status."""
    name = "rotated"
    cid = running(rt, pod, name, ["lines", "1", "--", "await", "/gate/go", "--", "lines", "10"],
                  mounts=[("/gate", str(tmp_path), True)])  # runs until the test says "go"
    log = pod[1] / f"{name}.log"
    wait_for(lambda: log_has(log, "line 1"), 60, "the first line never came")
    log.rename(log.with_suffix(".log.1"))
    conn = attach(rt, cid, "websocket")
    time.sleep(0.3)  # lets the session look for the log before it is back (a miss only skips that)
    rt.runtime().ReopenContainerLog(pb.ReopenContainerLogRequest(container_id=cid), timeout=10)
    (tmp_path / "go").write_text("go\n")
    got = sc.collect(conn, timeout=60)
    assert got[sc.STDOUT].decode().splitlines()[-1] == "line 10"
    assert sc.exit_code(got[sc.ERROR]) == 0


def test_attach_with_stdin_to_a_container_without_stdin_is_refused_and_a_stopped_one(rt, pod):
    r = rt.runtime()
    cid = running(rt, pod, "quiet", ["sleep", "60"])
    with pytest.raises(grpc.RpcError) as e:
        r.Attach(pb.AttachRequest(container_id=cid, stdin=True, stdout=True), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "created without stdin" in e.value.details()
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0), timeout=10)
    with pytest.raises(grpc.RpcError) as e:
        r.Attach(pb.AttachRequest(container_id=cid, stdout=True), timeout=10)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize("proto", ["websocket", "spdy"])
def test_attach_stdin_reaches_the_guest_across_sessions(rt, pod, proto):
    """Without stdin_once the pipe stays open when a session ends: a second session writes on."""
    name = "echoer-" + proto
    cid = running(rt, pod, name, ["echo"], stdin=True)
    for word in (b"one", b"two"):
        conn = attach(rt, cid, proto, stdin=True)
        conn.send(sc.STDIN, word + b"\n")
        assert sc.read_until(conn, b"echo: " + word) == b"echo: " + word + b"\n"
        if proto == "websocket":
            conn.close_channel(sc.STDIN)  # the end of this session's stdin, not the guest's
        conn.close()
    time.sleep(0.5)
    assert rt.runtime().ContainerStatus(
        pb.ContainerStatusRequest(container_id=cid)).status.state == pb.CONTAINER_RUNNING
    assert stdout_text(pod[1] / f"{name}.log") == ["echo: one", "echo: two"]
    rt.runtime().StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0), timeout=10)


@pytest.mark.parametrize("proto", ["websocket", "spdy"])
def test_stdin_once_eof_ends_the_program(rt, pod, proto):
    name = "once-" + proto
    cid = running(rt, pod, name, ["echo"], stdin=True, stdin_once=True)
    conn = attach(rt, cid, proto, stdin=True)
    conn.send(sc.STDIN, b"last\n")
    assert sc.read_until(conn, b"echo: last") == b"echo: last\n"
    conn.close_channel(sc.STDIN)  # the guest reads EOF: it says so and exits
    got = sc.collect(conn)
    assert got[sc.STDERR] == b"stdin closed\n"
    assert sc.exit_code(got[sc.ERROR]) == 0
    st = wait_state(rt.runtime(), cid, pb.CONTAINER_EXITED)
    assert st.state == pb.CONTAINER_EXITED and st.exit_code == 0


def test_a_tty_container_sh_over_attach_with_resize(rt, pod):
    """kubectl attach -it to a container `sh` with stdin and tty: typed lines run, the prompt
    shows (a partial line goes out live), a resize is what `stty size` says, `exit 3` ends it."""
    cid = running(rt, pod, "shell", [], stdin=True, tty=True, command=["sh"])
    conn = attach(rt, cid, "websocket", stdin=True, stderr=False, tty=True)
    conn.resize(100, 30)
    conn.send(sc.STDIN, b"echo typed $((6 * 7))\n")
    sc.read_until(conn, b"typed 42")
    conn.send(sc.STDIN, b"stty size; echo $TERM; echo nope >&2\n")
    out = sc.read_until(conn, b"\r\nnope\r\n")  # stderr: on stdout, as a terminal's
    assert b"30 100\r\nxterm\r\n" in out  # after the echo of the line typed (and a prompt)
    assert b"/work # " in out  # the prompt, a line without its end, shows as it is written
    conn.send(sc.STDIN, b"exit 3\n")
    assert sc.exit_code(sc.collect(conn)[sc.ERROR]) == 0  # attach ends with the container
    st = wait_state(rt.runtime(), cid, pb.CONTAINER_EXITED)
    assert st.exit_code == 3
    text = "\n".join(stdout_text(pod[1] / "shell.log"))
    assert "typed 42" in text and "nope" in text  # the log has it all, stderr as stdout


def zygote_fds(rt):
    return len(os.listdir(f"/proc/{rt.zygote_pid()}/fd"))


def test_100_concurrent_attach_sessions_with_stdin_leave_nothing(rt, pod):
    """100 clients attached at once to one container's stdin: each line reaches the guest and
    every session sees it; afterwards the daemon's fds and threads and the zygote's fds (the
    copies of the pipe it handed out) are back where they were."""
    cid = running(rt, pod, "crowd", ["echo"], stdin=True)
    one_line(rt, cid, "warm")  # the first session's one-time costs are not a leak
    base, zbase = stable_counts(rt), zygote_fds(rt)
    def one(i):
        conn = attach(rt, cid, "websocket" if i % 2 else "spdy", stdin=True)
        conn.sock.settimeout(60)
        conn.send(sc.STDIN, b"n%d\n" % i)
        sc.read_until(conn, b"echo: n%d\n" % i)
        conn.close()

    errors = run_concurrently(one, 100, 120)
    assert not errors, errors[:5]
    assert sorted(stdout_text(pod[1] / "crowd.log")) == sorted(
        ["echo: warm"] + [f"echo: n{i}" for i in range(100)])
    assert settled_counts(rt, base) == base
    assert zygote_fds(rt) == zbase
    assert rt.runtime().ContainerStatus(
        pb.ContainerStatusRequest(container_id=cid)).status.state == pb.CONTAINER_RUNNING


def test_a_client_that_disconnects_mid_stream_leaves_nothing(rt, pod):
    """A client that goes (no close frame, stdin left open) while output flows: its session
    ends, the container goes on, and nothing of the session is left."""
    cid = running(rt, pod, "flowing", ["echo"], stdin=True)
    one_line(rt, cid, "warm")
    base, zbase = stable_counts(rt), zygote_fds(rt)
    for proto in ("websocket", "spdy"):
        conn = attach(rt, cid, proto, stdin=True)
        conn.send(sc.STDIN, b"x" * 100000 + b"\n")  # a long line, part of it echoed...
        assert conn.recv()[0] == sc.STDOUT
        conn.sock.close()  # ...when the client drops the TCP connection
    assert settled_counts(rt, base) == base
    assert zygote_fds(rt) == zbase
    # The pipe is fine. What a dropped session had not yet written is gone, so the guest may
    # hold the start of a line: the newline first ends it.
    one_line(rt, cid, "still", lead=b"\n")


def test_a_client_that_never_reads_costs_no_memory(rt, pod):
    """A chatty container (10 MB of output) and an attached client that reads nothing for a
    while: the daemon queues at most 1 MiB (the log is the buffer) and its memory stays put;
    then the client reads every line."""
    text = "0123456789" * 10
    cid = running(rt, pod, "chatty", ["-c", f"sleep 1; yes {text} | head -n 100000"],
                  command=["sh"])
    conn = attach(rt, cid, "websocket")
    before = vm_rss_kib(rt.proc.pid)
    deadline = time.monotonic() + 60
    while rt.runtime().ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status.state \
            == pb.CONTAINER_RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)  # the container writes it all meanwhile
    time.sleep(1)
    grown = vm_rss_kib(rt.proc.pid) - before  # ASan's quarantine keeps what is freed: no figure
    assert grown < 6 * 1024 or asan_build(), f"the daemon grew {grown} KiB, its client idle"
    got = sc.collect(conn, timeout=120)
    assert got[sc.STDOUT].decode().split("\n") == [text] * 100000 + [""]
    assert sc.exit_code(got[sc.ERROR]) == 0


def test_a_huge_stdin_to_a_guest_that_never_reads_is_held_back(rt, pod):
    """20 MB on stdin to a container that never reads it: the pipe fills, then the session
    stops reading its client (TCP holds the client back) with at most 1 MiB waiting in the
    daemon; the daemon's memory stays put and it goes on answering."""
    cid = running(rt, pod, "deaf", ["sleep", "600"], stdin=True)
    conn = attach(rt, cid, "websocket", stdin=True)
    before = vm_rss_kib(rt.proc.pid)
    conn.sock.settimeout(5)
    sent = 0
    with pytest.raises(TimeoutError):  # the client is held back, not cut off
        for _ in range(20 * 16):
            conn.send(sc.STDIN, b"x" * 65536)
            sent += 65536
    assert sent < 16 << 20, f"{sent} bytes went in before the client was held back"
    assert vm_rss_kib(rt.proc.pid) - before < 6 * 1024 or asan_build()  # ASan: no figure
    rt.runtime().Version(pb.VersionRequest(), timeout=5)
    conn.close()
    rt.runtime().StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0), timeout=10)


def one_line(rt, cid, word, lead=b""):
    """Attaches, writes lead and word to the guest's stdin and leaves once word is echoed."""
    conn = attach(rt, cid, "websocket", stdin=True)
    conn.send(sc.STDIN, lead + word.encode() + b"\n")
    sc.read_until(conn, b"echo: " + word.encode())
    conn.close()


def test_stdin_survives_a_daemon_kill_9(rt, pod):
    """The zygote keeps the pipe: a daemon killed mid-session and restarted neither closes it
    (the guest would read EOF) nor loses it (the next session writes on)."""
    cid = running(rt, pod, "survivor", ["echo"], stdin=True, stdin_once=True)
    conn = attach(rt, cid, "websocket", stdin=True)
    conn.send(sc.STDIN, b"before\n")
    sc.read_until(conn, b"echo: before")
    rt.stop(sig=signal.SIGKILL)
    conn.close()
    rt.start()
    r = rt.runtime()
    assert r.ContainerStatus(
        pb.ContainerStatusRequest(container_id=cid)).status.state == pb.CONTAINER_RUNNING
    conn = attach(rt, cid, "spdy", stdin=True)
    conn.send(sc.STDIN, b"after\n")
    sc.read_until(conn, b"echo: after")
    conn.close_channel(sc.STDIN)
    assert sc.collect(conn)[sc.STDERR] == b"stdin closed\n"
    assert stdout_text(pod[1] / "survivor.log") == ["echo: before", "echo: after"]
