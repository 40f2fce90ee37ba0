#!/usr/bin/env python3
"""Differential tests of toolbox.wasm: each case runs the same command line under
`wasmcri run --toolbox` (the applet in a WASI instance: an empty temp dir as "/" and a fresh temp dir $D
mounted at its host path) and under Debian's busybox on the same inputs, and compares stdout and the exit status
(stderr: the same text, or, for cases marked so, both non-empty). Run by ctest:
toolbox_diff.py --wasmcri build/wasmcri --case sh."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

# (name, argv after the applet, stdin, compare stderr exactly)
SH_CASES = [
    ("lists", ["-c", "echo a; false && echo no; false || echo or; true && echo and; echo $?"]),
    ("status", ["-c", "false; echo $?; (exit 7); echo $?; ! true; echo $?"]),
    ("exit", ["-c", "echo before; exit 3; echo after"]),
    ("quoting", ["-c", "x='a  b'; echo $x; echo \"$x\"; echo '$x' \"\\$x\" \\$x; echo \"a\"'b'c"]),
    ("params", ["-c", "echo $0 $# \"$1\" \"$@\"; for a in \"$@\"; do echo \"[$a]\"; done",
                "name", "one", "two words", ""]),
    ("defaults", ["-c", "unset U; E=; echo ${U:-d1} ${E:-d2} ${E-d3} ${U+set} ${E:+nz} ${U:=new}"
                  " $U; echo ${#U}"]),
    ("trim", ["-c", "p=/a/b/c.tar.gz; echo ${p#*/} ${p##*/} ${p%.*} ${p%%.*}"]),
    ("if", ["-c", "if false; then echo 1; elif true; then echo 2; else echo 3; fi"]),
    ("while", ["-c", "i=0; while [ $i -lt 5 ]; do i=$((i+1)); [ $i = 2 ] && continue; "
               "echo $i; [ $i -ge 4 ] && break; done; echo end $i"]),
    ("until", ["-c", "n=3; until [ $n -eq 0 ]; do echo $n; n=$((n-1)); done"]),
    ("for", ["-c", "for x in a 'b c' d; do echo \"<$x>\"; done; for y in; do echo no; done"]),
    ("case", ["-c", "for w in apple b.txt Z '*'; do case $w in a*) echo A;; *.txt|*.md) echo T;;"
              " [A-Z]) echo U;; \\*) echo star;; esac; done"]),
    ("arith", ["-c", "echo $((1+2*3)) $(( (1+2)*3 )) $((7/2)) $((7%3)) $((1<2)) $((-4+1))"
               " $((2==2 && 3>4))"]),
    # arith_wrapped_at_32_bits: $((...)) was C long, 32 bits on wasm32, with undefined overflow
    ("arith_wrapped_at_32_bits", ["-c", "echo $((2147483647+1)) $((9223372036854775807+1))"
                                  " $(( (-9223372036854775807-1)/-1 )) $(( (-9223372036854775807-1)%-1 ))"
                                  " $((99999999999999999999)) $((0x7fffffffffffffff*3)) $((-1<<3))"
                                  " $((1<<65)) $((-(-9223372036854775807-1)))"]),
    ("subst", ["-c", "a=$(echo hi; echo there); echo \"$a\"; echo `echo bq` $(echo $(echo n))"]),
    ("pipes", ["-c", "echo one two | { read a b; echo \"$b $a\"; }; echo x | "
               "while read l; do echo \"-$l\"; done; echo a | echo b; exit 9 | true"]),
    ("redirect", ["-c", "echo a > $D/f; echo b >> $D/f; while read l; do echo \"r $l\"; done "
                  "< $D/f; echo e 1>&2; read x < $D/none; echo $?; echo c >$D/f; read y <$D/f; "
                  "echo $y"], False),
    ("stderr_to_stdout", ["-c", "{ echo out; echo err >&2; } 2>&1; echo x 2>&1 >&2"]),
    ("not_found", ["-c", "nosuchcommand arg; echo $?"], False),
    ("test", ["-c", ": > $D/f; echo x > $D/s; for e in '-d $D' '-f $D/f' '-e $D/x' '-s $D/f' "
              "'-s $D/s' 'a = a' 'a != a' '1 -lt 2' '-z \"\"' '-n x' '! -d $D/f' "
              "'-d $D -a -f $D/f' '-f $D/x -o -d $D' '( -f $D/x )' 'x'; do eval \"[ $e ]\"; "
              "echo \"$e: $?\"; done; test; echo $?; [ 1 -eq 1; echo $?"], False),
    ("errexit", ["-e", "-c", "echo a; false; echo b"]),
    ("errexit_cond", ["-c", "set -e; if false; then :; fi; false || true; ! false; echo alive; "
                      "false; echo dead"]),
    ("export", ["-c", "X=1; export Y=2; sh -c 'echo \"[$X][$Y]\"'; export X; "
                "sh -c 'echo \"[$X]\"'; unset X; echo \"[$X]\""]),
    ("prefix_assign", ["-c", "V=1 sh -c 'echo $V'; echo \"[$V]\""]),
    ("cd", ["-c", "cd $D && pwd && : > rel && test -f $D/rel && echo rel; cd /nonexistent; "
            "echo $?"], False),
    ("read", ["-c", "read a b c; echo \"$a|$b|$c\"; read -r line; echo \"$line\""],
     "1 2 3 4\n back\\slash \n"),
    ("script_stdin", [], "echo from stdin\nexit 5\n"),
    ("syntax_error", ["-c", "if true; then echo x"], False),
    ("heredoc_free_multiline", ["-c", "for i in 1 2\ndo\n  echo $i\ndone\n# comment\necho end"]),
    ("subshell", ["-c", "(cd $D; pwd); pwd; (exit 2) || echo failed $?; x=1; { x=2; }; echo $x"]),
    ("glob", ["-c", ": > $D/g1.txt; : > $D/g2.txt; : > $D/h.md; echo $D/g*.txt; echo \"$D/g*\"; "
              "for f in $D/*.none; do echo \"$f\"; done; echo $D/[gh]*"]),
    ("echo", ["-c", "echo -n a; echo b; echo -e 'x\\ty'; echo -- -n"]),
]

# the runtime applets (argv in full)
RUNTIME_CASES = [
    ("printf", ["printf", "%s-%d|%5.2f|%x|%o|%c|%b|%%|%-4s|%04d\\n", "a", "42", "3.14159", "255",
                "8", "xyz", "x\\ty", "ab", "7"]),
    ("printf_reuse", ["printf", "%s=%s\\n", "a", "1", "b"]),
    ("printf_escapes", ["printf", "\\101\\x42\\t|%b|\\n", "\\0101\\c not"]),
    ("printf_bad_number", ["printf", "%d\\n", "abc"], False),
    ("date", ["date", "-u", "-d", "@86400", "+%Y-%m-%d %H:%M:%S %a"]),
    ("env", ["env", "-i", "A=1", "B=2"]),
    ("env_runs_applet", ["env", "-i", "X=y", "printenv", "X"]),
    ("env_unset", ["env", "-u", "PATH", "-u", "D", "-u", "HOME"]),
    ("printenv", ["printenv", "HOME"]),
    ("printenv_missing", ["printenv", "HOME", "NOPE"]),
    ("sleep", ["sleep", "0.1"]),
    ("sleep_bad", ["sleep", "x"], False),
    # sleep_infinity_returned_at_once: strtod's inf converted to an integer (undefined) slept 0
    ("sleep_infinity_returned_at_once", ["timeout", "0.3", "sleep", "infinity"]),
    ("sleep_inf_any_case", ["timeout", "0.3", "sleep", "INF"]),
    ("sleep_huge", ["timeout", "0.3", "sleep", "18446744073709551615"]),
    ("sleep_suffix_overflow", ["sleep", "18446744073709551615m"]),
    ("sleep_sum_and_suffixes", ["sleep", "0.05s", ".05", "0.001m", "0"]),
    ("sleep_no_exponent", ["sleep", "1e-3"]),
    ("sleep_no_sign", ["sleep", "+1"]),
    ("sleep_decimal_bad_suffix", ["sleep", "1.5x"]),
    ("sleep_inf_not_first", ["sleep", "0", "inf"]),
    ("sleep_two_dots", ["sleep", "1.5.5"], False),
    ("timeout_inf", ["timeout", "inf", "true"]),
    ("timeout_unknown_signal", ["timeout", "-s", "XYZ", "1", "true"]),
    ("test_num", ["test", "10", "-gt", "9"]),
    ("test_str", ["test", "abc", "=", "abd"]),
    ("test_bad", ["test", "1", "-eq", "x"], False),
    ("bracket", ["[", "-n", "x", "]"]),
    ("bracket_missing", ["[", "-n", "x"], False),
    ("echo", ["echo", "-e", "a\\tb\\0101", "-n"]),
    ("echo_n", ["echo", "-n", "no newline"]),
    ("xargs", ["xargs"], "a b\n 'c d' e\\ f\n"),
    ("xargs_n", ["xargs", "-n", "2", "echo", "x"], "1 2 3 4 5\n"),
    ("xargs_I", ["xargs", "-I", "{}", "echo", "<{}>"], "one\ntwo words\n"),
    ("xargs_empty", ["xargs", "echo", "nothing"], ""),
    ("xargs_fails", ["xargs", "false"], "x\n"),
    ("timeout_expires", ["timeout", "0.3", "sleep", "5"]),
    ("timeout_in_time", ["timeout", "5", "sleep", "0.1"]),
    ("timeout_status", ["timeout", "5", "false"]),
    ("true", ["true", "x"]),
    ("false", ["false"]),
]

# applets Debian's busybox lacks: compared with coreutils
COREUTILS_ONLY = {"printenv"}

CASES = {"sh": SH_CASES, "runtime": RUNTIME_CASES}


def norm(case):
    name, args = case[0], case[1]
    stdin = case[2] if len(case) > 2 and isinstance(case[2], str) else ""
    exact_err = not (len(case) > 2 and case[-1] is False)
    return name, args, stdin, exact_err


def run(cmd, stdin, env, cwd):
    p = subprocess.run(cmd, input=stdin.encode(), capture_output=True, env=env, cwd=cwd,
                       timeout=60)
    # killed by a signal (busybox's timeout kills itself with SIGTERM): as a shell reports it
    return (128 - p.returncode if p.returncode < 0 else p.returncode), p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasmcri", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--busybox", default=shutil.which("busybox") or "/bin/busybox")
    a = ap.parse_args()
    if not os.path.exists(a.busybox):
        print(f"busybox missing ({a.busybox}): hack/deps.sh installs it", file=sys.stderr)
        return 1
    failed = 0
    for case in CASES[a.case]:
        name, args, stdin, exact_err = norm(case)
        argv = ["sh"] + args if a.case == "sh" else args
        results = []
        for which in ("toolbox", "busybox"):
            with tempfile.TemporaryDirectory(prefix=f"tb-{name}-") as d, \
                    tempfile.TemporaryDirectory(prefix="tb-root-") as root:
                env = {"PATH": "/usr/bin:/bin", "D": d, "HOME": "/"}
                if which == "toolbox":
                    cmd = [a.wasmcri, "run", "--dir", f"{root}:/", "--dir", f"{d}:{d}"]
                    cmd += sum((["--env", f"{k}={v}"] for k, v in env.items()), [])
                    cmd += ["--toolbox"] + argv
                else:
                    cmd = argv if argv[0] in COREUTILS_ONLY else [a.busybox] + argv
                rc, out, err = run(cmd, stdin, env, "/")
                results.append((rc, out.replace(d.encode(), b"$D"), err.replace(d.encode(), b"$D")))
        (trc, tout, terr), (brc, bout, berr) = results
        ok = trc == brc and tout == bout and (terr == berr if exact_err else bool(terr) == bool(berr))
        if not ok:
            failed += 1
            print(f"FAIL {a.case}/{name}: {args!r}\n  toolbox: rc={trc} out={tout!r} err={terr!r}\n"
                  f"  busybox: rc={brc} out={bout!r} err={berr!r}")
        else:
            print(f"ok   {a.case}/{name}")
    print(f"{len(CASES[a.case]) - failed}/{len(CASES[a.case])} cases agree with busybox")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
