#!/usr/bin/env bash
# The house figures of issue 16, for any commit: hack/house-figures.sh [REV...] (default HEAD).
# For each REV, over its committed C files (*.c, *.h; nothing generated is committed):
#   files and lines per file (median, mean, max);
#   functions and lines per function, counted from the `{` to the `}` that open and close a
#   function body at column 0 (clang-format's Linux braces; files from before the format
#   commit count less exactly): median, mean, p90, max, and how many exceed 50 lines;
#   the error idioms: `r ?:`/`rc ?:` chains, `r == 0`/`rc == 0` tests (and those that are
#   `if (rc == 0)`), TRY( uses;
#   `duplicates` (whole tree of that commit): pairs of places and files read.
# Reads the commits with git archive into a temporary directory; writes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- HEAD
tmp=$(mktemp -d /tmp/wasmcri-house-figures.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

stats() { # numbers on stdin, one a line -> "n median mean p90 max"
  sort -n | awk '{ v[NR] = $1; s += $1 }
    END { if (NR == 0) { print "0 0 0 0 0"; exit }
          printf "%d %d %.1f %d %d\n", NR, v[int((NR + 1) / 2)], s / NR, v[int(NR * 0.9 + 0.5)], v[NR] }'
}

for rev in "$@"; do
  dir=$tmp/$(git rev-parse --short "$rev")
  mkdir -p "$dir"
  git archive "$rev" | tar -x -C "$dir"
  mapfile -t files < <(git ls-tree -r --name-only "$rev" | grep -E '\.[ch]$')
  echo "== $rev ($(git log -1 --format='%h %cd' --date=format:'%Y-%m-%d %H:%M' "$rev"))"
  read -r n med mean p90 max < <(cd "$dir" && wc -l "${files[@]}" | grep -v ' total$' |
    awk '{ print $1 }' | stats)
  echo "C files: $n; lines per file: median $med, mean $mean, p90 $p90, max $max"
  (cd "$dir" && awk '/^\{/ { start = FNR } /^\}/ && start { print FNR - start + 1; start = 0 }
                     FNR == 1 { start = 0 }' "${files[@]}") > "$tmp/fn"
  read -r n med mean p90 max < <(stats < "$tmp/fn")
  long=$(awk '$1 > 50' "$tmp/fn" | wc -l)
  echo "functions: $n; lines per function: median $med, mean $mean, p90 $p90, max $max;" \
    "over 50 lines: $long"
  count() { # matches of a Perl regex over the C files, line breaks included (`rc\n ?: ...`)
    (cd "$dir" && cat "${files[@]}") | perl -0777 -ne "\$n = () = /$1/g; print \$n"
  }
  echo "idioms: 'rc ?:' $(count '\b(?:r|rc)\s*\?:'), 'rc == 0' $(count '\b(?:r|rc) == 0\b')," \
    "'if (rc == 0)' $(count 'if \((?:r|rc) == 0\)'), TRY( $(count '\bTRY\(')"
  echo "duplicates: $(duplicates --repo "$dir" --most 1 --seconds 120 | head -1)"
done
