"""A client of the streaming server's URLs, written from the specs (RFC 6455 for
WebSocket, Kubernetes' channel protocols), as kubectl and crictl speak them.

WebSocket (v5.channel.k8s.io / v4.channel.k8s.io): each binary message carries one
channel's bytes after its channel byte (0 stdin, 1 stdout, 2 stderr, 3 error,
4 resize); v5's [255, ch] closes channel ch.

SPDY/3.1 (draft-mbelshe-httpbis-spdy-00 with the 3.1 changes; v4.channel.k8s.io): the
client opens one stream per channel with a SYN_STREAM whose "streamtype" header names
it, waits for each SYN_REPLY, then data frames flow; FIN ends a direction. Header
blocks are zlib streams (one per direction) with the spec's dictionary.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import time
import urllib.parse
import zlib

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def _connect(url, timeout, tls=None):
    """An http:// URL's connection, or with tls (an ssl.SSLContext) an https:// one's."""
    u = urllib.parse.urlsplit(url)
    assert u.scheme == ("https" if tls else "http"), url
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as Go's net does by default
    if tls:
        sock = tls.wrap_socket(sock, server_hostname=u.hostname)
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

    def __init__(self, url, protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"), timeout=10,
                 tls=None):
        self.sock, u = _connect(url, timeout, tls)
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
            return {ch: bytes(data) for ch, data in out.items()}
        out.setdefault(m[0], bytearray()).extend(m[1])  # megabytes: no copy per message
    got = {ch: f"{len(data)} bytes ending {bytes(data[-200:])!r}" for ch, data in out.items()}
    raise TimeoutError(f"no end of stream in {timeout} s; got {got}")


def read_until(conn, want, ch=STDOUT):
    """What came on channel ch until want is in it (the session must not end first)."""
    out = b""
    while want not in out:
        m = conn.recv()
        assert m is not None, f"the session ended before {want!r}; got {out!r}"
        out += m[1] if m[0] == ch else b""
    return out


def exit_code(status_bytes):
    """The exit code a remotecommand status (metav1.Status JSON) reports."""
    st = json.loads(status_bytes)
    if st["status"] == "Success":
        return 0
    assert st["reason"] == "NonZeroExitCode", st
    causes = {c["reason"]: c["message"] for c in st["details"]["causes"]}
    return int(causes["ExitCode"])


# ---- SPDY/3.1 ----

# Section 2.6.10.1 of the SPDY/3 draft: these words, each after its 4-byte length, then
# the tail, make the header compression dictionary.
_SPDY_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base "
    "content-encoding content-language content-length content-location content-md5 "
    "content-range content-type date etag expect expires from host if-match if-modified-since "
    "if-none-match if-range if-unmodified-since last-modified location max-forwards pragma "
    "proxy-authenticate proxy-authorization range referer retry-after server te trailer "
    "transfer-encoding upgrade user-agent vary via warning www-authenticate method get status"
).split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive",
             "origin"]
_SPDY_TAIL = (
    b"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    b"203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
    b"Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 "
    b"Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, "
    b"Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    b"application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    b"gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")
SPDY_DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _SPDY_WORDS) + \
    _SPDY_TAIL
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = \
    1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 1
_CHANNEL_OF = {"stdin": STDIN, "stdout": STDOUT, "stderr": STDERR, "error": ERROR,
               "resize": RESIZE}


