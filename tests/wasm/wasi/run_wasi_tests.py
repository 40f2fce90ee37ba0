#!/usr/bin/env python3
"""Runs one WASI test case (ctest calls it once per case).

Each case runs a program from tests/wasm/wasi/ under wasmcri's WASI (the wasi_run harness, or
`wasmcri run`) and checks its stdout, stderr, exit code and the files it leaves behind against
expected/<name>.txt. Where node:wasi defines the same behaviour, the program also runs under
Node.js and the outputs must match, except lines listed in the case's NODE_DIFFERS table with the
reason. Container logs are checked line by line with kubelet's rules (parse_cri_log).
"""
import argparse
import difflib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CRI_MAX_LINE = 16 * 1024


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(cmd, cwd=None, timeout=60):
    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def text(b):
    return b.decode('utf-8', 'replace')


def expect_golden(opts, name, actual):
    path = os.path.join(opts.expected_dir, name + '.txt')
    with open(path, encoding='utf-8') as f:
        want = f.read()
    if want != actual:
        diff = difflib.unified_diff(want.splitlines(), actual.splitlines(), 'expected/' + name + '.txt', 'actual',
                                    lineterm='')
        raise Fail('output differs from %s:\n%s' % (path, '\n'.join(diff)))


def wasm(opts, name):
    return os.path.join(opts.wasm_dir, name + '.wasm')


def ours(opts, args):
    return run([opts.runner] + args)


def node(opts, args):
    if not opts.node:
        return None
    return run([opts.node, '--no-warnings', os.path.join(HERE, 'node_wasi.mjs')] + args)


def differential(opts, name, our_out, node_res, differs=()):
    """Compares our stdout with node's, line by line, skipping lines that start with a prefix in
    differs (documented behaviour differences). Prints what was compared."""
    if node_res is None:
        if os.environ.get('CI') == 'true':
            raise Fail('%s: node not found: in CI (CI=true) the differential check must run' % name)
        print('%s: node not found, differential check skipped' % name)
        return
    mine = [l for l in our_out.splitlines() if not l.startswith(tuple(p for p, _ in differs))]
    theirs = [l for l in text(node_res.stdout).splitlines() if not l.startswith(tuple(p for p, _ in differs))]
    if mine != theirs:
        diff = difflib.unified_diff(theirs, mine, 'node:wasi', 'wasmcri', lineterm='')
        raise Fail('%s: wasmcri and node:wasi differ:\n%s' % (name, '\n'.join(diff)))
    print('%s: %d lines identical to node:wasi, %d known differences skipped' %
          (name, len(mine), len(our_out.splitlines()) - len(mine)))
    for prefix, why in differs:
        print('   differs by design: %r: %s' % (prefix, why))


