# shellcheck shell=bash
# The -dev packages of the libraries wasmcri links: one list, sourced by hack/deps.sh (installed
# for the host) and hack/cross-root.sh (installed as ARCH packages in a cross-build root).
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
