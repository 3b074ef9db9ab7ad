;; Counts the primes p with from <= p < to, by trial division: Enjambre's known-answer wasm example.
;;
;; Follows the Enjambre module ABI (workunits/WASM-ABI.md):
;;   run input   16 bytes: from, to as little-endian signed 64-bit integers (what the wasm app's
;;               "range" mode gives each work unit)
;;   run output   8 bytes: the count, little-endian unsigned 64-bit
;;   merge       sums the units' counts and returns the JSON text {"count":N}
;; It reports progress every 65536 numbers and checkpoints (next number, count so far) when the
;; host says a checkpoint is due, so a unit interrupted on a worker resumes where it was.
;;
;; Compile: wat2wasm primes.wat -o primes.wasm   (Debian package wabt), or Chicory's Wat2Wasm.
(module
  (import "enjambre" "progress" (func $progress (param f64)))
  (import "enjambre" "checkpoint_due" (func $checkpoint_due (result i32)))
  (import "enjambre" "checkpoint" (func $checkpoint (param i32 i32)))
  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))

  ;; Memory layout: 0..15 checkpoint state, 16..23 run output, 32..40 the merge prefix,
  ;; 64..127 merge output, 1024.. the bump-allocated heap.
  (memory (export "memory") 1)
  (data (i32.const 32) "{\22count\22:")
  (global $heap (mut i32) (i32.const 1024))

  ;; Hands out len bytes at the top of the heap, growing memory when needed.
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $p i32)
    (local $end i32)
    (local $pages i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.lt_u (local.get $end) (local.get $p)) (then unreachable))
    ;; pages needed = ceil(end / 65536), computed without overflow
    (local.set $pages
      (i32.add (i32.shr_u (local.get $end) (i32.const 16))
               (i32.ne (i32.and (local.get $end) (i32.const 0xFFFF)) (i32.const 0))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $p))

  ;; 1 when n is prime, else 0: trial division by 2 and the odd numbers up to sqrt(n).
  (func $is_prime (param $n i64) (result i32)
    (local $d i64)
    (if (i64.lt_u (local.get $n) (i64.const 2)) (then (return (i32.const 0))))
    (if (i64.lt_u (local.get $n) (i64.const 4)) (then (return (i32.const 1))))
    (if (i64.eqz (i64.and (local.get $n) (i64.const 1))) (then (return (i32.const 0))))
    (local.set $d (i64.const 3))
    (block $done
      (loop $next
        (br_if $done (i64.gt_u (i64.mul (local.get $d) (local.get $d)) (local.get $n)))
        (if (i64.eqz (i64.rem_u (local.get $n) (local.get $d))) (then (return (i32.const 0))))
        (local.set $d (i64.add (local.get $d) (i64.const 2)))
        (br $next)))
    (i32.const 1))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $from i64)
    (local $to i64)
    (local $n i64)
    (local $count i64)
    (if (i32.ne (local.get $len) (i32.const 16)) (then unreachable))
    (local.set $from (i64.load (local.get $ptr)))
    (local.set $to (i64.load offset=8 (local.get $ptr)))
    (local.set $n (local.get $from))
    ;; resume from a checkpoint when the host has one
    (if (i32.eq (call $restore (i32.const 0) (i32.const 16)) (i32.const 16))
      (then
        (local.set $n (i64.load (i32.const 0)))
        (local.set $count (i64.load (i32.const 8)))))
    (block $done
      (loop $next
        (br_if $done (i64.ge_s (local.get $n) (local.get $to)))
        (local.set $count (i64.add (local.get $count) (i64.extend_i32_u (call $is_prime (local.get $n)))))
        (local.set $n (i64.add (local.get $n) (i64.const 1)))
        (if (i64.eqz (i64.and (local.get $n) (i64.const 0xFFFF)))
          (then
            (call $progress
              (f64.div (f64.convert_i64_s (i64.sub (local.get $n) (local.get $from)))
                       (f64.convert_i64_s (i64.sub (local.get $to) (local.get $from)))))
            (if (call $checkpoint_due)
              (then
                (i64.store (i32.const 0) (local.get $n))
                (i64.store (i32.const 8) (local.get $count))
                (call $checkpoint (i32.const 0) (i32.const 16))))))
        (br $next)))
    (i64.store (i32.const 16) (local.get $count))
    ;; output at 16, 8 bytes long
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 8)))

  ;; Input: the units' outputs, each as a little-endian u32 length and its bytes.
  ;; Output: {"count":N} with N the sum of the counts.
  (func (export "merge") (param $ptr i32) (param $len i32) (result i64)
    (local $p i32)
    (local $end i32)
    (local $sum i64)
    (local $i i32)
    (local.set $p (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.gt_u (i32.add (local.get $p) (i32.const 12)) (local.get $end)) (then unreachable))
        (if (i32.ne (i32.load (local.get $p)) (i32.const 8)) (then unreachable))
        (local.set $sum (i64.add (local.get $sum) (i64.load offset=4 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 12)))
        (br $next)))
    ;; write "}" at 127, the digits before it, then the 9-byte prefix before those
    (local.set $i (i32.const 127))
    (i32.store8 (local.get $i) (i32.const 125))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $sum) (i64.const 10)))))
      (local.set $sum (i64.div_u (local.get $sum) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $sum) (i64.const 0))))
    (local.set $i (i32.sub (local.get $i) (i32.const 9)))
    (i64.store (local.get $i) (i64.load (i32.const 32)))
    (i32.store8 offset=8 (local.get $i) (i32.load8_u (i32.const 40)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.const 128) (local.get $i))))))
