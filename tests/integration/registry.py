"""Registries for the image tests: Debian's docker-registry on 127.0.0.1, started with
hack/registry.sh, filled by hack/build-test-images.py.

  plain   plain HTTP, every test image (+ "big" for the kill -9 test)
  tls     TLS with a CA made at test time, htpasswd auth (USER/PASSWORD); a few images
  mirror  plain HTTP, only "compat": the mirror of a registry host that does not answer
"""
import base64
import json
import pathlib
import socket
import subprocess
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
USER, PASSWORD = "wasmcri", "s3cret-pass"
REFRESH_TOKEN = "wasmcri-refresh-token"
PREFIX = "wasmcri-test"


def load_builder():
    """hack/build-test-images.py (the image tests' builder) as a module: its OCI layout, tar
    layers and monolithic pushes serve the tests that build their own images."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_test_images",
                                                  TOP / "hack" / "build-test-images.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    def __init__(self, base, tls=False, auth=False, mtls=False):
        self.dir = pathlib.Path(base)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.tls, self.auth, self.mtls = tls or mtls, auth, mtls
        self.ca = self.dir / "ca.crt" if self.tls else None
        self.client_cert = self.dir / "client.crt" if mtls else None
        self.client_key = self.dir / "client.key" if mtls else None
        self.images = {}

    def start(self):
        cmd = [str(TOP / "hack/registry.sh"), "start", str(self.dir), str(self.port)]
        if self.tls:
            cmd.append("--tls")
        if self.mtls:
            cmd.append("--mtls")
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
        if self.mtls:
            cmd += ["--client-cert", str(self.client_cert), "--client-key", str(self.client_key)]
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


class ChaosProxy:
    """An HTTP proxy in front of a plain registry that misbehaves on demand, to test the
    client's retries, resume, redirects and cancellation:
      fail_blobs   answer that many blob GETs with 503
      cut_blobs    cut that many blob bodies in the middle (connection closed)
      redirect_to  "host:port": answer blob GETs with a 307 to http://<it>/direct/...,
                   which the proxy serves too (without asking for credentials)
      rate         bytes per second for bodies (0: unthrottled)
      auth         require this Authorization header on /v2/ (Basic challenge otherwise)
      tag_manifest bytes served instead of the registry's manifest for a GET by tag (the
                   registry's headers, Docker-Content-Digest too, kept)
    `seen` records (Host, path, Authorization, Range) of every request."""

    def __init__(self, upstream):
        import http.server
        import socketserver
        import threading
        import urllib.error
        import urllib.request

        proxy = self
        self.upstream = upstream
        self.fail_blobs = self.cut_blobs = self.rate = 0
        self.redirect_to = self.auth = self.tag_manifest = None
        self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, code, headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                h = self.headers
                proxy.seen.append((h.get("Host"), self.path, h.get("Authorization"), h.get("Range")))
                path, blob = self.path, "/blobs/" in self.path
                if path.startswith("/direct/"):
                    path = path[len("/direct"):]
                else:
                    if proxy.auth and h.get("Authorization") != proxy.auth:
                        return self.reply(401, [("WWW-Authenticate", 'Basic realm="chaos"')])
                    if blob and proxy.fail_blobs > 0:
                        proxy.fail_blobs -= 1
                        return self.reply(503)
                    if blob and proxy.redirect_to:
                        loc = "http://%s/direct%s" % (proxy.redirect_to, path)
                        return self.reply(307, [("Location", loc)])
                fwd = {k: h[k] for k in ("Accept", "Range") if h.get(k)}
                try:
                    resp = urllib.request.urlopen(urllib.request.Request(upstream + path, headers=fwd))
                except urllib.error.HTTPError as e:
                    resp = e
                body = resp.read()
                if proxy.tag_manifest is not None and "/manifests/" in path and "@" not in path \
                        and not path.rsplit("/", 1)[1].startswith("sha256:"):
                    body = proxy.tag_manifest
                self.send_response(resp.status)
                for k in ("Content-Type", "Docker-Content-Digest", "Content-Range"):
                    if resp.headers.get(k):
                        self.send_header(k, resp.headers[k])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = blob and proxy.cut_blobs > 0 and len(body) > 1
                if cut:
                    proxy.cut_blobs -= 1
                    body = body[:len(body) // 2]
                step = 64 << 10
                for i in range(0, len(body), step):
                    self.wfile.write(body[i:i + step])
                    if proxy.rate:
                        time.sleep(step / proxy.rate)
                if cut:
                    self.wfile.flush()
                    self.close_connection = True

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.host = "127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class TokenServer:
    """A Docker token service (the Bearer flow): GET /token?service=&scope= with Basic
    USER:PASSWORD (or POST grant_type=refresh_token with REFRESH_TOKEN) grants the scope's
    actions in a JWT signed (RS256, openssl) with the
    registry's DIR/token.key; no credentials get a token with no access; wrong ones a 401.
    `seen` records (Authorization, scope) of each request."""

    def __init__(self):
        import http.server
        import socketserver
        import threading
        import urllib.parse

        ts = self
        self.seen = []
        self.key = self.cert_der = None

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def deny(self):
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def grant(self, field, scope):
                """Answers {field: token} granting the actions of scope (none if no scope)."""
                access = []
                if scope.count(":") == 2:
                    kind, name, actions = scope.split(":")
                    access = [{"type": kind, "name": name, "actions": actions.split(",")}]
                body = json.dumps({field: ts.token(access)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                scope = q.get("scope", [""])[0]
                auth = self.headers.get("Authorization")
                ts.seen.append((auth, scope))
                good = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
                if auth is None:
                    return self.grant("token", "")  # anonymous: a token without access
                if auth != good:
                    return self.deny()
                self.grant("token", scope)

            def do_POST(self):
                # OAuth2 refresh-token grant (AuthConfig.identity_token).
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                scope = form.get("scope", [""])[0]
                ts.seen.append(("refresh_token=" + form.get("refresh_token", [""])[0], scope))
                if form.get("grant_type") != ["refresh_token"] or \
                        form.get("refresh_token") != [REFRESH_TOKEN]:
                    return self.deny()
                self.grant("access_token", scope)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.realm = "http://127.0.0.1:%d/token" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def use_key(self, registry_dir):
        self.key = pathlib.Path(registry_dir) / "token.key"
        pem = (pathlib.Path(registry_dir) / "token.crt").read_text()
        self.cert_der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))

    def token(self, access):
        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        claims = {"iss": "wasmcri-test-issuer", "sub": USER, "aud": "wasmcri-test",
                  "exp": now + 600, "nbf": now - 60, "iat": now, "jti": str(now) + str(id(access)),
                  "access": access}
        signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.key), "-binary"],
                             input=signing.encode(), capture_output=True, check=True).stdout
        return signing + "." + b64(sig)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start_token_registry(base):
    """A registry that wants Bearer tokens from a TokenServer, with "compat" pushed."""
    ts = TokenServer()
    reg = Registry(pathlib.Path(base) / "token-registry")
    cmd = [str(TOP / "hack/registry.sh"), "start", str(reg.dir), str(reg.port), "--token", ts.realm]
    subprocess.run(cmd, check=True, capture_output=True)
    ts.use_key(reg.dir)
    reg.auth = True  # pushes carry USER:PASSWORD; skopeo does the token dance itself
    try:
        reg.push(pathlib.Path(base) / "images-token", only=["compat"])
    except Exception:
        reg.stop()
        ts.stop()
        raise
    return reg, ts
