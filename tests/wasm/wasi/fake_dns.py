#!/usr/bin/env python3
"""A DNS server on 127.0.0.1:53 inside a network namespace of its own, for sock_getaddrinfo's
tests: `unshare --net -- fake_dns.py -- COMMAND...` brings lo up, answers from ZONE in a thread,
runs COMMAND, relays its output and exit code, and prints the names it was asked to stderr.

Besides plain answers it misbehaves on purpose: slow.test is never answered, garbled.test gets a
reply whose answer section runs past the datagram, spoof.test first gets a reply with the wrong id
(which must be ignored) and then the right one.
"""
import socket
import struct
import subprocess
import sys
import threading

ZONE = {
    ('api.test', 1): ['10.9.8.7'],
    ('api.test', 28): ['fd00::7'],
    ('web.cluster.local', 1): ['10.0.0.5'],
    ('loopback.test', 1): ['127.0.0.1'],
    ('loopback.test', 28): [],
    ('v4only.test', 1): ['10.4.4.4'],
    ('v4only.test', 28): [],
    ('spoof.test', 1): ['10.6.6.6'],
    ('spoof.test', 28): [],
}


def parse_question(q):
    labels, i = [], 12
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qtype = struct.unpack('>H', q[i + 1:i + 3])[0]
    return '.'.join(labels).lower(), qtype, q[12:i + 5]


def reply(q, rcode, answers, qtype, ident=None):
    ident = struct.unpack('>H', q[:2])[0] if ident is None else ident
    question = parse_question(q)[2]
    out = struct.pack('>HHHHHH', ident, 0x8180 | rcode, 1, len(answers), 0, 0) + question
    for a in answers:
        rdata = socket.inet_pton(socket.AF_INET if qtype == 1 else socket.AF_INET6, a)
        out += struct.pack('>HHHIH', 0xC00C, qtype, 1, 60, len(rdata)) + rdata
    return out


def serve(sock, asked):
    while True:
        q, peer = sock.recvfrom(512)
        name, qtype, _ = parse_question(q)
        asked.append('%s/%d' % (name, qtype))
        if name == 'slow.test':
            continue
        if name == 'garbled.test':
            sock.sendto(struct.pack('>HHHHHH', struct.unpack('>H', q[:2])[0], 0x8180, 1, 1, 0, 0)
                        + parse_question(q)[2] + b'\xc0\x0c\x00\x01', peer)
            continue
        if name == 'spoof.test' and qtype == 1:
            wrong = (struct.unpack('>H', q[:2])[0] + 1) & 0xFFFF
            sock.sendto(reply(q, 0, ['6.6.6.6'], qtype, ident=wrong), peer)
        answers = ZONE.get((name, qtype))
        sock.sendto(reply(q, 3 if answers is None else 0, answers or [], qtype), peer)


def main():
    cmd = sys.argv[sys.argv.index('--') + 1:]
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 53))
    asked = []
    threading.Thread(target=serve, args=(sock, asked), daemon=True).start()
    res = subprocess.run(cmd, capture_output=True, timeout=60)
    sys.stdout.buffer.write(res.stdout)
    sys.stderr.buffer.write(res.stderr)
    sys.stderr.write('asked: %s\n' % ' '.join(asked))
    sys.exit(res.returncode)


if __name__ == '__main__':
    main()
