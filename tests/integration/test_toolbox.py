"""The built-in toolbox (wasm/toolbox): commands that are no wasm module in the container's view
and name an applet (`sh`, `/bin/sh`, `echo`, `top`...) run toolbox.wasm in the container's own
view, as ExecSync, exec probes and container commands; config `toolbox: false` turns it off."""
import json
import os
import threading
import time

import grpc
import pytest

import runtime_images
from rt_helpers import (create, ctr_config, exec_sync, pod_config, run_pod, run_to_exit, running,
                        start, status, stdout_text, wait_state)
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    rt.pod_logs = logs
    return run_pod(rt.runtime(), pod_config("toolbox", logs, hostname="tb-host"))


def test_exec_of_an_applet_runs_the_toolbox(rt, pod):
    cid = running(rt, pod, "tb-echo")
    res = exec_sync(rt, cid, ["echo", "hello", "toolbox"])
    assert (res.exit_code, res.stdout, res.stderr) == (0, b"hello toolbox\n", b"")
    assert exec_sync(rt, cid, ["/bin/false"]).exit_code == 1
    assert exec_sync(rt, cid, ["/usr/bin/true"]).exit_code == 0


def test_a_wasm_module_in_the_view_wins_over_an_applet(rt, pod):
    """cmd[0] that is a module in the view runs that module, even when an applet has its name."""
    cid = running(rt, pod, "tb-wins", args=["write", "/bin/echo", "x", "--", "sleep", "60"])
    res = exec_sync(rt, cid, ["/bin/probe.wasm", "hello"])
    assert res.stdout == b"hello from wasm\n"
    # /bin/echo is not wasm: the applet runs
    assert exec_sync(rt, cid, ["/bin/echo", "applet"]).stdout == b"applet\n"


def test_container_command_naming_an_applet_runs(rt, pod):
    r = rt.runtime()
    _, st = run_to_exit(r, pod, ctr_config("tb-ctr", rt.refs["probe"], command=["echo"],
                                           args=["from", "the", "toolbox"]))
    assert (st.exit_code, st.reason) == (0, "Completed")
    assert stdout_text(rt.pod_logs / "tb-ctr.log") == ["from the toolbox"]


def test_a_name_no_applet_has_still_fails(rt, pod):
    cid = running(rt, pod, "tb-none")
    res = exec_sync(rt, cid, ["/bin/no-such-applet", "x"])
    assert res.exit_code == 126 and b"/bin/no-such-applet" in res.stderr
    with pytest.raises(grpc.RpcError) as e:
        create(rt.runtime(), pod, ctr_config("tb-none2", rt.refs["probe"], command=["nosuch"]))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_toolbox_false_turns_it_off(runtime_registry, new_daemon, tmp_path):
    reg, refs = runtime_registry
    d = new_daemon(config={**runtime_images.daemon_config(reg), "toolbox": False}).start()
    runtime_images.pull_all(d, {"probe": refs["probe"]})
    r = d.runtime()
    pod = run_pod(r, pod_config("tb-off", tmp_path))
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("off", refs["probe"], command=["echo", "x"]))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    cid = create(r, pod, ctr_config("off2", refs["probe"], args=["sleep", "60"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    res = r.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["echo", "x"]), timeout=30)
    assert res.exit_code == 126 and b"echo" in res.stderr and res.stdout == b""
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))


def test_exec_probe_sh_test_f_follows_the_file(rt, pod, tmp_path):
    """An exec probe written the usual way: `sh -c "test -f /tmp/ready"` is 0 once the file is
    there and 1 after it is removed (/tmp an emptyDir-like mount)."""
    tmp_path.chmod(0o777)
    cid = running(rt, pod, "tb-probe", mounts=[("/tmp", str(tmp_path), False)])
    probe = ["sh", "-c", "test -f /tmp/ready"]
    assert exec_sync(rt, cid, probe).exit_code == 1
    assert exec_sync(rt, cid, ["sh", "-c", "echo ok > /tmp/ready"]).exit_code == 0
    assert (tmp_path / "ready").read_text() == "ok\n"
    assert exec_sync(rt, cid, probe).exit_code == 0
    assert exec_sync(rt, cid, ["/bin/probe.wasm", "rm", "/tmp/ready"]).exit_code == 0
    assert exec_sync(rt, cid, probe).exit_code == 1
    (tmp_path / "ready").write_text("again")
    assert exec_sync(rt, cid, probe).exit_code == 0


