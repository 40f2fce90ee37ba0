"""Stop signals and graceful stops (issue 17, item 4): the signal is the config's
stop_signal, else the image's StopSignal, else SIGTERM, and ContainerStatus reports it. A
WASI guest cannot handle a signal, so a StopContainer with a grace period ends it as the kernel
ends a process without a handler: at once, exit 128 + the signal (143 for SIGTERM), or, for a
signal whose default is to ignore or stop, not at all until the grace period is over (137)."""
import time

import grpc
import pytest

from rt_helpers import create, ctr_config, pod_config, run_pod, start, status, wait_state
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    pid = run_pod(rt.runtime(), pod_config("stops", tmp_path_factory.mktemp("logs")))
    yield pid
    rt.runtime().RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def sleeper(rt, pod, name, image="probe", stop_signal=None):
    cfg = ctr_config(name, rt.refs[image], args=["sleep", "60"])
    if stop_signal is not None:
        cfg.stop_signal = stop_signal
    cid = create(rt.runtime(), pod, cfg)
    start(rt.runtime(), cid)
    assert wait_state(rt.runtime(), cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def stop(rt, cid, timeout):
    rt.runtime().StopContainer(pb.StopContainerRequest(container_id=cid, timeout=timeout))
    return status(rt.runtime(), cid)


def test_graceful_stop_reports_143_for_the_default_sigterm(rt, pod):
    cid = sleeper(rt, pod, "term")
    assert status(rt.runtime(), cid).stop_signal == pb.SIGTERM
    st = stop(rt, cid, 30)
    # a guest cannot handle SIGTERM: it ends at once (143), not killed when the grace period ends
    assert (st.state, st.exit_code, st.reason) == (pb.CONTAINER_EXITED, 143, "Error")
    assert "SIGTERM" in st.message and "killed by signal 9" not in st.message


def test_stop_without_grace_period_is_a_kill(rt, pod):
    cid = sleeper(rt, pod, "kill")
    st = stop(rt, cid, 0)
    assert (st.exit_code, st.message) == (137, "killed by signal 9")


def test_config_stop_signal_wins_over_the_image(rt, pod):
    cid = sleeper(rt, pod, "int", image="probe-usr1", stop_signal=pb.SIGINT)
    assert status(rt.runtime(), cid).stop_signal == pb.SIGINT
    st = stop(rt, cid, 30)
    assert st.exit_code == 130 and "SIGINT" in st.message


def test_image_stop_signal_is_used_and_reported(rt, pod):
    cid = sleeper(rt, pod, "usr1", image="probe-usr1")
    assert status(rt.runtime(), cid).stop_signal == pb.SIGUSR1
    st = stop(rt, cid, 30)
    assert st.exit_code == 128 + 10 and "SIGUSR1" in st.message


def test_realtime_stop_signal_round_trips(rt, pod):
    cid = sleeper(rt, pod, "rt", stop_signal=pb.SIGRTMINPLUS3)
    assert status(rt.runtime(), cid).stop_signal == pb.SIGRTMINPLUS3
    st = stop(rt, cid, 30)
    assert st.exit_code == 128 + 37


def test_a_signal_ignored_by_default_waits_for_the_grace_period_then_kills(rt, pod):
    cid = sleeper(rt, pod, "winch", stop_signal=pb.SIGWINCH)
    t0 = time.monotonic()
    st = stop(rt, cid, 1)
    assert time.monotonic() - t0 >= 0.9, "SIGWINCH is ignored by a process without a handler"
    assert (st.exit_code, st.message) == (137, "killed by signal 9")


def test_an_image_stop_signal_that_is_no_signal_fails_create_naming_it(rt, pod):
    with pytest.raises(grpc.RpcError) as e:
        create(rt.runtime(), pod, ctr_config("bad", rt.refs["probe-badstop"]))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert 'StopSignal "SIGFOO" is not a signal' in e.value.details()


def test_stop_pod_sandbox_still_kills(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("stop-pod", tmp_path))
    cid = sleeper(rt, pid, "in-pod")
    r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    assert status(r, cid).exit_code == 137
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
