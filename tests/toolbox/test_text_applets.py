"""Text applets of toolbox.wasm against Debian's busybox (difftest.py): cat head tail wc grep
sed cut tr sort uniq tee seq basename dirname base64 md5sum sha256sum."""
import hashlib
import os
import subprocess
import time

import pytest

from difftest import differ, make_tree, run_toolbox, toolbox_cmd

LINES = "".join(f"line {i} {'even' if i % 2 == 0 else 'odd'}\n" for i in range(1, 31))
TEXT = {
    "lines": LINES,
    "words": "Hello world\nfoo  bar baz\n\n  indented Hello\nHELLO again\nlast without newline",
    "table": "b:2:x\na:10:y\nc:1:z\na:10:y\nB:3:w\n",
    "nums": "10\n9\n-1\n2.5\n100\n9\n",
    "empty": "",
    "dir/inner": "inner hello\n",
    "bin": bytes(range(256)),
}

CASES = [
    # cat
    ["cat", "words"], ["cat", "lines", "words"], ["cat", "-n", "words"], ["cat", "-"],
    ["cat", "nope"], ["cat", "words", "nope", "lines"], ["cat", "bin"], ["cat", "empty"],
    # head / tail
    ["head", "lines"], ["head", "-n", "3", "lines"], ["head", "-n", "-27", "lines"],
    ["head", "-c", "20", "lines"], ["head", "-c", "-200", "lines"], ["head", "lines", "words"],
    ["head", "-n", "2", "nope"], ["head", "-q", "-n", "1", "lines", "words"],
    ["tail", "lines"], ["tail", "-n", "3", "lines"], ["tail", "-n", "+28", "lines"],
    ["tail", "-c", "15", "lines"], ["tail", "-c", "+300", "lines"], ["tail", "-n", "2", "words"],
    ["tail", "-n", "1", "lines", "words"], ["tail", "nope"], ["tail", "-n", "0", "lines"],
    # counts past 64 bits are refused (strtoll's clamp printed everything)
    ["head", "-n", "99999999999999999999", "lines"], ["tail", "-n", "99999999999999999999", "lines"],
    ["head", "-n", "-1", "words"], ["head", "-n", "-2", "lines"],
    # wc
    ["wc", "words"], ["wc", "-l", "lines"], ["wc", "-w", "words"], ["wc", "-c", "bin"],
    ["wc", "lines", "words"], ["wc", "-l"], ["wc", "nope"], ["wc", "-lw", "words", "empty"],
    # grep
    ["grep", "Hello", "words"], ["grep", "-i", "hello", "words"], ["grep", "-v", "o", "words"],
    ["grep", "-n", "even", "lines"], ["grep", "-c", "odd", "lines"], ["grep", "-q", "foo", "words"],
    ["grep", "-q", "zzz", "words"], ["grep", "-l", "Hello", "words", "lines", "dir/inner"],
    ["grep", "-E", "line (1|2)0", "lines"], ["grep", "line [12]0", "lines"],
    ["grep", "-w", "bar", "words"], ["grep", "-x", "line 3 odd", "lines"],
    ["grep", "-o", "[0-9]*0", "lines"], ["grep", "-F", "a.b", "words"], ["grep", "-e", "foo",
                                                                          "-e", "again", "words"],
    ["grep", "-r", "hello", "dir"], ["grep", "-rn", "hello", "dir"], ["grep", "-h", "Hello",
                                                                       "words", "dir/inner"],
    ["grep", "x", "nope"], ["grep", "-s", "x", "nope"], ["grep", "-E", "(", "words"],
    ["grep", "-in", "HELLO", "-"], ["grep", "-L", "Hello", "words", "lines"],
    # sed
    ["sed", "s/o/0/", "words"], ["sed", "s/o/0/g", "words"], ["sed", "-n", "2,4p", "lines"],
    ["sed", "-n", "/even/p", "lines"], ["sed", "3q", "lines"], ["sed", "5,$d", "lines"],
    ["sed", "-n", "$p", "lines"], ["sed", "-n", "$=", "lines"], ["sed", "/odd/d", "lines"],
    ["sed", "-E", "s/(line) ([0-9]+)/\\2 \\1/", "lines"], ["sed", "s/\\(l*\\)ine/[\\1]/", "lines"],
    ["sed", "-n", "s/hello/X/Ip", "words"], ["sed", "2i\\inserted", "words"],
    ["sed", "1a appended", "words"], ["sed", "y/abc/xyz/", "table"], ["sed", "3,5!d", "lines"],
    ["sed", ":a;N;$!ba;s/\\n/,/g", "table"], ["sed", "1!G;h;$!d", "table"],
    ["sed", "-n", "/line 5 /,/line 8 /p", "lines"], ["sed", "s/x*/-/g", "table"],
    ["sed", "-e", "s/a/A/", "-e", "s/b/B/", "table"], ["sed", "2c\\changed", "table"],
    ["sed", "-n", "2{p;p}", "table"], ["sed", "s/:/\\n/2", "table"], ["sed", "p", "nope"],
    ["sed", "bad", "table"], ["sed", "s/a/b", "table"], ["sed", "=", "table"],
    ["sed", "n;d", "lines"], ["sed", "$!N;s/\\n/ /", "lines"], ["sed", "s/[[:digit:]]\\+/#/g",
                                                                  "table"],
    ["sed", "/^$/d", "words"],
    # cut / tr
    ["cut", "-d:", "-f2", "table"], ["cut", "-d:", "-f1,3", "table"], ["cut", "-d:", "-f2-",
                                                                      "table"],
    ["cut", "-c2-4", "lines"], ["cut", "-c-3,8", "lines"], ["cut", "-d", " ", "-s", "-f2",
                                                            "words"],
    ["cut", "-f1", "nope"], ["cut", "-d:", "-f", "1", "-"],
    ["tr", "a-z", "A-Z"], ["tr", "-d", "aeiou"], ["tr", "-s", " "], ["tr", "-cd", "[:digit:]\\n"],
    ["tr", "[:lower:]", "[:upper:]"], ["tr", "abc", "x"], ["tr", "-s", "a-z"],
    # sort / uniq
    ["sort", "table"], ["sort", "-r", "table"], ["sort", "-u", "table"], ["sort", "-n", "nums"],
    ["sort", "-rn", "nums"], ["sort", "-t:", "-k2n", "table"], ["sort", "-t:", "-k2,2nr",
                                                                "table"],
    ["sort", "-f", "table"], ["sort", "-k2", "words"], ["sort", "nope"], ["sort", "lines", "table"],
    ["sort", "-t:", "-k3", "table"], ["sort", "-nu", "nums"],
    ["uniq", "table"], ["uniq", "-c", "table"], ["uniq", "-d", "table"], ["uniq", "-u", "table"],
    ["uniq", "-i", "-"], ["uniq", "nope"],
    # tee
    ["tee", "out"], ["tee", "-a", "words"], ["tee", "dir/x", "dir/y"], ["tee", "nodir/x"],
    ["tee", "dir"],
    # seq / basename / dirname
    ["seq", "5"], ["seq", "3", "7"], ["seq", "10", "-3", "1"], ["seq", "-w", "8", "11"],
    ["seq", "-s", ",", "1", "0.5", "3"], ["seq", "5", "1"], 
    ["basename", "/a/b/c.txt"], ["basename", "/a/b/c.txt", ".txt"], ["basename", "/a/b/"],
    ["basename", "/"], ["basename", "c"], ["dirname", "/a/b/c"], ["dirname", "a"],
    ["dirname", "/a/b/"], ["dirname", "/"], ["dirname", "a//b"],
    # base64 / sums
    ["base64", "words"], ["base64", "bin"], ["base64", "-w", "0", "lines"], ["base64", "empty"],
    ["base64", "nope"], ["md5sum", "words", "bin", "empty"], ["sha256sum", "words", "bin",
                                                              "empty"],
    ["md5sum", "nope"], ["sha256sum", "-"], ["md5sum", "dir"],
]

