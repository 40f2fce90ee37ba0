"""ImageService against real registries (tests/integration/registry.py): pull by tag and
digest, platform choice, image shapes, auth, TLS, mirrors, hostile layers, corrupt blobs,
concurrency, removal, restart and kill -9. No mocks: Debian's docker-registry on 127.0.0.1
and the real daemon."""
import base64
import concurrent.futures
import json
import os
import signal
import threading
import time

import grpc
import pytest

import registry
from wasmcri_harness import Daemon, daemon_arch, pb


@pytest.fixture(scope="module")
def regs(tmp_path_factory):
    rs = registry.start_all(tmp_path_factory.mktemp("registries"))
    yield rs
    for r in rs:
        r.stop()


@pytest.fixture(scope="module")
def dead_host():
    """A registry host nothing listens on; its mirror serves it."""
    return "127.0.0.1:%d" % registry.free_port()


def config_for(regs, dead_host, tls_auth=False, tls_ca=True):
    plain, tls, mirror = regs
    tls_entry = {"host": tls.host}
    if tls_ca:
        tls_entry["ca_file"] = str(tls.ca)
    if tls_auth:
        tls_entry["auth"] = {"username": registry.USER, "password": registry.PASSWORD}
    return {"registries": [
        {"host": plain.host, "insecure": True},
        tls_entry,
        {"host": dead_host, "mirrors": ["http://" + mirror.host], "insecure": True},
    ]}


@pytest.fixture(scope="module")
def d(regs, dead_host, tmp_path_factory):
    daemon = Daemon(tmp_path_factory.mktemp("imaged"), config=config_for(regs, dead_host)).start()
    yield daemon
    assert daemon.stop() == 0, daemon.log()


def pull(daemon, ref, auth=None, timeout=60):
    return daemon.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref), auth=auth),
                                    timeout=timeout).image_ref


def status(daemon, ref, verbose=False):
    return daemon.image().ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=ref),
                                                            verbose=verbose))


def info(daemon, ref):
    return json.loads(status(daemon, ref, verbose=True).info["info"])


def listed(daemon):
    return {i.id: i for i in daemon.image().ListImages(pb.ListImagesRequest()).images}


def remove(daemon, ref):
    daemon.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=ref)))


def rpc_error(fn, *args, **kw):
    with pytest.raises(grpc.RpcError) as e:
        fn(*args, **kw)
    return e.value


def config_digest(reg, name, manifest_digest=None):
    return reg.manifest(name, manifest_digest)["config"]["digest"]


def store_files(daemon):
    """Blobs and snapshots in the store, and what is left in tmp/."""
    root = daemon.root
    blobs = set(os.listdir(root / "content/sha256"))
    snaps = set(os.listdir(root / "snapshots"))
    return blobs, snaps, os.listdir(root / "tmp")


def assert_clean_store(daemon):
    """Everything on disk belongs to a listed image; nothing is half-written."""
    blobs, snaps, tmp = store_files(daemon)
    assert tmp == []
    used_blobs, used_snaps = set(), set()
    for img in listed(daemon).values():
        i = info(daemon, img.id)
        used_blobs |= {b.split(":")[1] for b in i["blobs"]}
        used_snaps |= {s.split(":")[1] for s in i["snapshots"]}
    assert blobs == used_blobs
    assert snaps == used_snaps


# ---- pulls, names, shapes ----

def test_pull_by_tag_lists_and_finds_the_image_by_every_name(d, regs):
    plain = regs[0]
    ref = plain.ref("compat")
    image_id = pull(d, ref)
    assert image_id == config_digest(plain, "compat")
    img = listed(d)[image_id]
    assert ref in img.repo_tags
    digest_ref = "%s/%s/compat@%s" % (plain.host, registry.PREFIX, plain.images["compat"]["digest"])
    assert digest_ref in img.repo_digests
    assert img.uid.value == 1000 and img.size > 0
    for name in (ref, image_id, image_id[7:], image_id[7:19], digest_ref,
                 "%s/%s/compat" % (plain.host, registry.PREFIX)):
        assert status(d, name).image.id == image_id, name
    assert img.spec.annotations["module.wasm.image/variant"] == "compat"
    i = info(d, ref)
    assert (i["shape"], i["wasmEntry"], i["variant"]) == ("rootfs", "/hello.wasm", "compat")


