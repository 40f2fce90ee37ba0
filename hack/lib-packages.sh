# shellcheck shell=bash
# The -dev packages of the libraries wasmcri links: one list, sourced by hack/deps.sh (installed
# for the host) and hack/cross-root.sh (installed as ARCH packages in a cross-build root); the
# engine-only build's part of it and the cross-build triplets (hack/cross-host.sh, cross-root.sh).
WASMCRI_LIB_PKGS=(
  libgrpc-dev libprotobuf-c-dev libcurl4-openssl-dev libssl-dev libarchive-dev libjansson-dev
  libsystemd-dev libleveldb-dev libseccomp-dev
  # HTTP servers with connection upgrades (the streaming server, the metrics endpoint), WebSocket
  # framing, SPDY header compression
  libmicrohttpd-dev libwslay-dev zlib1g-dev
)
# The part of that list the engine-only build links (WASMCRI_ENGINE_ONLY: the engine, WASI, the
# zygote, `wasmcri` and their tests): installed as ARCH packages on the host by hack/cross-host.sh.
WASMCRI_ENGINE_LIB_PKGS=(libjansson-dev libseccomp-dev)

# wasmcri_cross_triplet ARCH: the GNU triplet of a cross-build ARCH (arm64, armhf); fails for another.
wasmcri_cross_triplet() {
  case "$1" in
    arm64) echo aarch64-linux-gnu ;;
    armhf) echo arm-linux-gnueabihf ;;
    *) return 1 ;;
  esac
}
