"""What a container start's worker does between its spec and its guest (issue 14 item 3): the
page faults and the set-up a spare can take ahead, off the start's path."""
import time

import pytest

from rt_helpers import pod_config, run_pod, running
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
def test_a_start_faults_in_little_after_its_spec(rt, pod):
    """A worker took 42 page faults from its spec to its first log write (each ~20 us on a
    paravirtualised guest): the program text it ran (a fork maps none of it), malloc's state and
    free chunks, the native stack below its wait, the vDSO's data. Its spare now takes those while
    it waits (prefault.h): the start takes the rest (its instance's). Session 15: 22-25 -> 13 (the
    heap's top a start allocates from written ahead, the log's buffers off the heap, a data
    segment's pages and a small module's code mapped in one call each, the time zone state).
    Session 16: 13 (page traps 9 -> 6 per `perf record -e page-faults`: the log's first page and
    the first pages of the frame array and the value stack populated, which minflt counts)."""
    running(rt, pod, "warm")  # the probe's module is the zygote's, and so the next spare's
    assert wait_for(lambda: len(zygote_children(rt, "wasmcri-spare")) == 1), "no spare"
    time.sleep(0.3)  # its prefault is done: it waits for a spec
    (spare,) = zygote_children(rt, "wasmcri-spare")
    before = minflt_of(spare)
    cid = running(rt, pod, "faults")
    assert worker_pid(rt, cid) == spare
    time.sleep(0.5)  # its guest sleeps
    faults = minflt_of(spare) - before
    assert faults <= 14, f"the start took {faults} page faults in its worker"


def test_a_workers_signals_are_the_defaults(rt, pod):
    """The spare sets the dispositions the zygote ignores back to the default before it waits:
    the guest's worker ignores and blocks nothing once its log is open."""
    pid = worker_pid(rt, running(rt, pod, "signals"))
    assert signal_masks(pid)["SigIgn"] == 0  # the spare's
    # SIGHUP (a log reopen) stays blocked until its log is open
    assert wait_for(lambda: signal_masks(pid) == {"SigBlk": 0, "SigIgn": 0}), signal_masks(pid)