def test_pull_by_digest(d, regs):
    plain = regs[0]
    top = plain.images["wasi-index"]["digest"]
    ref = "%s/%s/wasi-index@%s" % (plain.host, registry.PREFIX, top)
    image_id = pull(d, ref)
    assert ref in listed(d)[image_id].repo_digests
    assert status(d, ref).image.id == image_id


def test_index_with_only_wasi_pulls(d, regs):
    plain = regs[0]
    image_id = pull(d, plain.ref("wasi-index"))
    index = plain.manifest("wasi-index")
    assert image_id == config_digest(plain, "wasi-index", index["manifests"][0]["digest"])
    assert info(d, image_id)["os"] == "wasip1"


def test_multi_arch_index_prefers_wasi(d, regs):
    plain = regs[0]
    image_id = pull(d, plain.ref("multiarch"))
    wasi = [m for m in plain.manifest("multiarch")["manifests"] if m["platform"]["os"] == "wasip1"]
    assert image_id == config_digest(plain, "multiarch", wasi[0]["digest"])
    i = info(d, image_id)
    assert (i["os"], i["architecture"], i["wasmEntry"]) == ("wasip1", "wasm", "/hello.wasm")


def test_linux_only_index_pulls_the_host_arch_with_nothing_to_run(d, regs):
    plain = regs[0]
    image_id = pull(d, plain.ref("linux-only"))
    host = daemon_arch()
    i = info(d, image_id)
    assert (i["os"], i["architecture"], i["shape"], i["wasmEntry"]) == ("linux", host, "rootfs", "")


def test_cncf_artifact_is_stored_as_a_module(d, regs):
    plain = regs[0]
    image_id = pull(d, plain.ref("artifact"))
    layer = plain.manifest("artifact")["layers"][0]["digest"]
    i = info(d, image_id)
    assert (i["shape"], i["wasmEntry"], i["snapshots"]) == ("wasm-artifact", layer, [])
    with open(d.root / "content/sha256" / layer.split(":")[1], "rb") as f:
        assert f.read(4) == b"\0asm"


def test_component_layers_are_stored_as_modules(d, regs):
    plain = regs[0]
    image_id = pull(d, plain.ref("component"))
    i = info(d, image_id)
    assert (i["shape"], i["wasmEntry"]) == ("wasm-layers",
                                            plain.manifest("component")["layers"][0]["digest"])


def test_whiteouts_and_opaque_dirs_are_applied(d, regs):
    image_id = pull(d, regs[0].ref("layers"))
    i = info(d, image_id)
    assert len(i["snapshots"]) == 3
    rootfs = d.root / "snapshots" / i["chainID"].split(":")[1]
    found = sorted(str(p.relative_to(rootfs)) for p in rootfs.rglob("*"))
    assert found == ["a", "a/kept", "b", "b/new", "hello.wasm"]


def test_invalid_and_missing_references(d, regs):
    e = rpc_error(pull, d, "Not/A:Valid//ref")
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT and "Not/A:Valid//ref" in e.details()
    e = rpc_error(pull, d, regs[0].ref("no-such-image"))
    assert e.code() == grpc.StatusCode.NOT_FOUND, e.details()
    e = rpc_error(pull, d, "127.0.0.1:%d/x/y:1" % registry.free_port())
    assert e.code() == grpc.StatusCode.UNAVAILABLE, e.details()
    assert not status(d, "never/pulled:1").HasField("image")


# ---- hostile layers ----

@pytest.mark.parametrize("name,entry", [
    ("traversal", "../escape.txt"), ("absolute", "/abs-escape.txt"), ("symlink", "evil-link"),
    ("hardlink", "evil-hard"), ("link-through-symlink", '"h"'),
    ("write-through-symlink", "tmp-link/wasmcri-pwned"),
])
def test_hostile_layers_are_refused_naming_the_entry(d, regs, name, entry):
    before = listed(d)
    e = rpc_error(pull, d, regs[0].ref("hostile-" + name))
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED, e.details()
    assert entry in e.details()
    assert listed(d).keys() == before.keys()
    assert not os.path.exists("/tmp/wasmcri-pwned")
    assert store_files(d)[2] == []