def tree(root):
    """Every path under root with its type, size, mode, mtime and content hash."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            h = ''
            if os.path.islink(p):
                h = os.readlink(p)
            elif os.path.isfile(p):
                with open(p, 'rb') as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns, h)
    return out


# ---- CRI log parsing, kubelet's rules (pkg/kubelet/kuberuntime/logs/logs.go parseCRILog) ----

TS_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$')


def parse_cri_log(data):
    """Returns [(stream, message, records)] with P records joined to their F, or raises Fail."""
    check(data.endswith(b'\n'), 'log does not end with a newline')
    msgs, open_ = [], {}
    for no, line in enumerate(data[:-1].split(b'\n'), 1):
        parts = line.split(b' ', 3)
        check(len(parts) == 4, 'line %d: fewer than 4 fields' % no)
        ts, stream, tag, content = parts
        check(TS_RE.match(text(ts)) is not None, 'line %d: timestamp %r is not RFC3339Nano' % (no, ts))
        check(stream in (b'stdout', b'stderr'), 'line %d: stream %r' % (no, stream))
        tags = tag.split(b':')
        check(tags[0] in (b'P', b'F'), 'line %d: tag %r' % (no, tag))
        if tags[0] == b'P':
            check(len(content) == CRI_MAX_LINE, 'line %d: P record of %d bytes' % (no, len(content)))
        if stream not in open_:
            open_[stream] = len(msgs)
            msgs.append([text(stream), b'', 0])
        m = msgs[open_[stream]]
        m[1] += content
        m[2] += 1
        if tags[0] == b'F':
            del open_[stream]
    check(not open_, 'log ends inside a P sequence')
    return [(s, text(c), n) for s, c, n in msgs]


# ---- cases ----------------------------------------------------------------------------------

def case_fs(opts, tmp, via_wasmcri_run=False):
    data = os.path.join(tmp, 'ours')
    os.mkdir(data)
    args = ['--dir', data + ':/data', wasm(opts, 'fs'), '/data']
    res = run([opts.wasmcri, 'run'] + args) if via_wasmcri_run else ours(opts, args)
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    expect_golden(opts, 'fs', text(res.stdout))
    left = tree(data)
    check(sorted(left) == ['kept', 'kept/result.txt'], 'files left behind: %s' % sorted(left))
    with open(os.path.join(data, 'kept/result.txt')) as f:
        check(f.read() == 'written by fs.wasm\n', 'kept/result.txt content')
    if via_wasmcri_run:
        return
    ref = os.path.join(tmp, 'node')
    os.mkdir(ref)
    nres = node(opts, ['--dir', ref + ':/data', wasm(opts, 'fs'), '/data'])
    differential(opts, 'fs', text(res.stdout), nres)
    if nres is not None:
        check(sorted(tree(ref)) == sorted(left), 'node left different files: %s' % sorted(tree(ref)))


def case_fs_wasmcri_run(opts, tmp):
    case_fs(opts, tmp, via_wasmcri_run=True)


def case_args_env(opts, tmp):
    args = ['--env', 'A=1', '--env', 'GREETING=hello world', '--env', 'EMPTY=',
            wasm(opts, 'args_env'), 'x', 'y z', '', 'exit=5']
    res = ours(opts, args)
    check(res.returncode == 5, 'exit code %d (want 5)' % res.returncode)
    expect_golden(opts, 'args_env', text(res.stdout))
    nres = node(opts, args)
    differential(opts, 'args_env', text(res.stdout), nres)
    check(nres is None or nres.returncode == 5, 'node exit code %s' % (nres and nres.returncode))


def escape_fixture(root):
    os.makedirs(os.path.join(root, 'data/sub'))
    os.makedirs(os.path.join(root, 'ro'))
    os.makedirs(os.path.join(root, 'outside'))
    for rel, content in (('outside/secret', 'SECRET\n'), ('data/hello.txt', 'hello\n'), ('ro/config', 'ro-config')):
        with open(os.path.join(root, rel), 'w') as f:
            f.write(content)
    os.symlink(os.path.join(root, 'outside/secret'), os.path.join(root, 'data/abs'))
    os.symlink('../outside/secret', os.path.join(root, 'data/rel'))


def case_escape(opts, tmp):
    root = os.path.join(tmp, 'ours')
    escape_fixture(root)
    before = tree(root)
    res = ours(opts, ['--dir', root + '/data:/data', '--dir', root + '/ro:/ro:ro', wasm(opts, 'escape')])
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    out = text(res.stdout)
    check('LEAK' not in out, 'a file outside the mount was read:\n' + out)
    expect_golden(opts, 'escape', out)
    after = tree(root)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    check(not changed, 'escape attempts changed files: %s' % changed)
    print('escape: %d attempts refused, no file inside or outside the mounts changed' % out.count(': E'))
    ref = os.path.join(tmp, 'node')
    escape_fixture(ref)
    nres = node(opts, ['--dir', ref + '/data:/data', '--dir', ref + '/ro:/ro', wasm(opts, 'escape')])
    ro_lines = ('rename ro to rw', 'write ro file', 'append ro file', 'create in ro', 'truncate ro', 'mkdir in ro',
                'unlink in ro', 'hard link ro into rw', 'read ro')
    differs = [(p, 'node:wasi has no read-only preopens') for p in ro_lines] + [
        ('symlink in dir path', 'node resolves the absolute symlink and reports ENOTDIR; the kernel refuses it first'),
        ('symlink absolute target', 'node: EPERM, wasmcri: ENOTCAPABLE (a link that can only point outside)'),
    ]
    differential(opts, 'escape', out, nres, differs)


def case_direct(opts, tmp):
    data = os.path.join(tmp, 'ours')
    os.mkdir(data)
    res = ours(opts, ['--dir', data + ':/data', wasm(opts, 'direct')])
    check(res.returncode == 3, 'exit code %d (want 3 from proc_exit), stderr: %s' % (res.returncode, text(res.stderr)))
    expect_golden(opts, 'direct', text(res.stdout))
    check(os.listdir(data) == [], 'files left behind: %s' % os.listdir(data))
    ref = os.path.join(tmp, 'node')
    os.mkdir(ref)
    differs = [
        ('unstable', 'the reference aliases wasi_unstable to preview1, so legacy layouts cannot match'),
        ('read "', 'reads at the position the wasi_unstable fd_seek set'),
        ('fd_prestat_get stdin', 'not a preopen: node EINVAL, wasmcri EBADF (what wasi-libc scans for)'),
        ('filetype=4 flags=', 'node reports DSYNC on a plain file'),
        ('flags now=', 'node does not report the APPEND flag set by fd_fdstat_set_flags'),
        ('fd_write bad pointer', 'node EOVERFLOW, wasmcri EFAULT'),
        ('path_readlink short buffer', 'node ENOBUFS, wasmcri truncates like readlink(2)'),
        ('readlink used=', 'follows from the line above'),
        ('readdir found', 'node returns fewer entries than fit, so it needs no second call'),
        ('poll_oneoff stdout writable', 'node cannot poll stdio fds'),
        ('fd events=', 'follows from the line above'),
        ('proc_raise bad signal', 'node ENOSYS, wasmcri EINVAL'),
    ]
    differential(opts, 'direct', text(res.stdout), node(opts, ['--dir', ref + ':/data', wasm(opts, 'direct')]),
                 differs)


def case_clock_poll(opts, tmp):
    res = ours(opts, [wasm(opts, 'clock_poll')])
    check(res.returncode == 0, 'exit code %d' % res.returncode)
    expect_golden(opts, 'clock_poll', text(res.stdout))
    differs = [('poll stdin', 'node cannot poll stdio fds'), ('poll stdout', 'node cannot poll stdio fds'),
               ('nanosleep 20ms', 'node sometimes wakes early (uvwasi rounds the timeout down to whole ms)'),
               ('poll 15ms', 'same as nanosleep')]
    differential(opts, 'clock_poll', text(res.stdout), node(opts, [wasm(opts, 'clock_poll')]), differs)


def stdio_messages():
    big = ''.join(chr(ord('a') + i % 26) for i in range(40000))
    return [('stdout', 'first line'), ('stderr', 'error line'), ('stdout', ''), ('stdout', 'split across writes'),
            ('stdout', big), ('stdout', 'stdout in between'), ('stderr', 'stderr before stderr after'),
            ('stdout', 'no newline at exit')]


def case_stdio_inherit(opts, tmp):
    res = ours(opts, [wasm(opts, 'stdio')])
    check(res.returncode == 0, 'exit code %d' % res.returncode)
    want_out = ''.join(m + '\n' for s, m in stdio_messages() if s == 'stdout')[:-1]
    check(text(res.stdout) == want_out, 'stdout differs')
    check(text(res.stderr) == 'error line\nstderr before stderr after\n', 'stderr: %r' % text(res.stderr))
    nres = node(opts, [wasm(opts, 'stdio')])
    if nres is not None:
        check(nres.stdout == res.stdout and nres.stderr == res.stderr, 'node:wasi output differs')
        print('stdio: stdout and stderr identical to node:wasi')


def case_stdio_cri_log(opts, tmp):
    log = os.path.join(tmp, 'container.log')
    res = ours(opts, ['--log', log, wasm(opts, 'stdio')])
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    check(res.stdout == b'' and res.stderr == b'', 'output leaked past the log')
    with open(log, 'rb') as f:
        msgs = parse_cri_log(f.read())
    got = [(s, m) for s, m, _ in msgs]
    check(got == stdio_messages(), 'log messages differ: %r' % [(s, m[:40]) for s, m in got])
    records = [n for _, _, n in msgs]
    check(records == [1, 1, 1, 1, 3, 1, 1, 1], 'records per message: %s' % records)
    print('cri log: %d messages in %d records, every line valid by kubelet rules' % (len(msgs), sum(records)))


def case_sockets(opts, tmp):
    data = os.path.join(tmp, 'data')
    os.mkdir(data)
    with open(os.path.join(data, 'greeting.txt'), 'w') as f:
        f.write('hello from the mount\n')
    res = ours(opts, ['--listen', '--dir', data + ':/data', wasm(opts, 'sockets')])
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    expect_golden(opts, 'sockets', text(res.stdout))
    check('client got: HELLO WASI\n' in text(res.stderr), 'client answer: %s' % text(res.stderr))


def case_sock_ext(opts, tmp):
    """The WasmEdge socket extension on loopback, through `wasmcri run`: every import, both
    generations, IPv4 TCP and IPv6 UDP, non-blocking calls, poll_oneoff, and bad input."""
    res = run([opts.wasmcri, 'run', wasm(opts, 'sock_ext')])
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    expect_golden(opts, 'sock_ext', text(res.stdout))


def case_sock_lookup(opts, tmp):
    """sock_getaddrinfo as a pod resolves: /etc/hosts of the guest's view, then DNS through its
    resolv.conf (search list, both families) against a real DNS server on 127.0.0.1:53 in a
    network namespace of the test's own; a server that never answers costs no more than
    resolv.conf's timeout; a garbled or spoofed answer is not believed."""
    check(os.geteuid() == 0, 'needs root (a network namespace with a DNS server on port 53)')
    etc = os.path.join(tmp, 'etc')
    os.mkdir(etc)
    with open(os.path.join(etc, 'hosts'), 'w') as f:
        f.write('# the pod\'s hosts file\n10.1.2.3   db.test db\nfd00::3 db.test\n10.5.5.5 v4host.test\n')
    with open(os.path.join(etc, 'resolv.conf'), 'w') as f:
        f.write('nameserver 127.0.0.1\nsearch cluster.local\noptions timeout:1 attempts:1\n')
    names = ['api.test', '443', 'web', '80', 'DB', '5432', 'v4only.test', '1', 'slow.test', '1',
             'garbled.test', '1', 'spoof.test', '1', 'missing.test', '1']
    started = time.monotonic()
    res = run(['unshare', '--net', '--', sys.executable, os.path.join(HERE, 'fake_dns.py'), '--',
               opts.wasmcri, 'run', '--dir', etc + ':/etc', wasm(opts, 'sock_ext'), 'lookup'] + names)
    took = time.monotonic() - started
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    expect_golden(opts, 'sock_lookup', text(res.stdout))
    asked = text(res.stderr)
    check('web.cluster.local/1' in asked and 'db.test' not in asked,
          'search list used, hosts names never asked: %s' % asked)
    check(took < 5, 'the lookups took %.1f s (slow.test must give up after 1 s)' % took)
    print('lookups in %.1f s; %s' % (took, asked.strip()))


