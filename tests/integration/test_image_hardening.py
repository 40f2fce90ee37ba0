"""Regression tests for the image side of issue 11, each against the real daemon and Debian's
docker-registry on 127.0.0.1, with hostile images built here (Python tarfile writes the pax
headers) and pushed through the distribution API."""
import io
import json
import os
import tarfile
import threading
import time
import types

import grpc
import pytest

import registry
import rt_helpers
from open_gate import OpenGate
from wasmcri_harness import Daemon, pb

B = registry.load_builder()
PLAIN = types.SimpleNamespace(ca=None, client_cert=None, client_key=None)
WASM = B.wasm_module()


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    r = registry.Registry(tmp_path_factory.mktemp("hardening-registry")).start()
    r.out = tmp_path_factory.mktemp("hardening-layouts")
    yield r
    r.stop()


@pytest.fixture(scope="module")
def d(reg, tmp_path_factory):
    daemon = Daemon(tmp_path_factory.mktemp("hardening"),
                    config={"registries": [{"host": reg.host, "insecure": True}]}).start()
    yield daemon
    assert daemon.stop() == 0, daemon.log()


def push(reg, name, layers, config=None):
    """Pushes a rootfs image of the given layers (each a list of raw tar members: bytes, or
    builder entries) as wasmcri-hardening/NAME:latest; returns its reference."""
    lay = B.Layout(str(reg.out / name))
    descs, diff_ids = [], []
    for layer in layers:
        gz, diff = raw_layer(layer)
        descs.append(lay.blob(gz, B.MT_LAYER))
        diff_ids.append(diff)
    cfg = {"architecture": "wasm", "os": "wasip1",
           "config": config or {"Entrypoint": ["/hello.wasm"]},
           "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cdesc = lay.blob(json.dumps(cfg).encode(), B.MT_CONFIG)
    top = lay.blob(json.dumps({"schemaVersion": 2, "mediaType": B.MT_MANIFEST, "config": cdesc,
                               "layers": descs}).encode(), B.MT_MANIFEST)
    B.Pusher(reg.host, None, PLAIN, True).push("wasmcri-hardening/" + name, lay, top)
    return "%s/wasmcri-hardening/%s:latest" % (reg.host, name)


def member(name, data=b"", kind=tarfile.REGTYPE, mode=0o644, link="", pax=None, size=None):
    """One tar member as raw bytes: pax header (if any), ustar header, data. The ustar size is
    `size`, len(data) by default, whatever the type, so a hard link can carry data."""
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, link
    info.size = len(data) if size is None else size
    info.mtime = 1700000000
    info.pax_headers = dict(pax or {})
    pad = (512 - len(data) % 512) % 512
    return info.tobuf(tarfile.PAX_FORMAT) + data + b"\0" * pad


def raw_layer(members):
    raw = b"".join(members) + b"\0" * 1024
    gz = io.BytesIO()
    import gzip
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(raw)
    return gz.getvalue(), B.sha(raw)


def pull(daemon, ref, timeout=60):
    return daemon.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)),
                                    timeout=timeout).image_ref


def info(daemon, ref):
    st = daemon.image().ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=ref),
                                                          verbose=True))
    return json.loads(st.info["info"])


def rootfs(daemon, ref):
    return daemon.root / "snapshots" / info(daemon, ref)["snapshots"][-1].split(":")[1]


def rpc_error(fn, *args, **kw):
    with pytest.raises(grpc.RpcError) as e:
        fn(*args, **kw)
    return e.value


# ---- escape 1: a hostile layer must not write into the inodes its parent shares ----

BASE = [member("hello.wasm", WASM, mode=0o755)]
EVIL = b"\0asm evil module"


