#!/usr/bin/python3
"""Builds wasmcri's test images as OCI layouts from the project's own test wasm program
(tests/wasm/images/hello.wat, compiled with wat2wasm) and pushes them to a registry.

    hack/build-test-images.py OUTDIR [--push HOST:PORT] [--creds USER:PASS] [--ca CA.crt]
                              [--client-cert CRT --client-key KEY] [--plain-http]
                              [--repo-prefix wasmcri-test] [--bench] [--only NAME]...

Images (repository names under the prefix, tag "latest"):
  compat       one layer: /hello.wasm as entrypoint; module.wasm.image/variant=compat
  wasi-index   an index listing only wasi/wasm
  multiarch    an index: linux/amd64, linux/arm64, wasi/wasm (each config distinct)
  linux-only   an index: linux/amd64, linux/arm64, linux/arm (no wasm in it; one entry for each
               architecture hack/cross.sh tests under emulation too)
  artifact     the CNCF wasm artifact: wasm config + one application/wasm layer
  component    runwasi's shape: a ...wasm.component.layer.v0+wasm layer
  layers       three layers with a whiteout and an opaque directory
  hostile-*    layers made with tarfile: traversal, absolute, symlink, hardlink,
               link-through-symlink, write-through-symlink (all refused); device, setuid
               (pulled: skipped / stripped)
  corrupt-me   one layer no other image shares (the tests corrupt it on the registry's disk)
  big          (--bench) five layers of 10 MB random bytes each (~50 MB)
Image and index layouts are pushed with skopeo from the oci: layout; artifacts over plain
HTTP (the distribution API). OUTDIR/images.json records each image's digests for the tests.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_WASM_CONFIG = "application/vnd.wasm.config.v0+json"
MT_WASM = "application/wasm"
MT_COMPONENT = "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def wasm_module():
    out = subprocess.run(["wat2wasm", os.path.join(ROOT, "tests/wasm/images/hello.wat"),
                          "--output=-"], check=True, capture_output=True)
    return out.stdout


class Layout:
    """An OCI image layout directory being filled with blobs."""

    def __init__(self, path):
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(os.path.join(path, "blobs", "sha256"))
        self.path = path
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.blobs = {}

    def blob(self, data, media_type):
        d = sha(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        self.blobs[d] = data
        return {"mediaType": media_type, "digest": d, "size": len(data)}

    def finish(self, top):
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX,
               "manifests": [dict(top, annotations={"org.opencontainers.image.ref.name": "latest"})]}
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(idx, f)


def tar_layer(entries):
    """entries: list of (TarInfo, bytes or None). Returns (gzip bytes, uncompressed digest)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in entries:
            info.mtime = info.mtime or 1700000000
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)
    plain = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(plain)
    return gz.getvalue(), sha(plain)


