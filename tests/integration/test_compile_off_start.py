"""Compile off the start path (issue 14, part 3): CreateContainer has the zygote compile the
container's module in the background of its loop, so StartContainer of a module it has seen
compiles nothing; a module that does not validate fails CreateContainer with the reason; the
modules compiled that way stay within the cache's budget (`module_cache_mib`). What a user sees:
the metrics wasmcri_module_background_compiles_total and wasmcri_module_start_compiles_total,
the module cache gauges, and CreateContainer's error."""
import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, stdout_text, wait_state
from test_metrics_endpoint import free_port, scrape, value
from test_module_cache import asan_build, filler_module, leb, section
from wasmcri_harness import pb

BUDGET_MIB = 4


@pytest.fixture
def served(runtime_registry, new_daemon):
    """A daemon with the metrics endpoint, the test images pulled: (daemon, url, refs)."""
    reg, refs = runtime_registry
    addr = "127.0.0.1:%d" % free_port()
    config = {**runtime_images.daemon_config(reg), "metrics_address": addr,
              "module_cache_mib": BUDGET_MIB}
    d = new_daemon(config=config).start()
    runtime_images.pull_all(d, refs)
    return d, f"http://{addr}/metrics", refs


def counter(m, name):
    """The client library names a counter family without _total."""
    return value(m, name, name + "_total")


def compiles(url):
    m = scrape(url)
    return (counter(m, "wasmcri_module_background_compiles"),
            counter(m, "wasmcri_module_start_compiles"))


def test_pulled_module_starts_without_a_compile(served, tmp_path):
    d, url, refs = served
    r = d.runtime()
    pod = run_pod(r, pod_config("warm", tmp_path / "logs"))
    try:
        assert compiles(url) == (0, 0)
        first = create(r, pod, ctr_config("first", refs["probe"]))
        # compiled at create, before any start
        assert compiles(url) == (1, 0)
        assert value(scrape(url), "wasmcri_module_cache_modules") == 1
        start(r, first)
        assert wait_state(r, first, pb.CONTAINER_EXITED).exit_code == 0
        assert stdout_text(tmp_path / "logs" / "first.log") == ["hello from wasm"]
        second = create(r, pod, ctr_config("second", refs["probe"]))
        start(r, second)
        assert wait_state(r, second, pb.CONTAINER_EXITED).exit_code == 0
        # the second create found it compiled; neither start compiled it
        assert compiles(url) == (1, 0)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def command_module(bodies):
    """A module of [] -> [] functions with these bodies, the first exported as `_start`."""
    types = section(1, leb(1) + b"\x60\x00\x00")
    funcs = section(3, leb(len(bodies)) + b"\x00" * len(bodies))
    exports = section(7, leb(1) + leb(6) + b"_start" + b"\x00" + leb(0))
    code = section(10, leb(len(bodies)) + b"".join(leb(len(x)) + x for x in bodies))
    return b"\x00asm\x01\x00\x00\x00" + types + funcs + exports + code


def invalid_module():
    """Decodes (magic, sections, sizes all fine) but does not validate: `_start` returns an
    i32 from a function typed [] -> [] (i32.const 7, end)."""
    return command_module([b"\x00\x41\x07\x0b"])


def test_invalid_module_fails_create_with_the_reason(served, tmp_path):
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "bad.wasm").write_bytes(invalid_module())
    r = d.runtime()
    pod = run_pod(r, pod_config("bad", tmp_path / "logs"))
    try:
        with pytest.raises(grpc.RpcError) as e:
            create(r, pod, ctr_config("bad", refs["probe"], command=["/mods/bad.wasm"],
                                      mounts=[("/mods", str(mods), True)]))
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION, e.value.details()
        assert "bad.wasm" in e.value.details() and "type mismatch" in e.value.details(), \
            e.value.details()
        # no container is left behind
        listed = r.ListContainers(pb.ListContainersRequest()).containers
        assert [c.id for c in listed if c.metadata.name == "bad"] == []
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def big_module(invalid):
    """About 450 KB, over 1/16 of the 4 MiB budget (too big for the zygote to hold): `_start`
    (function 0) returns at once, 99 more functions push and drop constants; with invalid, the
    last one returns an i64 instead (type mismatch)."""
    bodies = [b"\x00\x0b"]
    for i in range(1, 100):
        bodies.append(b"\x00" + b"".join(b"\x41" + leb((i + k) & 0x3F) + b"\x1a"
                                          for k in range(1500)) + b"\x0b")
    if invalid:
        bodies[-1] = b"\x00\x42\x07\x0b"
    return command_module(bodies)


def test_module_too_big_for_the_cache_is_validated_at_create(served, tmp_path):
    """The zygote cannot hold it: create only validates it (an invalid one fails there), and the
    start's worker compiles the functions it runs, without validating the module again."""
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "big.wasm").write_bytes(big_module(False))
    (mods / "bigbad.wasm").write_bytes(big_module(True))
    assert (mods / "big.wasm").stat().st_size > (BUDGET_MIB << 20) // 16
    r = d.runtime()
    pod = run_pod(r, pod_config("big", tmp_path / "logs"))
    try:
        with pytest.raises(grpc.RpcError) as e:
            create(r, pod, ctr_config("bigbad", refs["probe"], command=["/mods/bigbad.wasm"],
                                      mounts=[("/mods", str(mods), True)]))
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION, e.value.details()
        assert "bigbad.wasm" in e.value.details() and "type mismatch" in e.value.details()
        cid = create(r, pod, ctr_config("big", refs["probe"], command=["/mods/big.wasm"],
                                        mounts=[("/mods", str(mods), True)]))
        m = scrape(url)
        assert counter(m, "wasmcri_module_background_compiles") == 1
        assert value(m, "wasmcri_module_cache_modules") == 0  # validated, not held
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert compiles(url) == (1, 1)  # its worker compiled what it ran
        # the zygote remembers it valid: a second create does not validate it again
        again = create(r, pod, ctr_config("again", refs["probe"], command=["/mods/big.wasm"],
                                          mounts=[("/mods", str(mods), True)]))
        assert compiles(url) == (1, 1)
        start(r, again)
        assert wait_state(r, again, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert compiles(url) == (1, 2)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


# The cache sizes its entries with mallinfo2(), which does not see ASan's allocator
# (test_module_cache.py): in that build nothing is ever over budget.
@pytest.mark.skipif(asan_build(), reason="mallinfo2 does not see ASan's allocator")
def test_many_created_modules_stay_within_the_budget(served, tmp_path):
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    n = 30
    for i in range(n):
        (mods / f"m{i}.wasm").write_bytes(filler_module(i))
    r = d.runtime()
    pod = run_pod(r, pod_config("many", tmp_path / "logs"))
    try:
        for i in range(n):
            create(r, pod, ctr_config(f"m{i}", refs["probe"], command=[f"/mods/m{i}.wasm"],
                                      mounts=[("/mods", str(mods), True)]))
        m = scrape(url)
        assert counter(m, "wasmcri_module_background_compiles") == n
        held = value(m, "wasmcri_module_cache_modules")
        assert 0 < held < n, held  # the budget holds some, not all 30
        assert value(m, "wasmcri_module_cache_bytes") <= BUDGET_MIB << 20
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
