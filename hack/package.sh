#!/usr/bin/env bash
# Builds the Debian packages of wasmcri into dist/ with dpkg-buildpackage (debian/):
#   hack/package.sh [ARCH...]      ARCH: amd64 (the default: this machine's), arm64, armhf
# Each build runs on a copy of the tree (tracked and untracked, not ignored, files) in a temp
# dir, so the worktree gets no build products. The tests do not run in the package build
# (DEB_BUILD_OPTIONS=nocheck) unless DEB_BUILD_OPTIONS is set: hack/test.sh runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/deps.sh

native=$(dpkg --print-architecture)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=("$native")
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nocheck} parallel=$(nproc)"

work=$(mktemp -d /tmp/wasmcri-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(dpkg-parsechangelog -SVersion)
src="$work/wasmcri-$version"
mkdir -p "$src" dist
git ls-files -z -co --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null --no-recursion -T - -cf - | tar -xf - -C "$src"

for arch in "${archs[@]}"; do
  echo "== package $arch"
  opts=(-us -uc -b)
  if [ "$arch" != "$native" ]; then
    opts+=(-a"$arch" -Pcross,nocheck)
  fi
  (cd "$src" && dpkg-buildpackage "${opts[@]}") >"$work/build-$arch.log" 2>&1 || {
    tail -n 60 "$work/build-$arch.log"
    echo "package.sh: dpkg-buildpackage for $arch failed (the log's end is above)" >&2
    exit 1
  }
  for f in "$work"/wasmcri*_"${version}"_"$arch".*deb; do
    mv "$f" dist/
    echo "dist/$(basename "$f"): $(stat -c %s "dist/$(basename "$f")") bytes"
  done
done
