"""A full disk under the store (issue 11, item 6): the metadata write that fails fails its rpc,
no write after it is accepted and then dropped, and once space is back new writes persist
across a restart. The root is a small tmpfs this test mounts."""
import errno
import os
import subprocess
import uuid

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import Daemon, pb


@pytest.fixture
def small_root_daemon(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg))
    d.refs = refs
    d.root.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700",
                    "wasmcri-full-" + uuid.uuid4().hex[:8], str(d.root)], check=True)
    try:
        yield d
    finally:
        d.stop()
        d.kill_zygote()
        subprocess.run(["umount", str(d.root)], check=True)


def fill(path):
    """Writes path until the filesystem has no page left."""
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e


def padded_pod(name, logs):
    cfg = pod_config(name, logs)
    cfg.annotations["pad"] = "x" * 1500  # each record fills a good part of a page
    return cfg


def test_disk_full_loses_no_record_written_after_a_failed_write(small_root_daemon, tmp_path):
    d = small_root_daemon.start()
    r = d.runtime()
    logs = tmp_path / "logs"
    filler = d.root / "filler"
    before, failed = [run_pod(r, padded_pod("seed", logs))], None  # the log's page is in use
    fill(filler)
    for i in range(40):  # the log's last page takes a few records, then a write fails
        try:
            before.append(run_pod(r, padded_pod("before-%d" % i, logs)))
        except grpc.RpcError as e:
            failed = ("before-%d" % i, e)
            break
    assert failed is not None, "no metadata write failed on a full filesystem"
    assert "No space left on device" in failed[1].details(), failed[1].details()
    # still full: the store refuses, it does not accept what it would drop
    with pytest.raises(grpc.RpcError) as e:
        run_pod(r, padded_pod("still-full", logs))
    assert "No space left on device" in e.value.details()

    os.unlink(filler)
    after = [run_pod(r, pod_config("after-%d" % i, logs)) for i in range(3)]
    pulled = [d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=d.refs[n])),
                                  timeout=60).image_ref for n in ("linux", "artifact")]
    assert d.stop() == 0
    d.start()
    r = d.runtime()
    pods = {p.metadata.name: p.id for p in r.ListPodSandbox(pb.ListPodSandboxRequest()).items}
    assert set(before + after) <= set(pods.values()), d.log()
    assert failed[0] not in pods and "still-full" not in pods
    images = {i.id for i in d.image().ListImages(pb.ListImagesRequest()).images}
    assert set(pulled) <= images
    # and the store goes on writing
    last = run_pod(r, pod_config("last", logs))
    assert d.stop() == 0
    d.start()
    assert last in {p.id for p in d.runtime().ListPodSandbox(pb.ListPodSandboxRequest()).items}


def test_an_exit_the_full_disk_kept_from_the_store_is_recorded_after_restart(
        small_root_daemon, tmp_path):
    """The exit was acknowledged though its record was not written: after a restart the
    container showed exit code 255 ("the worker was gone") instead of its own."""
    d = small_root_daemon.start()
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=d.refs["probe"])),
                        timeout=60)
    r = d.runtime()
    logs = tmp_path / "logs"
    pod = run_pod(r, padded_pod("exits", logs))
    (tmp_path / "go").mkdir()
    cid = create(r, pod, ctr_config("late", d.refs["probe"], args=["await", "/go/x", "--",
                                                                  "exit", "7"],
                                    mounts=[("/go", str(tmp_path / "go"), True)]))
    start(r, cid)
    filler = d.root / "filler"
    fill(filler)
    for i in range(40):  # until the store refuses writes
        try:
            run_pod(r, padded_pod("fill-%d" % i, logs))
        except grpc.RpcError:
            break
    else:
        pytest.fail("no metadata write failed on a full filesystem")
    (tmp_path / "go" / "x").write_text("go")  # the container exits while the disk is full
    assert wait_state(r, cid, pb.CONTAINER_EXITED).exit_code == 7
    os.unlink(filler)
    assert d.stop() == 0
    d.start()
    st = d.runtime().ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status
    assert (st.state, st.exit_code) == (pb.CONTAINER_EXITED, 7), st.message
