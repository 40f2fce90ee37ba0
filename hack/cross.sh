#!/usr/bin/env bash
# Builds wasmcri for ARCH (arm64 | armhf) on this amd64 host and runs its tests under qemu-user:
#   hack/cross.sh ARCH          every program and test; ctest, then the integration files that
#                               can run under emulation (hack/cross-unemulated.txt says what cannot)
#   hack/cross.sh ARCH --engine the engine, WASI and spec tests only (what hack/test.sh runs in CI)
# Everything: it makes the cross-build root first (hack/cross-root.sh: Debian's cross gcc + the ARCH
# libraries), builds in build-ARCH/ with cmake/cross-ARCH.cmake and ROOT as the sysroot, and gives
# qemu ROOT as its library prefix. --engine needs no root: it sets up the host's own cross
# toolchain and ARCH's jansson and libseccomp (hack/cross-host.sh) and builds in build-ARCH-engine/
# with WASMCRI_ENGINE_ONLY (no daemon) and / as the sysroot. Both register qemu-user-static with
# binfmt_misc (so scripts and the daemon can start ARCH programs). It ends with the runners' own
# summary lines. Every emulated run has a time limit (WASMCRI_CROSS_TIMEOUT
# seconds per test, 600 by default).
set -uo pipefail
cd "$(dirname "$0")/.."
arch=${1:-}
scope=${2:-all}
case "$arch" in
  arm64) qemu=aarch64 ;;
  armhf) qemu=arm ;;
  *) echo "usage: hack/cross.sh arm64|armhf [--engine]" >&2; exit 2 ;;
esac
case "$scope" in all | --engine) ;; *) echo "unknown option $scope" >&2; exit 2 ;; esac
per_test=${WASMCRI_CROSS_TIMEOUT:-600}

# armhf: a 32-bit program's readdir() (Debian's libleveldb's, in the image store) fails with
# EOVERFLOW under qemu-user in a directory on ext4, whose directory offsets are 64-bit hashes (a
# real kernel gives 32-bit callers 32-bit ones; qemu cannot ask for them): the store would find
# none of its files when it opens. So armhf's tests keep their files on a tmpfs (small offsets),
# in a directory of /dev/shm of their own (TMPDIR; the store's ctest reads it too).
if [ "$arch" = armhf ]; then
  [ "$(stat -f -c %T /dev/shm)" = tmpfs ] || { echo "/dev/shm is not a tmpfs" >&2; exit 1; }
  TMPDIR=$(mktemp -d /dev/shm/wasmcri-cross-XXXXXX) || exit 1
  export TMPDIR
  trap 'rm -rf --one-file-system "$TMPDIR"' EXIT
fi

if [ "$scope" = --engine ]; then
  bash hack/cross-host.sh "$arch" || exit 1
  root=/ dir=build-$arch-engine engine_only=ON
else
  root=$(bash hack/cross-root.sh "$arch") || exit 1
  dir=build-$arch engine_only=OFF
fi
export WASMCRI_CROSS_ROOT=$root # cmake/cross-common.cmake's sysroot

# binfmt_misc: the kernel hands ARCH ELF files to qemu-ARCH-static (F: opened now, so it works in
# chroots too). Debian's qemu-user-static ships the registration lines in /usr/lib/binfmt.d.
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" || exit 1
[ -e "$binfmt/qemu-$qemu" ] || cat "/usr/lib/binfmt.d/qemu-$qemu.conf" >"$binfmt/register" || exit 1
# qemu looks for ARCH's ld.so and libraries under /etc/qemu-binfmt/QEMU_ARCH (Debian's interp
# prefix), also for programs started with a cleared environment (the toolbox tests): the root.
# Where a file is not there, qemu takes the host's own path, where the engine-only build's
# multiarch libraries are (a host without the link, or one whose link names another root).
if [ "$root" != / ]; then
  mkdir -p /etc/qemu-binfmt && ln -sfn "$root" "/etc/qemu-binfmt/$qemu" || exit 1
fi

echo "== build $dir (cross, $arch)"
cmake --no-warn-unused-cli -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="cmake/cross-$arch.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DWASMCRI_ENGINE_ONLY="$engine_only" >/dev/null || exit 1

# Tests that cannot run under qemu-user, by ctest name or pytest file, with the reason.
unemulated=()
while IFS=$'\t' read -r name why; do
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  case "$name" in
    arm64:* | armhf:*) # one ARCH's (a pytest node id's "::" is no ARCH prefix)
      [ "${name%%:*}" = "$arch" ] || continue
      name=${name#*:} ;;
  esac
  echo "not run under qemu-user: $name ($why)"
  unemulated+=("$name")
done <hack/cross-unemulated.txt
ctest_names=()
for t in "${unemulated[@]}"; do
  case "$t" in tests/*) ;; *) ctest_names+=("${t//./\\.}") ;; esac
done
exclude=$(IFS='|'; echo "^(${ctest_names[*]})\$")

status=0
cmake --build "$dir" -j"$(nproc)" || exit 1 # with WASMCRI_ENGINE_ONLY: what the engine's tests need
if [ "$scope" = --engine ]; then
  echo "== ctest ($dir, qemu-$qemu: engine, WASI, spec)"
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout "$per_test" \
    -R '^(spec_core|spec_runner_skips|engine_.*|run_invoke|unit\.toolbox_embedded|wasi\..*)$' \
    -E "$exclude") || status=1
  exit $status
fi

echo "== ctest ($dir, qemu-$qemu)"
(cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout "$per_test" -E "$exclude") || status=1

# The integration files that run under emulation: the daemon, pulls, pods without containers. The
# others start containers, whose workers the zygote makes with clone3 and confines with a seccomp
# filter: qemu-user emulates neither (hack/cross-unemulated.txt's probes), so none can start.
emulated=(test_runtime_info test_config test_images test_pods test_proto_contract)
files=() deselect=()
for f in "${emulated[@]}"; do files+=("tests/integration/$f.py"); done
others=()
for f in tests/integration/test_*.py; do
  printf '%s\n' "${files[@]}" | grep -qx "$f" || others+=("$(basename "$f" .py)")
done
echo "not run under qemu-user: ${others[*]} (they start containers: clone3 and seccomp)"
for t in "${unemulated[@]}"; do
  case "$t" in *::*) deselect+=(--deselect "$t") ;; esac
done
echo "== pytest integration ($dir, qemu-$qemu: ${#files[@]} files)"
WASMCRI_BUILD=$dir WASMCRI_START_TIMEOUT=120 timeout 3600 /usr/bin/python3 -m pytest -q \
  -p no:cacheprovider --timeout="$per_test" "${deselect[@]}" "${files[@]}" || status=1
exit $status
