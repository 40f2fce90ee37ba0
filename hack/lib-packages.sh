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
