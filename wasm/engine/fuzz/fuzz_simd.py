#!/usr/bin/python3
"""Differential SIMD fuzzer: wasmcri's interpreter against node's V8 on random v128 inputs.

    fuzz_simd.py SPEC_RUNNER SECONDS [SEED]

Each round makes one module with a few hundred random cases: a simd128 instruction from the
engine's own tables (wasm/engine/opcodes.h: every simple one, lane extract/replace, shuffle,
bitselect) applied to constant operands biased towards edge values (lane minima and maxima,
zero, NaNs with payloads, infinities, -0, values just past an integer range). Every case is
exported twice: `j_N` stores the result to memory for node (JavaScript cannot take a v128),
`c_N` returns it. node runs the `j_` functions and its results become the expected values of
an assert_return per case in a wast2json-style file that the spec runner (the engine, built
with the sanitizers in CI) executes. A float-arithmetic lane where V8 gives a NaN expects any
arithmetic NaN (the spec lets NaN bits differ), every other lane the exact bits.
Exits 1 on a mismatch, naming the seed, the case and its text.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OPCODES = os.path.join(HERE, "..", "opcodes.h")
CASES_PER_ROUND = 300

# JavaScript side: runs every j_N export and prints its 16 result bytes in hex, one line each.
NODE_HARNESS = r"""
const fs = require('fs');
const m = new WebAssembly.Module(fs.readFileSync(process.argv[2]));
const inst = new WebAssembly.Instance(m, {});
const mem = new Uint8Array(inst.exports.memory.buffer);
const out = [];
for (let i = 0; ; i++) {
  const f = inst.exports['j_' + i];
  if (!f) break;
  mem.fill(0, 0, 16);
  f();
  out.push(Buffer.from(mem.slice(0, 16)).toString('hex'));
}
console.log(out.join('\n'));
"""

LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}
SHAPE = {"I8X16": "i8", "I16X8": "i16", "I32X4": "i32", "I64X2": "i64", "F32X4": "f32",
         "F64X2": "f64"}
FLOAT_ARITH = re.compile(r"^F(32X4|64X2)_(ADD|SUB|MUL|DIV|SQRT|MIN|MAX|CEIL|FLOOR|TRUNC|NEAREST|"
                         r"DEMOTE_F64X2_ZERO|PROMOTE_LOW_F32X4)$")
TYPES = {"T_V128": "v128", "T_I32": "i32", "T_I64": "i64", "T_F32": "f32", "T_F64": "f64"}


def mnemonic(name):
    head, _, rest = name.partition("_")
    return head.lower() + "." + rest.lower()


def read_tables():
    """(name, in1, in2, out) of the simple SIMD ops and the lane ops, from opcodes.h."""
    text = open(OPCODES).read()
    simple = re.findall(r"X\(0xFD[0-9A-F]{2}, (\w+), (T_\w+), (T_\w+|0), (T_\w+)\)", text)
    lanes = re.findall(r"X\(0x[0-9A-F]{2}, (\w+), (\d+), (T_\w+), ([01])\)", text)
    ops = [(n, TYPES[a], TYPES.get(b), TYPES[o]) for n, a, b, o in simple]
    return ops, [(n, int(k), TYPES[t], r == "1") for n, k, t, r in lanes]


def edge_lane(rng, bits, is_float):
    mask = (1 << bits) - 1
    if is_float:
        exp = 8 if bits == 32 else 11
        frac = bits - 1 - exp
        emax = ((1 << exp) - 1) << frac
        sign = 1 << (bits - 1)
        picks = [0, sign, emax, emax | sign, emax | (1 << (frac - 1)),  # 0, -0, inf, -inf, qNaN
                 emax | 1, emax | sign | (1 << (frac - 1)) | 5,  # sNaN, -qNaN with payload
                 (((1 << (exp - 1)) - 1) << frac) | (1 << (frac - 1)),  # 1.5
                 ((1 << (exp - 1)) + 30) << frac, ((1 << (exp - 1)) + 31) << frac,  # 2^31, 2^32
                 (((1 << (exp - 1)) + 31) << frac) | sign,  # -2^32
                 1, emax - 1, (((1 << (exp - 1)) - 2) << frac) | 3]  # tiny, max, ~0.5
        return rng.choice(picks) if rng.random() < 0.6 else rng.getrandbits(bits)
    picks = [0, 1, mask, mask >> 1, (mask >> 1) + 1, 2, mask - 1, 0x7f & mask, 0x80 & mask]
    return rng.choice(picks) if rng.random() < 0.5 else rng.getrandbits(bits)


def rand_v128(rng):
    shape = rng.choice(list(LANE_BITS))
    bits = LANE_BITS[shape]
    value = 0
    for i in range(128 // bits):
        value |= edge_lane(rng, bits, shape[0] == "f") << (i * bits)
    return value


def v128_text(v):
    return "v128.const i64x2 %d %d" % (v & (2**64 - 1), v >> 64)


def scalar(rng, t):
    bits = 32 if t in ("i32", "f32") else 64
    return edge_lane(rng, bits, t[0] == "f")


def scalar_text(t, bits):
    if t[0] == "i":
        return "%s.const %d" % (t, bits)
    it = "i32" if t == "f32" else "i64"
    return "%s.const %d %s.reinterpret_%s" % (it, bits, t, it)


def make_case(rng, ops, lane_ops):
    """(instruction text with its operands, output type, lane type of the expected value)."""
    r = rng.random()
    if r < 0.08:
        name, lanes, t, replace = rng.choice(lane_ops)
        lane = rng.randrange(lanes)
        body = v128_text(rand_v128(rng))
        if replace:
            body += " " + scalar_text(t, scalar(rng, t))
        return body + " %s %d" % (mnemonic(name), lane), "v128" if replace else t, name
    if r < 0.12:
        sel = " ".join(str(rng.randrange(32)) for _ in range(16))
        return "%s %s i8x16.shuffle %s" % (v128_text(rand_v128(rng)), v128_text(rand_v128(rng)),
                                           sel), "v128", "I8X16_SHUFFLE"
    if r < 0.14:
        return " ".join(v128_text(rand_v128(rng)) for _ in range(3)) + " v128.bitselect", \
            "v128", "V128_BITSELECT"
    name, a, b, out = rng.choice(ops)
    parts = []
    for t in (a, b):
        if t == "v128":
            parts.append(v128_text(rand_v128(rng)))
        elif t:
            parts.append(scalar_text(t, scalar(rng, t)))
    return " ".join(parts) + " " + mnemonic(name), out, name


STORE = {"v128": "v128.store", "i32": "i32.store", "i64": "i64.store", "f32": "f32.store",
         "f64": "f64.store"}


def expected(name, out, data):
    """The assert_return value for node's 16 result bytes."""
    raw = int.from_bytes(data, "little")
    if out != "v128":
        bits = 32 if out in ("i32", "f32") else 64
        return {"type": out, "value": str(raw & ((1 << bits) - 1))}
    lane = SHAPE.get(name.split("_")[0], "i64")
    if not FLOAT_ARITH.match(name):
        return {"type": "v128", "lane_type": "i64",
                "value": [str(raw & (2**64 - 1)), str(raw >> 64)]}
    if name.startswith("F32X4_DEMOTE"):
        lane = "f32"
    if name.startswith("F64X2_PROMOTE"):
        lane = "f64"
    bits = LANE_BITS[lane]
    exp = 8 if bits == 32 else 11
    values = []
    for i in range(128 // bits):
        v = (raw >> (i * bits)) & ((1 << bits) - 1)
        e = (v >> (bits - 1 - exp)) & ((1 << exp) - 1)
        is_nan = e == (1 << exp) - 1 and v & ((1 << (bits - 1 - exp)) - 1)
        values.append("nan:arithmetic" if is_nan else str(v))
    return {"type": "v128", "lane_type": lane, "value": values}


def run_round(runner, rng, ops, lane_ops, tmp):
    cases = [make_case(rng, ops, lane_ops) for _ in range(CASES_PER_ROUND)]
    funcs = []
    for i, (body, out, _) in enumerate(cases):
        funcs.append('(func (export "c_%d") (result %s) %s)' % (i, out, body))
        funcs.append('(func (export "j_%d") i32.const 0 %s %s)' % (i, body, STORE[out]))
    wat = os.path.join(tmp, "m.wat")
    with open(wat, "w") as f:
        f.write('(module (memory (export "memory") 1)\n%s)\n' % "\n".join(funcs))
    subprocess.run(["wat2wasm", wat, "-o", os.path.join(tmp, "m.wasm")], check=True)
    js = os.path.join(tmp, "harness.js")
    with open(js, "w") as f:
        f.write(NODE_HARNESS)
    res = subprocess.run(["node", js, os.path.join(tmp, "m.wasm")], check=True,
                         capture_output=True, text=True, timeout=120).stdout.split()
    if len(res) != len(cases):
        sys.exit("fuzz_simd: node ran %d of %d cases" % (len(res), len(cases)))
    cmds = [{"type": "module", "line": 0, "filename": "m.wasm"}]
    for i, ((_, out, name), hexbytes) in enumerate(zip(cases, res)):
        cmds.append({"type": "assert_return", "line": i + 1,
                     "action": {"type": "invoke", "field": "c_%d" % i, "args": []},
                     "expected": [expected(name, out, bytes.fromhex(hexbytes))]})
    with open(os.path.join(tmp, "m.json"), "w") as f:
        json.dump({"source_filename": "fuzz_simd.wast", "commands": cmds}, f)
    empty = os.path.join(tmp, "empty.txt")
    open(empty, "w").close()
    r = subprocess.run([runner, "--known", empty, "--skips", empty, os.path.join(tmp, "m.json")],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print(r.stdout[-4000:] + r.stderr[-4000:])
        for line in r.stdout.splitlines():
            m = re.match(r"FAIL fuzz_simd.wast:(\d+):", line)
            if m and int(m.group(1)) > 0:
                print("case %s: %s" % (m.group(1), cases[int(m.group(1)) - 1][0]))
        return False
    return True


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runner, seconds = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else random.getrandbits(32)
    ops, lane_ops = read_tables()
    if len(ops) < 190 or len(lane_ops) != 14:
        sys.exit("fuzz_simd: cannot read the SIMD tables of %s" % OPCODES)
    rng = random.Random(seed)
    deadline, rounds = time.monotonic() + seconds, 0
    with tempfile.TemporaryDirectory(prefix="wasmcri-fuzz-simd-") as tmp:
        while rounds == 0 or time.monotonic() < deadline:
            if not run_round(runner, rng, ops, lane_ops, tmp):
                print("fuzz_simd: mismatch with V8 (seed %d, round %d); replay: %s %s %s %d" %
                      (seed, rounds, sys.argv[0], runner, seconds, seed))
                return 1
            rounds += 1
    print("fuzz_simd: %d cases in %d rounds agree with V8 (seed %d)" %
          (rounds * CASES_PER_ROUND, rounds, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
