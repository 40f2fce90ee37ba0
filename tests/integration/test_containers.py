"""Containers as wasm workers: lifecycle, logs, exit reporting, the Kubernetes command rules,
the filesystem view (rootfs layer, mounts, read-only), stop, errors. Images come from a real
registry (runtime_images.py) and are pulled over CRI."""
import json
import os
import shutil
import threading
import time

import grpc
import pytest

from rt_helpers import (create, ctr_config, log_records, pod_config, run_pod, run_to_exit, start,
                        status, stdout_text, wait_state)
from runtime_images import HOSTMARK, PROBE
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pod(rt, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    pid = run_pod(rt.runtime(), pod_config("ctrs", logs))
    rt.pod_logs = logs
    return pid


def test_pod_with_two_containers_full_lifecycle(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("two", tmp_path))
    a = create(r, pid, ctr_config("a", rt.refs["probe"]))
    b = create(r, pid, ctr_config("b", rt.refs["probe"], args=["sleep", "30"]))
    assert len(a) == 64 and a != b
    assert status(r, a).state == pb.CONTAINER_CREATED
    start(r, a)
    start(r, b)
    st = wait_state(r, a, pb.CONTAINER_EXITED)
    assert (st.exit_code, st.reason) == (0, "Completed")
    assert st.started_at >= st.created_at > 0 and st.finished_at >= st.started_at
    assert st.log_path == str(tmp_path / "a.log")
    assert log_records(tmp_path / "a.log") == [("stdout", "F", "hello from wasm"),
                                              ("stderr", "F", "hello on stderr")]
    assert wait_state(r, b, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    ps = r.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid, verbose=True))
    assert {c.id for c in ps.containers_statuses} == {a, b}
    assert json.loads(ps.info["info"])["host_network"] is True and ps.timestamp > st.finished_at
    listed = r.ListContainers(pb.ListContainersRequest(
        filter=pb.ContainerFilter(pod_sandbox_id=pid))).containers
    assert {c.id for c in listed} == {a, b}
    assert {c.metadata.name for c in listed} == {"a", "b"}
    r.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    st = status(r, b)
    assert (st.state, st.exit_code) == (pb.CONTAINER_EXITED, 137)
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    for cid in (a, b):
        with pytest.raises(grpc.RpcError) as e:
            status(r, cid)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert not (rt.root / "containers" / a).exists()


@pytest.mark.parametrize("args,code,reason,message", [
    (["exit", "0"], 0, "Completed", ""),
    (["exit", "3"], 3, "Error", ""),
    (["trap"], 134, "Error", "unreachable"),
])
def test_exit_codes(rt, pod, args, code, reason, message):
    r = rt.runtime()
    _, st = run_to_exit(r, pod, ctr_config("exit-" + "-".join(args), rt.refs["probe"], args=args))
    assert (st.exit_code, st.reason) == (code, reason)
    assert message in st.message


def test_command_args_env_and_working_dir(rt, pod):
    r = rt.runtime()
    ref = rt.refs["probe"]
    # args replaces Cmd, Entrypoint stays
    cid, _ = run_to_exit(r, pod, ctr_config("args1", ref, args=["args", "x y"]))
    assert stdout_text(rt.pod_logs / "args1.log") == ["/bin/probe.wasm", "args", "x y"]
    # command replaces Entrypoint and drops Cmd
    cid, _ = run_to_exit(r, pod, ctr_config("cmd1", ref, command=["/bin/probe.wasm", "args"]))
    assert stdout_text(rt.pod_logs / "cmd1.log") == ["/bin/probe.wasm", "args"]
    # env: the image's plus the container's, the container's wins; HOSTNAME is the pod's
    cid, _ = run_to_exit(r, pod, ctr_config("env1", ref, args=["env", "FROM_IMAGE", "OVERRIDE", "MINE",
                                                               "HOSTNAME"],
                                            env={"OVERRIDE": "container", "MINE": "1"}))
    assert stdout_text(rt.pod_logs / "env1.log") == ["FROM_IMAGE=yes", "OVERRIDE=container", "MINE=1",
                                                     "HOSTNAME=ctrs"]
    # the image's WorkingDir, and an explicit one, reach the guest as $PWD (WASI has no cwd)
    run_to_exit(r, pod, ctr_config("wd1", ref, args=["env", "PWD"]))
    assert stdout_text(rt.pod_logs / "wd1.log") == ["PWD=/work"]
    run_to_exit(r, pod, ctr_config("wd2", ref, args=["env", "PWD"], working_dir="/data"))
    assert stdout_text(rt.pod_logs / "wd2.log") == ["PWD=/data"]