# Usage errors: busybox prints its help text, the toolbox a one-line usage; the rest agrees.
USAGE_CASES = [["seq", "x"], ["seq"], ["basename"], ["dirname", "a", "b"],
               ["tr"], ["head", "-x"], ["grep"], ["sort", "-X"],
               ["seq", "1e400"]]  # out of double's range: the usage (strtod's inf looped forever)

# Where busybox lacks what GNU has (seq with negative numbers, q with an exit code, s///Ng):
# the toolbox does what GNU does.
GNU_CASES = [["seq", "-3", "-1"], ["seq", "-1", "-1", "-3"], ["sed", "10q5", "lines"],
             ["sed", "s/a/&&/2g", "table"]]

STDIN = "b x\na  a\nA  b\na  a\nc 3\nc 3\n10 z\n"


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a))
def test_same_as_busybox(tmp_path, args):
    differ(tmp_path, TEXT, args, stdin=STDIN)


@pytest.mark.parametrize("args", USAGE_CASES, ids=lambda a: " ".join(a))
def test_usage_errors_same_as_busybox(tmp_path, args):
    t, _ = differ(tmp_path, TEXT, args, stdin=STDIN, compare_stderr=False)
    assert b"Usage: " + args[0].encode() in t.stderr


@pytest.mark.parametrize("args", GNU_CASES, ids=lambda a: " ".join(a))
def test_same_as_gnu_where_busybox_lacks_it(tmp_path, args):
    differ(tmp_path, TEXT, args, stdin=STDIN, gnu=True)


