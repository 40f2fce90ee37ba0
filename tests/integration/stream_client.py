"""A client of the streaming server's URLs, written from the specs (RFC 6455 for
WebSocket, Kubernetes' channel protocols), as kubectl and crictl speak them.

WebSocket (v5.channel.k8s.io / v4.channel.k8s.io): each binary message carries one
channel's bytes after its channel byte (0 stdin, 1 stdout, 2 stderr, 3 error,
4 resize); v5's [255, ch] closes channel ch.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import time
import urllib.parse

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def _connect(url, timeout):
    u = urllib.parse.urlsplit(url)
    assert u.scheme == "http", url
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    return sock, u


def _read_head(sock):
    """The response head (status, headers dict lower-cased, body start bytes)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"connection closed during the handshake: {buf!r}")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return status, headers, rest


def _fail(sock, status, headers, rest):
    n = int(headers.get("content-length", ["0"])[0])
    while len(rest) < n:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    sock.close()
    raise HandshakeError(status, rest.decode("utf-8", "replace").strip())


class WebSocket:
    """A client WebSocket with Kubernetes channels."""

    def __init__(self, url, protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"), timeout=10):
        self.sock, u = _connect(url, timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: {', '.join(protocols)}\r\n\r\n")
        self.sock.sendall(req.encode())
        status, headers, rest = _read_head(self.sock)
        if status != 101:
            _fail(self.sock, status, headers, rest)
        want = base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()
        assert headers["sec-websocket-accept"] == [want], headers
        self.protocol = headers["sec-websocket-protocol"][0]
        self.buf = rest
        self.closed = False

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, ch, data):
        self._frame(2, bytes([ch]) + data)

    def close_channel(self, ch):
        """v5: the client sends no more on ch."""
        self._frame(2, bytes([255, ch]))

    def resize(self, width, height):
        self.send(RESIZE, json.dumps({"Width": width, "Height": height}).encode())

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed mid-frame")
            self.buf += chunk

    def _take(self, n):
        self._need(n)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """The next (channel, bytes) message; None once the server closed."""
        msg = b""
        while True:
            if self.closed:
                return None
            try:
                b0, b1 = self._take(2)
            except ConnectionError:
                self.closed = True
                return None
            assert not b1 & 0x80, "a server frame must not be masked"
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            payload = self._take(n)
            op = b0 & 0x0F
            if op == 8:
                self.closed = True
                try:
                    self._frame(8, payload[:2])
                except OSError:
                    pass
                return None
            if op == 9:
                self._frame(10, payload)
                continue
            if op == 10:
                continue
            msg += payload
            if b0 & 0x80:
                return msg[0], msg[1:]

    def close(self):
        self.sock.close()


def collect(conn, timeout=20):
    """Reads until the server closes: {channel: bytes}."""
    out = {}
    deadline = time.monotonic() + timeout
    conn.sock.settimeout(timeout)
    while time.monotonic() < deadline:
        m = conn.recv()
        if m is None:
            return out
        out[m[0]] = out.get(m[0], b"") + m[1]
    raise TimeoutError(f"no end of stream in {timeout} s; got {out}")


def exit_code(status_bytes):
    """The exit code a remotecommand status (metav1.Status JSON) reports."""
    st = json.loads(status_bytes)
    if st["status"] == "Success":
        return 0
    assert st["reason"] == "NonZeroExitCode", st
    causes = {c["reason"]: c["message"] for c in st["details"]["causes"]}
    return int(causes["ExitCode"])