def test_directory_and_file_mounts_read_only_and_escape(rt, pod, tmp_path):
    r = rt.runtime()
    rw, ro = tmp_path / "rw", tmp_path / "ro"
    rw.mkdir()
    ro.mkdir()
    (ro / "in-ro.txt").write_text("read only\n")
    (tmp_path / "hosts").write_text("127.0.0.1 pod-hosts\n")
    os.symlink("/etc", rw / "out")
    mounts = [("/rw", str(rw), False), ("/ro", str(ro), True), ("/etc/hosts", str(tmp_path / "hosts"), True)]
    args = ["write", "/rw/new.txt", "from wasm", "--", "cat", "/ro/in-ro.txt", "--", "cat", "/etc/hosts",
            "--", "write", "/ro/nope.txt", "x"]
    _, st = run_to_exit(r, pod, ctr_config("mounts", rt.refs["probe"], args=args, mounts=mounts))
    out = stdout_text(rt.pod_logs / "mounts.log")
    assert (rw / "new.txt").read_text() == "from wasm"
    assert out[:3] == ["wrote /rw/new.txt", "read only", "127.0.0.1 pod-hosts"]
    assert out[3].startswith("error: /ro/nope.txt") and st.exit_code == 1
    assert not (ro / "nope.txt").exists()
    # a symlink in a mount that points out of it is not followed out
    _, st = run_to_exit(r, pod, ctr_config("escape", rt.refs["probe"], args=["cat", "/rw/out/hostname"],
                                           mounts=mounts))
    assert st.exit_code == 1
    assert stdout_text(rt.pod_logs / "escape.log")[0].startswith("error:")
    assert [m.container_path for m in status(r, _).mounts] == ["/rw", "/ro", "/etc/hosts"]


def test_module_named_through_symlinks_and_dots_is_resolved_inside_the_view(rt, pod, tmp_path):
    """Create opens a plainly named module as written, and any other inside its root (issue 18):
    a symlink or a ".." on the way still resolves inside the view, never on the host."""
    r = rt.runtime()
    m = tmp_path / "m"
    (m / "real").mkdir(parents=True)
    shutil.copy(PROBE, m / "real" / "probe.wasm")
    shutil.copy(HOSTMARK, tmp_path / "host.wasm")
    os.symlink("/real/probe.wasm", m / "link.wasm")  # absolute: inside the mount
    os.symlink(str(tmp_path / "host.wasm"), m / "host.wasm")  # the host's file: not in the view
    mounts = [("/m", str(m), True)]
    for name, program in (("plain", "/m/real/probe.wasm"), ("link", "/m/link.wasm"),
                          ("dots", "/work/../../bin/probe.wasm")):
        _, st = run_to_exit(r, pod, ctr_config("via-" + name, rt.refs["probe"],
                                               command=[program, "hello"], mounts=mounts))
        assert st.exit_code == 0
        assert stdout_text(rt.pod_logs / f"via-{name}.log") == ["hello from wasm"]
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("via-host", rt.refs["probe"], command=["/m/host.wasm"],
                                  mounts=mounts))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_rootfs_writes_go_to_the_container_layer(rt, pod):
    r = rt.runtime()
    a, st = run_to_exit(r, pod, ctr_config("layer-a", rt.refs["probe"],
                                           args=["write", "/data/hello.txt", "changed"]))
    assert st.exit_code == 0
    _, st = run_to_exit(r, pod, ctr_config("layer-b", rt.refs["probe"], args=["cat", "/data/hello.txt"]))
    assert stdout_text(rt.pod_logs / "layer-b.log") == ["image file"]
    assert (rt.root / "containers" / a / "upper" / "data" / "hello.txt").read_text() == "changed"
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=a))
    assert not (rt.root / "containers" / a).exists()


def mounted(path):
    return any(line.split()[4] == str(path) for line in open("/proc/self/mountinfo"))


