"""The Debian package as an operator meets it, installed by dpkg in a throw-away root
(throwaway_root.py): what it puts where, its unit, the daemon it starts, its conffile across
upgrades (deb_variant.py makes the newer versions), remove and purge, and lintian's verdict.
hack/package.sh builds the package first (hack/test.sh runs both)."""
import gzip
import json
import os
import pathlib
import re
import signal
import subprocess
import sys

from deb_variant import make_variant

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))
from wasmcri_harness import Daemon, pb  # noqa: E402

CONFIG = "/etc/wasmcri/config.json"
UNIT = "/lib/systemd/system/wasmcri.service"
WANTS = "/etc/systemd/system/multi-user.target.wants/wasmcri.service"


def dpkg_status(root):
    r = root.run(["dpkg-query", "-W", "-f=${Status}", "wasmcri"], check=False)
    return r.stdout if r.returncode == 0 else None


def is_enabled(root):
    return root.run(["systemctl", "is-enabled", "wasmcri.service"], check=False).stdout.strip()


def edited(text, **changes):
    cfg = json.loads(text)
    cfg.update(changes)
    return json.dumps(cfg, indent=2) + "\n"


def test_lintian_reports_nothing_that_debian_does_not_override(deb):
    r = subprocess.run(["lintian", "--info", "--pedantic", "--fail-on", "error,warning,info",
                        str(deb)], capture_output=True, text=True, timeout=600)
    tags = [ln for ln in r.stdout.splitlines() if re.match(r"^[EWIPX]: ", ln)]
    assert r.returncode == 0 and not tags, r.stdout + r.stderr


def test_install_puts_the_programs_the_conffile_the_state_dirs_and_the_man_pages(installed,
                                                                               version):
    root = installed
    assert dpkg_status(root) == "install ok installed"
    assert os.readlink(root.path("/usr/bin/wasmcri")) == "../libexec/wasmcri/wasmcri"
    for prog in ("wasmcri", "wasmcri-daemon"):
        assert os.access(root.path(f"/usr/libexec/wasmcri/{prog}"), os.X_OK)
    upstream = version.split("-")[0]
    assert root.run(["wasmcri", "--version"]).stdout == f"wasmcri {upstream}\n"
    # The conffile is what the installed program prints as its defaults, and dpkg knows it so.
    default = root.run(["wasmcri", "config", "default"]).stdout
    assert root.path(CONFIG).read_text() == default
    conffiles = root.run(["dpkg-query", "-W", "-f=${Conffiles}", "wasmcri"]).stdout
    assert f" {CONFIG} " in conffiles
    for d in ("/var/lib/wasmcri", "/run/wasmcri"):
        assert oct(root.path(d).stat().st_mode & 0o7777) == "0o711", d
    for section, page in (("8", "wasmcri"), ("5", "wasmcri-config")):
        where = root.run(["man", "-w", section, page]).stdout.strip()
        assert where == f"/usr/share/man/man{section}/{page}.{section}.gz"


def test_depends_names_the_package_of_every_library_the_programs_link(installed):
    """A static program's libraries are named in Built-Using instead."""
    root = installed
    depends = root.run(["dpkg-query", "-W", "-f=${Depends}", "wasmcri"]).stdout
    named = {d.split()[0] for d in depends.split(", ")}
    for prog in ("wasmcri", "wasmcri-daemon"):
        path = f"/usr/libexec/wasmcri/{prog}"
        ldd = root.run(["ldd", path]).stdout
        assert "not found" not in ldd, ldd
        where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]",
                            root.run(["readelf", "-d", path]).stdout)
        if not needed:  # static-pie (wasmcri on amd64 and arm64): its libraries are built in
            assert "static-pie linked" in root.run(["file", "-L", path]).stdout, prog
            built_using = root.run(["dpkg-query", "-W", "-f=${Built-Using}", "wasmcri"]).stdout
            assert {"glibc", "jansson", "libseccomp"} <= {
                b.split()[0] for b in built_using.split(", ") if b}, built_using
        for lib in (where[soname] for soname in needed):
            owner = root.run(["dpkg-query", "-S", lib], check=False)
            if owner.returncode != 0:  # a link (usrmerge, soname): ask for the file it names
                real = root.run(["readlink", "-f", lib]).stdout.strip()
                owner = root.run(["dpkg-query", "-S", real])
            pkg = owner.stdout.split(":")[0]
            assert pkg in named, f"{prog} loads {lib} of {pkg}, not in Depends: {depends}"