def entry(name, data=None, kind=tarfile.REGTYPE, mode=0o644, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = link
    return info, data


def d(name):
    return entry(name, kind=tarfile.DIRTYPE, mode=0o755)


def image(lay, layers, os_="wasip1", arch="wasm", entry_=("/hello.wasm",), annotations=None,
          user="1000"):
    """Writes config + manifest for a rootfs image; returns the manifest descriptor."""
    descs, diff_ids = [], []
    for entries in layers:
        gz, diff = tar_layer(entries)
        descs.append(lay.blob(gz, MT_LAYER))
        diff_ids.append(diff)
    config = {"architecture": arch, "os": os_,
              "config": {"Entrypoint": list(entry_), "User": user, "WorkingDir": "/",
                         "Env": ["PATH=/", "IMAGE=%s/%s/%s" % (os.path.basename(lay.path), os_, arch)]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cdesc = lay.blob(json.dumps(config, sort_keys=True).encode(), MT_CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc, "layers": descs}
    if annotations:
        manifest["annotations"] = annotations
    return lay.blob(json.dumps(manifest, sort_keys=True).encode(), MT_MANIFEST)


def index(lay, entries):
    manifests = [dict(desc, platform={"os": o, "architecture": a}) for desc, o, a in entries]
    return lay.blob(json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX,
                                "manifests": manifests}, sort_keys=True).encode(), MT_INDEX)


def hello_layer(wasm, *more):
    return [entry("hello.wasm", wasm, mode=0o755)] + list(more)


def build_all(out, wasm, bench):
    """Returns {name: (layout path, top descriptor, is_artifact)}."""
    built = {}

    def new(name):
        return Layout(os.path.join(out, name))

    lay = new("compat")
    built["compat"] = (lay, image(lay, [hello_layer(wasm)],
                                  annotations={"module.wasm.image/variant": "compat"}))
    lay = new("wasi-index")
    built["wasi-index"] = (lay, index(lay, [(image(lay, [hello_layer(wasm)]), "wasi", "wasm")]))
    lay = new("multiarch")
    built["multiarch"] = (lay, index(lay, [
        (image(lay, [[entry("linux-amd64", b"amd64\n")]], "linux", "amd64", ("/bin/sh",)),
         "linux", "amd64"),
        (image(lay, [[entry("linux-arm64", b"arm64\n")]], "linux", "arm64", ("/bin/sh",)),
         "linux", "arm64"),
        (image(lay, [hello_layer(wasm)], "wasip1", "wasm"), "wasip1", "wasm"),
    ]))
    lay = new("linux-only")
    built["linux-only"] = (lay, index(lay, [
        (image(lay, [[entry("linux-amd64", b"amd64\n")]], "linux", "amd64", ("/bin/sh",)),
         "linux", "amd64"),
        (image(lay, [[entry("linux-arm64", b"arm64\n")]], "linux", "arm64", ("/bin/sh",)),
         "linux", "arm64"),
        (image(lay, [[entry("linux-arm", b"arm\n")]], "linux", "arm", ("/bin/sh",)),
         "linux", "arm"),
    ]))
    lay = new("layers")
    built["layers"] = (lay, image(lay, [
        [d("a"), entry("a/gone", b"1"), entry("a/kept", b"2"), d("b"), entry("b/old", b"3")],
        [d("a"), entry("a/.wh.gone"), d("b"), entry("b/.wh..wh..opq"), entry("b/new", b"4")],
        hello_layer(wasm),
    ]))
    hostile = {
        "traversal": [entry("../escape.txt", b"x")],
        "absolute": [entry("/abs-escape.txt", b"x")],
        "symlink": [entry("evil-link", kind=tarfile.SYMTYPE, link="../../../../../../etc/passwd")],
        "hardlink": [entry("evil-hard", kind=tarfile.LNKTYPE, link="../../../../etc/passwd")],
        "link-through-symlink": [entry("etc-link", kind=tarfile.SYMTYPE, link="/etc"),
                                 entry("h", kind=tarfile.LNKTYPE, link="etc-link/passwd")],
        "write-through-symlink": [entry("tmp-link", kind=tarfile.SYMTYPE, link="/tmp"),
                                  entry("tmp-link/wasmcri-pwned", b"x")],
        "device": [entry("dev-null", kind=tarfile.CHRTYPE, mode=0o666),
                   entry("fifo", kind=tarfile.FIFOTYPE, mode=0o644)],
        "setuid": [entry("suid-bin", b"#!", mode=0o6755)],
    }
    for name, entries in hostile.items():
        lay = new("hostile-" + name)
        built["hostile-" + name] = (lay, image(lay, [hello_layer(wasm, *entries)]))
    lay = new("corrupt-me")
    built["corrupt-me"] = (lay, image(lay, [hello_layer(wasm, entry("only-here", b"corrupt-me"))]))
    if bench:
        lay = new("big")
        rnd = [[entry("blob%d" % i, os.urandom(10 << 20))] for i in range(4)]
        built["big"] = (lay, image(lay, rnd + [hello_layer(wasm, entry("blob4", os.urandom(10 << 20)))]))
    return built


def build_artifacts(out, wasm):
    built = {}
    lay = Layout(os.path.join(out, "artifact"))
    cfg = lay.blob(json.dumps({"architecture": "wasm", "os": "wasip1",
                               "layerDigests": [sha(wasm)]}).encode(), MT_WASM_CONFIG)
    layer = lay.blob(wasm, MT_WASM)
    built["artifact"] = (lay, lay.blob(json.dumps(
        {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": [layer],
         "annotations": {"org.opencontainers.image.title": "hello.wasm"}}).encode(), MT_MANIFEST))
    lay = Layout(os.path.join(out, "component"))
    cfg = lay.blob(json.dumps({"architecture": "wasm", "os": "wasip1",
                               "rootfs": {"type": "layers", "diff_ids": []}}).encode(), MT_CONFIG)
    layer = lay.blob(wasm, MT_COMPONENT)
    built["component"] = (lay, lay.blob(json.dumps(
        {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cfg, "layers": [layer]}).encode(),
        MT_MANIFEST))
    return built


class Pusher:
    """The distribution API's monolithic upload, for what skopeo cannot copy."""

    def __init__(self, registry, creds, tls, plain):
        self.base = ("http://" if plain else "https://") + registry
        self.headers = {}
        if creds:
            self.headers["Authorization"] = "Basic " + base64.b64encode(creds.encode()).decode()
        self.ctx = None
        if tls.ca:
            self.ctx = ssl.create_default_context(cafile=tls.ca)
            if tls.client_cert:
                self.ctx.load_cert_chain(tls.client_cert, tls.client_key)

    def call(self, method, url, data=None, ctype=None):
        req = urllib.request.Request(url if url.startswith("http") else self.base + url,
                                     data=data, method=method, headers=dict(self.headers))
        if ctype:
            req.add_header("Content-Type", ctype)
        return urllib.request.urlopen(req, context=self.ctx)

    def push(self, repo, lay, top):
        for digest, data in lay.blobs.items():
            if digest == top["digest"]:
                continue
            with self.call("POST", "/v2/%s/blobs/uploads/" % repo, b"") as r:
                loc = r.headers["Location"]
            if not loc.startswith("http"):
                loc = self.base + loc
            sep = "&" if "?" in loc else "?"
            self.call("PUT", loc + sep + "digest=" + digest, data,
                      "application/octet-stream").close()
        self.call("PUT", "/v2/%s/manifests/latest" % repo, lay.blobs[top["digest"]],
                  top["mediaType"]).close()


def skopeo_push(lay, dest, creds, tls, plain):
    cmd = ["skopeo", "copy", "--all", "--preserve-digests", "-q"]
    if plain:
        cmd.append("--dest-tls-verify=false")
    if tls.ca:
        certdir = os.path.join(os.path.dirname(lay.path), ".certs")
        os.makedirs(certdir, exist_ok=True)
        shutil.copy(tls.ca, os.path.join(certdir, "ca.crt"))
        if tls.client_cert:
            shutil.copy(tls.client_cert, os.path.join(certdir, "client.cert"))
            shutil.copy(tls.client_key, os.path.join(certdir, "client.key"))
        cmd += ["--dest-cert-dir", certdir]
    if creds:
        cmd += ["--dest-creds", creds]
    subprocess.run(cmd + ["oci:%s:latest" % lay.path, "docker://" + dest], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--push", metavar="HOST:PORT")
    ap.add_argument("--creds", metavar="USER:PASS")
    ap.add_argument("--ca", metavar="CA.crt")
    ap.add_argument("--client-cert", metavar="CRT", help="TLS client certificate (with --ca)")
    ap.add_argument("--client-key", metavar="KEY")
    ap.add_argument("--plain-http", action="store_true")
    ap.add_argument("--repo-prefix", default="wasmcri-test")
    ap.add_argument("--bench", action="store_true", help="also build the ~50 MB 'big' image")
    ap.add_argument("--only", action="append", help="build/push only these images")
    a = ap.parse_args()
    wasm = wasm_module()
    built = build_all(a.outdir, wasm, a.bench)
    artifacts = build_artifacts(a.outdir, wasm)
    summary = {}
    pusher = Pusher(a.push, a.creds, a, a.plain_http) if a.push else None
    for name, (lay, top) in list(built.items()) + list(artifacts.items()):
        if a.only and name not in a.only:
            continue
        lay.finish(top)
        repo = "%s/%s" % (a.repo_prefix, name)
        summary[name] = {"repo": repo, "digest": top["digest"], "media_type": top["mediaType"],
                         "layout": lay.path}
        if pusher is None:
            continue
        if name in artifacts:
            pusher.push(repo, lay, top)
        else:
            skopeo_push(lay, "%s/%s:latest" % (a.push, repo), a.creds, a, a.plain_http)
    with open(os.path.join(a.outdir, "images.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