def test_writable_layer_is_made_at_the_first_write(rt, pod):
    """A container that only reads its image gets no layer (no directories, no mount);
    its first write under "/" makes one, and the image's files read the same through it."""
    r = rt.runtime()
    reader = create(r, pod, ctr_config("lazy-r", rt.refs["probe"],
                                       args=["cat", "/data/hello.txt", "--", "sleep", "30"]))
    start(r, reader)
    writer = create(r, pod, ctr_config("lazy-w", rt.refs["probe"],
                                       args=["cat", "/data/hello.txt", "--", "write", "/data/new",
                                             "x\n", "--", "cat", "/data/new", "--", "cat",
                                             "/data/hello.txt", "--", "sleep", "30"]))
    start(r, writer)
    deadline = time.monotonic() + 10
    log = rt.pod_logs / "lazy-w.log"
    while (not log.exists() or len(stdout_text(log)) < 4) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stdout_text(rt.pod_logs / "lazy-r.log")[0] == "image file"
    assert stdout_text(rt.pod_logs / "lazy-w.log")[:4] == ["image file", "wrote /data/new", "x",
                                                           "image file"]
    assert not (rt.root / "containers" / reader).exists()
    assert mounted(rt.root / "containers" / writer / "rootfs")
    assert (rt.root / "containers" / writer / "upper" / "data" / "new").read_text() == "x\n"
    for cid in (reader, writer):
        r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0))
        r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    assert not mounted(rt.root / "containers" / writer / "rootfs")
    assert not (rt.root / "containers" / writer).exists()


def made_by(path):
    st = path.stat()
    return st.st_uid, st.st_gid


def test_run_as_user_group_and_supplemental_groups(rt, pod, tmp_path):
    """Files are reached as the container's user: a directory it owns and one of its
    supplemental group take writes, a root-only one refuses them; what it creates is its.
    The host side of a mount is reached as kubelet made it (pytest's 0700 parents)."""
    own, grp, rootonly = tmp_path / "own", tmp_path / "grp", tmp_path / "rootonly"
    for d in (own, grp, rootonly):
        d.mkdir()
    os.chown(own, 1000, 1000)
    os.chown(grp, 0, 2000)
    os.chmod(grp, 0o770)
    mounts = [("/own", str(own), False), ("/grp", str(grp), False),
              ("/rootonly", str(rootonly), False)]
    _, st = run_to_exit(rt.runtime(), pod, ctr_config(
        "as-user", rt.refs["probe"], mounts=mounts, user=(1000, 1000), groups=[2000],
        args=["write", "/own/a", "x", "--", "write", "/grp/b", "y", "--", "write",
              "/rootonly/c", "z"]))
    out = stdout_text(rt.pod_logs / "as-user.log")
    assert out[:2] == ["wrote /own/a", "wrote /grp/b"], out
    assert out[2].startswith("error: /rootonly/c") and st.exit_code == 1, out
    assert made_by(own / "a") == (1000, 1000) and made_by(grp / "b") == (1000, 1000)
    assert not (rootonly / "c").exists()
    u = st.user.linux
    assert (u.uid, u.gid, list(u.supplemental_groups)) == (1000, 1000, [2000])