def test_the_unit_verifies_and_is_enabled_at_install(installed):
    root = installed
    unit = root.path(UNIT).read_text()
    assert re.search(r"^ExecStart=/usr/bin/wasmcri$", unit, re.M), unit
    assert re.search(r"^Documentation=man:wasmcri\(8\)$", unit, re.M), unit
    r = root.run(["systemd-analyze", "verify", "wasmcri.service"], check=False)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr
    assert is_enabled(root) == "enabled"
    assert os.readlink(root.path(WANTS)) == UNIT


class PackagedDaemon(Daemon):
    """The installed unit's ExecStart, run in the throw-away root with the packaged defaults."""

    def __init__(self, root, log_dir):
        super().__init__(log_dir)
        self.exec_start = re.search(r"^ExecStart=(.*)$", root.path(UNIT).read_text(),
                                    re.M).group(1).split()
        self.tw_root = root
        self.socket = root.path("/run/wasmcri/wasmcri.sock")
        self.state = root.path("/run/wasmcri")

    def args(self):
        return self.tw_root.command(self.exec_start)


def test_the_units_command_serves_cri_on_the_packaged_socket(installed, version, tmp_path):
    d = PackagedDaemon(installed, tmp_path / "log")
    try:
        d.start(timeout=30)
        v = d.runtime().Version(pb.VersionRequest(), timeout=10)
        assert (v.runtime_name, v.runtime_version) == ("wasmcri", version.split("-")[0])
        assert d.stop(signal.SIGTERM) == 0, d.log()
    finally:
        d.stop(signal.SIGKILL)
        d.kill_zygote()


def test_the_installed_daemon_pulls_with_the_registry_the_operator_adds_to_the_config(
        installed, tmp_path):
    import runtime_images
    reg, refs = runtime_images.start(tmp_path / "images")
    root = installed
    cfg = json.loads(root.path(CONFIG).read_text())
    cfg["registries"] = [{"host": reg.host, "insecure": True}]
    root.path(CONFIG).write_text(json.dumps(cfg, indent=2) + "\n")
    d = PackagedDaemon(root, tmp_path / "log")
    try:
        d.start(timeout=30)
        ref = d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=refs["probe"])),
                                  timeout=120).image_ref
        status = d.image().ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=ref)),
                                       timeout=10)
        assert refs["probe"] in status.image.repo_tags
        assert root.path(f"/var/lib/wasmcri/content/sha256/{ref.split(':')[1]}").exists()
        assert d.stop(signal.SIGTERM) == 0, d.log()
    finally:
        d.stop(signal.SIGKILL)
        d.kill_zygote()
        reg.stop()