@pytest.mark.parametrize("args", [["base64", "-d", "enc"], ["md5sum", "-c", "sums"],
                                  ["sha256sum", "-c", "sums256"]])
def test_decode_and_check_same_as_busybox(tmp_path, args):
    files = dict(TEXT)
    files["enc"] = "aGVsbG8g\nd29ybGQK\n"
    files["sums"] = (f"{hashlib.md5(LINES.encode()).hexdigest()}  lines\n"
                     f"{'0' * 32}  words\n")
    files["sums256"] = f"{hashlib.sha256(LINES.encode()).hexdigest()}  lines\n"
    differ(tmp_path, files, args)


# RFC 1321 appendix A.5 and FIPS 180-2 appendix B: the hashes are written here, not compared
# with another implementation only.
VECTORS = [
    (b"", "d41d8cd98f00b204e9800998ecf8427e",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (b"abc", "900150983cd24fb0d6963f7d28e17f72",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0", None),
    (b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a", None),
    (b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", None,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    (b"a" * 1000000, "7707d6ae4e027c70eea2a935c2296f21",
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
]


@pytest.mark.parametrize("data,md5,sha256", VECTORS, ids=lambda v: str(v)[:12])
def test_digests_match_the_published_vectors(tmp_path, data, md5, sha256):
    make_tree(str(tmp_path), {"in": data})
    for applet, want in (("md5sum", md5), ("sha256sum", sha256)):
        if want:
            r = run_toolbox(str(tmp_path), [applet, "in"])
            assert (r.returncode, r.stdout) == (0, f"{want}  in\n".encode())


def test_tail_f_prints_what_is_appended_until_stopped(tmp_path):
    log = tmp_path / "log"
    log.write_text("first\n")
    p = subprocess.Popen(toolbox_cmd(["--dir", f"{tmp_path}:/"], ["tail", "-f", "log"]),
                         stdout=subprocess.PIPE)
    try:
        os.set_blocking(p.stdout.fileno(), False)
        got, deadline = b"", time.monotonic() + 20
        while b"first\n" not in got and time.monotonic() < deadline:
            got += p.stdout.read() or b""
            time.sleep(0.05)
        with open(log, "a") as f:
            f.write("second\n")
        while b"second\n" not in got and time.monotonic() < deadline:
            got += p.stdout.read() or b""
            time.sleep(0.05)
        assert got == b"first\nsecond\n"
        assert p.poll() is None  # still following
    finally:
        p.kill()
        p.wait(timeout=10)


def test_sed_s_without_a_delimiter_is_an_error_not_a_read_past_the_script(tmp_path):
    """`sed s` took the script's terminating NUL for the delimiter and parsed on past it."""
    make_tree(str(tmp_path), TEXT)
    for script, what in (("s", "`s' command"), ("y", "`y' command"), ("\\", "address regex"),
                         ("s\\a\\b\\", "`s' command")):
        r = run_toolbox(str(tmp_path), ["sed", script, "lines"])
        want = f"sed: unterminated {what}\n".encode()
        assert (r.returncode, r.stdout, r.stderr) == (1, b"", want)


# Malformed scripts, patterns, lists and options: a message naming the applet and exit 1 or 2,
# never a trap (exit 134) or a hang.
BAD_INPUT = [["sed", "s/a"], ["sed", "y/ab/c/"], ["sed", "{"], ["sed", "}"], ["sed", "1,p"],
             ["sed", ":"], ["sed", "s/\\(/x/"], ["sed", "-E", "s/(/x/"], ["sed", "-n", "/[/p"],
             ["sed", "-e", "s/a/b/", "-e"], ["grep", "["], ["grep", "-E", "a{1,2"],
             ["sort", "-k0"], ["cut", "-f", "1-0"], ["cut", "-c", ",,,"], ["find", "-name"],
             ["find", "(", "-name", "x"], ["find", "-exec"], ["find", "-exec", ";"],
             ["find", ".", "-maxdepth"], ["head", "-n", "x"], ["tail", "-n", "+x"],
             ["base64", "-w"], ["stat", "-c"], ["md5sum", "-c", "lines"], ["ls", "-z"],
             ["wc", "-z"], ["cp", "a"], ["mv", "a"], ["ln"], ["rm"], ["mkdir"], ["touch"]]


@pytest.mark.parametrize("args", BAD_INPUT, ids=lambda a: " ".join(a))
def test_bad_input_gets_a_message_not_a_trap(tmp_path, args):
    make_tree(str(tmp_path), TEXT)
    r = run_toolbox(str(tmp_path), args, timeout=30)
    assert r.returncode in (1, 2), r
    assert r.stderr.startswith(f"{args[0]}: ".encode()) or r.stderr.startswith(b"Usage: "), r
