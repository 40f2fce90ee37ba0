;; Fused ops of session 14 (wasm/engine/compile.c: fuse_mac_sum, fuse_dot4, fuse_list_step): a dot
;; product's last product-sum added up by the next three adds (NAME_MAC_LL_<load>_ADD3), the four
;; products and that sum as one op (NAME_DOT4_LL_<load>), each with and without its loop's latch
;; (_BR_ADDI2_I32_NE; a loop that is that op alone runs inside it with the sum in a register when
;; no other part writes the sum's local), and a list reversal's step
;; (COPY_I32_LOAD_I32_STORE_COPY_BR_IF): results, float order and rounding, the 32-bit wrap, each
;; load's and store's trap, a sum teed to a local, and a branch landing between fused parts.

;; Dot products unrolled by 4 as clang emits them (matmul, coremark's matrix): p3, p2, p1, then
;; p0 + s, and the three adds. f64 at 0: a = [1, 1, 1, 1e16, 0.5, 1 + 2^-30, 3, -1e16];
;; b at 64: [1, 1, 1, 1, 2, 1 + 2^-30, 1, 1]. i16 at 128: a = [3, -2, 32767, 7, -32768, 1, 2, 3],
;; b at 144: [32767, 5, 32767, -1, -32768, 9, 10, 11].
(module
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\80\e0\37\79\c3\41\43")
  (data (i32.const 32) "\00\00\00\00\00\00\e0\3f\00\00\40\00\00\00\f0\3f\00\00\00\00\00\00\08\40\00\80\e0\37\79\c3\41\c3")
  (data (i32.const 64) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f")
  (data (i32.const 96) "\00\00\00\00\00\00\00\40\00\00\40\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f")
  (data (i32.const 128) "\03\00\fe\ff\ff\7f\07\00\00\80\01\00\02\00\03\00")
  (data (i32.const 144) "\ff\7f\05\00\ff\7f\ff\ff\00\80\09\00\0a\00\0b\00")
  ;; s over n groups of 4 from a (+32 per group) and b (+32), the loop's latch fused in
  (func (export "f64_dot") (param $a i32) (param $b i32) (param $n i32) (param $s f64) (result f64)
    (local $i i32) (local $p i32)
    (loop $l
      (local.set $s
        (f64.add
          (f64.mul (f64.load (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 24)))
                   (f64.load offset=24 (local.get $b)))
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $p) (i32.const 16))) (f64.load offset=16 (local.get $b)))
            (f64.add
              (f64.mul (f64.load (i32.add (local.get $p) (i32.const 8))) (f64.load offset=8 (local.get $b)))
              (f64.add (f64.mul (f64.load (local.get $p)) (f64.load (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (local.get $n))))
    (f64.add (local.get $s) (f64.convert_i32_s (i32.add (local.get $b) (local.get $i)))))
  (func (export "f64_dot2") (param $a i32) (param $b i32) (result f64)
    (local $s f64) (local $i i32) (local $p i32)
    (loop $l
      (local.set $s
        (f64.add
          (f64.mul (f64.load (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 24)))
                   (f64.load offset=24 (local.get $b)))
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $p) (i32.const 16))) (f64.load offset=16 (local.get $b)))
            (f64.add
              (f64.mul (f64.load (i32.add (local.get $p) (i32.const 8))) (f64.load offset=8 (local.get $b)))
              (f64.add (f64.mul (f64.load (local.get $p)) (f64.load (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 64))))
    (f64.add (local.get $s) (f64.convert_i32_s (i32.add (local.get $b) (local.get $i)))))
  ;; one group, no loop: NAME_MAC_LL_<load>_ADD3 alone
  (func (export "f64_group") (param $a i32) (param $b i32) (param $s f64) (result f64)
    (f64.add (f64.mul (f64.load offset=24 (local.get $a)) (f64.load offset=24 (local.get $b)))
      (f64.add (f64.mul (f64.load offset=16 (local.get $a)) (f64.load offset=16 (local.get $b)))
        (f64.add (f64.mul (f64.load offset=8 (local.get $a)) (f64.load offset=8 (local.get $b)))
          (f64.add (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b))) (local.get $s))))))
  ;; the product-sum teed to a local: kept apart, the local holds it
  (func (export "f64_group_teed") (param $a i32) (param $b i32) (param $s f64) (result f64)
    (local $t f64)
    (f64.sub
      (f64.add (f64.mul (f64.load offset=24 (local.get $a)) (f64.load offset=24 (local.get $b)))
        (f64.add (f64.mul (f64.load offset=16 (local.get $a)) (f64.load offset=16 (local.get $b)))
          (f64.add (f64.mul (f64.load offset=8 (local.get $a)) (f64.load offset=8 (local.get $b)))
            (local.tee $t (f64.add (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b))) (local.get $s))))))
      (local.get $t)))
  ;; a branch landing between the product-sum and the adds
  (func (export "f64_label_between") (param $a i32) (param $b i32) (param $s f64) (param $c i32) (result f64)
    (f64.add (f64.mul (f64.load offset=24 (local.get $a)) (f64.load offset=24 (local.get $b)))
      (f64.add (f64.mul (f64.load offset=16 (local.get $a)) (f64.load offset=16 (local.get $b)))
        (f64.add (f64.mul (f64.load offset=8 (local.get $a)) (f64.load offset=8 (local.get $b)))
          (block (result f64)
            (f64.add (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b))) (local.get $s))
            (br_if 0 (local.get $c))
            (drop)
            (f64.const 100))))))
  ;; the sum set to another local than the running sum's: no sum kept in a register
  (func (export "f64_dot_other") (param $a i32) (param $b i32) (param $s f64) (result f64)
    (local $t f64) (local $i i32) (local $p i32)
    (loop $l
      (local.set $t
        (f64.add
          (f64.mul (f64.load (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 24)))
                   (f64.load offset=24 (local.get $b)))
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $p) (i32.const 16))) (f64.load offset=16 (local.get $b)))
            (f64.add
              (f64.mul (f64.load (i32.add (local.get $p) (i32.const 8))) (f64.load offset=8 (local.get $b)))
              (f64.add (f64.mul (f64.load (local.get $p)) (f64.load (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 64))))
    (local.get $t))
  ;; a counter stepped before the products: the loop is not the one op
  (func (export "f64_dot_counted") (param $a i32) (param $b i32) (result f64)
    (local $s f64) (local $i i32) (local $p i32) (local $k i32)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (local.set $s
        (f64.add
          (f64.mul (f64.load (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 24)))
                   (f64.load offset=24 (local.get $b)))
          (f64.add
            (f64.mul (f64.load (i32.add (local.get $p) (i32.const 16))) (f64.load offset=16 (local.get $b)))
            (f64.add
              (f64.mul (f64.load (i32.add (local.get $p) (i32.const 8))) (f64.load offset=8 (local.get $b)))
              (f64.add (f64.mul (f64.load (local.get $p)) (f64.load (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 64))))
    (f64.add (local.get $s) (f64.convert_i32_s (local.get $k))))
  ;; the latch's first add steps the running sum too: no sum kept in a register
  (func (export "i32_dot_stepped") (param $a i32) (param $b i32) (param $s i32) (result i32)
    (local $i i32) (local $p i32)
    (loop $l
      (local.set $s
        (i32.add
          (i32.mul (i32.load16_s (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 6)))
                   (i32.load16_s offset=6 (local.get $b)))
          (i32.add
            (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 4))) (i32.load16_s offset=4 (local.get $b)))
            (i32.add
              (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 2))) (i32.load16_s offset=2 (local.get $b)))
              (i32.add (i32.mul (i32.load16_s (local.get $p)) (i32.load16_s (local.get $b))) (local.get $s))))))
      (local.set $s (i32.add (local.get $s) (i32.const 100000)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 16))))
    (local.get $s))
  (func (export "i32_dot") (param $a i32) (param $b i32) (param $s i32) (result i32)
    (local $i i32) (local $p i32)
    (loop $l
      (local.set $s
        (i32.add
          (i32.mul (i32.load16_s (i32.add (local.tee $p (i32.add (local.get $a) (local.get $i))) (i32.const 6)))
                   (i32.load16_s offset=6 (local.get $b)))
          (i32.add
            (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 4))) (i32.load16_s offset=4 (local.get $b)))
            (i32.add
              (i32.mul (i32.load16_s (i32.add (local.get $p) (i32.const 2))) (i32.load16_s offset=2 (local.get $b)))
              (i32.add (i32.mul (i32.load16_s (local.get $p)) (i32.load16_s (local.get $b))) (local.get $s))))))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 16))))
    (i32.add (local.get $s) (i32.mul (i32.add (local.get $b) (local.get $i)) (i32.const 1000))))
  ;; the running sum added first, then the next product: two MACs, not this fusion
  (func (export "i32_group_left") (param $a i32) (param $b i32) (param $s i32) (result i32)
    (i32.add (i32.mul (i32.load16_s offset=6 (local.get $a)) (i32.load16_s offset=6 (local.get $b)))
      (i32.add (i32.mul (i32.load16_s offset=4 (local.get $a)) (i32.load16_s offset=4 (local.get $b)))
        (i32.add (i32.add (local.get $s) (i32.mul (i32.load16_s (local.get $a)) (i32.load16_s (local.get $b))))
                 (i32.mul (i32.load16_s offset=2 (local.get $a)) (i32.load16_s offset=2 (local.get $b))))))))
