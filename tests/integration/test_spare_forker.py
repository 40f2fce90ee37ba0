"""The zygote forks no spare itself (issue 18, session 14): its forker, a copy of it made when
the module cache last changed, clones each spare as a child of the zygote (spare.h). After a fork
of its own the zygote copied every page it wrote next (a page fault and a TLB flush each: 14-17
a start, most of its CPU on a paravirtualised guest)."""
import os
import signal
import time

import pytest

from rt_helpers import pod_config, run_pod, running
from test_module_cache import asan_build
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("forker", tmp_path_factory.mktemp("logs")))


def children(rt, comm):
    """The zygote's children named comm, but those that ended (a forker replaced is killed,
    then reaped)."""
    z = rt.zygote_pid()
    found = []
    for c in open(f"/proc/{z}/task/{z}/children").read().split():
        try:
            stat = open(f"/proc/{c}/stat").read()
        except OSError:  # it was reaped between the two reads
            continue
        if stat[stat.index("(") + 1:stat.rindex(")")] == comm and stat[stat.rindex(")") + 2] != "Z":
            found.append(int(c))
    return found


def the_forker(rt):
    """The one forker (a spare just cloned bears its name until it runs: waited for)."""
    deadline, found = time.monotonic() + 5, children(rt, "wasmcri-forker")
    while len(found) != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
        found = children(rt, "wasmcri-forker")
    assert len(found) == 1, [open(f"/proc/{p}/stat").read() for p in found]
    return found[0]


def minor_faults(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return int(stat[stat.rindex(")") + 2:].split()[7])


@pytest.mark.skipif(asan_build(), reason="ASan's allocator touches new pages at every request")
def test_the_zygote_copies_no_page_per_start(rt, pod):
    """Starts write the zygote's pages that no spare shares: 20 starts cost it a few page
    faults in all (its own fork of each spare: 14-17 each)."""
    running(rt, pod, "warm")  # the forker is made at the first spare's fork
    z, forker = rt.zygote_pid(), the_forker(rt)
    time.sleep(0.1)
    before = minor_faults(z)
    ids = [running(rt, pod, f"c{i}") for i in range(20)]
    faults = minor_faults(z) - before
    assert faults < 20 * 3, f"{faults} page faults in the zygote for 20 starts"
    assert the_forker(rt) == forker
    r = rt.runtime()
    for cid in ids:
        r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0))


def test_a_killed_forker_is_replaced_at_the_next_start(rt, pod):
    running(rt, pod, "before-kill")
    forker = the_forker(rt)
    os.kill(forker, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while forker in children(rt, "wasmcri-forker") and time.monotonic() < deadline:
        time.sleep(0.01)
    # the spare forked before the kill serves one start; the next needs a new forker
    running(rt, pod, "after-kill-1")
    running(rt, pod, "after-kill-2")
    assert the_forker(rt) != forker


def seccomp(pid):
    """(Seccomp mode, number of filters) of pid, from /proc/PID/status."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)
    return int(fields["Seccomp"]), int(fields["Seccomp_filters"])


def test_the_forker_loads_the_filter_every_worker_runs_under(rt, pod):
    """A filter load is dear (the JIT's text_poke: ~100-300 us a start here): the forker loads it
    once, and each spare and its worker run under that one, loading none; the zygote under none."""
    running(rt, pod, "filtered")
    forker, workers = the_forker(rt), children(rt, "wasmcri-worker")
    assert workers
    assert seccomp(forker) == (2, 1)
    assert {seccomp(w) for w in workers} == {(2, 1)}
    assert seccomp(rt.zygote_pid())[0] == 0
