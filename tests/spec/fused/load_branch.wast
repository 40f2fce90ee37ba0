;; Fused ops of session 15 (wasm/engine/compile.c: fuse_load_branch, cs_cond_jump, mark_list_find):
;; an i32 load and the branch after it, as clang emits a list search and a string scan:
;; i32.load16_s then a branch on i32.ne of two slots (I32_LOAD16_S_BR_I32_NE), i32.load8_u then a
;; branch on i32.eq with a constant (I32_LOAD8_U_BR_I32_EQ_IMM), i32.load then br_if on the loaded
;; word (I32_LOAD_BR_IF), and a search loop of the first and the last run in registers (list_find):
;; results, sign and zero extension, a branch on a word with only its high bit set, each load's
;; trap (also past 4 GiB: the offset does not wrap), the loaded value teed and used after, and a
;; branch landing between the load and its branch.

;; Nodes at 0, 8, 16: [next: i32][key: i16][value: i16], next 0 ends a list; 16 -> 8 -> end, and
;; node 0 alone. Keys: node 0 -1 (0xffff), node 8 300, node 16 7; values 10, 20, 30.
(module
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\ff\ff\0a\00\00\00\00\00\2c\01\14\00\08\00\00\00\07\00\1e\00")
  ;; "ab,c\ff," at 64, then 0
  (data (i32.const 64) "ab,c\ff,")
  ;; a word with only its high bit set at 80
  (data (i32.const 80) "\00\00\00\80")
  ;; the list search of coremark's list_work: the value of the first node from p whose key is k,
  ;; else -1
  (func (export "find") (param $p i32) (param $k i32) (result i32)
    (local $r i32)
    (local.set $r (i32.const -1))
    (block $done
      (loop $l
        (block $next
          (br_if $next (i32.ne (local.get $k) (i32.load16_s offset=4 (local.get $p))))
          (local.set $r (i32.load16_u offset=6 (local.get $p)))
          (br $done))
        (br_if $l (local.tee $p (i32.load (local.get $p))))))
    (local.get $r))
  ;; the node found, or 0 at the end: p after the loop (the search runs in registers: p written back)
  (func (export "find_at") (param $p i32) (param $k i32) (result i32)
    (block $done
      (loop $l
        (block $next
          (br_if $next (i32.ne (i32.load16_s offset=4 (local.get $p)) (local.get $k)))
          (br $done))
        (br_if $l (local.tee $p (i32.load (local.get $p))))))
    (local.get $p))
  ;; a node whose key is its own address: k is p's slot, the search is not run in registers
  (func (export "find_self") (param $p i32) (result i32)
    (block $done
      (loop $l
        (block $next
          (br_if $next (i32.ne (local.get $p) (i32.load16_s offset=4 (local.get $p))))
          (br $done))
        (br_if $l (local.tee $p (i32.load (local.get $p))))))
    (local.get $p))
  ;; the loaded key on the left of the compare
  (func (export "find_left") (param $p i32) (param $k i32) (result i32)
    (block $next
      (br_if $next (i32.ne (i32.load16_s offset=4 (local.get $p)) (local.get $k)))
      (return (i32.const 1)))
    (i32.const 0))
  ;; the key loaded into a local, which the compare and the code after read
  (func (export "key_teed") (param $p i32) (param $k i32) (result i32)
    (local $v i32)
    (block $next
      (br_if $next (i32.ne (local.get $k) (local.tee $v (i32.load16_s offset=4 (local.get $p)))))
      (return (i32.add (local.get $v) (i32.const 1000))))
    (local.get $v))
  ;; 1 << the number of nodes from p: a walk to the list's end (a shift, as an add-immediate would
  ;; join the load: I32_ADD_IMM_I32_LOAD)
  (func (export "length") (param $p i32) (result i32)
    (local $n i32)
    (local.set $n (i32.const 1))
    (loop $l
      (local.set $n (i32.shl (local.get $n) (i32.const 1)))
      (br_if $l (local.tee $p (i32.load (local.get $p)))))
    (local.get $n))
  ;; br_if on the loaded word itself (no tee): 1 when the word at p is not 0
  (func (export "nonzero") (param $p i32) (result i32)
    (block $yes
      (br_if $yes (i32.load (local.get $p)))
      (return (i32.const 0)))
    (i32.const 1))
  ;; the offset of the first comma from p, or -1 at the end (a 0 byte): the character teed
  (func (export "comma") (param $p i32) (result i32)
    (local $c i32) (local $s i32)
    (local.set $s (local.get $p))
    (block $done
      (loop $l
        (block $found
          (br_if $found (i32.eq (local.tee $c (i32.load8_u (local.get $p))) (i32.const 44)))
          (br_if $done (i32.eqz (local.get $c)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $l))
        (return (i32.sub (local.get $p) (local.get $s)))))
    (i32.const -1))
  ;; a byte compared with 255 and with -1 (the byte is zero-extended): 1 when equal
  (func (export "byte_is") (param $p i32) (param $k i32) (result i32)
    (block $yes
      (br_if $yes (i32.eq (i32.load8_u (local.get $p)) (i32.const 255)))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "byte_is_minus1") (param $p i32) (result i32)
    (block $yes
      (br_if $yes (i32.eq (i32.load8_u (local.get $p)) (i32.const -1)))
      (return (i32.const 0)))
    (i32.const 1))
  ;; a branch landing between the load and the compare (the block's end): not fused, same result
  (func (export "label_between") (param $p i32) (param $k i32) (param $c i32) (result i32)
    (block $next
      (br_if $next
        (i32.ne (local.get $k)
          (block (result i32)
            (i32.load16_s offset=4 (local.get $p))
            (br_if 0 (local.get $c))
            (drop)
            (i32.const 7))))
      (return (i32.const 1)))
    (i32.const 0))
  ;; a branch landing between the load and br_if on its word
  (func (export "label_between_word") (param $p i32) (param $c i32) (result i32)
    (block $yes
      (br_if $yes
        (block (result i32)
          (i32.load (local.get $p))
          (br_if 0 (local.get $c))
          (drop)
          (i32.const 0)))
      (return (i32.const 0)))
    (i32.const 1)))

(assert_return (invoke "find" (i32.const 16) (i32.const 7)) (i32.const 30))
(assert_return (invoke "find" (i32.const 16) (i32.const 300)) (i32.const 20))
(assert_return (invoke "find" (i32.const 16) (i32.const -1)) (i32.const -1))
(assert_return (invoke "find" (i32.const 0) (i32.const -1)) (i32.const 10))
(assert_return (invoke "find" (i32.const 0) (i32.const 65535)) (i32.const -1))
(assert_return (invoke "find" (i32.const 16) (i32.const 5)) (i32.const -1))
(assert_return (invoke "find" (i32.const 8) (i32.const 7)) (i32.const -1))
(assert_return (invoke "find_at" (i32.const 16) (i32.const 300)) (i32.const 8))
(assert_return (invoke "find_at" (i32.const 16) (i32.const 7)) (i32.const 16))
(assert_return (invoke "find_at" (i32.const 16) (i32.const 5)) (i32.const 0))
(assert_return (invoke "find_self" (i32.const 16)) (i32.const 0))
(assert_return (invoke "find_left" (i32.const 0) (i32.const -1)) (i32.const 1))
(assert_return (invoke "find_left" (i32.const 0) (i32.const 65535)) (i32.const 0))
(assert_return (invoke "key_teed" (i32.const 8) (i32.const 300)) (i32.const 1300))
(assert_return (invoke "key_teed" (i32.const 0) (i32.const 300)) (i32.const -1))
(assert_return (invoke "length" (i32.const 16)) (i32.const 4))
(assert_return (invoke "length" (i32.const 0)) (i32.const 2))
(assert_return (invoke "nonzero" (i32.const 80)) (i32.const 1))
(assert_return (invoke "nonzero" (i32.const 0)) (i32.const 0))
(assert_return (invoke "nonzero" (i32.const 16)) (i32.const 1))
(assert_return (invoke "comma" (i32.const 64)) (i32.const 2))
(assert_return (invoke "comma" (i32.const 67)) (i32.const 2))
(assert_return (invoke "comma" (i32.const 70)) (i32.const -1))
(assert_return (invoke "byte_is" (i32.const 68) (i32.const 0)) (i32.const 1))
(assert_return (invoke "byte_is" (i32.const 67) (i32.const 0)) (i32.const 0))
(assert_return (invoke "byte_is_minus1" (i32.const 68)) (i32.const 0))
(assert_return (invoke "label_between" (i32.const 8) (i32.const 300) (i32.const 1)) (i32.const 1))
(assert_return (invoke "label_between" (i32.const 8) (i32.const 300) (i32.const 0)) (i32.const 0))
(assert_return (invoke "label_between" (i32.const 8) (i32.const 7) (i32.const 0)) (i32.const 1))
(assert_return (invoke "label_between_word" (i32.const 80) (i32.const 1)) (i32.const 1))
(assert_return (invoke "label_between_word" (i32.const 80) (i32.const 0)) (i32.const 0))
(assert_return (invoke "label_between_word" (i32.const 0) (i32.const 1)) (i32.const 0))
;; each load's trap: the key's, the next pointer's (a node whose next points past the end), the
;; byte's, and past 4 GiB (address + offset is not wrapped)
(assert_trap (invoke "find" (i32.const 65532) (i32.const 7)) "out of bounds memory access")
(assert_trap (invoke "find" (i32.const -4) (i32.const 7)) "out of bounds memory access")
(assert_trap (invoke "find_left" (i32.const -2) (i32.const 7)) "out of bounds memory access")
(assert_trap (invoke "length" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "nonzero" (i32.const -1)) "out of bounds memory access")
(assert_trap (invoke "comma" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "byte_is" (i32.const -1) (i32.const 0)) "out of bounds memory access")

;; a node whose next points to the last bytes of memory: the search traps at that node's key
(module
  (memory 1)
  (data (i32.const 0) "\fe\ff\00\00\01\00\02\00")
  (func (export "find") (param $p i32) (param $k i32) (result i32)
    (block $done
      (loop $l
        (block $next
          (br_if $next (i32.ne (local.get $k) (i32.load16_s offset=4 (local.get $p))))
          (br $done))
        (br_if $l (local.tee $p (i32.load (local.get $p))))))
    (local.get $p)))

(assert_return (invoke "find" (i32.const 0) (i32.const 1)) (i32.const 0))
(assert_trap (invoke "find" (i32.const 0) (i32.const 5)) "out of bounds memory access")