(assert_return (invoke "f64_dot" (i32.const 0) (i32.const 64) (i32.const 64) (f64.const 0)) (f64.const 0x1.9000000000000p+7))
(assert_return (invoke "f64_dot" (i32.const 0) (i32.const 64) (i32.const 32) (f64.const 0.5)) (f64.const 0x1.1c37937e08042p+53))
(assert_return (invoke "f64_dot2" (i32.const 0) (i32.const 64)) (f64.const 200))
(assert_return (invoke "f64_dot" (i32.const 0) (i32.const 64) (i32.const 32) (f64.const nan)) (f64.const nan:arithmetic))
(assert_trap (invoke "f64_dot" (i32.const 65504) (i32.const 64) (i32.const 64) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "f64_dot" (i32.const 0) (i32.const 65512) (i32.const 32) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "f64_dot2" (i32.const 0) (i32.const 65504)) "out of bounds memory access")
(assert_return (invoke "f64_group" (i32.const 32) (i32.const 96) (f64.const 1)) (f64.const -0x1.1c37937e07ffdp+53))
(assert_return (invoke "f64_group" (i32.const 0) (i32.const 64) (f64.const 3)) (f64.const 0x1.1c37937e08003p+53))
(assert_trap (invoke "f64_group" (i32.const 65528) (i32.const 64) (f64.const 3)) "out of bounds memory access")
(assert_trap (invoke "f64_group" (i32.const 65504) (i32.const 65528) (f64.const 3)) "out of bounds memory access")
(assert_return (invoke "f64_group_teed" (i32.const 32) (i32.const 96) (f64.const 1)) (f64.const -0x1.1c37937e07ffep+53))
(assert_return (invoke "f64_label_between" (i32.const 32) (i32.const 96) (f64.const 1) (i32.const 1)) (f64.const -0x1.1c37937e07ffdp+53))
(assert_return (invoke "f64_label_between" (i32.const 32) (i32.const 96) (f64.const 1) (i32.const 0)) (f64.const -0x1.1c37937e07fccp+53))
(assert_return (invoke "i32_dot" (i32.const 128) (i32.const 144) (i32.const 0)) (i32.const 0x80032fab))
(assert_return (invoke "i32_dot" (i32.const 128) (i32.const 144) (i32.const -1)) (i32.const 0x80032faa))
(assert_trap (invoke "i32_dot" (i32.const 65528) (i32.const 144) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "i32_dot" (i32.const 128) (i32.const 65530) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "i32_group_left" (i32.const 128) (i32.const 144) (i32.const 5)) (i32.const 0x40007ff2))
(assert_return (invoke "i32_group_left" (i32.const 136) (i32.const 152) (i32.const 0x7fffffff)) (i32.const 0xc000003d))
;; only the last product's load out of bounds (the others' addresses wrapped to 0, 8, 16)
(assert_trap (invoke "f64_dot" (i32.const -8) (i32.const 64) (i32.const 32) (f64.const 0)) "out of bounds memory access")
(assert_trap (invoke "f64_dot2" (i32.const -8) (i32.const 64)) "out of bounds memory access")
(assert_trap (invoke "i32_dot" (i32.const -2) (i32.const 144) (i32.const 0)) "out of bounds memory access")

