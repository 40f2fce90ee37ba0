#!/usr/bin/env bash
# Builds the Debian packages of wasmcri into dist/ with dpkg-buildpackage (debian/):
#   hack/package.sh [ARCH...]      ARCH: amd64 (the default: this machine's), arm64, armhf
# Each build runs on a copy of the tree (tracked and untracked, not ignored, files) in a temp
# dir, so the worktree gets no build products. The tests do not run in the package build
# (DEB_BUILD_OPTIONS=nocheck) unless DEB_BUILD_OPTIONS is set: hack/test.sh runs them.
#
# arm64 and armhf cross-build with `dpkg-buildpackage -a ARCH` inside the cross-build root that
# hack/cross-root.sh makes (amd64 Debian 12 with ARCH's -dev packages: nothing of ARCH is
# installed on this machine), in a private mount namespace whose /proc, /dev and /tmp end with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/deps.sh

native=$(dpkg --print-architecture)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=("$native")
options=${DEB_BUILD_OPTIONS-nocheck}
export DEB_BUILD_OPTIONS="${options:+$options }parallel=$(nproc)"
profiles=()
case " $DEB_BUILD_OPTIONS " in *" nocheck "*) profiles=(-Pnocheck) ;; esac
version=$(dpkg-parsechangelog -SVersion)
mkdir -p dist

work=$(mktemp -d /tmp/wasmcri-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # the tests (without nocheck) run some programs of the build tree as nobody
git ls-files -z -co --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null --no-recursion -T - -cf "$work/source.tar"

# The build_ functions run where `set -e` does not hold (in an `||` list): each step is checked.
# build_native DIR: the package for this machine, built in DIR/wasmcri-VERSION.
build_native() {
  mkdir -p "$1/wasmcri-$version" && tar -xf "$work/source.tar" -C "$1/wasmcri-$version" &&
    (cd "$1/wasmcri-$version" && dpkg-buildpackage -us -uc -b "${profiles[@]}")
}

# build_cross ARCH DIR: the package for ARCH, built in the cross-build root; the results land in DIR.
build_cross() {
  local root
  root=$(bash hack/cross-root.sh "$1") && [ -d "$root/usr" ] || return 1
  unshare --mount --propagation private bash -euc '
    arch=$1 root=$2 version=$3 source=$4 out=$5
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 wasmcri-package "$root/tmp"
    mkdir -p "$root/tmp/wasmcri-$version"
    tar -xf "$source" -C "$root/tmp/wasmcri-$version"
    chroot "$root" sh -c "cd /tmp/wasmcri-$version && dpkg-buildpackage -us -uc -b -a$arch -Pcross,nocheck"
    cp "$root/tmp/"*.deb "$out/"
  ' build_cross "$1" "$root" "$version" "$work/source.tar" "$2"
}

for arch in "${archs[@]}"; do
  echo "== package $arch"
  out="$work/$arch"
  mkdir -p "$out"
  case "$arch" in
    "$native") build=(build_native "$out") ;;
    arm64 | armhf) build=(build_cross "$arch" "$out") ;;
    *) echo "package.sh: no build for $arch (amd64, arm64, armhf)" >&2; exit 2 ;;
  esac
  log="dist/wasmcri_${version}_$arch.build.log"
  "${build[@]}" >"$log" 2>&1 || {
    tail -n 60 "$log"
    echo "package.sh: dpkg-buildpackage for $arch failed (the log's end is above; all of it: $log)" >&2
    exit 1
  }
  for f in "$out"/wasmcri*_"${version}"_"$arch".deb; do
    mv "$f" dist/
    echo "dist/$(basename "$f"): $(stat -c %s "dist/$(basename "$f")") bytes"
  done
done
