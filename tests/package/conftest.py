"""Fixtures of the package tests: the .deb hack/package.sh built into dist/ for this checkout's
debian/changelog version, and a throw-away root (throwaway_root.py) per test."""
import pathlib
import subprocess

import pytest

from throwaway_root import ThrowawayRoot

TOP = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def version():
    """The package version debian/changelog names."""
    return subprocess.run(["dpkg-parsechangelog", "-l", str(TOP / "debian" / "changelog"),
                           "-SVersion"], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="session")
def deb(version):
    """dist/wasmcri_<version>_<arch>.deb; missing is a failure (hack/test.sh builds it first)."""
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()
    path = TOP / "dist" / f"wasmcri_{version}_{arch}.deb"
    if not path.exists():
        pytest.fail(f"{path} is missing: run hack/package.sh first (hack/test.sh does)")
    return path


@pytest.fixture
def root():
    r = ThrowawayRoot()
    yield r
    r.close()


@pytest.fixture
def installed(root, deb):
    """The root with the package installed by dpkg -i."""
    root.run(["dpkg", "-i", root.put(deb, "/tmp/wasmcri.deb")])
    return root