def test_sh_sees_the_containers_env_and_hostname(rt, pod):
    cid = running(rt, pod, "tb-env", env={"MINE": "mine"})
    res = exec_sync(rt, cid, ["/bin/sh", "-c", 'echo "$HOSTNAME $MINE $FROM_IMAGE"; exit 3'])
    assert (res.exit_code, res.stdout) == (3, b"tb-host mine yes\n")


def test_sh_unknown_command_is_127(rt, pod):
    cid = running(rt, pod, "tb-127")
    res = exec_sync(rt, cid, ["sh", "-c", "nosuchcmd x"])
    assert (res.exit_code, res.stderr) == (127, b"sh: nosuchcmd: not found\n")
    res = exec_sync(rt, cid, ["sh", "-c", "/bin/probe.wasm hello"])
    assert (res.exit_code, res.stderr) == (126, b"sh: /bin/probe.wasm: cannot run a module from sh\n")


def test_exec_sleep_10_with_a_1s_timeout_ends_on_time(rt, pod):
    cid = running(rt, pod, "tb-sleep")
    with pytest.raises(grpc.RpcError) as e:
        exec_sync(rt, cid, ["sleep", "10"], timeout=1)
    # the daemon's timeout ended it (the client's own deadline, 30 s, says "Deadline Exceeded")
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "timed out after 1 s" in e.value.details(), e.value.details()
    assert status(rt.runtime(), cid).state == pb.CONTAINER_RUNNING
    assert exec_sync(rt, cid, ["sh", "-c", "sleep 0.1 && echo done"]).stdout == b"done\n"


def test_sh_runs_in_the_working_dir(rt, pod):
    """WASI has no working directory: toolbox.wasm starts in $PWD, the container's."""
    cid = running(rt, pod, "tb-pwd")
    res = exec_sync(rt, cid, ["sh", "-c", "pwd; read l < here.txt; echo $l"])
    assert (res.exit_code, res.stdout) == (0, b"/work\nin workdir\n")


def test_a_container_whose_command_is_top_runs_until_stopped(rt, pod):
    """As the CRI conformance suite's containers do: `top` keeps running (and shows the pod's
    processes in its log) until StopContainer."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config("tb-top", rt.refs["probe"], command=["top"], args=["-d", "0.2"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    time.sleep(1.5)
    assert status(r, cid).state == pb.CONTAINER_RUNNING
    log = "\n".join(stdout_text(rt.pod_logs / "tb-top.log"))
    assert "processes in this pod" in log and " top -d 0.2" in log
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=10))
    st = status(r, cid)
    # SIGTERM ended it at once: the end of the 10 s grace period would have killed it (137)
    assert (st.state, st.exit_code) == (pb.CONTAINER_EXITED, 143), st


@pytest.mark.parametrize("name,command,args", [
    ("tb-sleep-inf", ["sleep"], ["infinity"]),
    ("tb-sh-sleep-inf", ["sh"], ["-c", "sleep infinity"]),  # what `keadm join` runs
])
def test_sleep_infinity_returned_at_once(rt, pod, name, command, args):
    """sleep infinity (strtod's inf converted to an integer: 0) exited at once; it sleeps until
    StopContainer ends it, promptly, as SIGTERM ends a process."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config(name, rt.refs["probe"], command=command, args=args))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    time.sleep(1.5)
    assert status(r, cid).state == pb.CONTAINER_RUNNING
    assert exec_sync(rt, cid, ["pidof", "sleep"] if command == ["sleep"] else ["pidof", "sh"],
                     timeout=10).exit_code == 0
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=10))
    st = status(r, cid)
    # SIGTERM ended it at once: the end of the 10 s grace period would have killed it (137)
    assert st.state == pb.CONTAINER_EXITED and st.exit_code == 143


