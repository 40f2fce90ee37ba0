"""Small helpers the runtime tests share: pod and container configs, waits, log parsing, the
counts a leak would grow."""
import http.server
import os
import re
import threading
import time

from wasmcri_harness import pb

LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([PF]) (.*)$")


def pod_config(name, log_dir, host_network=True, uid=None, **kw):
    ns = pb.NamespaceOption(network=pb.NODE if host_network else pb.POD)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=uid or name + "-uid", namespace="rt"),
        hostname=kw.get("hostname", name), log_directory=str(log_dir),
        dns_config=kw.get("dns"),
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent=kw.get("cgroup_parent", ""),
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)))


def run_pod(rt, cfg):
    return rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg)).pod_sandbox_id


def ctr_config(name, image, args=(), command=(), env=None, mounts=(), working_dir="",
               readonly_rootfs=False, memory=0, labels=None, attempt=0, user=None, username="",
               groups=()):
    """user: (uid, gid) or (uid, None) for security_context's run_as_user/run_as_group."""
    sc = pb.LinuxContainerSecurityContext(readonly_rootfs=readonly_rootfs,
                                          run_as_username=username,
                                          supplemental_groups=list(groups))
    if user is not None:
        sc.run_as_user.CopyFrom(pb.Int64Value(value=user[0]))
        if user[1] is not None:
            sc.run_as_group.CopyFrom(pb.Int64Value(value=user[1]))
    return pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=name, attempt=attempt),
        image=pb.ImageSpec(image=image), command=list(command), args=list(args),
        envs=[pb.KeyValue(key=k, value=v.encode()) for k, v in (env or {}).items()],
        mounts=[pb.Mount(container_path=c, host_path=h, readonly=ro) for c, h, ro in mounts],
        working_dir=working_dir, log_path=name + ".log", labels=labels or {"c": name},
        linux=pb.LinuxContainerConfig(
            resources=pb.LinuxContainerResources(memory_limit_in_bytes=memory),
            security_context=sc))


def create(rt, pod_id, cfg):
    return rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod_id, config=cfg)).container_id


def start(rt, cid):
    rt.StartContainer(pb.StartContainerRequest(container_id=cid))


def running(rt, pod_id, name, args=("sleep", "60"), image="probe", **kw):
    """A started container of the test image rt.refs[image] (the rt fixture's), once RUNNING."""
    r = rt.runtime()
    cid = create(r, pod_id, ctr_config(name, rt.refs[image], args=list(args), **kw))
    start(r, cid)
    assert wait_state(r, cid, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING
    return cid


def exec_sync(rt, cid, cmd, timeout=0):
    return rt.runtime().ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout),
                                 timeout=30)


def status(rt, cid):
    return rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status


def wait_state(rt, cid, state, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        st = status(rt, cid)
        if st.state == state or time.monotonic() > deadline:
            return st
        time.sleep(0.02)


def wait_for(condition, timeout, what):
    """Waits until condition() is true; fails naming what did not happen after timeout s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def run_to_exit(rt, pod_id, cfg, timeout=10):
    cid = create(rt, pod_id, cfg)
    start(rt, cid)
    return cid, wait_state(rt, cid, pb.CONTAINER_EXITED, timeout)


def log_records(path):
    """[(stream, tag, text)] of a CRI log file; asserts every line is well formed."""
    out = []
    for line in path.read_text().splitlines():
        m = LOG_LINE.match(line)
        assert m, f"not a CRI log line: {line!r}"
        out.append((m.group(2), m.group(3), m.group(4)))
    return out


def stdout_text(path):
    return [t for s, _, t in log_records(path) if s == "stdout"]


def http_server(host, reply):
    """A started HTTP server on host (a free port) that answers every GET with the line
    reply % path, for a pod to fetch from; stop it with .shutdown()."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (reply % self.path + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def leak_counts(rt):
    """What a leak would grow: the daemon's fds and threads, the zygote's children."""
    pid, zpid = rt.proc.pid, rt.zygote_pid()
    children = open(f"/proc/{zpid}/task/{zpid}/children").read().split()
    return (len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task")),
            len(children))


def stable_counts(rt, timeout=20):
    """The counts once they held still for half a second (a session's thread ends just
    after its client has read the end)."""
    deadline = time.monotonic() + timeout
    last = leak_counts(rt)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = leak_counts(rt)
        if now == last:
            return now
        last = now
    return last


def settled_counts(rt, base, timeout=20):
    """Waits until the counts are back at base (the spare worker may be refilling)."""
    deadline = time.monotonic() + timeout
    now = leak_counts(rt)
    while now != base and time.monotonic() < deadline:
        time.sleep(0.1)
        now = leak_counts(rt)
    return now


def run_concurrently(fn, n, timeout):
    """fn(i) for i in range(n), each on a thread of its own, all at once: the errors raised
    [(i, repr)] (none: every call returned)."""
    errors = []

    def one(i):
        try:
            fn(i)
        except Exception as e:  # noqa: BLE001 - returned to the test
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return errors


def vm_rss_kib(pid):
    """The resident memory of a process, KiB."""
    return next(int(line.split()[1]) for line in open(f"/proc/{pid}/status")
                if line.startswith("VmRSS"))
