;; The register form of a dot product's loop (session 15: wasm/engine/compile.c dot4_regs,
;; interp.c dot4_regs_<T>): NAME_DOT4_LL_<load>_BR_ADDI2_I32_NE looping on itself keeps p, the
;; products, the sums and both induction variables in registers and writes them back at its end.
;; Its left operands loaded from p (matmul) or from the stepped pointer b (coremark's matrix), f64
;; and i16; p, b and i read after the loop (written back), a NaN sum, p = a + i wrapping past 2^32,
;; a trap in the first and in the second round, and two shapes left to the exact loop
;; (p = i + i, a = b: the results must not change). Memory as in dot_list.wast.
(module
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\80\e0\37\79\c3\41\43")
  (data (i32.const 32) "\00\00\00\00\00\00\e0\3f\00\00\40\00\00\00\f0\3f\00\00\00\00\00\00\08\40\00\80\e0\37\79\c3\41\c3")
  (data (i32.const 64) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f")
  (data (i32.const 96) "\00\00\00\00\00\00\00\40\00\00\40\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f")
  (data (i32.const 128) "\03\00\fe\ff\ff\7f\07\00\00\80\01\00\02\00\03\00")
  (data (i32.const 144) "\ff\7f\05\00\ff\7f\ff\ff\00\80\09\00\0a\00\0b\00")
  ;; p, b and i folded into the result after the loop
  (func (export "f64_p") (param $a i32) (param $b i32) (param $i i32) (param $s f64) (result f64)
    (local $p i32)
    (loop $l
      (local.set $s
        (f64.add (f64.mul (f64.load (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 24))) (f64.load offset=24 (local.get $b)))
          (f64.add (f64.mul (f64.load (i32.add (local.get $p) (i32.const 16))) (f64.load offset=16 (local.get $b)))
            (f64.add (f64.mul (f64.load (i32.add (local.get $p) (i32.const 8))) (f64.load offset=8 (local.get $b)))
              (f64.add (f64.mul (f64.load (local.get $p)) (f64.load (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 64))))
    (f64.add (local.get $s) (f64.convert_i32_s (i32.add (i32.mul (local.get $p) (i32.const 1000000)) (i32.add (i32.mul (local.get $b) (i32.const 1000)) (local.get $i))))))
  ;; the left operands from b
  (func (export "f64_left_b") (param $a i32) (param $b i32) (param $i i32) (param $s f64) (result f64)
    (local $p i32)
    (loop $l
      (local.set $s
        (f64.add (f64.mul (f64.load offset=24 (local.get $b)) (f64.load (i32.add (local.tee $p (i32.add (local.get $i) (local.get $a))) (i32.const 24))))
          (f64.add (f64.mul (f64.load offset=16 (local.get $b)) (f64.load (i32.add (local.get $p) (i32.const 16))))
            (f64.add (f64.mul (f64.load offset=8 (local.get $b)) (f64.load (i32.add (local.get $p) (i32.const 8))))
              (f64.add (f64.mul (f64.load (local.get $b)) (f64.load (local.get $p))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 64))))
    (f64.add (local.get $s) (f64.convert_i32_s (i32.add (i32.mul (local.get $b) (i32.const 1000)) (local.get $i)))))
  ;; coremark's shape: i16 loads, the left operands from b
  (func (export "i32_left_b") (param $a i32) (param $b i32) (param $i i32) (param $s i32) (result i32)
    (local $p i32)
    (loop $l
      (local.set $s
        (i32.add (i32.mul (i32.load16_s offset=6 (local.get $b)) (i32.load16_s (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 6))))
          (i32.add (i32.mul (i32.load16_s offset=4 (local.get $b)) (i32.load16_s (i32.add (local.get $p) (i32.const 4))))
            (i32.add (i32.mul (i32.load16_s offset=2 (local.get $b)) (i32.load16_s (i32.add (local.get $p) (i32.const 2))))
              (i32.add (i32.mul (i32.load16_s (local.get $b)) (i32.load16_s (local.get $p))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 16))))
    (i32.add (local.get $s) (i32.add (i32.mul (local.get $p) (i32.const 1000000)) (i32.add (i32.mul (local.get $b) (i32.const 1000)) (local.get $i)))))
  ;; p = i + i: the address's other operand is written by the loop (the exact loop runs)
  (func (export "i32_p_is_2i") (param $a i32) (param $b i32) (param $i i32) (param $s i32) (result i32)
    (local $p i32)
    (loop $l
      (local.set $s
        (i32.add (i32.mul (i32.load16_s (i32.add (local.tee $p (i32.add (local.get $i) (local.get $i))) (i32.const 6))) (i32.load16_s offset=6 (local.get $b)))
          (i32.add (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 4))) (i32.load16_s offset=4 (local.get $b)))
            (i32.add (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 2))) (i32.load16_s offset=2 (local.get $b)))
              (i32.add (i32.mul (i32.load16_s (local.get $p)) (i32.load16_s (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 16))))
    (i32.add (local.get $s) (i32.mul (local.get $b) (i32.const 1000))))
  ;; p = b + i: b is stepped by the loop (the exact loop runs)
  (func (export "i32_a_is_b") (param $a i32) (param $b i32) (param $i i32) (param $s i32) (result i32)
    (local $p i32)
    (loop $l
      (local.set $s
        (i32.add (i32.mul (i32.load16_s offset=6 (local.get $b)) (i32.load16_s (i32.add (local.tee $p (i32.add (local.get $b) (local.get $i))) (i32.const 6))))
          (i32.add (i32.mul (i32.load16_s offset=4 (local.get $b)) (i32.load16_s (i32.add (local.get $p) (i32.const 4))))
            (i32.add (i32.mul (i32.load16_s offset=2 (local.get $b)) (i32.load16_s (i32.add (local.get $p) (i32.const 2))))
              (i32.add (i32.mul (i32.load16_s (local.get $b)) (i32.load16_s (local.get $p))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 16))))
    (i32.add (local.get $s) (i32.mul (local.get $b) (i32.const 1000))))
)
(assert_return (invoke "f64_p" (i32.const 0) (i32.const 64) (i32.const 0) (f64.const 0.5)) (f64.const 0x1.ea3c480000000p+24))
(assert_return (invoke "f64_p" (i32.const -32) (i32.const 64) (i32.const 32) (f64.const 0)) (f64.const 0x1.1c37937e13ba2p+53))
(assert_return (invoke "f64_left_b" (i32.const 0) (i32.const 64) (i32.const 0) (f64.const 0.5)) (f64.const 0x1.f448000000000p+16))
(assert_return (invoke "f64_left_b" (i32.const 0) (i32.const 64) (i32.const 0) (f64.const nan)) (f64.const nan:arithmetic))
(assert_return (invoke "i32_left_b" (i32.const 128) (i32.const 144) (i32.const 0) (i32.const 5)) (i32.const 0x881e2340))
(assert_return (invoke "i32_left_b" (i32.const 120) (i32.const 144) (i32.const 8) (i32.const -1)) (i32.const 0x47a3f1bc))
(assert_return (invoke "i32_left_b" (i32.const -8) (i32.const 136) (i32.const 8) (i32.const 0)) (i32.const 0x2f260))
(assert_return (invoke "i32_p_is_2i" (i32.const 64) (i32.const 144) (i32.const 0) (i32.const 5)) (i32.const 0x4f065))
(assert_return (invoke "i32_a_is_b" (i32.const 128) (i32.const 144) (i32.const 0) (i32.const 5)) (i32.const 0x80007121))
;; out of bounds: b in the second round, p in the second, b in the first, p in the second, b in the
;; second, p = -16 + 8 in the first (near 4 GiB: the offset does not wrap it)
(assert_trap (invoke "f64_p" (i32.const 0) (i32.const 65504) (i32.const 0) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "f64_p" (i32.const 65480) (i32.const 64) (i32.const 0) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "f64_left_b" (i32.const 0) (i32.const 65512) (i32.const 0) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "i32_left_b" (i32.const 65524) (i32.const 144) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "i32_left_b" (i32.const 128) (i32.const 65528) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "i32_left_b" (i32.const -16) (i32.const 144) (i32.const 8) (i32.const 0)) "out of bounds memory access")