@pytest.mark.parametrize("name,hostile,refused", [
    # tar type 1 with a size, in a pax archive (an x-header makes libarchive honour the size)
    ("link-with-data", [member("evil", EVIL, tarfile.LNKTYPE, 0o777, "hello.wasm",
                               {"comment": "pax"})], False),
    # a hard link with no size of its own, to which an x-header gives one
    ("pax-size-on-link", [member("evil", EVIL, tarfile.LNKTYPE, 0o777, "hello.wasm",
                                 {"size": str(len(EVIL))}, size=0)], False),
    # the same, with a later entry that gets the whole pull refused
    ("link-with-data-then-refused", [member("evil", EVIL, tarfile.LNKTYPE, 0o777, "hello.wasm",
                                            {"comment": "pax"}),
                                     member("../escape", b"x")], True),
])
def test_hostile_hard_link_never_rewrites_another_images_file(d, reg, name, hostile, refused):
    victim = push(reg, "victim-" + name, [BASE, [member("victim-only", b"v")]])
    attacker = push(reg, "attacker-" + name, [BASE, hostile])
    pull(d, victim)
    wasm = rootfs(d, victim) / "hello.wasm"
    if refused:
        assert "escape" in rpc_error(pull, d, attacker).details()
    else:
        pull(d, attacker)
        # The attacker's link names the base file, as Docker would make it; no data of its own.
        assert (rootfs(d, attacker) / "evil").read_bytes() == WASM
    assert wasm.read_bytes() == WASM
    assert oct(wasm.stat().st_mode & 0o7777) == oct(0o755)


# ---- DoS 4: string lists that were quadratic in their length ----

MANY_ARGS = ["a%06d" % i for i in range(200000)]


