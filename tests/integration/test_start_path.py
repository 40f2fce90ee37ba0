"""What a container start's worker does between its spec and its guest (issue 14 item 3): the
page faults and the set-up a spare can take ahead, off the start's path."""
import time

import pytest

from rt_helpers import create, ctr_config, pod_config, run_pod, running, start
from test_exec_path import minflt_of, wait_for, worker_pid, zygote_children
from test_module_cache import asan_build


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("start-path", tmp_path_factory.mktemp("logs")))


def signal_masks(pid):
    """{"SigBlk": mask, "SigIgn": mask} of /proc/PID/status."""
    return {line.split(":")[0]: int(line.split()[1], 16)
            for line in open(f"/proc/{pid}/status") if line.startswith(("SigBlk", "SigIgn"))}


@pytest.mark.skipif(asan_build(), reason="ASan's allocator and shadow memory are not the worker's")
def test_a_start_faults_in_little_after_its_create(rt, pod):
    """A worker took 42 page faults from its spec to its first log write (each ~20 us on a
    paravirtualised guest): the program text it ran (a fork maps none of it), malloc's state and
    free chunks, the native stack below its wait, the vDSO's data. Its spare took those while
    it waited (prefault.h), which left 13 on the start's path (sessions 15 and 16). Session 17:
    CreateContainer has the worker made (netns, view, user and seccomp filter, the instance: its
    process waits as "wasmcri-ready"), and StartContainer only wakes it: what the start itself
    faults in is the guest's run (5: its value stack, frames and the memory it writes, which an
    exec's ready worker faults in ahead and a container's does not, to keep no page its guest
    may never touch)."""
    r = rt.runtime()
    running(rt, pod, "warm")  # the probe's module is the zygote's, and so the next spare's
    cid = create(r, pod, ctr_config("faults", rt.refs["probe"], args=["sleep", "60"]))
    assert wait_for(lambda: len(zygote_children(rt, "wasmcri-ready")) == 1), "no worker made"
    time.sleep(0.3)  # its set-up is done: it waits for its start
    (made,) = zygote_children(rt, "wasmcri-ready")
    before = minflt_of(made)
    start(r, cid)
    assert worker_pid(rt, cid) == made
    time.sleep(0.5)  # its guest sleeps
    faults = minflt_of(made) - before
    assert faults <= 6, f"the start took {faults} page faults in its worker"


def test_a_workers_signals_are_the_defaults(rt, pod):
    """The spare sets the dispositions the zygote ignores back to the default before it waits:
    the guest's worker ignores and blocks nothing once its log is open."""
    pid = worker_pid(rt, running(rt, pod, "signals"))
    assert signal_masks(pid)["SigIgn"] == 0  # the spare's
    # SIGHUP (a log reopen) stays blocked until its log is open
    assert wait_for(lambda: signal_masks(pid) == {"SigBlk": 0, "SigIgn": 0}), signal_masks(pid)
