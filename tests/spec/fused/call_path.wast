;; The call path (interp.c CALL_LOCAL, RETURN, RETURN_INST, ZERO_LOCALS) and
;; BR_<cmp>_IMM_ADDI_RETURN_CONST: a compare-immediate branch that returns `a + imm` when not taken
;; and, when taken, sets the i32/f32 constant that the only code its branch reaches sets first
;; (fib's `if (n < 2) return n; acc = 0;`).

;; fib as clang -O2 emits it (one recursion turned into a loop): both ways of the fused op, deep
;; recursion, and a call stack that runs out.
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (local $acc i32) (local $c i32) (local $t i32)
    (block
      (br_if 0 (i32.ge_s (local.get $n) (i32.const 2)))
      (return (i32.add (local.get $n) (i32.const 0))))
    (local.set $acc (i32.const 0))
    (loop $l
      (local.set $acc (i32.add (call $fib (i32.add (local.get $n) (i32.const -1))) (local.get $acc)))
      (local.set $c (i32.gt_u (local.get $n) (i32.const 3)))
      (local.set $n (local.tee $t (i32.add (local.get $n) (i32.const -2))))
      (br_if $l (local.get $c)))
    (i32.add (local.get $t) (local.get $acc)))
  ;; down(n) = n + 1 by n nested calls, each setting its constant on the branch
  (func $down (export "down") (param $n i32) (result i32)
    (local $one i32)
    (block
      (br_if 0 (i32.gt_s (local.get $n) (i32.const 0)))
      (return (i32.add (local.get $n) (i32.const 1))))
    (local.set $one (i32.const 1))
    (i32.add (call $down (i32.sub (local.get $n) (local.get $one))) (local.get $one))))
(register "callpath")
(assert_return (invoke "fib" (i32.const 0)) (i32.const 0))
(assert_return (invoke "fib" (i32.const 1)) (i32.const 1))
(assert_return (invoke "fib" (i32.const 2)) (i32.const 1))
(assert_return (invoke "fib" (i32.const 3)) (i32.const 2))
(assert_return (invoke "fib" (i32.const -3)) (i32.const -3))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "down" (i32.const 0)) (i32.const 1))
(assert_return (invoke "down" (i32.const 1000)) (i32.const 1001))
(assert_exhaustion (invoke "down" (i32.const 10000000)) "call stack exhausted")
(assert_return (invoke "down" (i32.const 5)) (i32.const 6))