def test_ps_shows_the_pods_containers_and_execs(rt, pod):
    cid = running(rt, pod, "tb-ps", args=["sleep", "60"])
    res = exec_sync(rt, cid, ["ps"])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert lines[0].split() == ["PID", "USER", "STAT", "TIME", "RSS", "CONTAINER", "COMMAND"]
    # The container, then the exec itself. Their states are read from /proc when the daemon
    # writes the file, and a live worker is then running or sleeping (R or S) by timing alone.
    mine = [l.split() for l in lines if " tb-ps " in l]
    assert [[m[1]] + m[5:] for m in mine] == [["0", "tb-ps", "/bin/probe.wasm", "sleep", "60"],
                                            ["0", "tb-ps", "ps"]]
    assert all(m[2] in ("R", "S") for m in mine), lines
    res = exec_sync(rt, cid, ["sh", "-c", "id; whoami"])  # no /etc/passwd in the image
    assert res.stdout == b"uid=0 gid=0 groups=0\n" and res.stderr == b"whoami: unknown uid 0\n"


def test_id_and_whoami_name_the_images_user(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("tb-id", rt.refs["probe-user"], args=["sleep", "60"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    res = exec_sync(rt, cid, ["id"])
    assert res.stdout == b"uid=1001(app) gid=3000(staff) groups=3000(staff)\n", res
    assert exec_sync(rt, cid, ["whoami"]).stdout == b"app\n"


def test_containers_of_one_user_share_one_user_file(rt, pod):
    """The file id and whoami read is one per user, not one more tmpfs file (a page) per
    container: five containers of uid 1001 and one of root add two files, whatever their count."""
    r = rt.runtime()
    ids = [create(r, pod, ctr_config(f"tb-share-{i}", rt.refs["probe-user"], args=["sleep", "60"]))
           for i in range(5)]
    ids.append(create(r, pod, ctr_config("tb-share-root", rt.refs["probe"], args=["sleep", "60"])))
    for cid in ids:
        start(r, cid)
    for cid in ids:
        assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    assert exec_sync(rt, ids[4], ["id"]).stdout == b"uid=1001(app) gid=3000(staff) groups=3000(staff)\n"
    assert exec_sync(rt, ids[5], ["id"]).stdout == b"uid=0 gid=0 groups=0\n"
    pods = rt.state / "pods"
    own = [f for f in pods.glob("*/user-*") if f.name.split("-", 1)[1] in ids]
    assert own == []
    assert (pods / ".user-1001-3000").read_text() == "1001 3000\n"
    assert (pods / ".user-0-0").read_text() == "0 0\n"


def test_exec_sh_echo_hostname_ls_root(rt, pod):
    """`crictl exec -s CTR sh -c 'echo $HOSTNAME; ls /'`: the pod's hostname and the image's
    root as the container sees it."""
    cid = running(rt, pod, "tb-ls")
    res = exec_sync(rt, cid, ["sh", "-c", "echo $HOSTNAME; ls /"])
    assert (res.exit_code, res.stderr) == (0, b"")
    lines = res.stdout.decode().splitlines()
    assert lines[0] == "tb-host"
    assert {"bin", "data", "etc", "work"} <= set(lines[1:])


def test_timeout_ends_top_in_one_instance(rt, pod):
    """timeout has no process to kill inside one wasm instance: top ends at its deadline."""
    cid = running(rt, pod, "tb-timeout")
    res = exec_sync(rt, cid, ["timeout", "1", "top", "-b", "-d", "0.2"])
    # 143: timeout's SIGTERM ended top (which never ends by itself; exec_sync's client
    # deadline, 30 s, would fail the call instead)
    assert res.exit_code == 143 and b"processes in this pod" in res.stdout


def cri_threads_during_an_exec(rt, cid):
    """The daemon's own threads (named cri-*, not gRPC's) while an ExecSync of sleep 1 runs."""
    t = threading.Thread(target=lambda: exec_sync(rt, cid, ["sleep", "1"], timeout=10))
    t.start()
    time.sleep(0.5)
    tids = set()
    for tid in os.listdir(f"/proc/{rt.proc.pid}/task"):
        try:
            comm = open(f"/proc/{rt.proc.pid}/task/{tid}/comm").read()
        except OSError:
            continue
        if comm.startswith("cri-"):
            tids.add(tid)
    t.join(10)
    return tids


def test_execsync_made_a_thread_per_call(rt, pod):
    """Each ExecSync ran on a daemon thread made for it (clone, stack, exit per probe); now the
    thread of one call serves the next: no new thread appears for the second exec."""
    cid = running(rt, pod, "tb-threads")
    first = cri_threads_during_an_exec(rt, cid)
    assert exec_sync(rt, cid, ["true"]).exit_code == 0
    second = cri_threads_during_an_exec(rt, cid)
    assert second <= first, (first, second)


def worker_pid(rt, cid):
    info = rt.runtime().ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
    return json.loads(info.info["info"])["pid"]


def test_kill_of_top_ends_the_container_as_sigterm_ends_a_process(rt, pod):
    """The conformance suite's kind of container (`top`), ended from an exec as a user would:
    it exits with the status of a process SIGTERM killed."""
    r = rt.runtime()
    cid = create(r, pod, ctr_config("tb-kill-top", rt.refs["probe"], command=["top"],
                                    args=["-b", "-d", "0.2"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    res = exec_sync(rt, cid, ["sh", "-c", "kill $(pidof top)"], timeout=10)
    assert (res.exit_code, res.stderr) == (0, b"")
    st = wait_state(r, cid, pb.CONTAINER_EXITED)
    assert (st.state, st.exit_code, st.reason) == (pb.CONTAINER_EXITED, 143, "Error"), st
    assert "SIGTERM" in st.message


def test_kill_of_an_exec_with_a_signal_by_name(rt, pod):
    """kill -s KILL of another exec of the pod (ps lists it): that ExecSync ends with 137."""
    cid = running(rt, pod, "tb-kill-exec")
    got = {}
    t = threading.Thread(target=lambda: got.update(res=exec_sync(rt, cid, ["sleep", "30"], 20)))
    t.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and b"sleep 30" not in exec_sync(rt, cid, ["ps"]).stdout:
        time.sleep(0.05)
    res = exec_sync(rt, cid, ["sh", "-c", "kill -s KILL $(pidof sleep) && echo sent"])
    assert (res.exit_code, res.stdout, res.stderr) == (0, b"sent\n", b"")
    t.join(20)
    assert got["res"].exit_code == 137


def test_kill_reaches_nothing_outside_the_pod(rt, pod, tmp_path):
    """A guest names host pids: another pod's worker, the zygote, the daemon, init, this test.
    None is signalled (No such process, exit 1); its own pod's container still answers kill -0."""
    r = rt.runtime()
    other_pod = run_pod(r, pod_config("tb-kill-other", tmp_path))
    other = running(rt, other_pod, "tb-victim")
    mine = running(rt, pod, "tb-killer")
    targets = [worker_pid(rt, other), rt.zygote_pid(), rt.proc.pid, 1, os.getpid()]
    for sig in ("-9", "-TERM", "-STOP", "-0"):
        for pid in targets:
            res = exec_sync(rt, mine, ["kill", sig, str(pid)])
            assert (res.exit_code, res.stderr.decode()) == \
                (1, f"kill: can't kill pid {pid}: No such process\n"), (sig, pid)
    assert status(r, other).state == pb.CONTAINER_RUNNING
    assert exec_sync(rt, other, ["echo", "alive"]).stdout == b"alive\n"
    res = exec_sync(rt, mine, ["kill", "-0", str(worker_pid(rt, mine))])
    assert (res.exit_code, res.stderr) == (0, b"")
    res = exec_sync(rt, mine, ["kill", "-s", "NOPE", "1"])
    assert (res.exit_code, res.stderr) == (1, b"kill: bad signal name 'NOPE'\n")
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=other_pod))
