"""The toolbox's file and text applets as users reach them: `sh -c` scripts with pipes and
redirections, run by ExecSync in a wasm container's own view on a real daemon."""
import hashlib

import pytest

from rt_helpers import create, ctr_config, pod_config, run_pod, start, wait_state
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    return run_pod(rt.runtime(), pod_config("tb-applets", tmp_path_factory.mktemp("logs")))


def running(rt, pod, name, **kw):
    r = rt.runtime()
    cid = create(r, pod, ctr_config(name, rt.refs["probe"], args=["sleep", "120"], **kw))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def sh(rt, cid, script):
    res = rt.runtime().ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["sh", "-c", script],
                                                   timeout=20), timeout=30)
    return res.exit_code, res.stdout.decode(), res.stderr.decode()


def test_pipes_and_redirections_between_applets(rt, pod):
    cid = running(rt, pod, "tb-pipes")
    assert sh(rt, cid, "mkdir -p /tmp/w && seq 1 20 > /tmp/w/n && printf 'b\\na\\nb\\nc\\n' "
                       ">> /tmp/w/l && echo done") == (0, "done\n", "")
    assert sh(rt, cid, "sort /tmp/w/l | uniq -c | sort -rn | head -n 1") == (0, "      2 b\n", "")
    assert sh(rt, cid, "grep -c 1 /tmp/w/n; tail -n 2 < /tmp/w/n | tr '\\n' ,") == \
        (0, "11\n19,20,", "")
    assert sh(rt, cid, "sed -n '/^1[0-2]$/p' /tmp/w/n | wc -l") == (0, "3\n", "")
    assert sh(rt, cid, "cat /tmp/w/nope 2>&1 | cut -d: -f1,3") == \
        (0, "cat: No such file or directory\n", "")
    assert sh(rt, cid, "cat /tmp/w/nope") == \
        (1, "", "cat: can't open '/tmp/w/nope': No such file or directory\n")


def test_files_made_and_found_in_the_containers_view(rt, pod):
    cid = running(rt, pod, "tb-files")
    assert sh(rt, cid, "mkdir -p /tmp/a/b && echo x > /tmp/a/b/f && cp -r /tmp/a /tmp/c && "
                       "mv /tmp/c/b/f /tmp/c/g && ln -s g /tmp/c/h && find /tmp/c | sort") == \
        (0, "/tmp/c\n/tmp/c/b\n/tmp/c/g\n/tmp/c/h\n", "")
    assert sh(rt, cid, "ls /bin; wc -c < /data/hello.txt") == (0, "probe.wasm\n11\n", "")
    assert sh(rt, cid, "stat -c '%n %s %F' /tmp/c/g; stat -c %F /tmp/c/b") == \
        (0, "/tmp/c/g 2 regular file\ndirectory\n", "")
    assert sh(rt, cid, "rm -r /tmp/a /tmp/c && ls -A /tmp && test ! -e /tmp/a") == (0, "", "")


def test_sums_and_sed_in_place(rt, pod):
    cid = running(rt, pod, "tb-sums")
    data = "hello toolbox\n"
    assert sh(rt, cid, f"mkdir /tmp && printf '{data}' > /tmp/s && "
                       "sed -i 's/hello/bye/' /tmp/s && cat /tmp/s") == (0, "bye toolbox\n", "")
    want = hashlib.sha256(b"bye toolbox\n").hexdigest()
    assert sh(rt, cid, "sha256sum /tmp/s") == (0, f"{want}  /tmp/s\n", "")
    assert sh(rt, cid, "md5sum /tmp/s > /tmp/s.md5 && md5sum -c /tmp/s.md5") == \
        (0, "/tmp/s: OK\n", "")
    assert sh(rt, cid, "base64 /tmp/s | base64 -d") == (0, "bye toolbox\n", "")


def test_touch_on_a_read_only_filesystem_says_so(rt, pod, tmp_path):
    """The issue's words, `touch: /tmp/test: Read-only file system`, as busybox prints them: on
    a read-only mount and on a read-only rootfs."""
    cid = running(rt, pod, "tb-ro", readonly_rootfs=True, mounts=[("/tmp", str(tmp_path), True)])
    assert sh(rt, cid, "touch /tmp/test") == (1, "", "touch: /tmp/test: Read-only file system\n")
    assert sh(rt, cid, "mkdir /data/x || cat /data/hello.txt") == \
        (0, "image file\n", "mkdir: can't create directory '/data/x': Read-only file system\n")
    assert sh(rt, cid, "rm -f /data/hello.txt; echo $?") == \
        (0, "1\n", "rm: can't remove '/data/hello.txt': Read-only file system\n")
    assert list(tmp_path.iterdir()) == []
