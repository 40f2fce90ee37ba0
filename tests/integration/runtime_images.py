"""Test images for the runtime tests: the project's probe.wasm (tests/wasm/runtime) packed as
OCI images, pushed to Debian's docker-registry on 127.0.0.1 (registry.py: hack/registry.sh),
and pulled by the daemon over CRI like any image.

  probe     rootfs image: /bin/probe.wasm (Entrypoint), Cmd ["hello"], WorkingDir /work,
            Env FROM_IMAGE=yes OVERRIDE=image, files /data/hello.txt and /work/here.txt,
            /etc/link -> /data (an absolute symlink inside the image)
  linux     rootfs image whose Entrypoint is /bin/sh, an ELF file: nothing wasm to run
  artifact  the CNCF wasm artifact holding probe.wasm
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import urllib.request

import registry
from wasmcri_harness import BUILD, pb

PROBE = BUILD / "tests/wasm/runtime/probe.wasm"


class _Builder:
    """The few OCI pieces these images need: a layout, gzip'd tar layers, pushes."""
    MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
    MT_INDEX = "application/vnd.oci.image.index.v1+json"
    MT_CONFIG = "application/vnd.oci.image.config.v1+json"
    MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
    MT_WASM_CONFIG = "application/vnd.wasm.config.v0+json"
    MT_WASM = "application/wasm"

    @staticmethod
    def sha(data):
        return "sha256:" + hashlib.sha256(data).hexdigest()

    class Layout:
        def __init__(self, path):
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(os.path.join(path, "blobs", "sha256"))
            self.path = path
            with open(os.path.join(path, "oci-layout"), "w") as f:
                json.dump({"imageLayoutVersion": "1.0.0"}, f)
            self.blobs = {}

        def blob(self, data, media_type):
            d = _Builder.sha(data)
            with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
                f.write(data)
            self.blobs[d] = data
            return {"mediaType": media_type, "digest": d, "size": len(data)}

        def finish(self, top):
            idx = {"schemaVersion": 2, "mediaType": _Builder.MT_INDEX, "manifests": [
                dict(top, annotations={"org.opencontainers.image.ref.name": "latest"})]}
            with open(os.path.join(self.path, "index.json"), "w") as f:
                json.dump(idx, f)

    @staticmethod
    def entry(name, data=None, kind=tarfile.REGTYPE, mode=0o644, link=""):
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.linkname, info.mtime = kind, mode, link, 1700000000
        return info, data

    @staticmethod
    def d(name):
        return _Builder.entry(name, kind=tarfile.DIRTYPE, mode=0o755)

    @staticmethod
    def tar_layer(entries):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
            for info, data in entries:
                if data is not None:
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
                else:
                    t.addfile(info)
        gz = io.BytesIO()
        with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
            g.write(raw.getvalue())
        return gz.getvalue(), _Builder.sha(raw.getvalue())

    @staticmethod
    def push_artifact(host, repo, lay, top):
        """The distribution API's monolithic upload (skopeo cannot copy wasm artifacts)."""
        base = "http://" + host

        def call(method, url, data=None, ctype=None):
            req = urllib.request.Request(url if url.startswith("http") else base + url,
                                         data=data, method=method)
            if ctype:
                req.add_header("Content-Type", ctype)
            return urllib.request.urlopen(req)

        for digest, data in lay.blobs.items():
            if digest == top["digest"]:
                continue
            with call("POST", "/v2/%s/blobs/uploads/" % repo, b"") as r:
                loc = r.headers["Location"]
            loc = loc if loc.startswith("http") else base + loc
            call("PUT", loc + ("&" if "?" in loc else "?") + "digest=" + digest, data,
                 "application/octet-stream").close()
        call("PUT", "/v2/%s/manifests/latest" % repo, lay.blobs[top["digest"]],
             top["mediaType"]).close()

    @staticmethod
    def push_image(host, repo, lay):
        subprocess.run(["skopeo", "copy", "--preserve-digests", "-q", "--dest-tls-verify=false",
                        "oci:%s:latest" % lay.path, "docker://%s/%s:latest" % (host, repo)],
                       check=True)


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
    lay = b.Layout(str(out / "linux"))
    built["linux"] = (lay, _rootfs_image(b, lay, [d("bin"), e("bin/sh", b"\x7fELF\x02\x01\x01",
                                                                mode=0o755)],
                                         {"Entrypoint": ["/bin/sh"]}), False)
    lay = b.Layout(str(out / "artifact"))
    built["artifact"] = (lay, _artifact(b, lay, wasm), True)
    return built


def start(base):
    """Starts a registry under base and pushes the images; returns (registry, {name: ref})."""
    b = _Builder
    reg = registry.Registry(base / "registry").start()
    refs = {}
    try:
        for name, (lay, top, artifact) in build(b, base / "layouts").items():
            lay.finish(top)
            repo = "wasmcri-rt/" + name
            if artifact:
                b.push_artifact(reg.host, repo, lay, top)
            else:
                b.push_image(reg.host, repo, lay)
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