def case_sock_lookup_fifo(opts, tmp):
    """A guest whose /etc/hosts is a FIFO (an image can carry one) does not hang
    sock_getaddrinfo: the file is passed over and DNS answers (here: nobody, at once)."""
    etc = os.path.join(tmp, 'etc')
    os.mkdir(etc)
    os.mkfifo(os.path.join(etc, 'hosts'))
    with open(os.path.join(etc, 'resolv.conf'), 'w') as f:
        f.write('nameserver 127.0.0.1\noptions timeout:1 attempts:1\n')
    res = run(['unshare', '--net', '--', opts.wasmcri, 'run', '--dir', etc + ':/etc',
               wasm(opts, 'sock_ext'), 'lookup', 'db.test', '1'], timeout=20)
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    first = text(res.stdout).splitlines()[0]
    check(first == 'getaddrinfo db.test 1: EAI_FAIL, 0 answer(s)', 'first line: %r' % first)
    print(first)


def case_exit_trap(opts, tmp):
    for args, code, err in (([], 0, ''), (['exit', '7'], 7, ''), (['trap'], 134, 'trap: unreachable\n'),
                            (['raise'], 143, '')):
        res = ours(opts, [wasm(opts, 'exit_trap')] + args)
        check(res.returncode == code, '%s: exit code %d (want %d)' % (args, res.returncode, code))
        check(text(res.stderr) == err, '%s: stderr %r' % (args, text(res.stderr)))
        check(text(res.stdout).startswith('started\n'), '%s: stdout %r' % (args, text(res.stdout)))


