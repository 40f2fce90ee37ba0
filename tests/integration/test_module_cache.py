"""The zygote's compiled-module cache stays within its budget (issue 11, leak 8): it kept
every module it ever compiled, so a container that keeps running new exec-probe modules
grew the zygote without bound. Here a container runs 100 distinct modules from a mount,
each small enough for the zygote to compile itself, under a 4 MiB budget
(`module_cache_mib`): the zygote's resident memory must stay near the budget."""
import struct
import subprocess

import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import BINARY, pb

BUDGET_MIB = 4
MODULES = 100


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def filler_module(seed, funcs=40, ops_per_func=1500):
    """A valid module of about funcs * ops_per_func * 3 bytes of code: `_start` (function 0)
    returns at once; the other functions push and drop constants. seed makes each file's
    bytes its own."""
    types = section(1, leb(1) + b"\x60\x00\x00")
    funcsec = section(3, leb(funcs) + b"\x00" * funcs)
    exports = section(7, leb(1) + leb(6) + b"_start" + b"\x00" + leb(0))
    bodies = [b"\x00\x0b"]
    for i in range(1, funcs):
        code = b"".join(b"\x41" + leb((seed * 131 + i + k) & 0x3F) + b"\x1a"
                        for k in range(ops_per_func))
        body = b"\x00" + code + b"\x0b"
        bodies.append(leb(len(body)) + body)
    bodies[0] = leb(2) + bodies[0]
    code = section(10, leb(funcs) + b"".join(bodies))
    return b"\x00asm" + struct.pack("<I", 1) + types + funcsec + exports + code


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture
def small_cache_daemon(new_daemon, runtime_registry):
    reg, refs = runtime_registry
    d = new_daemon(config={**runtime_images.daemon_config(reg), "module_cache_mib": BUDGET_MIB})
    d.start()
    runtime_images.pull_all(d, refs)
    d.refs = refs
    return d


def asan_build():
    ldd = subprocess.run(["ldd", str(BINARY)], capture_output=True, text=True).stdout
    return "libasan" in ldd


# The cache sizes its entries with mallinfo2(), which does not see ASan's allocator: in that
# build the budget cannot be measured, and the zygote's RSS says nothing about the cache.
@pytest.mark.skipif(asan_build(), reason="mallinfo2 does not see ASan's allocator")
def test_zygote_module_cache_stays_within_its_budget(small_cache_daemon, tmp_path):
    d = small_cache_daemon
    mods = tmp_path / "mods"
    mods.mkdir()
    for i in range(MODULES):  # all kept on disk: each a file of its own
        (mods / f"m{i}.wasm").write_bytes(filler_module(i))
    size_kib = (mods / "m0.wasm").stat().st_size // 1024
    assert 64 <= size_kib < BUDGET_MIB * 1024 // 16, size_kib  # compiled by the zygote itself

    r = d.runtime()
    pod = run_pod(r, pod_config("cache", tmp_path / "logs"))
    try:
        cid = create(r, pod, ctr_config("cache", d.refs["probe"], args=["sleep", "600"],
                                        mounts=[("/mods", str(mods), True)]))
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING

        def run(i):
            res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=[f"/mods/m{i}.wasm"]),
                             timeout=60)
            assert res.exit_code == 0, (i, res.stderr)

        zygote = d.zygote_pid()
        for i in range(10):
            run(i)
        warm = rss_kib(zygote)
        for i in range(10, MODULES):
            run(i)
        grown = rss_kib(zygote) - warm
        # Unbounded, the 90 further modules (about 16 MiB of wasm) stay compiled in the zygote:
        # several times their file size. Bounded, it holds the budget and one module's compile.
        assert grown < 3 * BUDGET_MIB * 1024, (
            f"the zygote grew by {grown} KiB over {MODULES - 10} modules of {size_kib} KiB "
            f"with a {BUDGET_MIB} MiB budget")
    finally:  # the pod's container and the layer its execs made go with it
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def heap_rss_kib(pid):
    """The resident KiB of the process's malloc heap ([heap] in /proc/PID/smaps)."""
    kib, in_heap = 0, False
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and not fields[0].endswith(":"):
            in_heap = fields[-1] == "[heap]"
        elif in_heap and fields[0] == "Rss:":
            kib += int(fields[1])
    return kib


@pytest.mark.skipif(asan_build(), reason="ASan's allocator keeps no [heap]")
def test_zygote_heap_is_trimmed_after_it_compiled_modules(new_daemon, runtime_registry,
                                                         tmp_path):
    """The zygote gives its free heap back after a compile (before the next spare's fork; no
    longer before every fork, issue 18), so that no fork copies it and no worker starts with it:
    12 execs of modules it compiles leave its heap grown by less than one module's file."""
    reg, refs = runtime_registry
    d = new_daemon(config=runtime_images.daemon_config(reg))
    d.start()
    runtime_images.pull_all(d, {"probe": refs["probe"]})
    mods = tmp_path / "mods"
    mods.mkdir()
    for i in range(12):
        (mods / f"m{i}.wasm").write_bytes(filler_module(i, funcs=60))
    size_kib = (mods / "m0.wasm").stat().st_size // 1024
    r = d.runtime()
    pod = run_pod(r, pod_config("trim", tmp_path / "logs"))
    try:
        cid = create(r, pod, ctr_config("trim", refs["probe"], args=["sleep", "600"],
                                        mounts=[("/mods", str(mods), True)]))
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
        zygote = d.zygote_pid()
        before = heap_rss_kib(zygote)
        for i in range(12):
            res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=[f"/mods/m{i}.wasm"]),
                             timeout=60)
            assert res.exit_code == 0, (i, res.stderr)
        grown = heap_rss_kib(zygote) - before
        # Untrimmed, the compiles' scratch stays: ~480 KiB here; trimmed, ~60.
        assert grown < size_kib, f"the zygote's heap grew by {grown} KiB ({size_kib} KiB modules)"
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
