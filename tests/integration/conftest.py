"""pytest fixtures shared by the integration tests (see wasmcri_harness.py)."""
import pytest

from wasmcri_harness import BINARY, Daemon


def pytest_sessionstart(session):
    if not BINARY.exists():
        pytest.exit(f"{BINARY} is missing: build first (hack/test.sh does)", returncode=1)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    """A daemon shared by the tests of one module; must exit 0 on SIGTERM at the end."""
    d = Daemon(tmp_path_factory.mktemp("wasmcri")).start()
    yield d
    rc = d.stop()
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