def leb(data, i):
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def wasm_imports(path):
    """(module, name) of every function import of a wasm binary."""
    with open(path, 'rb') as f:
        data = f.read()
    check(data[:8] == b'\0asm\x01\0\0\0', '%s: not a wasm module' % path)
    i, out = 8, []
    while i < len(data):
        sec, i = data[i], i + 1
        size, i = leb(data, i)
        if sec == 2:
            j = i
            count, j = leb(data, j)
            for _ in range(count):
                names = []
                for _ in range(2):
                    n, j = leb(data, j)
                    names.append(data[j:j + n].decode())
                    j += n
                kind, j = data[j], j + 1
                if kind != 0:
                    break  # only functions are expected from wasi-libc programs
                _, j = leb(data, j)
                out.append(tuple(names))
        i += size
    return out


def case_log_rotation(opts, tmp):
    """Lines written while kubelet rotates the log (rename + ReopenContainerLog) are all there, in
    order, whole, across the rotated files."""
    log = os.path.join(tmp, 'container.log')
    n = 3000
    res = ours(opts, ['--log', log, '--rotate', '1', wasm(opts, 'log_flood'), str(n)])
    check(res.returncode == 0, 'exit code %d, stderr: %s' % (res.returncode, text(res.stderr)))
    m = re.search(r'rotations: (\d+)', text(res.stderr))
    check(m is not None, 'no rotation count: %s' % text(res.stderr))
    rotations = int(m.group(1))
    data = b''
    for k in range(rotations):
        with open('%s.%d' % (log, k), 'rb') as f:
            data += f.read()
    with open(log, 'rb') as f:
        data += f.read()
    msgs = parse_cri_log(data)
    for stream, prefix in (('stdout', 'out'), ('stderr', 'err')):
        got = [msg for s, msg, _ in msgs if s == stream]
        want = ['%s %06d%s' % (prefix, i, '' if i % 97 else ' ' + 'x' * 20000) for i in range(n)]
        check(got == want, '%s: %d messages, first difference at %s' % (
            stream, len(got), next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))))
    check(rotations >= 3, 'only %d rotations happened' % rotations)
    print('log rotation: %d messages over %d rotations, none lost, cut or reordered' % (len(msgs), rotations))


