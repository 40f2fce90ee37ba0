#!/usr/bin/env bash
# Makes (once) the cross-build root for ARCH (arm64 | armhf): hack/cross-root.sh ARCH prints its path.
#
# Why a root and not multiarch on the host: libwslay-dev is not "Multi-Arch: same", so installing
# libwslay-dev:ARCH on the host would remove the host's own libwslay-dev. The root is a Debian 12
# amd64 system made by mmdebstrap (Debian's sources, the host's debian.sources) with ARCH added as a
# foreign architecture: crossbuild-essential-ARCH, the ARCH -dev packages of every library wasmcri
# links (hack/lib-packages.sh), and amd64 cmake, protoc-c and debhelper. It serves three uses:
#   - hack/cross.sh compiles on the host with Debian's cross gcc and --sysroot=ROOT (cmake/cross-*.cmake);
#   - qemu-user runs ARCH programs with ROOT as its library prefix (QEMU_LD_PREFIX=ROOT, or the
#     /etc/qemu-binfmt/QEMU_ARCH link hack/cross.sh makes);
#   - `chroot ROOT dpkg-buildpackage -a ARCH` cross-builds a package the Debian way (build-deps met;
#     hack/package.sh ARCH does it).
# Nothing of the root's is installed for ARCH on the host. The root is remade when the package
# list changes. The engine-only build (hack/cross.sh ARCH --engine, CI) needs no root: the host's
# cross gcc and two multiarch libraries (hack/cross-host.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hack/lib-packages.sh
source hack/lib-packages.sh

arch=${1:-}
triplet=$(wasmcri_cross_triplet "$arch") || { echo "usage: hack/cross-root.sh arm64|armhf" >&2; exit 2; }
roots=${WASMCRI_CROSS_ROOTS:-/work/chroots}
root=$roots/bookworm-amd64-$arch

include=("crossbuild-essential-$arch" cmake pkgconf protobuf-c-compiler debhelper)
# hack/package.sh's `dpkg-buildpackage -a ARCH` in the root: the rest of debian/control's
# Build-Depends (clang and wasi-libc build toolbox.wasm; qemu-user runs the ARCH program that
# prints /etc/wasmcri/config.json)
include+=(clang lld wasi-libc libclang-rt-14-dev-wasm32 qemu-user-static)
for p in "${WASMCRI_LIB_PKGS[@]}"; do include+=("$p:$arch"); done
want="${include[*]}"

mkdir -p "$roots"
exec 9>"$roots/.bookworm-amd64-$arch.lock"
flock 9 # another engineer's (or CI step's) hack/cross-root.sh for the same ARCH finishes first
if [ -f "$root/.wasmcri-cross-root" ] && [ "$(cat "$root/.wasmcri-cross-root")" = "$want" ]; then
  echo "$root"
  exit 0
fi

# The host's side: mmdebstrap, the cross compiler, qemu-user (static, so it also runs in chroots).
host_pkgs=(mmdebstrap "gcc-$triplet" qemu-user-static)
missing=()
for p in "${host_pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

rm -rf --one-file-system "$root" "$root.new"
echo "== cross root for $arch: $root (mmdebstrap, a few minutes)" >&2
mmdebstrap --quiet --variant=buildd --architectures="amd64,$arch" --include="$(IFS=,; echo "${include[*]}")" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  bookworm "$root.new" /etc/apt/sources.list.d/debian.sources >&2
# mmdebstrap's root mode can leave the root's /proc mounted (umount: target is busy)
# (and may not: then grep finds nothing, which is no failure)
{ grep -o " $root.new/[^ ]*" /proc/mounts || true; } | sort -r | xargs -r -n1 umount -l
echo "$want" >"$root.new/.wasmcri-cross-root"
mv "$root.new" "$root"
echo "$root"
