"""api/api.proto must be the upstream CRI v1 wire contract: same package, services, rpcs
(with streaming), messages, enums, field names, numbers, labels and types. Compared through
protoc's descriptors against ../shared/reference/cri-api/api.proto (skipped when absent)."""
import os
import pathlib
import re
import subprocess

import pytest
from google.protobuf import descriptor_pb2

from wasmcri_harness import TOP

UPSTREAM = TOP.parent / "shared" / "reference" / "cri-api" / "api.proto"


def descriptor(proto_text, tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    (d / "api.proto").write_text(proto_text)
    out = d / "set.pb"
    subprocess.run(["protoc", f"-I{d}", f"--descriptor_set_out={out}", "api.proto"], check=True)
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(out.read_bytes())
    f = fds.file[0]
    f.ClearField("options")
    f.ClearField("source_code_info")
    for m in f.message_type:
        strip_field_options(m)
    return f


def strip_field_options(msg):
    for field in msg.field:
        field.ClearField("options")
    for nested in msg.nested_type:
        strip_field_options(nested)


def test_own_proto_is_the_upstream_wire_contract(tmp_path):
    if not UPSTREAM.exists():
        missing = f"upstream CRI proto not found at {UPSTREAM} (../shared is absent)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing + ": in CI (CI=true) no test may be skipped")
        pytest.skip(missing)
    upstream_text = re.sub(r"\s*\[debug_redact = true\]", "", UPSTREAM.read_text())
    ours = descriptor((TOP / "api" / "api.proto").read_text(), tmp_path, "ours")
    theirs = descriptor(upstream_text, tmp_path, "upstream")
    assert ours.package == theirs.package == "runtime.v1"
    assert [s.name for s in ours.service] == [s.name for s in theirs.service]
    for a, b in zip(ours.service, theirs.service):
        assert a == b, f"service {a.name} differs"
    assert len(ours.message_type) == len(theirs.message_type)
    for a, b in zip(ours.message_type, theirs.message_type):
        assert a == b, f"message {a.name} differs from upstream {b.name}"
    assert list(ours.enum_type) == list(theirs.enum_type)
