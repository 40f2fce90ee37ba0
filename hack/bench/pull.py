#!/usr/bin/python3
"""Pull benchmark: a ~50 MB, 5-layer image (hack/build-test-images.py --bench) from
Debian's docker-registry on loopback, pulled by the daemon (PullImage wall time, fresh store
each round) and copied by `skopeo copy docker://... dir:` (process wall time) in the same
run, alternating, ROUNDS times; prints the medians and their ratio (daemon / skopeo).

Usage: hack/bench/pull.py [BUILD_DIR] [ROUNDS]   (default build/, 5; builds nothing itself)
"""
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
if len(sys.argv) > 1:
    os.environ["WASMCRI_BUILD"] = str(pathlib.Path(sys.argv[1]).resolve())
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5

import registry  # noqa: E402
from wasmcri_harness import Daemon, pb  # noqa: E402


def main():
    with tempfile.TemporaryDirectory(prefix="wasmcri-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        reg = registry.Registry(tmp / "registry").start()
        try:
            reg.push(tmp / "images", only=["big"], bench=True)
            ref = reg.ref("big")
            layers = reg.manifest("big")["layers"]
            cfg = {"registries": [{"host": reg.host, "insecure": True}]}
            d = Daemon(tmp / "daemon", config=cfg).start()
            ours, theirs = [], []
            try:
                for _ in range(ROUNDS):
                    req = pb.PullImageRequest(image=pb.ImageSpec(image=ref))
                    t0 = time.perf_counter()
                    image_id = d.image().PullImage(req, timeout=300).image_ref
                    ours.append(time.perf_counter() - t0)
                    d.image().RemoveImage(pb.RemoveImageRequest(image=pb.ImageSpec(image=image_id)))
                    out = tmp / "skopeo-dir"
                    shutil.rmtree(out, ignore_errors=True)
                    t0 = time.perf_counter()
                    subprocess.run(["skopeo", "copy", "-q", "--src-tls-verify=false",
                                    "docker://" + ref, "dir:" + str(out)], check=True)
                    theirs.append(time.perf_counter() - t0)
            finally:
                d.stop()
        finally:
            reg.stop()
    a, b = statistics.median(ours), statistics.median(theirs)
    print("image: %d layers, %.1f MB (random bytes, gzip)"
          % (len(layers), sum(x["size"] for x in layers) / 1e6))
    print("wasmcri PullImage (fetch + verify + unpack + record): median %.3f s  (%s)"
          % (a, " ".join("%.3f" % x for x in ours)))
    print("skopeo copy docker:// dir: (fetch + verify only):   median %.3f s  (%s)"
          % (b, " ".join("%.3f" % x for x in theirs)))
    print("ratio wasmcri/skopeo: %.2f (target <= 1.0)" % (a / b))


if __name__ == "__main__":
    main()