def test_device_nodes_skipped_and_setuid_stripped(d, regs):
    i = info(d, pull(d, regs[0].ref("hostile-device")))
    rootfs = d.root / "snapshots" / i["chainID"].split(":")[1]
    assert not (rootfs / "dev-null").exists() and not (rootfs / "fifo").exists()
    assert "skipped 2 device nodes" in d.log()
    i = info(d, pull(d, regs[0].ref("hostile-setuid")))
    rootfs = d.root / "snapshots" / i["chainID"].split(":")[1]
    assert (rootfs / "suid-bin").stat().st_mode & 0o7777 == 0o755


# ---- auth and TLS ----

def test_auth_missing_wrong_and_right(d, regs):
    tls = regs[1]
    ref = tls.ref("compat")
    e = rpc_error(pull, d, ref)
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "no credentials were given" in e.details()
    wrong = pb.AuthConfig(username=registry.USER, password="wrong")
    e = rpc_error(pull, d, ref, auth=wrong)
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED and "wrong credentials" in e.details()
    right = pb.AuthConfig(username=registry.USER, password=registry.PASSWORD)
    assert pull(d, ref, auth=right) == config_digest(tls, "compat")
    token = base64.b64encode(("%s:%s" % (registry.USER, registry.PASSWORD)).encode()).decode()
    assert pull(d, tls.ref("multiarch"), auth=pb.AuthConfig(auth=token))


def test_credentials_from_the_config(regs, dead_host, new_daemon):
    daemon = new_daemon(config=config_for(regs, dead_host, tls_auth=True)).start()
    assert pull(daemon, regs[1].ref("compat")) == config_digest(regs[1], "compat")


def test_tls_without_the_ca_fails_clearly(regs, dead_host, new_daemon):
    daemon = new_daemon(config=config_for(regs, dead_host, tls_ca=False)).start()
    auth = pb.AuthConfig(username=registry.USER, password=registry.PASSWORD)
    e = rpc_error(pull, daemon, regs[1].ref("compat"), auth=auth)
    assert e.code() == grpc.StatusCode.UNAVAILABLE
    assert "TLS" in e.details() and "ca_file" in e.details()
    # The same registry under a name with no config entry: no CA either.
    e = rpc_error(pull, daemon, regs[1].ref("compat", host="localhost:%d" % regs[1].port),
                  auth=auth)
    assert "TLS" in e.details()


def test_client_certificate(tmp_path, new_daemon):
    reg = registry.Registry(tmp_path / "mtls", mtls=True).start()
    try:
        reg.push(tmp_path / "images", only=["compat"])
        entry = {"host": reg.host, "ca_file": str(reg.ca)}
        without = new_daemon(config={"registries": [entry]}).start()
        e = rpc_error(pull, without, reg.ref("compat"))
        assert e.code() == grpc.StatusCode.UNAVAILABLE, e.details()
        assert "client certificate" in e.details()
        entry.update(cert_file=str(reg.client_cert), key_file=str(reg.client_key))
        with_cert = new_daemon(config={"registries": [entry]}).start()
        assert pull(with_cert, reg.ref("compat")) == config_digest(reg, "compat")
    finally:
        reg.stop()


def test_insecure_tls_registry_is_not_verified(regs, new_daemon):
    tls = regs[1]
    daemon = new_daemon(config={"registries": [{"host": tls.host, "insecure": True}]}).start()
    auth = pb.AuthConfig(username=registry.USER, password=registry.PASSWORD)
    assert pull(daemon, tls.ref("compat"), auth=auth) == config_digest(tls, "compat")


# ---- mirrors ----

def test_mirror_serves_a_registry_that_does_not_answer(d, regs, dead_host):
    ref = "%s/%s/compat:latest" % (dead_host, registry.PREFIX)
    image_id = pull(d, ref)
    assert image_id == config_digest(regs[2], "compat")
    assert ref in listed(d)[image_id].repo_tags
    # Not on the mirror and the registry is down: the registry's error, not the mirror's.
    e = rpc_error(pull, d, "%s/%s/layers:latest" % (dead_host, registry.PREFIX))
    assert e.code() == grpc.StatusCode.UNAVAILABLE, e.details()


# ---- corruption, concurrency, removal ----

def test_corrupt_blob_fails_and_nothing_is_listed(d, regs):
    plain = regs[0]
    layer = plain.manifest("corrupt-me")["layers"][0]["digest"]
    path = plain.blob_path(layer)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    before = listed(d)
    e = rpc_error(pull, d, plain.ref("corrupt-me"))
    assert "corrupt" in e.details() and layer in e.details()
    assert listed(d).keys() == before.keys()
    assert not (d.root / "content/sha256" / layer.split(":")[1]).exists()
    assert store_files(d)[2] == []