class Spdy:
    """A client SPDY/3.1 connection after the HTTP upgrade; frames as tuples."""

    def __init__(self, url, versions=("v4.channel.k8s.io",), timeout=10, tls=None):
        self.sock, u = _connect(url, timeout, tls)
        offers = "".join(f"X-Stream-Protocol-Version: {v}\r\n" for v in versions)
        self.sock.sendall((f"POST {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n"
                           f"Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n{offers}"
                           f"Content-Length: 0\r\n\r\n").encode())
        status, headers, rest = _read_head(self.sock)
        if status != 101:
            _fail(self.sock, status, headers, rest)
        self.version = headers["x-stream-protocol-version"][0]
        self.buf = rest
        self.deflate = zlib.compressobj(zdict=SPDY_DICTIONARY)
        self.inflate = zlib.decompressobj(zdict=SPDY_DICTIONARY)
        self.next_id = 1

    def _headers(self, pairs):
        raw = struct.pack(">I", len(pairs))
        for k, v in pairs:
            raw += struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
        return self.deflate.compress(raw) + self.deflate.flush(zlib.Z_SYNC_FLUSH)

    def control(self, ftype, payload, flags=0):
        self.sock.sendall(struct.pack(">HHI", 0x8003, ftype, flags << 24 | len(payload)) +
                          payload)

    def syn_stream(self, pairs, fin=False):
        sid = self.next_id
        self.next_id += 2
        self.control(SYN_STREAM, struct.pack(">IIH", sid, 0, 0) + self._headers(pairs),
                     FLAG_FIN if fin else 0)
        return sid

    def data(self, sid, payload, fin=False):
        self.sock.sendall(struct.pack(">II", sid, (FLAG_FIN if fin else 0) << 24 | len(payload)) +
                          payload)

    def _take(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed mid-frame")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        """("data", sid, bytes, fin) | ("syn_reply", sid, headers) | ("rst", sid, status) |
        ("ping", id) | ("goaway", last, status) | ("control", type); None at EOF."""
        try:
            head = self._take(8)
        except ConnectionError:
            return None
        word, flags_len = struct.unpack(">II", head)
        flags, n = flags_len >> 24, flags_len & 0xFFFFFF
        payload = self._take(n)
        if not word & 0x80000000:
            return ("data", word, payload, bool(flags & FLAG_FIN))
        assert word >> 16 == 0x8003, hex(word)
        ftype = word & 0xFFFF
        if ftype == SYN_REPLY:
            raw = self.inflate.decompress(payload[4:])
            return ("syn_reply", struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF,
                    struct.unpack(">I", raw[:4])[0])
        if ftype == RST_STREAM:
            return ("rst",) + struct.unpack(">II", payload)
        if ftype == PING:
            return ("ping", struct.unpack(">I", payload)[0])
        if ftype == GOAWAY:
            return ("goaway",) + struct.unpack(">II", payload)
        return ("control", ftype)


class SpdyChannels:
    """Remotecommand over SPDY as client-go's v4 executor opens it: one stream per channel
    (error first), each waited for; the same send/recv API as WebSocket."""

    def __init__(self, url, stdin=False, stdout=True, stderr=True, tty=False, timeout=10,
                 tls=None):
        self.conn = Spdy(url, timeout=timeout, tls=tls)
        self.sock = self.conn.sock
        names = ["error"] + ["stdin"] * stdin + ["stdout"] * stdout + \
            ["stderr"] * (stderr and not tty) + ["resize"] * tty
        self.ids = {}
        for name in names:
            self.ids[_CHANNEL_OF[name]] = self.conn.syn_stream([("streamtype", name)])
        self.channel = {sid: ch for ch, sid in self.ids.items()}
        waiting = set(self.ids.values())
        self.early = []
        while waiting:
            f = self.conn.frame()
            assert f is not None, "the server closed before answering every stream"
            if f[0] == "syn_reply":
                waiting.discard(f[1])
            else:
                self.early.append(f)
        self.closed = False

    def send(self, ch, data):
        self.conn.data(self.ids[ch], data)

    def close_channel(self, ch):
        self.conn.data(self.ids[ch], b"", fin=True)

    def resize(self, width, height):
        self.send(RESIZE, json.dumps({"Width": width, "Height": height}).encode())

    def recv(self):
        while not self.closed:
            f = self.early.pop(0) if self.early else self.conn.frame()
            if f is None or f[0] == "goaway":
                self.closed = True
                return None
            if f[0] == "data" and f[2]:
                return self.channel[f[1]], f[2]

    def close(self):
        self.sock.close()


class SpdyPortForward:
    """Port forward over SPDY as kubectl opens it: per connection an error and a data stream
    sharing a requestid, the error stream closed by the client at once."""

    def __init__(self, url, timeout=10):
        self.conn = Spdy(url, versions=("portforward.k8s.io",), timeout=timeout)
        self.sock = self.conn.sock
        self.next_request = 0

    def forward(self, port, payload):
        """Sends payload to the pod's port, then closes the sending side: (the bytes the pod
        answered until it closed, what the error stream said)."""
        rid = str(self.next_request)
        self.next_request += 1
        head = [("port", str(port)), ("requestid", rid)]
        err = self.conn.syn_stream([("streamtype", "error")] + head, fin=True)
        data = self.conn.syn_stream([("streamtype", "data")] + head)
        got = {data: b"", err: b""}
        open_ = {data, err}
        replied = set()
        sent = False
        while open_:
            if replied >= {data, err} and not sent:
                self.conn.data(data, payload, fin=True)
                sent = True
            f = self.conn.frame()
            if f is None or f[0] == "goaway":
                raise ConnectionError(f"the server went away; got {got}")
            if f[0] == "syn_reply":
                replied.add(f[1])
            elif f[0] == "data" and f[1] in got:
                got[f[1]] += f[2]
                if f[3]:
                    open_.discard(f[1])
            elif f[0] == "rst":
                open_.discard(f[1])
        return got[data], got[err].decode()

    def close(self):
        self.sock.close()