def case_coverage(opts, tmp):
    """Every wasi_snapshot_preview1 function is imported by at least one test program."""
    with open(os.path.join(HERE, '../../../wasm/wasi/wasi_calls.h')) as f:
        header = f.read()
    ext_at = header.index('#define WASI_SOCKET_EXT_CALLS')
    calls = set(re.findall(r'^\s*X\((\w+),', header[:ext_at], re.M))
    check(len(calls) == 46, 'wasi_calls.h lists %d preview1 functions' % len(calls))
    ext = set(re.findall(r'^\s*X\((\w+),', header[ext_at:header.index('#define', ext_at + 1)], re.M))
    check(len(ext) == 23, 'wasi_calls.h lists %d socket extension names' % len(ext))
    calls |= ext
    used = set()
    for name in os.listdir(opts.wasm_dir):
        if name.endswith('.wasm'):
            used |= set(wasm_imports(os.path.join(opts.wasm_dir, name)))
    missing = sorted(c for c in calls if ('wasi_snapshot_preview1', c) not in used)
    check(not missing, 'no test program imports: %s' % missing)
    unstable = sorted(n for m, n in used if m == 'wasi_unstable')
    print('coverage: all %d preview1 and socket extension functions imported; wasi_unstable: %s' % (
        len(calls), ', '.join(unstable)))


