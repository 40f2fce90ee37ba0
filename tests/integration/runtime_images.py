"""Test images for the runtime tests: the project's probe.wasm (tests/wasm/runtime) packed as
OCI images, pushed to Debian's docker-registry on 127.0.0.1 (registry.py: hack/registry.sh),
and pulled by the daemon over CRI like any image.

  probe     rootfs image: /bin/probe.wasm (Entrypoint), Cmd ["hello"], WorkingDir /work,
            Env FROM_IMAGE=yes OVERRIDE=image, files /data/hello.txt and /work/here.txt,
            /etc/link -> /data (an absolute symlink inside the image)
  probe-user  the probe image with User "app:staff", an /etc/passwd (app = 1001, group 1002)
            and an /etc/group (staff = 3000)
  probe-usr1  the probe image with StopSignal "SIGUSR1"
  probe-badstop  the probe image with StopSignal "SIGFOO" (not a signal)
  linux     rootfs image whose Entrypoint is /bin/sh, an ELF file, as is /bin/app: nothing wasm
            to run (but /bin/sh names a toolbox applet)
  artifact  the CNCF wasm artifact holding probe.wasm
  net       rootfs image: /bin/net.wasm (tests/wasm/net, sockets) as Entrypoint,
            /bin/activated.wasm (a preview1-only server) with /etc/greeting, and
            /bin/listenfd.wasm (Rust std's TcpListener::from_raw_fd(3))
"""
import json
import tarfile
import types

import registry
from wasmcri_harness import BUILD, pb

PROBE = BUILD / "tests/wasm/runtime/probe.wasm"
NET = BUILD / "tests/wasm/net/net.wasm"
ACTIVATED = BUILD / "tests/wasm/net/activated.wasm"
LISTENFD = BUILD / "tests/wasm/net/listenfd.wasm"
HOSTMARK = BUILD / "tests/wasm/runtime/hostmark.wasm"  # a host file no container may run


_b = registry.load_builder()
_PLAIN = types.SimpleNamespace(ca=None, client_cert=None, client_key=None)


def _rootfs_image(b, lay, entries, config):
    gz, diff = b.tar_layer(entries)
    layer = lay.blob(gz, b.MT_LAYER)
    cfg = {"architecture": "wasm", "os": "wasip1", "config": config,
           "rootfs": {"type": "layers", "diff_ids": [diff]}}
    cdesc = lay.blob(json.dumps(cfg).encode(), b.MT_CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": b.MT_MANIFEST, "config": cdesc, "layers": [layer]}
    return lay.blob(json.dumps(manifest).encode(), b.MT_MANIFEST)


def _artifact(b, lay, wasm):
    cfg = lay.blob(json.dumps({"architecture": "wasm", "os": "wasip1",
                               "layerDigests": [b.sha(wasm)]}).encode(), b.MT_WASM_CONFIG)
    layer = lay.blob(wasm, b.MT_WASM)
    return lay.blob(json.dumps({"schemaVersion": 2, "mediaType": b.MT_MANIFEST, "config": cfg,
                                "layers": [layer]}).encode(), b.MT_MANIFEST)


def build(b, out):
    wasm = PROBE.read_bytes()
    e, d = b.entry, b.d
    probe_files = [d("bin"), e("bin/probe.wasm", wasm, mode=0o755), d("data"),
                   e("data/hello.txt", b"image file\n"), d("work"),
                   e("work/here.txt", b"in workdir\n"), d("etc"),
                   e("etc/link", kind=tarfile.SYMTYPE, link="/data")]
    built = {}
    lay = b.Layout(str(out / "probe"))
    built["probe"] = (lay, _rootfs_image(b, lay, probe_files, {
        "Entrypoint": ["/bin/probe.wasm"], "Cmd": ["hello"], "WorkingDir": "/work",
        "Env": ["PATH=/bin", "FROM_IMAGE=yes", "OVERRIDE=image"]}), False)
    lay = b.Layout(str(out / "probe-user"))
    built["probe-user"] = (lay, _rootfs_image(b, lay, probe_files + [
        e("etc/passwd", b"root:x:0:0::/:/bin/sh\napp:x:1001:1002::/:/bin/sh\n"),
        e("etc/group", b"root:x:0:\nstaff:x:3000:app\n")], {
        "Entrypoint": ["/bin/probe.wasm"], "User": "app:staff"}), False)
    for name, stop in (("probe-usr1", "SIGUSR1"), ("probe-badstop", "SIGFOO")):
        lay = b.Layout(str(out / name))
        built[name] = (lay, _rootfs_image(b, lay, probe_files, {
            "Entrypoint": ["/bin/probe.wasm"], "Cmd": ["hello"], "StopSignal": stop}), False)
    lay = b.Layout(str(out / "linux"))
    built["linux"] = (lay, _rootfs_image(b, lay, [d("bin"), e("bin/sh", b"\x7fELF\x02\x01\x01",
                                                                mode=0o755),
                                                  e("bin/app", b"\x7fELF\x02\x01\x01", mode=0o755)],
                                         {"Entrypoint": ["/bin/sh"]}), False)
    lay = b.Layout(str(out / "net"))
    net_files = [d("bin"), e("bin/net.wasm", NET.read_bytes(), mode=0o755),
                 e("bin/activated.wasm", ACTIVATED.read_bytes(), mode=0o755),
                 e("bin/listenfd.wasm", LISTENFD.read_bytes(), mode=0o755), d("etc"),
                 e("etc/greeting", b"greetings from the image\n")]
    built["net"] = (lay, _rootfs_image(b, lay, net_files, {"Entrypoint": ["/bin/net.wasm"]}),
                    False)
    lay = b.Layout(str(out / "artifact"))
    built["artifact"] = (lay, _artifact(b, lay, wasm), True)
    return built


def start(base):
    """Starts a registry under base and pushes the images; returns (registry, {name: ref})."""
    reg = registry.Registry(base / "registry").start()
    refs = {}
    try:
        pusher = _b.Pusher(reg.host, None, _PLAIN, True)
        for name, (lay, top, artifact) in build(_b, base / "layouts").items():
            lay.finish(top)
            repo = "wasmcri-rt/" + name
            if artifact:
                pusher.push(repo, lay, top)
            else:
                _b.skopeo_push(lay, "%s/%s:latest" % (reg.host, repo), None, _PLAIN, True)
            refs[name] = "%s/%s:latest" % (reg.host, repo)
    except Exception:
        reg.stop()
        raise
    return reg, refs


def daemon_config(reg):
    return {"registries": [{"host": reg.host, "insecure": True}]}


def pull_all(daemon, refs):
    for ref in refs.values():
        daemon.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)), timeout=60)
