"""File applets of toolbox.wasm against Debian's busybox (difftest.py): ls mkdir rmdir rm cp mv
ln touch find stat du df, with the errors a user meets: a missing file, a read-only mount, a
file the user may not read, a directory where a file is expected. What WASI cannot show (file
modes, owners, block counts, filesystem sizes) is checked for what it does show."""
import os
import re
import subprocess

import pytest

from difftest import wrap, differ, make_tree, run_toolbox, toolbox_cmd

TREE = {
    "a.txt": "alpha\n",
    "b.log": "beta beta\n",
    "empty": "",
    "d": None,
    "d/one": "1\n",
    "d/two.txt": "22\n",
    "d/sub": None,
    "d/sub/deep.txt": "deep\n",
    "d/.hidden": "h\n",
    "e": None,
    "link": ("link", "a.txt"),
    "big": b"x" * 150000,
    **{f"many/file-{i}-{'x' * (i % 7)}": "" for i in range(40)},
}

CASES = [
    # ls (names and layout; -l is checked below)
    ["ls"], ["ls", "d"], ["ls", "-a", "d"], ["ls", "-A", "d"], ["ls", "-1", "d", "e"],
    ["ls", "-R", "d"], ["ls", "-d", "d"], ["ls", "-r", "d"], ["ls", "-S", "d"], ["ls", "-F"],
    ["ls", "-p", "d"], ["ls", "a.txt", "d"], ["ls", "nope"], ["ls", "nope", "a.txt"],
    ["ls", "-AR1"], ["ls", "-C"], ["ls", "-CF", "d"], ["ls", "-C", "many"],
    # mkdir / rmdir
    ["mkdir", "new"], ["mkdir", "-p", "x/y/z"], ["mkdir", "d"], ["mkdir", "-p", "d/sub"],
    ["mkdir", "no/such"], ["mkdir", "a", "b", "d"],
    ["rmdir", "e"], ["rmdir", "d"], ["rmdir", "nope"], ["rmdir", "a.txt"],
    # rm
    ["rm", "a.txt"], ["rm", "nope"], ["rm", "-f", "nope"], ["rm", "d"], ["rm", "-r", "d"],
    ["rm", "-rf", "d", "nope", "e"], ["rm", "link"], ["rm", "-f"], ["rm", "-r", "."],
    # cp / mv / ln
    ["cp", "a.txt", "c.txt"], ["cp", "a.txt", "d"], ["cp", "a.txt", "b.log", "d"],
    ["cp", "nope", "x"], ["cp", "d", "x"], ["cp", "-r", "d", "x"], ["cp", "-r", "d", "e"],
    ["cp", "a.txt", "no/dir"], ["cp", "-r", "d", "d/sub"],
    ["cp", "big", "big2"], ["cp", "link", "l2"],
    ["mv", "a.txt", "c.txt"], ["mv", "a.txt", "d"], ["mv", "d", "e"], ["mv", "nope", "x"],
    ["mv", "-n", "a.txt", "b.log"],
    ["ln", "-s", "a.txt", "s"], ["ln", "a.txt", "h"], ["ln", "-s", "a.txt", "b.log"],
    ["ln", "-sf", "a.txt", "b.log"], ["ln", "-s", "a.txt", "d"], ["ln", "nope", "x"],
    # touch
    ["touch", "new"], ["touch", "a.txt"], ["touch", "-c", "nope"], ["touch", "no/dir/x"],
    ["touch", "d"],
    # find
    ["find", "d"], ["find", "d", "-name", "*.txt"], ["find", "-type", "d"],
    ["find", ".", "-type", "f", "-name", "[ab]*"], ["find", "d", "-maxdepth", "1"],
    ["find", "d", "-mindepth", "2"], ["find", "-iname", "A.TXT"], ["find", "d", "-empty"],
    ["find", ".", "-empty"], ["find", "d", "!", "-name", "*.txt"],
    ["find", "d", "-name", "one", "-o", "-name", "deep*"], ["find", "d", "-path", "*sub*"],
    ["find", "-size", "+100k"], ["find", "d", "-type", "f", "-exec", "cat", "{}", ";"],
    ["find", "d", "-name", "*.txt", "-exec", "cat", "{}", "+"], ["find", "nope"],
    ["find", "d", "-type", "l"], ["find", "-type", "l"],
    ["find", "(", "-name", "one", "-o", "-name", "two.txt", ")", "-print"],
    # stat / du
    ["stat", "-c", "%n %s %F %h", "a.txt", "d", "empty", "link"], ["stat", "nope"],
    ["stat", "-L", "-c", "%N %F", "link"], ["stat", "-c", "%N", "link"],
    ["du", "-s", "d"], ["du", "d"], ["du", "-a", "d"], ["du", "-sh", "big"], ["du", "-sc", "d",
                                                                            "e"],
    ["du", "nope"], ["du", "-d", "1", "d"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a))
def test_same_as_busybox(tmp_path, args):
    differ(tmp_path, TREE, args)


# Errors from the filesystem, each as busybox words them.
READONLY_CASES = [["touch", "a.txt"], ["touch", "new"], ["mkdir", "x"],
                  ["rm", "a.txt"], ["rm", "-rf", "d"], ["rmdir", "e"], ["cp", "a.txt", "c"],
                  ["mv", "a.txt", "c"], ["ln", "-s", "a.txt", "s"], ["tee", "out"],
                  ["ls", "d"], ["cat", "a.txt"]]


