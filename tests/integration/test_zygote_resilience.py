"""The node keeps starting containers whatever one request or one crash does (issue 11, DoS 3
and 5): requests over Linux's own exec limit (2 MiB of argv or env) are refused at the CRI edge
with the field named; a start or exec request too big for one zygote packet (a big env, an
image's Entrypoint) fails at StartContainer or ExecSync, as runc's exec does, with the sizes
named, and nothing is sent; the zygote channel keeps working; a zygote that dies
is restarted with a backoff for as long as the daemon runs, and Status says RuntimeReady
false, with the reason, while there is none."""
import shutil
import time

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import BUILD, Daemon, pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("resilience", tmp_path_factory.mktemp("logs")))


def runs_hello(d, pod_id, name):
    """A container of the probe image starts and exits 0: the zygote works."""
    r = d.runtime()
    cid = create(r, pod_id, ctr_config(name, d.refs["probe"], args=["hello"]))
    start(r, cid)
    return wait_state(r, cid, pb.CONTAINER_EXITED).exit_code == 0


def runtime_ready(d):
    conds = {c.type: c for c in d.runtime().Status(pb.StatusRequest(), timeout=5).status.conditions}
    return conds["RuntimeReady"]


def wait_ready(d, want, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        cond = runtime_ready(d)
        if cond.status == want or time.monotonic() > deadline:
            return cond
        time.sleep(0.05)


def invalid(call):
    with pytest.raises(grpc.RpcError) as e:
        call()
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value.details()
    return e.value.details()


# ---- DoS 3: one oversized request ----

def test_oversized_env_is_refused_and_the_zygote_keeps_working(rt, pod):
    """600 KB passes the edge (Linux's own limit, 2 MiB) but not one zygote packet: the start
    is refused with the sizes named, nothing is sent, and the next start works."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config("big-env", rt.refs["probe"], args=["hello"],
                                    env={"BIG": "x" * 600_000}))
    msg = invalid(lambda: start(r, cid))
    assert "its env 6000" in msg and "over the limit" in msg, msg
    assert runs_hello(rt, pod, "after-big-env")


def test_env_over_the_edge_limit_is_refused_at_create(rt, pod):
    r = rt.runtime()
    big = ctr_config("huge-env", rt.refs["probe"], args=["hello"], env={"BIG": "x" * 3_000_000})
    msg = invalid(lambda: create(r, pod, big))
    assert "config.envs" in msg and "limit" in msg
    assert runs_hello(rt, pod, "after-huge-env")


def test_oversized_exec_argument_is_refused_and_exec_keeps_working(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("exec-target", rt.refs["probe"], args=["sleep", "60"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    msg = invalid(lambda: r.ExecSync(pb.ExecSyncRequest(
        container_id=cid, cmd=["/bin/probe.wasm", "args", "y" * 600_000]), timeout=10))
    assert "its argv" in msg and "over the limit" in msg, msg
    msg = invalid(lambda: r.ExecSync(pb.ExecSyncRequest(
        container_id=cid, cmd=["/bin/probe.wasm", "args", "y" * 3_000_000]), timeout=10))
    assert "ExecSync: cmd" in msg and "limit" in msg
    res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["/bin/probe.wasm", "exit", "4"]),
                     timeout=10)
    assert res.exit_code == 4
    assert runs_hello(rt, pod, "after-big-exec")


def test_control_characters_that_grow_when_encoded_are_refused_at_start(rt, pod):
    """60 KB of control characters pass the edge's byte limits but take 360 KB as JSON: the
    start request is refused whole, before anything is sent, and says what is big."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config("escapes", rt.refs["probe"], args=["args", "\x01" * 60_000]))
    msg = invalid(lambda: start(r, cid))
    assert "over the limit" in msg and "argv" in msg
    assert wait_state(r, cid, pb.CONTAINER_EXITED).reason == "StartError"
    assert runs_hello(rt, pod, "after-escapes")


def push_big_entrypoint_image(reg, base):
    """An image whose config has a 10 MB Entrypoint (the config limit is 16 MiB)."""
    b = runtime_images._b
    lay = b.Layout(str(base / "big-entrypoint"))
    files = [b.d("bin"), b.entry("bin/probe.wasm", runtime_images.PROBE.read_bytes(), mode=0o755)]
    top = runtime_images._rootfs_image(b, lay, files, {
        "Entrypoint": ["/bin/probe.wasm", "args"] + ["e" * 1000] * 10_000})
    lay.finish(top)
    # pushed by the builder's own client: skopeo refuses configs over 4 MiB
    b.Pusher(reg.host, None, runtime_images._PLAIN, True).push("wasmcri-rt/big-entrypoint", lay,
                                                               top)
    return f"{reg.host}/wasmcri-rt/big-entrypoint:latest"


def test_image_with_a_huge_entrypoint_is_refused_at_start(rt, pod, runtime_registry, tmp_path):
    """As runc's exec refuses an argv over the kernel's limit at StartContainer: the start
    fails with INVALID_ARGUMENT naming the Entrypoint, and the zygote keeps working."""
    reg, _ = runtime_registry
    ref = push_big_entrypoint_image(reg, tmp_path)
    rt.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)), timeout=120)
    r = rt.runtime()
    cid = create(r, pod, ctr_config("big-entry", ref))
    msg = invalid(lambda: start(r, cid))
    assert "Entrypoint" in msg and "over the limit" in msg
    assert runs_hello(rt, pod, "after-big-entry")


