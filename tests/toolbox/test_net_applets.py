"""wget and nc (the runtime's guest sockets, here the host's network under `wasmcri run`) and
kill's messages, against busybox's on the same command lines (difftest.py): an HTTP server and
a TCP echo server of the test on 127.0.0.1 (ports the kernel picks), and a port nothing listens
on. Outputs compare byte for byte; what wget says on stderr without -q differs (busybox draws a
progress bar) and is not compared."""
import http.server
import socket
import threading

import pytest

from difftest import differ, run_toolbox


@pytest.fixture(scope="module")
def http_port():
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            routes = {"/": (200, b"hello\n"), "/big": (200, b"x" * 200000),
                      "/moved": (302, b""), "/chunked": (200, None)}
            code, body = routes.get(self.path, (404, b"nope\n"))
            self.send_response(code)
            if self.path == "/moved":
                self.send_header("Location", "/")
            if body is None:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in (b"chunk", b"ed body\n"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()


@pytest.fixture(scope="module")
def echo_port():
    """Answers each connection with "echo: " and all it received, once the client half-closes."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)

    def serve():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            with c:
                c.settimeout(10)
                data = b""
                while chunk := c.recv(4096):
                    data += chunk
                c.sendall(b"echo: " + data)

    threading.Thread(target=serve, daemon=True).start()
    yield ls.getsockname()[1]
    ls.close()


@pytest.fixture(scope="module")
def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


@pytest.mark.parametrize("path", ["/", "/big", "/moved", "/chunked", "/nope"])
def test_wget_quiet_to_stdout(tmp_path, http_port, path):
    differ(tmp_path, {}, ["wget", "-q", "-O-", f"http://127.0.0.1:{http_port}{path}"])


def test_wget_saves_to_a_file_named_after_the_url(tmp_path, http_port):
    differ(tmp_path, {}, ["sh", "-c", f"wget -q http://127.0.0.1:{http_port}/big && wc -c big; "
                                      f"wget -q -O out http://localhost:{http_port}/; cat out"])


@pytest.mark.parametrize("path", ["/", "/nope"])
def test_wget_spider(tmp_path, http_port, path):
    differ(tmp_path, {}, ["wget", "-q", "--spider", f"http://127.0.0.1:{http_port}{path}"])


def test_wget_refused_and_bad_urls(tmp_path, closed_port):
    differ(tmp_path, {}, ["wget", "-q", "-O-", f"http://127.0.0.1:{closed_port}/"])
    differ(tmp_path, {}, ["wget", "-q", "-O-", "gopher://127.0.0.1/"])


def test_wget_https_says_there_is_no_tls(tmp_path):
    r = run_toolbox(str(tmp_path), ["wget", "-q", "-O-", "https://127.0.0.1:1/"])
    assert (r.returncode, r.stdout) == (1, b"")
    assert r.stderr == b"wget: https is not supported (the toolbox has no TLS): " \
                       b"https://127.0.0.1:1/\n"


def test_nc_client_both_ways(tmp_path, echo_port):
    differ(tmp_path, {}, ["nc", "127.0.0.1", str(echo_port)], stdin=b"ping\npong\n")
    differ(tmp_path, {}, ["sh", "-c", f"echo from-sh | nc 127.0.0.1 {echo_port}"])


def test_nc_refused(tmp_path, closed_port):
    differ(tmp_path, {}, ["nc", "127.0.0.1", str(closed_port)])


def test_nc_z_checks_a_port(tmp_path, echo_port, closed_port):
    """busybox's nc has no -z: the toolbox's exits 0 for an open port, 1 for a closed one,
    silently, as netcat-openbsd's does."""
    assert run_toolbox(str(tmp_path), ["nc", "-z", "127.0.0.1", str(echo_port)]).returncode == 0
    r = run_toolbox(str(tmp_path), ["nc", "-z", "-w", "2", "127.0.0.1", str(closed_port)])
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"")


@pytest.mark.parametrize("peer_addr", ["127.0.0.1", "::1"])
def test_nc_listens_for_one_connection(tmp_path, peer_addr):
    """nc -l -p PORT: what the peer sends comes out; its own stdin goes to the peer. It listens
    on every address, IPv6 and IPv4, as busybox's does (a peer on ::1 was refused: IPv4 only)."""
    family = socket.AF_INET6 if ":" in peer_addr else socket.AF_INET
    s = socket.socket(family)
    s.bind((peer_addr, 0))
    port = s.getsockname()[1]
    s.close()
    got = {}

    def peer():
        for _ in range(200):
            try:
                c = socket.create_connection((peer_addr, port), timeout=10)
                break
            except ConnectionRefusedError:
                threading.Event().wait(0.05)
        with c:
            c.sendall(b"to the listener\n")
            c.shutdown(socket.SHUT_WR)
            got["reply"] = c.recv(4096)

    t = threading.Thread(target=peer)
    t.start()
    r = run_toolbox(str(tmp_path), ["nc", "-l", "-p", str(port)], stdin=b"to the peer\n",
                    timeout=30)
    t.join(10)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"to the listener\n", b"")
    assert got["reply"] == b"to the peer\n"


@pytest.mark.parametrize("args", [["-l", "15", "TERM", "9"], ["-s", "NOPE", "1"], ["-NOPE", "1"],
                                  [], ["12a"], ["-9"], ["-l", "0", "29", "32", "POLL", "IO"],
                                  ["-l", "-5"]])
def test_kill_messages(tmp_path, args):
    differ(tmp_path, {}, ["kill"] + args)


def test_kill_l_names_29_POLL_as_busybox(tmp_path):
    """The whole list as busybox's, 29 included (POLL: the shared signal table says IO)."""
    t = differ(tmp_path, {}, ["kill", "-l"])[0]
    assert b"29) POLL\n" in t.stdout and t.returncode == 0
