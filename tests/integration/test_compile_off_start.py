"""Compile off the start path (issue 14, part 3): PullImage, and CreateContainer, have the zygote
compile the module in the background of its loop, so StartContainer of a module it has seen
compiles nothing; a module that does not validate fails CreateContainer with the reason (its
image still pulls); the
modules compiled that way stay within the cache's budget (`module_cache_mib`). What a user sees:
the metrics wasmcri_module_background_compiles_total and wasmcri_module_start_compiles_total,
the module cache gauges, and CreateContainer's error. An image's module is cached by its content:
the same bytes in two images are compiled once, changed bytes under the same name again."""
import pathlib
import subprocess

import grpc
import pytest

import runtime_images
from rt_helpers import create, ctr_config, pod_config, run_pod, start, stdout_text, wait_state
from test_metrics_endpoint import free_port, scrape, value
from test_module_cache import asan_build, filler_module, leb, section
from wasmcri_harness import pb

BUDGET_MIB = 4
TOP = pathlib.Path(__file__).resolve().parents[2]


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


# The test images run three distinct modules: probe.wasm (in probe, probe-user, probe-usr1,
# probe-badstop and, as its blob, artifact), net.wasm, and the built-in toolbox (linux's /bin/sh
# is no wasm, and sh is a toolbox applet). Pulling them all compiles each once.
PULLED_MODULES = 3


def pull(d, ref):
    d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=ref)), timeout=120)


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
        # compiled at pull, before any create
        assert compiles(url) == (PULLED_MODULES, 0)
        assert value(scrape(url), "wasmcri_module_cache_modules") == PULLED_MODULES
        first = create(r, pod, ctr_config("first", refs["probe"]))
        assert compiles(url) == (PULLED_MODULES, 0)
        start(r, first)
        assert wait_state(r, first, pb.CONTAINER_EXITED).exit_code == 0
        assert stdout_text(tmp_path / "logs" / "first.log") == ["hello from wasm"]
        second = create(r, pod, ctr_config("second", refs["probe"]))
        start(r, second)
        assert wait_state(r, second, pb.CONTAINER_EXITED).exit_code == 0
        # the creates found it compiled; neither start compiled it
        assert compiles(url) == (PULLED_MODULES, 0)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_same_module_in_two_images_is_compiled_once(served, tmp_path):
    """The cache key of an image's module is its content (sha256 of its bytes): the probe image
    and probe-usr1 (another config, so another image id) hold the same /bin/probe.wasm, and the
    artifact image holds it as its blob. Before, each image's module was compiled on its own."""
    d, url, refs = served
    r = d.runtime()
    pod = run_pod(r, pod_config("shared", tmp_path / "logs"))
    try:
        ids = [create(r, pod, ctr_config(name, refs[name]))
               for name in ("probe", "probe-usr1", "artifact")]
        assert compiles(url) == (PULLED_MODULES, 0)
        assert value(scrape(url), "wasmcri_module_cache_modules") == PULLED_MODULES
        for cid, name in zip(ids[:2], ("probe", "probe-usr1")):
            start(r, cid)
            assert wait_state(r, cid, pb.CONTAINER_EXITED).exit_code == 0
            assert stdout_text(tmp_path / "logs" / f"{name}.log") == ["hello from wasm"]
        assert compiles(url) == (PULLED_MODULES, 0)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def exit_module(code):
    """A WASI command whose `_start` calls proc_exit(code)."""
    types = section(1, leb(2) + b"\x60\x01\x7f\x00" + b"\x60\x00\x00")
    name = b"wasi_snapshot_preview1"
    imports = section(2, leb(1) + leb(len(name)) + name + leb(9) + b"proc_exit" + b"\x00" + leb(0))
    funcs = section(3, leb(1) + leb(1))
    memory = section(5, leb(1) + b"\x00\x01")
    exports = section(7, leb(2) + leb(6) + b"_start" + b"\x00" + leb(1)
                      + leb(6) + b"memory" + b"\x02" + leb(0))
    body = b"\x00\x41" + leb(code) + b"\x10\x00\x0b"
    code_sec = section(10, leb(1) + leb(len(body)) + body)
    return b"\x00asm\x01\x00\x00\x00" + types + imports + funcs + memory + exports + code_sec


