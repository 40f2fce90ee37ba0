"""Registries for the image tests: Debian's docker-registry on 127.0.0.1, started with
hack/registry.sh, filled by hack/build-test-images.py.

  plain   plain HTTP, every test image (+ "big" for the kill -9 test)
  tls     TLS with a CA made at test time, htpasswd auth (USER/PASSWORD); a few images
  mirror  plain HTTP, only "compat": the mirror of a registry host that does not answer
"""
import json
import pathlib
import socket
import subprocess

TOP = pathlib.Path(__file__).resolve().parents[2]
USER, PASSWORD = "wasmcri", "s3cret-pass"
PREFIX = "wasmcri-test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    def __init__(self, base, tls=False, auth=False):
        self.dir = pathlib.Path(base)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.tls, self.auth = tls, auth
        self.ca = self.dir / "ca.crt" if tls else None
        self.images = {}

    def start(self):
        cmd = [str(TOP / "hack/registry.sh"), "start", str(self.dir), str(self.port)]
        if self.tls:
            cmd.append("--tls")
        if self.auth:
            cmd += ["--auth", "%s:%s" % (USER, PASSWORD)]
        subprocess.run(cmd, check=True, capture_output=True)
        return self

    def stop(self):
        subprocess.run([str(TOP / "hack/registry.sh"), "stop", str(self.dir)], check=False)

    def push(self, outdir, only=None, bench=False):
        cmd = ["/usr/bin/python3", str(TOP / "hack/build-test-images.py"), str(outdir),
               "--push", self.host]
        if not self.tls:
            cmd.append("--plain-http")
        if self.ca:
            cmd += ["--ca", str(self.ca)]
        if self.auth:
            cmd += ["--creds", "%s:%s" % (USER, PASSWORD)]
        if bench:
            cmd.append("--bench")
        for name in only or []:
            cmd += ["--only", name]
        subprocess.run(cmd, check=True)
        self.images.update(json.loads((pathlib.Path(outdir) / "images.json").read_text()))
        return self

    def ref(self, name, host=None):
        return "%s/%s/%s:latest" % (host or self.host, PREFIX, name)

    def blob_path(self, digest):
        hexd = digest.split(":", 1)[1]
        return (self.dir / "data/docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data")

    def manifest(self, name, digest=None):
        """A manifest (top, or by digest) from the image's OCI layout."""
        layout = pathlib.Path(self.images[name]["layout"])
        digest = digest or self.images[name]["digest"]
        return json.loads((layout / "blobs/sha256" / digest.split(":")[1]).read_bytes())


def start_all(base):
    """The three registries, filled; the caller stops them."""
    base = pathlib.Path(base)
    plain = Registry(base / "plain").start()
    tls = Registry(base / "tls", tls=True, auth=True).start()
    mirror = Registry(base / "mirror").start()
    try:
        plain.push(base / "images-plain", bench=True)
        tls.push(base / "images-tls", only=["compat", "multiarch"])
        mirror.push(base / "images-mirror", only=["compat"])
    except Exception:
        for r in (plain, tls, mirror):
            r.stop()
        raise
    return plain, tls, mirror