def test_concurrent_pulls_of_one_image(d, regs):
    ref = regs[0].ref("layers")
    remove(d, ref)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: pull(d, ref), range(8)))
    assert len(ids) == 1
    assert [i for i in listed(d).values() if ref in i.repo_tags]
    assert_clean_store(d)


def test_remove_then_pull_again(d, regs):
    ref = regs[0].ref("component")
    image_id = pull(d, ref)
    blobs_before = store_files(d)[0]
    remove(d, ref)
    assert image_id not in listed(d)
    assert not status(d, ref).HasField("image")
    assert store_files(d)[0] < blobs_before
    remove(d, ref)  # idempotent
    remove(d, image_id)
    assert pull(d, ref) == image_id
    assert_clean_store(d)


def test_image_fs_info_counts_pulled_content(d, regs):
    fs = d.image().ImageFsInfo(pb.ImageFsInfoRequest()).image_filesystems[0]
    before = fs.used_bytes.value
    image_id = pull(d, regs[0].ref("big"))
    after = d.image().ImageFsInfo(pb.ImageFsInfoRequest()).image_filesystems[0].used_bytes.value
    # The layers (50 MB compressed) and their unpacked snapshots.
    assert after - before > 90 << 20
    remove(d, image_id)


# ---- restart and kill -9 ----

def test_restart_keeps_every_image(regs, dead_host, new_daemon):
    cfg = config_for(regs, dead_host)
    first = new_daemon(config=cfg).start()
    for name in ("compat", "artifact", "layers"):
        pull(first, regs[0].ref(name))
    before = {k: (v.repo_tags, v.repo_digests, v.size) for k, v in listed(first).items()}
    assert first.stop() == 0
    again = Daemon(first.base, config=cfg).start()
    try:
        assert {k: (v.repo_tags, v.repo_digests, v.size) for k, v in listed(again).items()} == before
        assert_clean_store(again)
    finally:
        again.stop()


def test_kill_during_pull_leaves_a_clean_store(regs, dead_host, new_daemon):
    cfg = config_for(regs, dead_host)
    first = new_daemon(config=cfg).start()
    pull(first, regs[0].ref("compat"))
    stop = threading.Event()

    def puller():
        try:
            pull(first, regs[0].ref("big"), timeout=30)
        except grpc.RpcError:
            pass
        stop.set()

    t = threading.Thread(target=puller)
    t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not stop.is_set():
        if os.listdir(first.root / "tmp"):
            break
        time.sleep(0.002)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    t.join()
    # The killed daemon's socket file stays. A client dialing it before the new daemon binds
    # goes into gRPC's reconnect backoff, which under load (ASan, 2 busy cores) was seen to
    # outlast the harness's 10 s even with a fresh channel: start without it.
    first.socket.unlink(missing_ok=True)
    again = Daemon(first.base, config=cfg).start()
    try:
        ids = listed(again)
        assert config_digest(regs[0], "compat") in ids
        assert_clean_store(again)
    finally:
        again.stop()


# ---- a misbehaving registry: retries, resume, redirects, cancel ----

@pytest.fixture
def chaos(regs):
    p = registry.ChaosProxy("http://" + regs[0].host)
    yield p
    p.stop()


def chaos_daemon(new_daemon, chaos):
    cfg = {"registries": [{"host": chaos.host, "mirrors": [], "insecure": True}]}
    return new_daemon(config=cfg).start()


def test_concurrent_pulls_fetch_each_blob_once(chaos, regs, new_daemon):
    daemon = chaos_daemon(new_daemon, chaos)
    ref = "%s/%s/layers:latest" % (chaos.host, registry.PREFIX)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        assert len(set(pool.map(lambda _: pull(daemon, ref), range(6)))) == 1
    gets = [s[1] for s in chaos.seen if "/blobs/" in s[1]]
    assert len(gets) == len(set(gets)) == 4, gets  # config + 3 layers


def test_5xx_is_retried(chaos, new_daemon):
    daemon = chaos_daemon(new_daemon, chaos)
    chaos.fail_blobs = 2
    assert pull(daemon, "%s/%s/compat:latest" % (chaos.host, registry.PREFIX))
    assert chaos.fail_blobs == 0