def json_keys(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from json_keys(v, f"{prefix}{k}.")


def test_the_config_page_names_every_key_of_the_packaged_config(installed):
    keys = set(json_keys(json.loads(installed.path(CONFIG).read_text())))
    page = gzip.decompress(
        installed.path("/usr/share/man/man5/wasmcri-config.5.gz").read_bytes()).decode()
    words = set(re.findall(r"[a-z_]+", page.replace("\\-", "-")))
    assert keys and not keys - words, f"keys missing from docs/man/wasmcri-config.5: " \
                                      f"{sorted(keys - words)}"


def test_upgrade_keeps_an_edited_config_and_offers_the_new_one_beside_it(installed, deb, version,
                                                                         tmp_path):
    root = installed
    original = root.path(CONFIG).read_text()
    mine = edited(original, log_level="debug", cgroup_driver="systemd")
    root.path(CONFIG).write_text(mine)
    v = version
    # A newer package with the same conffile: the edit stays and nothing is asked.
    same = make_variant(deb, tmp_path, f"{v}+conffile.same")
    root.run(["dpkg", "-i", root.put(same, "/tmp/same.deb")])
    assert root.run(["dpkg-query", "-W", "-f=${Version}", "wasmcri"]).stdout == \
        f"{v}+conffile.same"
    assert root.path(CONFIG).read_text() == mine
    assert not root.path(CONFIG + ".dpkg-dist").exists()
    # A newer package whose conffile changed too: kept (as apt's --force-confold keeps it) and
    # the package's version saved beside it.
    theirs = edited(original, module_cache_mib=48)
    changed = make_variant(deb, tmp_path, f"{v}+conffile.changed", {CONFIG: theirs})
    root.run(["dpkg", "--force-confdef", "--force-confold", "-i",
              root.put(changed, "/tmp/changed.deb")])
    assert root.path(CONFIG).read_text() == mine
    assert root.path(CONFIG + ".dpkg-dist").read_text() == theirs
    assert is_enabled(root) == "enabled"


def test_upgrade_replaces_an_unedited_config_without_asking(installed, deb, version, tmp_path):
    root = installed
    theirs = edited(root.path(CONFIG).read_text(), module_cache_mib=48)
    newer = make_variant(deb, tmp_path, f"{version}+conffile.changed",
                         {CONFIG: theirs})
    root.run(["dpkg", "-i", root.put(newer, "/tmp/newer.deb")])  # stdin is /dev/null: no prompt
    assert root.path(CONFIG).read_text() == theirs


def test_upgrade_keeps_the_unit_disabled_when_the_operator_disabled_it(installed, deb, version,
                                                                       tmp_path):
    root = installed
    root.run(["systemctl", "disable", "wasmcri.service"])
    assert is_enabled(root) == "disabled"
    newer = make_variant(deb, tmp_path, f"{version}+next")
    root.run(["dpkg", "-i", root.put(newer, "/tmp/newer.deb")])
    assert is_enabled(root) == "disabled"


def test_remove_keeps_config_and_images_and_purge_removes_everything(installed):
    root = installed
    mine = edited(root.path(CONFIG).read_text(), log_level="warn")
    root.path(CONFIG).write_text(mine)
    root.run(["mkdir", "-p", "/var/lib/wasmcri/content/sha256"])
    root.path("/var/lib/wasmcri/content/sha256/blob").write_text("an image layer")

    root.run(["dpkg", "-r", "wasmcri"])
    assert dpkg_status(root) == "deinstall ok config-files"
    # The unit's enablement (WANTS) stays until purge, as the config does, as for every
    # Debian service: a reinstall finds the unit as the operator left it.
    for gone in ("/usr/bin/wasmcri", "/usr/libexec/wasmcri", UNIT,
                 "/usr/share/man/man8/wasmcri.8.gz"):
        assert not root.path(gone).exists() and not root.path(gone).is_symlink(), gone
    assert root.path(CONFIG).read_text() == mine
    assert root.path("/var/lib/wasmcri/content/sha256/blob").exists()

    root.run(["dpkg", "--purge", "wasmcri"])
    assert dpkg_status(root) is None
    for gone in ("/etc/wasmcri", "/var/lib/wasmcri", WANTS,
                 "/var/lib/systemd/deb-systemd-helper-enabled/wasmcri.service.dsh-also"):
        assert not root.path(gone).exists() and not root.path(gone).is_symlink(), gone
    leftovers = root.run(["find", "/etc/systemd", "/var/lib/systemd", "-name", "wasmcri*"])
    assert leftovers.stdout == ""