def test_image_user_and_names_from_its_etc(rt, pod, tmp_path):
    """The image's User "app:staff" is 1001:3000 by its /etc/passwd and /etc/group;
    run_as_username "app" takes app's group (1002); run_as_user overrides the image's;
    a name the image lacks fails CreateContainer."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    r = rt.runtime()
    for name, kw, want in (("img-user", {}, (1001, 3000)),
                           ("by-name", {"username": "app"}, (1001, 1002)),
                           ("by-uid", {"user": (4000, None)}, (4000, 0))):
        _, st = run_to_exit(r, pod, ctr_config(name, rt.refs["probe-user"], mounts=[
            ("/shared", str(shared), False)], args=["write", "/shared/" + name, "x"], **kw))
        assert st.exit_code == 0, st.message
        assert made_by(shared / name) == want, name
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("no-such", rt.refs["probe-user"], username="nobody-here"))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "nobody-here" in e.value.details()


def cgroups_of(pid):
    """{controller: path} from /proc/PID/cgroup ("unified" for the v2 line)."""
    out = {}
    for line in open(f"/proc/{pid}/cgroup"):
        _, controllers, path = line.rstrip("\n").split(":", 2)
        for c in controllers.split(","):
            out[c or "unified"] = path
    return out


def worker_pid(r, cid):
    info = r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True)).info
    return json.loads(info["info"])["pid"]


def test_workers_join_the_pods_cgroup(rt, tmp_path):
    """Kubelet makes a pod's cgroup (cgroup_parent, here with the cgroupfs driver) and
    sets the pod's limits on it: every worker of the pod runs in it, and a container
    with a memory limit in a group of its own inside it, from the moment
    StartContainer answers."""
    name = "wasmcri-test-%d" % os.getpid()
    v1 = os.path.isdir("/sys/fs/cgroup/memory")
    hierarchies = [h for h in ("memory", "cpu", "cpuacct", "pids")
                   if os.path.isdir("/sys/fs/cgroup/" + h)]
    made = [f"/sys/fs/cgroup/{h}/{name}/pod1" for h in hierarchies] if v1 else \
        [f"/sys/fs/cgroup/{name}/pod1"]
    for d in made:
        os.makedirs(d)
    try:
        r = rt.runtime()
        pid = run_pod(r, pod_config("cg", tmp_path, cgroup_parent=f"/{name}/pod1"))
        plain = create(r, pid, ctr_config("plain", rt.refs["probe"], args=["sleep", "30"]))
        limited = create(r, pid, ctr_config("limited", rt.refs["probe"], args=["sleep", "30"],
                                            memory=64 << 20))
        for cid in (plain, limited):
            start(r, cid)  # the zygote puts the worker in its groups before this answers
        pod_group = f"/{name}/pod1"
        got = cgroups_of(worker_pid(r, plain)), cgroups_of(worker_pid(r, limited))
        if v1:
            assert all(got[0][h] == pod_group for h in hierarchies), got[0]
            own = f"{pod_group}/wasmcri-{limited}"
            assert (got[1]["memory"], got[1]["cpu"], got[1].get("pids", pod_group)) == \
                (own, own, pod_group)
            limit = open(f"/sys/fs/cgroup/memory{pod_group}/wasmcri-{limited}/"
                         "memory.limit_in_bytes").read()
            assert int(limit) >= 64 << 20
        else:
            assert got[0]["unified"] == pod_group + "/wasmcri"
            assert got[1]["unified"] == f"{pod_group}/wasmcri-{limited}"
        # an ExecSync's worker runs in its container's groups too
        execs = []
        t = threading.Thread(target=lambda: execs.append(r.ExecSync(pb.ExecSyncRequest(
            container_id=plain, cmd=["/bin/probe.wasm", "sleep", "2"], timeout=10), timeout=30)))
        t.start()
        known = {worker_pid(r, plain), worker_pid(r, limited)}
        z, exec_pid, deadline = rt.zygote_pid(), None, time.monotonic() + 5
        while exec_pid is None and time.monotonic() < deadline:
            for c in open(f"/proc/{z}/task/{z}/children").read().split():
                try:  # a child can end between the two reads (a spare replaced)
                    comm = open(f"/proc/{c}/comm").read().strip()
                except OSError:
                    continue
                if int(c) not in known and comm == "wasmcri-worker":
                    exec_pid = int(c)
            time.sleep(0.01)
        got_exec = cgroups_of(exec_pid)
        t.join()
        assert execs and execs[0].exit_code == 0
        if v1:
            assert all(got_exec[h] == pod_group for h in hierarchies), got_exec
        else:
            assert got_exec["unified"] == pod_group + "/wasmcri"
        r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
        assert not any(os.path.exists(f"{d}/wasmcri-{limited}") for d in made)
    finally:  # a killed worker leaves the group when it has exited: retry a little
        for d in made:
            for path in (os.path.join(d, "wasmcri"), d, os.path.dirname(d)):
                for _ in range(200):
                    try:
                        os.rmdir(path)
                        break
                    except FileNotFoundError:
                        break
                    except OSError:
                        time.sleep(0.01)


def test_cpu_quota_and_shares(rt, pod):
    """A CPU limit gets the container a group of its own with the quota and shares;
    a guest spinning for 1 s of wall time then gets about 0.1 s of CPU."""
    r = rt.runtime()
    cfg = ctr_config("cpu-q", rt.refs["probe"], args=["burn", "1000"])
    cfg.linux.resources.cpu_quota, cfg.linux.resources.cpu_period = 10000, 100000
    cfg.linux.resources.cpu_shares = 512
    cid = create(r, pod, cfg)
    start(r, cid)
    info = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(
        container_id=cid, verbose=True)).info["info"])
    group = info["cgroup"]
    v1 = os.path.isdir("/sys/fs/cgroup/cpu")
    if v1:
        assert cgroups_of(info["pid"])["cpu"] == "/" + group
        cpu = f"/sys/fs/cgroup/cpu/{group}/"
        assert (open(cpu + "cpu.cfs_quota_us").read().strip(),
                open(cpu + "cpu.shares").read().strip()) == ("10000", "512")
    else:
        assert open(f"/sys/fs/cgroup/{group}/cpu.max").read().split() == ["10000", "100000"]
    assert wait_state(r, cid, pb.CONTAINER_EXITED, timeout=20).exit_code == 0
    if v1:
        used_ns = int(open(f"/sys/fs/cgroup/cpuacct/{group}/cpuacct.usage").read())
    else:
        stat = dict(line.split() for line in open(f"/sys/fs/cgroup/{group}/cpu.stat"))
        used_ns = int(stat["usage_usec"]) * 1000
    assert used_ns < 300_000_000, used_ns  # unlimited, the spin would take ~1 s of CPU
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    assert not os.path.exists(f"/sys/fs/cgroup/cpu/{group}" if v1 else f"/sys/fs/cgroup/{group}")


def test_readonly_rootfs(rt, pod):
    r = rt.runtime()
    _, st = run_to_exit(r, pod, ctr_config("rofs", rt.refs["probe"], readonly_rootfs=True,
                                           args=["cat", "/data/hello.txt", "--", "write", "/data/x", "y"]))
    out = stdout_text(rt.pod_logs / "rofs.log")
    assert out[0] == "image file" and out[1].startswith("error: /data/x") and st.exit_code == 1


def test_stop_a_container_stuck_in_a_loop(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("spin", rt.refs["probe"], args=["spin"]))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    time.sleep(0.2)
    assert status(r, cid).state == pb.CONTAINER_RUNNING
    info = json.loads(r.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True))
                      .info["info"])
    assert info["args"] == ["/bin/probe.wasm", "spin"] and info["module"].endswith("/bin/probe.wasm")
    proc = dict(line.split(":", 1) for line in open(f"/proc/{info['pid']}/status"))
    assert proc["Name"].strip() == "wasmcri-worker"
    assert proc["NoNewPrivs"].strip() == "1" and proc["Seccomp"].strip() == "2"
    assert int(proc["CapEff"], 16) == (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3)  # chown, dac, fowner
    assert int(proc["CapBnd"], 16) == int(proc["CapEff"], 16)  # no more in the bounding set
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=30))
    st = status(r, cid)
    # SIGTERM ended the loop at once: the end of the 30 s grace period would have killed it (137)
    assert (st.state, st.exit_code, st.reason) == (pb.CONTAINER_EXITED, 143, "Error")
    r.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=30))  # idempotent
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))  # idempotent


def test_memory_limit_is_oom_killed(rt, pod):
    r = rt.runtime()
    _, st = run_to_exit(r, pod, ctr_config("oom", rt.refs["probe"], args=["alloc", "64"],
                                           memory=4 << 20))
    assert st.reason == "OOMKilled" and st.exit_code != 0


def test_log_path_in_a_subdirectory_of_the_pod_log_directory(rt, pod):
    r = rt.runtime()
    cfg = ctr_config("sublog", rt.refs["probe"])
    cfg.log_path = "sublog/0.log"
    _, st = run_to_exit(r, pod, cfg)
    assert st.exit_code == 0 and st.log_path == str(rt.pod_logs / "sublog" / "0.log")
    assert stdout_text(rt.pod_logs / "sublog" / "0.log") == ["hello from wasm"]


def test_too_long_log_path_is_invalid_argument(rt, pod):
    """The pod's log directory and the container's log_path are joined into a bounded buffer:
    one that does not fit is refused by name, never cut to another file's name."""
    cfg = ctr_config("longlog", rt.refs["probe"])
    cfg.log_path = "/".join(["d" * 200] * 45) + "/0.log"
    with pytest.raises(grpc.RpcError) as e:
        create(rt.runtime(), pod, cfg)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value.details()
    assert "path too long" in e.value.details()


