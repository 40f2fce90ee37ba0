"""The pull code is the module wasmcri-pull.so beside the daemon, loaded at the first pull
(image/pull_loader.c): an idle daemon maps neither libcurl nor libarchive; the first pull loads
them and works; a daemon whose module is missing answers PullImage with an error naming the
module and goes on serving everything else."""
import shutil

import grpc
import pytest

import runtime_images
from wasmcri_harness import BINARY, Daemon, pb

PULL_LIBRARIES = ("libcurl.so", "libarchive.so")


def mapped(pid, names):
    text = open(f"/proc/{pid}/maps").read()
    return {n for n in names if n in text}


def test_an_idle_daemon_maps_the_pull_libraries_only_after_its_first_pull(runtime_registry,
                                                                         tmp_path):
    reg, refs = runtime_registry
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg)).start()
    try:
        d.runtime().ListPodSandbox(pb.ListPodSandboxRequest())
        d.image().ListImages(pb.ListImagesRequest())
        assert mapped(d.proc.pid, PULL_LIBRARIES + ("wasmcri-pull.so",)) == set()
        runtime_images.pull_all(d, {"probe": refs["probe"]})
        assert mapped(d.proc.pid, PULL_LIBRARIES + ("wasmcri-pull.so",)) == set(
            PULL_LIBRARIES + ("wasmcri-pull.so",))
        st = d.image().ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=refs["probe"])))
        assert st.image.id.startswith("sha256:")
    finally:
        d.stop()
        d.kill_zygote()


def test_a_missing_pull_module_fails_the_pull_naming_it(runtime_registry, tmp_path):
    reg, refs = runtime_registry
    install = tmp_path / "bin"
    install.mkdir()
    for program in ("wasmcri", "wasmcri-daemon"):  # no wasmcri-pull.so beside them
        shutil.copy(BINARY.parent / program, install / program)
    d = Daemon(tmp_path / "d", config=runtime_images.daemon_config(reg))
    args = d.args
    d.args = lambda: [str(install / "wasmcri")] + args()[1:]
    d.start()
    try:
        with pytest.raises(grpc.RpcError) as e:
            d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])),
                                timeout=30)
        assert e.value.code() == grpc.StatusCode.INTERNAL
        assert f"cannot load the pull module {install}/wasmcri-pull.so" in e.value.details()
        assert d.runtime().Version(pb.VersionRequest()).runtime_name == "wasmcri"
        assert len(d.image().ListImages(pb.ListImagesRequest()).images) == 0
    finally:
        d.stop()
        d.kill_zygote()
