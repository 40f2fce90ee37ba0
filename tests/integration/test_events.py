"""GetContainerEvents: the server stream delivers CREATED, STARTED, STOPPED, DELETED in
order with the pod's and the container's statuses; a cancelled stream ends cleanly."""
import queue
import threading
import time

from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import pb


def collect(stream, q):
    try:
        for ev in stream:
            q.put(ev)
    except Exception as exc:  # noqa: BLE001 - the stream ends with CANCELLED
        q.put(exc)


def test_events_stream_order(rt, tmp_path):
    r = rt.runtime()
    stream = r.GetContainerEvents(pb.GetEventsRequest())
    q = queue.Queue()
    threading.Thread(target=collect, args=(stream, q), daemon=True).start()
    time.sleep(0.3)  # the stream is established
    pid = run_pod(r, pod_config("events", tmp_path))
    cid = create(r, pid, ctr_config("ev", rt.refs["probe"], args=["exit", "0"]))
    start(r, cid)
    wait_state(r, cid, pb.CONTAINER_EXITED)
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 4 and time.monotonic() < deadline:
        ev = q.get(timeout=10)
        assert not isinstance(ev, Exception), ev
        if ev.container_id == cid:
            got.append(ev)
    assert [e.container_event_type for e in got] == [
        pb.CONTAINER_CREATED_EVENT, pb.CONTAINER_STARTED_EVENT, pb.CONTAINER_STOPPED_EVENT,
        pb.CONTAINER_DELETED_EVENT]
    assert all(e.pod_sandbox_status.id == pid for e in got)
    assert got[2].containers_statuses[0].state == pb.CONTAINER_EXITED
    assert got[0].created_at <= got[1].created_at <= got[2].created_at <= got[3].created_at
    assert list(got[3].containers_statuses) == []
    stream.cancel()
    assert isinstance(q.get(timeout=5), Exception)
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    assert r.Version(pb.VersionRequest()).runtime_name == "wasmcri"


def test_several_streams_and_shutdown_with_one_open(rt, tmp_path):
    r = rt.runtime()
    streams = [r.GetContainerEvents(pb.GetEventsRequest()) for _ in range(3)]
    qs = [queue.Queue() for _ in streams]
    for s, q in zip(streams, qs):
        threading.Thread(target=collect, args=(s, q), daemon=True).start()
    time.sleep(0.3)
    pid = run_pod(r, pod_config("events2", tmp_path))
    cid = create(r, pid, ctr_config("ev2", rt.refs["probe"]))
    for q in qs:
        ev = q.get(timeout=10)
        assert ev.container_id == cid and ev.container_event_type == pb.CONTAINER_CREATED_EVENT
    for s in streams[:2]:
        s.cancel()
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    # the third stays open: the module's daemon must still stop with status 0 (fixture)