def test_artifact_image_runs(rt, pod):
    r = rt.runtime()
    _, st = run_to_exit(r, pod, ctr_config("art", rt.refs["artifact"], args=["hello"]))
    assert st.exit_code == 0
    assert stdout_text(rt.pod_logs / "art.log") == ["hello from wasm"]


def test_image_without_wasm_is_failed_precondition(rt, pod):
    """(Its Entrypoint /bin/sh would run the toolbox's sh: test_toolbox.py.)"""
    with pytest.raises(grpc.RpcError) as e:
        create(rt.runtime(), pod, ctr_config("linux", rt.refs["linux"], command=["/bin/app"]))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rt.refs["linux"] in e.value.details() and "/bin/app" in e.value.details()


def test_errors_and_names(rt, pod):
    r = rt.runtime()
    cid = create(r, pod, ctr_config("dup", rt.refs["probe"], args=["exit", "0"]))
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("dup", rt.refs["probe"]))
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    create(r, pod, ctr_config("dup", rt.refs["probe"], attempt=1))
    start(r, cid)
    with pytest.raises(grpc.RpcError) as e:
        start(r, cid)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    r.StopContainer(pb.StopContainerRequest(container_id="f" * 64))  # nothing left to stop
    for call, req in [(r.StartContainer, pb.StartContainerRequest(container_id="f" * 64)),
                      (r.ContainerStatus, pb.ContainerStatusRequest(container_id="f" * 64))]:
        with pytest.raises(grpc.RpcError) as e:
            call(req)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        create(r, "f" * 64, ctr_config("nopod", rt.refs["probe"]))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        create(r, pod, ctr_config("noimage", "127.0.0.1:1/none:latest"))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_list_filters(rt, tmp_path):
    r = rt.runtime()
    pid = run_pod(r, pod_config("filters", tmp_path))
    a = create(r, pid, ctr_config("fa", rt.refs["probe"], args=["sleep", "30"], labels={"k": "1"}))
    b = create(r, pid, ctr_config("fb", rt.refs["probe"], labels={"k": "2"}))
    start(r, a)
    wait_state(r, a, pb.CONTAINER_RUNNING)

    def ids(**f):
        return {c.id for c in r.ListContainers(pb.ListContainersRequest(
            filter=pb.ContainerFilter(**f))).containers}

    assert ids(pod_sandbox_id=pid) == {a, b}
    assert ids(id=a[:10]) == {a}
    assert ids(pod_sandbox_id=pid, label_selector={"k": "2"}) == {b}
    assert ids(pod_sandbox_id=pid, state=pb.ContainerStateValue(state=pb.CONTAINER_RUNNING)) == {a}
    assert ids(pod_sandbox_id=pid, state=pb.ContainerStateValue(state=pb.CONTAINER_CREATED)) == {b}
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    assert ids(pod_sandbox_id=pid) == set()