@pytest.mark.parametrize("args", READONLY_CASES, ids=lambda a: " ".join(a))
def test_read_only_mount_same_as_busybox(tmp_path, args):
    t, _ = differ(tmp_path, TREE, args, readonly=True)
    if args[0] not in ("ls", "cat"):
        assert b"Read-only file system" in t.stderr


def test_touch_on_a_read_only_filesystem_says_so(tmp_path):
    """The issue's example, word for word."""
    make_tree(str(tmp_path), {"tmp": None, "tmp/test": "x"})
    r = subprocess.run(wrap(toolbox_cmd(["--dir", f"{tmp_path}:/"], ["touch", "/tmp/test"]),
                             str(tmp_path), True, False), capture_output=True, timeout=60)
    assert (r.returncode, r.stderr) == (1, b"touch: /tmp/test: Read-only file system\n")


PERMISSION_CASES = [["cat", "secret"], ["head", "secret"], ["ls", "locked"], ["rm", "locked/f"],
                    ["touch", "locked/new"], ["mkdir", "locked/x"], ["cp", "secret", "x"],
                    ["grep", "x", "secret"], ["md5sum", "secret"], ["wc", "secret"],
                    ["find", "locked"], ["du", "locked"], ["sort", "secret"],
                    ["sed", "p", "secret"], ["tail", "secret"]]


@pytest.mark.parametrize("args", PERMISSION_CASES, ids=lambda a: " ".join(a))
def test_permission_denied_same_as_busybox(tmp_path, args):
    tree = dict(TREE, **{"secret": "s\n", "locked": None, "locked/f": "f\n"})
    t, _ = differ(tmp_path, tree, args, user=True, chmod={"secret": 0o600, "locked": 0o700})
    assert b"Permission denied" in t.stderr


DIRECTORY_CASES = [["cat", "d"], ["md5sum", "d"], ["wc", "d"], ["rm", "d"], ["cp", "d", "x"],
                   ["sha256sum", "d"], ["tee", "d"], ["rmdir", "a.txt"], ["mkdir", "a.txt"],
                   ["touch", "a.txt/x"]]


@pytest.mark.parametrize("args", DIRECTORY_CASES, ids=lambda a: " ".join(a))
def test_directory_where_a_file_is_expected_same_as_busybox(tmp_path, args):
    differ(tmp_path, TREE, args)


# busybox 1.35 has no find -delete, and its grep says nothing of a directory: GNU's words.
GNU_CASES = [["find", "d", "-name", "*.txt", "-delete"], ["find", "e", "-delete"],
             ["grep", "x", "d"], ["grep", "-s", "x", "d"]]


@pytest.mark.parametrize("args", GNU_CASES, ids=lambda a: " ".join(a))
def test_same_as_gnu_where_busybox_lacks_it(tmp_path, args):
    differ(tmp_path, TREE, args, gnu=True)


def test_find_delete_of_a_full_directory_fails_and_keeps_it(tmp_path):
    differ(tmp_path, TREE, ["find", "d", "-name", "sub", "-delete"], gnu=True,
           compare_stderr=False)


def test_sed_i_on_a_read_only_mount_fails_and_keeps_the_file(tmp_path):
    t, _ = differ(tmp_path, TREE, ["sed", "-i", "s/a/b/", "a.txt"], readonly=True,
                  compare_stderr=False)
    assert t.stderr.startswith(b"sed: can't create temp file 'a.txt")
    assert t.stderr.endswith(b"': Read-only file system\n")


def test_rm_rf_on_a_read_only_mount_names_what_it_could_not_remove(tmp_path):
    t, _ = differ(tmp_path, TREE, ["rm", "-rf", "d"], readonly=True)
    assert b"rm: can't remove 'd/one': Read-only file system\n" in t.stderr


def test_unknown_find_expression_is_a_usage_error(tmp_path):
    t, _ = differ(tmp_path, TREE, ["find", "d", "-bogus"], compare_stderr=False)
    assert t.stderr == b"find: unrecognized: -bogus\n"


def test_ls_l_shows_type_links_size_time_and_target(tmp_path):
    make_tree(str(tmp_path), TREE)
    os.utime(tmp_path / "a.txt", (1600000000, 1600000000))
    r = run_toolbox(str(tmp_path), ["ls", "-l"])
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("total ")
    rows = {line.split()[-1] if "->" not in line else line.split()[-3]: line for line in lines[1:]}
    assert re.fullmatch(r"-\?{9} +1 \? +\? +6 Sep 13  2020 a.txt", rows["a.txt"])
    assert rows["d"].startswith("d") and rows["link"].endswith("link -> a.txt")
    assert " 150000 " in rows["big"]
    r = run_toolbox(str(tmp_path), ["ls", "-lh", "big"])
    assert " 146.5K " in r.stdout.decode()


def test_df_lists_the_mounts_of_the_view(tmp_path):
    make_tree(str(tmp_path), {"data": None, "data/f": "x"})
    r = subprocess.run(toolbox_cmd(["--dir", f"{tmp_path}:/", "--dir", f"{tmp_path}/data:/data"],
                                   ["df", "-h"]), capture_output=True, timeout=60)
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and lines[0].split()[-2:] == ["Mounted", "on"]
    assert sorted(line.split()[-1] for line in lines[1:]) == ["/", "/data"]
    r = subprocess.run(toolbox_cmd(["--dir", f"{tmp_path}:/"], ["df", "/nope"]),
                       capture_output=True, timeout=60)
    assert (r.returncode, r.stderr) == (1, b"df: /nope: No such file or directory\n")
