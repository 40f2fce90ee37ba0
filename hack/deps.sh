#!/usr/bin/env bash
# Installs every Debian package wasmcri needs to build, run and test. Idempotent:
# it does nothing (and asks no registry) when all packages are already installed.
set -euo pipefail
# shellcheck source=hack/lib-packages.sh
source "$(dirname "$0")/lib-packages.sh"

PKGS=(
  # build
  build-essential cmake pkg-config clang lld clang-format
  # libraries the daemon links (hack/lib-packages.sh) and the code generators
  "${WASMCRI_LIB_PKGS[@]}" protobuf-c-compiler protobuf-compiler
  # wasm test programs and the spec suite
  wasi-libc libclang-rt-14-dev-wasm32 wabt nodejs rustc libstd-rust-dev-wasm32
  # tests: gRPC client, registry, image tools, CNI, busybox (the toolbox applets' reference)
  python3 python3-pytest python3-pytest-timeout python3-grpcio python3-protobuf protobuf-compiler-grpc
  python3-prometheus-client
  busybox docker-registry skopeo apache2-utils openssl curl containernetworking-plugins iproute2
  # the Debian package (hack/package.sh) and its test: dpkg-buildpackage with dh, lintian, and
  # systemd-analyze (also for tests/integration/test_systemd.py)
  debhelper lintian systemd
  # sanitizer runtime for clang builds
  libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
