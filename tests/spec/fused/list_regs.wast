;; The register form of a list reversal's loop (session 15: wasm/engine/compile.c fuse_list_step,
;; interp.c list_reverse): COPY_I32_LOAD_I32_STORE_COPY_BR_IF looping on itself keeps l, next and
;; prev in registers and writes them back at its end. The three read after the loop, the next
;; pointer at an offset, a node in the last word of memory, a trap in a later round (the stores of
;; the rounds before it made), and an address near 4 GiB (not wrapped). The store's own trap after
;; its load: dot_list.wast's store_far (the store at another address).

;; Nodes [value: i32][next: i32] at 8, 16, 24: 8 -> 16 -> 24 -> end (0), values 1, 2, 3; node 40's
;; next is 65532, whose next (at 65536) is out of bounds; node 48's next is 65528, whose next is
;; in memory's last word.
(module
  (memory 1)
  (data (i32.const 8) "\01\00\00\00\10\00\00\00\02\00\00\00\18\00\00\00\03\00\00\00\00\00\00\00")
  (data (i32.const 40) "\04\00\00\00\fc\ff\00\00\05\00\00\00\f8\ff\00\00")
  (func (export "reverse") (param $head i32) (result i32)
    (local $prev i32) (local $l i32)
    (loop $next
      (local.set $head (i32.load offset=4 (local.tee $l (local.get $head))))
      (i32.store offset=4 (local.get $l) (local.get $prev))
      (local.set $prev (local.get $l))
      (br_if $next (local.get $head)))
    (i32.add (i32.mul (local.get $l) (i32.const 1000))
             (i32.add (i32.mul (local.get $prev) (i32.const 10)) (local.get $head))))
  ;; value * 10^k along the list from p
  (func (export "walk") (param $p i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 10)) (i32.load (local.get $p))))
      (br_if $l (local.tee $p (i32.load offset=4 (local.get $p)))))
    (local.get $s))
  (func (export "next") (param $p i32) (result i32)
    (i32.load offset=4 (local.get $p))))

(assert_return (invoke "reverse" (i32.const 8)) (i32.const 24240))
(assert_return (invoke "walk" (i32.const 24)) (i32.const 321))
(assert_return (invoke "next" (i32.const 8)) (i32.const 0))
(assert_return (invoke "reverse" (i32.const 24)) (i32.const 8080))
(assert_return (invoke "walk" (i32.const 8)) (i32.const 123))
;; the third round's load traps: the first two rounds' stores are made
(assert_trap (invoke "reverse" (i32.const 40)) "out of bounds memory access")
(assert_return (invoke "next" (i32.const 40)) (i32.const 0))
;; the second node in memory's last word
(assert_return (invoke "reverse" (i32.const 48)) (i32.const 66183280))
(assert_return (invoke "next" (i32.const 48)) (i32.const 0))
(assert_return (invoke "next" (i32.const 65528)) (i32.const 48))
(assert_trap (invoke "reverse" (i32.const -4)) "out of bounds memory access")