def test_interrupted_blob_resumes_with_a_range_request(chaos, regs, new_daemon):
    daemon = chaos_daemon(new_daemon, chaos)
    chaos.cut_blobs = 1  # the first blob asked for (the config) stops half-way
    image_id = pull(daemon, "%s/%s/layers:latest" % (chaos.host, registry.PREFIX))
    assert image_id == config_digest(regs[0], "layers")
    ranged = [s for s in chaos.seen if "/blobs/" in s[1] and s[3]]
    assert ranged, chaos.seen
    assert ranged[0][3].startswith("bytes=") and ranged[0][3] != "bytes=0-"


def test_redirects_do_not_carry_credentials_to_another_host(chaos, regs, new_daemon):
    daemon = chaos_daemon(new_daemon, chaos)
    chaos.auth = "Basic " + base64.b64encode(b"u:p").decode()
    chaos.redirect_to = "localhost:%d" % chaos.port
    image_id = pull(daemon, "%s/%s/compat:latest" % (chaos.host, registry.PREFIX),
                    auth=pb.AuthConfig(username="u", password="p"))
    assert image_id == config_digest(regs[0], "compat")
    direct = [s for s in chaos.seen if s[1].startswith("/direct/")]
    assert direct and all(s[2] is None for s in direct), direct
    assert any(s[2] == chaos.auth for s in chaos.seen if s[1].startswith("/v2/"))


def test_client_cancel_stops_the_pull(chaos, regs, new_daemon):
    daemon = chaos_daemon(new_daemon, chaos)
    chaos.rate = 4 << 20
    e = rpc_error(pull, daemon, "%s/%s/big:latest" % (chaos.host, registry.PREFIX), timeout=1)
    assert e.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    deadline = time.monotonic() + 10
    while "pull cancelled" not in daemon.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "pull cancelled" in daemon.log()
    time.sleep(0.2)
    assert listed(daemon) == {}
    assert store_files(daemon) == (set(), set(), [])


# ---- the Bearer token flow ----

@pytest.fixture(scope="module")
def token_reg(tmp_path_factory):
    reg, ts = registry.start_token_registry(tmp_path_factory.mktemp("token"))
    yield reg, ts
    reg.stop()
    ts.stop()


def test_bearer_token_flow(token_reg, new_daemon):
    reg, ts = token_reg
    daemon = new_daemon(config={"registries": [{"host": reg.host, "insecure": True}]}).start()
    ref = reg.ref("compat")
    e = rpc_error(pull, daemon, ref)
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED, e.details()
    assert "it needs credentials" in e.details()
    e = rpc_error(pull, daemon, ref, auth=pb.AuthConfig(username=registry.USER, password="bad"))
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED and "token service" in e.details()
    ts.seen.clear()
    right = pb.AuthConfig(username=registry.USER, password=registry.PASSWORD)
    assert pull(daemon, ref, auth=right) == config_digest(reg, "compat")
    assert ts.seen[0][0].startswith("Basic ")
    assert ts.seen[0][1] == "repository:%s/compat:pull" % registry.PREFIX
    remove(daemon, ref)
    token = ts.token([{"type": "repository", "name": registry.PREFIX + "/compat",
                       "actions": ["pull"]}])
    assert pull(daemon, ref, auth=pb.AuthConfig(registry_token=token))
    remove(daemon, ref)
    ts.seen.clear()
    assert pull(daemon, ref, auth=pb.AuthConfig(identity_token=registry.REFRESH_TOKEN))
    assert ts.seen[0][0] == "refresh_token=" + registry.REFRESH_TOKEN
    remove(daemon, ref)
    e = rpc_error(pull, daemon, ref, auth=pb.AuthConfig(identity_token="stale"))
    assert e.code() == grpc.StatusCode.PERMISSION_DENIED


def test_manifest_by_tag_must_match_docker_content_digest(chaos, regs, new_daemon):
    """A registry (or anything in between) that answers a tag with a manifest other than the
    one its Docker-Content-Digest names: the pull is refused, nothing is recorded."""
    daemon = chaos_daemon(new_daemon, chaos)
    other = dict(regs[0].manifest("compat"), annotations={"swapped": "in transit"})
    chaos.tag_manifest = json.dumps(other).encode()
    e = rpc_error(pull, daemon, "%s/%s/compat:latest" % (chaos.host, registry.PREFIX))
    assert "Docker-Content-Digest" in e.details(), e.details()
    assert listed(daemon) == {}
