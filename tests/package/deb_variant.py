"""Newer versions of a built .deb for the upgrade tests: the package unpacked with dpkg-deb -R,
its version raised and (optionally) its conffiles' content changed, and packed again with
dpkg-deb -b, as a rebuild with a bumped changelog would give. Only conffiles change, and
dh_md5sums lists none of them, so DEBIAN/md5sums stays true."""
import pathlib
import subprocess


def make_variant(deb, out_dir, version, conffiles=None):
    """deb as Version `version`, each {conffile path: new text} of `conffiles` written in."""
    out_dir = pathlib.Path(out_dir)
    tree = out_dir / f"tree-{version}"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True, timeout=60)
    control = tree / "DEBIAN" / "control"
    lines = [f"Version: {version}" if ln.startswith("Version:") else ln
             for ln in control.read_text().splitlines()]
    control.write_text("\n".join(lines) + "\n")
    listed = (tree / "DEBIAN" / "conffiles").read_text().split()
    for path, text in (conffiles or {}).items():
        assert path in listed, f"{path} is not a conffile of {deb}"
        (tree / path.lstrip("/")).write_text(text)
    out = out_dir / f"wasmcri_{version}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(tree), str(out)], check=True,
                   timeout=120, capture_output=True)
    return out