def test_fields_set_after_create_show_in_lists(rt, tmp_path):
    """A record is packed in one block when it is published, the strings every container of
    an image holds alike shared (issue 18): what changes afterwards (state, exit, reason,
    message, resources, the module's key) still shows in the lists and the status, and a
    shared string outlives the removal of one of its holders."""
    r = rt.runtime()
    pid = run_pod(r, pod_config("changed", tmp_path))
    a = create(r, pid, ctr_config("ca", rt.refs["probe"], args=["sleep", "30"], labels={"k": "a"}))
    b = create(r, pid, ctr_config("cb", rt.refs["probe"], args=["exit", "3"]))

    def listed():
        return {c.id: c for c in r.ListContainers(pb.ListContainersRequest(
            filter=pb.ContainerFilter(pod_sandbox_id=pid))).containers}

    assert {c.state for c in listed().values()} == {pb.CONTAINER_CREATED}
    start(r, a)
    start(r, b)
    wait_state(r, a, pb.CONTAINER_RUNNING)
    st = wait_state(r, b, pb.CONTAINER_EXITED)
    assert (st.exit_code, st.reason) == (3, "Error")
    now = listed()
    assert (now[a].state, now[b].state) == (pb.CONTAINER_RUNNING, pb.CONTAINER_EXITED)
    assert now[a].labels == {"k": "a"} and now[a].metadata.name == "ca"
    assert now[a].image_ref == now[b].image_ref and now[a].image.image == now[b].image.image
    r.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=a, linux=pb.LinuxContainerResources(cpu_quota=20000, cpu_period=100000)))
    res = r.ContainerStatus(pb.ContainerStatusRequest(container_id=a)).status.resources.linux
    assert (res.cpu_quota, res.cpu_period) == (20000, 100000)
    stats = r.ListContainerStats(pb.ListContainerStatsRequest(
        filter=pb.ContainerStatsFilter(pod_sandbox_id=pid))).stats
    assert {s.attributes.id for s in stats} == {a, b}
    image_ref = now[b].image_ref
    r.RemoveContainer(pb.RemoveContainerRequest(container_id=b))
    assert listed()[a].image_ref == image_ref and status(r, a).image_ref == image_ref
    r.StopContainer(pb.StopContainerRequest(container_id=a, timeout=0))
    st = status(r, a)
    assert (st.state, st.exit_code, st.reason) == (pb.CONTAINER_EXITED, 137, "Error")
    assert listed()[a].state == pb.CONTAINER_EXITED
    r.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