def push_app_image(reg, base, wasm):
    """wasmcri-rt/changing:latest, a rootfs image running /bin/app.wasm, pushed (again)."""
    b = runtime_images._b
    lay = b.Layout(str(base))
    top = runtime_images._rootfs_image(b, lay, [b.d("bin"), b.entry("bin/app.wasm", wasm,
                                                                    mode=0o755)],
                                       {"Entrypoint": ["/bin/app.wasm"]})
    lay.finish(top)
    ref = f"{reg.host}/wasmcri-rt/changing:latest"
    b.skopeo_push(lay, ref, None, runtime_images._PLAIN, True)
    return ref


def test_changed_module_under_the_same_tag_is_compiled_again(served, runtime_registry, tmp_path):
    """The same image name and path with other module bytes: a new compile, and the new module
    runs, never the old one's compiled code."""
    d, url, _ = served
    reg, _ = runtime_registry
    r = d.runtime()
    pod = run_pod(r, pod_config("changing", tmp_path / "logs"))
    try:
        for n, code in enumerate((3, 5)):
            ref = push_app_image(reg, tmp_path / f"layout{n}", exit_module(code))
            pull(d, ref)
            cid = create(r, pod, ctr_config(f"app{n}", ref))
            assert compiles(url) == (PULLED_MODULES + n + 1, 0)
            start(r, cid)
            assert wait_state(r, cid, pb.CONTAINER_EXITED).exit_code == code
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_store_module_too_big_to_compile_runs(served, runtime_registry, tmp_path):
    """An image's module too big for the zygote to compile: it holds it validated, reading the
    function bodies from the store's file (mapped, not copied), and each worker compiles those
    it runs; an invalid one still fails create."""
    d, url, _ = served
    reg, _ = runtime_registry
    r = d.runtime()
    pod = run_pod(r, pod_config("storebig", tmp_path / "logs"))
    try:
        ref = push_app_image(reg, tmp_path / "bad", big_module(True))
        pull(d, ref)
        with pytest.raises(grpc.RpcError) as e:
            create(r, pod, ctr_config("bad", ref))
        assert "type mismatch" in e.value.details(), e.value.details()
        ref = push_app_image(reg, tmp_path / "good", big_module(False))
        pull(d, ref)
        for n in range(2):
            cid = create(r, pod, ctr_config(f"good{n}", ref))
            start(r, cid)
            assert wait_state(r, cid, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert value(scrape(url), "wasmcri_module_cache_modules") == PULLED_MODULES + 1
        assert compiles(url)[1] == 0  # held validated: no start loaded it
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


# Bodies of a [] -> [] function that do not validate.
MISMATCH = b"\x00\x42\x07\x0b"  # returns an i64: type mismatch
UNKNOWN_CALL = b"\x00\x10" + leb(100000) + b"\x0b"  # calls function 100000: unknown function


def big_module(invalid, bad=(), funcs=100):
    """About funcs * 4.5 KB (450 KB: over 1/16 of the 4 MiB budget, too big for the zygote to
    compile; with 1,000, over the budget, too big to hold at all): `_start` (function 0) returns
    at once, the other functions push and drop constants; with invalid, the last one returns an
    i64 instead (type mismatch); bad: (index, body) pairs put in place."""
    bodies = [b"\x00\x0b"]
    for i in range(1, funcs):
        bodies.append(b"\x00" + b"".join(b"\x41" + leb((i + k) & 0x3F) + b"\x1a"
                                          for k in range(1500)) + b"\x0b")
    if invalid:
        bodies[-1] = MISMATCH
    for index, body in bad:
        bodies[index] = body
    return command_module(bodies)


def create_mounted(r, pod, probe, mods, name, module=None):
    """A container of the probe image running /mods/<module or name>.wasm, mods mounted there."""
    return create(r, pod, ctr_config(name, probe, command=[f"/mods/{module or name}.wasm"],
                                     mounts=[("/mods", str(mods), True)]))


def refused_at_create(r, pod, probe, mods, name, reason):
    with pytest.raises(grpc.RpcError) as e:
        create_mounted(r, pod, probe, mods, name)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION, e.value.details()
    assert f"{name}.wasm" in e.value.details() and reason in e.value.details(), e.value.details()


def test_module_too_big_to_hold_is_validated_at_create(served, tmp_path):
    """The zygote cannot even hold it (its file is over the budget): create only validates it
    (an invalid one fails there), and the start's worker loads it and compiles the functions it
    runs, without validating the module again."""
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "big.wasm").write_bytes(big_module(False, funcs=1000))
    (mods / "bigbad.wasm").write_bytes(big_module(True, funcs=1000))
    assert (mods / "big.wasm").stat().st_size > BUDGET_MIB << 20
    r = d.runtime()
    pod = run_pod(r, pod_config("big", tmp_path / "logs"))
    try:
        refused_at_create(r, pod, refs["probe"], mods, "bigbad", "type mismatch")
        cid = create(r, pod, ctr_config("big", refs["probe"], command=["/mods/big.wasm"],
                                        mounts=[("/mods", str(mods), True)]))
        m = scrape(url)
        assert counter(m, "wasmcri_module_background_compiles") == PULLED_MODULES + 1
        assert value(m, "wasmcri_module_cache_modules") == PULLED_MODULES  # validated, not held
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert compiles(url) == (PULLED_MODULES + 1, 1)  # its worker compiled what it ran
        # the zygote remembers it valid: a second create does not validate it again
        again = create(r, pod, ctr_config("again", refs["probe"], command=["/mods/big.wasm"],
                                          mounts=[("/mods", str(mods), True)]))
        assert compiles(url) == (PULLED_MODULES + 1, 1)
        start(r, again)
        assert wait_state(r, again, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert compiles(url) == (PULLED_MODULES + 1, 2)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def generated_module(tmp_path, mib):
    """tests/wasm/bench/gen_module.c's module of about mib MiB: many functions of varied code;
    `_start` calls two of them, then writes "ready" to stdout."""
    tool = tmp_path / "gen_module"
    subprocess.run(["cc", "-O2", "-o", str(tool), str(TOP / "tests/wasm/bench/gen_module.c")],
                   check=True)
    out = tmp_path / "gen.wasm"
    subprocess.run([str(tool), str(mib), str(out)], check=True)
    return out.read_bytes()


def trapping_module():
    """big_module's size (held validated, not compiled), whose `_start` calls the last
    function, which hits `unreachable`: a trap in a function compiled on its first call."""
    return big_module(False, [(0, b"\x00\x10" + leb(99) + b"\x0b"), (99, b"\x00\x00\x0b")])


def test_module_too_big_to_compile_is_held_validated(served, tmp_path):
    """Issue 14: a module too big for the zygote to compile (over 1/16 of the budget) but not
    for its budget is held once create has validated it (decoded, each function compiled by the
    worker that first calls it): its first start loads nothing (before, its worker decoded it
    again, 10-13 ms for 21 MB), runs right, and traps right in a function compiled on its call;
    an invalid one still fails create; a second create validates nothing again."""
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "gen.wasm").write_bytes(generated_module(tmp_path, 1))
    (mods / "trap.wasm").write_bytes(trapping_module())
    (mods / "bigbad.wasm").write_bytes(big_module(True))
    assert (mods / "gen.wasm").stat().st_size > (BUDGET_MIB << 20) // 16
    r = d.runtime()
    pod = run_pod(r, pod_config("held", tmp_path / "logs"))
    try:
        refused_at_create(r, pod, refs["probe"], mods, "bigbad", "type mismatch")
        ids = [create_mounted(r, pod, refs["probe"], mods, name) for name in ("gen", "trap")]
        m = scrape(url)
        assert counter(m, "wasmcri_module_background_compiles") == PULLED_MODULES + 2
        assert value(m, "wasmcri_module_cache_modules") == PULLED_MODULES + 2  # both held
        for cid in ids:
            start(r, cid)
        assert wait_state(r, ids[0], pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert stdout_text(tmp_path / "logs" / "gen.log") == ["ready"]
        st = wait_state(r, ids[1], pb.CONTAINER_EXITED, timeout=60)
        assert st.exit_code == 134 and "unreachable" in st.message, (st.exit_code, st.message)
        again = create_mounted(r, pod, refs["probe"], mods, "again", "gen")
        start(r, again)
        assert wait_state(r, again, pb.CONTAINER_EXITED, timeout=60).exit_code == 0
        assert stdout_text(tmp_path / "logs" / "again.log") == ["ready"]
        assert compiles(url) == (PULLED_MODULES + 2, 0)  # no start loaded a module
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


@pytest.mark.skipif(asan_build(), reason="mallinfo2 does not see ASan's allocator")
def test_held_module_evicted_is_decoded_again_at_create(served, tmp_path):
    """A module held validated, then evicted by others: its next create has it decoded again
    (not validated: the zygote remembers it valid), so that start loads nothing either. Before,
    the outcome of its first create answered the next one "ready" with nothing held."""
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    others = 12  # 12 x 450 KB held: over the 4 MiB budget
    (mods / "first.wasm").write_bytes(big_module(False))
    for i in range(others):
        (mods / f"o{i}.wasm").write_bytes(big_module(False, [(1, b"\x00\x41" + leb(i) +
                                                              b"\x1a\x0b")]))
    r = d.runtime()
    pod = run_pod(r, pod_config("evicted", tmp_path / "logs"))

    def create_run(name, module):
        cid = create_mounted(r, pod, refs["probe"], mods, name, module)
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_EXITED, timeout=60).exit_code == 0

    try:
        create_run("first", "first")
        for i in range(others):
            create_run(f"o{i}", f"o{i}")
        held = value(scrape(url), "wasmcri_module_cache_modules")
        assert held < PULLED_MODULES + 1 + others, held  # some were evicted: the first one
        create_run("again", "first")
        assert compiles(url)[1] == 0
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_first_invalid_body_is_the_one_create_reports(served, tmp_path):
    """The zygote validates a big module's bodies on two threads (wasm/engine/validate_split.c),
    the second half of each slice on the other one: with an invalid body in each half, create
    fails with the first one's reason, as a validation in order does, in either order."""
    d, url, refs = served
    mods = tmp_path / "mods"
    mods.mkdir()
    cases = (("late", [(20, UNKNOWN_CALL), (99, MISMATCH)], "unknown function", "type mismatch"),
             ("early", [(20, MISMATCH), (80, UNKNOWN_CALL)], "type mismatch", "unknown function"))
    for name, bad, _, _ in cases:
        (mods / f"{name}.wasm").write_bytes(big_module(False, bad))
    r = d.runtime()
    pod = run_pod(r, pod_config("twobad", tmp_path / "logs"))
    try:
        for name, _, reason, other in cases:
            with pytest.raises(grpc.RpcError) as e:
                create(r, pod, ctr_config(name, refs["probe"], command=[f"/mods/{name}.wasm"],
                                          mounts=[("/mods", str(mods), True)]))
            assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION, e.value.details()
            assert reason in e.value.details() and other not in e.value.details(), \
                e.value.details()
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
        assert counter(m, "wasmcri_module_background_compiles") == PULLED_MODULES + n
        held = value(m, "wasmcri_module_cache_modules")
        assert 0 < held < n, held  # the budget holds some, not all 30
        assert value(m, "wasmcri_module_cache_bytes") <= BUDGET_MIB << 20
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_module_is_compiled_when_its_image_is_pulled(served, runtime_registry, tmp_path):
    """PullImage compiles the module a container of the image runs by default: compiled when the
    pull answers, before any create; the create finds it compiled, the start compiles nothing.
    Before, the first CreateContainer compiled it."""
    d, url, _ = served
    reg, _ = runtime_registry
    ref = push_app_image(reg, tmp_path / "layout", exit_module(9))
    assert compiles(url) == (PULLED_MODULES, 0)
    pull(d, ref)
    assert compiles(url) == (PULLED_MODULES + 1, 0)
    assert value(scrape(url), "wasmcri_module_cache_modules") == PULLED_MODULES + 1
    r = d.runtime()
    pod = run_pod(r, pod_config("atpull", tmp_path / "logs"))
    try:
        cid = create(r, pod, ctr_config("app", ref))
        start(r, cid)
        assert wait_state(r, cid, pb.CONTAINER_EXITED).exit_code == 9
        assert compiles(url) == (PULLED_MODULES + 1, 0)
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_invalid_module_in_an_image_pulls_and_fails_create(served, runtime_registry, tmp_path):
    """The pull validates the module too, and an invalid one does not fail it (the image is what
    the registry holds; kubelet would retry a failed pull forever): CreateContainer fails with
    the module's name and the reason, and leaves no container."""
    d, url, _ = served
    reg, _ = runtime_registry
    ref = push_app_image(reg, tmp_path / "layout", invalid_module())
    pull(d, ref)
    assert compiles(url) == (PULLED_MODULES, 0)  # nothing compiled for it
    r = d.runtime()
    pod = run_pod(r, pod_config("badpull", tmp_path / "logs"))
    try:
        with pytest.raises(grpc.RpcError) as e:
            create(r, pod, ctr_config("bad", ref))
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION, e.value.details()
        assert "app.wasm" in e.value.details() and "type mismatch" in e.value.details(), \
            e.value.details()
        listed = r.ListContainers(pb.ListContainersRequest()).containers
        assert [c.id for c in listed if c.metadata.name == "bad"] == []
    finally:
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
