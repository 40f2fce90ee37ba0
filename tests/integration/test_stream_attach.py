"""Attach over the streaming server: the rpc answers a one-time URL; a client (WebSocket or
SPDY, stream_client.py) sees the running container's stdout and stderr lines as the guest
writes them, while the CRI log still gets every line; the session ends with the container."""
import time

import grpc
import pytest

import stream_client as sc
from rt_helpers import create, ctr_config, pod_config, run_pod, start, stdout_text, wait_state
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    return run_pod(rt.runtime(), pod_config("attach", logs)), logs


def running(rt, pod, name, args):
    r = rt.runtime()
    cid = create(r, pod[0], ctr_config(name, rt.refs["probe"], args=args))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


@pytest.mark.parametrize("proto", ["websocket", "spdy"])
def test_attach_sees_live_output_and_the_log_keeps_every_line(rt, pod, proto):
    name = "talker-" + proto
    cid = running(rt, pod, name, ["lines", "30", "--", "hello"])  # a line every 100 ms
    time.sleep(0.5)
    url = rt.runtime().Attach(pb.AttachRequest(container_id=cid, stdout=True, stderr=True),
                              timeout=10).url
    assert "/attach/" in url
    conn = sc.WebSocket(url) if proto == "websocket" else sc.SpdyChannels(url)
    got = sc.collect(conn, timeout=30)  # until the container exits
    lines = got[sc.STDOUT].decode().splitlines()
    assert lines[-1] == "hello from wasm"
    seen = [int(line.split()[1]) for line in lines[:-1]]
    assert seen == list(range(seen[0], 31)) and 1 < seen[0] < 25  # joined mid-way, live
    assert got[sc.STDERR] == b"hello on stderr\n"
    assert sc.exit_code(got[sc.ERROR]) == 0
    assert stdout_text(pod[1] / f"{name}.log")[:30] == [f"line {i}" for i in range(1, 31)]


def test_attach_with_stdin_is_refused_and_a_stopped_container_too(rt, pod):
    r = rt.runtime()
    cid = running(rt, pod, "quiet", ["sleep", "60"])
    with pytest.raises(grpc.RpcError) as e:
        r.Attach(pb.AttachRequest(container_id=cid, stdin=True, stdout=True), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "stdin" in e.value.details()
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0), timeout=10)
    with pytest.raises(grpc.RpcError) as e:
        r.Attach(pb.AttachRequest(container_id=cid, stdout=True), timeout=10)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
