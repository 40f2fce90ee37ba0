"""pytest fixtures shared by the integration tests (see wasmcri_harness.py)."""
import pytest

from wasmcri_harness import BINARY, Daemon, left_mounts, pb


def pytest_sessionstart(session):
    if not BINARY.exists():
        pytest.exit(f"{BINARY} is missing: build first (hack/test.sh does)", returncode=1)


def _fail_on_left_mounts():
    left = left_mounts()
    assert not left, (
        "a stopped daemon left mounts under its root (a pod the test did not remove, or one "
        f"RemovePodSandbox did not clean up); now unmounted: {left}")


@pytest.fixture(autouse=True)
def no_mount_left_by_the_test():
    """Fails a test whose daemons, once stopped, left a mount (see wasmcri_harness.Daemon)."""
    yield
    _fail_on_left_mounts()


@pytest.fixture(scope="module", autouse=True)
def no_mount_left_by_the_module():
    """The same for the daemons a module's fixtures keep running until its end."""
    yield
    _fail_on_left_mounts()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    """A daemon shared by the tests of one module; must exit 0 on SIGTERM at the end."""
    d = Daemon(tmp_path_factory.mktemp("wasmcri")).start()
    yield d
    rc = d.stop()
    d.kill_zygote()
    assert rc == 0, f"daemon exited with {rc}:\n{d.log()}"


@pytest.fixture
def new_daemon(tmp_path):
    """A factory for daemons private to one test; stops whatever it started."""
    started = []

    def make(**kw):
        d = Daemon(tmp_path / f"d{len(started)}", **kw)
        started.append(d)
        return d

    yield make
    for d in started:
        d.stop()
        d.kill_zygote()


@pytest.fixture(scope="session")
def runtime_registry(tmp_path_factory):
    """A registry holding the runtime test images (runtime_images.py): (registry, {name: ref})."""
    import runtime_images
    reg, refs = runtime_images.start(tmp_path_factory.mktemp("rt-images"))
    yield reg, refs
    reg.stop()


@pytest.fixture(scope="module")
def rt(runtime_registry, tmp_path_factory):
    """A daemon with the runtime test images pulled; `rt.refs` names them."""
    import runtime_images
    reg, refs = runtime_registry
    d = Daemon(tmp_path_factory.mktemp("wasmcri-rt"),
               config=runtime_images.daemon_config(reg)).start()
    runtime_images.pull_all(d, refs)
    d.refs = refs
    yield d
    rt = d.runtime()
    for p in rt.ListPodSandbox(pb.ListPodSandboxRequest()).items:
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id))
    rc = d.stop()
    d.kill_zygote()
    assert rc == 0, f"daemon exited with {rc}:\n{d.log()}"