# ---- DoS 5: the zygote dies, again and again ----

@pytest.fixture
def rtd(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg)).start()
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])), timeout=60)
    d.refs = refs
    d.pod = run_pod(d.runtime(), pod_config("respawn", tmp_path / "logs"))
    yield d
    d.stop()
    d.kill_zygote()


def test_the_zygote_is_restarted_after_every_crash(rtd):
    pids = set()
    for i in range(8):  # more than the five restarts the daemon used to allow
        pid = rtd.zygote_pid()
        pids.add(pid)
        rtd.kill_zygote()
        deadline = time.monotonic() + 20
        while rtd.zygote_pid() in (None, pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wait_ready(rtd, True).status, f"no zygote after crash {i + 1}"
        assert runs_hello(rtd, rtd.pod, f"after-crash-{i}"), f"no start after crash {i + 1}"
    assert len(pids) == 8


class MovableDaemon(Daemon):
    """A daemon run from copies of the programs in its own directory, so that a test can take
    the zygote's program (`wasmcri`) away and give it back."""

    def __init__(self, base, **kw):
        super().__init__(base, **kw)
        self.bin = self.base / "bin"
        self.bin.mkdir(exist_ok=True)
        for prog in ("wasmcri", "wasmcri-daemon", "wasmcri-pull.so"):
            shutil.copy2(BUILD / prog, self.bin / prog)

    def args(self):
        return [str(self.bin / "wasmcri")] + super().args()[1:]


def test_runtime_is_not_ready_while_no_zygote_can_start(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = MovableDaemon(tmp_path / "m", config=runtime_images.daemon_config(reg)).start()
    try:
        d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])),
                            timeout=60)
        d.refs = refs
        pod_id = run_pod(d.runtime(), pod_config("noready", tmp_path / "logs"))
        assert runtime_ready(d).status
        (d.bin / "wasmcri").rename(d.bin / "wasmcri.away")
        d.kill_zygote()
        cond = wait_ready(d, False)
        assert not cond.status, "RuntimeReady stayed true with no zygote"
        assert cond.reason == "ZygoteNotRunning"
        assert "restart attempt" in cond.message, cond.message
        r = d.runtime()
        cid = create(r, pod_id, ctr_config("refused", refs["probe"], args=["hello"]))
        with pytest.raises(grpc.RpcError):
            start(r, cid)
        (d.bin / "wasmcri.away").rename(d.bin / "wasmcri")
        assert wait_ready(d, True, timeout=30).status, "the zygote did not come back"
        assert runs_hello(d, pod_id, "back")
    finally:
        d.stop()
        d.kill_zygote()
