#!/usr/bin/env bash
# Formats every tracked C file with .clang-format (Debian 12's clang-format 14), or with
# --check lists the files that differ from the formatter's output and exits 1 (CI runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" != "--check" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
drift=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if [ ${#drift[@]} -gt 0 ]; then
  echo "not formatted (run hack/format.sh): ${drift[*]}"
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"