;; DOT4 in a loop of its own: its second round out of bounds; the other forms' results
(assert_trap (invoke "f64_dot2" (i32.const 65504) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "f64_dot_other" (i32.const 0) (i32.const 64) (f64.const 5)) (f64.const -0x1.1c37937e07ffbp+53))
(assert_return (invoke "f64_dot_counted" (i32.const 64) (i32.const 0)) (f64.const 0x1.4000000000000p+3))
(assert_return (invoke "i32_dot_stepped" (i32.const 128) (i32.const 144) (i32.const 7)) (i32.const 331060))

;; A list reversed in place, as clang emits it: l = next; next = l->next; l->next = prev; prev = l;
;; while next. A list at 0: node i at 8*i is [next, value]; 16 -> 8 -> 0 -> nil (0 ends it, so the
;; head at 0 is node 2's next... node 0 is never a link target): nodes 1, 2, 3 at 8, 16, 24.
(module
  (memory 1)
  (data (i32.const 8) "\10\00\00\00\01\00\00\00\18\00\00\00\02\00\00\00\00\00\00\00\03\00\00\00")
  (func (export "reverse") (param $head i32) (result i32)
    (local $prev i32) (local $l i32)
    (loop $next
      (local.set $head (i32.load (local.tee $l (local.get $head))))
      (i32.store (local.get $l) (local.get $prev))
      (local.set $prev (local.get $l))
      (br_if $next (local.get $head)))
    (local.get $l))
  ;; the walk as a checksum: value * 10^k along the list from p
  (func (export "walk") (param $p i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 10)) (i32.load offset=4 (local.get $p))))
      (br_if $l (local.tee $p (i32.load (local.get $p)))))
    (local.get $s))
  ;; the store to another address: its trap comes after the load's
  (func (export "store_far") (param $head i32) (param $off i32) (result i32)
    (local $prev i32) (local $l i32)
    (loop $next
      (local.set $head (i32.load (local.tee $l (local.get $head))))
      (i32.store (i32.add (local.get $l) (local.get $off)) (local.get $prev))
      (local.set $prev (local.get $l))
      (br_if $next (local.get $head)))
    (local.get $l))
  ;; a branch landing between the first copy and the load-store
  (func (export "label_between") (param $head i32) (param $c i32) (result i32)
    (local $prev i32) (local $l i32)
    (local.set $l (i32.const 24))
    (block $b
      (br_if $b (local.get $c))
      (local.set $l (local.get $head)))
    (local.set $head (i32.load (local.get $l)))
    (i32.store (local.get $l) (local.get $prev))
    (local.set $prev (local.get $l))
    (if (local.get $head) (then (return (i32.add (local.get $prev) (i32.const 1000)))))
    (local.get $prev))
  ;; the copy before an if (COPY_BR_UNLESS) is kept apart
  (func (export "reverse_if") (param $head i32) (result i32)
    (local $prev i32) (local $l i32)
    (loop $next
      (local.set $head (i32.load (local.tee $l (local.get $head))))
      (i32.store (local.get $l) (local.get $prev))
      (local.set $prev (local.get $l))
      (if (local.get $head) (then (br $next))))
    (local.get $l)))
(assert_return (invoke "walk" (i32.const 8)) (i32.const 123))
(assert_return (invoke "reverse" (i32.const 8)) (i32.const 24))
(assert_return (invoke "walk" (i32.const 24)) (i32.const 321))
(assert_return (invoke "reverse" (i32.const 24)) (i32.const 8))
(assert_return (invoke "walk" (i32.const 8)) (i32.const 123))
(assert_trap (invoke "reverse" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "store_far" (i32.const 8) (i32.const 65528)) "out of bounds memory access")
;; the load ran before the store's trap; the first node's store is not made
(assert_return (invoke "walk" (i32.const 8)) (i32.const 123))
(assert_return (invoke "store_far" (i32.const 8) (i32.const 0)) (i32.const 24))
(assert_return (invoke "walk" (i32.const 24)) (i32.const 321))
(assert_return (invoke "reverse_if" (i32.const 24)) (i32.const 8))
(assert_return (invoke "walk" (i32.const 8)) (i32.const 123))
;; one step from node 2 (its link cut: a branch to the end of the loop's body), then from node 3
(assert_return (invoke "label_between" (i32.const 16) (i32.const 0)) (i32.const 1016))
(assert_return (invoke "label_between" (i32.const 16) (i32.const 1)) (i32.const 24))
