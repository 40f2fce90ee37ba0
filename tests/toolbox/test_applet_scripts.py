"""The file and text applets in `sh -c` scripts (pipes, redirections, one applet called many
times in one instance with different options) against the same script under busybox sh with
busybox's applets on PATH (difftest.py)."""
import pytest

from difftest import differ

TREE = {
    "n": "".join(f"{i}\n" for i in range(1, 21)),
    "l": "b\na\nb\nc\nB\n",
    "d/x.txt": "x\n",
    "d/y.log": "y\n",
    "d/sub/z.txt": "z\n",
}

SCRIPTS = [
    "grep -c 1 n; grep -n 5 n; grep -v -c 1 n; grep -q 7 n && echo seven",
    "sort -rn n | head -n 3; sort l | uniq -c; sort -f l | uniq -i -d",
    "sed -n 2p n; sed -n '$p' n; sed 's/1/one/g' n | tail -n 3; sed -e 3q n | wc -l",
    "cut -c1 n | sort | uniq -c | sort -rn | head -n 2",
    "tr a-z A-Z < l | tr -d '\\n'; echo; tr -s 'b' < l | wc -c",
    "cat n l | wc -l; cat -n l | tail -n 1; head -c 5 n | wc -c",
    "cat nope 2>&1 | wc -l; ls nope 2>err || echo rc=$?; cat err; cat nope > out 2>&1; cat out",
    "find d -name '*.txt' | sort; find d -type d | sort; ls d | wc -l; ls -R d",
    "mkdir -p a/b/c && touch a/b/c/f && ls -R a && rm -r a && ls",
    "cp n m && md5sum n m | cut -d' ' -f1 | uniq | wc -l; mv m k; ls; sha256sum k",
    "seq 3 | tee t1 | wc -l; cat t1; seq -s: 5 | base64 | base64 -d",
    "ln -s n s; cat s | head -n 1; stat -c '%n %F' s n; du -s d; basename d/sub/z.txt .txt",
    "for f in d/x.txt d/y.log; do dirname $f; basename $f; done | sort -u",
    "grep -rl x d | sort; grep -h . d/x.txt d/y.log; grep -E -o '[0-9]+' n | tail -n 1",
    "while read a; do echo \"<$a>\"; done < l | sort -r | head -n 2",
    "sed -i 's/b/BEE/' l && cat l && grep -c BEE l",
    "rmdir d 2>&1; rm d 2>&1; echo $?; rm -rf d; ls",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_same_as_busybox_sh(tmp_path, script):
    differ(tmp_path, TREE, ["sh", "-c", script])