def cpu_seconds(pid):
    """The CPU time (user and system, every thread) process pid has used."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(daemon, fn, *args, **kw):
    """fn's result and the daemon's CPU seconds meanwhile: a figure a loaded machine does not
    stretch, as it does the wall-clock time."""
    before = cpu_seconds(daemon.proc.pid)
    out = fn(*args, **kw)
    return out, cpu_seconds(daemon.proc.pid) - before


def test_image_with_200000_args_pulls_and_lists_in_linear_time(d, reg, tmp_path):
    """Before: the pull took 16 s and every ListContainers 6 s (appending to a string list
    recounted it), on the one completion-queue thread. The bounds are the daemon's CPU time,
    with room for the ASan build."""
    ref = push(reg, "many-args", [BASE], {"Entrypoint": ["/hello.wasm"], "Cmd": MANY_ARGS})
    _, took = cpu_of(d, pull, d, ref)
    assert took < 10, "pull took %.1f s of CPU" % took
    assert info(d, ref)["cmd"][-1] == MANY_ARGS[-1]
    rt = d.runtime()
    pod = rt_helpers.run_pod(rt, rt_helpers.pod_config("many-args", tmp_path))
    cid, took = cpu_of(d, rt_helpers.create, rt, pod, rt_helpers.ctr_config("many", ref))
    assert took < 10, "CreateContainer took %.1f s of CPU" % took
    listed, took = cpu_of(d, rt.ListContainers, pb.ListContainersRequest())
    assert took < 3, "ListContainers took %.1f s of CPU" % took
    assert cid in [c.id for c in listed.containers]
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


# ---- a wrong-typed field of the image config is named, not ignored ----

def test_wrong_typed_config_field_is_named_in_the_pull_error(d, reg):
    ref = push(reg, "cmd-as-string", [BASE], {"Entrypoint": ["/hello.wasm"], "Cmd": "--serve"})
    e = rpc_error(pull, d, ref)
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "config.Cmd is a string, not an array of strings" in e.details(), e.details()


# ---- unpack limits: config keys, and a gzip bomb stops at the ratio limit ----

def zeros_layer(mib):
    """One file of `mib` MiB of zeros: its gzip is about 1,000 times smaller."""
    return [member("zeros", bytes(mib << 20))]


def test_gzip_bomb_is_refused_at_the_ratio_limit(d, reg, new_daemon):
    ref = push(reg, "bomb", [BASE, zeros_layer(64)])
    e = rpc_error(pull, d, ref)
    assert "unpack.max_ratio" in e.details(), e.details()
    # The key lets an operator allow it.
    allowing = new_daemon(config={"registries": [{"host": reg.host, "insecure": True}],
                                  "unpack": {"max_ratio": 5000}}).start()
    pull(allowing, ref)
    assert (rootfs(allowing, ref) / "zeros").stat().st_size == 64 << 20


def test_unpack_entry_limit_comes_from_the_config(reg, new_daemon):
    ref = push(reg, "three-files", [BASE + [member("a", b"1"), member("b", b"2")]])
    strict = new_daemon(config={"registries": [{"host": reg.host, "insecure": True}],
                                "unpack": {"max_layer_entries": 2}}).start()
    e = rpc_error(pull, strict, ref)
    assert "more than 2 entries" in e.details(), e.details()


# ---- image removal: what a container still used goes with its last user; pulls go on ----

def test_snapshot_of_a_removed_image_goes_with_its_last_container(d, reg, tmp_path):
    ref = push(reg, "held", [BASE, [member("held-only", b"h")]])
    pull(d, ref)
    snap = rootfs(d, ref)
    rt = d.runtime()
    pod = rt_helpers.run_pod(rt, rt_helpers.pod_config("held", tmp_path))
    cid = rt_helpers.create(rt, pod, rt_helpers.ctr_config("held", ref))
    d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=ref)))
    assert snap.is_dir()  # the container still runs from it
    rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    assert not snap.exists()  # before: it stayed until the next image removal or restart
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_remove_image_with_many_files_does_not_hold_up_pulls(d, reg):
    """Before: GC deleted the trees while holding the lock every pull records its image
    under, so a pull waited for the whole removal (34-89 s for 100,000 files). The removal
    is held in the middle of deleting the image's tree (an open gate on one of its
    directories), so the pull provably runs while the removal has not ended: no race of
    wall clocks, which a loaded machine loses (once, the pull ended 27 ms after a removal
    that was not holding it up)."""
    many = push(reg, "many-files", [BASE + [member("f/%05d" % i, b"x") for i in range(20000)]])
    small = push(reg, "small-during-remove", [BASE, [member("small", b"s")]])
    pull(d, many, timeout=300)
    removed = {}

    def remove():
        d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=many)),
                              timeout=300)
        removed["at"] = time.monotonic()

    t = threading.Thread(target=remove)
    with OpenGate(rootfs(d, many) / "f", d.proc.pid) as gate:
        t.start()
        assert gate.wait_for_open(timeout=120), "the removal never deleted the image's tree"
        assert not any(many.rsplit(":", 1)[0] in tag
                       for i in listed_images(d) for tag in i.repo_tags)
        try:
            pull(d, small, timeout=60)
        except grpc.RpcError as e:
            pytest.fail("the pull waited for the removal's deletion: %s" % e.details())
        assert "at" not in removed  # the removal is still held at the gate
    t.join(timeout=300)
    assert "at" in removed  # let go, it ends
    assert not any(p.name.startswith("trash") for p in (d.root / "tmp").iterdir())


def listed_images(daemon):
    return daemon.image().ListImages(pb.ListImagesRequest()).images


def test_create_container_merges_many_env_vars_in_linear_time(d, reg, tmp_path):
    """Before: each of the config's variables scanned the image's whole Env list, on the
    completion-queue thread (200,000 x 50,000 comparisons: tens of seconds)."""
    image_env = ["IMAGE_VAR_%06d=image" % i for i in range(200000)]
    ref = push(reg, "many-env", [BASE], {"Entrypoint": ["/hello.wasm"], "Env": image_env})
    pull(d, ref)
    rt = d.runtime()
    pod = rt_helpers.run_pod(rt, rt_helpers.pod_config("many-env", tmp_path))
    env = {"IMAGE_VAR_%06d" % i: "config" for i in range(150000, 200000)}
    cid, took = cpu_of(d, rt_helpers.create, rt, pod, rt_helpers.ctr_config("env", ref, env=env))
    assert took < 10, "CreateContainer took %.1f s of CPU" % took
    rt.Version(pb.VersionRequest(), timeout=30)  # nothing of it still holds the queue thread
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
