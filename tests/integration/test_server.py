"""The gRPC server's behaviour towards clients: unknown methods, garbage payloads,
load, shutdown, one daemon per socket, socket mode and systemd readiness."""
import os
import signal
import stat
import subprocess
import threading

import grpc
import pytest

from wasmcri_harness import BINARY, pb


def test_unknown_method_answers_unimplemented_quickly(daemon):
    call = daemon.raw("/runtime.v1.RuntimeService/NoSuchMethod")
    with pytest.raises(grpc.RpcError) as e:
        call(b"", timeout=5)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED  # not left to its deadline
    assert "NoSuchMethod" in e.value.details()


def test_unimplemented_rpc_names_itself(daemon):
    with pytest.raises(grpc.RpcError) as e:
        daemon.runtime().CheckpointContainer(pb.CheckpointContainerRequest(container_id="x"))
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "CheckpointContainer" in e.value.details()


@pytest.mark.parametrize("method,payload", [
    ("/runtime.v1.RuntimeService/Version", b"\xff\xff\xff\xff"),        # bad tag varint
    ("/runtime.v1.RuntimeService/Status", b"\x0a\x05ab"),               # truncated string
    ("/runtime.v1.ImageService/ImageFsInfo", b"\x08\x80\x80\x80"),      # truncated varint
])
def test_garbage_payload_is_invalid_argument(daemon, method, payload):
    with pytest.raises(grpc.RpcError) as e:
        daemon.raw(method)(payload, timeout=5)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert method.rsplit("/", 1)[1] in e.value.details()
    assert daemon.runtime().Version(pb.VersionRequest()).runtime_name == "wasmcri"


def test_50_clients_200_calls_each_without_error(daemon):
    errors = []
    counts = [0] * 50

    def client(i):
        try:
            with grpc.insecure_channel(f"unix://{daemon.socket}") as ch:
                rt = pb_stub(ch)
                for _ in range(200):
                    if rt.Version(pb.VersionRequest(), timeout=30).runtime_name == "wasmcri":
                        counts[i] += 1
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(counts) == 50 * 200


def pb_stub(channel):
    import api_pb2_grpc
    return api_pb2_grpc.RuntimeServiceStub(channel)


def test_sigterm_with_an_open_channel_exits_0_after_its_grace_period(new_daemon):
    d = new_daemon().start()
    ch = grpc.insecure_channel(f"unix://{d.socket}")
    pb_stub(ch).Version(pb.VersionRequest())
    d.proc.send_signal(signal.SIGTERM)
    rc = d.proc.wait(timeout=30)  # a hang guard: the client keeps its channel open meanwhile
    ch.close()
    assert rc == 0, d.log()
    # it waited only its grace period for the open channel (SHUTDOWN_GRACE_MS), not the client
    assert "cancelling the calls still open after 500 ms" in d.log()
    assert not d.socket.exists()


def test_sigint_exits_0(new_daemon):
    d = new_daemon().start()
    assert d.stop(signal.SIGINT) == 0


def test_second_daemon_on_the_same_socket_is_refused(new_daemon):
    first = new_daemon().start()
    second = subprocess.run([str(BINARY), "--socket", str(first.socket), "--root",
                             str(first.base / "root2"), "--state", str(first.base / "state2")],
                            capture_output=True, text=True, timeout=10)
    assert second.returncode != 0
    assert "already serving" in second.stderr and str(first.socket) in second.stderr
    assert first.runtime().Version(pb.VersionRequest()).runtime_name == "wasmcri"


def test_socket_mode_is_0660(daemon):
    assert stat.S_IMODE(os.stat(daemon.socket).st_mode) == 0o660