def case_abi(opts, tmp):
    """wasm/wasi/wasi_abi.h says the same numbers as wasi-libc's <wasi/api.h>: every errno, right,
    filetype, flag, clock, whence and event type."""
    api_path = '/usr/include/wasm32-wasi/wasi/api.h'
    with open(api_path) as f:
        api = f.read()
    theirs = {}
    for name, val in re.findall(r'#define __WASI_(\w+) \(UINT\d+_C\((\d+)\)\)', api):
        theirs[name] = int(val)
    for name, bit in re.findall(r'#define __WASI_(\w+) \(\(__wasi_\w+_t\)\(1 << (\d+)\)\)', api):
        theirs[name] = 1 << int(bit)
    with open(os.path.join(HERE, '../../../wasm/wasi/wasi_abi.h')) as f:
        ours_h = f.read()
    mine = {}
    for name, val in re.findall(r'WASI_(\w+) = (\d+)', ours_h):
        mine[name] = int(val)
    for name, bit in re.findall(r'#define WASI_RIGHT_(\w+) WASI_RIGHT\((\d+)\)', ours_h):
        mine['RIGHTS_' + name] = 1 << int(bit)
    for name, val in re.findall(r'#define WASI_(\w+) (0x[0-9a-fA-F]+|\d+)\b', ours_h):
        mine[name] = int(val, 0)
    aliases = {  # our short names -> api.h names
        'E': 'ERRNO_', 'FILETYPE_': 'FILETYPE_', 'FDFLAG_': 'FDFLAGS_', 'OFLAG_': 'OFLAGS_',
        'LOOKUP_': 'LOOKUPFLAGS_', 'FST_': 'FSTFLAGS_', 'WHENCE_': 'WHENCE_', 'CLOCK_': 'CLOCKID_',
        'EVENT_FD_READWRITE_HANGUP': 'EVENTRWFLAGS_FD_READWRITE_HANGUP', 'EVENT_': 'EVENTTYPE_',
        'SUBCLOCK_ABSTIME': 'SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME', 'RIFLAG_': 'RIFLAGS_',
        'ROFLAG_': 'ROFLAGS_', 'SDFLAG_': 'SDFLAGS_', 'PREOPENTYPE_': 'PREOPENTYPE_', 'RIGHTS_': 'RIGHTS_',
    }
    renamed = {'CLOCKID_PROCESS_CPUTIME': 'CLOCKID_PROCESS_CPUTIME_ID', 'CLOCKID_THREAD_CPUTIME': 'CLOCKID_THREAD_CPUTIME_ID'}
    compared, wrong = 0, []
    for name, val in mine.items():
        api_name = None
        for prefix, repl in sorted(aliases.items(), key=lambda kv: -len(kv[0])):
            if name.startswith(prefix):
                api_name = repl + name[len(prefix):] if not prefix.endswith(('HANGUP', 'ABSTIME')) else repl
                break
        if api_name is None:
            continue
        api_name = renamed.get(api_name, api_name)
        if api_name not in theirs:
            continue
        compared += 1
        if theirs[api_name] != val:
            wrong.append('%s=%d but api.h %s=%d' % (name, val, api_name, theirs[api_name]))
    check(not wrong, 'ABI mismatch: %s' % wrong)
    errnos = sum(1 for n in theirs if n.startswith('ERRNO_'))
    rights = sum(1 for n in theirs if n.startswith('RIGHTS_'))
    covered_errnos = sum(1 for n in mine if n.startswith('E') and 'ERRNO_' + n[1:] in theirs)
    check(covered_errnos == errnos, 'wasi_abi.h names %d of %d errnos' % (covered_errnos, errnos))
    check(sum(1 for n in mine if n.startswith('RIGHTS_') and n in theirs) == rights, 'rights count')
    print('abi: %d constants equal to <wasi/api.h> (all %d errnos, all %d rights)' % (compared, errnos, rights))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--case', required=True)
    ap.add_argument('--runner', required=True)
    ap.add_argument('--wasmcri', required=True)
    ap.add_argument('--wasm-dir', required=True)
    ap.add_argument('--expected-dir', required=True)
    ap.add_argument('--node', default='')
    opts = ap.parse_args()
    fn = globals().get('case_' + opts.case)
    if fn is None:
        print('unknown case %s' % opts.case)
        return 2
    tmp = tempfile.mkdtemp(prefix='wasmcri-wasi-%s-' % opts.case)
    try:
        fn(opts, tmp)
    except Fail as e:
        print('FAIL %s: %s' % (opts.case, e))
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('PASS %s' % opts.case)
    return 0


if __name__ == '__main__':
    sys.exit(main())
