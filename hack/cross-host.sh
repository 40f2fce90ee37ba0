#!/usr/bin/env bash
# Sets up this amd64 host (once) for the engine-only cross build of ARCH (arm64 | armhf) that
# hack/cross.sh ARCH --engine (CI) runs: no cross-build root, so CI on a fresh machine does not
# spend minutes making one (hack/cross-root.sh stays for the full build and the packages).
#   - Debian's cross gcc and C library for ARCH (gcc-TRIPLET, libc6-dev-ARCH-cross: /usr/TRIPLET);
#   - ARCH's jansson and libseccomp (hack/lib-packages.sh's WASMCRI_ENGINE_LIB_PKGS), the only
#     libraries besides libc that the engine-only build links (the spec runner reads wast2json's
#     JSON; `wasmcri` holds the zygote), as multiarch packages: ARCH is added as a foreign
#     architecture, and they (Multi-Arch: same) install beside the host's own, with libc6:ARCH;
#   - qemu-user-static, which runs the results through binfmt_misc (hack/cross.sh registers it);
#     with libc6:ARCH installed, ARCH's ld.so and libraries are where qemu looks by default.
# Nothing of the host may be removed: the install is simulated first and refused if apt would
# remove a package.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hack/lib-packages.sh
source hack/lib-packages.sh

arch=${1:-}
triplet=$(wasmcri_cross_triplet "$arch") || { echo "usage: hack/cross-host.sh arm64|armhf" >&2; exit 2; }
pkgs=("gcc-$triplet" "libc6-dev-$arch-cross" qemu-user-static)
for p in "${WASMCRI_ENGINE_LIB_PKGS[@]}"; do pkgs+=("$p:$arch"); done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  dpkg --add-architecture "$arch"
fi
apt-get update -qq
install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
removed=$("${install[@]}" -s | sed -n 's/^Remv \([^ ]*\).*/\1/p')
if [ -n "$removed" ]; then
  echo "hack/cross-host.sh: installing ${missing[*]} would remove: $removed; not installing" >&2
  exit 1
fi
"${install[@]}" >&2
