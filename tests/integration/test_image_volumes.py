"""Image volumes (issue 17, item 1; the CRI's Mount.image and image_sub_path): a pulled image's
content mounted read-only into a container. A wasm module shipped as an OCI artifact in the
real test registry (the CNCF wasm artifact holding probe.wasm) is mounted into a pod whose own
image is another program (net.wasm) and run through its mount; a rootfs image is mounted
whole or by sub-path; RemoveImage keeps what a mount shows until the container goes."""
import grpc
import pytest

import runtime_images
from rt_helpers import (create, pod_config, run_pod, run_to_exit, status, stdout_text,
                        wait_state)
from wasmcri_harness import pb


def image_mount(path, image, sub=""):
    return pb.Mount(container_path=path, image=pb.ImageSpec(image=image), image_sub_path=sub)


def config(name, image, command=(), args=(), mounts=()):
    return pb.ContainerConfig(metadata=pb.ContainerMetadata(name=name),
                              image=pb.ImageSpec(image=image), command=list(command),
                              args=list(args), mounts=list(mounts), log_path=name + ".log")


@pytest.fixture
def vol(runtime_registry, new_daemon, tmp_path):
    """A daemon of its own (the tests remove images) with probe, net and artifact pulled, and a
    pod: (runtime, pod id, {name: image id})."""
    reg, refs = runtime_registry
    d = new_daemon(config=runtime_images.daemon_config(reg)).start()
    ids = {}
    for name in ("probe", "net", "artifact"):
        ids[name] = d.image().PullImage(pb.PullImageRequest(
            image=pb.ImageSpec(image=refs[name])), timeout=60).image_ref
    rt = d.runtime()
    pid = run_pod(rt, pod_config("vols", tmp_path))
    d.pod_logs = tmp_path
    yield d, rt, pid, ids
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))


def test_a_wasm_artifact_mounted_into_a_pod_runs_through_its_mount(vol):
    d, rt, pid, ids = vol
    # kubelet passes PullImage's image_ref; the pod's own image is net.wasm
    cfg = config("art", ids["net"], command=["/mod/module.wasm", "hello"],
                 mounts=[image_mount("/mod", ids["artifact"])])
    cid, st = run_to_exit(rt, pid, cfg)
    assert (st.exit_code, st.reason) == (0, "Completed"), st.message
    assert stdout_text(d.pod_logs / "art.log") == ["hello from wasm"]
    m = status(rt, cid).mounts[0]
    assert (m.container_path, m.image.image, m.readonly) == ("/mod", ids["artifact"], True)


def test_a_rootfs_image_whole_and_by_sub_path_read_only(vol):
    d, rt, pid, ids = vol
    cfg = config("tree", ids["net"], command=["/tools/probe.wasm", "cat", "/vol/data/hello.txt",
                                              "--", "write", "/vol/data/new.txt", "x"],
                 mounts=[image_mount("/vol", ids["probe"]),
                         image_mount("/tools", ids["probe"], sub="bin")])
    _, st = run_to_exit(rt, pid, cfg)
    out = stdout_text(d.pod_logs / "tree.log")
    assert out[0] == "image file"
    assert out[1].startswith("error: /vol/data/new.txt") and "Read-only" in out[1], out
    assert st.exit_code == 1
    # a sub-path that climbs out stays inside the image
    cfg = config("climb", ids["net"], command=["/tools/probe.wasm", "cat", "/up/hello.txt"],
                 mounts=[image_mount("/tools", ids["probe"], sub="bin"),
                         image_mount("/up", ids["probe"], sub="../../../data")])
    _, st = run_to_exit(rt, pid, cfg)
    assert stdout_text(d.pod_logs / "climb.log") == ["image file"], st.message


@pytest.mark.parametrize("mount,code,needle", [
    (dict(sub="no/such/dir"), grpc.StatusCode.NOT_FOUND, 'image_sub_path "no/such/dir" is not in'),
    (dict(image="sha256:" + "0" * 64), grpc.StatusCode.NOT_FOUND, "is not present: pull it first"),
    (dict(host_path="/tmp"), grpc.StatusCode.INVALID_ARGUMENT, "host_path and image are exclusive"),
    (dict(image="", sub="bin"), grpc.StatusCode.INVALID_ARGUMENT, "image_sub_path without an image"),
    (dict(artifact=True, sub="other.wasm"), grpc.StatusCode.NOT_FOUND, "shows one file, module.wasm"),
])
def test_bad_image_mounts_fail_create_naming_the_problem(vol, mount, code, needle):
    _, rt, pid, ids = vol
    image = mount.get("image", ids["artifact"] if mount.get("artifact") else ids["probe"])
    m = image_mount("/v", image, mount.get("sub", ""))
    m.host_path = mount.get("host_path", "")
    with pytest.raises(grpc.RpcError) as e:
        create(rt, pid, config("bad", ids["net"], mounts=[m]))
    assert e.value.code() == code
    assert needle in e.value.details() and "/v" in e.value.details()


def test_remove_image_keeps_what_a_mount_shows_until_the_container_goes(vol):
    d, rt, pid, ids = vol
    blob = [p for p in (d.root / "content").rglob("*") if p.is_file() and
            p.read_bytes() == runtime_images.PROBE.read_bytes()]
    assert blob, "the artifact's module blob is in the store"
    cfg = config("kept", ids["net"], command=["/mod/module.wasm", "hello"],
                 mounts=[image_mount("/mod", ids["artifact"])])
    cid = create(rt, pid, cfg)
    d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=ids["artifact"])))
    assert not d.image().ImageStatus(pb.ImageStatusRequest(
        image=pb.ImageSpec(image=ids["artifact"]))).HasField("image")
    rt.StartContainer(pb.StartContainerRequest(container_id=cid))
    st = wait_state(rt, cid, pb.CONTAINER_EXITED)
    assert st.exit_code == 0 and stdout_text(d.pod_logs / "kept.log") == ["hello from wasm"]
    assert all(p.exists() for p in blob)
    rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    assert not any(p.exists() for p in blob)
