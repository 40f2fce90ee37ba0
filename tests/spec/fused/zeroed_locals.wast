;; Locals zeroed at entry (wasm/engine/validate.c, note_local_read): a call zeroes only the declared
;; locals some local.get may read before the function's top level set them. Each reader below runs
;; in the frame that $dirty has just filled with non-zero values, so a local that was not zeroed
;; shows up as 0x5a5a.

(module
  (func $dirty (param i32) (result i32)
    (local i32 i32 i32 i32 i64 f64)
    (local.set 1 (i32.const 0x5a5a)) (local.set 2 (i32.const 0x5a5a))
    (local.set 3 (i32.const 0x5a5a)) (local.set 4 (i32.const 0x5a5a))
    (local.set 5 (i64.const 0x5a5a)) (local.set 6 (f64.const 0x5a5a))
    (i32.add (local.get 1) (i32.add (local.get 2) (i32.add (local.get 3) (local.get 4)))))

  ;; set only inside an `if`: when it is not taken, the read sees the default 0
  (func $set_in_if (param $c i32) (result i32)
    (local $x i32)
    (if (local.get $c) (then (local.set $x (i32.const 7))))
    (local.get $x))
  (func (export "set_in_if") (param $c i32) (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_in_if (local.get $c)))

  ;; read at the top of a loop, set at its bottom: the first iteration reads 0
  (func $loop_read_first (result i32)
    (local $i i32) (local $sum i32) (local $prev i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (local.get $prev)))
      (local.set $prev (i32.const 100))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $sum))
  (func (export "loop_read_first") (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $loop_read_first))

  ;; read before the top-level set, then set, then read: 0 first, the set value after
  (func $read_then_set (result i32)
    (local $a i32) (local $b i64) (local $c f64)
    (local $first i32)
    (local.set $first (i32.add (local.get $a) (i32.wrap_i64 (local.get $b))))
    (local.set $first (i32.add (local.get $first) (i32.trunc_f64_s (local.get $c))))
    (local.set $a (i32.const 1))
    (i32.add (i32.mul (local.get $first) (i32.const 10)) (local.get $a)))
  (func (export "read_then_set") (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $read_then_set))

  ;; set at the top level before every read (no zeroing needed): the set values are read
  (func $set_first (param $n i32) (result i32)
    (local $acc i32) (local $i i32)
    (local.set $acc (i32.const 0))
    (local.set $i (local.get $n))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $acc (i32.add (local.get $acc) (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "set_first") (param $n i32) (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_first (local.get $n)))

  ;; the read in a block that the set (also in a block) follows: still zeroed
  (func $set_in_block_after (result i32)
    (local $x i32) (local $y i32)
    (block (local.set $y (local.get $x)))
    (block (local.set $x (i32.const 9)))
    (i32.add (local.get $y) (local.get $x)))
  (func (export "set_in_block_after") (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_in_block_after))

  ;; set in the `then` branch, read in the `else` branch: zeroed
  (func $set_in_then_read_in_else (param $c i32) (result i32)
    (local $x i32)
    (if (result i32) (local.get $c)
      (then (local.set $x (i32.const 3)) (local.get $x))
      (else (local.get $x))))
  (func (export "set_in_then_read_in_else") (param $c i32) (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_in_then_read_in_else (local.get $c)))

  ;; a branch out of the block skips the set: the read after the block sees 0
  (func $br_skips_set (param $c i32) (result i32)
    (local $x i32)
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (i32.const 4)))
    (local.get $x))
  (func (export "br_skips_set") (param $c i32) (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $br_skips_set (local.get $c)))

  ;; set in a loop's body before the read: the read needs no zeroing and sees the set value
  (func $set_in_loop (result i32)
    (local $i i32) (local $t i32) (local $acc i32)
    (loop $l
      (local.set $t (i32.mul (local.get $i) (i32.const 2)))
      (local.set $acc (i32.add (local.get $acc) (local.get $t)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))
    (local.get $acc))
  (func (export "set_in_loop") (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_in_loop))

  ;; set in a loop's body, read after the loop: only the body's end reaches there
  (func $set_in_loop_read_after (result i32)
    (local $i i32) (local $last i32)
    (loop $l
      (local.set $last (i32.mul (local.get $i) (i32.const 5)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 3))))
    (local.get $last))
  (func (export "set_in_loop_read_after") (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $set_in_loop_read_after))

  ;; a loop that leaves its enclosing block before the set: the read after the block sees 0
  (func $loop_exit_before_set (param $c i32) (result i32)
    (local $x i32)
    (block $out
      (loop $l
        (br_if $out (local.get $c))
        (local.set $x (i32.const 6))))
    (local.get $x))
  (func (export "loop_exit_before_set") (param $c i32) (result i32)
    (drop (call $dirty (i32.const 0)))
    (call $loop_exit_before_set (local.get $c)))

  ;; a v128 local read before it is set: both halves zeroed
  (func $v128_default (result i64)
    (local $pad i32) (local $v v128)
    (i64.or (i64x2.extract_lane 0 (local.get $v)) (i64x2.extract_lane 1 (local.get $v))))
  (func (export "v128_default") (result i64)
    (drop (call $dirty (i32.const 0)))
    (call $v128_default)))

(assert_return (invoke "set_in_if" (i32.const 0)) (i32.const 0))
(assert_return (invoke "set_in_if" (i32.const 1)) (i32.const 7))
(assert_return (invoke "loop_read_first") (i32.const 200))
(assert_return (invoke "read_then_set") (i32.const 1))
(assert_return (invoke "set_first" (i32.const 0)) (i32.const 0))
(assert_return (invoke "set_first" (i32.const 4)) (i32.const 10))
(assert_return (invoke "set_in_block_after") (i32.const 9))
(assert_return (invoke "v128_default") (i64.const 0))
(assert_return (invoke "set_in_then_read_in_else" (i32.const 0)) (i32.const 0))
(assert_return (invoke "set_in_then_read_in_else" (i32.const 1)) (i32.const 3))
(assert_return (invoke "br_skips_set" (i32.const 1)) (i32.const 0))
(assert_return (invoke "br_skips_set" (i32.const 0)) (i32.const 4))
(assert_return (invoke "set_in_loop") (i32.const 12))
(assert_return (invoke "set_in_loop_read_after") (i32.const 10))
(assert_return (invoke "loop_exit_before_set" (i32.const 1)) (i32.const 0))
(assert_return (invoke "loop_exit_before_set" (i32.const 0)) (i32.const 6))