;; Where the fused op must not take the constant in: a second jump to the label (each of the two
;; jumps), an `if` without else (its false arm lands there too), a loop starting at the label (its
;; back edge lands there), an i64 constant; and an unsigned compare, a constant with its top bit set
;; (read back as i64: zero-extended), the return's wrap, an f32 constant.
(module
  (func (export "two_jumps") (param $n i32) (param $early i32) (result i32)
    (local $k i32)
    (local.set $k (i32.const 5))
    (block
      (br_if 0 (local.get $early))
      (br_if 0 (i32.gt_s (local.get $n) (i32.const 0)))
      (return (i32.add (local.get $n) (i32.const 100))))
    (local.set $k (i32.const 7))
    (i32.add (local.get $k) (local.get $n)))
  (func (export "if_end") (param $n i32) (param $c i32) (result i32)
    (local $k i32)
    (local.set $k (i32.const 5))
    (if (local.get $c)
      (then
        (br_if 0 (i32.le_s (local.get $n) (i32.const 0)))
        (return (i32.add (local.get $n) (i32.const 1)))))
    (local.set $k (i32.const 9))
    (i32.add (local.get $k) (local.get $n)))
  (func (export "loop_after") (param $n i32) (result i32)
    (local $k i32) (local $s i32)
    (block
      (br_if 0 (i32.gt_s (local.get $n) (i32.const 0)))
      (return (i32.add (local.get $n) (i32.const -1))))
    (loop $l
      (local.set $k (i32.const 3))
      (local.set $s (i32.add (local.get $s) (local.get $k)))
      (local.set $k (i32.const 100))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (i32.add (local.get $s) (local.get $k)))
  (func (export "wide") (param $n i32) (result i32)
    (local $k i64)
    (block
      (br_if 0 (i32.ne (local.get $n) (i32.const 0)))
      (return (i32.add (local.get $n) (i32.const 0))))
    (local.set $k (i64.const 0x700000002))
    (i32.add (i32.wrap_i64 (i64.add (i64.shr_u (local.get $k) (i64.const 32)) (local.get $k)))
             (local.get $n)))
  (func (export "top_bit") (param $n i32) (result i32)
    (local $k i32)
    (block
      (br_if 0 (i32.lt_u (local.get $n) (i32.const 10)))
      (return (i32.add (local.get $n) (i32.const 0x7fffffff))))
    (local.set $k (i32.const -1))
    (i32.add (i32.wrap_i64 (i64.shr_u (i64.extend_i32_u (local.get $k)) (i64.const 16)))
             (local.get $n)))
  (func (export "wrap") (param $n i32) (result i32)
    (local $k i32)
    (block
      (br_if 0 (i32.lt_u (local.get $n) (i32.const 10)))
      (return (i32.add (local.get $n) (i32.const 0x7fffffff))))
    (local.set $k (i32.const -1))
    (i32.add (local.get $k) (local.get $n)))
  (func (export "float") (param $n i32) (result i32)
    (local $x f32)
    (block
      (br_if 0 (i32.ne (local.get $n) (i32.const 0)))
      (return (i32.add (local.get $n) (i32.const 42))))
    (local.set $x (f32.const 2.5))
    (i32.trunc_f32_s (f32.mul (local.get $x) (f32.convert_i32_s (local.get $n))))))
(assert_return (invoke "two_jumps" (i32.const 4) (i32.const 1)) (i32.const 11))
(assert_return (invoke "two_jumps" (i32.const 4) (i32.const 0)) (i32.const 11))
(assert_return (invoke "two_jumps" (i32.const -4) (i32.const 1)) (i32.const 3))
(assert_return (invoke "two_jumps" (i32.const -4) (i32.const 0)) (i32.const 96))
(assert_return (invoke "if_end" (i32.const 4) (i32.const 0)) (i32.const 13))
(assert_return (invoke "if_end" (i32.const 0) (i32.const 1)) (i32.const 9))
(assert_return (invoke "if_end" (i32.const 4) (i32.const 1)) (i32.const 5))
(assert_return (invoke "loop_after" (i32.const 4)) (i32.const 112))
(assert_return (invoke "loop_after" (i32.const 0)) (i32.const -1))
(assert_return (invoke "wide" (i32.const 3)) (i32.const 12))
(assert_return (invoke "wide" (i32.const 0)) (i32.const 0))
(assert_return (invoke "top_bit" (i32.const 3)) (i32.const 65538))
(assert_return (invoke "top_bit" (i32.const 10)) (i32.const 0x80000009))
(assert_return (invoke "wrap" (i32.const 3)) (i32.const 2))
(assert_return (invoke "wrap" (i32.const 10)) (i32.const 0x80000009))
(assert_return (invoke "wrap" (i32.const -1)) (i32.const 0x7ffffffe))
(assert_return (invoke "float" (i32.const 4)) (i32.const 10))
(assert_return (invoke "float" (i32.const 0)) (i32.const 42))

;; Calls across two instances: this module's function calls the registered fib (a return into
;; another instance, RETURN_INST) between reads of its own memory, and zeroes a local at entry
;; (ZERO_LOCALS) that a loop reads before setting.
(module
  (import "callpath" "fib" (func $fib (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "\05")
  (func (export "sum") (param $n i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
                             (i32.add (call $fib (local.get $n)) (i32.load8_u (i32.const 0)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $s)))
(assert_return (invoke "sum" (i32.const 10)) (i32.const 193))
(assert_return (invoke "sum" (i32.const 1)) (i32.const 6))
(assert_return (invoke "sum" (i32.const 10)) (i32.const 193))
